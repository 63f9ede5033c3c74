"""The bootstrap stack: the S3 bucket that holds an environment's Terraform state, and its access-log bucket.

The state bucket cannot live in the state it holds, so it has its own tiny
stack with *local* state, applied by ``make bootstrap`` (and by every deploy,
which makes it idempotent). It creates:

* The state bucket: a :class:`SecureBucket` (versioned, encrypted, private, TLS
  only) whose old state versions are kept for 90 days, so a bad state write can
  be rolled back (``docs/runbooks/restore-state.md``). Every request to it is
  written to the access-log bucket by S3 server access logging; the
  environment's trail records its object reads and writes as data events too
  (:mod:`constructs_lib.data_events`).
* Its access-log bucket, ``<state bucket>-access-logs``: a :class:`SecureBucket`
  that S3 log delivery may write to only for the state bucket of this account,
  under its prefix. It is encrypted with SSE-S3, the only default encryption
  AWS documents for a server-access-log target, and keeps logs for a year. It
  does not log itself (a log target logging into itself would log its own log
  deliveries forever).
"""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.iam_documents import statement
from constructs_lib.secure_bucket import AccessLogTarget, LifecyclePolicy, SecureBucket, SecureBucketProps
from constructs_lib.terraform_settings import configure_aws_provider
from environments.deployable import Deployable
from platform_core.naming import state_access_log_bucket_name
from platform_core.target import DeployTarget
from synth_runtime.provider_bindings import aws

STATE_VERSIONS_KEPT_DAYS = 90
STATE_ACCESS_LOGS_KEPT_DAYS = 365
"""A year of every request to the state (who read or wrote which state object, when, from where)."""
STATE_ACCESS_LOG_PREFIX = "state/"


def state_bucket_stack_name(stack: str) -> str:
    return f"state-bucket-{stack}"


def s3_bucket_arn(partition: str, bucket: str) -> str:
    return f"arn:{partition}:s3:::{bucket}"


class StateBucketStack(TerraformStack):
    """The state bucket of one environment or account baseline and its access-log bucket, with local state at
    ``local_state_path``."""

    def __init__(self, scope: Construct, config: Deployable, target: DeployTarget, local_state_path: str) -> None:
        super().__init__(scope, state_bucket_stack_name(config.stack_name))
        LocalBackend(self, path=local_state_path)
        configure_aws_provider(
            self,
            region=config.state.region,
            tags={**config.resource_tags, "Purpose": "terraform-state"},
            target=target,
            allowed_account_id=config.state_account_id,
            assume_role_arn=config.state.role_arn,
        )
        account = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "current-account").account_id
        partition = aws.data_aws_partition.DataAwsPartition(self, "current-partition").partition
        log_bucket = state_access_log_bucket_name(config.state.bucket)
        self.access_logs = SecureBucket(
            self,
            "access-logs",
            SecureBucketProps(
                bucket_name=log_bucket,
                sse_s3_log_target=True,
                lifecycle=LifecyclePolicy(expire_after_days=STATE_ACCESS_LOGS_KEPT_DAYS, expire_noncurrent_after_days=STATE_VERSIONS_KEPT_DAYS),
                extra_policy_statements=[
                    statement(
                        "S3LogDeliveryWritesStateBucketAccessLogs",
                        actions=["s3:PutObject"],
                        resources=[f"{s3_bucket_arn(partition, log_bucket)}/{STATE_ACCESS_LOG_PREFIX}*"],
                        principals={"Service": ["logging.s3.amazonaws.com"]},
                        conditions=[
                            ("StringEquals", "aws:SourceAccount", [account]),
                            ("ArnEquals", "aws:SourceArn", [s3_bucket_arn(partition, config.state.bucket)]),
                        ],
                    )
                ],
                prevent_destroy=True,
            ),
        )
        self.bucket = SecureBucket(
            self,
            "state-bucket",
            SecureBucketProps(
                bucket_name=config.state.bucket,
                access_logs=AccessLogTarget(bucket=self.access_logs.name, prefix=STATE_ACCESS_LOG_PREFIX, policy=self.access_logs.policy),
                lifecycle=LifecyclePolicy(expire_noncurrent_after_days=STATE_VERSIONS_KEPT_DAYS),
                prevent_destroy=True,
            ),
        )
        TerraformOutput(self, "state_bucket", value=self.bucket.name).override_logical_id("state_bucket")
        TerraformOutput(self, "state_access_log_bucket", value=self.access_logs.name).override_logical_id("state_access_log_bucket")
