"""Database checks: engine, encryption, AZs, privacy, secret, TLS, protections, logs, monitoring, RDS events."""

from __future__ import annotations

from functools import cache

from ops.verify import EmulatorGap, VerifyContext, expect
from platform_core.rds_events import SUBSCRIPTIONS


@cache
def _instance(ctx: VerifyContext) -> dict:
    (db,) = ctx.client("rds").describe_db_instances(DBInstanceIdentifier=ctx.names.name("database"))["DBInstances"]
    return db


def engine(ctx: VerifyContext) -> str:
    db = _instance(ctx)
    expect(db["Engine"] == "mysql", f"engine is {db['Engine']}")
    settings = ctx.config.database
    version = db["EngineVersion"]
    major = ".".join(version.split(".")[:2])
    expect(major == settings.major_version, f"engine version {version} is not MySQL {settings.major_version}")
    expect(version == settings.engine_version or version.startswith(settings.engine_version + "."), f"engine version {version}, configured {settings.engine_version}")
    (group,) = db["DBParameterGroups"]
    (described,) = ctx.client("rds").describe_db_parameter_groups(DBParameterGroupName=group["DBParameterGroupName"])["DBParameterGroups"]
    expect(described["DBParameterGroupFamily"] == f"mysql{major}", f"parameter group family {described['DBParameterGroupFamily']}")
    return f"mysql {version}, parameter family mysql{major}"


def encrypted_with_the_database_key(ctx: VerifyContext) -> None:
    db = _instance(ctx)
    key = ctx.key_arn("database")
    expect(db["StorageEncrypted"] is True, "storage is not encrypted")
    expect(db.get("KmsKeyId") == key, f"storage key is {db.get('KmsKeyId')}")
    secret = db.get("MasterUserSecret") or {}
    expect(bool(secret.get("SecretArn")), "the master password is not managed in Secrets Manager")
    expect(secret.get("KmsKeyId") == key, f"the master secret is encrypted with {secret.get('KmsKeyId')}")


def availability(ctx: VerifyContext) -> str:
    db = _instance(ctx)
    expect(db["MultiAZ"] is ctx.config.database.multi_az, f"MultiAZ is {db['MultiAZ']}")
    expect(db["PubliclyAccessible"] is False, "the database is publicly accessible")
    tiers = ctx.subnet_tiers()
    subnets = [s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]]
    expect(subnets and all(tiers.get(s) == "database" for s in subnets), f"the subnet group spans {subnets}")
    return f"multi-AZ={db['MultiAZ']}, private, database subnets"


def access(ctx: VerifyContext) -> None:
    db = _instance(ctx)
    expect(db["IAMDatabaseAuthenticationEnabled"] is True, "IAM authentication is off")
    rds = ctx.client("rds")
    (group,) = db["DBParameterGroups"]
    parameters = rds.describe_db_parameters(DBParameterGroupName=group["DBParameterGroupName"])["Parameters"]
    values = {p["ParameterName"]: p.get("ParameterValue") for p in parameters}
    expect(values.get("require_secure_transport") == "1", f"require_secure_transport is {values.get('require_secure_transport')}")
    ec2 = ctx.client("ec2")
    (group_id,) = [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]]
    (sg,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    (rule,) = sg["IpPermissions"]
    expect((rule["FromPort"], rule["ToPort"]) == (3306, 3306) and not rule.get("IpRanges"), f"database ingress {rule}")
    sources = [pair["GroupId"] for pair in rule.get("UserIdGroupPairs", [])]
    app = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [ctx.names.name("app")]}])["SecurityGroups"]
    expect(sources == [app[0]["GroupId"]], f"3306 is open to {sources}")


def protections(ctx: VerifyContext) -> str:
    db = _instance(ctx)
    protected = ctx.config.protections.deletion_protection
    expect(db["DeletionProtection"] is protected, f"deletion protection is {db['DeletionProtection']}")
    expect(db["BackupRetentionPeriod"] == ctx.config.database.backup_retention_days, f"backups kept {db['BackupRetentionPeriod']} days")
    expect(db["PreferredBackupWindow"] == ctx.config.database.backup_window, f"backup window {db['PreferredBackupWindow']}")
    expect(db["CopyTagsToSnapshot"] is True and db["AutoMinorVersionUpgrade"] is True, "tags or minor upgrades")
    return f"deletion protection={protected}, backups {db['BackupRetentionPeriod']} days"


def logs_and_monitoring(ctx: VerifyContext) -> None:
    db = _instance(ctx)
    expect(sorted(db.get("EnabledCloudwatchLogsExports", [])) == ["error", "general", "slowquery"], f"exports {db.get('EnabledCloudwatchLogsExports')}")
    expect(db.get("MonitoringInterval") == 60 and db.get("MonitoringRoleArn"), "enhanced monitoring is off")


def performance_insights(ctx: VerifyContext) -> None:
    db = _instance(ctx)
    if "PerformanceInsightsEnabled" not in db and ctx.target.is_emulator:
        raise EmulatorGap("moto does not implement Performance Insights")
    expect(db.get("PerformanceInsightsEnabled") is True, "Performance Insights is off")
    expect(db.get("PerformanceInsightsKMSKeyId") == ctx.key_arn("database"), "Performance Insights uses another key")


def event_subscriptions(ctx: VerifyContext) -> str:
    """RDS sends the instance's and its parameter group's events to the alarm topic."""
    db = _instance(ctx)
    (group,) = db["DBParameterGroups"]
    sources = {"db-instance": db["DBInstanceIdentifier"], "db-parameter-group": group["DBParameterGroupName"]}
    rds = ctx.client("rds")
    for purpose, (source_type, categories) in SUBSCRIPTIONS.items():
        name = ctx.names.name(purpose)
        (found,) = rds.describe_event_subscriptions(SubscriptionName=name)["EventSubscriptionsList"]
        expect(found["SnsTopicArn"] == ctx.topic_arn(), f"{name} publishes to {found['SnsTopicArn']}")
        expect(found.get("SourceType") == source_type, f"{name} watches {found.get('SourceType')}")
        expect(found.get("SourceIdsList") == [sources[source_type]], f"{name} watches {found.get('SourceIdsList')}")
        expect(sorted(found.get("EventCategoriesList", [])) == sorted(categories), f"{name} categories {found.get('EventCategoriesList')}")
        expect(found["Enabled"] is True and found["Status"] == "active", f"{name} is {found['Status']}, enabled={found['Enabled']}")
    return ", ".join(ctx.names.name(purpose) for purpose in SUBSCRIPTIONS)


CHECKS = [
    ("database", "MySQL at the configured major and version, parameter group of its family", engine),
    ("database", "storage and the RDS-managed master secret are encrypted with the database key", encrypted_with_the_database_key),
    ("database", "multi-AZ as configured, not public, in the database subnets", availability),
    ("database", "IAM auth, require_secure_transport=1, 3306 only from the app security group", access),
    ("database", "deletion protection, backups and windows as configured", protections),
    ("database", "error, general and slow-query logs exported; enhanced monitoring every 60 s", logs_and_monitoring),
    ("database", "Performance Insights encrypted with the database key", performance_insights),
    ("database", "RDS events of the instance and its parameter group go to the alarm topic", event_subscriptions),
]
