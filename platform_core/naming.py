"""How the platform names things: every name carries the project and the environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceNames:
    """Names for one environment of one project, e.g. ``acme`` / ``dev``."""

    project: str
    environment: str

    def name(self, purpose: str) -> str:
        """A resource name such as ``acme-vpc-dev``: purpose first, environment suffix last."""
        return f"{self.project}-{purpose}-{self.environment}"

    def bucket_name(self, purpose: str, account_id: str) -> str:
        """``<project>-<purpose>-<env>-<account>``: globally unique, and readable in a bucket list."""
        return f"{self.project}-{purpose}-{self.environment}-{account_id}"

    def function(self, purpose: str) -> str:
        """A Lambda function's name, ``ServerlessApp-<purpose>-<env>``: the prefix the platform's functions are known by."""
        return f"ServerlessApp-{purpose}-{self.environment}"

    def function_log_group(self, purpose: str) -> str:
        """Where Lambda writes a function's logs: ``/aws/lambda/<function>``."""
        return f"/aws/lambda/{self.function(purpose)}"

    def log_group(self, purpose: str) -> str:
        """A log group name such as ``/acme/dev/vpc-flow-logs``."""
        return f"{self.log_group_prefix}{purpose}"

    @property
    def path_prefix(self) -> str:
        """``/<project>/<env>/``: the hierarchy of this environment's log groups and published SSM parameters."""
        return f"/{self.project}/{self.environment}/"

    @property
    def log_group_prefix(self) -> str:
        """Every log group of this environment starts with this, so a key policy can scope to it."""
        return self.path_prefix

    def parameter(self, path: str) -> str:
        """A published SSM parameter's name, such as ``/acme/dev/network/vpc-id`` (``platform_core/published.py``)."""
        return f"{self.parameter_prefix}{path}"

    @property
    def parameter_prefix(self) -> str:
        """Every parameter the environment publishes starts with this, so an IAM policy can scope to it."""
        return self.path_prefix


STATE_ACCESS_LOG_SUFFIX = "-access-logs"
"""The state bucket's server access logs go to ``<state bucket>-access-logs``."""


def state_access_log_bucket_name(state_bucket: str) -> str:
    """The bucket that receives the state bucket's server access logs, created in the same bootstrap stack."""
    return f"{state_bucket}{STATE_ACCESS_LOG_SUFFIX}"


def state_bucket_names(state_bucket: str) -> tuple[str, str]:
    """The buckets of a state-bucket stack: the state bucket and its access-log bucket."""
    return state_bucket, state_access_log_bucket_name(state_bucket)
