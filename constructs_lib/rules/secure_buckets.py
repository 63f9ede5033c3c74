"""S3001: every bucket blocks public access, uses SSE-KMS, is versioned and denies requests without TLS."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Block, Finding, StackDocument

PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def denies_insecure_transport(statements: list[dict]) -> bool:
    for statement in statements:
        if statement.get("effect") != "Deny":
            continue
        for condition in statement.get("condition", []):
            if condition.get("variable") == "aws:SecureTransport" and condition.get("test") == "Bool" and condition.get("values") in (["false"], [False]):
                return True
    return False


class SecureBuckets:
    id = "S3001"
    description = "Every bucket has all four public-access blocks, SSE-KMS, versioning and a deny-without-TLS policy"
    fix = "create buckets with constructs_lib.secure_bucket.SecureBucket, which always sets the public-access blocks, SSE-KMS, versioning and the TLS-only policy"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for bucket in stack.blocks("resource", ["aws_s3_bucket"]):
            yield from (Finding(bucket, reason) for reason in self._missing(stack, bucket))

    def _missing(self, stack: StackDocument, bucket: Block) -> Iterable[str]:
        blocks = stack.referencing(bucket, "aws_s3_bucket_public_access_block")
        if not any(all(b.body.get(flag) is True for flag in PUBLIC_ACCESS_FLAGS) for b in blocks):
            yield "has no public-access block with all four settings on"
        encryption = stack.referencing(bucket, "aws_s3_bucket_server_side_encryption_configuration")
        algorithms = {
            rule.get("apply_server_side_encryption_by_default", {}).get("sse_algorithm")
            for block in encryption
            for rule in block.body.get("rule", [])
        }
        if "aws:kms" not in algorithms and "aws:kms:dsse" not in algorithms:
            yield "is not encrypted with SSE-KMS"
        versioning = stack.referencing(bucket, "aws_s3_bucket_versioning")
        if not any(b.body.get("versioning_configuration", {}).get("status") == "Enabled" for b in versioning):
            yield "is not versioned"
        policies = stack.referencing(bucket, "aws_s3_bucket_policy")
        if not any(denies_insecure_transport(stack.policy_statements(p.body.get("policy")) or []) for p in policies):
            yield "has no bucket policy that denies requests without TLS"


RULE = SecureBuckets()
