"""AWS Config: every supported resource recorded, in every covered region, into one encrypted, logged bucket.

* In the home region: the delivery bucket (a ``SecureBucket`` under the account's
  recording key, writable by AWS Config of this account only, under its prefix) and the
  bucket its server access logs go to, both publishing deletions and ACL changes to the
  findings topic; the role AWS Config records through.
* In every covered region: a recorder of all supported resource types (global ones, IAM,
  in the home region only, so they are recorded once), its delivery channel to the home
  bucket, the recorder turned on, and AWS managed rules that mirror the platform's
  promises (``platform_core.account_controls.CONFIG_RULES``; the IAM ones in the home
  region only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.baseline.region import Region
from constructs_lib.context import StackScope
from constructs_lib.iam_documents import statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.secure_bucket import AccessLogTarget, LifecyclePolicy, SecureBucket, SecureBucketProps
from platform_core.account_controls import CONFIG_RULES
from synth_runtime.provider_bindings import aws

HISTORY_DAYS = 2557
"""Configuration history is kept seven years, like audit logs."""
ACCESS_LOG_DAYS = 365
CONFIG_PREFIX = "config"


@dataclass(frozen=True)
class ConfigDelivery:
    """Where every region's recorder delivers: the home region's bucket and its key."""

    bucket_name: str
    kms_key_arn: str
    role_arn: str


def config_bucket_names(where: StackScope) -> tuple[str, str]:
    """``(<project>-config-logs-<account name>-<id>, <project>-config-<account name>-<id>)``."""
    names, account = where.names, where.account_id
    return names.bucket_name("config-logs", account), names.bucket_name("config", account)


class ConfigDeliveryBucket(Construct):
    """The home region's delivery bucket, its access-log bucket, and the role AWS Config records through."""

    def __init__(
        self, scope: Construct, construct_id: str, where: StackScope, kms_key_arn: str, *, force_destroy: bool, notify_topic_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        logs_name, bucket_name = config_bucket_names(where)
        account = where.account_id
        bucket_arn, logs_arn = (where.arn("s3", name, regional=False, in_account=False) for name in (bucket_name, logs_name))
        this_account = [("StringEquals", "aws:SourceAccount", [account])]
        self.access_logs = SecureBucket(self, "access-logs", SecureBucketProps(
            bucket_name=logs_name, kms_key_arn=kms_key_arn, lifecycle=LifecyclePolicy(expire_after_days=ACCESS_LOG_DAYS),
            force_destroy=force_destroy, prevent_destroy=False, notify_topic_arn=notify_topic_arn,
            extra_policy_statements=[statement(
                "S3LogDeliveryWritesConfigBucketAccessLogs", actions=["s3:PutObject"], resources=[f"{logs_arn}/{CONFIG_PREFIX}/*"],
                principals={"Service": ["logging.s3.amazonaws.com"]}, conditions=[*this_account, ("ArnEquals", "aws:SourceArn", [bucket_arn])],
            )],
        ))
        config = {"Service": ["config.amazonaws.com"]}
        self.bucket = SecureBucket(self, "bucket", SecureBucketProps(
            bucket_name=bucket_name, kms_key_arn=kms_key_arn, force_destroy=force_destroy, prevent_destroy=False,
            notify_topic_arn=notify_topic_arn,
            access_logs=AccessLogTarget(bucket=self.access_logs.name, prefix=f"{CONFIG_PREFIX}/", policy=self.access_logs.policy),
            lifecycle=LifecyclePolicy(expire_after_days=HISTORY_DAYS, expire_noncurrent_after_days=90),
            extra_policy_statements=[
                statement("ConfigChecksTheBucketAcl", actions=["s3:GetBucketAcl", "s3:ListBucket"], resources=[bucket_arn], principals=config, conditions=this_account),
                statement(
                    "ConfigDeliversThisAccountsHistory", actions=["s3:PutObject"], resources=[f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{account}/Config/*"],
                    principals=config, conditions=[*this_account, ("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])],
                ),
            ],
        ))
        self.role = ServiceRole(self, "role", where, ServiceRoleProps(
            purpose="config-recorder",
            description="Lets AWS Config record this account's resources and deliver them to the account's Config bucket",
            service="config.amazonaws.com",
            managed_policy_arns=[where.aws_managed_policy("service-role/AWS_ConfigRole")],
            statements=[
                statement("DeliverToTheConfigBucket", actions=["s3:PutObject"], resources=[f"{bucket_arn}/{CONFIG_PREFIX}/*"],
                          conditions=[("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])]),
                statement("CheckTheConfigBucket", actions=["s3:GetBucketAcl"], resources=[bucket_arn]),
                statement("EncryptWithTheRecordingKey", actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[kms_key_arn]),
            ],
        ))
        self.delivery = ConfigDelivery(bucket_name=self.bucket.name, kms_key_arn=kms_key_arn, role_arn=self.role.arn)


class ConfigRecording(Construct):
    """One region's recorder, delivery channel, recorder status and managed rules."""

    def __init__(self, scope: Construct, construct_id: str, region: Region, delivery: ConfigDelivery) -> None:
        super().__init__(scope, construct_id)
        name, options = region.scope.names.name("config"), region.options()
        recorder = aws.config_configuration_recorder
        self.recorder = recorder.ConfigConfigurationRecorder(
            self, "recorder", name=name, role_arn=delivery.role_arn,
            recording_group=recorder.ConfigConfigurationRecorderRecordingGroup(all_supported=True, include_global_resource_types=region.home),
            **options,
        )
        channel = aws.config_delivery_channel
        self.channel = channel.ConfigDeliveryChannel(
            self, "delivery-channel", name=name, s3_bucket_name=delivery.bucket_name, s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=delivery.kms_key_arn,
            snapshot_delivery_properties=channel.ConfigDeliveryChannelSnapshotDeliveryProperties(delivery_frequency="TwentyFour_Hours"),
            depends_on=[self.recorder], **options,
        )
        aws.config_configuration_recorder_status.ConfigConfigurationRecorderStatus(
            self, "recording", name=self.recorder.name, is_enabled=True, depends_on=[self.channel], **options
        )
        rule = aws.config_config_rule
        for rule_name, managed in CONFIG_RULES.items():
            if managed.global_resources and not region.home:
                continue
            rule.ConfigConfigRule(
                self, rule_name, name=region.scope.names.name(rule_name),
                source=rule.ConfigConfigRuleSource(owner="AWS", source_identifier=managed.identifier),
                input_parameters=json.dumps(dict(managed.parameters), sort_keys=True) if managed.parameters else None,
                depends_on=[self.recorder], **options,
            )
