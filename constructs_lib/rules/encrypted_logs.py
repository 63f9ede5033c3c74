"""LOG001: every log group is encrypted with a KMS key and expires its events."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument


class EncryptedLogs:
    id = "LOG001"
    description = "Every CloudWatch log group has a KMS key and a retention"
    fix = "create log groups with constructs_lib.logs.EncryptedLogGroup (kms_key_arn and retention_days are required)"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for group in stack.blocks("resource", ["aws_cloudwatch_log_group"]):
            if not group.body.get("kms_key_id"):
                yield Finding(group, "has no kms_key_id")
            if not group.body.get("retention_in_days"):
                yield Finding(group, "has no retention_in_days (events would be kept forever)")


RULE = EncryptedLogs()
