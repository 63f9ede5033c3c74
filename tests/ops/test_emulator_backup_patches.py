"""The emulator patches AWS Backup and the restores need, each against plain moto 5.2.5 (the quirk) and the patched
emulator (AWS's behaviour), both as servers on 127.0.0.1; then real Terraform (AWS provider 5.100.0) applies dev's and prod's backups
onto the patched emulator, plans again with nothing to do, changes a retention in place and destroys them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops.terraform_cli import run_terraform
from platform_core.target import DeployTarget
from tests.conftest import require_tool
from tests.ops import test_emulator_baseline_patches as baseline_patches
from tests.ops.test_emulator_baseline_patches import ACCOUNT, REGION, client, error_code

servers = baseline_patches.servers
"""The same module-scoped fixture: plain moto and the patched emulator, each a server of its own."""

VAULT = "acme-backups-dev"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:acme-alarms-dev"
RULE = {"RuleName": "daily", "TargetBackupVaultName": VAULT, "ScheduleExpression": "cron(0 5 ? * * *)", "Lifecycle": {"DeleteAfterDays": 7}}


def _plan(backup, name: str = "acme-backups-dev") -> str:
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [RULE]})["BackupPlanId"]


def _selection(role: str = f"arn:aws:iam::{ACCOUNT}:role/acme-backup-dev") -> dict:
    return {"SelectionName": "acme-backups-dev", "IamRoleArn": role, "Resources": [f"arn:aws:rds:{REGION}:{ACCOUNT}:db:acme-database-dev"]}


def test_tags_are_read_by_arn_when_the_path_has_no_trailing_slash(servers):
    """boto3 asks for ``/tags/<arn>/``; Terraform's Go SDK for ``/tags/<arn>``, as this client is made to."""
    def as_go_sends_it(request, **_):
        request.url = request.url.rstrip("/")

    for which, expected in (("plain", {}), ("patched", {"Name": "tagged"})):
        backup = client(servers, which, "backup")
        backup.meta.events.register("before-sign.backup.ListTags", as_go_sends_it)
        arn = backup.create_backup_vault(BackupVaultName="tagged", BackupVaultTags={"Name": "tagged"})["BackupVaultArn"]
        assert backup.list_tags(ResourceArn=arn)["Tags"] == expected, which


def test_a_plan_keeps_its_selections(servers):
    plain = client(servers, "plain", "backup")
    assert error_code(lambda: plain.create_backup_selection(BackupPlanId=_plan(plain, "plain"), BackupSelection=_selection())) == "500"
    backup = client(servers, "patched", "backup")
    plan = _plan(backup, "selections")
    created = backup.create_backup_selection(BackupPlanId=plan, BackupSelection=_selection())
    found = backup.get_backup_selection(BackupPlanId=plan, SelectionId=created["SelectionId"])
    assert found["BackupSelection"] == _selection() and found["BackupPlanId"] == plan
    assert [s["SelectionId"] for s in backup.list_backup_selections(BackupPlanId=plan)["BackupSelectionsList"]] == [created["SelectionId"]]
    assert error_code(lambda: backup.delete_backup_plan(BackupPlanId=plan)) == "InvalidRequestException", "not while it has selections"
    backup.delete_backup_selection(BackupPlanId=plan, SelectionId=created["SelectionId"])
    assert error_code(lambda: backup.get_backup_selection(BackupPlanId=plan, SelectionId=created["SelectionId"])) == "ResourceNotFoundException"
    backup.delete_backup_plan(BackupPlanId=plan)


def test_a_plan_can_be_updated_and_its_name_used_again_once_deleted(servers):
    plain = client(servers, "plain", "backup")
    first = _plan(plain, "reused")
    assert error_code(lambda: plain.update_backup_plan(BackupPlanId=first, BackupPlan={"BackupPlanName": "reused", "Rules": [RULE]})) == "500"
    plain.delete_backup_plan(BackupPlanId=first)
    assert error_code(lambda: _plan(plain, "reused")) == "AlreadyExistsException", "the quirk is gone?"
    backup = client(servers, "patched", "backup")
    plan = _plan(backup, "reused")
    version = backup.get_backup_plan(BackupPlanId=plan)["VersionId"]
    longer = {**RULE, "Lifecycle": {"DeleteAfterDays": 14}}
    backup.update_backup_plan(BackupPlanId=plan, BackupPlan={"BackupPlanName": "reused", "Rules": [longer]})
    updated = backup.get_backup_plan(BackupPlanId=plan)
    assert updated["VersionId"] != version
    assert [r["Lifecycle"] for r in updated["BackupPlan"]["Rules"]] == [{"DeleteAfterDays": 14}]
    assert error_code(lambda: _plan(backup, "reused")) == "AlreadyExistsException", "a live plan's name stays taken"
    backup.delete_backup_plan(BackupPlanId=plan)
    assert _plan(backup, "reused") != plan


def test_a_vault_keeps_its_notifications(servers):
    plain = client(servers, "plain", "backup")
    plain.create_backup_vault(BackupVaultName=VAULT)
    assert error_code(lambda: plain.put_backup_vault_notifications(BackupVaultName=VAULT, SNSTopicArn=TOPIC, BackupVaultEvents=["RECOVERY_POINT_MODIFIED"])) == "404"
    backup = client(servers, "patched", "backup")
    backup.create_backup_vault(BackupVaultName=VAULT)
    assert error_code(lambda: backup.get_backup_vault_notifications(BackupVaultName=VAULT)) == "ResourceNotFoundException"
    backup.put_backup_vault_notifications(BackupVaultName=VAULT, SNSTopicArn=TOPIC, BackupVaultEvents=["RECOVERY_POINT_MODIFIED"])
    found = backup.get_backup_vault_notifications(BackupVaultName=VAULT)
    assert (found["SNSTopicArn"], found["BackupVaultEvents"], found["BackupVaultName"]) == (TOPIC, ["RECOVERY_POINT_MODIFIED"], VAULT)
    backup.delete_backup_vault_notifications(BackupVaultName=VAULT)
    assert error_code(lambda: backup.get_backup_vault_notifications(BackupVaultName=VAULT)) == "ResourceNotFoundException"
    assert error_code(lambda: backup.put_backup_vault_notifications(BackupVaultName="nowhere", SNSTopicArn=TOPIC, BackupVaultEvents=["RECOVERY_POINT_MODIFIED"])) == "ResourceNotFoundException"
    backup.delete_backup_vault(BackupVaultName=VAULT)


def test_recovery_points_can_be_listed(servers):
    database = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:acme-database-dev"
    plain = client(servers, "plain", "backup")
    plain.create_backup_vault(BackupVaultName="listed")
    assert error_code(lambda: plain.list_recovery_points_by_backup_vault(BackupVaultName="listed")) == "404"
    assert error_code(lambda: plain.list_recovery_points_by_resource(ResourceArn=database)) == "404"
    backup = client(servers, "patched", "backup")
    backup.create_backup_vault(BackupVaultName="listed")
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="listed")["RecoveryPoints"] == []
    assert backup.list_recovery_points_by_resource(ResourceArn=database)["RecoveryPoints"] == []
    assert error_code(lambda: backup.list_recovery_points_by_backup_vault(BackupVaultName="nowhere")) == "ResourceNotFoundException"


def test_a_restored_table_keeps_its_encryption_and_billing_or_takes_the_overrides(servers):
    def restores(which: str) -> dict[str, dict]:
        dynamodb, kms = client(servers, which, "dynamodb"), client(servers, which, "kms")
        key, other = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
        dynamodb.create_table(
            TableName="source", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
        )
        dynamodb.update_continuous_backups(TableName="source", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        backup = dynamodb.create_backup(TableName="source", BackupName="before")["BackupDetails"]["BackupArn"]
        dynamodb.restore_table_from_backup(TargetTableName="as-backed-up", BackupArn=backup)
        dynamodb.restore_table_to_point_in_time(
            SourceTableName="source", TargetTableName="overridden", UseLatestRestorableTime=True, BillingModeOverride="PROVISIONED",
            ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other},
        )
        found = {name: dynamodb.describe_table(TableName=name)["Table"] for name in ("as-backed-up", "overridden")}
        return {name: {"key": t.get("SSEDescription", {}).get("KMSMasterKeyArn"), "billing": t.get("BillingModeSummary", {}).get("BillingMode"),
                       "expected": (key, "PAY_PER_REQUEST") if name == "as-backed-up" else (other, "PROVISIONED")} for name, t in found.items()}

    plain = restores("plain")
    assert all(t["key"] is None for t in plain.values()), f"the quirk is gone? {plain}"
    for name, found in restores("patched").items():
        assert (found["key"], found["billing"]) == found["expected"], name


# --- real Terraform on the patched emulator

OUTSIDE = {
    "aws_sns_topic": lambda body: f"arn:aws:sns:{REGION}:{ACCOUNT}:{body['name']}",
    "aws_db_instance": lambda body: f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{body['identifier']}",
    "aws_dynamodb_table": lambda body: f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{body['name']}",
}
"""What the backups reference but this test does not deploy: the literal ARN each would have."""
REFERENCE = re.compile(r"\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.[^}]+\}")


def backups_only(stack: dict) -> dict:
    """The stack's backups (the construct, its key and its role) and everything they reference, transitively, as a
    configuration of its own: the topic, the database and the table become the literal ARNs they would have, and
    ``prevent_destroy`` is dropped (the test destroys what it made)."""
    environment = stack["//"]["metadata"]["stackName"]
    roots = (f"{environment}/backups/", f"{environment}/keys/backup-key/", f"{environment}/backup-role/")
    blocks = {("resource", t, n): b for t, named in stack["resource"].items() for n, b in named.items()}
    blocks |= {("data", t, n): b for t, named in stack.get("data", {}).items() for n, b in named.items()}
    wanted = [key for key, body in blocks.items() if body["//"]["metadata"]["path"].startswith(roots)]
    kept: dict[tuple[str, str, str], dict] = {}
    while wanted:
        key = wanted.pop()
        if key in kept:
            continue
        kept[key] = blocks[key]
        for data, kind, name in REFERENCE.findall(json.dumps(blocks[key])):
            if kind not in OUTSIDE:
                wanted.append(("data" if data else "resource", kind, name))
    literal = {f"${{{kind}.{name}.arn}}": OUTSIDE[kind](blocks[("resource", kind, name)]) for (_, kind, name) in blocks if kind in OUTSIDE}
    configuration: dict = {"terraform": {"required_providers": stack["terraform"]["required_providers"]}, "provider": stack["provider"]}
    for (mode, kind, name), body in kept.items():
        text = json.dumps({k: v for k, v in body.items() if k not in ("//", "lifecycle")})
        for token, arn in literal.items():
            text = text.replace(token, arn)
        configuration.setdefault(mode, {}).setdefault(kind, {})[name] = json.loads(text)
    return configuration


@pytest.fixture(scope="module")
def terraform_directories(emulator_stacks, tmp_path_factory) -> dict[str, Path]:
    require_tool("terraform")
    directories = {}
    for environment in ("dev", "prod"):
        directory = tmp_path_factory.mktemp(f"backups-{environment}") / environment
        directory.mkdir()
        (directory / "main.tf.json").write_text(json.dumps(backups_only(emulator_stacks[environment]), indent=1))
        run_terraform(["init", "-input=false", "-no-color"], cwd=directory)
        directories[environment] = directory
    return directories


def _terraform(servers, directory: Path, *args: str):
    environ = DeployTarget(kind="emulator", emulator_port=servers["patched"]).terraform_environ()
    return run_terraform([*args, "-input=false", "-no-color"], cwd=directory, extra_env=environ, check=False)


def make_what_the_selection_names(servers, environment: str) -> None:
    """The database and the table, under the names the selection's ARNs carry (this configuration has neither)."""
    client(servers, "patched", "rds").create_db_instance(
        DBInstanceIdentifier=f"acme-database-{environment}", Engine="mysql", DBInstanceClass="db.t4g.medium", AllocatedStorage=20
    )
    client(servers, "patched", "dynamodb").create_table(
        TableName=f"acme-items-{environment}", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )


def verify_backups(servers, configs, environment: str):
    """``make verify``'s backup checks against what Terraform made."""
    from ops.verify import VerifyContext, backups, run_checks

    return run_checks(VerifyContext(configs[environment], DeployTarget(kind="emulator", emulator_port=servers["patched"])), backups.CHECKS)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_terraform_applies_the_backups_plans_nothing_more_updates_and_destroys_them(servers, configs, terraform_directories, environment):
    directory = terraform_directories[environment]
    configuration = json.loads((directory / "main.tf.json").read_text())
    assert {"aws_backup_vault", "aws_backup_plan", "aws_backup_selection", "aws_backup_vault_notifications"} <= set(configuration["resource"])
    assert ("aws_backup_vault_lock_configuration" in configuration["resource"]) is (environment == "prod")
    applied = _terraform(servers, directory, "apply", "-auto-approve")
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr[-4000:]
    again = _terraform(servers, directory, "plan", "-detailed-exitcode")
    assert again.returncode == 0, f"a second plan must be empty:\n{again.stdout[-4000:]}{again.stderr[-2000:]}"
    backup = client(servers, "patched", "backup")
    vault = backup.describe_backup_vault(BackupVaultName=f"acme-backups-{environment}")
    assert vault["EncryptionKeyArn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert vault.get("Locked", False) is (environment == "prod")
    (plan,) = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == f"acme-backups-{environment}"]
    (selection,) = backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]
    resources = backup.get_backup_selection(BackupPlanId=plan["BackupPlanId"], SelectionId=selection["SelectionId"])["BackupSelection"]["Resources"]
    assert sorted(resources) == sorted([OUTSIDE["aws_db_instance"]({"identifier": f"acme-database-{environment}"}),
                                        OUTSIDE["aws_dynamodb_table"]({"name": f"acme-items-{environment}"})])
    make_what_the_selection_names(servers, environment)
    verified = verify_backups(servers, configs, environment)
    assert [(r.name, r.status) for r in verified if r.status != "PASS"] == [], [r.line() for r in verified]
    other = "prod" if environment == "dev" else "dev"
    (vault_check, *_) = verify_backups(servers, {environment: configs[other].model_copy(update={"name": environment})}, environment)
    assert vault_check.status == "FAIL" and "vault lock" in vault_check.detail, "the check fails on the other environment's lock"

    (plan_body,) = configuration["resource"]["aws_backup_plan"].values()
    plan_body["rule"][0]["lifecycle"]["delete_after"] += 1  # inside prod's lock too (35 -> 36)
    (directory / "main.tf.json").write_text(json.dumps(configuration, indent=1))
    updated = _terraform(servers, directory, "apply", "-auto-approve")
    assert updated.returncode == 0, updated.stdout[-4000:] + updated.stderr[-4000:]
    assert "1 changed, 0 destroyed" in updated.stdout, "a retention changes the plan in place"

    destroyed = _terraform(servers, directory, "destroy", "-auto-approve")
    assert destroyed.returncode == 0, destroyed.stdout[-4000:] + destroyed.stderr[-4000:]
    assert [v for v in backup.list_backup_vaults()["BackupVaultList"] if v["BackupVaultName"] == f"acme-backups-{environment}"] == []
    assert [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == f"acme-backups-{environment}"] == []
