"""The web ACL in front of the API: managed rule groups, a rate limit, the stage association, logging."""

from __future__ import annotations

from platform_core.waf import MANAGED_RULE_GROUPS
from tests.synth import find, ref


def test_web_acl_blocks_what_the_managed_groups_and_the_rate_limit_catch(stacks, environment):
    _, acl = find(stacks[environment], "aws_wafv2_web_acl", "firewall/web-acl")
    assert acl["scope"] == "REGIONAL" and acl["default_action"] == {"allow": {}}
    groups = [r["statement"][0]["managed_rule_group_statement"][0]["name"] for r in acl["rule"] if "managed_rule_group_statement" in r["statement"][0]]
    assert groups == list(MANAGED_RULE_GROUPS)
    assert {"AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAnonymousIpList", "AWSManagedRulesCommonRuleSet"} <= set(groups)
    (rate,) = [r for r in acl["rule"] if "rate_based_statement" in r["statement"][0]]
    assert rate["action"] == [{"block": [{}]}] and rate["statement"][0]["rate_based_statement"][0]["aggregate_key_type"] == "IP"
    assert sorted(r["priority"] for r in acl["rule"]) == list(range(1, len(acl["rule"]) + 1))


def test_web_acl_guards_the_api_stage_and_logs_to_an_encrypted_group(stacks, environment):
    stack = stacks[environment]
    acl_name, _ = find(stack, "aws_wafv2_web_acl", "firewall/web-acl")
    stage_name, _ = find(stack, "aws_api_gateway_stage", "api/stage")
    _, association = find(stack, "aws_wafv2_web_acl_association", "firewall/api-stage")
    assert association == {**association, "web_acl_arn": ref("aws_wafv2_web_acl", acl_name, "arn"), "resource_arn": ref("aws_api_gateway_stage", stage_name, "arn")}
    group_name, group = find(stack, "aws_cloudwatch_log_group", "firewall/log-group/log-group")
    assert group["name"] == f"aws-waf-logs-acme-api-{environment}" and "kms_key_id" in group
    _, logging = find(stack, "aws_wafv2_web_acl_logging_configuration", "firewall/logging")
    assert logging["log_destination_configs"] == [ref("aws_cloudwatch_log_group", group_name, "arn")]
