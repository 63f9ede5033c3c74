"""The public entry point: a regional REST API that only the allowed networks can call.

What it creates, and why:

* A regional REST API whose resource policy allows ``execute-api:Invoke``
  only from the environment's allowed CIDRs (``aws:SourceIp``) and explicitly
  denies every other source.
* ``/data`` with GET and POST, proxied to the data function, each requiring an
  API key and validated before the function runs (GET needs ``id``; POST needs
  a JSON body that matches the item model). OPTIONS answers CORS preflights,
  echoing the origin only when it is one of the configured origins.
* A stage named after the environment: JSON access logs to a KMS-encrypted log
  group, X-Ray, metrics, INFO execution logging with data tracing off, and
  throttling from config. The execution-log group is created first, encrypted
  and with a retention.
* A usage plan with an API key (throttle and daily quota), so no method is
  anonymous, and the account-level CloudWatch role API Gateway logs through.
* Alarms to the alarm topic: 5XX errors and p99 latency.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import Fn, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.iam_documents import policy_document, statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.provider_bindings import aws
from platform_core.naming import ResourceNames

EXECUTION_LOG_PREFIX = "API-Gateway-Execution-Logs_"
"""API Gateway names its execution-log group ``API-Gateway-Execution-Logs_<api id>/<stage>``."""
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "apiKeyId": "$context.identity.apiKeyId",
    "xrayTraceId": "$context.xrayTraceId",
}
ITEM_MODEL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Item",
    "type": "object",
    "required": ["id", "value"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        "value": {},
        "ttl_seconds": {"type": "integer", "minimum": 1, "maximum": 31536000},
    },
}
ITEM_MODEL_JSON = json.dumps(ITEM_MODEL_SCHEMA, sort_keys=True)
ITEM_MODEL_DIGEST = hashlib.sha256(ITEM_MODEL_JSON.encode()).hexdigest()
CORS_HEADERS = ("Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin")


def cors_preflight_template(origins: Sequence[str]) -> str:
    """VTL that echoes the request's Origin only when it is allowed."""
    condition = " || ".join(f'$origin == "{origin}"' for origin in origins) or "false"
    return (
        '#set($origin = $input.params().header.get("Origin"))\n'
        f"#if({condition})\n"
        "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
        "#end\n"
        '{"statusCode": 200}'
    )


@dataclass(frozen=True)
class ApiProps:
    names: ResourceNames
    region: str
    account_id: str
    partition: str
    allowed_cidrs: Sequence[str]
    function_name: str
    function_invoke_arn: str
    logs_key_arn: str
    log_retention_days: int
    alarm_topic_arn: str
    cors_allowed_origins: Sequence[str] = ()
    throttle_rate_limit: int = 50
    throttle_burst_limit: int = 100
    daily_quota: int = 100000
    latency_alarm_ms: int = 2000


class Api(Construct):
    """The REST API, its stage, usage plan and alarms. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, props: ApiProps) -> None:
        super().__init__(scope, construct_id)
        names = props.names
        self.rest_api = aws.api_gateway_rest_api.ApiGatewayRestApi(
            self,
            "rest-api",
            name=names.name("api"),
            description="The platform's public API; callable from the allowed networks only",
            endpoint_configuration=aws.api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(
                types=["REGIONAL"]
            ),
            tags={"Name": names.name("api")},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        api_id = self.rest_api.id
        policy = policy_document(
            self,
            "resource-policy-document",
            [
                statement(
                    "InvokeFromAllowedNetworks",
                    actions=["execute-api:Invoke"],
                    resources=[f"{self.rest_api.execution_arn}/*"],
                    principals={"AWS": ["*"]},
                    conditions=[("IpAddress", "aws:SourceIp", list(props.allowed_cidrs))],
                ),
                statement(
                    "DenyEveryOtherNetwork",
                    effect="Deny",
                    actions=["execute-api:Invoke"],
                    resources=[f"{self.rest_api.execution_arn}/*"],
                    principals={"AWS": ["*"]},
                    conditions=[("NotIpAddress", "aws:SourceIp", list(props.allowed_cidrs))],
                ),
            ],
        )
        self.policy = aws.api_gateway_rest_api_policy.ApiGatewayRestApiPolicy(
            self, "resource-policy", rest_api_id=api_id, policy=policy
        )
        data = aws.api_gateway_resource.ApiGatewayResource(
            self, "data-resource", rest_api_id=api_id, parent_id=self.rest_api.root_resource_id, path_part="data"
        )
        parameters_validator = aws.api_gateway_request_validator.ApiGatewayRequestValidator(
            self, "validate-parameters", rest_api_id=api_id, name="parameters", validate_request_parameters=True
        )
        body_validator = aws.api_gateway_request_validator.ApiGatewayRequestValidator(
            self, "validate-body", rest_api_id=api_id, name="body", validate_request_body=True
        )
        item_model = aws.api_gateway_model.ApiGatewayModel(
            self,
            "item-model",
            rest_api_id=api_id,
            name="Item",
            content_type="application/json",
            schema=ITEM_MODEL_JSON,
        )
        parts = [data.id]
        for method, extra in (
            (
                "GET",
                {
                    "request_parameters": {"method.request.querystring.id": True},
                    "request_validator_id": parameters_validator.id,
                },
            ),
            (
                "POST",
                {"request_models": {"application/json": item_model.name}, "request_validator_id": body_validator.id},
            ),
        ):
            resource_method = aws.api_gateway_method.ApiGatewayMethod(
                self,
                f"{method.lower()}-method",
                rest_api_id=api_id,
                resource_id=data.id,
                http_method=method,
                authorization="NONE",
                api_key_required=True,
                **extra,
            )
            integration = aws.api_gateway_integration.ApiGatewayIntegration(
                self,
                f"{method.lower()}-integration",
                rest_api_id=api_id,
                resource_id=data.id,
                http_method=resource_method.http_method,
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=props.function_invoke_arn,
            )
            aws.lambda_permission.LambdaPermission(
                self,
                f"{method.lower()}-permission",
                statement_id=f"AllowApiGateway{method.capitalize()}Data",
                action="lambda:InvokeFunction",
                function_name=props.function_name,
                principal="apigateway.amazonaws.com",
                source_account=props.account_id,
                source_arn=f"{self.rest_api.execution_arn}/{names.environment}/{method}/data",
            )
            parts += [resource_method.id, integration.id]
        parts += self._cors_preflight(props, api_id, data.id, parameters_validator.id)

        deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
            self,
            "deployment",
            rest_api_id=api_id,
            description="Redeployed whenever a method, integration or the policy changes",
            # What the configuration says, never values read back from the service (which may reformat them).
            triggers={"redeployment": Fn.sha1(Fn.jsonencode([*parts, policy, ITEM_MODEL_DIGEST]))},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        account = self._account_logging_role(props)
        self.access_logs = EncryptedLogGroup(
            self,
            "access-log-group",
            EncryptedLogGroupProps(
                name=names.log_group("api-access"),
                retention_days=props.log_retention_days,
                kms_key_arn=props.logs_key_arn,
            ),
        )
        execution_logs = EncryptedLogGroup(
            self,
            "execution-log-group",
            EncryptedLogGroupProps(
                name=f"{EXECUTION_LOG_PREFIX}{api_id}/{names.environment}",
                retention_days=props.log_retention_days,
                kms_key_arn=props.logs_key_arn,
            ),
        )
        self.stage = aws.api_gateway_stage.ApiGatewayStage(
            self,
            "stage",
            rest_api_id=api_id,
            stage_name=names.environment,
            deployment_id=deployment.id,
            xray_tracing_enabled=True,
            access_log_settings=aws.api_gateway_stage.ApiGatewayStageAccessLogSettings(
                destination_arn=self.access_logs.arn, format=json.dumps(ACCESS_LOG_FORMAT, sort_keys=True)
            ),
            tags={"Name": names.name("api")},
            depends_on=[account, execution_logs.log_group],
        )
        aws.api_gateway_method_settings.ApiGatewayMethodSettings(
            self,
            "method-settings",
            rest_api_id=api_id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=aws.api_gateway_method_settings.ApiGatewayMethodSettingsSettings(
                metrics_enabled=True,
                logging_level="INFO",
                data_trace_enabled=False,
                throttling_rate_limit=props.throttle_rate_limit,
                throttling_burst_limit=props.throttle_burst_limit,
            ),
        )
        self._usage_plan(props, api_id)
        self._alarms(props)

    def _cors_preflight(self, props: ApiProps, api_id: str, resource_id: str, validator_id: str) -> list[str]:
        """OPTIONS /data: a mock answer with the CORS headers; open, since browsers send no key."""
        method = aws.api_gateway_method.ApiGatewayMethod(
            self,
            "options-method",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method="OPTIONS",
            authorization="NONE",
            api_key_required=False,
            request_validator_id=validator_id,
        )
        integration = aws.api_gateway_integration.ApiGatewayIntegration(
            self,
            "options-integration",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=method.http_method,
            type="MOCK",
            request_templates={"application/json": '{"statusCode": 200}'},
        )
        response = aws.api_gateway_method_response.ApiGatewayMethodResponse(
            self,
            "options-response",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code="200",
            response_parameters={f"method.response.header.{header}": True for header in CORS_HEADERS},
        )
        aws.api_gateway_integration_response.ApiGatewayIntegrationResponse(
            self,
            "options-integration-response",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code=response.status_code,
            response_parameters={
                "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'",
                "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
            },
            response_templates={"application/json": cors_preflight_template(props.cors_allowed_origins)},
            depends_on=[integration],
        )
        return [method.id, integration.id]

    def _account_logging_role(self, props: ApiProps):
        """API Gateway's account-level setting: the role it writes CloudWatch logs through."""
        role = ServiceRole(
            self,
            "cloudwatch-role",
            ServiceRoleProps(
                names=props.names,
                purpose="api-gateway-logging",
                description="Lets API Gateway in this account write execution and access logs",
                service="apigateway.amazonaws.com",
                account_id=props.account_id,
                statements=(),
                managed_policy_arns=[
                    f"arn:{props.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                ],
            ),
        )
        return aws.api_gateway_account.ApiGatewayAccount(self, "account", cloudwatch_role_arn=role.arn)

    def _usage_plan(self, props: ApiProps, api_id: str) -> None:
        plan = aws.api_gateway_usage_plan.ApiGatewayUsagePlan(
            self,
            "usage-plan",
            name=props.names.name("api"),
            description="Every caller uses a key; throttled and with a daily quota",
            api_stages=[
                aws.api_gateway_usage_plan.ApiGatewayUsagePlanApiStages(api_id=api_id, stage=self.stage.stage_name)
            ],
            throttle_settings=aws.api_gateway_usage_plan.ApiGatewayUsagePlanThrottleSettings(
                rate_limit=props.throttle_rate_limit, burst_limit=props.throttle_burst_limit
            ),
            quota_settings=aws.api_gateway_usage_plan.ApiGatewayUsagePlanQuotaSettings(
                limit=props.daily_quota, period="DAY"
            ),
            tags={"Name": props.names.name("api")},
        )
        self.api_key = aws.api_gateway_api_key.ApiGatewayApiKey(
            self, "api-key", name=props.names.name("api-client"), description="The API's client key", enabled=True
        )
        aws.api_gateway_usage_plan_key.ApiGatewayUsagePlanKey(
            self, "usage-plan-key", key_id=self.api_key.id, key_type="API_KEY", usage_plan_id=plan.id
        )

    def _alarms(self, props: ApiProps) -> None:
        dimensions = {"ApiName": self.rest_api.name, "Stage": self.stage.stage_name}
        for slug, metric, statistic, threshold, what in (
            ("5xx", "5XXError", "Sum", 1, "server errors"),
            (
                "latency",
                "Latency",
                None,
                props.latency_alarm_ms,
                f"p99 latency at or above {props.latency_alarm_ms} ms",
            ),
        ):
            name = props.names.name(f"api-{slug}")
            aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self,
                f"{slug}-alarm",
                alarm_name=name,
                alarm_description=f"The {props.names.environment} API: {what}",
                namespace="AWS/ApiGateway",
                metric_name=metric,
                dimensions=dimensions,
                statistic=statistic,
                extended_statistic=None if statistic else "p99",
                period=300,
                evaluation_periods=1,
                threshold=threshold,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[props.alarm_topic_arn],
                ok_actions=[props.alarm_topic_arn],
                tags={"Name": name},
            )

    @property
    def invoke_url(self) -> str:
        return f"{self.stage.invoke_url}/data"
