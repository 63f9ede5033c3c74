"""A CloudWatch log group that cannot be created without a KMS key and a retention."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class EncryptedLogGroupProps:
    """``name`` is the full log group name; ``retention_days`` must be a value CloudWatch accepts."""

    name: str
    retention_days: int
    kms_key_arn: str


class EncryptedLogGroup(Construct):
    """One log group, encrypted with a customer-managed key and kept for a fixed time.

    Log groups are where secrets and personal data leak to; requiring the key
    and the retention in the props makes an unencrypted or never-expiring log
    group impossible to write by accident.
    """

    def __init__(self, scope: Construct, construct_id: str, props: EncryptedLogGroupProps) -> None:
        super().__init__(scope, construct_id)
        self.log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "log-group",
            name=props.name,
            retention_in_days=props.retention_days,
            kms_key_id=props.kms_key_arn,
        )

    @cached_property
    def arn(self) -> str:
        return self.log_group.arn

    @cached_property
    def name(self) -> str:
        return self.log_group.name
