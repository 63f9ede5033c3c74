"""Serverless checks: the function's runtime, key, network, DLQ and retries; the table's settings."""

from __future__ import annotations

from functools import cache

from ops.verify import VerifyContext, expect


def _name(ctx: VerifyContext) -> str:
    return ctx.names.function("data-api")


@cache
def _configuration(ctx: VerifyContext) -> dict:
    return ctx.client("lambda").get_function_configuration(FunctionName=_name(ctx))


def function_runtime_and_key(ctx: VerifyContext) -> str:
    found = _configuration(ctx)
    expect(found["Runtime"].startswith("python3."), f"runtime {found['Runtime']}")
    expect(found.get("KMSKeyArn") == ctx.key_arn("data"), f"environment encrypted with {found.get('KMSKeyArn')}")
    expect(found.get("TracingConfig", {}).get("Mode") == "Active", "X-Ray tracing is off")
    return f"{_name(ctx)}, {found['Runtime']}"


def function_in_the_private_subnets(ctx: VerifyContext) -> None:
    vpc = _configuration(ctx).get("VpcConfig", {})
    tiers = ctx.subnet_tiers()
    subnets = vpc.get("SubnetIds", [])
    expect(subnets and all(tiers.get(s) == "private" for s in subnets), f"the function runs in {subnets}")
    expect(len(vpc.get("SecurityGroupIds", [])) == 1, "the function has no security group of its own")


def function_retries_and_dead_letter_queue(ctx: VerifyContext) -> None:
    client = ctx.client("lambda")
    target = _configuration(ctx).get("DeadLetterConfig", {}).get("TargetArn", "")
    expect(target.endswith(f":{ctx.names.name('data-api-dlq')}"), f"dead letters go to {target!r}")
    retries = client.get_function_event_invoke_config(FunctionName=_name(ctx)).get("MaximumRetryAttempts")
    expect(retries == 2, f"asynchronous invocations retry {retries} times")
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName=ctx.names.name("data-api-dlq"))["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])["Attributes"]
    expect(attributes.get("KmsMasterKeyId") == ctx.key_arn("data"), f"the queue is encrypted with {attributes.get('KmsMasterKeyId')}")


def function_reserved_concurrency(ctx: VerifyContext) -> None:
    found = ctx.client("lambda").get_function_concurrency(FunctionName=_name(ctx)).get("ReservedConcurrentExecutions")
    expect(found == ctx.config.serverless.reserved_concurrency, f"reserved concurrency {found}")


def table(ctx: VerifyContext) -> str:
    dynamodb = ctx.client("dynamodb")
    name = ctx.names.name("items")
    found = dynamodb.describe_table(TableName=name)["Table"]
    expect(found.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST", "the table is not on-demand")
    sse = found.get("SSEDescription", {})
    expect(sse.get("SSEType") == "KMS" and sse.get("KMSMasterKeyArn") == ctx.key_arn("data"), f"encryption {sse}")
    expect(found.get("DeletionProtectionEnabled", False) is ctx.config.protections.deletion_protection, "deletion protection")
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    expect(backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED", "point-in-time recovery is off")
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    expect(ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName") == "expires_at", f"TTL {ttl}")
    return f"{name}: on-demand, PITR, KMS, TTL"


CHECKS = [
    ("serverless", "function: current Python, environment encrypted with the data key, X-Ray", function_runtime_and_key),
    ("serverless", "function runs in the private subnets with its own security group", function_in_the_private_subnets),
    ("serverless", "function retries async invocations twice into a KMS-encrypted dead-letter queue", function_retries_and_dead_letter_queue),
    ("serverless", "function has the configured reserved concurrency", function_reserved_concurrency),
    ("serverless", "table: on-demand, point-in-time recovery, data-key encryption, TTL, protection as configured", table),
]
