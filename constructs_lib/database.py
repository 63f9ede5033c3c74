"""The database tier: RDS MySQL 8.4 LTS in the database subnets, private, encrypted and watched.

What it creates, and why:

* A subnet group over the database subnets (which have no route out), and a
  security group that admits 3306 from the app tier's security group only.
* A parameter group of the engine's family (``mysql8.4``) with
  ``require_secure_transport = 1``, created before the old one is destroyed, so
  it can be replaced while the database uses it. A new major version changes the
  family, which replaces the group; it holds settings, not data.
* The instance: multi-AZ when configured, not publicly accessible, storage
  encrypted with the database key, the master password generated and kept by
  RDS in Secrets Manager under the same key (no password exists anywhere in
  code, config, state or plan), IAM authentication, backups and maintenance
  in the configured windows, deletion protection and a final snapshot where
  the environment keeps them, enhanced monitoring every 60 s through its own
  role, Performance Insights under the database key, the error, general and
  slow-query logs exported to KMS-encrypted log groups with a retention, tags
  copied to snapshots, and automatic minor upgrades. Major upgrades are allowed
  (``allow_major_version_upgrade``), so a new ``engine_version`` major in the
  environment file upgrades the instance in place, never replaces it; RDS never
  changes the major version on its own. MySQL 8.0, past RDS standard support,
  runs only where the environment accepts Extended Support
  (``environments/consistency.py``).
* Alarms to the alarm topic: CPU, free storage, connections, and replica lag
  where multi-AZ; and the instance's and parameter group's RDS events
  (``constructs_lib/database_events.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.context import PlatformContext
from constructs_lib.database_events import DatabaseEvents, DatabaseEventsProps
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.security_groups import tier_security_group
from environments.schema import Protections
from environments.workload_schema import DatabaseConfig, MonitoringConfig
from platform_core.naming import ResourceNames
from synth_runtime.provider_bindings import aws

MYSQL_PORT = 3306
EXPORTED_LOGS: tuple[str, ...] = ("error", "general", "slowquery")
MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
"""The current RDS certificate authority; clients verify the server's TLS certificate against it."""
MASTER_USERNAME = "platform_admin"
"""Not a secret: the password is generated and held by RDS in Secrets Manager."""


def database_identifier(names: ResourceNames) -> str:
    return names.name("database")


def database_log_group_prefix(names: ResourceNames) -> str:
    """RDS exports logs to ``/aws/rds/instance/<id>/<log>``; the logs key admits this prefix."""
    return f"/aws/rds/instance/{database_identifier(names)}/"


@dataclass(frozen=True)
class DatabaseProps:
    """The database's settings, alarm thresholds and protections, its network and its key."""

    settings: DatabaseConfig
    """The environment's ``[database]`` settings."""
    monitoring: MonitoringConfig
    """The CPU, free-storage and connections alarm thresholds."""
    protections: Protections
    """Deletion protection, the final snapshot and ``prevent_destroy``."""
    vpc_id: str
    subnet_ids: Sequence[str]
    app_security_group_id: str
    kms_key_arn: str
    """The database key: storage, the master secret and Performance Insights."""


class Database(Construct):
    """RDS MySQL with its network, parameters, monitoring and alarms. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: DatabaseProps) -> None:
        super().__init__(scope, construct_id)
        names, settings, protections = ctx.names, props.settings, props.protections
        identifier = database_identifier(names)
        self.security_group = tier_security_group(
            self,
            "security-group",
            names=names,
            purpose="database",
            description="The database: MySQL from the app tier only",
            vpc_id=props.vpc_id,
        )
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self,
            "mysql-from-app",
            security_group_id=self.security_group.id,
            description="MySQL from the app servers",
            ip_protocol="tcp",
            from_port=MYSQL_PORT,
            to_port=MYSQL_PORT,
            referenced_security_group_id=props.app_security_group_id,
        )
        subnet_group = aws.db_subnet_group.DbSubnetGroup(
            self,
            "subnet-group",
            name=identifier,
            description="The database tier's subnets (no route to the internet)",
            subnet_ids=list(props.subnet_ids),
        )
        parameters = aws.db_parameter_group.DbParameterGroup(
            self,
            "parameter-group",
            name_prefix=f"{identifier}-",
            family=f"mysql{settings.major_version}",
            description=f"MySQL {settings.major_version} parameters: TLS required",
            parameter=[
                aws.db_parameter_group.DbParameterGroupParameter(
                    name="require_secure_transport", value="1", apply_method="immediate"
                )
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        monitoring_role = ServiceRole(
            self,
            "monitoring-role",
            ctx,
            ServiceRoleProps(
                purpose="database-monitoring",
                description="Lets RDS enhanced monitoring of this environment's database publish metrics",
                service="monitoring.rds.amazonaws.com",
                source_arn=ctx.arn("rds", f"db:{identifier}"),
                statements=(),
                managed_policy_arns=[ctx.aws_managed_policy("service-role/AmazonRDSEnhancedMonitoringRole")],
            ),
        )
        log_groups = [
            EncryptedLogGroup(
                self,
                f"{log}-log-group",
                EncryptedLogGroupProps(
                    name=f"{database_log_group_prefix(names)}{log}",
                    retention_days=ctx.log_retention_days,
                    kms_key_arn=ctx.logs_key_arn,
                ),
            ).log_group
            for log in EXPORTED_LOGS
        ]
        self.instance = aws.db_instance.DbInstance(
            self,
            "instance",
            identifier=identifier,
            engine="mysql",
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            allocated_storage=settings.allocated_storage_gb,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=props.kms_key_arn,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=props.kms_key_arn,
            iam_database_authentication_enabled=True,
            ca_cert_identifier=CA_CERTIFICATE,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=parameters.name,
            multi_az=settings.multi_az,
            publicly_accessible=False,
            backup_retention_period=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            # Lets a new major in engine_version (with its new parameter group) apply as an in-place
            # modification; without it RDS refuses that change. It upgrades nothing by itself.
            allow_major_version_upgrade=True,
            deletion_protection=protections.deletion_protection,
            skip_final_snapshot=not protections.final_snapshot,
            final_snapshot_identifier=f"{identifier}-final" if protections.final_snapshot else None,
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=monitoring_role.arn,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=props.kms_key_arn,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
            enabled_cloudwatch_logs_exports=list(EXPORTED_LOGS),
            tags={"Name": identifier},
            # The log groups must exist first, or RDS creates them unencrypted and kept forever.
            depends_on=log_groups,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=protections.prevent_destroy),
        )
        self._alarms(ctx, props)
        self.events = DatabaseEvents(
            self, "events", ctx, DatabaseEventsProps(instance_identifier=self.instance.identifier, parameter_group_name=parameters.name)
        )

    def _alarms(self, ctx: PlatformContext, props: DatabaseProps) -> None:
        thresholds = props.monitoring
        free_storage_bytes = props.settings.allocated_storage_gb * thresholds.free_storage_alarm_percent // 100 * 1024**3
        alarms = [
            ("cpu", "CPUUtilization", "GreaterThanOrEqualToThreshold", thresholds.cpu_alarm_percent, f"CPU at or above {thresholds.cpu_alarm_percent}%"),
            ("free-storage", "FreeStorageSpace", "LessThanOrEqualToThreshold", free_storage_bytes, f"free storage at or below {thresholds.free_storage_alarm_percent}% of the allocation"),
            ("connections", "DatabaseConnections", "GreaterThanOrEqualToThreshold", thresholds.database_connections_alarm, f"{thresholds.database_connections_alarm} or more connections"),
        ]
        if props.settings.multi_az:
            alarms.append(("replica-lag", "ReplicaLag", "GreaterThanOrEqualToThreshold", 60, "replication 60 s or more behind"))
        self.alarms = {}
        for slug, metric, comparison, threshold, what in alarms:
            self.alarms[slug] = metric_alarm(
                self,
                f"{slug}-alarm",
                ctx,
                AlarmSpec(
                    purpose=f"database-{slug}",
                    description=f"The {ctx.names.environment} database: {what} for 15 minutes",
                    runbook=f"database-{slug}",
                    namespace="AWS/RDS",
                    metric=metric,
                    dimensions={"DBInstanceIdentifier": self.instance.identifier},
                    evaluation_periods=3,
                    threshold=threshold,
                    comparison=comparison,
                    treat_missing_data="missing",
                ),
            )

    @property
    def secret_arn(self) -> str:
        """The ARN of the RDS-managed master secret (never its value)."""
        return self.instance.master_user_secret.get(0).secret_arn
