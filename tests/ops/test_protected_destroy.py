"""A plan that would destroy a prevent_destroy resource is refused by Terraform and reviewed as destructive.

Real Terraform on a tiny configuration (the built-in ``terraform_data`` resource,
local state) stands in for prod's database: the refusal and its review are the
pipeline's, whatever the resource type.
"""

from __future__ import annotations

import json

import pytest

from ops.pipeline import EnvironmentPipeline
from ops.terraform_cli import run_terraform
from platform_core.errors import EXIT_DESTRUCTIVE, PipelineError
from platform_core.target import DeployTarget
from tests.conftest import require_tool


def protected_config(trigger: str) -> dict:
    return {
        "resource": {
            "terraform_data": {
                "database": {"triggers_replace": [trigger], "lifecycle": {"prevent_destroy": True}},
                "cache": {"triggers_replace": [trigger]},
            }
        }
    }


@pytest.fixture
def protected_stack(tmp_path, monkeypatch):
    require_tool("terraform")
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    stack = tmp_path / "stacks" / "prod"
    stack.mkdir(parents=True)
    (stack / "main.tf.json").write_text(json.dumps(protected_config("engine-8.0")))
    run_terraform(["init", "-input=false", "-no-color"], cwd=stack)
    run_terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=stack)
    (stack / "main.tf.json").write_text(json.dumps(protected_config("engine-8.4")))
    return stack


def test_replacing_a_protected_resource_is_refused_and_reviewed_as_destructive(configs, protected_stack, tmp_path):
    pipeline = EnvironmentPipeline(configs["prod"], DeployTarget(kind="emulator"))
    pipeline.directory = protected_stack
    with pytest.raises(PipelineError) as refused:
        pipeline.plan()
    assert refused.value.exit_code == EXIT_DESTRUCTIVE
    message = str(refused.value)
    assert "would replace or delete 1 protected resource(s) (terraform_data.database)" in message
    assert "nothing was planned or applied" in message
    review = json.loads((tmp_path / "plans" / "prod.json").read_text())
    assert review["destructive"] is True
    assert [c["address"] for c in review["destructive_changes"]] == ["terraform_data.database"]
    assert "**DELETE** `terraform_data.database` (refused by Terraform: lifecycle.prevent_destroy" in (
        tmp_path / "plans" / "prod.md"
    ).read_text()
    state = json.loads((protected_stack / "terraform.tfstate").read_text())
    assert {r["name"] for r in state["resources"]} == {"database", "cache"}, "nothing was touched"
