"""Remote-state checks: the state bucket's protections and the state object's place."""

from __future__ import annotations

from ops.verify import CheckFailed, VerifyContext, buckets


def _bucket(ctx: VerifyContext) -> str:
    return ctx.config.state.bucket


def versioned(ctx: VerifyContext) -> None:
    buckets.versioned(ctx.client("s3"), _bucket(ctx))


def encrypted(ctx: VerifyContext) -> str:
    key = buckets.kms_encryption(ctx.client("s3"), _bucket(ctx))
    return f"aws:kms, {key or 'aws/s3'}"


def public_access_blocked(ctx: VerifyContext) -> None:
    buckets.public_access_blocked(ctx.client("s3"), _bucket(ctx))


def tls_only(ctx: VerifyContext) -> None:
    buckets.tls_only(ctx.client("s3"), _bucket(ctx))


def state_object_in_workspace(ctx: VerifyContext) -> str:
    key = ctx.config.state_object_key
    try:
        ctx.client("s3").head_object(Bucket=_bucket(ctx), Key=key)
    except Exception as error:
        raise CheckFailed(f"s3://{_bucket(ctx)}/{key} not found ({error})") from None
    return f"s3://{_bucket(ctx)}/{key}"


CHECKS = [
    ("state", "state bucket is versioned", versioned),
    ("state", "state bucket is encrypted with KMS and the bucket key", encrypted),
    ("state", "state bucket blocks all public access", public_access_blocked),
    ("state", "state bucket denies requests without TLS", tls_only),
    ("state", "state object lives at the stack's workspace key", state_object_in_workspace),
]
