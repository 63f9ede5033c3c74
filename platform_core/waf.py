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

REQUESTS_PER_FIVE_MINUTES_PER_IP = 2000
"""The rate rule blocks an address that sends more than this in five minutes (about 7 a second): far above
the API's own per-key throttling, so it stops floods, not clients."""
