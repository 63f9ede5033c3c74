"""Firewall checks: the web ACL guards the API stage with the managed groups and a rate limit, and logs."""

from __future__ import annotations

from ops.verify import VerifyContext, expect
from platform_core.waf import MANAGED_RULE_GROUPS, WAF_LOG_PREFIX


def web_acl_on_the_stage(ctx: VerifyContext) -> str:
    apis = [a for a in ctx.client("apigateway").get_rest_apis()["items"] if a["name"] == ctx.names.name("api")]
    expect(len(apis) == 1, "the API is missing")
    stage_arn = f"arn:aws:apigateway:{ctx.config.region}::/restapis/{apis[0]['id']}/stages/{ctx.config.name}"
    waf = ctx.client("wafv2")
    acl = waf.get_web_acl_for_resource(ResourceArn=stage_arn).get("WebACL")
    expect(acl is not None and acl["Name"] == ctx.names.name("api"), f"the stage is guarded by {acl and acl['Name']}")
    rules = sorted(acl["Rules"], key=lambda rule: rule["Priority"])
    groups = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules if "ManagedRuleGroupStatement" in r["Statement"]]
    expect(groups == list(MANAGED_RULE_GROUPS), f"managed rule groups {groups}")
    expect(any("RateBasedStatement" in r["Statement"] for r in acl["Rules"]), "no rate limit")
    logging = waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    expect(logging["LogDestinationConfigs"][0].endswith(f"log-group:{WAF_LOG_PREFIX}{ctx.names.name('api')}"), f"logs go to {logging}")
    return f"{len(groups)} managed groups + rate limit, logged"


CHECKS = [("firewall", "a web ACL with the managed groups and a rate limit guards the API stage, and logs", web_acl_on_the_stage)]
