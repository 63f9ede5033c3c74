"""deploy.yml: each stack in turn (the baselines, then dev -> staging -> prod), each job in its protected GitHub
environment, one at a time per stack. A baseline is only checked, with its read-only plan role (no pipeline applies the
stack that holds the roles it runs as); each environment is applied with its apply role, exactly the plan it reviewed;
a destructive plan stops for a human, who applies it on purpose by hand."""

from __future__ import annotations

import re

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


def test_every_environment_job_assumes_its_apply_role_and_a_baseline_job_its_plan_role():
    steps = uses(DEPLOY, "aws-actions/configure-aws-credentials")
    assert sorted(job for job, _, _ in steps) == sorted(JOBS)
    for job, _, step in steps:
        if job.startswith("baseline-"):
            assert step["with"]["role-to-assume"] == f"${{{{ vars.PLAN_ROLE_ARN_{job.upper().replace('-', '_')} }}}}"
        else:
            assert step["with"]["role-to-assume"] == "${{ vars.APPLY_ROLE_ARN }}"
    assert "APPLY_ROLE_ARN" in load(WORKFLOWS.parent / "actionlint.yaml")["config-variables"]


def test_an_environment_plans_reviews_then_applies_exactly_that_plan_and_a_baseline_is_only_checked():
    for stack, job in JOBS.items():
        runs = [step["run"] for step in job["steps"] if "run" in step]
        if stack.startswith("baseline-"):
            assert runs == [f"make drift ENV={stack}"], "applied by an operator: CI fails while it has changes or drift"
            continue
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
    assert sorted(choice["options"]) == sorted(["none", *(s for s in synthesized_stacks() if not s.startswith("baseline-"))])
    assert JOBS[chain()[0]]["if"] == "github.ref == 'refs/heads/main'", "only main is deployed"


def test_it_targets_aws_and_the_provider_assumes_no_further_role():
    assert DEPLOY["env"]["TARGET"] == "aws"
    assert DEPLOY["env"]["TF_VAR_deploy_role_arn"] == ""
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "# the job's OIDC credentials already are the environment's role in its own account, so the provider assumes no further role" in text
    assert re.findall(r"PLAN_ROLE_ARN_\w+", text) == [f"PLAN_ROLE_ARN_{b.upper().replace('-', '_')}" for b in synthesized_stacks() if b.startswith("baseline-")]
