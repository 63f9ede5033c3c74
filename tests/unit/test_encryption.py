"""KMS keys: one per purpose, rotating, with a policy that names the root, conditioned services and the backup role
(through AWS Backup only)."""

from __future__ import annotations

import pytest

from tests.synth import by_sid, conditions, find, resources, statements_of

PURPOSES = ("data", "logs", "database", "audit", "backup")
ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"


def key(stack, purpose):
    return find(stack, "aws_kms_key", f"keys/{purpose}-key/key")


def policy(stack, purpose):
    _, body = key(stack, purpose)
    return by_sid(statements_of(stack, body["policy"]))


def test_one_key_per_purpose(stacks, environment):
    assert len(resources(stacks[environment], "aws_kms_key")) == len(PURPOSES)
    for purpose in PURPOSES:
        key(stacks[environment], purpose)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_keys_rotate_with_the_configured_deletion_window(stacks, configs, environment, purpose):
    _, body = key(stacks[environment], purpose)
    assert body["enable_key_rotation"] is True
    assert body["deletion_window_in_days"] == configs[environment].encryption.key_deletion_window_days


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_key_has_an_alias(stacks, environment, purpose):
    name, _ = key(stacks[environment], purpose)
    _, alias = find(stacks[environment], "aws_kms_alias", f"keys/{purpose}-key/alias")
    assert alias["name"] == f"alias/acme-{purpose}-{environment}"
    assert alias["target_key_id"] == f"${{aws_kms_key.{name}.key_id}}"


@pytest.mark.parametrize("purpose", PURPOSES)
def test_the_account_root_administers_every_key(stacks, environment, purpose):
    root = policy(stacks[environment], purpose)["AccountRootAdministersKeyAndDelegatesToIam"]
    assert root["principals"] == [{"type": "AWS", "identifiers": [f"arn:{PARTITION}:iam::{ACCOUNT}:root"]}]
    assert root["actions"] == ["kms:*"] and root["resources"] == ["*"]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_no_other_principal_without_a_condition(stacks, environment, purpose):
    for sid, statement in policy(stacks[environment], purpose).items():
        if sid == "AccountRootAdministersKeyAndDelegatesToIam":
            continue
        expected = ["AWS"] if purpose == "backup" else ["Service"]
        assert [p["type"] for p in statement["principals"]] == expected, sid
        assert statement["condition"], f"{sid} admits a principal without a condition"
        assert "*" not in statement["actions"] and "kms:*" not in statement["actions"]


def test_backup_key_admits_the_backup_role_through_aws_backup_only(stacks, environment):
    stack = stacks[environment]
    role_name, _ = find(stack, "aws_iam_role", "backup-role/role")
    statements = policy(stack, "backup")
    assert set(statements) == {
        "AccountRootAdministersKeyAndDelegatesToIam", "AwsBackupEncryptsRecoveryPointsWithTheVaultKey", "AwsBackupGrantsTheVaultKeyToAwsResources",
    }
    through_backup = {
        "kms:ViaService": ("StringEquals", ["backup.us-east-1.amazonaws.com"]),
        "kms:CallerAccount": ("StringEquals", [ACCOUNT]),
    }
    encrypt, grant = statements["AwsBackupEncryptsRecoveryPointsWithTheVaultKey"], statements["AwsBackupGrantsTheVaultKeyToAwsResources"]
    for statement in (encrypt, grant):
        assert statement["principals"] == [{"type": "AWS", "identifiers": [f"${{aws_iam_role.{role_name}.arn}}"]}]
    assert conditions(encrypt) == through_backup
    assert "kms:CreateGrant" not in encrypt["actions"]
    assert conditions(grant) == {**through_backup, "kms:GrantIsForAWSResource": ("Bool", ["true"])}
    assert grant["actions"] == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]


def test_data_and_database_keys_admit_no_service(stacks, environment):
    for purpose in ("data", "database"):
        assert list(policy(stacks[environment], purpose)) == ["AccountRootAdministersKeyAndDelegatesToIam"]


def test_logs_key_admits_cloudwatch_logs_by_encryption_context(stacks, environment):
    statement = policy(stacks[environment], "logs")["CloudWatchLogsEncryptsThisEnvironmentsLogGroups"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["logs.us-east-1.amazonaws.com"]}]
    assert conditions(statement) == {
        "kms:EncryptionContext:aws:logs:arn": (
            "ArnLike",
            [
                f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:/acme/{environment}/*",
                f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:/aws/rds/instance/acme-database-{environment}/*",
                f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/ServerlessApp-data-api-{environment}*",
                f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:API-Gateway-Execution-Logs_*/{environment}*",
                f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-acme-api-{environment}*",
            ],
        )
    }


def test_logs_key_admits_aws_backup_for_this_vault_and_eventbridge_for_the_failures_rule(stacks, environment):
    statements = policy(stacks[environment], "logs")
    vault, rule = statements["BackupVaultsPublishToTheAlarmTopic"], statements["BackupFailuresRulePublishesToTheAlarmTopic"]
    assert vault["principals"] == [{"type": "Service", "identifiers": ["backup.amazonaws.com"]}]
    assert conditions(vault) == {
        "aws:SourceAccount": ("StringEquals", [ACCOUNT]),
        "aws:SourceArn": ("ArnLike", [f"arn:{PARTITION}:backup:us-east-1:{ACCOUNT}:backup-vault:acme-backups-{environment}"]),
    }
    assert rule["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert conditions(rule)["aws:SourceArn"] == ("ArnLike", [f"arn:{PARTITION}:events:us-east-1:{ACCOUNT}:rule/acme-backup-failures-{environment}"])
    for statement in (vault, rule):
        assert statement["actions"] == ["kms:GenerateDataKey*", "kms:Decrypt"]


def test_logs_key_admits_log_delivery_alarms_and_events_for_this_account_only(stacks, environment):
    statements = policy(stacks[environment], "logs")
    def bucket(purpose: str) -> str:
        return f"arn:{PARTITION}:s3:::acme-{purpose}-{environment}-{ACCOUNT}"

    delivery = conditions(statements["S3LogDeliveryWritesAccessLogsOfTheDataLake"])
    assert delivery["aws:SourceAccount"] == ("StringEquals", [ACCOUNT])
    assert delivery["aws:SourceArn"] == ("ArnLike", [bucket("data"), bucket("audit")])
    events = conditions(statements["S3PublishesDataLakeEventsToTheAlarmTopic"])
    assert events["aws:SourceArn"][1] == [bucket(p) for p in ("data", "access-logs", "audit")]
    alarms = conditions(statements["CloudWatchAlarmsPublishToTheAlarmTopic"])
    assert alarms == {
        "aws:SourceAccount": ("StringEquals", [ACCOUNT]),
        "aws:SourceArn": ("ArnLike", [f"arn:{PARTITION}:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"]),
    }
    rds = statements["RdsEventsPublishToTheAlarmTopic"]
    assert rds["principals"] == [{"type": "Service", "identifiers": ["events.rds.amazonaws.com"]}]
    assert rds["actions"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert conditions(rds) == {
        "aws:SourceAccount": ("StringEquals", [ACCOUNT]),
        "aws:SourceArn": (
            "ArnLike",
            [f"arn:{PARTITION}:rds:us-east-1:{ACCOUNT}:db:acme-database-{environment}", f"arn:{PARTITION}:rds:us-east-1:{ACCOUNT}:pg:acme-database-{environment}-*"],
        ),
    }


def test_audit_key_admits_cloudtrail_for_this_trail_only(stacks, environment):
    statement = policy(stacks[environment], "audit")["CloudTrailEncryptsThisTrailsLogsAndNotifications"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
    assert conditions(statement) == {
        "aws:SourceAccount": ("StringEquals", [ACCOUNT]),
        "aws:SourceArn": ("StringEquals", [f"arn:{PARTITION}:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-trail-{environment}"]),
    }


@pytest.mark.parametrize("environment, protected", [("dev", False), ("staging", False), ("prod", True)])
def test_keys_are_protected_from_destroy_where_the_environment_says(stacks, environment, protected):
    for body in resources(stacks[environment], "aws_kms_key").values():
        assert body["lifecycle"]["prevent_destroy"] is protected
