"""The bucket-policy patch: conditions are evaluated as on AWS, in moto's own S3 backend."""

from __future__ import annotations

import json

import pytest

from ops.emulator_patches import _condition_holds, bucket_policy_conditions_are_evaluated

TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyRequestsWithoutTls",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@pytest.mark.parametrize(
    "operator, expected, holds",
    [
        ("Bool", "false", False),
        ("Bool", "true", True),
        ("StringEquals", ["x", "true"], True),
        ("StringLike", "tr*", True),
        ("StringNotEquals", "true", False),
        ("NumericLessThan", "3", False),
    ],
)
def test_conditions_use_the_request_context(operator, expected, holds):
    assert _condition_holds(operator, "aws:SecureTransport", expected, {"aws:SecureTransport": "true"}) is holds


def test_a_missing_key_fails_the_condition_unless_if_exists():
    assert _condition_holds("StringEquals", "aws:SourceArn", "x", {}) is False
    assert _condition_holds("StringEqualsIfExists", "aws:SourceArn", "x", {}) is True


def test_a_tls_deny_no_longer_denies_every_request():
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    original = FakeBucket.get_permission
    bucket = FakeBucket("b", account_id="123456789012", region_name="us-east-1")
    bucket.policy = json.dumps(TLS_ONLY).encode()
    assert original(bucket, "s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.DENIED, "the quirk is gone?"
    try:
        bucket_policy_conditions_are_evaluated()
        assert bucket.get_permission("s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.NEUTRAL
        unconditional = {**TLS_ONLY, "Statement": [{k: v for k, v in TLS_ONLY["Statement"][0].items() if k != "Condition"}]}
        bucket.policy = json.dumps(unconditional).encode()
        assert bucket.get_permission("s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.DENIED
    finally:
        FakeBucket.get_permission = original


def test_a_trail_can_be_deleted_by_its_arn():
    import boto3
    from moto import mock_aws
    from moto.cloudtrail.models import CloudTrailBackend

    from ops.emulator_patches import trail_deletion_accepts_an_arn

    original = CloudTrailBackend.delete_trail
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="trail-bucket")
        cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
        arn = cloudtrail.create_trail(Name="trail-one", S3BucketName="trail-bucket")["TrailARN"]
        cloudtrail.delete_trail(Name=arn)
        assert len(cloudtrail.describe_trails()["trailList"]) == 1, "the quirk is gone?"
        try:
            trail_deletion_accepts_an_arn()
            cloudtrail.delete_trail(Name=arn)
            assert cloudtrail.describe_trails()["trailList"] == []
        finally:
            CloudTrailBackend.delete_trail = original
