"""The alarm topic: KMS-encrypted, published to by CloudWatch alarms and the data lake only, TLS only."""

from __future__ import annotations

from tests.synth import by_sid, conditions, find, ref, statements_of

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"


def test_topic_is_encrypted_with_the_logs_key(stacks, environment):
    stack = stacks[environment]
    _, topic = find(stack, "aws_sns_topic", "alarm-topic/topic")
    key_name, _ = find(stack, "aws_kms_key", "keys/logs-key/key")
    assert topic["name"] == f"acme-alarms-{environment}"
    assert topic["kms_master_key_id"] == ref("aws_kms_key", key_name, "arn")


def test_topic_policy_names_its_publishers(stacks, environment):
    stack = stacks[environment]
    topic_name, _ = find(stack, "aws_sns_topic", "alarm-topic/topic")
    _, policy = find(stack, "aws_sns_topic_policy", "alarm-topic/policy")
    assert policy["arn"] == ref("aws_sns_topic", topic_name, "arn")
    statements = by_sid(statements_of(stack, policy["policy"]))
    assert set(statements) == {"CloudWatchAlarmsPublish", "DataLakeBucketsPublishEvents", "DenyPublishWithoutTls"}
    assert statements["CloudWatchAlarmsPublish"]["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert statements["DataLakeBucketsPublishEvents"]["principals"] == [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}]
    for sid in ("CloudWatchAlarmsPublish", "DataLakeBucketsPublishEvents"):
        assert statements[sid]["actions"] == ["sns:Publish"]
        assert conditions(statements[sid])["aws:SourceAccount"] == ("StringEquals", [ACCOUNT])
    deny = statements["DenyPublishWithoutTls"]
    assert deny["effect"] == "Deny" and conditions(deny) == {"aws:SecureTransport": ("Bool", ["false"])}


def test_topic_output(stacks, environment):
    topic_name, _ = find(stacks[environment], "aws_sns_topic", "alarm-topic/topic")
    assert stacks[environment]["output"]["alarm_topic_arn"]["value"] == ref("aws_sns_topic", topic_name, "arn")
