"""API checks: regional endpoint, the IP allow-list and principal policy, authorized and keyed methods, and the stage's settings."""

from __future__ import annotations

import json
from functools import cache

from ops.verify import EmulatorGap, VerifyContext, expect


@cache
def rest_api(ctx: VerifyContext) -> dict:
    """The environment's REST API (``<project>-api-<env>``), found by its name."""
    apis = [a for a in ctx.client("apigateway").get_rest_apis()["items"] if a["name"] == ctx.names.name("api")]
    expect(len(apis) == 1, f"{len(apis)} REST APIs named {ctx.names.name('api')}")
    return apis[0]


def regional(ctx: VerifyContext) -> None:
    types = rest_api(ctx)["endpointConfiguration"]["types"]
    expect(types == ["REGIONAL"], f"endpoint types {types}")


def _policy(ctx: VerifyContext) -> dict:
    raw = ctx.client("apigateway").get_rest_api(restApiId=rest_api(ctx)["id"]).get("policy")
    expect(bool(raw), "the API has no resource policy")
    # API Gateway returns the document escaped inside the string.
    return json.loads(json.loads(f'"{raw}"'))


def _listed(value) -> list[str]:
    return sorted([value] if isinstance(value, str) else value or [])


def ip_allow_list(ctx: VerifyContext) -> str:
    """Every Allow is held to the allowed CIDRs, and one Deny refuses every other source."""
    statements = _policy(ctx)["Statement"]
    allowed = sorted(ctx.config.api.allowed_ingress_cidrs)

    def cidrs(statement: dict, test: str) -> list[str]:
        return _listed(statement.get("Condition", {}).get(test, {}).get("aws:SourceIp"))

    allows = [s for s in statements if s["Effect"] == "Allow"]
    denies = [s for s in statements if s["Effect"] == "Deny" and cidrs(s, "NotIpAddress") == allowed]
    expect(bool(allows) and all(cidrs(s, "IpAddress") == allowed for s in allows), f"an Allow not held to {allowed}: {allows}")
    expect(len(denies) == 1, f"no statement denies every other network: {statements}")
    return ", ".join(allowed)


def principals_only(ctx: VerifyContext) -> str:
    """With the IAM authorizer, GET and POST are allowed to the listed principals only, and denied to every other."""
    api = ctx.config.api
    if api.authorizer != "iam":
        return f"authorizer {api.authorizer}: no principal list"
    listed = sorted(p if p.startswith("arn:") else f"arn:aws:iam::{ctx.account_id}:role/{p}" for p in api.invoke_principals)
    statements = _policy(ctx)["Statement"]

    def principals(statement: dict) -> list[str]:
        principal = statement.get("Principal")
        return _listed(principal.get("AWS") if isinstance(principal, dict) else principal)

    keyed = [s for s in statements if any(r.endswith(("/GET/data", "/POST/data")) for r in _listed(s.get("Resource")))]
    allows = [s for s in keyed if s["Effect"] == "Allow"]
    expect(bool(allows) and all(principals(s) == listed for s in allows), f"GET and POST are allowed to {[principals(s) for s in allows]}, not {listed}")
    denied = [s for s in keyed if s["Effect"] == "Deny" and _listed(s.get("Condition", {}).get("ArnNotLike", {}).get("aws:PrincipalArn")) == listed]
    expect(len(denied) == 1, "no statement denies every principal but the listed ones")
    return ", ".join(listed)


AUTHORIZATION = {"iam": "AWS_IAM", "cognito": "COGNITO_USER_POOLS"}


def keyed_methods(ctx: VerifyContext) -> str:
    client = ctx.client("apigateway")
    api_id = rest_api(ctx)["id"]
    (resource,) = [r for r in client.get_resources(restApiId=api_id)["items"] if r.get("path") == "/data"]
    wanted = AUTHORIZATION[ctx.config.api.authorizer]
    for method in ("GET", "POST"):
        found = client.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
        expect(found.get("authorizationType") == wanted, f"{method} /data has authorization {found.get('authorizationType')}, not {wanted}")
        if wanted == "COGNITO_USER_POOLS":
            authorizer = client.get_authorizer(restApiId=api_id, authorizerId=found.get("authorizerId") or "none")
            expect(sorted(authorizer.get("providerARNs", [])) == sorted(ctx.config.api.cognito_user_pool_arns), f"{method}'s authorizer trusts {authorizer.get('providerARNs')}")
        expect(found.get("apiKeyRequired") is True, f"{method} /data does not require an API key")
        expect(found["methodIntegration"]["type"] == "AWS_PROXY", f"{method} /data is not proxied to the function")
    preflight = client.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod="OPTIONS")
    expect(preflight.get("authorizationType") == "NONE", "the CORS preflight needs an authorizer browsers cannot satisfy")
    return f"GET, POST: {wanted}; OPTIONS: NONE"


def stage(ctx: VerifyContext) -> str:
    found = ctx.client("apigateway").get_stage(restApiId=rest_api(ctx)["id"], stageName=ctx.config.name)
    expect(found.get("tracingEnabled") is True, "X-Ray is off")
    destination = found.get("accessLogSettings", {}).get("destinationArn", "")
    expect(destination.endswith(f"log-group:{ctx.names.log_group('api-access')}"), f"access logs go to {destination!r}")
    settings = found.get("methodSettings", {}).get("*/*")
    if settings is None and ctx.target.is_emulator:
        raise EmulatorGap("moto does not return a stage's method settings (logging level, throttling)")
    expect(settings is not None, "the stage has no method settings")
    expect(settings["loggingLevel"] == "INFO" and settings["dataTraceEnabled"] is False and settings["metricsEnabled"], f"settings {settings}")
    expect(settings["throttlingRateLimit"] == ctx.config.api.throttle_rate_limit, f"rate limit {settings['throttlingRateLimit']}")
    return f"stage {ctx.config.name}"


def usage_plan(ctx: VerifyContext) -> None:
    plans = [p for p in ctx.client("apigateway").get_usage_plans()["items"] if p["name"] == ctx.names.name("api")]
    expect(len(plans) == 1, "no usage plan")
    stages = [(s["apiId"], s["stage"]) for s in plans[0].get("apiStages", [])]
    expect(stages == [(rest_api(ctx)["id"], ctx.config.name)], f"the usage plan covers {stages}")
    keys = ctx.client("apigateway").get_usage_plan_keys(usagePlanId=plans[0]["id"])["items"]
    expect(len(keys) == 1, f"{len(keys)} API keys in the usage plan")


CHECKS = [
    ("api", "the REST API is regional", regional),
    ("api", "the resource policy allows the allowed CIDRs and denies every other source", ip_allow_list),
    ("api", "the resource policy allows GET and POST to the listed principals and denies every other", principals_only),
    ("api", "GET and POST /data have the authorizer, require an API key and proxy to the function; only OPTIONS is open", keyed_methods),
    ("api", "the stage has X-Ray, JSON access logs, INFO logging without data tracing, throttling", stage),
    ("api", "a usage plan with one API key covers the stage", usage_plan),
]
