"""The web firewall's fixed choices, shared by the construct and by verification."""

from __future__ import annotations

MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)
"""AWS's managed rule groups, in priority order: common exploits (OWASP top ten), known bad inputs
(Log4Shell and friends), addresses with a bad reputation, and anonymising proxies."""

WAF_LOG_PREFIX = "aws-waf-logs-"
"""WAF logs only to log groups whose name starts with this."""
