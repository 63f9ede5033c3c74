"""The bootstrap stack: the state bucket logs every request to an access-log bucket made with it."""

from __future__ import annotations

import os

import pytest

from tests.synth import by_sid, conditions, document_name_of, find, policy_statements, ref, resources

PARTITION = "${data.aws_partition.current-partition.partition}"
ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"


@pytest.fixture(scope="module")
def state_stacks(configs, accounts, tmp_path_factory) -> dict[str, dict]:
    """Every environment's and account baseline's state-bucket stack, by config name."""
    import json

    from constructs_lib.app import synthesize_state_buckets
    from platform_core.target import DeployTarget

    outdir = tmp_path_factory.mktemp("state-buckets")
    everything = [*configs.values(), *accounts.values()]
    before = os.environ.get("CDKTF_OUTDIR")
    os.environ["CDKTF_OUTDIR"] = str(outdir)
    try:
        synthesize_state_buckets(everything, DeployTarget(kind="aws"), outdir / "state")
    finally:
        os.environ.pop("CDKTF_OUTDIR") if before is None else os.environ.__setitem__("CDKTF_OUTDIR", before)
    return {c.stack_name: json.loads((outdir / "stacks" / f"state-bucket-{c.stack_name}" / "cdk.tf.json").read_text()) for c in everything}


def test_each_state_bucket_logs_to_its_own_access_log_bucket(state_stacks, configs, accounts):
    for config in [*configs.values(), *accounts.values()]:
        stack = state_stacks[config.stack_name]
        state_name, state = find(stack, "aws_s3_bucket", "state-bucket/bucket")
        log_name, log = find(stack, "aws_s3_bucket", "access-logs/bucket")
        assert state["bucket"] == config.state.bucket
        assert log["bucket"] == f"{config.state.bucket}-access-logs"
        (logging,) = resources(stack, "aws_s3_bucket_logging").values()
        assert logging["bucket"] == ref("aws_s3_bucket", state_name)
        assert logging["target_bucket"] == ref("aws_s3_bucket", log_name)
        assert logging["target_prefix"] == "state/"
        policy_name, _ = find(stack, "aws_s3_bucket_policy", "access-logs/policy")
        assert logging["depends_on"] == [f"aws_s3_bucket_policy.{policy_name}"], "S3 checks the target's policy"
        assert state["lifecycle"]["prevent_destroy"] is True and log["lifecycle"]["prevent_destroy"] is True


def test_the_access_log_bucket_is_secure_and_sse_s3(state_stacks):
    stack = state_stacks["dev"]
    log_name, _ = find(stack, "aws_s3_bucket", "access-logs/bucket")
    mine = ref("aws_s3_bucket", log_name)
    _, encryption = find(stack, "aws_s3_bucket_server_side_encryption_configuration", "access-logs/encryption")
    assert encryption["bucket"] == mine
    assert encryption["rule"] == [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], "SSE-S3: what a log target supports"
    _, versioning = find(stack, "aws_s3_bucket_versioning", "access-logs/versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    _, block = find(stack, "aws_s3_bucket_public_access_block", "access-logs/public-access-block")
    assert all(block[flag] is True for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    _, ownership = find(stack, "aws_s3_bucket_ownership_controls", "access-logs/ownership")
    assert ownership["rule"]["object_ownership"] == "BucketOwnerEnforced"
    _, lifecycle = find(stack, "aws_s3_bucket_lifecycle_configuration", "access-logs/lifecycle")
    assert lifecycle["rule"][0]["expiration"] == [{"days": 365}]
    assert not resources(stack, "aws_s3_bucket_logging").keys() - {find(stack, "aws_s3_bucket_logging", "state-bucket/access-logging")[0]}, "the log bucket does not log itself"


def test_only_s3_log_delivery_for_the_state_bucket_of_this_account_may_write(state_stacks):
    stack = state_stacks["dev"]
    _, policy = find(stack, "aws_s3_bucket_policy", "access-logs/policy")
    statements = by_sid(policy_statements(stack, document_name_of(policy["policy"])))
    assert set(statements) == {"S3LogDeliveryWritesStateBucketAccessLogs", "DenyRequestsWithoutTls"}
    delivery = statements["S3LogDeliveryWritesStateBucketAccessLogs"]
    assert delivery["actions"] == ["s3:PutObject"]
    assert delivery["principals"] == [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}]
    assert delivery["resources"] == [f"arn:{PARTITION}:s3:::acme-tfstate-dev-access-logs/state/*"]
    assert conditions(delivery) == {
        "aws:SourceAccount": ("StringEquals", [ACCOUNT]),
        "aws:SourceArn": ("ArnEquals", [f"arn:{PARTITION}:s3:::acme-tfstate-dev"]),
    }
    assert statements["DenyRequestsWithoutTls"]["effect"] == "Deny"

