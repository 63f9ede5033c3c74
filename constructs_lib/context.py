"""What every construct of a stack needs, passed once instead of retyped into every Props.

:class:`StackScope` is where the stack deploys and how it names things. The
account and the partition are Terraform references (``data.aws_caller_identity``,
``data.aws_partition``), so the same JSON deploys into any account. ARNs built
from names through :meth:`StackScope.arn` exist before their resources do,
which keeps policies free of cycles and plans free of deferred documents.

:class:`PlatformContext` adds what one environment's constructs share once the
first two exist: the logs key, the alarm topic and the log retention.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_core.naming import ResourceNames


@dataclass(frozen=True)
class StackScope:
    """One stack's names, region, account and partition."""

    names: ResourceNames
    region: str
    account_id: str
    """The account the stack deploys into: a Terraform reference, resolved at plan time."""
    partition: str
    """``aws`` (or ``aws-us-gov``, ``aws-cn``): a Terraform reference."""
    permissions_boundary_arn: str | None = None
    """The boundary every role of the stack carries (``constructs_lib/permissions_boundary.py``); None only in the
    scope the boundary itself is made with. Rule IAM003 refuses a role without one."""

    def arn(self, service: str, resource: str, *, regional: bool = True, in_account: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``; ``regional=False`` and ``in_account=False``
        leave out the region and the account, as IAM and S3 ARNs do."""
        region = self.region if regional else ""
        account = self.account_id if in_account else ""
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def aws_managed_policy(self, path: str) -> str:
        """The ARN of an AWS-managed policy, such as ``service-role/AWSLambdaVPCAccessExecutionRole``."""
        return f"arn:{self.partition}:iam::aws:policy/{path}"


@dataclass(frozen=True, kw_only=True)
class PlatformContext(StackScope):
    """A :class:`StackScope` plus what every construct of one environment shares."""

    logs_key_arn: str
    """The KMS key of every log group and of the alarm topic."""
    alarm_topic_arn: str
    """Where every alarm publishes."""
    log_retention_days: int
    """Retention of the platform's own log groups (``logging.retention_days``)."""
