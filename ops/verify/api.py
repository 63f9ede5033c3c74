"""API checks: regional endpoint, the IP allow-list policy, keyed methods, and the stage's settings."""

from __future__ import annotations

import json
from functools import cache

from ops.verify import EmulatorGap, VerifyContext, expect


@cache
def _api(ctx: VerifyContext) -> dict:
    apis = [a for a in ctx.client("apigateway").get_rest_apis()["items"] if a["name"] == ctx.names.name("api")]
    expect(len(apis) == 1, f"{len(apis)} REST APIs named {ctx.names.name('api')}")
    return apis[0]


def regional(ctx: VerifyContext) -> None:
    types = _api(ctx)["endpointConfiguration"]["types"]
    expect(types == ["REGIONAL"], f"endpoint types {types}")


def _policy(ctx: VerifyContext) -> dict:
    raw = ctx.client("apigateway").get_rest_api(restApiId=_api(ctx)["id"]).get("policy")
    expect(bool(raw), "the API has no resource policy")
    # API Gateway returns the document escaped inside the string.
    return json.loads(json.loads(f'"{raw}"'))


def ip_allow_list(ctx: VerifyContext) -> str:
    statements = _policy(ctx)["Statement"]
    allowed = sorted(ctx.config.api.allowed_ingress_cidrs)

    def cidrs(statement: dict, test: str) -> list[str]:
        values = statement.get("Condition", {}).get(test, {}).get("aws:SourceIp", [])
        return sorted([values] if isinstance(values, str) else values)

    allows = [s for s in statements if s["Effect"] == "Allow" and cidrs(s, "IpAddress") == allowed]
    denies = [s for s in statements if s["Effect"] == "Deny" and cidrs(s, "NotIpAddress") == allowed]
    expect(len(allows) == 1 and len(denies) == 1, f"policy statements {statements}")
    expect(len(statements) == 2, "the policy admits something else too")
    return ", ".join(allowed)


def keyed_methods(ctx: VerifyContext) -> None:
    client = ctx.client("apigateway")
    api_id = _api(ctx)["id"]
    (resource,) = [r for r in client.get_resources(restApiId=api_id)["items"] if r.get("path") == "/data"]
    for method in ("GET", "POST"):
        found = client.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
        expect(found.get("apiKeyRequired") is True, f"{method} /data does not require an API key")
        expect(found["methodIntegration"]["type"] == "AWS_PROXY", f"{method} /data is not proxied to the function")


def stage(ctx: VerifyContext) -> str:
    found = ctx.client("apigateway").get_stage(restApiId=_api(ctx)["id"], stageName=ctx.config.name)
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
    expect(stages == [(_api(ctx)["id"], ctx.config.name)], f"the usage plan covers {stages}")
    keys = ctx.client("apigateway").get_usage_plan_keys(usagePlanId=plans[0]["id"])["items"]
    expect(len(keys) == 1, f"{len(keys)} API keys in the usage plan")


CHECKS = [
    ("api", "the REST API is regional", regional),
    ("api", "the resource policy allows the allowed CIDRs and denies every other source", ip_allow_list),
    ("api", "GET and POST /data require an API key and proxy to the function", keyed_methods),
    ("api", "the stage has X-Ray, JSON access logs, INFO logging without data tracing, throttling", stage),
    ("api", "a usage plan with one API key covers the stage", usage_plan),
]
