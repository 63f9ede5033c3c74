"""Verification must be able to fail: the framework's statuses, and real checks against moto's mocks."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from environments import load_environments
from environments.target import DeployTarget
from ops.verify import CheckFailed, EmulatorGap, VerifyContext, buckets, run_checks


def context(kind: str = "emulator") -> VerifyContext:
    (dev,) = load_environments(only=["dev"])
    return VerifyContext(dev, DeployTarget(kind=kind))


def passing(ctx):
    return "fine"


def failing(ctx):
    raise CheckFailed("versioning is Suspended")


def gap(ctx):
    raise EmulatorGap("moto does not implement Performance Insights")


def crashing(ctx):
    raise KeyError("Rules")


def test_statuses_and_details():
    results = run_checks(context(), [("t", "a", passing), ("t", "b", failing), ("t", "c", gap), ("t", "d", crashing)])
    assert [(r.status, r.detail) for r in results] == [
        ("PASS", "fine"),
        ("FAIL", "versioning is Suspended"),
        ("SKIP", "emulator: moto does not implement Performance Insights"),
        ("FAIL", "KeyError: 'Rules'"),
    ]
    assert results[1].line() == "FAIL t: b (versioning is Suspended)"


def test_an_emulator_gap_is_a_failure_on_aws():
    (result,) = run_checks(context("aws"), [("t", "c", gap)])
    assert result.status == "FAIL" and "unexpected emulator gap on AWS" in result.detail


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="verify-me")
        yield client


def test_bucket_checks_fail_on_an_unprotected_bucket(s3):
    with pytest.raises(CheckFailed, match="versioning is None"):
        buckets.versioned(s3, "verify-me")
    s3.put_public_access_block(
        Bucket="verify-me",
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True},
    )
    with pytest.raises(CheckFailed, match="public access block"):
        buckets.public_access_blocked(s3, "verify-me")
    s3.put_bucket_encryption(
        Bucket="verify-me", ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    )
    with pytest.raises(CheckFailed, match="default encryption is AES256"):
        buckets.kms_encryption(s3, "verify-me")
    s3.put_bucket_policy(
        Bucket="verify-me",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::verify-me/*"}]}),
    )
    with pytest.raises(CheckFailed, match="no statement denies requests without TLS"):
        buckets.tls_only(s3, "verify-me")


def test_bucket_checks_pass_on_a_protected_bucket(s3):
    s3.put_bucket_versioning(Bucket="verify-me", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket="verify-me",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}, "BucketKeyEnabled": True}]},
    )
    buckets.versioned(s3, "verify-me")
    assert buckets.kms_encryption(s3, "verify-me") == "k"
