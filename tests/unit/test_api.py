"""The REST API: regional, IP allow-list policy, keyed and validated methods, CORS, stage, usage plan, alarms."""

from __future__ import annotations

import json

from constructs_lib.api_model import cors_preflight_template
from platform_core.target import DeployTarget
from tests.synth import by_sid, conditions, data_ref, find, ref, resources, statements_of, synth_environments

ACCOUNT = data_ref("aws_caller_identity", "current-account", "account_id")
PARTITION = data_ref("aws_partition", "current-partition", "partition")


def rest_api(stack):
    return find(stack, "aws_api_gateway_rest_api", "api/rest-api")


def test_regional_endpoint(stacks, environment):
    _, api = rest_api(stacks[environment])
    assert api["endpoint_configuration"] == {"types": ["REGIONAL"]}


def test_policy_admits_the_listed_principals_from_the_allowed_cidrs_and_denies_everyone_else(stacks, configs, environment):
    stack = stacks[environment]
    name, _ = rest_api(stack)
    _, policy = find(stack, "aws_api_gateway_rest_api_policy", "api/resource-policy")
    assert policy["rest_api_id"] == ref("aws_api_gateway_rest_api", name)
    statements = by_sid(statements_of(stack, policy["policy"]))
    assert set(statements) == {"InvokeByTheListedPrincipals", "PreflightFromAllowedNetworks", "DenyEveryOtherPrincipal", "DenyEveryOtherNetwork"}
    config = configs[environment].api
    cidrs, arn = config.allowed_ingress_cidrs, ref("aws_api_gateway_rest_api", name, "execution_arn")
    principals = [f"arn:{PARTITION}:iam::{ACCOUNT}:role/{p}" for p in config.invoke_principals]
    assert config.authorizer == "iam" and principals
    invoke, preflight = statements["InvokeByTheListedPrincipals"], statements["PreflightFromAllowedNetworks"]
    other_principals, other_networks = statements["DenyEveryOtherPrincipal"], statements["DenyEveryOtherNetwork"]
    assert invoke["effect"] == "Allow" and invoke["principals"] == [{"type": "AWS", "identifiers": principals}]
    assert conditions(invoke) == {"aws:SourceIp": ("IpAddress", cidrs)}
    assert invoke["resources"] == other_principals["resources"] == [f"{arn}/*/GET/data", f"{arn}/*/POST/data"]
    assert preflight["effect"] == "Allow" and preflight["resources"] == [f"{arn}/*/OPTIONS/data"]
    assert conditions(preflight) == {"aws:SourceIp": ("IpAddress", cidrs)}
    assert other_principals["effect"] == "Deny" and conditions(other_principals) == {"aws:PrincipalArn": ("ArnNotLike", principals)}
    assert other_networks["effect"] == "Deny" and conditions(other_networks) == {"aws:SourceIp": ("NotIpAddress", cidrs)}
    assert other_networks["resources"] == [f"{arn}/*"]
    for statement in statements.values():
        assert statement["actions"] == ["execute-api:Invoke"]


def test_no_method_but_the_preflight_goes_without_an_authorizer(stacks, environment):
    methods = resources(stacks[environment], "aws_api_gateway_method").values()
    assert {(m["http_method"], m["authorization"]) for m in methods} == {("GET", "AWS_IAM"), ("POST", "AWS_IAM"), ("OPTIONS", "NONE")}


def test_the_preflight_admits_the_headers_a_signed_request_carries(stacks, environment):
    _, response = find(stacks[environment], "aws_api_gateway_integration_response", "api/options-integration-response")
    allowed = response["response_parameters"]["method.response.header.Access-Control-Allow-Headers"].strip("'").split(",")
    assert {"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Api-Key", "Content-Type"} <= set(allowed)


def test_a_cognito_environment_gets_a_user_pool_authorizer_on_get_and_post_and_a_network_only_policy(configs, tmp_path):
    pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123"
    api = configs["dev"].api.model_copy(update={"authorizer": "cognito", "invoke_principals": [], "cognito_user_pool_arns": [pool]})
    stack = synth_environments([configs["dev"].model_copy(update={"api": api})], DeployTarget(kind="aws"), tmp_path)["dev"]
    (authorizer_name, authorizer), = resources(stack, "aws_api_gateway_authorizer").items()
    assert authorizer["type"] == "COGNITO_USER_POOLS" and authorizer["provider_arns"] == [pool]
    assert authorizer["identity_source"] == "method.request.header.Authorization"
    for method in resources(stack, "aws_api_gateway_method").values():
        if method["http_method"] == "OPTIONS":
            assert method["authorization"] == "NONE"
        else:
            assert method["authorization"] == "COGNITO_USER_POOLS" and method["authorizer_id"] == ref("aws_api_gateway_authorizer", authorizer_name)
            assert method["api_key_required"] is True
    _, policy = find(stack, "aws_api_gateway_rest_api_policy", "api/resource-policy")
    assert set(by_sid(statements_of(stack, policy["policy"]))) == {"InvokeFromAllowedNetworks", "DenyEveryOtherNetwork"}


def test_get_and_post_require_a_key_are_validated_and_proxy_to_the_function(stacks, environment):
    stack = stacks[environment]
    function_name, _ = find(stack, "aws_lambda_function", "serverless/function")
    _, get = find(stack, "aws_api_gateway_method", "api/get-method")
    _, post = find(stack, "aws_api_gateway_method", "api/post-method")
    assert get["api_key_required"] is True and post["api_key_required"] is True
    assert get["request_parameters"] == {"method.request.querystring.id": True}
    assert post["request_models"] == {"application/json": ref("aws_api_gateway_model", find(stack, "aws_api_gateway_model", "api/item-model")[0], "name")}
    _, validate_parameters = find(stack, "aws_api_gateway_request_validator", "api/validate-parameters")
    _, validate_body = find(stack, "aws_api_gateway_request_validator", "api/validate-body")
    assert validate_parameters["validate_request_parameters"] is True and validate_body["validate_request_body"] is True
    for method in ("get", "post"):
        _, integration = find(stack, "aws_api_gateway_integration", f"api/{method}-integration")
        assert integration["type"] == "AWS_PROXY"
        assert integration["uri"] == ref("aws_lambda_function", function_name, "invoke_arn")
        _, permission = find(stack, "aws_lambda_permission", f"api/{method}-permission")
        assert permission["principal"] == "apigateway.amazonaws.com"
        assert permission["source_arn"].endswith(f"/{environment}/{method.upper()}/data")


def test_item_model_matches_the_handler(stacks, environment):
    _, model = find(stacks[environment], "aws_api_gateway_model", "api/item-model")
    schema = json.loads(model["schema"])
    assert schema["required"] == ["id", "value"] and schema["additionalProperties"] is False
    assert schema["properties"]["id"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"


def test_cors_preflight_echoes_only_configured_origins(stacks, configs, environment):
    stack = stacks[environment]
    _, options = find(stack, "aws_api_gateway_method", "api/options-method")
    assert options["http_method"] == "OPTIONS" and options["api_key_required"] is False
    _, response = find(stack, "aws_api_gateway_integration_response", "api/options-integration-response")
    template = response["response_templates"]["application/json"]
    for origin in configs[environment].api.cors_allowed_origins:
        assert f'$origin == "{origin}"' in template
    assert response["response_parameters"]["method.response.header.Access-Control-Allow-Methods"] == "'GET,POST,OPTIONS'"
    assert "false" in cors_preflight_template([]), "no origin configured: no origin echoed"


def test_stage_named_after_the_environment_with_logs_tracing_and_throttling(stacks, configs, environment):
    stack = stacks[environment]
    _, stage = find(stack, "aws_api_gateway_stage", "api/stage")
    group_name, group = find(stack, "aws_cloudwatch_log_group", "api/access-log-group/log-group")
    assert stage["stage_name"] == environment and stage["xray_tracing_enabled"] is True
    assert stage["access_log_settings"]["destination_arn"] == ref("aws_cloudwatch_log_group", group_name, "arn")
    assert json.loads(stage["access_log_settings"]["format"])["requestId"] == "$context.requestId"
    assert "kms_key_id" in group and group["retention_in_days"] == configs[environment].logging.retention_days
    _, settings = find(stack, "aws_api_gateway_method_settings", "api/method-settings")
    assert settings["method_path"] == "*/*"
    assert settings["settings"] == {
        "metrics_enabled": True,
        "logging_level": "INFO",
        "data_trace_enabled": False,
        "throttling_rate_limit": configs[environment].api.throttle_rate_limit,
        "throttling_burst_limit": configs[environment].api.throttle_burst_limit,
    }
    _, execution = find(stack, "aws_cloudwatch_log_group", "api/execution-log-group/log-group")
    assert execution["name"].startswith("API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.") and "kms_key_id" in execution


def test_usage_plan_with_an_api_key(stacks, configs, environment):
    stack = stacks[environment]
    _, plan = find(stack, "aws_api_gateway_usage_plan", "api/usage-plan")
    assert plan["throttle_settings"] == {"rate_limit": configs[environment].api.throttle_rate_limit, "burst_limit": configs[environment].api.throttle_burst_limit}
    assert plan["quota_settings"] == {"limit": configs[environment].api.daily_quota, "period": "DAY"}
    _, key = find(stack, "aws_api_gateway_usage_plan_key", "api/usage-plan-key")
    assert key["key_type"] == "API_KEY"
    assert resources(stack, "aws_api_gateway_account") == {}, "an account setting: the baseline's (tests/unit/test_baseline.py)"


def test_deployment_is_replaced_before_destroy_and_tracks_the_definition(stacks, environment):
    _, deployment = find(stacks[environment], "aws_api_gateway_deployment", "api/deployment")
    assert deployment["lifecycle"]["create_before_destroy"] is True
    assert deployment["triggers"]["redeployment"].startswith("${sha1(jsonencode([")


def test_api_alarms_for_5xx_and_latency(stacks, configs, environment):
    stack = stacks[environment]
    found = {a["metric_name"]: a for a in resources(stack, "aws_cloudwatch_metric_alarm").values() if a.get("namespace") == "AWS/ApiGateway"}
    assert set(found) == {"5XXError", "Latency"}
    assert found["Latency"]["extended_statistic"] == "p99" and found["Latency"]["threshold"] == configs[environment].api.latency_alarm_ms


def test_api_outputs(stacks, environment):
    outputs = stacks[environment]["output"]
    stage_name, _ = find(stacks[environment], "aws_api_gateway_stage", "api/stage")
    assert outputs["api_invoke_url"]["value"] == ref("aws_api_gateway_stage", stage_name, "invoke_url") + "/data"
    assert outputs["api_id"]["value"] == ref("aws_api_gateway_rest_api", rest_api(stacks[environment])[0])


def test_the_request_model_refuses_early_what_the_function_would_refuse_for_nesting_and_magnitude():
    """API Gateway validates POST bodies against the item model (JSON Schema draft 4): the model and the function
    agree on DynamoDB's nesting limit and number magnitude, so most such input never reaches the function."""
    import json as jsonlib

    from jsonschema import Draft4Validator

    from constructs_lib.api_model import ITEM_MODEL_JSON
    from lambda_src.data_api.handler import BadRequest, check_value, loads_exact

    validator = Draft4Validator(jsonlib.loads(ITEM_MODEL_JSON))
    Draft4Validator.check_schema(validator.schema)

    def nested(levels: int, inner) -> object:
        for _ in range(levels):
            inner = [inner]
        return inner

    def function_accepts(value) -> bool:
        try:
            check_value(loads_exact(jsonlib.dumps(value)))
        except BadRequest:
            return False
        return True

    for value in (nested(30, 1), nested(31, 1), nested(32, 1), nested(31, []), nested(32, []), nested(33, []),
                  {"a": nested(31, {"b": 1})}, 9.9e125, -9.9e125, 1e126, -1e127, "text", None, True, [], {}):
        model_accepts = validator.is_valid({"id": "a", "value": value})
        assert model_accepts == function_accepts(value), (jsonlib.dumps(value)[:80], model_accepts)
    assert not validator.is_valid({"id": "a", "value": 1, "ttl_seconds": 5.5})
    assert not validator.is_valid({"id": "a", "value": 1, "extra": True})
