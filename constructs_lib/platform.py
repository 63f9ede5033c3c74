"""PlatformStack: one environment's whole platform, wired from one EnvironmentConfig.

This is the only place where constructs meet. Each construct gets typed props
built from the config and from the outputs of the constructs it depends on;
no construct reads files, environment variables, or another construct's
internals.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.encryption import EncryptionKey, EncryptionKeyProps, cloudwatch_logs_grant
from constructs_lib.naming import ResourceNames
from constructs_lib.network import Network, NetworkProps
from constructs_lib.provider_bindings import aws
from constructs_lib.terraform_settings import RemoteStateProps, configure_aws_provider, configure_remote_state
from environments.schema import EnvironmentConfig
from environments.target import DeployTarget


class PlatformStack(TerraformStack):
    """The Terraform stack of one environment, named exactly like the environment."""

    def __init__(self, scope: Construct, config: EnvironmentConfig, target: DeployTarget) -> None:
        super().__init__(scope, config.name)
        self.config = config
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
        account_id, partition_name = identity.account_id, partition.partition

        self.logs_key = EncryptionKey(
            self,
            "logs-key",
            EncryptionKeyProps(
                names=names,
                purpose="logs",
                description=f"Encrypts the CloudWatch log groups of {names.project} {names.environment}",
                account_id=account_id,
                partition=partition_name,
                service_grants=[
                    cloudwatch_logs_grant(
                        region=config.region,
                        account_id=account_id,
                        partition=partition_name,
                        log_group_prefix=names.log_group_prefix,
                    )
                ],
            ),
        )

        network = config.network
        self.network = Network(
            self,
            "network",
            NetworkProps(
                names=names,
                region=config.region,
                account_id=account_id,
                partition=partition_name,
                vpc_cidr=network.vpc_cidr,
                availability_zones=tuple(network.availability_zones),
                subnet_prefix_lengths=network.subnet_prefix_lengths.as_dict(),
                nat_mode=network.nat_mode,
                flow_log_retention_days=network.flow_log_retention_days,
                flow_log_kms_key_arn=self.logs_key.arn,
                interface_endpoints=tuple(network.interface_endpoints),
            ),
        )
        self._outputs()

    def _output(self, name: str, value, description: str) -> None:
        TerraformOutput(self, name, value=value, description=description).override_logical_id(name)

    def _outputs(self) -> None:
        network = self.network
        self._output("vpc_id", network.vpc_id, "The VPC's id")
        for tier in ("public", "private", "database"):
            self._output(f"{tier}_subnet_ids", network.subnet_ids(tier), f"The {tier} tier's subnet ids, in AZ order")
        self._output("nat_gateway_ids", network.nat_gateway_ids, "The NAT gateways' ids")
        self._output("logs_key_arn", self.logs_key.arn, "The KMS key that encrypts the log groups")
