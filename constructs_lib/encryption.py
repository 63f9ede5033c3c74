"""Customer-managed KMS keys, one per purpose, each with an explicit key policy.

A key policy here names exactly who may use the key: the account root (which
administers the key and delegates use to IAM), the AWS service principals
that encrypt on the platform's behalf, each scoped by source account and
source ARN or by encryption context, and the platform's own service roles that
a service acts as (AWS Backup's), each only through that service
(``kms:ViaService``). Nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import Conditions, policy_document, statement
from environments.schema import EncryptionConfig
from synth_runtime.provider_bindings import aws

ENVELOPE_ENCRYPTION_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
"""What a service needs to encrypt and decrypt with a key it does not own."""


@dataclass(frozen=True)
class ServiceGrant:
    """Lets one AWS service principal use the key, under the given conditions."""

    sid: str
    service: str
    conditions: Conditions
    actions: Sequence[str] = ENVELOPE_ENCRYPTION_ACTIONS


@dataclass(frozen=True)
class RoleGrant:
    """Lets one of the stack's roles use the key, under the given conditions (such as ``kms:ViaService``)."""

    sid: str
    role_arn: str
    conditions: Conditions
    actions: Sequence[str] = ENVELOPE_ENCRYPTION_ACTIONS


@dataclass(frozen=True)
class EncryptionKeyProps:
    """One key: its purpose (used in the alias and names) and who may use it."""

    purpose: str
    description: str
    deletion_window_days: int
    prevent_destroy: bool
    service_grants: Sequence[ServiceGrant] = field(default_factory=tuple)
    role_grants: Sequence[RoleGrant] = field(default_factory=tuple)
    provider: Any = None
    """The provider of another region than the stack's (a KMS key is regional); None for the stack's own."""


class EncryptionKey(Construct):
    """A symmetric KMS key with yearly rotation, an explicit policy and an alias ``alias/<project>-<purpose>-<env>``."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: EncryptionKeyProps) -> None:
        super().__init__(scope, construct_id)
        root = where.arn("iam", "root", regional=False)
        regional = {"provider": props.provider} if props.provider is not None else {}
        statements = [
            statement(
                "AccountRootAdministersKeyAndDelegatesToIam",
                actions=["kms:*"],
                resources=["*"],
                principals={"AWS": [root]},
            ),
            *(
                statement(
                    grant.sid,
                    actions=grant.actions,
                    resources=["*"],
                    principals={"Service": [grant.service]},
                    conditions=grant.conditions,
                )
                for grant in props.service_grants
            ),
            *(
                statement(grant.sid, actions=grant.actions, resources=["*"], principals={"AWS": [grant.role_arn]}, conditions=grant.conditions)
                for grant in props.role_grants
            ),
        ]
        self.key = aws.kms_key.KmsKey(
            self,
            "key",
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy_document(self, "key-policy", statements),
            tags={"Name": where.names.name(f"{props.purpose}-key"), "Purpose": props.purpose},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.prevent_destroy),
            **regional,
        )
        self.alias = aws.kms_alias.KmsAlias(
            self,
            "alias",
            name=f"alias/{where.names.name(props.purpose)}",
            target_key_id=self.key.key_id,
            **regional,
        )

    @cached_property
    def arn(self) -> str:
        return self.key.arn


def cloudwatch_logs_grant(where: StackScope, log_group_prefixes: Sequence[str]) -> ServiceGrant:
    """CloudWatch Logs may use the key only for this environment's log groups (by encryption context)."""
    return ServiceGrant(
        sid="CloudWatchLogsEncryptsThisEnvironmentsLogGroups",
        service=f"logs.{where.region}.amazonaws.com",
        conditions=[
            (
                "ArnLike",
                "kms:EncryptionContext:aws:logs:arn",
                [where.arn("logs", f"log-group:{prefix}*") for prefix in log_group_prefixes],
            )
        ],
    )


def backup_role_grants(region: str, account_id: str, role_arn: str) -> list[RoleGrant]:
    """AWS Backup, acting as the environment's backup role, may encrypt with a vault's key and grant it to the AWS
    resources it restores, only through AWS Backup in the key's region and for this account."""
    through_backup = [
        ("StringEquals", "kms:ViaService", [f"backup.{region}.amazonaws.com"]),
        ("StringEquals", "kms:CallerAccount", [account_id]),
    ]
    return [
        RoleGrant(sid="AwsBackupEncryptsRecoveryPointsWithTheVaultKey", role_arn=role_arn, conditions=through_backup),
        RoleGrant(
            sid="AwsBackupGrantsTheVaultKeyToAwsResources",
            role_arn=role_arn,
            actions=("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"),
            conditions=[*through_backup, ("Bool", "kms:GrantIsForAWSResource", ["true"])],
        ),
    ]


def _encrypting_for(sid: str, service: str, account_id: str, source_arns: Sequence[str]) -> ServiceGrant:
    """A service may encrypt (and read back) what it writes under the key, for the listed sources of the account only:
    log delivery, and every publisher to the alarm topic."""
    return ServiceGrant(sid=sid, service=service, actions=("kms:GenerateDataKey*", "kms:Decrypt"), conditions=_source(account_id, source_arns))


def _source(account_id: str, source_arns: Sequence[str]) -> Conditions:
    return [("StringEquals", "aws:SourceAccount", [account_id]), ("ArnLike", "aws:SourceArn", list(source_arns))]


@dataclass(frozen=True)
class PlatformKeysProps:
    """Who, besides the account, may use which key. ARNs may be built before their resources exist."""

    settings: EncryptionConfig
    """The environment's ``[encryption]`` settings."""
    prevent_destroy: bool
    trail_arn: str
    notifying_bucket_arns: Sequence[str]
    """Buckets that publish events to the alarm topic."""
    database_event_source_arns: Sequence[str]
    """RDS resources whose event notifications publish to the (logs-key encrypted) alarm topic."""
    logging_bucket_arns: Sequence[str]
    """Buckets whose server access logs S3 writes into the (logs-key encrypted) access-logs bucket."""
    log_group_prefixes: Sequence[str]
    """Names of the log groups the logs key encrypts start with one of these."""
    backup_role_arn: str
    """The role AWS Backup acts as (``constructs_lib/backups.py``): it may use the backup keys through AWS Backup."""
    backup_vault_arns: Sequence[str]
    """Backup vaults whose notifications publish to the (logs-key encrypted) alarm topic."""
    backup_event_rule_arn: str
    """The EventBridge rule that sends failed backup, copy and restore jobs to the alarm topic."""
    backup_copy_region: str | None = None
    """``backup.copy_to_region``: the region that gets a backup key of its own, for the copy vault."""
    backup_copy_provider: Any = None
    """The aliased provider of that region."""


class PlatformKeys(Construct):
    """One key per purpose, so each can be rotated, audited and revoked on its own.

    * ``data``: the data-lake data bucket and the application's tables.
    * ``logs``: log groups (CloudWatch Logs, by encryption context), the
      access-log bucket (S3 log delivery) and the alarm topic (CloudWatch alarms,
      S3 event notifications and RDS event notifications publishing to it).
    * ``database``: RDS storage, its Secrets Manager secret and Performance Insights.
    * ``audit``: CloudTrail's log files and delivery notifications (only for this trail).
    * ``backup``: the backup vault's recovery points, used by AWS Backup as the environment's backup role; and, with
      ``backup.copy_to_region``, a key of the same purpose in that region for the copy vault (``backup_copy``).
    """

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: PlatformKeysProps) -> None:
        super().__init__(scope, construct_id)
        account, names = where.account_id, where.names

        def key(
            purpose: str, description: str, grants: Sequence[ServiceGrant] = (), *, role_grants: Sequence[RoleGrant] = (),
            construct_id: str | None = None, provider: Any = None,
        ) -> EncryptionKey:
            return EncryptionKey(
                self,
                construct_id or f"{purpose}-key",
                where,
                EncryptionKeyProps(
                    purpose=purpose,
                    description=f"{description} ({names.project} {names.environment})",
                    service_grants=grants,
                    role_grants=role_grants,
                    deletion_window_days=props.settings.key_deletion_window_days,
                    prevent_destroy=props.prevent_destroy,
                    provider=provider,
                ),
            )

        self.data = key("data", "Encrypts the data lake's data and the application's tables")
        self.logs = key(
            "logs",
            "Encrypts log groups, access logs and the alarm topic",
            [
                cloudwatch_logs_grant(where, props.log_group_prefixes),
                _encrypting_for("S3LogDeliveryWritesAccessLogsOfTheDataLake", "logging.s3.amazonaws.com", account, props.logging_bucket_arns),
                _encrypting_for("S3PublishesDataLakeEventsToTheAlarmTopic", "s3.amazonaws.com", account, props.notifying_bucket_arns),
                _encrypting_for("CloudWatchAlarmsPublishToTheAlarmTopic", "cloudwatch.amazonaws.com", account, [where.arn("cloudwatch", "alarm:*")]),
                _encrypting_for("RdsEventsPublishToTheAlarmTopic", "events.rds.amazonaws.com", account, props.database_event_source_arns),
                _encrypting_for("BackupVaultsPublishToTheAlarmTopic", "backup.amazonaws.com", account, props.backup_vault_arns),
                _encrypting_for("BackupFailuresRulePublishesToTheAlarmTopic", "events.amazonaws.com", account, [props.backup_event_rule_arn]),
            ],
        )
        self.database = key("database", "Encrypts the database, its master secret and Performance Insights")
        self.audit = key(
            "audit",
            "Encrypts CloudTrail log files and delivery notifications",
            [
                ServiceGrant(
                    sid="CloudTrailEncryptsThisTrailsLogsAndNotifications",
                    service="cloudtrail.amazonaws.com",
                    actions=("kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"),
                    conditions=[
                        ("StringEquals", "aws:SourceAccount", [account]),
                        ("StringEquals", "aws:SourceArn", [props.trail_arn]),
                    ],
                )
            ],
        )

        self.backup = key(
            "backup",
            "Encrypts the backup vault's recovery points",
            role_grants=backup_role_grants(where.region, account, props.backup_role_arn),
        )
        self.backup_copy = (
            key(
                "backup",
                f"Encrypts the {props.backup_copy_region} copies of the backup vault's recovery points",
                role_grants=backup_role_grants(props.backup_copy_region, account, props.backup_role_arn),
                construct_id="backup-copy-key",
                provider=props.backup_copy_provider,
            )
            if props.backup_copy_region is not None
            else None
        )

    def all(self) -> dict[str, EncryptionKey]:
        """The keys of the environment's own region, by purpose."""
        return {"data": self.data, "logs": self.logs, "database": self.database, "audit": self.audit, "backup": self.backup}
