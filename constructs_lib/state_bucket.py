"""The bootstrap stack: the S3 bucket that holds an environment's Terraform state.

The state bucket cannot live in the state it holds, so it has its own tiny
stack with *local* state, applied by ``make bootstrap`` (and by every deploy,
which makes it idempotent). The bucket is a :class:`SecureBucket` (versioned,
encrypted, private, TLS only) whose old state versions are kept for 90 days,
so a bad state write can be rolled back (``docs/runbooks/restore-state.md``).
"""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib.secure_bucket import LifecyclePolicy, SecureBucket, SecureBucketProps
from constructs_lib.terraform_settings import configure_aws_provider
from environments.deployable import Deployable
from platform_core.target import DeployTarget

STATE_VERSIONS_KEPT_DAYS = 90


def state_bucket_stack_name(stack: str) -> str:
    return f"state-bucket-{stack}"


class StateBucketStack(TerraformStack):
    """The state bucket of one environment or account baseline, with local state at ``local_state_path``."""

    def __init__(self, scope: Construct, config: Deployable, target: DeployTarget, local_state_path: str) -> None:
        super().__init__(scope, state_bucket_stack_name(config.stack_name))
        LocalBackend(self, path=local_state_path)
        configure_aws_provider(
            self,
            region=config.state.region,
            tags={**config.resource_tags, "Purpose": "terraform-state"},
            target=target,
            allowed_account_id=config.account_id,
        )
        self.bucket = SecureBucket(
            self,
            "state-bucket",
            SecureBucketProps(
                bucket_name=config.state.bucket,
                lifecycle=LifecyclePolicy(expire_noncurrent_after_days=STATE_VERSIONS_KEPT_DAYS),
                prevent_destroy=True,
            ),
        )
        TerraformOutput(self, "state_bucket", value=self.bucket.name).override_logical_id("state_bucket")
