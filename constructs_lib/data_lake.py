"""The data lake: three :class:`~constructs_lib.secure_bucket.SecureBucket` buckets per environment.

* ``data``: the application's objects, encrypted with the data key, moving to
  cheaper storage classes as configured, access-logged, with request metrics
  and alarms on its client and server errors (``request_metrics.py``).
* ``access-logs``: where the other two log every request (S3 log delivery may
  write each source's logs under its own prefix only), encrypted with the logs key.
* ``audit``: CloudTrail's log files, writable by this environment's trail only,
  encrypted with the audit key and kept for the audit retention; with
  ``audit.object_lock`` (compliance unless the environment says otherwise), each
  file is locked under S3 Object Lock for that same retention, so no one can
  delete or rewrite the record before it expires.

Every bucket publishes deletions and ACL changes to the alarm topic. Names are
``<project>-<purpose>-<env>-<account>``; their ARNs are built from the names,
so key and topic policies can name them before they exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.context import PlatformContext, StackScope
from constructs_lib.iam_documents import statement
from constructs_lib.request_metrics import BucketRequestAlarms, BucketRequestAlarmsProps
from constructs_lib.secure_bucket import AccessLogTarget, LifecyclePolicy, ObjectLock, SecureBucket, SecureBucketProps
from environments.schema import AuditConfig, Protections, StorageConfig

DATA_LAKE_PURPOSES: tuple[str, ...] = ("data", "access-logs", "audit")
LOGGED_PURPOSES: tuple[str, ...] = ("data", "audit")
"""The buckets that write server access logs into the access-logs bucket."""
TRAIL_PREFIX = "cloudtrail"


def data_lake_buckets(where: StackScope) -> dict[str, str]:
    """Each purpose's bucket name, ``<project>-<purpose>-<env>-<account>``, known before the buckets exist."""
    return {purpose: where.names.bucket_name(purpose, where.account_id) for purpose in DATA_LAKE_PURPOSES}


def data_lake_bucket_arns(where: StackScope) -> dict[str, str]:
    """Each purpose's bucket ARN, for key and topic policies written before the buckets exist."""
    return {purpose: where.arn("s3", name, regional=False, in_account=False) for purpose, name in data_lake_buckets(where).items()}


def audit_object_lock(audit: AuditConfig) -> ObjectLock | None:
    """The audit bucket's Object Lock: ``audit.object_lock``'s mode, for ``audit.log_retention_days``; none when off."""
    if audit.object_lock == "off":
        return None
    return ObjectLock(mode=audit.object_lock.upper(), days=audit.log_retention_days)


@dataclass(frozen=True)
class DataLakeProps:
    """Names and keys of the three buckets, and the environment's settings for them. ARNs may be built
    before their resources exist."""

    data_key_arn: str
    audit_key_arn: str
    trail_arn: str
    """The only trail that may write into the audit bucket."""
    settings: StorageConfig
    """The environment's ``[storage]`` settings: lifecycles of the data and access-log buckets."""
    audit: AuditConfig
    """``audit.log_retention_days`` is how long the audit bucket keeps the trail's files, and locks them under
    ``audit.object_lock``."""
    protections: Protections
    """``keep_bucket_contents = false`` makes the buckets ``force_destroy``; ``prevent_destroy`` guards them."""


class DataLake(Construct):
    """The data, access-logs and audit buckets; see the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: DataLakeProps) -> None:
        super().__init__(scope, construct_id)
        settings, bucket_names, arn = props.settings, data_lake_buckets(ctx), data_lake_bucket_arns(ctx)
        common = {
            "notify_topic_arn": ctx.alarm_topic_arn,
            "force_destroy": not props.protections.keep_bucket_contents,
            "prevent_destroy": props.protections.prevent_destroy,
        }
        source = [("StringEquals", "aws:SourceAccount", [ctx.account_id])]
        self.access_logs = SecureBucket(
            self,
            "access-logs",
            SecureBucketProps(
                bucket_name=bucket_names["access-logs"],
                kms_key_arn=ctx.logs_key_arn,
                lifecycle=LifecyclePolicy(
                    expire_after_days=settings.log_expiration_days,
                    expire_noncurrent_after_days=settings.noncurrent_version_expiration_days,
                ),
                # One statement per source bucket: each may write only under its own prefix.
                extra_policy_statements=[
                    statement(
                        f"S3LogDeliveryWrites{purpose.capitalize()}AccessLogs",
                        actions=["s3:PutObject"],
                        resources=[f"{arn['access-logs']}/{purpose}/*"],
                        principals={"Service": ["logging.s3.amazonaws.com"]},
                        conditions=[*source, ("ArnEquals", "aws:SourceArn", [arn[purpose]])],
                    )
                    for purpose in LOGGED_PURPOSES
                ],
                **common,
            ),
        )
        logs_to = {
            purpose: AccessLogTarget(bucket=self.access_logs.name, prefix=f"{purpose}/", policy=self.access_logs.policy)
            for purpose in LOGGED_PURPOSES
        }
        self.data = SecureBucket(
            self,
            "data",
            SecureBucketProps(
                bucket_name=bucket_names["data"],
                kms_key_arn=props.data_key_arn,
                access_logs=logs_to["data"],
                lifecycle=LifecyclePolicy(
                    expire_noncurrent_after_days=settings.noncurrent_version_expiration_days,
                    transitions=tuple(settings.data_transitions),
                ),
                **common,
            ),
        )
        self.data_requests = BucketRequestAlarms(self, "data-requests", ctx, BucketRequestAlarmsProps(bucket_name=self.data.name, purpose="data"))
        this_trail = [*source, ("StringEquals", "aws:SourceArn", [props.trail_arn])]
        self.audit = SecureBucket(
            self,
            "audit",
            SecureBucketProps(
                bucket_name=bucket_names["audit"],
                kms_key_arn=props.audit_key_arn,
                access_logs=logs_to["audit"],
                # Expired no sooner than locked: S3 keeps a locked version past any lifecycle rule anyway.
                lifecycle=LifecyclePolicy(
                    expire_after_days=props.audit.log_retention_days,
                    expire_noncurrent_after_days=settings.noncurrent_version_expiration_days,
                ),
                object_lock=audit_object_lock(props.audit),
                extra_policy_statements=[
                    statement(
                        "CloudTrailChecksTheBucketAcl",
                        actions=["s3:GetBucketAcl"],
                        resources=[arn["audit"]],
                        principals={"Service": ["cloudtrail.amazonaws.com"]},
                        conditions=this_trail,
                    ),
                    statement(
                        "CloudTrailWritesThisTrailsLogFiles",
                        actions=["s3:PutObject"],
                        resources=[f"{arn['audit']}/{TRAIL_PREFIX}/AWSLogs/{ctx.account_id}/*"],
                        principals={"Service": ["cloudtrail.amazonaws.com"]},
                        conditions=[*this_trail, ("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])],
                    ),
                ],
                **common,
            ),
        )

    def buckets(self) -> dict[str, SecureBucket]:
        return {"data": self.data, "access-logs": self.access_logs, "audit": self.audit}
