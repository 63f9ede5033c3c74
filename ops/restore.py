"""Restore an environment's database or table into a new resource, and list what they can be restored from.

``make recovery-points ENV=<env>`` lists, for the database and the items table, every source a restore takes: the
point-in-time window, the snapshots (RDS) and on-demand backups (DynamoDB), and the AWS Backup recovery points.
``make restore-database ENV=<env> FROM=<source> [TO=<name>]`` and ``make restore-table ...`` restore one of them:

* ``FROM`` is a point in time (``2026-12-03T09:30:00Z``, with its offset, or ``latest``), a snapshot (an RDS snapshot's
  identifier or ARN, which is also what an AWS Backup recovery point of the database is; a DynamoDB backup's ARN), or
  an AWS Backup recovery point of the table (``arn:aws:backup:...:recovery-point:...``, with DynamoDB's advanced
  backups).
* ``TO`` names the new resource; by default ``<name>-restored-<UTC yyyymmddhhmmss>``. A restore never overwrites: a
  ``TO`` that is the deployed resource, or that exists, is refused before anything runs.

The new resource gets the deployed one's settings, read through boto3 (never from Terraform's state): for the
database its class, subnet group, security groups, parameter group, Multi-AZ, storage type, IAM authentication, CA,
log exports, deletion protection and tags on restore, then its backup retention and windows, enhanced monitoring,
Performance Insights and an RDS-managed master secret of its own; for the table its billing mode, its key, point-in-time
recovery, TTL, deletion protection and tags. It waits until the resource is available and prints the next steps: how
to check it and swap it in (docs/runbooks/restore-database.md, restore-table.md). Clients come from
:class:`~ops.aws_clients.AwsClients`, so the emulator and AWS take the same path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from environments.schema import EnvironmentConfig
from ops.aws_clients import AwsClients, deploy_role
from ops.progress import say, step
from platform_core.conventions import BACKUP_ROLE_PURPOSE, BACKUP_VAULT_PURPOSE
from platform_core.errors import ConfigError, PipelineError, Problem
from platform_core.target import DeployTarget

DATABASE_RUNBOOK = "docs/runbooks/restore-database.md"
TABLE_RUNBOOK = "docs/runbooks/restore-table.md"
WAIT_SECONDS = 30
WAIT_ATTEMPTS = 240
"""Up to two hours for a restore to become available (a large database takes that long)."""
RESTORE_JOB_DONE = ("COMPLETED", "ABORTED", "FAILED")
DATABASE_NAME = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$")
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
RDS_SNAPSHOT_ARN = re.compile(r"^arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):\d{12}:snapshot:(?P<id>.+)$")
DYNAMODB_BACKUP_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:(?P<region>[a-z0-9-]+):\d{12}:table/(?P<table>[^/]+)/backup/[\w.-]+$")
RECOVERY_POINT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:(?P<region>[a-z0-9-]+):\d{12}:recovery-point:[\w.-]+$")
SNAPSHOT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9:-]{0,254}$")


@dataclass(frozen=True)
class Source:
    """Where a restore comes from: a point in time (``time``; None for the latest restorable), or ``reference``."""

    kind: str
    """``point-in-time``, ``snapshot`` or ``recovery-point``."""
    reference: str = ""
    time: datetime | None = None

    def describe(self) -> str:
        if self.kind == "point-in-time":
            return "the latest restorable time" if self.time is None else f"the point in time {self.time:%Y-%m-%dT%H:%M:%SZ}"
        return f"the {self.kind.replace('-', ' ')} {self.reference}"


def _refused(field: str, reason: str) -> ConfigError:
    return ConfigError([Problem("make variable", field, reason)])


def _point_in_time(text: str) -> Source | None:
    if text == "latest":
        return Source("point-in-time")
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _refused("FROM", f"{text!r} is not an ISO-8601 time; write it like 2026-12-03T09:30:00Z") from None
    if moment.tzinfo is None:
        raise _refused("FROM", f"{text!r} has no time zone; give it in UTC, like {text}Z")
    if moment > datetime.now(UTC):
        raise _refused("FROM", f"{text} is in the future; give a time before now, or FROM=latest")
    return Source("point-in-time", time=moment.astimezone(UTC))


def _in_region(region: str, found: str, text: str) -> None:
    if found != region:
        raise _refused(
            "FROM",
            f"{text} is in {found}, but the environment is in {region}; restore a copy in its own region (the runbook's "
            "\"From the copy in the second region\")",
        )


def database_source(text: str, region: str) -> Source:
    """``FROM`` of ``make restore-database``: a time, ``latest``, or an RDS snapshot (identifier or ARN; an AWS Backup
    recovery point of a database is an RDS snapshot, ``...:snapshot:awsbackup:job-...``)."""
    found = _point_in_time(text)
    if found:
        return found
    if match := RDS_SNAPSHOT_ARN.match(text):
        _in_region(region, match["region"], text)
        return Source("recovery-point" if match["id"].startswith("awsbackup:") else "snapshot", text)
    if RECOVERY_POINT_ARN.match(text) or DYNAMODB_BACKUP_ARN.match(text):
        raise _refused("FROM", f"{text} is not a recovery point of a database: an RDS recovery point's ARN is a snapshot's "
                               "(arn:aws:rds:...:snapshot:awsbackup:job-...); list them with make recovery-points")
    if text.startswith("arn:") or not SNAPSHOT_ID.match(text):
        raise _refused("FROM", f"{text!r} is neither a time (2026-12-03T09:30:00Z, or latest) nor an RDS snapshot's identifier or ARN")
    return Source("snapshot", text)


def table_source(text: str, region: str) -> Source:
    """``FROM`` of ``make restore-table``: a time, ``latest``, a DynamoDB backup's ARN, or an AWS Backup recovery point."""
    found = _point_in_time(text)
    if found:
        return found
    for pattern, kind in ((DYNAMODB_BACKUP_ARN, "snapshot"), (RECOVERY_POINT_ARN, "recovery-point")):
        if match := pattern.match(text):
            _in_region(region, match["region"], text)
            return Source(kind, text)
    raise _refused(
        "FROM",
        f"{text!r} is neither a time (2026-12-03T09:30:00Z, or latest), a DynamoDB backup's ARN "
        "(arn:aws:dynamodb:...:table/<table>/backup/<id>) nor an AWS Backup recovery point's ARN (arn:aws:backup:...:recovery-point:<id>)",
    )


def restored_name(
    deployed: str, given: str | None, pattern: re.Pattern[str], *, deployed_name_when_gone: bool = False, now: datetime | None = None
) -> str:
    """``TO``, or ``<deployed>-restored-<UTC yyyymmddhhmmss>``; the deployed resource's own name only where
    ``deployed_name_when_gone`` (a table replaced: the restore then checks that no table holds the name)."""
    name = given or f"{deployed}-restored-{(now or datetime.now(UTC)):%Y%m%d%H%M%S}"
    if name == deployed and not deployed_name_when_gone:
        raise _refused("TO", f"{name} is the deployed resource: a restore never overwrites it; name a new one, or leave TO out")
    if not pattern.match(name):
        hint = "" if given else "; the default name is too long here, so give one with TO=<name>"
        raise _refused("TO", f"{name!r} is not a name this resource can take{hint}")
    return name


def _aws_error(what: str, error: Exception) -> PipelineError:
    detail = getattr(error, "response", {}).get("Error", {})
    message = f"{detail.get('Code')}: {detail.get('Message')}" if detail.get("Code") else str(error).splitlines()[0]
    return PipelineError(f"{what}: {message}")


def _call(what: str, function: Callable[..., Any], **kwargs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return function(**kwargs)
    except (BotoCoreError, ClientError) as error:
        raise _aws_error(what, error) from None


def _accepted(client: Any, operation: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings the operation takes (its input shape), without empty ones."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in settings.items() if k in members and v not in (None, [], "")}


def _tags(found: Iterable[Mapping[str, str]], name: str, source: Source) -> list[dict[str, str]]:
    kept = [{"Key": t["Key"], "Value": t["Value"]} for t in found if t["Key"] not in ("Name", "RestoredFrom") and not t["Key"].startswith("aws:")]
    return [*kept, {"Key": "Name", "Value": name}, {"Key": "RestoredFrom", "Value": source.describe()[:256]}]


class Restorer:
    """Restores one environment's database and table, and lists what they can be restored from."""

    def __init__(self, config: EnvironmentConfig, target: DeployTarget) -> None:
        self.config = config
        self.names = config.names
        self.aws = AwsClients(target, config.region, deploy_role(config))
        self.rds = self.aws.client("rds")
        self.dynamodb = self.aws.client("dynamodb")
        self.backup = self.aws.client("backup")

    @property
    def database(self) -> str:
        return self.names.name("database")

    @property
    def table(self) -> str:
        return self.names.name("items")

    # --- what there is to restore from

    def deployed_database(self) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            (found,) = self.rds.describe_db_instances(DBInstanceIdentifier=self.database)["DBInstances"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "DBInstanceNotFound":
                raise PipelineError(f"{self.database} does not exist: {self.config.name} has no database to restore beside (deploy it first)") from None
            raise _aws_error(f"cannot read {self.database}", error) from None
        return found

    def deployed_table(self) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            return self.dynamodb.describe_table(TableName=self.table)["Table"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                raise PipelineError(f"{self.table} does not exist: {self.config.name} has no table to restore beside (deploy it first)") from None
            raise _aws_error(f"cannot read {self.table}", error) from None

    def recovery_points(self) -> list[str]:
        """What ``make recovery-points`` prints: every source of the database and the table, with its FROM."""
        database, table = self.deployed_database(), self.deployed_table()
        lines = [f"{self.database} ({database['DBInstanceArn']}): make restore-database {self.config.make_args} FROM=..."]
        backups = _call("cannot read the database's automated backups", self.rds.describe_db_instance_automated_backups,
                        DBInstanceIdentifier=self.database).get("DBInstanceAutomatedBackups", [])
        earliest = next((b.get("RestoreWindow", {}).get("EarliestTime") for b in backups if b.get("RestoreWindow")), None)
        latest = database.get("LatestRestorableTime")
        lines.append(f"    point in time: FROM=<time> from {_when(earliest)} to {_when(latest)}, or FROM=latest")
        snapshots = _call("cannot list the database's snapshots", self.rds.describe_db_snapshots, DBInstanceIdentifier=self.database)["DBSnapshots"]
        for snapshot in sorted(snapshots, key=lambda s: str(s.get("SnapshotCreateTime", "")), reverse=True):
            reference = snapshot["DBSnapshotArn"] if snapshot.get("SnapshotType") == "awsbackup" else snapshot["DBSnapshotIdentifier"]
            lines.append(f"    snapshot ({snapshot.get('SnapshotType', '?')}, {snapshot.get('Status', '?')}, {_when(snapshot.get('SnapshotCreateTime'))}): FROM={reference}")
        lines += self._backup_recovery_points(database["DBInstanceArn"], database=True)
        lines.append(f"{self.table} ({table['TableArn']}): make restore-table {self.config.make_args} FROM=...")
        continuous = _call("cannot read the table's point-in-time recovery", self.dynamodb.describe_continuous_backups, TableName=self.table)
        window = continuous["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        if window.get("PointInTimeRecoveryStatus") == "ENABLED":
            lines.append(f"    point in time: FROM=<time> from {_when(window.get('EarliestRestorableDateTime'))} to "
                         f"{_when(window.get('LatestRestorableDateTime'))}, or FROM=latest")
        else:
            lines.append("    point in time: none (point-in-time recovery is off)")
        listed = _call("cannot list the table's backups", self.dynamodb.list_backups, TableName=self.table)["BackupSummaries"]
        for found in sorted(listed, key=lambda b: str(b.get("BackupCreationDateTime", "")), reverse=True):
            lines.append(f"    backup ({found.get('BackupType', '?')}, {found.get('BackupStatus', '?')}, "
                         f"{_when(found.get('BackupCreationDateTime'))}): FROM={found['BackupArn']}")
        lines += self._backup_recovery_points(table["TableArn"], database=False)
        return lines

    def _backup_recovery_points(self, resource_arn: str, *, database: bool) -> list[str]:
        points = _call(f"cannot list AWS Backup's recovery points of {resource_arn}", self.backup.list_recovery_points_by_resource,
                       ResourceArn=resource_arn)["RecoveryPoints"]
        if not points:
            return [f"    AWS Backup (vault {self.names.name(BACKUP_VAULT_PURPOSE)}): no recovery point yet"]
        return [
            f"    AWS Backup recovery point ({point.get('Status', '?')}, {_when(point.get('CreationDate'))}, vault "
            f"{point.get('BackupVaultName', '?')}): FROM={point['RecoveryPointArn']}"
            for point in sorted(points, key=lambda p: str(p.get("CreationDate", "")), reverse=True)
        ]

    # --- the database

    def restore_database(self, source: Source, name: str) -> dict[str, Any]:
        """Restore into a new instance ``name`` with the deployed instance's settings; wait; return it."""
        deployed = self.deployed_database()
        self._refuse_existing_instance(name)
        settings = {
            "DBInstanceClass": deployed["DBInstanceClass"],
            "DBSubnetGroupName": deployed.get("DBSubnetGroup", {}).get("DBSubnetGroupName"),
            "VpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in deployed.get("VpcSecurityGroups", [])],
            "DBParameterGroupName": next((g["DBParameterGroupName"] for g in deployed.get("DBParameterGroups", [])), None),
            "MultiAZ": deployed.get("MultiAZ", False),
            "PubliclyAccessible": False,
            "StorageType": deployed.get("StorageType"),
            "MaxAllocatedStorage": deployed.get("MaxAllocatedStorage"),
            "EnableIAMDatabaseAuthentication": deployed.get("IAMDatabaseAuthenticationEnabled", False),
            "CACertificateIdentifier": deployed.get("CACertificateIdentifier"),
            "EnableCloudwatchLogsExports": deployed.get("EnabledCloudwatchLogsExports", []),
            "CopyTagsToSnapshot": deployed.get("CopyTagsToSnapshot", False),
            "AutoMinorVersionUpgrade": deployed.get("AutoMinorVersionUpgrade", True),
            "DeletionProtection": deployed.get("DeletionProtection", False),
            "Tags": _tags(deployed.get("TagList", []), name, source),
        }
        if source.kind == "point-in-time":
            when = {"UseLatestRestorableTime": True} if source.time is None else {"RestoreTime": source.time}
            operation, call = "RestoreDBInstanceToPointInTime", self.rds.restore_db_instance_to_point_in_time
            arguments = {"SourceDBInstanceIdentifier": self.database, "TargetDBInstanceIdentifier": name, **when}
        else:
            operation, call = "RestoreDBInstanceFromDBSnapshot", self.rds.restore_db_instance_from_db_snapshot
            arguments = {"DBInstanceIdentifier": name, "DBSnapshotIdentifier": source.reference}
        on_restore = _accepted(self.rds, operation, settings)
        with step(f"[{self.config.name}] restore {self.database} from {source.describe()} into {name}"):
            _call(f"RDS refused to restore {name}", call, **arguments, **on_restore)
            self._wait_for_instance(name)
        after = {
            "BackupRetentionPeriod": deployed.get("BackupRetentionPeriod"),
            "PreferredBackupWindow": deployed.get("PreferredBackupWindow"),
            "PreferredMaintenanceWindow": deployed.get("PreferredMaintenanceWindow"),
            "MaxAllocatedStorage": deployed.get("MaxAllocatedStorage"),
            "MonitoringInterval": deployed.get("MonitoringInterval"),
            "MonitoringRoleArn": deployed.get("MonitoringRoleArn"),
            "EnablePerformanceInsights": deployed.get("PerformanceInsightsEnabled"),
            "PerformanceInsightsKMSKeyId": deployed.get("PerformanceInsightsKMSKeyId"),
            "PerformanceInsightsRetentionPeriod": deployed.get("PerformanceInsightsRetentionPeriod"),
        }
        if deployed.get("MasterUserSecret"):
            after |= {"ManageMasterUserPassword": True, "MasterUserSecretKmsKeyId": deployed["MasterUserSecret"].get("KmsKeyId")}
        after = {k: v for k, v in after.items() if k not in on_restore}
        with step(f"[{self.config.name}] give {name} the deployed database's backups, monitoring and master secret"):
            _call(f"RDS refused to modify {name}", self.rds.modify_db_instance, DBInstanceIdentifier=name, ApplyImmediately=True,
                  **_accepted(self.rds, "ModifyDBInstance", after))
            restored = self._wait_for_instance(name)
        return restored

    def _refuse_existing_instance(self, name: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.rds.describe_db_instances(DBInstanceIdentifier=name)
        except ClientError as error:
            if error.response["Error"]["Code"] == "DBInstanceNotFound":
                return
            raise _aws_error(f"cannot check whether {name} exists", error) from None
        raise _refused("TO", f"{name} exists already: a restore never overwrites; name a new instance")

    def _wait_for_instance(self, name: str) -> dict[str, Any]:
        from botocore.exceptions import WaiterError

        try:
            self.rds.get_waiter("db_instance_available").wait(
                DBInstanceIdentifier=name, WaiterConfig={"Delay": WAIT_SECONDS, "MaxAttempts": WAIT_ATTEMPTS}
            )
        except WaiterError as error:
            raise PipelineError(
                f"{name} did not become available ({error}); follow it with `aws rds describe-db-instances "
                f"--db-instance-identifier {name}`, and go on with {DATABASE_RUNBOOK} once it is"
            ) from None
        (found,) = self.rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
        return found

    # --- the table

    def restore_table(self, source: Source, name: str) -> dict[str, Any]:
        """Restore into a new table ``name`` with the deployed table's settings; wait; return it. Under the deployed
        table's own name only once that table is gone (docs/runbooks/restore-table.md, "Replace"): then with the
        data key, and Terraform's next apply gives it back the rest of its settings."""
        replacing = name == self.table
        self._refuse_existing_table(name, replacing=replacing)
        if replacing and source.kind == "point-in-time":
            raise _refused(
                "FROM",
                f"{self.table} is gone, and a point in time is restored from the table it belongs to by name; restore the "
                f"backup of the copy you checked (FROM=<backup ARN>), as {TABLE_RUNBOOK} says (step 4)",
            )
        deployed = None if replacing else self.deployed_table()
        if deployed is None:
            key = _call("cannot find the data key", self.aws.client("kms").describe_key, KeyId=f"alias/{self.names.name('data')}")["KeyMetadata"]["Arn"]
            overrides: dict[str, Any] = {}
        else:
            key = deployed.get("SSEDescription", {}).get("KMSMasterKeyArn")
            overrides = {"BillingModeOverride": deployed.get("BillingModeSummary", {}).get("BillingMode", "PAY_PER_REQUEST")}
        encryption = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key} if key else {"Enabled": False}
        overrides |= {"TargetTableName": name, "SSESpecificationOverride": encryption}
        with step(f"[{self.config.name}] restore {self.table} from {source.describe()} into {name}"):
            if source.kind == "point-in-time":
                when = {"UseLatestRestorableTime": True} if source.time is None else {"RestoreDateTime": source.time}
                _call(f"DynamoDB refused to restore {name}", self.dynamodb.restore_table_to_point_in_time, SourceTableName=self.table, **when, **overrides)
            elif source.kind == "snapshot":
                _call(f"DynamoDB refused to restore {name}", self.dynamodb.restore_table_from_backup, BackupArn=source.reference, **overrides)
            else:
                self._restore_job(source, name, key)
            self._wait_for_table(name)
        if deployed is not None:
            with step(f"[{self.config.name}] give {name} the deployed table's point-in-time recovery, TTL, deletion protection and tags"):
                self._table_settings(deployed, name, source)
        return self.dynamodb.describe_table(TableName=name)["Table"]

    def _restore_job(self, source: Source, name: str, key: str | None) -> None:
        """An AWS Backup recovery point of the table (DynamoDB's advanced backups): a restore job, as the backup role."""
        role = _call("cannot read the backup role", self.aws.client("iam").get_role, RoleName=self.names.name(BACKUP_ROLE_PURPOSE))["Role"]["Arn"]
        metadata = {"targetTableName": name, **({"encryptionType": "KMS", "kmsMasterKeyArn": key} if key else {})}
        job = _call("AWS Backup refused the restore", self.backup.start_restore_job, RecoveryPointArn=source.reference, IamRoleArn=role,
                    Metadata=metadata, ResourceType="DynamoDB")["RestoreJobId"]
        for _ in range(WAIT_ATTEMPTS):
            found = _call("cannot follow the restore job", self.backup.describe_restore_job, RestoreJobId=job)
            if found.get("Status") in RESTORE_JOB_DONE:
                break
            time.sleep(WAIT_SECONDS)
        else:
            raise PipelineError(f"restore job {job} is still running; follow it with `aws backup describe-restore-job --restore-job-id {job}`")
        if found["Status"] != "COMPLETED":
            raise PipelineError(f"restore job {job} ended {found['Status']}: {found.get('StatusMessage', 'no message')}")

    def _refuse_existing_table(self, name: str, *, replacing: bool = False) -> None:
        from botocore.exceptions import ClientError

        try:
            self.dynamodb.describe_table(TableName=name)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise _aws_error(f"cannot check whether {name} exists", error) from None
        if replacing:
            raise _refused("TO", f"{name} is the deployed table: a restore never overwrites it; restore beside it, or replace it as {TABLE_RUNBOOK} says (step 4)")
        raise _refused("TO", f"{name} exists already: a restore never overwrites; name a new table")

    def _wait_for_table(self, name: str) -> None:
        from botocore.exceptions import WaiterError

        try:
            self.dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": WAIT_SECONDS, "MaxAttempts": WAIT_ATTEMPTS})
        except WaiterError as error:
            raise PipelineError(f"{name} did not become active ({error}); follow it with `aws dynamodb describe-table --table-name {name}`") from None

    def _table_settings(self, deployed: Mapping[str, Any], name: str, source: Source) -> None:
        dynamodb = self.dynamodb
        recovery = _call("cannot read the table's backups", dynamodb.describe_continuous_backups, TableName=self.table)
        if recovery["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED":
            _call(f"cannot turn on point-in-time recovery of {name}", dynamodb.update_continuous_backups, TableName=name,
                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ttl = _call("cannot read the table's TTL", dynamodb.describe_time_to_live, TableName=self.table)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            _call(f"cannot turn on TTL of {name}", dynamodb.update_time_to_live, TableName=name,
                  TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]})
        if deployed.get("DeletionProtectionEnabled"):
            _call(f"cannot protect {name}", dynamodb.update_table, TableName=name, DeletionProtectionEnabled=True)
        tags = _call("cannot read the table's tags", dynamodb.list_tags_of_resource, ResourceArn=deployed["TableArn"]).get("Tags", [])
        restored = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
        _call(f"cannot tag {name}", dynamodb.tag_resource, ResourceArn=restored, Tags=_tags(tags, name, source))


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    return str(value) if value else "(unknown)"


def database_next_steps(config: EnvironmentConfig, restored: Mapping[str, Any]) -> list[str]:
    endpoint = restored.get("Endpoint", {})
    secret = restored.get("MasterUserSecret", {}).get("SecretArn", "(none yet: see the runbook)")
    return [
        f"restored: {restored['DBInstanceIdentifier']}, {endpoint.get('Address', '?')}:{endpoint.get('Port', '?')}, "
        f"status {restored.get('DBInstanceStatus')}; its master password is in {secret}",
        "next, as docs/runbooks/restore-database.md says: check the data on it, then either copy what you need back, or swap it in "
        f"(stop the writers, rename {config.names.name('database')} away and this one to its name, and hand it to Terraform with "
        f"terraform state rm + import), then make plan {config.make_args}. It is not in Terraform's state: until it is swapped in, "
        "delete it when you are done.",
    ]


def table_next_steps(config: EnvironmentConfig, restored: Mapping[str, Any]) -> list[str]:
    found = f"restored: {restored['TableName']} ({restored.get('ItemCount', '?')} items when DynamoDB last counted), status {restored.get('TableStatus')}"
    if restored["TableName"] == config.names.name("items"):
        return [found, f"next: make plan {config.make_args}, then make apply {config.make_args}: Terraform finds the table under its name and gives "
                       "it back its point-in-time recovery, TTL, deletion protection and tags, and the function its concurrency"]
    return [
        found,
        "next, as docs/runbooks/restore-table.md says: check the items in it, then either copy what you need back into "
        f"{config.names.name('items')}, or replace that table by a restore under its own name once it is deleted; then "
        f"make plan {config.make_args}. It is not in Terraform's state: delete it when you are done.",
    ]


def print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        say(line)
