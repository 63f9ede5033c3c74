"""Remote-state checks: the state bucket's protections, its access logging, and the state object's place."""

from __future__ import annotations

from ops.verify import CheckFailed, VerifyContext, buckets, expect
from platform_core.naming import state_access_log_bucket_name


def _bucket(ctx: VerifyContext) -> str:
    return ctx.config.state.bucket


def versioned(ctx: VerifyContext) -> None:
    buckets.versioned(ctx.state_client("s3"), _bucket(ctx))


def encrypted(ctx: VerifyContext) -> str:
    key = buckets.kms_encryption(ctx.state_client("s3"), _bucket(ctx))
    return f"aws:kms, {key or 'aws/s3'}"


def public_access_blocked(ctx: VerifyContext) -> None:
    buckets.public_access_blocked(ctx.state_client("s3"), _bucket(ctx))


def tls_only(ctx: VerifyContext) -> None:
    buckets.tls_only(ctx.state_client("s3"), _bucket(ctx))


def access_logged(ctx: VerifyContext) -> str:
    enabled = ctx.state_client("s3").get_bucket_logging(Bucket=_bucket(ctx)).get("LoggingEnabled")
    target = state_access_log_bucket_name(_bucket(ctx))
    expect(enabled is not None, f"{_bucket(ctx)} has no server access logging")
    expect(enabled["TargetBucket"] == target, f"{_bucket(ctx)} logs to {enabled['TargetBucket']}, not {target}")
    return f"s3://{target}/{enabled.get('TargetPrefix', '')}"


def access_log_bucket(ctx: VerifyContext) -> str:
    """The log bucket: versioned, SSE-S3 (what a log target supports), private, TLS only, owner enforced, and
    writable by S3 log delivery for the state bucket only."""
    s3, target = ctx.state_client("s3"), state_access_log_bucket_name(_bucket(ctx))
    buckets.versioned(s3, target)
    algorithm = s3.get_bucket_encryption(Bucket=target)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    expect(algorithm == "AES256", f"{target}: default encryption is {algorithm}, not SSE-S3")
    buckets.public_access_blocked(s3, target)
    buckets.owner_enforced(s3, target)
    policy = buckets.tls_only(s3, target)
    delivery = [s for s in policy["Statement"] if s["Effect"] == "Allow" and s.get("Principal") in ({"Service": "logging.s3.amazonaws.com"}, {"Service": ["logging.s3.amazonaws.com"]})]
    expect(len(delivery) == 1, f"{target}: {len(delivery)} statements let S3 log delivery write")
    source = delivery[0].get("Condition", {}).get("ArnEquals", {}).get("aws:SourceArn")
    expect(source == f"arn:aws:s3:::{_bucket(ctx)}", f"{target}: log delivery is allowed for {source}")
    account = ctx.state_client("sts").get_caller_identity()["Account"]
    confined = delivery[0].get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
    expect(confined in (account, [account]), f"{target}: log delivery is confined to account {confined}, not {account}, the state bucket's")
    return target


def state_object_in_workspace(ctx: VerifyContext) -> str:
    key = ctx.config.state_object_key
    try:
        ctx.state_client("s3").head_object(Bucket=_bucket(ctx), Key=key)
    except Exception as error:
        raise CheckFailed(f"s3://{_bucket(ctx)}/{key} not found ({error})") from None
    return f"s3://{_bucket(ctx)}/{key}"


CHECKS = [
    ("state", "state bucket is versioned", versioned),
    ("state", "state bucket is encrypted with KMS and the bucket key", encrypted),
    ("state", "state bucket blocks all public access", public_access_blocked),
    ("state", "state bucket denies requests without TLS", tls_only),
    ("state", "state bucket logs every request to its access-log bucket", access_logged),
    ("state", "state access-log bucket: versioned, SSE-S3, private, TLS only, owner enforced, log delivery for the state bucket only", access_log_bucket),
    ("state", "state object lives at the stack's workspace key", state_object_in_workspace),
]
