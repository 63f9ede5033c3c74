"""What every secure bucket must show through the S3 API; shared by the state and data-lake checks."""

from __future__ import annotations

import json

from ops.verify import expect


def versioned(s3, bucket: str) -> None:
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    expect(status == "Enabled", f"{bucket}: versioning is {status}")


def kms_encryption(s3, bucket: str) -> str | None:
    """Checks SSE-KMS with the bucket key; returns the default key id (None means aws/s3)."""
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    default = rule["ApplyServerSideEncryptionByDefault"]
    expect(default["SSEAlgorithm"] == "aws:kms", f"{bucket}: default encryption is {default['SSEAlgorithm']}")
    expect(rule.get("BucketKeyEnabled") is True, f"{bucket}: the S3 bucket key is off")
    return default.get("KMSMasterKeyID")


def public_access_blocked(s3, bucket: str) -> None:
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    expect(len(block) == 4 and all(block.values()), f"{bucket}: public access block is {block}")


def tls_only(s3, bucket: str) -> dict:
    """Checks the deny-without-TLS statement; returns the whole policy for further checks."""
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    denies = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
    ]
    expect(bool(denies), f"{bucket}: no statement denies requests without TLS")
    return policy


def owner_enforced(s3, bucket: str) -> None:
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    expect([r["ObjectOwnership"] for r in rules] == ["BucketOwnerEnforced"], f"{bucket}: ownership is {rules}")


def default_retention(s3, bucket: str) -> tuple[str, int | None] | None:
    """The bucket's Object Lock default retention, ``(mode, days)``; None when it has no Object Lock or no default."""
    try:
        found = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "ObjectLockConfigurationNotFoundError":
            return None
        raise
    retention = found.get("Rule", {}).get("DefaultRetention")
    if found.get("ObjectLockEnabled") != "Enabled" or not retention:
        return None
    return retention["Mode"], retention.get("Days")
