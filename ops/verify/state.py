"""Remote-state checks: the state bucket's protections and the state object's place."""

from __future__ import annotations

import json

from ops.naming import state_object_key
from ops.verify import CheckFailed, VerifyContext, expect


def _s3(ctx: VerifyContext):
    return ctx.client("s3")


def _bucket(ctx: VerifyContext) -> str:
    return ctx.config.state.bucket


def versioned(ctx: VerifyContext) -> None:
    status = _s3(ctx).get_bucket_versioning(Bucket=_bucket(ctx)).get("Status")
    expect(status == "Enabled", f"versioning is {status}")


def encrypted(ctx: VerifyContext) -> str:
    rules = _s3(ctx).get_bucket_encryption(Bucket=_bucket(ctx))["ServerSideEncryptionConfiguration"]["Rules"]
    algorithm = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    expect(algorithm == "aws:kms", f"default encryption is {algorithm}")
    return algorithm


def public_access_blocked(ctx: VerifyContext) -> None:
    block = _s3(ctx).get_public_access_block(Bucket=_bucket(ctx))["PublicAccessBlockConfiguration"]
    expect(all(block.values()) and len(block) == 4, f"public access block is {block}")


def tls_only(ctx: VerifyContext) -> None:
    policy = json.loads(_s3(ctx).get_bucket_policy(Bucket=_bucket(ctx))["Policy"])
    denies = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)
    ]
    expect(bool(denies), "no statement denies requests without TLS")


def state_object_in_workspace(ctx: VerifyContext) -> str:
    key = state_object_key(ctx.config)
    try:
        _s3(ctx).head_object(Bucket=_bucket(ctx), Key=key)
    except Exception as error:
        raise CheckFailed(f"s3://{_bucket(ctx)}/{key} not found ({error})") from None
    return f"s3://{_bucket(ctx)}/{key}"


CHECKS = [
    ("state", "state bucket is versioned", versioned),
    ("state", "state bucket is encrypted with KMS", encrypted),
    ("state", "state bucket blocks all public access", public_access_blocked),
    ("state", "state bucket denies requests without TLS", tls_only),
    ("state", "state object lives at the environment's workspace key", state_object_in_workspace),
]
