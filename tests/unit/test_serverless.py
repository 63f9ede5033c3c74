"""The serverless tier: table, function, dead-letter queue, role and alarms, from the synthesized JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synth import by_sid, conditions, find, ref, resources, statements_of


def function(stack):
    return find(stack, "aws_lambda_function", "serverless/function")


def test_table_is_on_demand_with_pitr_kms_and_ttl(stacks, environment):
    stack = stacks[environment]
    _, table = find(stack, "aws_dynamodb_table", "serverless/table")
    data_key = ref("aws_kms_key", find(stack, "aws_kms_key", "keys/data-key/key")[0], "arn")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": data_key}
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}


@pytest.mark.parametrize("environment, protected", [("dev", False), ("staging", False), ("prod", True)])
def test_table_deletion_protection_in_prod(stacks, environment, protected):
    _, table = find(stacks[environment], "aws_dynamodb_table", "serverless/table")
    assert table["deletion_protection_enabled"] is protected
    assert table["lifecycle"]["prevent_destroy"] is protected


def test_function_name_runtime_and_reproducible_code(stacks, configs, environment):
    stack = stacks[environment]
    _, body = function(stack)
    assert body["function_name"] == f"ServerlessApp-data-api-{environment}"
    assert body["runtime"] == "python3.13" and body["handler"] == "handler.handler"
    assert body["filename"].startswith("assets/") and body["filename"].endswith(".zip")
    assert len(body["source_code_hash"]) == 44
    assert body["timeout"] == configs[environment].serverless.timeout_seconds


def test_all_environments_ship_the_same_package(stacks):
    hashes = {function(stack)[1]["source_code_hash"] for stack in stacks.values()}
    assert len(hashes) == 1


def test_function_runs_in_the_private_subnets_with_its_own_security_group(stacks, environment):
    stack = stacks[environment]
    _, body = function(stack)
    private = {ref("aws_subnet", n) for n, s in resources(stack, "aws_subnet").items() if s["tags"]["Tier"] == "private"}
    group_name, _ = find(stack, "aws_security_group", "serverless/security-group")
    assert set(body["vpc_config"]["subnet_ids"]) == private
    assert body["vpc_config"]["security_group_ids"] == [ref("aws_security_group", group_name)]
    egress = [r for r in resources(stack, "aws_vpc_security_group_egress_rule").values() if r["security_group_id"] == ref("aws_security_group", group_name)]
    assert [(r["from_port"], r["to_port"]) for r in egress] == [(443, 443)]


def test_environment_encrypted_with_a_customer_key_concurrency_and_tracing(stacks, configs, environment):
    stack = stacks[environment]
    _, body = function(stack)
    assert body["kms_key_arn"] == ref("aws_kms_key", find(stack, "aws_kms_key", "keys/data-key/key")[0], "arn")
    assert body["reserved_concurrent_executions"] == configs[environment].serverless.reserved_concurrency
    assert body["tracing_config"] == {"mode": "Active"}
    assert set(body["environment"]["variables"]) == {"TABLE_NAME", "LOG_BUCKET", "LOG_PREFIX", "ALLOWED_ORIGINS"}


def test_retries_twice_then_the_encrypted_dead_letter_queue(stacks, environment):
    stack = stacks[environment]
    _, body = function(stack)
    queue_name, queue = find(stack, "aws_sqs_queue", "serverless/dead-letter-queue")
    assert body["dead_letter_config"] == {"target_arn": ref("aws_sqs_queue", queue_name, "arn")}
    assert queue["kms_master_key_id"] == ref("aws_kms_key", find(stack, "aws_kms_key", "keys/data-key/key")[0], "arn")
    _, invoke = find(stack, "aws_lambda_function_event_invoke_config", "serverless/async-invocations")
    assert invoke["maximum_retry_attempts"] == 2


def test_log_group_exists_first_encrypted_with_retention(stacks, configs, environment):
    stack = stacks[environment]
    name, group = find(stack, "aws_cloudwatch_log_group", "serverless/log-group/log-group")
    assert group["name"] == f"/aws/lambda/ServerlessApp-data-api-{environment}"
    assert group["retention_in_days"] == configs[environment].logging.retention_days and "kms_key_id" in group
    assert f"aws_cloudwatch_log_group.{name}" in function(stack)[1]["depends_on"]


def test_role_allows_only_its_own_resources(stacks, environment):
    stack = stacks[environment]
    _, role = find(stack, "aws_iam_role", "serverless/role/role")
    (trust,) = statements_of(stack, role["assume_role_policy"])
    assert trust["principals"] == [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]
    assert conditions(trust)["aws:SourceArn"][1][0].endswith(f":function:ServerlessApp-data-api-{environment}")
    _, policy = find(stack, "aws_iam_role_policy", "serverless/role/permissions")
    statements = by_sid(statements_of(stack, policy["policy"]))
    table = ref("aws_dynamodb_table", find(stack, "aws_dynamodb_table", "serverless/table")[0], "arn")
    assert statements["ReadAndWriteItsTable"]["resources"] == [table]
    assert statements["WriteRequestRecordsUnderItsPrefix"]["resources"][0].endswith("/lambda/data-api/*")
    assert statements["SendFailedEventsToItsQueue"]["actions"] == ["sqs:SendMessage"]
    for sid in ("UseTheDataKeyThroughItsServices", "UseTheLogsKeyThroughS3"):
        assert "kms:ViaService" in conditions(statements[sid])
    for statement in statements.values():
        assert "*" not in statement["resources"]


def test_alarms_for_errors_throttles_duration_and_the_queue(stacks, configs, environment):
    stack = stacks[environment]
    found = {a["metric_name"]: a for a in serverless_alarms(stack, environment) if a["alarm_name"].startswith("acme-data-api-")}
    assert set(found) == {"Errors", "Throttles", "Duration", "ApproximateNumberOfMessagesVisible"}
    assert found["Duration"]["threshold"] == configs[environment].serverless.timeout_seconds * 800
    topic = ref("aws_sns_topic", find(stack, "aws_sns_topic", "alarm-topic/topic")[0], "arn")
    assert all(a["alarm_actions"] == [topic] for a in found.values())


def serverless_alarms(stack, environment):
    return [a for a in resources(stack, "aws_cloudwatch_metric_alarm").values() if a["//"]["metadata"]["path"].startswith(f"{environment}/serverless/")]


@pytest.mark.parametrize("slug, metric, periods", [("throttles", "ThrottledRequests", 1), ("system-errors", "SystemErrors", 3)])
def test_the_table_alarms_sum_its_metric_over_the_operations_the_function_calls(stacks, environment, slug, metric, periods):
    stack = stacks[environment]
    (alarm,) = [a for a in serverless_alarms(stack, environment) if a["alarm_name"] == f"acme-items-{slug}-{environment}"]
    table_name, _ = find(stack, "aws_dynamodb_table", "serverless/table")
    table = ref("aws_dynamodb_table", table_name, "name")
    *metrics, total = alarm["metric_query"]
    assert [(m["id"], m["return_data"], m["metric"]) for m in metrics] == [
        ("m0", False, {"namespace": "AWS/DynamoDB", "metric_name": metric, "dimensions": {"TableName": table, "Operation": "GetItem"}, "stat": "Sum", "period": 300}),
        ("m1", False, {"namespace": "AWS/DynamoDB", "metric_name": metric, "dimensions": {"TableName": table, "Operation": "PutItem"}, "stat": "Sum", "period": 300}),
    ]
    assert total == {"id": "total", "expression": "SUM([m0, m1])", "label": f"{metric}, summed", "return_data": True}
    assert not {"namespace", "metric_name", "dimensions", "statistic", "period"} & set(alarm), "metric math replaces the single metric"
    assert (alarm["threshold"], alarm["comparison_operator"], alarm["evaluation_periods"]) == (1, "GreaterThanOrEqualToThreshold", periods)
    assert alarm["treat_missing_data"] == "notBreaching"
    topic = ref("aws_sns_topic", find(stack, "aws_sns_topic", "alarm-topic/topic")[0], "arn")
    assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic]
    assert alarm["alarm_description"].endswith(f"Runbook: docs/runbooks/alarms/items-table-{slug}.md")


def test_the_table_alarms_cover_every_dynamodb_operation_the_handler_calls():
    """The alarms sum TABLE_OPERATIONS; a new call in the handler that the alarms would miss fails here."""
    import re

    from platform_core.conventions import TABLE_OPERATIONS

    source = (Path(__file__).resolve().parents[2] / "lambda_src" / "data_api" / "handler.py").read_text()
    called = {name.title().replace("_", "") for name in re.findall(r"_dynamodb\(\)\.(\w+)\(", source)}
    assert called == set(TABLE_OPERATIONS) == {"GetItem", "PutItem"}


def test_serverless_outputs(stacks, environment):
    outputs = stacks[environment]["output"]
    name, _ = function(stacks[environment])
    assert outputs["function_names"]["value"] == [ref("aws_lambda_function", name, "function_name")]
    assert outputs["function_arns"]["value"] == [ref("aws_lambda_function", name, "arn")]
    assert {"table_name", "dead_letter_queue_url"} <= set(outputs)
