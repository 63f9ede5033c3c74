"""Backup checks: the vault under the backup key, locked where configured; the plan's rules; the selection of the
database and the table; failures and modified recovery points to the alarm topic."""

from __future__ import annotations

from functools import cache

from ops.verify import VerifyContext, expect
from platform_core.conventions import BACKUP_VAULT_PURPOSE


def _name(ctx: VerifyContext) -> str:
    return ctx.names.name(BACKUP_VAULT_PURPOSE)


@cache
def _plan(ctx: VerifyContext) -> dict:
    backup = ctx.client("backup")
    found = [p for p in backup.list_backup_plans()["BackupPlansList"] if p.get("BackupPlanName") == _name(ctx)]
    expect(len(found) == 1, f"expected one backup plan named {_name(ctx)}, found {len(found)}")
    return backup.get_backup_plan(BackupPlanId=found[0]["BackupPlanId"])


def vault(ctx: VerifyContext) -> str:
    found = ctx.client("backup").describe_backup_vault(BackupVaultName=_name(ctx))
    expect(found.get("EncryptionKeyArn") == ctx.key_arn("backup"), f"the vault is encrypted with {found.get('EncryptionKeyArn')}")
    settings = ctx.config.backup
    locked = (found.get("Locked", False), found.get("MinRetentionDays"), found.get("MaxRetentionDays"))
    wanted = (True, settings.lock_min_retention_days, settings.lock_max_retention_days) if settings.vault_lock else (False, None, None)
    expect(locked == wanted, f"vault lock (locked, min, max) is {locked}, configured {wanted}")
    return f"{_name(ctx)}, {'locked' if settings.vault_lock else 'not locked'}"


def rules(ctx: VerifyContext) -> str:
    settings = ctx.config.backup
    found = {r["RuleName"]: r for r in _plan(ctx)["BackupPlan"]["Rules"]}
    expect(set(found) == {"daily", "weekly"}, f"the plan's rules are {sorted(found)}")
    for name, rule in found.items():
        expect(rule.get("TargetBackupVaultName") == _name(ctx), f"the {name} rule backs up into {rule.get('TargetBackupVaultName')}")
        days = rule.get("Lifecycle", {}).get("DeleteAfterDays")
        expect(days == settings.retentions[name], f"the {name} rule keeps recovery points {days} days")
        copies = [c["DestinationBackupVaultArn"] for c in rule.get("CopyActions", [])]
        wanted = [f":{settings.copy_to_region}:"] if settings.copy_to_region else []
        expect(len(copies) == len(wanted) and all(w in c for w, c in zip(wanted, copies, strict=True)), f"the {name} rule copies to {copies}")
    weekly = found["weekly"]["ScheduleExpression"]
    expect(settings.weekly_day.upper() in weekly, f"the weekly rule runs {weekly}")
    return f"daily {settings.daily_retention_days} days, weekly {settings.weekly_retention_days} days"


def selection(ctx: VerifyContext) -> None:
    backup = ctx.client("backup")
    plan_id = _plan(ctx)["BackupPlanId"]
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    expect(len(listed) == 1, f"the plan has {len(listed)} selections")
    chosen = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=listed[0]["SelectionId"])["BackupSelection"]
    (database,) = ctx.client("rds").describe_db_instances(DBInstanceIdentifier=ctx.names.name("database"))["DBInstances"]
    table = ctx.client("dynamodb").describe_table(TableName=ctx.names.name("items"))["Table"]
    expect(sorted(chosen.get("Resources", [])) == sorted([database["DBInstanceArn"], table["TableArn"]]), f"the selection names {chosen.get('Resources')}")
    expect(chosen.get("IamRoleArn", "").endswith(f":role/{ctx.names.name('backup')}"), f"backups run as {chosen.get('IamRoleArn')}")


def notifications(ctx: VerifyContext) -> None:
    found = ctx.client("backup").get_backup_vault_notifications(BackupVaultName=_name(ctx))
    expect(found.get("SNSTopicArn") == ctx.topic_arn(), f"the vault notifies {found.get('SNSTopicArn')}")
    expect("RECOVERY_POINT_MODIFIED" in found.get("BackupVaultEvents", []), f"the vault notifies {found.get('BackupVaultEvents')}")
    targets = ctx.client("events").list_targets_by_rule(Rule=ctx.names.name("backup-failures"))["Targets"]
    expect([t["Arn"] for t in targets] == [ctx.topic_arn()], f"failed backup jobs go to {[t['Arn'] for t in targets]}")


CHECKS = [
    ("backups", "a vault under the backup key, locked in compliance mode where configured", vault),
    ("backups", "daily and weekly rules keep recovery points as configured (and copy them where configured)", rules),
    ("backups", "the plan selects the database and the table, as the backup role", selection),
    ("backups", "failed jobs and modified recovery points reach the alarm topic", notifications),
]
