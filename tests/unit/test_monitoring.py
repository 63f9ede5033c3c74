"""The alarm topic: KMS-encrypted, published to by CloudWatch alarms, the data lake, the database's RDS events, the
backup vault and the backup-failures rule only, TLS only."""

from __future__ import annotations

from tests.synth import by_sid, conditions, find, ref, statements_of

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"


def rds_arn(resource: str) -> str:
    return f"arn:{PARTITION}:rds:us-east-1:{ACCOUNT}:{resource}"


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
    assert set(statements) == {
        "CloudWatchAlarmsPublish", "DataLakeBucketsPublishEvents", "DatabaseEventsPublish", "BackupVaultsPublish", "BackupFailuresRulePublishes",
        "DenyPublishWithoutTls",
    }
    assert statements["CloudWatchAlarmsPublish"]["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert statements["DataLakeBucketsPublishEvents"]["principals"] == [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}]
    assert statements["DatabaseEventsPublish"]["principals"] == [{"type": "Service", "identifiers": ["events.rds.amazonaws.com"]}]
    assert conditions(statements["DatabaseEventsPublish"])["aws:SourceArn"] == ("ArnLike", [rds_arn(f"db:acme-database-{environment}"), rds_arn(f"pg:acme-database-{environment}-*")])
    assert statements["BackupVaultsPublish"]["principals"] == [{"type": "Service", "identifiers": ["backup.amazonaws.com"]}]
    assert conditions(statements["BackupVaultsPublish"])["aws:SourceArn"] == (
        "ArnLike", [f"arn:{PARTITION}:backup:us-east-1:{ACCOUNT}:backup-vault:acme-backups-{environment}"],
    )
    assert statements["BackupFailuresRulePublishes"]["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert conditions(statements["BackupFailuresRulePublishes"])["aws:SourceArn"] == (
        "ArnEquals", [f"arn:{PARTITION}:events:us-east-1:{ACCOUNT}:rule/acme-backup-failures-{environment}"],
    )
    for sid in ("CloudWatchAlarmsPublish", "DataLakeBucketsPublishEvents", "DatabaseEventsPublish", "BackupVaultsPublish", "BackupFailuresRulePublishes"):
        assert statements[sid]["actions"] == ["sns:Publish"]
        assert conditions(statements[sid])["aws:SourceAccount"] == ("StringEquals", [ACCOUNT])
    deny = statements["DenyPublishWithoutTls"]
    assert deny["effect"] == "Deny" and conditions(deny) == {"aws:SecureTransport": ("Bool", ["false"])}


def test_topic_output(stacks, environment):
    topic_name, _ = find(stacks[environment], "aws_sns_topic", "alarm-topic/topic")
    assert stacks[environment]["output"]["alarm_topic_arn"]["value"] == ref("aws_sns_topic", topic_name, "arn")


def test_configured_emails_are_subscribed(stacks, configs, environment):
    from tests.synth import resources

    subscriptions = resources(stacks[environment], "aws_sns_topic_subscription")
    assert sorted(s["endpoint"] for s in subscriptions.values()) == sorted(configs[environment].monitoring.alarm_emails)
    assert {s["protocol"] for s in subscriptions.values()} == {"email"}


def test_dashboard_covers_the_database_the_servers_and_the_logs(stacks, environment):
    import json
    import re

    from tests.synth import resources

    stack = stacks[environment]
    (dashboard,) = resources(stack, "aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_name"] == f"acme-platform-{environment}"
    body = dashboard["dashboard_body"]
    assert body.startswith("${jsonencode(") and body.endswith(")}")
    for metric in ("CPUUtilization", "FreeStorageSpace", "DatabaseConnections", "StatusCheckFailed"):
        assert f'"{metric}"' in body
    assert ("ReplicaLag" in body) is (environment != "dev")
    assert re.search(r"SOURCE '\$\{aws_cloudwatch_log_group\.compute_app-log-group[^}]+\.name}' \| SOURCE '\$\{aws_cloudwatch_log_group\.network_flow-log-group[^}]+\.name}'", body)
    (name,) = resources(stack, "aws_cloudwatch_dashboard")
    assert stack["output"]["dashboard_name"]["value"] == f"${{aws_cloudwatch_dashboard.{name}.dashboard_name}}"
    assert json.loads(json.dumps(body))



def dashboard_widget(stack, title: str) -> str:
    """One widget of the dashboard, as the text of its ``jsonencode`` literal (tokens stay bare references)."""
    from tests.synth import resources

    (dashboard,) = resources(stack, "aws_cloudwatch_dashboard").values()
    (widget,) = [w for w in dashboard["dashboard_body"].split('{"type" = ')[1:] if f'"title" = "{title}"' in w]
    return widget


def test_the_dashboard_shows_the_items_tables_metrics_per_operation(stacks, environment):
    stack = stacks[environment]
    table_name, _ = find(stack, "aws_dynamodb_table", "serverless/table")
    for metric in ("ThrottledRequests", "SystemErrors"):
        widget = dashboard_widget(stack, f"Items table {metric}")
        assert '"stat" = "Sum"' in widget
        rows = [f'["AWS/DynamoDB", "{metric}", "TableName", aws_dynamodb_table.{table_name}.name, "Operation", "{op}"]' for op in ("GetItem", "PutItem")]
        assert f'"metrics" = [{", ".join(rows)}]' in widget


def test_the_dashboard_shows_the_data_buckets_errors(stacks, environment):
    stack = stacks[environment]
    bucket_name, _ = find(stack, "aws_s3_bucket", "data-lake/data/bucket")
    for metric in ("4xxErrors", "5xxErrors"):
        widget = dashboard_widget(stack, f"Data bucket {metric}")
        assert '"stat" = "Sum"' in widget
        assert f'"metrics" = [["AWS/S3", "{metric}", "BucketName", aws_s3_bucket.{bucket_name}.id, "FilterId", "EntireBucket"]]' in widget
