"""BaselineStack: one AWS account's security baseline, wired from one AccountConfig.

The stack's own provider is the home region; every other covered region gets an aliased
provider (``aws-<region>``), and each regional construct is made once per region with
that region's provider. Account-wide settings (the password policy, the S3 public-access
block, the security contact, the support role) and the Config delivery bucket are made
once, in the home region. The state is the account's own (``accounts/<name>.toml``
``[state]``, workspace ``baseline-<name>``), so no environment's plan ever touches it.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.baseline.access_analysis import AccessAnalysis
from constructs_lib.baseline.account_settings import (
    AccountPublicAccessBlock,
    PasswordPolicyRules,
    SecurityAlternateContact,
    SupportRole,
)
from constructs_lib.baseline.api_gateway_logging import ApiGatewayLogging
from constructs_lib.baseline.config_recording import ConfigDeliveryBucket, ConfigRecording, config_bucket_names
from constructs_lib.baseline.delivery_roles import DeliveryRoles
from constructs_lib.baseline.ebs_encryption import EbsDefaultEncryption
from constructs_lib.baseline.findings import FindingsNotification
from constructs_lib.baseline.region import Region
from constructs_lib.baseline.security_hub import SecurityHub
from constructs_lib.baseline.threat_detection import ThreatDetection
from constructs_lib.context import StackScope
from constructs_lib.encryption import EncryptionKey, EncryptionKeyProps, ServiceGrant
from constructs_lib.permissions_boundary import PermissionsBoundary
from constructs_lib.rules import PolicyGate, placeholder_context
from constructs_lib.terraform_settings import configure_aws_provider, configure_remote_state
from environments.account_schema import AccountConfig
from environments.schema import EnvironmentConfig
from platform_core.target import DeployTarget
from synth_runtime.provider_bindings import aws


class BaselineStack(TerraformStack):
    """The Terraform stack of one account's baseline: ``baseline-<account>``."""

    def __init__(
        self, scope: Construct, account: AccountConfig, target: DeployTarget, environments: Sequence[EnvironmentConfig] = ()
    ) -> None:
        """``environments``: the account's environments, which get delivery roles when the account has ``[delivery]``."""
        super().__init__(scope, account.stack_name)
        self.account = self.config = account
        self.policy_gate = PolicyGate(self.node.id, context=placeholder_context(target.is_emulator))
        tags = account.resource_tags
        configure_aws_provider(
            self, region=account.home_region, tags=tags, target=target,
            allowed_account_id=account.account_id, deploy_role_arn=account.deploy_role_arn,
        )
        configure_remote_state(self, account.state, target)
        account_id = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "current-account").account_id
        partition = aws.data_aws_partition.DataAwsPartition(self, "current-partition").partition
        self.boundary = PermissionsBoundary(
            self, "permissions-boundary", StackScope(names=account.names, region=account.home_region, account_id=account_id, partition=partition)
        )
        self.regions = [
            Region(
                name=name,
                provider=None if name == account.home_region else configure_aws_provider(
                    self, region=name, tags=tags, target=target, allowed_account_id=account.account_id,
                    deploy_role_arn=account.deploy_role_arn, alias=name,
                ),
                scope=StackScope(
                    names=account.names, region=name, account_id=account_id, partition=partition, permissions_boundary_arn=self.boundary.arn
                ),
                home=name == account.home_region,
            )
            for name in account.covered_regions
        ]
        home = self.regions[0]
        features, protections = account.features, account.protections

        PasswordPolicyRules(self, "password-policy", account.password_policy)
        AccountPublicAccessBlock(self, "s3-public-access-block")
        SecurityAlternateContact(self, "security-contact", account.security_contact)
        self.support_role = SupportRole(self, "support-role", home.scope)
        ApiGatewayLogging(self, "api-gateway-logging", self.regions)
        logs_arn, history_arn = (home.scope.arn("s3", name, regional=False, in_account=False) for name in config_bucket_names(home.scope))
        config_buckets = [logs_arn, history_arn] if features.config else []
        self.findings = FindingsNotification(
            self, "findings", home.scope, from_security_hub=features.security_hub, email=account.security_contact.email,
            deletion_window_days=protections.key_deletion_window_days, notifying_bucket_arns=config_buckets,
        )
        if features.config:
            self.config_key = EncryptionKey(self, "config-key", home.scope, EncryptionKeyProps(
                purpose="config", description=f"Encrypts the AWS Config history of account {account.name} and its access logs",
                deletion_window_days=protections.key_deletion_window_days, prevent_destroy=False,
                service_grants=[ServiceGrant(
                    sid="S3LogDeliveryWritesTheConfigBucketsAccessLogs", service="logging.s3.amazonaws.com",
                    actions=("kms:GenerateDataKey*", "kms:Decrypt"),
                    conditions=[("StringEquals", "aws:SourceAccount", [account_id]),
                                ("ArnLike", "aws:SourceArn", [history_arn])],
                )],
            ))
            self.config_delivery = ConfigDeliveryBucket(
                self, "config-delivery", home.scope, self.config_key.arn, force_destroy=not protections.keep_config_history,
                notify_topic_arn=self.findings.topic_arn,
            )
        for region in self.regions:
            slug = f"-{region.name}"
            if features.guardduty:
                ThreatDetection(self, f"guardduty{slug}", region, features)
            if features.security_hub:
                SecurityHub(self, f"security-hub{slug}", region)
            if features.config:
                ConfigRecording(self, f"config{slug}", region, self.config_delivery.delivery)
            EbsDefaultEncryption(self, f"ebs-encryption{slug}", region, protections.key_deletion_window_days)
            AccessAnalysis(self, f"access-analysis{slug}", region, features)
        self.delivery: DeliveryRoles | None = None
        if account.delivery is not None:
            mine = [e for e in environments if e.account == account.name]
            if mine:  # with no environment, there is nothing to deliver
                self.delivery = DeliveryRoles(self, "delivery", home.scope, account, mine)
        self._outputs()

    def _outputs(self) -> None:
        TerraformOutput(self, "support_role_arn", value=self.support_role.role.arn, description="The support role (CIS 1.17), assumable with MFA")
        TerraformOutput(self, "findings_topic_arn", value=self.findings.topic_arn, description="Where high-severity findings are published")
        TerraformOutput(self, "covered_regions", value=self.account.covered_regions, description="The regions the baseline covers")
        if self.delivery is not None:
            for name, roles in self.delivery.roles.items():
                slug = name.replace("-", "_")
                TerraformOutput(self, f"{slug}_plan_role_arn", value=roles.plan.arn, description=f"GitHub variable PLAN_ROLE_ARN_{slug.upper()}")
                if roles.apply is not None:
                    TerraformOutput(self, f"{slug}_apply_role_arn", value=roles.apply.arn, description=f"APPLY_ROLE_ARN of GitHub environment {name}")
        if self.account.features.config:
            TerraformOutput(self, "config_bucket_name", value=self.config_delivery.bucket.name, description="The AWS Config history bucket")
