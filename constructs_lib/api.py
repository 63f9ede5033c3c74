"""The public entry point: a regional REST API that only the allowed networks can call.

What it creates, and why:

* A regional REST API whose resource policy allows ``execute-api:Invoke``
  only from the environment's allowed CIDRs (``aws:SourceIp``) and explicitly
  denies every other source; with the IAM authorizer it also admits only the
  listed principals (``constructs_lib/api_access.py``).
* ``/data`` with GET and POST, proxied to the data function, each behind an
  authorizer (IAM by default, or a Cognito user pool), requiring an API key and
  validated before the function runs (GET needs ``id``; POST needs a JSON body
  that matches the item model). OPTIONS answers CORS preflights, echoing the
  origin only when it is one of the configured origins.
* A stage named after the environment: JSON access logs to a KMS-encrypted log
  group, X-Ray, metrics, INFO execution logging with data tracing off, and
  throttling from config. The execution-log group is created first, encrypted
  and with a retention.
* A usage plan with an API key (throttle and daily quota), so no method is
  anonymous. (The account-level CloudWatch role API Gateway logs through is one
  setting per account and region: the account baseline owns it,
  ``constructs_lib/baseline/api_gateway_logging.py``.)
* Alarms to the alarm topic: 5XX errors and p99 latency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf import Fn, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.api_access import method_authorization, resource_policy
from constructs_lib.api_methods import cors_preflight, data_methods
from constructs_lib.api_model import ACCESS_LOG_FORMAT, EXECUTION_LOG_PREFIX, ITEM_MODEL_DIGEST, ITEM_MODEL_JSON
from constructs_lib.context import PlatformContext
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from environments.workload_schema import ApiConfig
from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class ApiProps:
    """The environment's API settings and the function ``/data`` proxies to."""

    settings: ApiConfig
    """The environment's ``[api]`` settings: the allow-list, CORS origins, throttling, quota and latency alarm."""
    function_name: str
    function_invoke_arn: str


class Api(Construct):
    """The REST API, its stage, usage plan and alarms. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: ApiProps) -> None:
        super().__init__(scope, construct_id)
        self._ctx = ctx
        names = self._ctx.names
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
        policy = resource_policy(self, ctx, props.settings, self.rest_api.execution_arn)
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
        parts += data_methods(
            self,
            self._ctx,
            api_id=api_id,
            execution_arn=self.rest_api.execution_arn,
            resource_id=data.id,
            function_name=props.function_name,
            function_invoke_arn=props.function_invoke_arn,
            parameters_validator_id=parameters_validator.id,
            body_validator_id=body_validator.id,
            item_model_name=item_model.name,
            authorization=method_authorization(self, props.settings, api_id),
        )
        parts += cors_preflight(self, api_id, data.id, parameters_validator.id, props.settings.cors_allowed_origins)

        deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
            self,
            "deployment",
            rest_api_id=api_id,
            description="Redeployed whenever a method, integration or the policy changes",
            # What the configuration says, never values read back from the service (which may reformat them).
            triggers={"redeployment": Fn.sha1(Fn.jsonencode([*parts, policy, ITEM_MODEL_DIGEST]))},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.access_logs = EncryptedLogGroup(
            self,
            "access-log-group",
            EncryptedLogGroupProps(
                name=names.log_group("api-access"),
                retention_days=self._ctx.log_retention_days,
                kms_key_arn=self._ctx.logs_key_arn,
            ),
        )
        execution_logs = EncryptedLogGroup(
            self,
            "execution-log-group",
            EncryptedLogGroupProps(
                name=f"{EXECUTION_LOG_PREFIX}{api_id}/{names.environment}",
                retention_days=self._ctx.log_retention_days,
                kms_key_arn=self._ctx.logs_key_arn,
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
            depends_on=[execution_logs.log_group],
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
                throttling_rate_limit=props.settings.throttle_rate_limit,
                throttling_burst_limit=props.settings.throttle_burst_limit,
            ),
        )
        self._usage_plan(props, api_id)
        self._alarms(props)

    def _usage_plan(self, props: ApiProps, api_id: str) -> None:
        plan = aws.api_gateway_usage_plan.ApiGatewayUsagePlan(
            self,
            "usage-plan",
            name=self._ctx.names.name("api"),
            description="Every caller uses a key; throttled and with a daily quota",
            api_stages=[
                aws.api_gateway_usage_plan.ApiGatewayUsagePlanApiStages(api_id=api_id, stage=self.stage.stage_name)
            ],
            throttle_settings=aws.api_gateway_usage_plan.ApiGatewayUsagePlanThrottleSettings(
                rate_limit=props.settings.throttle_rate_limit, burst_limit=props.settings.throttle_burst_limit
            ),
            quota_settings=aws.api_gateway_usage_plan.ApiGatewayUsagePlanQuotaSettings(
                limit=props.settings.daily_quota, period="DAY"
            ),
            tags={"Name": self._ctx.names.name("api")},
        )
        self.api_key = aws.api_gateway_api_key.ApiGatewayApiKey(
            self, "api-key", name=self._ctx.names.name("api-client"), description="The API's client key", enabled=True
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
                props.settings.latency_alarm_ms,
                f"p99 latency at or above {props.settings.latency_alarm_ms} ms",
            ),
        ):
            metric_alarm(
                self,
                f"{slug}-alarm",
                self._ctx,
                AlarmSpec(
                    purpose=f"api-{slug}",
                    description=f"The {self._ctx.names.environment} API: {what}",
                    runbook=f"api-{slug}",
                    namespace="AWS/ApiGateway",
                    metric=metric,
                    dimensions=dimensions,
                    statistic=statistic,
                    extended_statistic=None if statistic else "p99",
                    threshold=threshold,
                ),
            )

    @property
    def invoke_url(self) -> str:
        return f"{self.stage.invoke_url}/data"
