"""Security groups the platform's way: named and tagged per environment, rules as separate resources.

Every tier's group is created here, with no inline rules (each rule is its own
``aws_vpc_security_group_*_rule`` resource with a description, so a plan review
shows exactly which rule changes), and the one egress rule several tiers share,
HTTPS out, is defined once.
"""

from __future__ import annotations

from constructs import Construct

from platform_core.naming import ResourceNames
from synth_runtime.provider_bindings import aws

HTTPS_PORT = 443


def tier_security_group(scope: Construct, construct_id: str, *, names: ResourceNames, purpose: str, description: str, vpc_id: str):
    """An ``aws_security_group`` named and tagged ``<project>-<purpose>-<env>``, with no rules of its own."""
    return aws.security_group.SecurityGroup(
        scope,
        construct_id,
        name=names.name(purpose),
        description=description,
        vpc_id=vpc_id,
        tags={"Name": names.name(purpose)},
    )


def allow_https_out(scope: Construct, construct_id: str, *, security_group_id: str, description: str):
    """The group may open HTTPS connections to anywhere (AWS APIs through endpoints or NAT)."""
    return aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
        scope,
        construct_id,
        security_group_id=security_group_id,
        description=description,
        ip_protocol="tcp",
        from_port=HTTPS_PORT,
        to_port=HTTPS_PORT,
        cidr_ipv4="0.0.0.0/0",
    )
