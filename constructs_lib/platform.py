"""PlatformStack: one environment's whole platform, wired from one EnvironmentConfig.

This is the only place where constructs meet. Each construct gets typed props
built from the config and from the outputs of the constructs it depends on;
no construct reads files, environment variables, or another construct's
internals. ARNs that policies need before their resources exist (the trail,
the buckets, the topics) are built from the names, which keeps the graph free
of cycles and the plans free of deferred documents.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.api import EXECUTION_LOG_PREFIX, Api, ApiProps
from constructs_lib.audit import AuditTrail, AuditTrailProps, trail_arn
from constructs_lib.cis_alarms import CisAlarms, CisAlarmsProps
from constructs_lib.compute import Compute, ComputeProps
from constructs_lib.database import MYSQL_PORT, Database, DatabaseProps, database_identifier, database_log_group_prefix
from constructs_lib.encryption import PlatformKeys, PlatformKeysProps
from constructs_lib.firewall import WebFirewall, WebFirewallProps, waf_log_group_name
from constructs_lib.identity import MfaEnforcement, MfaEnforcementProps
from constructs_lib.lambda_package import LambdaPackage
from constructs_lib.monitoring import AlarmTopic, AlarmTopicProps, Dashboard, DashboardProps
from constructs_lib.network import Network, NetworkProps
from constructs_lib.policies import PolicyGate, placeholder_context
from constructs_lib.provider_bindings import aws
from constructs_lib.serverless import Serverless, ServerlessProps, function_log_group
from constructs_lib.storage import (
    DATA_LAKE_PURPOSES,
    LOGGED_PURPOSES,
    TRAIL_PREFIX,
    DataLake,
    DataLakeProps,
    Transition,
)
from constructs_lib.terraform_settings import RemoteStateProps, configure_aws_provider, configure_remote_state
from environments.schema import EnvironmentConfig
from platform_core.naming import ResourceNames
from platform_core.target import DeployTarget


class PlatformStack(TerraformStack):
    """The Terraform stack of one environment, named exactly like the environment."""

    def __init__(self, scope: Construct, config: EnvironmentConfig, target: DeployTarget, package: LambdaPackage) -> None:
        super().__init__(scope, config.name)
        self.config = config
        self.policy_gate = PolicyGate.guard(self, placeholder_context(target.is_emulator))
        configure_aws_provider(
            self,
            region=config.region,
            tags=config.resource_tags,
            target=target,
            allowed_account_id=config.account_id,
        )
        configure_remote_state(
            self,
            RemoteStateProps(bucket=config.state.bucket, key=config.state.key, region=config.state.region),
            target,
        )
        names = ResourceNames(project=config.project, environment=config.name)
        identity = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "current-account")
        partition = aws.data_aws_partition.DataAwsPartition(self, "current-partition")
        account, part, region = identity.account_id, partition.partition, config.region
        protections = config.protections

        bucket_names = {p: names.bucket_name(p, account) for p in DATA_LAKE_PURPOSES}
        bucket_arns = {purpose: f"arn:{part}:s3:::{name}" for purpose, name in bucket_names.items()}
        trail = trail_arn(names, partition=part, region=region, account_id=account)

        self.keys = PlatformKeys(
            self,
            "keys",
            PlatformKeysProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                trail_arn=trail,
                notifying_bucket_arns=list(bucket_arns.values()),
                logging_bucket_arns=[bucket_arns[p] for p in LOGGED_PURPOSES],
                log_group_prefixes=[
                    names.log_group_prefix,
                    database_log_group_prefix(names),
                    function_log_group(names),
                    f"{EXECUTION_LOG_PREFIX}*/{names.environment}",
                    waf_log_group_name(names),
                ],
                deletion_window_days=config.encryption.key_deletion_window_days,
                prevent_destroy=protections.prevent_destroy,
            ),
        )

        network = config.network
        self.network = Network(
            self,
            "network",
            NetworkProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                vpc_cidr=network.vpc_cidr,
                availability_zones=tuple(network.availability_zones),
                subnet_prefix_lengths=network.subnet_prefix_lengths.as_dict(),
                nat_mode=network.nat_mode,
                flow_log_retention_days=network.flow_log_retention_days,
                flow_log_kms_key_arn=self.keys.logs.arn,
                interface_endpoints=tuple(network.interface_endpoints),
            ),
        )

        self.alarm_topic = AlarmTopic(
            self,
            "alarm-topic",
            AlarmTopicProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                kms_key_arn=self.keys.logs.arn,
                publishing_bucket_arns=list(bucket_arns.values()),
                email_subscriptions=tuple(config.monitoring.alarm_emails),
            ),
        )

        storage = config.storage
        self.data_lake = DataLake(
            self,
            "data-lake",
            DataLakeProps(
                bucket_names=bucket_names,
                partition=part,
                account_id=account,
                data_key_arn=self.keys.data.arn,
                logs_key_arn=self.keys.logs.arn,
                audit_key_arn=self.keys.audit.arn,
                alarm_topic_arn=self.alarm_topic.arn,
                trail_arn=trail,
                data_transitions=[Transition(t.days, t.storage_class) for t in storage.data_transitions],
                log_expiration_days=storage.log_expiration_days,
                noncurrent_version_expiration_days=storage.noncurrent_version_expiration_days,
                audit_retention_days=config.audit.log_retention_days,
                force_destroy=not protections.keep_bucket_contents,
                prevent_destroy=protections.prevent_destroy,
            ),
        )

        self.trail = AuditTrail(
            self,
            "audit-trail",
            AuditTrailProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                audit_bucket_name=self.data_lake.audit.name,
                s3_key_prefix=TRAIL_PREFIX,
                audit_key_arn=self.keys.audit.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.audit.log_retention_days,
                data_bucket_arn=self.data_lake.data.arn,
                depends_on=[self.data_lake.audit.policy],
            ),
        )
        CisAlarms(
            self,
            "cis-alarms",
            CisAlarmsProps(names=names, log_group_name=self.trail.log_group_name, alarm_topic_arn=self.alarm_topic.arn),
        )
        MfaEnforcement(self, "mfa", MfaEnforcementProps(names=names, account_id=account, partition=part))

        monitoring = config.monitoring
        self.compute = Compute(
            self,
            "compute",
            ComputeProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.subnet_ids_by_az("private"),
                data_bucket_arn=self.data_lake.data.arn,
                data_key_arn=self.keys.data.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                alarm_topic_arn=self.alarm_topic.arn,
                instance_type=config.compute.instance_type,
                instances_per_az=config.compute.instances_per_az,
                ami_id=config.compute.ami_id,
                ami_parameter=config.compute.ami_parameter,
                cpu_alarm_percent=monitoring.cpu_alarm_percent,
            ),
        )
        database = config.database
        self.database = Database(
            self,
            "database",
            DatabaseProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.subnet_ids("database"),
                app_security_group_id=self.compute.security_group.id,
                kms_key_arn=self.keys.database.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                alarm_topic_arn=self.alarm_topic.arn,
                engine_version=database.engine_version,
                instance_class=database.instance_class,
                allocated_storage_gb=database.allocated_storage_gb,
                max_allocated_storage_gb=database.max_allocated_storage_gb,
                multi_az=database.multi_az,
                backup_retention_days=database.backup_retention_days,
                backup_window=database.backup_window,
                maintenance_window=database.maintenance_window,
                deletion_protection=protections.deletion_protection,
                final_snapshot=protections.final_snapshot,
                prevent_destroy=protections.prevent_destroy,
                cpu_alarm_percent=monitoring.cpu_alarm_percent,
                free_storage_alarm_percent=monitoring.free_storage_alarm_percent,
                connections_alarm=monitoring.database_connections_alarm,
            ),
        )
        self.compute.allow_egress_to("mysql-to-database", self.database.security_group.id, MYSQL_PORT, "MySQL to the database")
        self.serverless = Serverless(
            self,
            "serverless",
            ServerlessProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.subnet_ids("private"),
                package=package,
                data_key_arn=self.keys.data.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                log_bucket_name=self.data_lake.access_logs.name,
                log_bucket_arn=self.data_lake.access_logs.arn,
                alarm_topic_arn=self.alarm_topic.arn,
                allowed_origins=tuple(config.api.cors_allowed_origins),
                reserved_concurrency=config.serverless.reserved_concurrency,
                timeout_seconds=config.serverless.timeout_seconds,
                memory_mb=config.serverless.memory_mb,
                deletion_protection=protections.deletion_protection,
                prevent_destroy=protections.prevent_destroy,
            ),
        )
        api = config.api
        self.api = Api(
            self,
            "api",
            ApiProps(
                names=names,
                region=region,
                account_id=account,
                partition=part,
                allowed_cidrs=tuple(config.network.allowed_ingress_cidrs),
                function_name=self.serverless.function.function_name,
                function_invoke_arn=self.serverless.function.invoke_arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                alarm_topic_arn=self.alarm_topic.arn,
                cors_allowed_origins=tuple(api.cors_allowed_origins),
                throttle_rate_limit=api.throttle_rate_limit,
                throttle_burst_limit=api.throttle_burst_limit,
                daily_quota=api.daily_quota,
                latency_alarm_ms=api.latency_alarm_ms,
            ),
        )
        self.firewall = WebFirewall(
            self,
            "firewall",
            WebFirewallProps(
                names=names,
                stage_arn=self.api.stage.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
            ),
        )
        self.dashboard = Dashboard(
            self,
            "dashboard",
            DashboardProps(
                names=names,
                region=region,
                database_identifier=database_identifier(names),
                database_multi_az=database.multi_az,
                instance_ids={slug: server.id for slug, server in self.compute.instances.items()},
                log_group_names=[self.compute.log_group.name, self.network.flow_log_group.name],
            ),
        )
        self._outputs()

    def _output(self, name: str, value, description: str) -> None:
        # Directly under the stack, an element's logical id is its construct id: "vpc_id".
        TerraformOutput(self, name, value=value, description=description)

    def _outputs(self) -> None:
        network = self.network
        self._output("vpc_id", network.vpc_id, "The VPC's id")
        for tier in ("public", "private", "database"):
            self._output(f"{tier}_subnet_ids", network.subnet_ids(tier), f"The {tier} tier's subnet ids, in AZ order")
        self._output("nat_gateway_ids", network.nat_gateway_ids, "The NAT gateways' ids")
        for purpose, key in self.keys.all().items():
            self._output(f"{purpose}_key_arn", key.arn, f"The KMS key for {purpose}")
        for purpose, bucket in self.data_lake.buckets().items():
            slug = purpose.replace("-", "_")
            self._output(f"{slug}_bucket_name", bucket.name, f"The {purpose} bucket's name")
            self._output(f"{slug}_bucket_arn", bucket.arn, f"The {purpose} bucket's ARN")
        self._output("trail_arn", self.trail.arn, "The CloudTrail trail's ARN")
        self._output("alarm_topic_arn", self.alarm_topic.arn, "The SNS topic every alarm publishes to")
        self._output("database_endpoint", self.database.instance.address, "The database's host name")
        self._output("database_port", self.database.instance.port, "The database's port")
        self._output("database_secret_arn", self.database.secret_arn, "The ARN of the RDS-managed master secret (not the secret)")
        self._output("app_instance_ids", self.compute.instance_ids, "The app servers' instance ids")
        self._output("app_security_group_id", self.compute.security_group.id, "The app tier's security group")
        self._output("database_security_group_id", self.database.security_group.id, "The database's security group")
        self._output("dashboard_name", self.dashboard.name, "The CloudWatch dashboard of this environment")
        self._output("api_invoke_url", self.api.invoke_url, "The /data endpoint (callable from the allowed CIDRs, with the API key)")
        self._output("api_id", self.api.rest_api.id, "The REST API's id")
        function = self.serverless.function
        self._output("function_names", [function.function_name], "The Lambda functions' names")
        self._output("function_arns", [function.arn], "The Lambda functions' ARNs")
        self._output("table_name", self.serverless.table.name, "The DynamoDB table's name")
        self._output("dead_letter_queue_url", self.serverless.dead_letter_queue.url, "The functions' dead-letter queue")
