"""pull-request.yml: every stack planned with its read-only plan role only, its review posted once per stack, checkov
over it, the review kept; a destructive plan fails the check unless the label allow-destructive is on."""

from __future__ import annotations

import re

from ops.cli import _stack_names
from ops.comment import artifact_name
from tests.workflows.files import WORKFLOWS, load, matrix_rows, synthesized_stacks, triggers, uses, workflow

PR = workflow("pull-request.yml")
PLAN_JOB = PR["jobs"]["plan"]
STACK = "${{ matrix.stack }}"


def plan_role_variable(stack: str) -> str:
    return "PLAN_ROLE_ARN_" + stack.upper().replace("-", "_")


def test_the_matrix_is_exactly_the_stacks_the_project_synthesizes():
    stacks = [row["stack"] for row in matrix_rows(PLAN_JOB)]
    assert sorted(stacks) == sorted(synthesized_stacks()) == sorted(_stack_names(())), (
        "one matrix row per environment file and per account baseline: add the new stack to pull-request.yml"
    )
    assert len(stacks) == len(set(stacks))


def test_it_names_no_apply_role_anywhere():
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert not re.search(r"apply_role|APPLY_ROLE", text, re.IGNORECASE)


def test_every_credential_step_assumes_the_stacks_plan_role():
    steps = uses(PR, "aws-actions/configure-aws-credentials")
    assert [job for job, _, _ in steps] == ["plan"], "only the plan job gets AWS credentials"
    for _, _, step in steps:
        assert step["with"]["role-to-assume"] == "${{ vars[matrix.plan_role] }}"
    for row in matrix_rows(PLAN_JOB):
        assert row["plan_role"] == plan_role_variable(row["stack"])
    configured = load(WORKFLOWS.parent / "actionlint.yaml")["config-variables"]
    assert {plan_role_variable(s) for s in synthesized_stacks()} <= set(configured)


def test_it_runs_on_every_pull_request_and_again_when_a_label_changes():
    assert set(triggers(PR)) == {"pull_request"}
    assert {"opened", "synchronize", "reopened", "labeled", "unlabeled"} <= set(triggers(PR)["pull_request"]["types"])


def test_synth_then_plan_review_comment_policy_and_artifact():
    assert [s["run"] for s in PR["jobs"]["synth"]["steps"] if "run" in s] == ["make synth"]
    assert PLAN_JOB["needs"] == "synth"
    runs = [s["run"] for s in PLAN_JOB["steps"] if "run" in s]
    label = "${{ contains(github.event.pull_request.labels.*.name, 'allow-destructive') && '1' || '0' }}"
    assert runs == [f"make plan ENV={STACK} ALLOW_DESTRUCTIVE={label}", f"make comment ENV={STACK}", f"make policy STACKS={STACK}"]
    assert PLAN_JOB["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    assert PLAN_JOB["strategy"]["fail-fast"] is False, "one stack's failure does not hide the others' plans"


def test_one_comment_per_stack_updated_in_place_and_the_review_kept_under_the_name_the_comment_gives():
    posts = uses(PR, "marocchino/sticky-pull-request-comment")
    assert posts and all(step["with"]["header"] == f"plan-{STACK}" for _, _, step in posts)
    (review,) = [step for _, _, step in posts if "path" in step["with"]]
    assert review["with"]["path"] == f"plans/{STACK}.comment.md"
    ((_, _, upload),) = uses(PR, "actions/upload-artifact")
    assert upload["with"]["name"] == artifact_name(STACK)
    assert upload["with"]["path"].splitlines() == [f"plans/{STACK}.md", f"plans/{STACK}.json", f"plans/{STACK}.plan.json"]
    assert ".tfplan" not in (WORKFLOWS / "pull-request.yml").read_text(), "the saved plan holds secrets"


def test_it_targets_aws_and_the_provider_assumes_no_further_role():
    assert PR["env"]["TARGET"] == "aws"
    assert PR["env"]["TF_VAR_deploy_role_arn"] == ""


def test_a_newer_push_never_cancels_a_running_plan():
    """A plan holds its stack's state lock; one killed part-way can leave it behind for the next deploy."""
    assert PR["concurrency"]["cancel-in-progress"] is False
