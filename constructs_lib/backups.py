"""AWS Backup of the environment's data: the database and the items table.

What it creates, and why:

* The role AWS Backup acts as, ``<project>-backup-<env>`` (:func:`backup_role`): trusted by AWS Backup only, with
  AWS's managed policies for backing up and restoring (``AWSBackupServiceRolePolicyForBackup`` and
  ``...ForRestores``, AWS's own scoping of what the service needs) and the stack's permissions boundary. It is made
  before the keys, whose policies name it.
* The vault ``<project>-backups-<env>``, encrypted with the backup key (a customer-managed key of its own,
  ``constructs_lib/encryption.py``), ``prevent_destroy`` where the environment keeps it and ``force_destroy`` only
  where ``protections.keep_recovery_points`` is off (dev). With ``backup.vault_lock`` (production requires it), a
  vault lock in **compliance mode**: a grace period (``changeable_for_days``) after which nobody, the account root
  included, can remove the lock, delete a recovery point before ``lock_min_retention_days`` or keep one past
  ``lock_max_retention_days``.
* The plan ``<project>-backups-<env>``: a daily and a weekly rule, both started in ``backup.window`` (UTC, clear of
  the database's own backup and maintenance windows: ``environments/consistency.py``), each keeping its recovery
  points for its retention, and, with ``backup.copy_to_region``, copying each one to a vault of the same name in
  that region (under that region's backup key, locked like the first) for as long. Where the two rules meet on
  ``weekly_day``, AWS Backup takes one backup, for the rule with the longer retention.
* The selection: the database instance and the items table by ARN, backed up as the role.
* Failures reach the alarm topic: an EventBridge rule, ``<project>-backup-failures-<env>``, sends every backup,
  copy and restore job that ends FAILED, ABORTED, EXPIRED or PARTIAL (vault notifications cannot filter a job's
  state: their ``BACKUP_JOB_COMPLETED`` reports successes too, and ``BACKUP_JOB_FAILED`` is deprecated and sends
  nothing); and the vault notifies ``RECOVERY_POINT_MODIFIED`` (a recovery point's retention or storage changed: the
  first sign of someone shortening it). The topic's policy and the logs key admit AWS Backup only for this
  environment's vaults, and EventBridge only for this rule.

Restoring is not Terraform's job: ``make restore-database`` and ``make restore-table`` (``ops/restore.py``) restore
a recovery point, a snapshot or a point in time into a new resource, as ``docs/runbooks/restore-database.md`` and
``restore-table.md`` describe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.context import PlatformContext, StackScope
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from environments.schema import Protections
from environments.workload_schema import BackupConfig
from platform_core.conventions import BACKUP_ROLE_PURPOSE, BACKUP_VAULT_PURPOSE
from platform_core.windows import window_minutes, window_start
from synth_runtime.provider_bindings import aws

FAILURES_PURPOSE = "backup-failures"
COMPLETION_HOURS_AFTER_START = 12
"""A job not finished 12 hours after its start window closes is stopped as EXPIRED (and reported)."""
FAILED_JOB_STATES: tuple[str, ...] = ("FAILED", "ABORTED", "EXPIRED", "PARTIAL")
"""The end states of a backup, copy or restore job that the alarm topic hears about."""
JOB_EVENTS: tuple[str, ...] = ("Backup Job State Change", "Copy Job State Change", "Restore Job State Change")
VAULT_EVENTS: tuple[str, ...] = ("RECOVERY_POINT_MODIFIED",)
"""Vault notifications: a recovery point's lifecycle or storage was changed."""
SCHEDULE_TIMEZONE = "Etc/UTC"


def vault_name(where: StackScope) -> str:
    return where.names.name(BACKUP_VAULT_PURPOSE)


def vault_arn(where: StackScope, region: str | None = None) -> str:
    """The vault's ARN, in the stack's region or ``region`` (the copy vault has the same name): built from the name,
    so the topic policy and the logs key need not wait for it."""
    return where.arn("backup", f"backup-vault:{vault_name(where)}").replace(f":{where.region}:", f":{region or where.region}:", 1)


def failures_rule_arn(where: StackScope) -> str:
    return where.arn("events", f"rule/{where.names.name(FAILURES_PURPOSE)}")


def backup_role(scope: Construct, construct_id: str, where: StackScope) -> ServiceRole:
    """``<project>-backup-<env>``: the role AWS Backup acts as to back up and restore this environment's resources."""
    return ServiceRole(
        scope,
        construct_id,
        where,
        ServiceRoleProps(
            purpose=BACKUP_ROLE_PURPOSE,
            description="Lets AWS Backup back up and restore this environment's database and table",
            service="backup.amazonaws.com",
            statements=(),
            managed_policy_arns=[
                where.aws_managed_policy("service-role/AWSBackupServiceRolePolicyForBackup"),
                where.aws_managed_policy("service-role/AWSBackupServiceRolePolicyForRestores"),
            ],
            # AWS Backup documents no aws:SourceAccount when it assumes a role; another account's AWS Backup could
            # only use this role if someone there could pass it, and iam:PassRole stops at the account.
            account_condition=False,
        ),
    )


def cron(window: str, day: str = "*") -> str:
    """AWS Backup's schedule expression starting at the window's start, every day or on ``day`` (``sun``)."""
    hour, minute = window_start(window)
    return f"cron({minute} {hour} ? * {day.upper()} *)"


@dataclass(frozen=True)
class CopyRegion:
    """Where copies go (``backup.copy_to_region``): the region, its aliased provider and its backup key."""

    region: str
    provider: Any
    key_arn: str


@dataclass(frozen=True)
class BackupsProps:
    """The environment's ``[backup]`` settings, its protections, what is backed up, as whom and under which keys."""

    settings: BackupConfig
    """The environment's ``[backup]`` settings."""
    protections: Protections
    """``prevent_destroy`` and ``keep_recovery_points`` of the vaults."""
    role_arn: str
    """:func:`backup_role`'s ARN."""
    key_arn: str
    """The backup key of the environment's region."""
    resource_arns: Sequence[str]
    """What the plan backs up: the database instance's and the table's ARNs."""
    copy: CopyRegion | None = None


class Backups(Construct):
    """The vault (locked where configured), the plan, the selection and the failure notifications. See the module
    docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: BackupsProps) -> None:
        super().__init__(scope, construct_id)
        settings, name = props.settings, vault_name(ctx)
        self.vault = self._vault("vault", name, props.key_arn, props)
        self.copy_vault = self._vault("copy-vault", name, props.copy.key_arn, props, provider=props.copy.provider) if props.copy else None
        start_window = window_minutes(settings.window)
        rules = []
        for rule, day in (("daily", "*"), ("weekly", settings.weekly_day)):
            days = settings.retentions[rule]
            copies = (
                [
                    aws.backup_plan.BackupPlanRuleCopyAction(
                        destination_vault_arn=self.copy_vault.arn, lifecycle=aws.backup_plan.BackupPlanRuleCopyActionLifecycle(delete_after=days)
                    )
                ]
                if self.copy_vault is not None
                else None
            )
            rules.append(
                aws.backup_plan.BackupPlanRule(
                    rule_name=rule,
                    target_vault_name=self.vault.name,
                    schedule=cron(settings.window, day),
                    schedule_expression_timezone=SCHEDULE_TIMEZONE,
                    start_window=start_window,
                    completion_window=start_window + COMPLETION_HOURS_AFTER_START * 60,
                    lifecycle=aws.backup_plan.BackupPlanRuleLifecycle(delete_after=days),
                    copy_action=copies,
                )
            )
        self.plan = aws.backup_plan.BackupPlan(self, "plan", name=name, rule=rules, tags={"Name": name})
        self.selection = aws.backup_selection.BackupSelection(
            self, "selection", name=name, plan_id=self.plan.id, iam_role_arn=props.role_arn, resources=list(props.resource_arns)
        )
        self._notifications(ctx)

    def _vault(self, construct_id: str, name: str, key_arn: str, props: BackupsProps, *, provider: Any = None):
        settings = props.settings
        regional = {"provider": provider} if provider is not None else {}
        vault = aws.backup_vault.BackupVault(
            self,
            construct_id,
            name=name,
            kms_key_arn=key_arn,
            force_destroy=not props.protections.keep_recovery_points,
            tags={"Name": name},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protections.prevent_destroy),
            **regional,
        )
        if settings.vault_lock:
            aws.backup_vault_lock_configuration.BackupVaultLockConfiguration(
                self,
                f"{construct_id}-lock",
                backup_vault_name=vault.name,
                min_retention_days=settings.lock_min_retention_days,
                max_retention_days=settings.lock_max_retention_days,
                changeable_for_days=settings.lock_changeable_for_days,
                **regional,
            )
        return vault

    def _notifications(self, ctx: PlatformContext) -> None:
        aws.backup_vault_notifications.BackupVaultNotifications(
            self,
            "vault-notifications",
            backup_vault_name=self.vault.name,
            sns_topic_arn=ctx.alarm_topic_arn,
            backup_vault_events=list(VAULT_EVENTS),
        )
        name = ctx.names.name(FAILURES_PURPOSE)
        # Backup and copy jobs report a "state", restore jobs a "status" (as in AWS Backup's API).
        failed = list(FAILED_JOB_STATES)
        pattern = {"source": ["aws.backup"], "detail-type": list(JOB_EVENTS), "detail": {"$or": [{"state": failed}, {"status": failed}]}}
        self.failures_rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "failures-rule",
            name=name,
            description=f"The {ctx.names.environment} environment's backup, copy and restore jobs that fail, to the alarm topic",
            event_pattern=json.dumps(pattern),
            tags={"Name": name},
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self, "failures-to-topic", rule=self.failures_rule.name, arn=ctx.alarm_topic_arn, target_id="alarm-topic"
        )
