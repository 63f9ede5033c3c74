"""The restore runbooks, drilled on the emulator exactly as they are written.

Every ``make`` line in a fenced block of ``docs/runbooks/restore-database.md`` and ``restore-table.md`` is read from the
file, its placeholders (``<snapshot>``, ``<time>``...) filled in with what the drill made, and run as ``make -n``
shows it runs: the ``python -m ops`` command of its recipe, in this process, against the project's patched emulator
(a server on a free port) holding a dev-shaped database and table, a snapshot and an on-demand backup. A runbook
line that names a verb the Makefile lacks, or that the verb refuses, fails the drill. ``make plan`` and ``make apply``
lines need Terraform and a deployed environment: the end-to-end test runs those. Lines restoring an AWS Backup
recovery point are skipped, saying why: moto makes none (README, Emulator differences).
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config

from ops.cli import main
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY
from tests.conftest import make_dry_run
from tests.e2e.conftest import PROJECT_ROOT, free_port
from tests.ops.test_emulator_baseline_patches import _serve

RUNBOOKS = PROJECT_ROOT / "docs" / "runbooks"
REGION = "us-east-1"
DATABASE, TABLE = "acme-database-dev", "acme-items-dev"
SNAPSHOT = "acme-database-dev-before-drill"
NOT_DRILLED_HERE = frozenset({"plan", "apply"})
"""Verbs whose lines need Terraform and a deployed environment (the end-to-end test runs them)."""
NO_RECOVERY_POINTS = (
    "moto has no StartBackupJob, so AWS Backup makes no recovery point on the emulator (README: Emulator differences); "
    "on AWS this line restores one"
)
LOG_EXPORTS = ["error", "general", "slowquery"]
ITEMS = [{"id": {"S": f"item-{n}"}, "value": {"N": str(n)}} for n in range(3)]


@dataclass(frozen=True)
class RunbookLine:
    runbook: str
    number: int
    text: str

    @property
    def verb(self) -> str:
        return self.text.split()[1]

    def __str__(self) -> str:
        return f"{self.runbook}:{self.number}: {self.text}"


def make_lines(runbook: str) -> list[RunbookLine]:
    """Every ``make`` line of the runbook's fenced ``sh`` blocks, in order."""
    found, fenced = [], False
    for number, line in enumerate((RUNBOOKS / runbook).read_text().splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = stripped == "```sh"
            continue
        if fenced and stripped.startswith("make "):
            found.append(RunbookLine(runbook, number, stripped))
    return found


def ops_argv(line: str) -> list[str]:
    """The ``python -m ops`` arguments the Makefile runs for the line (``make -n``), which must know the verb."""
    result = make_dry_run(*shlex.split(line)[1:])
    assert result.returncode == 0, f"{line}: {result.stderr.strip()}"
    (command,) = [c for c in result.stdout.splitlines() if " -m ops " in c]
    return shlex.split(command.split(" -m ops ", 1)[1])


def aws(port: int, service: str):
    return boto3.client(
        service, region_name=REGION, endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=EMULATOR_ACCESS_KEY,
        aws_secret_access_key=EMULATOR_SECRET_KEY, config=Config(retries={"max_attempts": 1}),
    )


@dataclass
class Drill:
    port: int
    keys: dict[str, str]
    backup_arn: str
    started: datetime

    def client(self, service: str):
        return aws(self.port, service)


def _dev(port: int) -> Drill:
    """What a deploy of dev holds that a restore reads: the database and the table with dev's settings, and a
    snapshot and an on-demand backup of them."""
    kms, ec2, rds, dynamodb, iam = (aws(port, s) for s in ("kms", "ec2", "rds", "dynamodb", "iam"))
    keys = {}
    for purpose in ("data", "database"):
        keys[purpose] = kms.create_key(Description=f"acme {purpose} (acme dev)")["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=f"alias/acme-{purpose}-dev", TargetKeyId=keys[purpose])
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{n}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
               for n, az in ((192, "a"), (193, "b"))]
    group = ec2.create_security_group(GroupName="acme-database-dev", Description="database", VpcId=vpc)["GroupId"]
    rds.create_db_subnet_group(DBSubnetGroupName=DATABASE, DBSubnetGroupDescription="database tier", SubnetIds=subnets)
    rds.create_db_parameter_group(DBParameterGroupName="acme-database-dev-20261203", DBParameterGroupFamily="mysql8.4", Description="TLS")
    iam.create_role(RoleName="acme-backup-dev", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    tags = [{"Key": "Environment", "Value": "dev"}, {"Key": "Name", "Value": DATABASE}]
    rds.create_db_instance(
        DBInstanceIdentifier=DATABASE, Engine="mysql", EngineVersion="8.4", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MaxAllocatedStorage=50, StorageType="gp3", StorageEncrypted=True, KmsKeyId=keys["database"], MasterUsername="platform_admin",
        ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=keys["database"], DBSubnetGroupName=DATABASE,
        VpcSecurityGroupIds=[group], DBParameterGroupName="acme-database-dev-20261203", MultiAZ=False, PubliclyAccessible=False,
        BackupRetentionPeriod=7, PreferredBackupWindow="03:00-03:30", PreferredMaintenanceWindow="sun:04:00-sun:04:30",
        EnableIAMDatabaseAuthentication=True, CopyTagsToSnapshot=True, EnableCloudwatchLogsExports=LOG_EXPORTS, DeletionProtection=False,
        EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=keys["database"], PerformanceInsightsRetentionPeriod=7, Tags=tags,
    )
    rds.create_db_snapshot(DBSnapshotIdentifier=SNAPSHOT, DBInstanceIdentifier=DATABASE)
    dynamodb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": keys["data"]},
        Tags=[{"Key": "Environment", "Value": "dev"}, {"Key": "Name", "Value": TABLE}],
    )
    dynamodb.update_continuous_backups(TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    dynamodb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    for item in ITEMS:
        dynamodb.put_item(TableName=TABLE, Item=item)
    backup_arn = dynamodb.create_backup(TableName=TABLE, BackupName="acme-items-dev-before-drill")["BackupDetails"]["BackupArn"]
    started = datetime.now(UTC)
    time.sleep(1.1)  # a point in time after all of it, and before now
    return Drill(port=port, keys=keys, backup_arn=backup_arn, started=started)


@pytest.fixture(scope="module")
def drill():
    port = free_port()
    server = _serve([sys.executable, "-m", "ops.moto_server", "--port", str(port)], port)
    try:
        yield _dev(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def fill(line: RunbookLine, drill: Drill, number: int) -> str:
    """The line with its placeholders filled in; a placeholder the drill does not know fails the drill."""
    values = {
        "<snapshot>": SNAPSHOT,
        "<time>": f"{drill.started:%Y-%m-%dT%H:%M:%S}Z",
        "<backup ARN>": drill.backup_arn,
        "<new name>": f"{DATABASE if line.runbook == 'restore-database.md' else TABLE}-drill-{number}",
    }
    text = line.text
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    assert "<" not in text, f"{line}: a placeholder the drill cannot fill"
    return text


def run(line: str, drill: Drill, monkeypatch, capsys) -> str:
    monkeypatch.setenv("EMULATOR_PORT", str(drill.port))
    monkeypatch.delenv("TARGET", raising=False)
    monkeypatch.delenv("TF_VAR_deploy_role_arn", raising=False)
    capsys.readouterr()
    code = main(ops_argv(line))
    output = capsys.readouterr().err
    assert code == 0, f"{line}\n{output}"
    assert "Traceback" not in output
    return output


def restored_as(output: str, kind: str) -> str:
    match = re.search(r"^restored: ([A-Za-z0-9_.-]+)", output, re.MULTILINE)
    assert match, output
    assert "next" in output and kind in output, output
    return match.group(1)


def drilled(runbook: str) -> list[RunbookLine]:
    return [line for line in make_lines(runbook) if line.verb not in NOT_DRILLED_HERE and "<recovery point ARN>" not in line.text]


def test_the_runbooks_give_the_verbs_and_every_way_to_restore():
    for runbook, verb in (("restore-database.md", "restore-database"), ("restore-table.md", "restore-table")):
        texts = [line.text for line in make_lines(runbook)]
        assert "make recovery-points ENV=dev" in texts
        for source in ("<recovery point ARN>", "<time>", "latest"):
            assert any(t.startswith(f"make {verb} ENV=dev FROM={source}") for t in texts), (runbook, source)
        assert any(t.startswith(f"make {verb} ENV=dev FROM=<{'snapshot' if verb == 'restore-database' else 'backup ARN'}>") for t in texts)
        assert {line.verb for line in make_lines(runbook)} <= {"recovery-points", verb, *NOT_DRILLED_HERE}


@pytest.mark.parametrize("line", [line for runbook in ("restore-database.md", "restore-table.md") for line in make_lines(runbook)
                                  if "<recovery point ARN>" in line.text], ids=str)
def test_a_recovery_point_line_names_its_verb_and_runs_on_aws_only(line):
    argv = ops_argv(line.text.replace("<recovery point ARN>", "arn:aws:backup:us-east-1:123456789012:recovery-point:x"))
    assert argv[:2] == [line.verb, "dev"], argv
    pytest.skip(NO_RECOVERY_POINTS)


def test_the_database_runbook(drill, monkeypatch, capsys):
    rds = drill.client("rds")
    (deployed,) = rds.describe_db_instances(DBInstanceIdentifier=DATABASE)["DBInstances"]
    lines = drilled("restore-database.md")
    assert [line.verb for line in lines][:1] == ["recovery-points"] and len(lines) >= 4, lines
    for number, line in enumerate(lines):
        output = run(fill(line, drill, number), drill, monkeypatch, capsys)
        if line.verb == "recovery-points":
            assert f"FROM={SNAPSHOT}" in output and "or FROM=latest" in output and f"FROM={drill.backup_arn}" in output, output
            continue
        name = restored_as(output, "restore-database.md")
        assert name != DATABASE
        (restored,) = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
        assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == DATABASE, line
        assert [g["VpcSecurityGroupId"] for g in restored["VpcSecurityGroups"]] == [g["VpcSecurityGroupId"] for g in deployed["VpcSecurityGroups"]]
        assert [g["DBParameterGroupName"] for g in restored["DBParameterGroups"]] == ["acme-database-dev-20261203"]
        assert restored["StorageEncrypted"] is True and restored["KmsKeyId"] == drill.keys["database"]
        assert restored["PubliclyAccessible"] is False and restored["IAMDatabaseAuthenticationEnabled"] is True
        assert restored["EnabledCloudwatchLogsExports"] == LOG_EXPORTS and restored["CopyTagsToSnapshot"] is True
        assert (restored["BackupRetentionPeriod"], restored["PreferredBackupWindow"]) == (7, "03:00-03:30")
        assert restored["PerformanceInsightsEnabled"] is True
        tags = {t["Key"]: t["Value"] for t in restored["TagList"]}
        assert tags["Environment"] == "dev" and tags["Name"] == name and tags["RestoredFrom"].startswith("the ")
        if "TO=" in line.text:
            assert name == f"{DATABASE}-drill-{number}"
    (after,) = rds.describe_db_instances(DBInstanceIdentifier=DATABASE)["DBInstances"]
    assert after["DBInstanceStatus"] == "available" and after["DbiResourceId"] == deployed["DbiResourceId"], "never touched"


def test_the_table_runbook(drill, monkeypatch, capsys):
    dynamodb = drill.client("dynamodb")
    lines = drilled("restore-table.md")
    assert [line.verb for line in lines][:1] == ["recovery-points"] and len(lines) >= 5, lines
    for number, line in enumerate(lines):
        filled = fill(line, drill, number)
        if f"TO={TABLE} " in f"{filled} ":
            # The step before it (restore-table.md, "Replace"): the deployed table is backed up and deleted.
            dynamodb.delete_table(TableName=TABLE)
            # A point in time belongs to the table, by name, and it is gone (on AWS the restore fails): refused, with
            # the way that works, the checked copy's backup (the runbook's line).
            assert main(ops_argv(f"make restore-table ENV=dev FROM=latest TO={TABLE}")) == 2
            refused = capsys.readouterr().err
            assert f"make variable: FROM: {TABLE} is gone" in refused and "FROM=<backup ARN>" in refused, refused
        output = run(filled, drill, monkeypatch, capsys)
        if line.verb == "recovery-points":
            assert f"FROM={drill.backup_arn}" in output and "or FROM=latest" in output, output
            continue
        name = restored_as(output, "make plan ENV=dev" if name_is_deployed(filled) else "restore-table.md")
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["SSEDescription"]["KMSMasterKeyArn"] == drill.keys["data"], line
        items = dynamodb.scan(TableName=name)["Items"]
        assert sorted(i["id"]["S"] for i in items) == [i["id"]["S"] for i in ITEMS], line
        if name == TABLE:
            continue  # Terraform's next apply gives it back the rest (the line after it in the runbook)
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        recovery = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert recovery["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"] == "expires_at"
        tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
        assert tags["Environment"] == "dev" and tags["Name"] == name and "RestoredFrom" in tags
    assert any(f"TO={TABLE}" in line.text for line in lines), "the runbook replaces the table too"


def name_is_deployed(line: str) -> bool:
    return f"TO={TABLE} " in f"{line} "


@pytest.mark.parametrize("line, field, reason", [
    (f"make restore-database ENV=dev FROM={SNAPSHOT} TO={DATABASE}", "TO", "is the deployed resource: a restore never overwrites it"),
    (f"make restore-table ENV=dev FROM=latest TO={TABLE}", "TO", "is the deployed table: a restore never overwrites it"),
    ("make restore-database ENV=dev FROM=2999-01-01T00:00:00Z", "FROM", "is in the future"),
    ("make restore-database ENV=dev FROM=2026-12-03T09:30:00", "FROM", "has no time zone"),
    ("make restore-table ENV=dev FROM=arn:aws:dynamodb:eu-west-1:123456789012:table/acme-items-dev/backup/01", "FROM", "is in eu-west-1"),
    ("make restore-table ENV=dev FROM=yesterday", "FROM", "is neither a time"),
    ("make restore-database ENV=dev FROM=arn:aws:backup:us-east-1:123456789012:recovery-point:x", "FROM", "is not a recovery point of a database"),
])
def test_a_restore_that_would_overwrite_or_cannot_be_read_is_refused(drill, monkeypatch, capsys, line, field, reason):
    monkeypatch.setenv("EMULATOR_PORT", str(drill.port))
    monkeypatch.delenv("TARGET", raising=False)
    capsys.readouterr()
    assert main(ops_argv(line)) == 2
    output = capsys.readouterr().err
    assert f"make variable: {field}: " in output and reason in output, output
    assert "Traceback" not in output


def test_a_missing_database_is_said_so(monkeypatch, capsys):
    port = free_port()
    server = _serve([sys.executable, "-m", "ops.moto_server", "--port", str(port)], port)
    try:
        monkeypatch.setenv("EMULATOR_PORT", str(port))
        monkeypatch.delenv("TARGET", raising=False)
        capsys.readouterr()
        assert main(["restore-database", "dev", "--from", "latest"]) == 1
        assert "acme-database-dev does not exist: dev has no database to restore beside" in capsys.readouterr().err
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_default_name_is_new_and_fits():
    from ops.restore import DATABASE_NAME, restored_name

    now = datetime(2026, 12, 3, 9, 45, 12, tzinfo=UTC)
    assert restored_name(DATABASE, None, DATABASE_NAME, now=now) == "acme-database-dev-restored-20261203094512"
    with pytest.raises(Exception, match="the default name is too long here"):
        restored_name("a" * 50, None, DATABASE_NAME, now=now)
