"""dev's database going from MySQL 8.0 to 8.4, planned by real Terraform (AWS provider 5.100.0) and reviewed.

dev is synthesized twice, at 8.0 (accepting Extended Support) and at 8.4. The
database instance and its parameter group, exactly as synthesized (references to
other resources replaced by placeholder ARNs), are planned with ``-refresh=false``
against a local state holding their 8.0 version, so the provider plans the
upgrade without calling AWS. The plan must update the instance in place, replace
the parameter group create-before-destroy, and the review must say that group
holds no data and not call the plan destructive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.review import review_plan
from ops.terraform_cli import run_terraform
from platform_core.target import DeployTarget
from tests.conftest import require_tool
from tests.synth import find, synth_environments

PLACEHOLDER_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
OLD_GROUP = "acme-database-dev-20260101000000000000000001"
META = ("//", "lifecycle", "depends_on", "provider")
PROVIDER = {
    "region": "us-east-1",
    "access_key": "placeholder",
    "secret_key": "placeholder",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": "true",
}


def _literal(value, keep: str):
    """References to other resources become a placeholder ARN; ``keep`` (the group's name) stays a reference."""
    if isinstance(value, dict):
        return {k: _literal(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v, keep) for v in value]
    if isinstance(value, str) and "${" in value and value != keep:
        return PLACEHOLDER_ARN
    return value


def _database(stack: dict) -> dict[str, tuple[str, dict]]:
    group_name, group = find(stack, "aws_db_parameter_group", "database/parameter-group")
    instance_name, instance = find(stack, "aws_db_instance", "database/instance")
    keep = f"${{aws_db_parameter_group.{group_name}.name}}"
    return {"aws_db_parameter_group": (group_name, _literal(group, keep)), "aws_db_instance": (instance_name, _literal(instance, keep))}


def _configuration(stack: dict) -> dict:
    resources: dict = {}
    for resource_type, (name, body) in _database(stack).items():
        kept = {k: v for k, v in body.items() if k not in ("//", "depends_on")}
        resources[resource_type] = {name: kept}
    return {"provider": {"aws": [PROVIDER]}, "resource": resources}


def _state(stack: dict) -> dict:
    """A state holding the stack's database as deployed: its arguments, and the ids AWS gave it."""
    (group_name, group), (instance_name, instance) = _database(stack).values()
    group_attributes = {k: v for k, v in group.items() if k not in META} | {
        "id": OLD_GROUP, "name": OLD_GROUP, "arn": f"arn:aws:rds:us-east-1:123456789012:pg:{OLD_GROUP}", "tags_all": {},
    }
    instance_attributes = {k: v for k, v in instance.items() if k not in META} | {
        "id": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "resource_id": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "parameter_group_name": OLD_GROUP,
        "engine_version_actual": "8.0.43", "tags_all": instance.get("tags", {}),
    }
    provider = 'provider["registry.terraform.io/hashicorp/aws"]'
    return {
        "version": 4, "terraform_version": "1.10.0", "serial": 1, "lineage": "5e3b7c1e-0000-4000-8000-000000000017", "outputs": {},
        "resources": [
            {"mode": "managed", "type": "aws_db_parameter_group", "name": group_name, "provider": provider,
             "instances": [{"schema_version": 0, "attributes": group_attributes, "create_before_destroy": True}]},
            {"mode": "managed", "type": "aws_db_instance", "name": instance_name, "provider": provider,
             "instances": [{"schema_version": 2, "attributes": instance_attributes, "dependencies": [f"aws_db_parameter_group.{group_name}"]}]},
        ],
    }


@pytest.fixture(scope="module")
def upgrade_plan(configs, tmp_path_factory) -> dict:
    require_tool("terraform")
    dev = configs["dev"]
    on_80 = dev.model_copy(update={"database": dev.database.model_copy(update={"engine_version": "8.0", "accept_extended_support": True})})
    work = tmp_path_factory.mktemp("major-upgrade")
    before = synth_environments([on_80], DeployTarget(kind="aws"), work / "before")["dev"]
    after = synth_environments([dev], DeployTarget(kind="aws"), work / "after")["dev"]
    stack = work / "dev"
    stack.mkdir()
    (stack / "main.tf.json").write_text(json.dumps(_configuration(after)))
    (stack / "terraform.tfstate").write_text(json.dumps(_state(before)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLATFORM_WORK_DIR", str(work))
        run_terraform(["init", "-input=false", "-no-color"], cwd=stack)
        run_terraform(["plan", "-refresh=false", "-input=false", "-no-color", "-out=upgrade.tfplan"], cwd=stack)
        shown = run_terraform(["show", "-json", "-no-color", "upgrade.tfplan"], cwd=stack)
    return json.loads(shown.stdout)


def _changes(plan: dict) -> dict[str, dict]:
    return {entry["type"]: entry["change"] for entry in plan["resource_changes"]}


def test_the_instance_is_upgraded_in_place(upgrade_plan):
    instance = _changes(upgrade_plan)["aws_db_instance"]
    assert instance["actions"] == ["update"], "a new major version must never replace the database"
    assert (instance["before"]["engine_version"], instance["after"]["engine_version"]) == ("8.0", "8.4")
    assert instance["after"]["allow_major_version_upgrade"] is True
    assert instance["after_unknown"].get("parameter_group_name") is True, "it switches to the new group in the same change"


def test_the_parameter_group_is_replaced_create_before_destroy(upgrade_plan):
    group = _changes(upgrade_plan)["aws_db_parameter_group"]
    assert group["actions"] == ["create", "delete"]
    assert (group["before"]["family"], group["after"]["family"]) == ("mysql8.0", "mysql8.4")
    assert {"name": "require_secure_transport", "value": "1", "apply_method": "immediate"} in group["after"]["parameter"]


def test_the_review_says_the_group_holds_no_data_and_the_plan_is_not_destructive(upgrade_plan, tmp_path: Path):
    review = review_plan(upgrade_plan, "dev")
    actions = {c.resource_type: c.action for c in review.changes}
    assert actions == {"aws_db_instance": "update", "aws_db_parameter_group": "replace"}
    (group,) = review.stateless_replacements
    assert group.resource_type == "aws_db_parameter_group" and "family" in group.replaced_because
    assert "holds no data" in group.holds_no_data
    assert not review.destructive and review.exit_code == 0
    markdown, _ = review.write(tmp_path)
    assert "## Replaced, holding no data (not destructive)" in markdown.read_text()
