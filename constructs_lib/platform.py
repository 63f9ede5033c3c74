"""PlatformStack: one environment's whole platform, wired from one EnvironmentConfig.

This is the only place where constructs meet. Each construct gets the
:class:`~constructs_lib.context.PlatformContext` (names, region, account,
partition, logs key, alarm topic, log retention), its section of the
environment file as it is (so a setting keeps its name from the file to the
construct, and its default lives only in the schema), and the outputs of the
constructs it depends on. No construct reads files, environment variables, or
another construct's internals. ARNs that policies need before their resources
exist (the trail, the buckets, the topics) are built from the names, which
keeps the graph free of cycles and the plans free of deferred documents.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.api import Api, ApiProps
from constructs_lib.api_model import EXECUTION_LOG_PREFIX
from constructs_lib.audit import AuditTrail, AuditTrailProps, trail_arn
from constructs_lib.backups import Backups, BackupsProps, CopyRegion, backup_role, failures_rule_arn, vault_arn
from constructs_lib.cis_alarms import CisAlarms
from constructs_lib.compute import Compute, ComputeProps
from constructs_lib.context import PlatformContext, StackScope
from constructs_lib.data_events import platform_data_events
from constructs_lib.data_lake import LOGGED_PURPOSES, TRAIL_PREFIX, DataLake, DataLakeProps, data_lake_bucket_arns
from constructs_lib.database import MYSQL_PORT, Database, DatabaseProps, database_identifier, database_log_group_prefix
from constructs_lib.database_events import database_event_source_arns
from constructs_lib.encryption import PlatformKeys, PlatformKeysProps
from constructs_lib.firewall import WebFirewall, waf_log_group_name
from constructs_lib.identity import MfaEnforcement
from constructs_lib.monitoring import AlarmTopic, AlarmTopicProps, Dashboard, DashboardProps
from constructs_lib.network import Network, NetworkProps
from constructs_lib.permissions_boundary import PermissionsBoundary
from constructs_lib.published_parameters import Published, PublishedParameters
from constructs_lib.rules import PolicyGate, placeholder_context
from constructs_lib.serverless import Serverless, ServerlessProps
from constructs_lib.terraform_settings import configure_aws_provider, configure_remote_state
from environments.schema import EnvironmentConfig
from platform_core import published
from platform_core.conventions import FUNCTION_PURPOSE, TABLE_OPERATIONS
from platform_core.lambda_package import LambdaPackage
from platform_core.naming import ResourceNames, state_bucket_names
from platform_core.subnet_layout import TIERS
from platform_core.target import DeployTarget
from synth_runtime.provider_bindings import aws


class PlatformStack(TerraformStack):
    """The Terraform stack of one environment, named exactly like the environment."""

    def __init__(self, scope: Construct, config: EnvironmentConfig, target: DeployTarget, package: LambdaPackage) -> None:
        super().__init__(scope, config.name)
        self.config = config
        self.policy_gate = PolicyGate(self.node.id, context=placeholder_context(target.is_emulator))
        provider_settings = {
            "tags": config.resource_tags, "target": target, "allowed_account_id": config.account_id, "deploy_role_arn": config.deploy_role_arn,
        }
        configure_aws_provider(self, region=config.region, **provider_settings)
        copy_region = config.backup.copy_to_region
        copy_provider = configure_aws_provider(self, region=copy_region, alias=copy_region, **provider_settings) if copy_region else None
        configure_remote_state(self, config.state, target)
        where = StackScope(
            names=config.names,
            region=config.region,
            account_id=aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "current-account").account_id,
            partition=aws.data_aws_partition.DataAwsPartition(self, "current-partition").partition,
        )
        self.boundary = PermissionsBoundary(self, "permissions-boundary", where)
        where = replace(where, permissions_boundary_arn=self.boundary.arn)
        protections = config.protections
        bucket_arns = data_lake_bucket_arns(where)
        database_events = database_event_source_arns(where, database_identifier(where.names))
        self.backup_role = backup_role(self, "backup-role", where)

        self.keys = PlatformKeys(
            self,
            "keys",
            where,
            PlatformKeysProps(
                settings=config.encryption,
                prevent_destroy=protections.prevent_destroy,
                trail_arn=trail_arn(where),
                notifying_bucket_arns=list(bucket_arns.values()),
                database_event_source_arns=database_events,
                logging_bucket_arns=[bucket_arns[purpose] for purpose in LOGGED_PURPOSES],
                log_group_prefixes=_log_group_prefixes(where.names),
                backup_role_arn=self.backup_role.arn,
                backup_vault_arns=[vault_arn(where)],
                backup_event_rule_arn=failures_rule_arn(where),
                backup_copy_region=copy_region,
                backup_copy_provider=copy_provider,
            ),
        )
        self.network = Network(self, "network", where, NetworkProps(settings=config.network, flow_log_kms_key_arn=self.keys.logs.arn))
        self.alarm_topic = AlarmTopic(
            self,
            "alarm-topic",
            where,
            AlarmTopicProps(
                kms_key_arn=self.keys.logs.arn,
                publishing_bucket_arns=list(bucket_arns.values()),
                database_event_source_arns=database_events,
                alarm_emails=config.monitoring.alarm_emails,
                backup_vault_arns=[vault_arn(where)],
                backup_event_rule_arn=failures_rule_arn(where),
            ),
        )
        ctx = PlatformContext(
            **vars(where),
            logs_key_arn=self.keys.logs.arn,
            alarm_topic_arn=self.alarm_topic.arn,
            log_retention_days=config.logging.retention_days,
        )
        self.data_lake = DataLake(
            self,
            "data-lake",
            ctx,
            DataLakeProps(
                data_key_arn=self.keys.data.arn,
                audit_key_arn=self.keys.audit.arn,
                trail_arn=trail_arn(where),
                settings=config.storage,
                audit=config.audit,
                protections=protections,
            ),
        )
        MfaEnforcement(self, "mfa", where)
        self.compute = Compute(
            self,
            "compute",
            ctx,
            ComputeProps(
                settings=config.compute,
                monitoring=config.monitoring,
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.subnet_ids_by_az("private"),
                data_bucket_arn=self.data_lake.data.arn,
                data_key_arn=self.keys.data.arn,
            ),
        )
        self.database = Database(
            self,
            "database",
            ctx,
            DatabaseProps(
                settings=config.database,
                monitoring=config.monitoring,
                protections=protections,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.subnet_ids("database"),
                app_security_group_id=self.compute.security_group.id,
                kms_key_arn=self.keys.database.arn,
            ),
        )
        self.compute.allow_egress_to("mysql-to-database", self.database.security_group.id, MYSQL_PORT, "MySQL to the database")
        self.serverless = Serverless(
            self,
            "serverless",
            ctx,
            ServerlessProps(
                settings=config.serverless,
                protections=protections,
                cors_allowed_origins=config.api.cors_allowed_origins,
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.subnet_ids("private"),
                package=package,
                data_key_arn=self.keys.data.arn,
                log_bucket_name=self.data_lake.access_logs.name,
                log_bucket_arn=self.data_lake.access_logs.arn,
            ),
        )
        self.trail = AuditTrail(
            self,
            "audit-trail",
            ctx,
            AuditTrailProps(
                audit_bucket_name=self.data_lake.audit.name,
                s3_key_prefix=TRAIL_PREFIX,
                audit_key_arn=self.keys.audit.arn,
                data_events=platform_data_events(
                    self.data_lake.buckets().values(),
                    trail_bucket=self.data_lake.audit,
                    other_bucket_arns=[where.arn("s3", name, regional=False, in_account=False) for name in state_bucket_names(config.state.bucket)],
                    function_arns=[self.serverless.function.arn],
                ),
                settings=config.audit,
                depends_on=[self.data_lake.audit.policy],
            ),
        )
        self.backups = Backups(
            self,
            "backups",
            ctx,
            BackupsProps(
                settings=config.backup,
                protections=protections,
                role_arn=self.backup_role.arn,
                key_arn=self.keys.backup.arn,
                resource_arns=[self.database.instance.arn, self.serverless.table.arn],
                copy=CopyRegion(copy_region, copy_provider, self.keys.backup_copy.arn) if self.keys.backup_copy else None,
            ),
        )
        CisAlarms(self, "cis-alarms", ctx, self.trail.log_group_name)
        function = self.serverless.function
        self.api = Api(self, "api", ctx, ApiProps(settings=config.api, function_name=function.function_name, function_invoke_arn=function.invoke_arn))
        self.firewall = WebFirewall(self, "firewall", ctx, self.api.stage.arn)
        self.dashboard = Dashboard(
            self,
            "dashboard",
            where,
            DashboardProps(
                database_identifier=database_identifier(where.names),
                multi_az=config.database.multi_az,
                instance_ids={slug: server.id for slug, server in self.compute.instances.items()},
                table_name=self.serverless.table.name,
                table_operations=TABLE_OPERATIONS,
                data_bucket_name=self.data_lake.data.name,
                log_group_names=[self.compute.log_group.name, self.network.flow_log_group.name],
            ),
        )
        outputs = self._published()
        for output in outputs:
            # Directly under the stack, an element's logical id is its construct id: "vpc_id".
            TerraformOutput(self, output.output, value=output.value, description=output.description)
        self.published_parameters = PublishedParameters(self, "published-parameters", where, outputs)

    def _published(self) -> list[Published]:
        """Every output of the stack, in one table; those with a path are SSM parameters of the same value too
        (``platform_core/published.py``), so an output and its parameter cannot differ."""
        network, function = self.network, self.serverless.function
        values = [Published("vpc_id", network.vpc_id, "The VPC's id", published.VPC_ID)]
        values += [
            Published(f"{tier}_subnet_ids", network.subnet_ids(tier), f"The {tier} tier's subnet ids, in AZ order", published.subnet_ids(tier))
            for tier in TIERS
        ]
        values.append(Published("nat_gateway_ids", network.nat_gateway_ids, "The NAT gateways' ids"))
        values += [
            Published(f"{_slug(service)}_endpoint_id", endpoint_id, f"The {service} VPC endpoint's id", published.endpoint(service))
            for service, endpoint_id in network.endpoint_ids.items()
        ]
        values += [Published(f"{purpose}_key_arn", key.arn, f"The KMS key for {purpose}") for purpose, key in self.keys.all().items()]
        for purpose, bucket in self.data_lake.buckets().items():
            values.append(Published(f"{_slug(purpose)}_bucket_name", bucket.name, f"The {purpose} bucket's name", published.bucket(purpose)))
            values.append(Published(f"{_slug(purpose)}_bucket_arn", bucket.arn, f"The {purpose} bucket's ARN"))
        values += [
            Published("trail_arn", self.trail.arn, "The CloudTrail trail's ARN"),
            Published("alarm_topic_arn", self.alarm_topic.arn, "The SNS topic every alarm publishes to", published.ALARM_TOPIC_ARN),
            Published("database_endpoint", self.database.instance.address, "The database's host name"),
            Published("database_port", self.database.instance.port, "The database's port"),
            Published("database_secret_arn", self.database.secret_arn, "The ARN of the RDS-managed master secret (not the secret)"),
            Published("app_instance_ids", self.compute.instance_ids, "The app servers' instance ids"),
        ]
        groups = {
            "app": (self.compute.security_group, "The app tier's security group"),
            "database": (self.database.security_group, "The database's security group"),
            FUNCTION_PURPOSE: (self.serverless.security_group, "The data API function's security group"),
        }
        if network.endpoint_security_group is not None:
            groups["endpoints"] = (network.endpoint_security_group, "The interface endpoints' security group")
        values += [
            Published(f"{_slug(group)}_security_group_id", sg.id, description, published.security_group(group))
            for group, (sg, description) in groups.items()
        ]
        values += [
            Published("dashboard_name", self.dashboard.name, "The CloudWatch dashboard of this environment"),
            Published(
                "api_invoke_url", self.api.invoke_url, "The /data endpoint (callable from the allowed CIDRs, with the API key)",
                published.API_INVOKE_URL,
            ),
            Published("api_id", self.api.rest_api.id, "The REST API's id"),
            Published("function_names", [function.function_name], "The Lambda functions' names"),
            Published("function_arns", [function.arn], "The Lambda functions' ARNs"),
            Published("table_name", self.serverless.table.name, "The DynamoDB table's name", published.TABLE_NAME),
            Published("dead_letter_queue_url", self.serverless.dead_letter_queue.url, "The functions' dead-letter queue"),
        ]
        backups = self.backups
        values += [
            Published("backup_vault_name", backups.vault.name, "The backup vault of the database and the table"),
            Published("backup_plan_id", backups.plan.id, "The AWS Backup plan's id"),
            Published("backup_role_arn", self.backup_role.arn, "The role AWS Backup backs up and restores as"),
        ]
        if backups.copy_vault is not None:
            values.append(Published("backup_copy_vault_arn", backups.copy_vault.arn, "The vault in backup.copy_to_region that holds the copies"))
        return values


def _slug(name: str) -> str:
    """An output name's part: ``access-logs`` -> ``access_logs``, ``ecr.api`` -> ``ecr_api``."""
    return name.replace("-", "_").replace(".", "_")


def _log_group_prefixes(names: ResourceNames) -> list[str]:
    """What every log group the logs key encrypts is named like."""
    return [
        names.log_group_prefix,
        database_log_group_prefix(names),
        names.function_log_group(FUNCTION_PURPOSE),
        f"{EXECUTION_LOG_PREFIX}*/{names.environment}",
        waf_log_group_name(names),
    ]
