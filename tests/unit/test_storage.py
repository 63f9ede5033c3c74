"""The data lake: three SecureBuckets, each with every protection, logging and events where due."""

from __future__ import annotations

import pytest

from constructs_lib.secure_bucket import LifecyclePolicy, ObjectLock, SecureBucketProps, check_object_lock
from tests.synth import by_sid, conditions, find, ref, referenced, resources, statements_of

PURPOSES = ("data", "access-logs", "audit")
KEY_OF = {"data": "data", "access-logs": "logs", "audit": "audit"}
ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"


def bucket(stack, purpose):
    return find(stack, "aws_s3_bucket", f"data-lake/{purpose}/bucket")


def part(stack, resource_type, purpose, suffix):
    return find(stack, resource_type, f"data-lake/{purpose}/{suffix}")[1]


def bucket_ref(stack, purpose):
    return ref("aws_s3_bucket", bucket(stack, purpose)[0])


def test_three_buckets_named_with_account_and_environment(stacks, environment):
    stack = stacks[environment]
    assert len(resources(stack, "aws_s3_bucket")) == 3
    for purpose in PURPOSES:
        assert bucket(stack, purpose)[1]["bucket"] == f"acme-{purpose}-{environment}-{ACCOUNT}"


@pytest.mark.parametrize("purpose", PURPOSES)
def test_versioning_on(stacks, environment, purpose):
    body = part(stacks[environment], "aws_s3_bucket_versioning", purpose, "versioning")
    assert body["bucket"] == bucket_ref(stacks[environment], purpose)
    assert body["versioning_configuration"] == {"status": "Enabled"}


@pytest.mark.parametrize("purpose", PURPOSES)
def test_sse_kms_with_the_purposes_key_and_the_bucket_key(stacks, environment, purpose):
    stack = stacks[environment]
    key_name, _ = find(stack, "aws_kms_key", f"keys/{KEY_OF[purpose]}-key/key")
    (rule,) = part(stack, "aws_s3_bucket_server_side_encryption_configuration", purpose, "encryption")["rule"]
    assert rule == {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": ref("aws_kms_key", key_name, "arn")},
        "bucket_key_enabled": True,
    }


@pytest.mark.parametrize("purpose", PURPOSES)
def test_all_four_public_access_blocks(stacks, environment, purpose):
    body = part(stacks[environment], "aws_s3_bucket_public_access_block", purpose, "public-access-block")
    assert {k: body[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")} == dict.fromkeys(
        ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
    )


@pytest.mark.parametrize("purpose", PURPOSES)
def test_bucket_owner_enforced(stacks, environment, purpose):
    assert part(stacks[environment], "aws_s3_bucket_ownership_controls", purpose, "ownership")["rule"] == {"object_ownership": "BucketOwnerEnforced"}


@pytest.mark.parametrize("purpose", PURPOSES)
def test_policy_denies_requests_without_tls(stacks, environment, purpose):
    stack = stacks[environment]
    body = part(stack, "aws_s3_bucket_policy", purpose, "policy")
    deny = by_sid(statements_of(stack, body["policy"]))["DenyRequestsWithoutTls"]
    arn = ref("aws_s3_bucket", bucket(stack, purpose)[0], "arn")
    assert deny["effect"] == "Deny" and deny["actions"] == ["s3:*"]
    assert deny["resources"] == [arn, f"{arn}/*"]
    assert deny["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
    assert conditions(deny) == {"aws:SecureTransport": ("Bool", ["false"])}


def test_access_log_bucket_admits_log_delivery_per_source_prefix(stacks, environment):
    stack = stacks[environment]
    statements = by_sid(statements_of(stack, part(stack, "aws_s3_bucket_policy", "access-logs", "policy")["policy"]))
    for purpose in ("data", "audit"):
        statement = statements[f"S3LogDeliveryWrites{purpose.capitalize()}AccessLogs"]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}]
        assert statement["actions"] == ["s3:PutObject"]
        assert statement["resources"] == [f"arn:{PARTITION}:s3:::acme-access-logs-{environment}-{ACCOUNT}/{purpose}/*"]
        assert conditions(statement)["aws:SourceArn"] == ("ArnEquals", [f"arn:{PARTITION}:s3:::acme-{purpose}-{environment}-{ACCOUNT}"])


def test_audit_bucket_admits_cloudtrail_only_for_this_trail(stacks, environment):
    stack = stacks[environment]
    statements = by_sid(statements_of(stack, part(stack, "aws_s3_bucket_policy", "audit", "policy")["policy"]))
    trail = f"arn:{PARTITION}:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-trail-{environment}"
    for sid in ("CloudTrailChecksTheBucketAcl", "CloudTrailWritesThisTrailsLogFiles"):
        assert statements[sid]["principals"] == [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
        assert conditions(statements[sid])["aws:SourceArn"] == ("StringEquals", [trail])
    assert statements["CloudTrailWritesThisTrailsLogFiles"]["resources"] == [
        f"arn:{PARTITION}:s3:::acme-audit-{environment}-{ACCOUNT}/cloudtrail/AWSLogs/{ACCOUNT}/*"
    ]


def test_data_bucket_policy_admits_no_service(stacks, environment):
    stack = stacks[environment]
    statements = statements_of(stack, part(stack, "aws_s3_bucket_policy", "data", "policy")["policy"])
    assert [s["sid"] for s in statements] == ["DenyRequestsWithoutTls"]


def test_data_and_audit_log_to_the_access_log_bucket_which_does_not_log_itself(stacks, environment):
    stack = stacks[environment]
    logs = resources(stack, "aws_s3_bucket_logging")
    assert len(logs) == 2
    target = ref("aws_s3_bucket", bucket(stack, "access-logs")[0])
    for purpose in ("data", "audit"):
        body = part(stack, "aws_s3_bucket_logging", purpose, "access-logging")
        assert body["target_bucket"] == target and body["target_prefix"] == f"{purpose}/"
        policy_name, _ = find(stack, "aws_s3_bucket_policy", "data-lake/access-logs/policy")
        assert body["depends_on"] == [f"aws_s3_bucket_policy.{policy_name}"]


def lifecycle_rule(stack, purpose):
    (rule,) = part(stack, "aws_s3_bucket_lifecycle_configuration", purpose, "lifecycle")["rule"]
    return rule


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_bucket_aborts_incomplete_uploads_and_expires_noncurrent_versions(stacks, configs, environment, purpose):
    rule = lifecycle_rule(stacks[environment], purpose)
    assert rule["status"] == "Enabled"
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": configs[environment].storage.noncurrent_version_expiration_days}]


def test_access_logs_expire_after_the_configured_days(stacks, configs, environment):
    assert lifecycle_rule(stacks[environment], "access-logs")["expiration"] == [{"days": configs[environment].storage.log_expiration_days}]
    assert configs[environment].storage.log_expiration_days == 30


def test_data_moves_to_cheaper_storage_on_the_configured_schedule(stacks, configs, environment):
    rule = lifecycle_rule(stacks[environment], "data")
    assert "expiration" not in rule, "data is never expired by age"
    assert rule["transition"] == [{"days": t.days, "storage_class": t.storage_class} for t in configs[environment].storage.data_transitions]


def test_audit_files_expire_only_after_the_audit_retention(stacks, configs, environment):
    assert lifecycle_rule(stacks[environment], "audit")["expiration"] == [{"days": configs[environment].audit.log_retention_days}]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_deletions_and_acl_changes_go_to_the_alarm_topic(stacks, environment, purpose):
    stack = stacks[environment]
    topic_name, _ = find(stack, "aws_sns_topic", "alarm-topic/topic")
    (topic,) = part(stack, "aws_s3_bucket_notification", purpose, "notifications")["topic"]
    assert topic == {"topic_arn": ref("aws_sns_topic", topic_name, "arn"), "events": ["s3:ObjectRemoved:*", "s3:ObjectAcl:Put"]}


@pytest.mark.parametrize("environment, force_destroy, prevent_destroy", [("dev", True, False), ("staging", False, False), ("prod", False, True)])
def test_force_destroy_only_where_allowed_and_never_in_prod(stacks, environment, force_destroy, prevent_destroy):
    for body in resources(stacks[environment], "aws_s3_bucket").values():
        assert body["force_destroy"] is force_destroy
        assert body["lifecycle"]["prevent_destroy"] is prevent_destroy


def test_bucket_outputs(stacks, environment):
    outputs = stacks[environment]["output"]
    for purpose in ("data", "access_logs", "audit"):
        assert {f"{purpose}_bucket_name", f"{purpose}_bucket_arn"} <= set(outputs)
    assert referenced(outputs["data_bucket_arn"]["value"]) == {("aws_s3_bucket", bucket(stacks[environment], "data")[0])}


EXPECTED_LOCK = {"dev": None, "staging": ("GOVERNANCE", 365), "prod": ("COMPLIANCE", 2557)}
"""What each shipped environment file asks for: dev off, staging governance, prod the default, compliance."""


def test_the_audit_bucket_is_locked_only_where_configured_in_the_configured_mode_and_days(stacks, configs, environment):
    stack = stacks[environment]
    audit = configs[environment].audit
    locks = resources(stack, "aws_s3_bucket_object_lock_configuration")
    expected = None if audit.object_lock == "off" else (audit.object_lock.upper(), audit.log_retention_days)
    assert expected == EXPECTED_LOCK[environment]
    for purpose in PURPOSES:
        body = bucket(stack, purpose)[1]
        locked = purpose == "audit" and expected is not None
        assert body.get("object_lock_enabled") is (True if locked else None), purpose
        assert body["lifecycle"].get("ignore_changes") == (["object_lock_enabled"] if locked else None), purpose
    if expected is None:
        assert locks == {}
        return
    (lock,) = locks.values()
    assert lock == part(stack, "aws_s3_bucket_object_lock_configuration", "audit", "object-lock")
    mode, days = expected
    assert lock["bucket"] == bucket_ref(stack, "audit")
    assert lock["rule"] == {"default_retention": {"mode": mode, "days": days}}
    versioning_name, _ = find(stack, "aws_s3_bucket_versioning", "data-lake/audit/versioning")
    assert lock["depends_on"] == [f"aws_s3_bucket_versioning.{versioning_name}"]


def test_the_audit_bucket_expires_its_files_no_sooner_than_it_locks_them(stacks, environment):
    stack = stacks[environment]
    (expiration,) = lifecycle_rule(stack, "audit")["expiration"]
    for lock in resources(stack, "aws_s3_bucket_object_lock_configuration").values():
        assert expiration["days"] >= lock["rule"]["default_retention"]["days"]


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"object_lock": ObjectLock("LEGAL", 30)}, "mode 'LEGAL'"),
        ({"object_lock": ObjectLock("COMPLIANCE", 0)}, "at least one day"),
        ({"object_lock": ObjectLock("GOVERNANCE", 30), "sse_s3_log_target": True}, "log target cannot have Object Lock"),
        ({"object_lock": ObjectLock("COMPLIANCE", 30), "lifecycle": LifecyclePolicy(expire_after_days=29)}, "expire after 29 days, before their 30-day"),
    ],
)
def test_a_lock_s3_or_the_lifecycle_would_contradict_is_refused(change, problem):
    with pytest.raises(ValueError, match=problem):
        check_object_lock(SecureBucketProps(bucket_name="b", **change))
    check_object_lock(SecureBucketProps(bucket_name="b", object_lock=ObjectLock("COMPLIANCE", 30), lifecycle=LifecyclePolicy(expire_after_days=30)))


def test_the_data_bucket_publishes_request_metrics_for_the_whole_bucket_and_only_it(stacks, environment):
    stack = stacks[environment]
    (name, metrics), = resources(stack, "aws_s3_bucket_metric").items()
    assert metrics == find(stack, "aws_s3_bucket_metric", "data-lake/data-requests/metrics")[1]
    assert (metrics["bucket"], metrics["name"]) == (bucket_ref(stack, "data"), "EntireBucket")
    assert "filter" not in metrics, "no filter: every request of the bucket"


@pytest.mark.parametrize("kind, threshold, periods", [("4xx", 25, 3), ("5xx", 5, 1)])
def test_the_data_bucket_alarms_on_its_client_and_server_errors(stacks, environment, kind, threshold, periods):
    stack = stacks[environment]
    _, alarm = find(stack, "aws_cloudwatch_metric_alarm", f"data-lake/data-requests/{kind}-alarm")
    assert alarm["alarm_name"] == f"acme-data-bucket-{kind}-{environment}"
    assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"], alarm["period"]) == ("AWS/S3", f"{kind}Errors", "Sum", 300)
    assert alarm["dimensions"] == {"BucketName": bucket_ref(stack, "data"), "FilterId": "EntireBucket"}
    assert (alarm["threshold"], alarm["comparison_operator"], alarm["evaluation_periods"]) == (threshold, "GreaterThanOrEqualToThreshold", periods)
    assert alarm["treat_missing_data"] == "notBreaching"
    topic_name, _ = find(stack, "aws_sns_topic", "alarm-topic/topic")
    assert alarm["alarm_actions"] == alarm["ok_actions"] == [ref("aws_sns_topic", topic_name, "arn")]
    assert alarm["alarm_description"].endswith(f"Runbook: docs/runbooks/alarms/data-bucket-{kind}.md")
