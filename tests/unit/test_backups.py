"""AWS Backup: a vault under its own key in every environment, locked in compliance mode where the environment locks
it (production), a plan whose daily and weekly rules start clear of the database's windows and keep what the
environment says, a selection of the database and the table, failures to the alarm topic, and a copy to a second
region only where ``backup.copy_to_region`` asks for one."""

from __future__ import annotations

import json

import pytest

from constructs_lib.backups import COMPLETION_HOURS_AFTER_START
from platform_core.target import DeployTarget
from platform_core.windows import window_minutes, windows_overlap
from tests.synth import by_sid, conditions, find, ref, resources, statements_of, synth_environments

COPY_REGION = "us-west-2"
ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"


def vault(stack):
    return find(stack, "aws_backup_vault", "backups/vault")


def plan_rules(stack) -> dict[str, dict]:
    _, plan = find(stack, "aws_backup_plan", "backups/plan")
    return {rule["rule_name"]: rule for rule in plan["rule"]}


@pytest.fixture(scope="module")
def copied(configs, tmp_path_factory):
    """prod, copying its recovery points to a second region."""
    prod = configs["prod"]
    config = prod.model_copy(update={"backup": prod.backup.model_copy(update={"copy_to_region": COPY_REGION})})
    return synth_environments([config], DeployTarget(kind="aws"), tmp_path_factory.mktemp("copied"))["prod"]


def test_the_vault_is_encrypted_with_the_backup_key(stacks, environment):
    stack = stacks[environment]
    _, body = vault(stack)
    key_name, key = find(stack, "aws_kms_key", "keys/backup-key/key")
    assert body["name"] == f"acme-backups-{environment}"
    assert body["kms_key_arn"] == ref("aws_kms_key", key_name, "arn")
    assert key["enable_key_rotation"] is True
    assert "provider" not in body, "the vault is in the environment's own region"


def test_the_vault_keeps_its_recovery_points_where_the_environment_says(stacks, configs, environment):
    _, body = vault(stacks[environment])
    protections = configs[environment].protections
    assert body["force_destroy"] is (not protections.keep_recovery_points)
    assert body["lifecycle"]["prevent_destroy"] is protections.prevent_destroy
    assert (environment, body["force_destroy"]) in {("dev", True), ("staging", False), ("prod", False)}


def test_the_vault_lock_is_in_compliance_mode_only_where_the_environment_locks_it(stacks, configs, environment):
    locks = resources(stacks[environment], "aws_backup_vault_lock_configuration")
    settings = configs[environment].backup
    assert settings.vault_lock is (environment == "prod"), "production locks its vault; dev and staging turn it off by name"
    if not settings.vault_lock:
        assert locks == {}
        return
    vault_name, _ = vault(stacks[environment])
    (lock,) = locks.values()
    assert lock["backup_vault_name"] == ref("aws_backup_vault", vault_name, "name")
    assert lock["changeable_for_days"] == settings.lock_changeable_for_days >= 3, "changeable_for_days makes it compliance mode"
    assert (lock["min_retention_days"], lock["max_retention_days"]) == (settings.lock_min_retention_days, settings.lock_max_retention_days)


def test_the_plan_keeps_daily_and_weekly_recovery_points_as_configured(stacks, configs, environment):
    stack = stacks[environment]
    settings = configs[environment].backup
    vault_name, _ = vault(stack)
    rules = plan_rules(stack)
    assert set(rules) == {"daily", "weekly"}
    hour, minute = settings.window.split("-")[0].split(":")
    assert rules["daily"]["schedule"] == f"cron({int(minute)} {int(hour)} ? * * *)"
    assert rules["weekly"]["schedule"] == f"cron({int(minute)} {int(hour)} ? * {settings.weekly_day.upper()} *)"
    for name, rule in rules.items():
        assert rule["lifecycle"] == {"delete_after": settings.retentions[name]}
        assert rule["target_vault_name"] == ref("aws_backup_vault", vault_name, "name")
        assert rule["schedule_expression_timezone"] == "Etc/UTC"
        assert rule["start_window"] == window_minutes(settings.window) >= 60
        assert rule["completion_window"] == rule["start_window"] + COMPLETION_HOURS_AFTER_START * 60
        assert "copy_action" not in rule, "no copy without backup.copy_to_region"
    if settings.vault_lock:
        assert all(settings.lock_min_retention_days <= days <= settings.lock_max_retention_days for days in settings.retentions.values())


def test_the_backups_start_clear_of_the_database_windows(stacks, configs, environment):
    database = configs[environment].database
    rule = plan_rules(stacks[environment])["daily"]
    hour, minute = (int(part) for part in rule["schedule"].removeprefix("cron(").split()[1::-1])
    start = f"{hour:02d}:{minute:02d}"
    end_minutes = hour * 60 + minute + rule["start_window"]
    started_in = f"{start}-{end_minutes // 60 % 24:02d}:{end_minutes % 60:02d}"
    assert windows_overlap(started_in, database.backup_window) is None
    assert windows_overlap(started_in, database.maintenance_window, lead_minutes=60) is None


def test_the_selection_names_the_database_and_the_table(stacks, environment):
    stack = stacks[environment]
    _, selection = find(stack, "aws_backup_selection", "backups/selection")
    plan_name, _ = find(stack, "aws_backup_plan", "backups/plan")
    role_name, _ = find(stack, "aws_iam_role", "backup-role/role")
    database_name, database = find(stack, "aws_db_instance", "database/instance")
    table_name, table = find(stack, "aws_dynamodb_table", "serverless/table")
    assert (database["identifier"], table["name"]) == (f"acme-database-{environment}", f"acme-items-{environment}")
    assert selection["resources"] == [ref("aws_db_instance", database_name, "arn"), ref("aws_dynamodb_table", table_name, "arn")]
    assert selection["plan_id"] == ref("aws_backup_plan", plan_name, "id")
    assert selection["iam_role_arn"] == ref("aws_iam_role", role_name, "arn")


def test_aws_backup_acts_as_its_own_bounded_role(stacks, environment):
    stack = stacks[environment]
    role_name, role = find(stack, "aws_iam_role", "backup-role/role")
    assert role["name"] == f"acme-backup-{environment}"
    assert role["permissions_boundary"].startswith("${aws_iam_policy.")
    (trust,) = statements_of(stack, role["assume_role_policy"])
    assert trust["principals"] == [{"type": "Service", "identifiers": ["backup.amazonaws.com"]}]
    assert trust["actions"] == ["sts:AssumeRole"]
    attached = {a["policy_arn"].rsplit("/", 1)[1] for a in resources(stack, "aws_iam_role_policy_attachment").values()
                if a["role"] == ref("aws_iam_role", role_name, "name")}
    assert attached == {"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"}


def test_failed_jobs_and_modified_recovery_points_reach_the_alarm_topic(stacks, environment):
    stack = stacks[environment]
    topic_name, _ = find(stack, "aws_sns_topic", "alarm-topic/topic")
    vault_name, _ = vault(stack)
    _, notifications = find(stack, "aws_backup_vault_notifications", "backups/vault-notifications")
    assert notifications["backup_vault_name"] == ref("aws_backup_vault", vault_name, "name")
    assert notifications["sns_topic_arn"] == ref("aws_sns_topic", topic_name, "arn")
    assert notifications["backup_vault_events"] == ["RECOVERY_POINT_MODIFIED"]
    rule_name, rule = find(stack, "aws_cloudwatch_event_rule", "backups/failures-rule")
    assert rule["name"] == f"acme-backup-failures-{environment}"
    pattern = json.loads(rule["event_pattern"])
    assert pattern["source"] == ["aws.backup"]
    assert pattern["detail-type"] == ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"]
    failed = ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"]
    assert pattern["detail"] == {"$or": [{"state": failed}, {"status": failed}]}, "backup and copy jobs say state, restores status"
    _, target = find(stack, "aws_cloudwatch_event_target", "backups/failures-to-topic")
    assert target["rule"] == ref("aws_cloudwatch_event_rule", rule_name, "name")
    assert target["arn"] == ref("aws_sns_topic", topic_name, "arn")


def test_the_outputs_name_the_vault_the_plan_and_the_role(stacks, environment):
    outputs = stacks[environment]["output"]
    assert {"backup_vault_name", "backup_plan_id", "backup_role_arn", "backup_key_arn"} <= set(outputs)
    assert "backup_copy_vault_arn" not in outputs


def test_no_environment_copies_to_a_second_region_unless_it_says_so(stacks, configs, environment):
    assert configs[environment].backup.copy_to_region is None
    assert len(stacks[environment]["provider"]["aws"]) == 1
    assert len(resources(stacks[environment], "aws_backup_vault")) == 1


def test_a_copy_region_gets_its_own_provider_key_and_locked_vault(copied, configs):
    providers = {p.get("alias"): p for p in copied["provider"]["aws"]}
    assert set(providers) == {None, COPY_REGION}
    assert providers[COPY_REGION]["region"] == COPY_REGION
    assert providers[COPY_REGION]["allowed_account_ids"] == providers[None]["allowed_account_ids"]
    assert providers[COPY_REGION]["default_tags"] == providers[None]["default_tags"]
    on_copy_region = f"aws.{COPY_REGION}"
    key_name, key = find(copied, "aws_kms_key", "keys/backup-copy-key/key")
    _, alias = find(copied, "aws_kms_alias", "keys/backup-copy-key/alias")
    copy_vault_name, copy_vault = find(copied, "aws_backup_vault", "backups/copy-vault")
    assert key["provider"] == alias["provider"] == copy_vault["provider"] == on_copy_region
    assert copy_vault["name"] == "acme-backups-prod"
    assert copy_vault["kms_key_arn"] == ref("aws_kms_key", key_name, "arn")
    grants = by_sid(statements_of(copied, key["policy"]))
    assert conditions(grants["AwsBackupEncryptsRecoveryPointsWithTheVaultKey"]) == {
        "kms:ViaService": ("StringEquals", [f"backup.{COPY_REGION}.amazonaws.com"]),
        "kms:CallerAccount": ("StringEquals", [ACCOUNT]),
    }
    _, lock = find(copied, "aws_backup_vault_lock_configuration", "backups/copy-vault-lock")
    settings = configs["prod"].backup
    assert lock["provider"] == on_copy_region
    assert lock["backup_vault_name"] == ref("aws_backup_vault", copy_vault_name, "name")
    assert (lock["min_retention_days"], lock["max_retention_days"]) == (settings.lock_min_retention_days, settings.lock_max_retention_days)
    for name, rule in plan_rules(copied).items():
        assert rule["copy_action"] == [
            {"destination_vault_arn": ref("aws_backup_vault", copy_vault_name, "arn"), "lifecycle": {"delete_after": settings.retentions[name]}}
        ]
    assert copied["output"]["backup_copy_vault_arn"]["value"] == ref("aws_backup_vault", copy_vault_name, "arn")


def test_the_copy_region_provider_assumes_the_same_deploy_role(configs, tmp_path):
    dev = configs["dev"]
    config = dev.model_copy(update={
        "deploy_role_arn": "arn:aws:iam::123456789012:role/acme-deploy",
        "backup": dev.backup.model_copy(update={"copy_to_region": COPY_REGION}),
    })
    stack = synth_environments([config], DeployTarget(kind="aws"), tmp_path)["dev"]
    providers = stack["provider"]["aws"]
    assert len(providers) == 2
    assert all(p["dynamic"]["assume_role"]["content"]["role_arn"] == "${assume_role.value}" for p in providers)
