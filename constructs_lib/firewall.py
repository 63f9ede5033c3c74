"""A web application firewall in front of the API stage.

What it creates, and why:

* A regional WAFv2 web ACL that allows by default and blocks what AWS's
  managed rule groups recognise: common exploits (OWASP top ten), known bad
  inputs (Log4Shell and friends), addresses with a bad reputation and
  anonymising proxies (VPNs, Tor, hosting providers), plus a per-IP rate limit. The IP allow-list itself stays in the API's resource
  policy; the firewall inspects what the allowed networks send.
* Its association with the API stage.
* Logging of every evaluated request to a KMS-encrypted log group with a
  retention (WAF requires the ``aws-waf-logs-`` name prefix).
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.context import PlatformContext
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from platform_core.naming import ResourceNames
from platform_core.waf import MANAGED_RULE_GROUPS, REQUESTS_PER_FIVE_MINUTES_PER_IP, WAF_LOG_PREFIX
from synth_runtime.provider_bindings import aws


def waf_log_group_name(names: ResourceNames) -> str:
    return f"{WAF_LOG_PREFIX}{names.name('api')}"


def _visibility(metric: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


class WebFirewall(Construct):
    """The API's web ACL, its association and its logging. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, stage_arn: str) -> None:
        super().__init__(scope, construct_id)
        name = ctx.names.name("api")
        acl = aws.wafv2_web_acl
        self.web_acl = acl.Wafv2WebAcl(
            self,
            "web-acl",
            name=name,
            description="Managed protections and a per-IP rate limit in front of the API",
            scope="REGIONAL",
            default_action=acl.Wafv2WebAclDefaultAction(allow=acl.Wafv2WebAclDefaultActionAllow()),
            visibility_config=acl.Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
            tags={"Name": name},
        )
        rules = [
            {
                "name": group,
                "priority": priority,
                "override_action": [{"none": [{}]}],
                "statement": [{"managed_rule_group_statement": [{"name": group, "vendor_name": "AWS"}]}],
                "visibility_config": [_visibility(group)],
            }
            for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)
        ]
        rules.append(
            {
                "name": "rate-limit-per-ip",
                "priority": len(MANAGED_RULE_GROUPS) + 1,
                "action": [{"block": [{}]}],
                "statement": [
                    {"rate_based_statement": [{"limit": REQUESTS_PER_FIVE_MINUTES_PER_IP, "aggregate_key_type": "IP"}]}
                ],
                "visibility_config": [_visibility("rate-limit-per-ip")],
            }
        )
        # The provider's statement schema is too deep for the prebuilt bindings to type,
        # so the rules are written in Terraform's own block format.
        self.web_acl.add_override("rule", rules)
        aws.wafv2_web_acl_association.Wafv2WebAclAssociation(
            self, "api-stage", web_acl_arn=self.web_acl.arn, resource_arn=stage_arn
        )
        self.log_group = EncryptedLogGroup(
            self,
            "log-group",
            EncryptedLogGroupProps(
                name=waf_log_group_name(ctx.names), retention_days=ctx.log_retention_days, kms_key_arn=ctx.logs_key_arn
            ),
        )
        aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfiguration(
            self, "logging", resource_arn=self.web_acl.arn, log_destination_configs=[self.log_group.arn]
        )
