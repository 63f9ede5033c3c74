"""Encryption checks: one enabled, rotating, customer-managed key per purpose, with an explicit policy."""

from __future__ import annotations

import json

from ops.verify import VerifyContext, expect

PURPOSES = ("data", "logs", "database", "audit", "backup")


def keys_rotate(ctx: VerifyContext) -> str:
    kms = ctx.client("kms")
    for purpose in PURPOSES:
        arn = ctx.key_arn(purpose)
        metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
        expect(metadata["KeyState"] == "Enabled", f"{purpose} key is {metadata['KeyState']}")
        expect(metadata["KeyManager"] == "CUSTOMER", f"{purpose} key is managed by {metadata['KeyManager']}")
        expect(kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"], f"{purpose} key does not rotate")
    return ", ".join(PURPOSES)


def key_policies_name_their_principals(ctx: VerifyContext) -> None:
    kms = ctx.client("kms")
    root = f"arn:aws:iam::{ctx.account_id}:root"
    for purpose in PURPOSES:
        policy = json.loads(kms.get_key_policy(KeyId=ctx.key_arn(purpose), PolicyName="default")["Policy"])
        for item in policy["Statement"]:
            principal = item.get("Principal", {})
            if "AWS" in principal and principal["AWS"] in (root, [root]):
                continue
            expect(bool(item.get("Condition")), f"{purpose} key admits {principal} without a condition")


CHECKS = [
    ("encryption", "a rotating customer-managed key per purpose", keys_rotate),
    ("encryption", "key policies admit the account root, and any other principal only under a condition", key_policies_name_their_principals),
]
