"""Audit: a CloudTrail trail that records every API call, everywhere, tamper-evidently.

What it creates, and why:

* A multi-region trail with global service events and log-file validation
  (digest files prove no log was changed or removed), encrypted with the audit
  key, delivering to the data lake's audit bucket.
* Data events, read and write: S3 object events of every bucket of the
  environment but the trail's own, and of its Terraform state bucket; Lambda
  invoke events of every function (:mod:`constructs_lib.data_events` collects
  them, and says why the trail's own bucket is left out).
* CloudTrail Insights (unusual API call rates and error rates), unless
  ``audit.insights`` turns it off: AWS charges for the events it analyses.
* A copy of the records in a KMS-encrypted CloudWatch log group with the
  configured retention, written through a role only this trail can assume;
  the CIS alarms (:mod:`constructs_lib.cis_alarms`) filter it.
* A KMS-encrypted SNS topic for log-file delivery notifications, published to
  by this trail only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from constructs_lib.context import PlatformContext, StackScope
from constructs_lib.data_events import DataEvents, event_selectors
from constructs_lib.iam_documents import policy_document, statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from environments.schema import AuditConfig
from platform_core.conventions import INSIGHT_TYPES
from platform_core.naming import ResourceNames
from synth_runtime.provider_bindings import aws


def trail_name(names: ResourceNames) -> str:
    return names.name("trail")


def trail_arn(where: StackScope) -> str:
    """The trail's ARN, known before the trail exists (for key and bucket policies)."""
    return where.arn("cloudtrail", f"trail/{trail_name(where.names)}")


@dataclass(frozen=True)
class AuditTrailProps:
    """Where the trail delivers (bucket, prefix, key), what it records beyond management events, and how
    long its log group keeps records."""

    audit_bucket_name: str
    s3_key_prefix: str
    """Log files go under ``<prefix>/AWSLogs/<account>/`` in the audit bucket."""
    audit_key_arn: str
    """Encrypts the log files and the delivery topic."""
    data_events: DataEvents
    """The buckets and functions whose data events the trail records."""
    settings: AuditConfig
    """``audit.log_retention_days`` is the trail's log group retention; ``audit.insights`` turns on Insights."""
    depends_on: Sequence
    """What must exist first: the audit bucket's policy, which CloudTrail checks at creation."""


class AuditTrail(Construct):
    """The trail, its log group and role, and its delivery topic. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: AuditTrailProps) -> None:
        super().__init__(scope, construct_id)
        names = ctx.names
        arn = trail_arn(ctx)
        self.log_group = EncryptedLogGroup(
            self,
            "log-group",
            EncryptedLogGroupProps(
                name=names.log_group("cloudtrail"),
                retention_days=props.settings.log_retention_days,
                kms_key_arn=ctx.logs_key_arn,
            ),
        )
        group_arn = ctx.arn("logs", f"log-group:{names.log_group('cloudtrail')}")
        role = ServiceRole(
            self,
            "log-role",
            ctx,
            ServiceRoleProps(
                purpose="trail-to-logs",
                description="Lets this environment's trail write its records to its log group",
                service="cloudtrail.amazonaws.com",
                source_arn=arn,
                statements=[
                    statement(
                        "WriteTheTrailsLogStreams",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[f"{group_arn}:log-stream:*"],
                    )
                ],
            ),
        )
        topic_name = names.name("trail-delivery")
        self.delivery_topic = aws.sns_topic.SnsTopic(
            self, "delivery-topic", name=topic_name, kms_master_key_id=props.audit_key_arn, tags={"Name": topic_name}
        )
        topic_policy = aws.sns_topic_policy.SnsTopicPolicy(
            self,
            "delivery-topic-policy",
            arn=self.delivery_topic.arn,
            policy=policy_document(
                self,
                "delivery-topic-policy-document",
                [
                    statement(
                        "ThisTrailPublishesDeliveryNotifications",
                        actions=["sns:Publish"],
                        resources=[ctx.arn("sns", topic_name)],
                        principals={"Service": ["cloudtrail.amazonaws.com"]},
                        conditions=[
                            ("StringEquals", "aws:SourceAccount", [ctx.account_id]),
                            ("StringEquals", "aws:SourceArn", [arn]),
                        ],
                    )
                ],
            ),
        )
        trail = aws.cloudtrail
        self.trail = trail.Cloudtrail(
            self,
            "trail",
            name=trail_name(names),
            s3_bucket_name=props.audit_bucket_name,
            s3_key_prefix=props.s3_key_prefix,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=props.audit_key_arn,
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            sns_topic_name=self.delivery_topic.name,
            event_selector=event_selectors(props.data_events),
            insight_selector=[trail.CloudtrailInsightSelector(insight_type=kind) for kind in INSIGHT_TYPES] if props.settings.insights else None,
            tags={"Name": trail_name(names)},
            depends_on=[*props.depends_on, topic_policy],
        )

    @cached_property
    def arn(self) -> str:
        return self.trail.arn

    @property
    def log_group_name(self) -> str:
        return self.log_group.name
