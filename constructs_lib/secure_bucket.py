"""S3 buckets that are secure by construction.

:class:`SecureBucket` is the only way the platform creates a bucket. Every
bucket it makes is versioned, encrypted with SSE-KMS and the bucket key,
closed to the public by all four public-access blocks, owned by the bucket
owner (ACLs off), reachable only over TLS, and cleaned of incomplete
multipart uploads. Server access logging, lifecycle expiry and transitions,
event notifications, extra policy statements and ``force_destroy`` are props,
with the safe choice as the default. The one exception to SSE-KMS is
``sse_s3_log_target``: a bucket that only receives S3 server access logs is
encrypted with SSE-S3, the one default encryption AWS documents for a log
target (SSE-KMS is not supported there).

``object_lock`` puts every new object version under S3 Object Lock for a
number of days, in compliance or governance mode. The bucket is then created
with Object Lock enabled (``object_lock_enabled``), and an
``aws_s3_bucket_object_lock_configuration`` sets the default retention once
versioning is on. Switching it on for a bucket that exists already: provider
5.x marks ``object_lock_enabled`` as forcing a new bucket, which would be a
replacement, a destructive plan (the pipeline refuses it unless
``ALLOW_DESTRUCTIVE=1``, ``prevent_destroy`` refuses it outright, and a bucket
holding objects cannot be deleted without ``force_destroy``). So the bucket
ignores later changes to that one argument, and the configuration resource
enables Object Lock in place (S3 allows it on an existing versioned bucket
since November 2023, and provider 5.x's resource sends ``ObjectLockEnabled``):
the plan creates one resource and replaces nothing. Nothing is hidden by it:
S3 never turns Object Lock off again. Turning ``object_lock`` off later
removes the default retention only; versions locked already stay locked. A
lifecycle that expires objects sooner than the lock is refused, and so is a
lock on a log target (S3 does not deliver server access logs to a bucket with
Object Lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.iam_documents import policy_document, statement
from environments.schema import DataTransition
from synth_runtime.provider_bindings import aws

ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7
NOTIFIED_EVENTS: tuple[str, ...] = ("s3:ObjectRemoved:*", "s3:ObjectAcl:Put")
"""Bucket events worth an alarm: objects deleted, and attempts to change an object's ACL."""


@dataclass(frozen=True)
class LifecyclePolicy:
    """What happens to objects as they age. ``None`` means never."""

    expire_after_days: int | None = None
    expire_noncurrent_after_days: int | None = None
    transitions: Sequence[DataTransition] = ()


@dataclass(frozen=True)
class AccessLogTarget:
    """Where a bucket's server access logs go; ``policy`` is the target's bucket policy, which must exist first."""

    bucket: str
    prefix: str
    policy: object | None = None


@dataclass(frozen=True)
class ObjectLock:
    """S3 Object Lock's default retention: every new object version is locked for ``days`` in ``mode``."""

    mode: str
    """``COMPLIANCE`` (no one can delete or overwrite a locked version, or shorten its lock) or ``GOVERNANCE``
    (a principal allowed ``s3:BypassGovernanceRetention`` can)."""
    days: int


@dataclass(frozen=True)
class SecureBucketProps:
    """One bucket. ``kms_key_arn=None`` uses the AWS-managed ``aws/s3`` key."""

    bucket_name: str
    kms_key_arn: str | None = None
    access_logs: AccessLogTarget | None = None
    lifecycle: LifecyclePolicy = LifecyclePolicy()
    extra_policy_statements: Sequence = field(default_factory=tuple)
    notify_topic_arn: str | None = None
    """Deletions and ACL changes are published to this topic."""
    force_destroy: bool = False
    prevent_destroy: bool = True
    sse_s3_log_target: bool = False
    """SSE-S3 (AES256) instead of SSE-KMS, for a bucket that only receives S3 server access logs, where AWS
    documents SSE-S3 as the only supported default encryption. ``kms_key_arn`` must then be None."""
    object_lock: ObjectLock | None = None
    """Lock every new object version by default; see the module docstring for a bucket that exists already."""


class SecureBucket(Construct):
    """A versioned, SSE-KMS (SSE-S3 for a log target), private, TLS-only, owner-enforced bucket. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, props: SecureBucketProps) -> None:
        super().__init__(scope, construct_id)
        check_object_lock(props)
        locked = props.object_lock is not None
        self.bucket = aws.s3_bucket.S3Bucket(
            self,
            "bucket",
            bucket=props.bucket_name,
            force_destroy=props.force_destroy,
            object_lock_enabled=True if locked else None,
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=props.prevent_destroy,
                # Forces a new bucket in provider 5.x; an existing bucket is locked in place by "object-lock" below.
                ignore_changes=["object_lock_enabled"] if locked else None,
            ),
        )
        bucket_id = self.bucket.id
        versioning = aws.s3_bucket_versioning
        self.versioning = versioning.S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket_id,
            versioning_configuration=versioning.S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        if props.object_lock is not None:
            self._object_lock(props.object_lock)
        if props.sse_s3_log_target and props.kms_key_arn is not None:
            raise ValueError(f"{props.bucket_name}: an SSE-S3 log target takes no KMS key")
        sse = aws.s3_bucket_server_side_encryption_configuration
        sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[
                sse.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256" if props.sse_s3_log_target else "aws:kms", kms_master_key_id=props.kms_key_arn
                    ),
                    # The bucket key saves KMS requests; SSE-S3 makes none.
                    bucket_key_enabled=None if props.sse_s3_log_target else True,
                )
            ],
        )
        public_access_block = aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        ownership = aws.s3_bucket_ownership_controls
        ownership.S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket_id,
            rule=ownership.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        self.policy = aws.s3_bucket_policy.S3BucketPolicy(
            self,
            "policy",
            bucket=bucket_id,
            policy=policy_document(
                self,
                "policy-document",
                [*props.extra_policy_statements, self._deny_insecure_transport()],
            ),
            # S3 rejects concurrent policy and public-access-block writes on one bucket.
            depends_on=[public_access_block],
        )
        if props.access_logs is not None:
            aws.s3_bucket_logging.S3BucketLoggingA(
                self,
                "access-logging",
                bucket=bucket_id,
                target_bucket=props.access_logs.bucket,
                target_prefix=props.access_logs.prefix,
                depends_on=[props.access_logs.policy] if props.access_logs.policy is not None else None,
            )
        self._lifecycle(props.lifecycle)
        if props.notify_topic_arn is not None:
            notification = aws.s3_bucket_notification
            notification.S3BucketNotification(
                self,
                "notifications",
                bucket=bucket_id,
                topic=[notification.S3BucketNotificationTopic(topic_arn=props.notify_topic_arn, events=list(NOTIFIED_EVENTS))],
            )

    @cached_property
    def arn(self) -> str:
        return self.bucket.arn

    @cached_property
    def name(self) -> str:
        return self.bucket.id

    def _object_lock(self, lock: ObjectLock) -> None:
        config = aws.s3_bucket_object_lock_configuration
        config.S3BucketObjectLockConfigurationA(
            self,
            "object-lock",
            bucket=self.bucket.id,
            rule=config.S3BucketObjectLockConfigurationRuleA(
                default_retention=config.S3BucketObjectLockConfigurationRuleDefaultRetentionA(mode=lock.mode, days=lock.days)
            ),
            # S3 takes an Object Lock configuration only on a versioned bucket.
            depends_on=[self.versioning],
        )

    def _deny_insecure_transport(self):
        # Written as {"AWS": "*"}: the same meaning as "*" on AWS, and the form the
        # emulator can evaluate when it checks a log-target bucket's policy.
        return statement(
            "DenyRequestsWithoutTls",
            effect="Deny",
            actions=["s3:*"],
            resources=[self.bucket.arn, f"{self.bucket.arn}/*"],
            principals={"AWS": ["*"]},
            conditions=[("Bool", "aws:SecureTransport", ["false"])],
        )

    def _lifecycle(self, policy: LifecyclePolicy) -> None:
        lifecycle = aws.s3_bucket_lifecycle_configuration
        rule = lifecycle.S3BucketLifecycleConfigurationRule(
            id="age-out",
            status="Enabled",
            filter=[lifecycle.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            abort_incomplete_multipart_upload=[
                lifecycle.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                    days_after_initiation=ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS
                )
            ],
            expiration=[lifecycle.S3BucketLifecycleConfigurationRuleExpiration(days=policy.expire_after_days)]
            if policy.expire_after_days is not None
            else None,
            noncurrent_version_expiration=[
                lifecycle.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=policy.expire_noncurrent_after_days
                )
            ]
            if policy.expire_noncurrent_after_days is not None
            else None,
            transition=[
                lifecycle.S3BucketLifecycleConfigurationRuleTransition(days=t.days, storage_class=t.storage_class)
                for t in policy.transitions
            ]
            or None,
        )
        lifecycle.S3BucketLifecycleConfiguration(self, "lifecycle", bucket=self.bucket.id, rule=[rule])


OBJECT_LOCK_MODES: tuple[str, ...] = ("COMPLIANCE", "GOVERNANCE")


def check_object_lock(props: SecureBucketProps) -> None:
    """Refuse a lock S3 would refuse, or one the bucket's own lifecycle would contradict."""
    lock = props.object_lock
    if lock is None:
        return
    name = props.bucket_name
    if lock.mode not in OBJECT_LOCK_MODES:
        raise ValueError(f"{name}: Object Lock mode {lock.mode!r}; use one of {', '.join(OBJECT_LOCK_MODES)}")
    if lock.days < 1:
        raise ValueError(f"{name}: Object Lock retention of {lock.days} days; lock for at least one day")
    if props.sse_s3_log_target:
        raise ValueError(f"{name}: a server access log target cannot have Object Lock (S3 delivers no logs to it)")
    expiry = props.lifecycle.expire_after_days
    if expiry is not None and expiry < lock.days:
        raise ValueError(f"{name}: objects expire after {expiry} days, before their {lock.days}-day Object Lock ends; expire them no sooner")
