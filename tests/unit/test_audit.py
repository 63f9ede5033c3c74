"""The trail: multi-region, global events, validated and encrypted logs, CloudWatch delivery, data events, Insights."""

from __future__ import annotations

from tests.synth import by_sid, conditions, document_name_of, find, policy_statements, ref, resources

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"


def trail(stack):
    return find(stack, "aws_cloudtrail", "audit-trail/trail")


def test_one_multi_region_trail_with_global_events_and_validation(stacks, environment):
    stack = stacks[environment]
    assert len(resources(stack, "aws_cloudtrail")) == 1
    _, body = trail(stack)
    assert body["name"] == f"acme-trail-{environment}"
    assert body["is_multi_region_trail"] is True
    assert body["include_global_service_events"] is True
    assert body["enable_log_file_validation"] is True
    assert body["enable_logging"] is True


def test_trail_is_encrypted_with_the_audit_key_and_delivers_to_the_audit_bucket(stacks, environment):
    stack = stacks[environment]
    _, body = trail(stack)
    key_name, _ = find(stack, "aws_kms_key", "keys/audit-key/key")
    bucket_name, _ = find(stack, "aws_s3_bucket", "data-lake/audit/bucket")
    policy_name, _ = find(stack, "aws_s3_bucket_policy", "data-lake/audit/policy")
    assert body["kms_key_id"] == ref("aws_kms_key", key_name, "arn")
    assert body["s3_bucket_name"] == ref("aws_s3_bucket", bucket_name)
    assert body["s3_key_prefix"] == "cloudtrail"
    assert f"aws_s3_bucket_policy.{policy_name}" in body["depends_on"], "CloudTrail checks the bucket policy at creation"


def test_trail_feeds_its_encrypted_log_group_through_a_dedicated_role(stacks, configs, environment):
    stack = stacks[environment]
    _, body = trail(stack)
    group_name, group = find(stack, "aws_cloudwatch_log_group", "audit-trail/log-group/log-group")
    role_name, role = find(stack, "aws_iam_role", "audit-trail/log-role/role")
    assert body["cloud_watch_logs_group_arn"] == ref("aws_cloudwatch_log_group", group_name, "arn") + ":*"
    assert body["cloud_watch_logs_role_arn"] == ref("aws_iam_role", role_name, "arn")
    assert group["name"] == f"/acme/{environment}/cloudtrail"
    assert group["retention_in_days"] == configs[environment].audit.log_retention_days
    logs_key, _ = find(stack, "aws_kms_key", "keys/logs-key/key")
    assert group["kms_key_id"] == ref("aws_kms_key", logs_key, "arn")
    (trust,) = policy_statements(stack, document_name_of(role["assume_role_policy"]))
    assert conditions(trust)["aws:SourceArn"] == ("ArnLike", [f"arn:{PARTITION}:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-trail-{environment}"])
    _, permissions = find(stack, "aws_iam_role_policy", "audit-trail/log-role/permissions")
    (write,) = policy_statements(stack, document_name_of(permissions["policy"]))
    assert write["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert write["resources"] == [f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:/acme/{environment}/cloudtrail:log-stream:*"]


def test_prod_keeps_audit_logs_at_least_seven_years(stacks):
    _, group = find(stacks["prod"], "aws_cloudwatch_log_group", "audit-trail/log-group/log-group")
    assert group["retention_in_days"] >= 2557


def _selector(stack) -> tuple[dict, dict[str, list[str]]]:
    _, body = trail(stack)
    (selector,) = body["event_selector"]
    return selector, {resource["type"]: resource["values"] for resource in selector["data_resource"]}


def test_trail_records_read_and_write_data_events_of_every_bucket_but_its_own(stacks, environment):
    stack = stacks[environment]
    selector, values = _selector(stack)
    assert selector["read_write_type"] == "All", "reads and writes"
    assert selector["include_management_events"] is True
    audit_bucket, _ = find(stack, "aws_s3_bucket", "data-lake/audit/bucket")
    platform_buckets = {ref("aws_s3_bucket", name, "arn") + "/" for name in resources(stack, "aws_s3_bucket") if name != audit_bucket}
    assert len(platform_buckets) == len(resources(stack, "aws_s3_bucket")) - 1 >= 2
    assert platform_buckets <= set(values["AWS::S3::Object"])
    assert ref("aws_s3_bucket", audit_bucket, "arn") + "/" not in values["AWS::S3::Object"], "the trail's own bucket would loop"


def test_trail_records_the_state_bucket_and_its_log_bucket(stacks, configs, environment):
    _, values = _selector(stacks[environment])
    state = configs[environment].state.bucket
    assert f"arn:{PARTITION}:s3:::{state}/" in values["AWS::S3::Object"]
    assert f"arn:{PARTITION}:s3:::{state}-access-logs/" in values["AWS::S3::Object"]
    assert len(values["AWS::S3::Object"]) == len(set(values["AWS::S3::Object"])) == 4


def test_trail_records_invokes_of_every_function(stacks, environment):
    stack = stacks[environment]
    _, values = _selector(stack)
    functions = resources(stack, "aws_lambda_function")
    assert functions
    assert values["AWS::Lambda::Function"] == [ref("aws_lambda_function", name, "arn") for name in functions]


def test_insights_watch_api_call_and_error_rates_by_default(stacks, configs, environment):
    assert configs[environment].audit.insights is True, "the shipped environments keep the default"
    _, body = trail(stacks[environment])
    assert body["insight_selector"] == [{"insight_type": "ApiCallRateInsight"}, {"insight_type": "ApiErrorRateInsight"}]


def test_insights_off_when_the_environment_says_so(configs, tmp_path):
    from platform_core.target import DeployTarget
    from tests.synth import synth_environments

    config = configs["dev"].model_copy(update={"audit": configs["dev"].audit.model_copy(update={"insights": False})})
    stack = synth_environments([config], DeployTarget(kind="aws"), tmp_path)["dev"]
    _, body = trail(stack)
    assert "insight_selector" not in body
    assert body["event_selector"], "data events stay on"


def test_too_many_data_resources_are_refused_at_synth():
    import pytest

    from constructs_lib.data_events import BASIC_SELECTOR_DATA_RESOURCE_LIMIT, DataEvents

    DataEvents(bucket_arns=["b"] * (BASIC_SELECTOR_DATA_RESOURCE_LIMIT - 1), function_arns=["f"])
    with pytest.raises(ValueError, match="250 per trail"):
        DataEvents(bucket_arns=["b"] * BASIC_SELECTOR_DATA_RESOURCE_LIMIT, function_arns=["f"])


def test_delivery_notifications_go_to_an_encrypted_topic_only_this_trail_publishes_to(stacks, environment):
    stack = stacks[environment]
    _, body = trail(stack)
    topic_name, topic = find(stack, "aws_sns_topic", "audit-trail/delivery-topic")
    assert body["sns_topic_name"] == ref("aws_sns_topic", topic_name, "name")
    audit_key, _ = find(stack, "aws_kms_key", "keys/audit-key/key")
    assert topic["kms_master_key_id"] == ref("aws_kms_key", audit_key, "arn")
    _, policy = find(stack, "aws_sns_topic_policy", "audit-trail/delivery-topic-policy")
    statement = by_sid(policy_statements(stack, document_name_of(policy["policy"])))["ThisTrailPublishesDeliveryNotifications"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
    assert conditions(statement)["aws:SourceArn"][1] == [f"arn:{PARTITION}:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-trail-{environment}"]


def test_trail_output(stacks, environment):
    assert stacks[environment]["output"]["trail_arn"]["value"] == ref("aws_cloudtrail", trail(stacks[environment])[0], "arn")
