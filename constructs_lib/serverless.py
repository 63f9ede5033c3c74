"""The serverless back end: the items table and the Lambda function behind ``/data``.

What it creates, and why:

* A DynamoDB table: on-demand billing, point-in-time recovery, encrypted with
  the data key, a TTL attribute, deletion protection where the environment
  keeps it.
* The function ``ServerlessApp-data-api-<env>`` from the reproducible package
  of ``lambda_src/data_api`` (same source, same zip, same hash): a current
  Python runtime, in the private subnets with its own security group (HTTPS
  out only), environment variables encrypted with the data key, reserved
  concurrency, X-Ray tracing, and its log group created first with the logs
  key and a retention.
* Asynchronous invocations retry twice; what still fails lands in a
  KMS-encrypted SQS dead-letter queue.
* A role that allows only this function's own table, log group, logs-bucket
  prefix, queue and keys (and the AWS-managed VPC-access and X-Ray policies,
  whose actions cannot be scoped to a resource).
* Alarms to the alarm topic: errors, throttles, duration near the timeout, and
  messages in the dead-letter queue; and the table's throttled requests and
  system errors (HTTP 500s).

The table's alarms watch ``ThrottledRequests`` and ``SystemErrors``, which
DynamoDB publishes per ``Operation`` only, so each alarm sums them over the
operations the function calls (``TABLE_OPERATIONS``). ``ThrottledRequests``
counts every request refused for throughput, whatever the limit: on an
on-demand table that is a partition's limit (a hot key), the table's on-demand
maximum, the account's table limit, or traffic past twice its previous peak
within 30 minutes. ``Read``/``WriteThrottleEvents`` count events against
*provisioned* capacity by their definition, and the per-cause
``...ThrottleEvents`` split the same requests; the runbook reads them to tell
the causes apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import AssetType, TerraformAsset, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.context import PlatformContext
from constructs_lib.iam_documents import statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.security_groups import allow_https_out, tier_security_group
from environments.schema import Protections
from environments.workload_schema import ServerlessConfig
from platform_core.conventions import FUNCTION_PURPOSE, TABLE_OPERATIONS
from platform_core.lambda_package import LambdaPackage
from synth_runtime.provider_bindings import aws

RUNTIME = "python3.13"
TTL_ATTRIBUTE = "expires_at"
ASYNC_RETRIES = 2
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
TABLE_PURPOSE = "items"
SYSTEM_ERROR_PERIODS = 3
"""The table's system-errors alarm fires on HTTP 500s in this many five-minute periods in a row: the SDK retries a
500 now and then by itself; a quarter of an hour of them is DynamoDB failing the table."""
FUNCTION_PACKAGE = "data_api"
"""The function's source: ``lambda_src/data_api``."""


@dataclass(frozen=True)
class ServerlessProps:
    """The function's and the table's settings, where the function runs, its code, key and log bucket."""

    settings: ServerlessConfig
    """The environment's ``[serverless]`` settings: concurrency, timeout and memory."""
    protections: Protections
    """Deletion protection and ``prevent_destroy`` of the table."""
    cors_allowed_origins: Sequence[str]
    """``api.cors_allowed_origins``: the origins the function answers CORS requests from."""
    vpc_id: str
    private_subnet_ids: Sequence[str]
    package: LambdaPackage
    data_key_arn: str
    log_bucket_name: str
    log_bucket_arn: str


class Serverless(Construct):
    """The items table, the /data function and its queue and alarms. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: ServerlessProps) -> None:
        super().__init__(scope, construct_id)
        self._ctx = ctx
        names = ctx.names
        self.table = aws.dynamodb_table.DynamodbTable(
            self,
            "table",
            name=names.name(TABLE_PURPOSE),
            billing_mode="PAY_PER_REQUEST",
            hash_key="id",
            attribute=[aws.dynamodb_table.DynamodbTableAttribute(name="id", type="S")],
            point_in_time_recovery=aws.dynamodb_table.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=aws.dynamodb_table.DynamodbTableServerSideEncryption(
                enabled=True, kms_key_arn=props.data_key_arn
            ),
            ttl=aws.dynamodb_table.DynamodbTableTtl(attribute_name=TTL_ATTRIBUTE, enabled=True),
            deletion_protection_enabled=props.protections.deletion_protection,
            tags={"Name": names.name(TABLE_PURPOSE)},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protections.prevent_destroy),
        )
        self.dead_letter_queue = aws.sqs_queue.SqsQueue(
            self,
            "dead-letter-queue",
            name=names.name(f"{FUNCTION_PURPOSE}-dlq"),
            kms_master_key_id=props.data_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags={"Name": names.name(f"{FUNCTION_PURPOSE}-dlq")},
        )
        self.security_group = tier_security_group(
            self,
            "security-group",
            names=names,
            purpose=FUNCTION_PURPOSE,
            description="The data API function: no ingress; HTTPS out to DynamoDB, S3, SQS and CloudWatch",
            vpc_id=props.vpc_id,
        )
        allow_https_out(
            self,
            "https-out",
            security_group_id=self.security_group.id,
            description="HTTPS to AWS APIs (gateway and interface endpoints, or NAT)",
        )
        self.log_group = EncryptedLogGroup(
            self,
            "log-group",
            EncryptedLogGroupProps(
                name=names.function_log_group(FUNCTION_PURPOSE), retention_days=self._ctx.log_retention_days, kms_key_arn=self._ctx.logs_key_arn
            ),
        )
        self.function = self._function(props)
        aws.lambda_function_event_invoke_config.LambdaFunctionEventInvokeConfig(
            self,
            "async-invocations",
            function_name=self.function.function_name,
            maximum_retry_attempts=ASYNC_RETRIES,
        )
        self._alarms(props)
        self._table_alarms()

    def _role(self, props: ServerlessProps) -> ServiceRole:
        ctx = self._ctx
        name = ctx.names.function(FUNCTION_PURPOSE)
        log_group_arn = ctx.arn("logs", f"log-group:{ctx.names.function_log_group(FUNCTION_PURPOSE)}")
        prefix = f"lambda/{FUNCTION_PURPOSE}/"
        return ServiceRole(
            self,
            "role",
            self._ctx,
            ServiceRoleProps(
                purpose=f"{FUNCTION_PURPOSE}-function",
                description=f"{name}: its table, log group, logs-bucket prefix, dead-letter queue and keys only",
                service="lambda.amazonaws.com",
                source_arn=ctx.arn("lambda", f"function:{name}"),
                managed_policy_arns=[
                    ctx.aws_managed_policy("service-role/AWSLambdaVPCAccessExecutionRole"),
                    ctx.aws_managed_policy("AWSXRayDaemonWriteAccess"),
                ],
                statements=[
                    statement(
                        "ReadAndWriteItsTable",
                        actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
                        resources=[self.table.arn],
                    ),
                    statement(
                        "WriteItsLogGroup",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[f"{log_group_arn}:*"],
                    ),
                    statement(
                        "WriteRequestRecordsUnderItsPrefix",
                        actions=["s3:PutObject"],
                        resources=[f"{props.log_bucket_arn}/{prefix}*"],
                    ),
                    statement(
                        "SendFailedEventsToItsQueue",
                        actions=["sqs:SendMessage"],
                        resources=[self.dead_letter_queue.arn],
                    ),
                    statement(
                        "UseTheDataKeyThroughItsServices",
                        actions=["kms:Decrypt", "kms:GenerateDataKey"],
                        resources=[props.data_key_arn],
                        conditions=[
                            (
                                "StringEquals",
                                "kms:ViaService",
                                [f"{service}.{self._ctx.region}.amazonaws.com" for service in ("dynamodb", "sqs", "lambda")],
                            )
                        ],
                    ),
                    statement(
                        "UseTheLogsKeyThroughS3",
                        actions=["kms:GenerateDataKey"],
                        resources=[self._ctx.logs_key_arn],
                        conditions=[("StringEquals", "kms:ViaService", [f"s3.{self._ctx.region}.amazonaws.com"])],
                    ),
                ],
            ),
        )

    def _function(self, props: ServerlessProps):
        names = self._ctx.names
        code = TerraformAsset(self, "code", path=str(props.package.zip_path), type=AssetType.FILE)
        role = self._role(props)
        lam = aws.lambda_function
        return lam.LambdaFunction(
            self,
            "function",
            function_name=names.function(FUNCTION_PURPOSE),
            description="The /data API: items in DynamoDB, one request record per call",
            role=role.arn,
            runtime=RUNTIME,
            handler="handler.handler",
            filename=code.path,
            source_code_hash=props.package.base64_sha256,
            timeout=props.settings.timeout_seconds,
            memory_size=props.settings.memory_mb,
            reserved_concurrent_executions=props.settings.reserved_concurrency,
            kms_key_arn=props.data_key_arn,
            environment=lam.LambdaFunctionEnvironment(
                variables={
                    "TABLE_NAME": self.table.name,
                    "LOG_BUCKET": props.log_bucket_name,
                    "LOG_PREFIX": f"lambda/{FUNCTION_PURPOSE}/",
                    "ALLOWED_ORIGINS": ",".join(props.cors_allowed_origins),
                }
            ),
            vpc_config=lam.LambdaFunctionVpcConfig(
                subnet_ids=list(props.private_subnet_ids), security_group_ids=[self.security_group.id]
            ),
            tracing_config=lam.LambdaFunctionTracingConfig(mode="Active"),
            dead_letter_config=lam.LambdaFunctionDeadLetterConfig(target_arn=self.dead_letter_queue.arn),
            tags={"Name": names.function(FUNCTION_PURPOSE)},
            depends_on=[self.log_group.log_group],
        )

    def _alarms(self, props: ServerlessProps) -> None:
        name = self._ctx.names.function(FUNCTION_PURPOSE)
        near_timeout_ms = props.settings.timeout_seconds * 1000 * 80 // 100
        alarms = [
            ("errors", "AWS/Lambda", "Errors", "Sum", 1, {"FunctionName": self.function.function_name}, "errors"),
            ("throttles", "AWS/Lambda", "Throttles", "Sum", 1, {"FunctionName": self.function.function_name}, "throttled invocations"),
            ("duration", "AWS/Lambda", "Duration", "Maximum", near_timeout_ms, {"FunctionName": self.function.function_name}, "a run at 80% of its timeout"),
            ("dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 1, {"QueueName": self.dead_letter_queue.name}, "failed events waiting in the dead-letter queue"),
        ]
        for slug, namespace, metric, statistic, threshold, dimensions, what in alarms:
            metric_alarm(
                self,
                f"{slug}-alarm",
                self._ctx,
                AlarmSpec(
                    purpose=f"{FUNCTION_PURPOSE}-{slug}",
                    description=f"{name}: {what}",
                    runbook=f"{FUNCTION_PURPOSE}-{slug}",
                    namespace=namespace,
                    metric=metric,
                    dimensions=dimensions,
                    statistic=statistic,
                    threshold=threshold,
                ),
            )

    def _table_alarms(self) -> None:
        table = self.table.name
        per_operation = [{"TableName": table, "Operation": operation} for operation in TABLE_OPERATIONS]
        operations = " and ".join(TABLE_OPERATIONS)
        alarms = [
            ("throttles", "ThrottledRequests", 1, f"requests DynamoDB throttled ({operations})"),
            ("system-errors", "SystemErrors", SYSTEM_ERROR_PERIODS, f"HTTP 500s from DynamoDB ({operations}) in every five minutes for {SYSTEM_ERROR_PERIODS * 5} minutes"),
        ]
        for slug, metric, periods, what in alarms:
            metric_alarm(
                self,
                f"table-{slug}-alarm",
                self._ctx,
                AlarmSpec(
                    purpose=f"{TABLE_PURPOSE}-{slug}",
                    description=f"{self._ctx.names.name(TABLE_PURPOSE)}: {what}",
                    runbook=f"items-table-{slug}",
                    namespace="AWS/DynamoDB",
                    metric=metric,
                    summed_over=per_operation,
                    statistic="Sum",
                    threshold=1,
                    evaluation_periods=periods,
                ),
            )
