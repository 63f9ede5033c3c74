"""deploy.yml: each stack in turn (the baselines, then dev -> staging -> prod), each job in its protected GitHub
environment with that environment's apply role, one apply at a time per environment, applying exactly the plan it
reviewed; a destructive plan stops for a human, who applies it on purpose by hand."""

from __future__ import annotations

from ops.cli import _stack_names
from ops.comment import artifact_name
from tests.workflows.files import WORKFLOWS, load, synthesized_stacks, triggers, uses, workflow

DEPLOY = workflow("deploy.yml")
JOBS = DEPLOY["jobs"]


def chain() -> list[str]:
    """The jobs in the order their ``needs`` make them run: one chain, no job beside another."""
    (first,) = [job for job, body in JOBS.items() if "needs" not in body]
    order = [first]
    while followers := [job for job, body in JOBS.items() if body.get("needs") in (order[-1], [order[-1]])]:
        (follower,) = followers
        order.append(follower)
    assert sorted(order) == sorted(JOBS), "every job is in the one chain"
    return order


def allow(stack: str) -> str:
    return f"${{{{ inputs.allow_destructive == '{stack}' && '1' || '0' }}}}"


def test_one_job_per_synthesized_stack():
    assert sorted(JOBS) == sorted(synthesized_stacks()) == sorted(_stack_names(())), (
        "one deploy job per environment file and per account baseline: add the new stack to deploy.yml"
    )


def test_the_baselines_first_then_dev_staging_prod_in_that_order():
    order = chain()
    baselines = [s for s in order if s.startswith("baseline-")]
    assert order[: len(baselines)] == baselines, "an account's baseline before any environment"
    environments = [s for s in order if not s.startswith("baseline-")]
    assert environments == ["dev", "staging", "prod"]


def test_every_job_runs_in_its_environment_one_apply_at_a_time_never_cancelled():
    for stack, job in JOBS.items():
        environment = job["environment"]
        assert (environment if isinstance(environment, str) else environment["name"]) == stack
        assert job["concurrency"] == {"group": f"apply-{stack}", "cancel-in-progress": False}
        assert job["permissions"] == {"contents": "read", "id-token": "write"}


def test_every_job_assumes_its_environments_apply_role():
    steps = uses(DEPLOY, "aws-actions/configure-aws-credentials")
    assert sorted(job for job, _, _ in steps) == sorted(JOBS)
    for _, _, step in steps:
        assert step["with"]["role-to-assume"] == "${{ vars.APPLY_ROLE_ARN }}"
    assert "APPLY_ROLE_ARN" in load(WORKFLOWS.parent / "actionlint.yaml")["config-variables"]


def test_plan_review_then_apply_exactly_that_plan_of_its_own_stack():
    for stack, job in JOBS.items():
        runs = [step["run"] for step in job["steps"] if "run" in step]
        assert runs == [f"make plan ENV={stack} ALLOW_DESTRUCTIVE={allow(stack)}", f"make comment ENV={stack}", f"make apply ENV={stack} ALLOW_DESTRUCTIVE={allow(stack)}"]
        apply = next(step for step in job["steps"] if step.get("run", "").startswith("make apply"))
        assert "if" not in apply, "nothing is applied after a failed or destructive plan"
    for job, _, upload in uses(DEPLOY, "actions/upload-artifact"):
        assert upload["with"]["name"] == artifact_name(job)


def test_a_destructive_plan_is_applied_on_purpose_by_hand_for_one_stack_only():
    assert set(triggers(DEPLOY)) == {"push", "workflow_dispatch"}
    assert triggers(DEPLOY)["push"] == {"branches": ["main"]}
    choice = triggers(DEPLOY)["workflow_dispatch"]["inputs"]["allow_destructive"]
    assert choice["type"] == "choice" and choice["default"] == "none"
    assert sorted(choice["options"]) == sorted(["none", *synthesized_stacks()])
    assert JOBS[chain()[0]]["if"] == "github.ref == 'refs/heads/main'", "only main is deployed"


def test_it_targets_aws_and_the_provider_assumes_no_further_role():
    assert DEPLOY["env"]["TARGET"] == "aws"
    assert DEPLOY["env"]["TF_VAR_deploy_role_arn"] == ""
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "# the job's OIDC credentials already are the environment's role in its own account, so the provider assumes no further role" in text
    assert "PLAN_ROLE" not in text
