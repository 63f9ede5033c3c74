"""NET001: no security group admits traffic from the whole internet."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument

ANYWHERE = ("0.0.0.0/0", "::/0")


class OpenIngress:
    id = "NET001"
    description = "No security group ingress from 0.0.0.0/0 or ::/0"
    fix = "admit a security group (referenced_security_group_id) or the specific CIDRs that need access"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for rule in stack.blocks("resource", ["aws_vpc_security_group_ingress_rule"]):
            for attribute in ("cidr_ipv4", "cidr_ipv6"):
                if rule.body.get(attribute) in ANYWHERE:
                    yield Finding(rule, f"{attribute} = {rule.body[attribute]}")
        for rule in stack.blocks("resource", ["aws_security_group_rule"]):
            if rule.body.get("type") == "ingress":
                opened = [c for c in rule.body.get("cidr_blocks", []) + rule.body.get("ipv6_cidr_blocks", []) if c in ANYWHERE]
                if opened:
                    yield Finding(rule, f"ingress from {', '.join(opened)}")
        for group in stack.blocks("resource", ["aws_security_group", "aws_default_security_group"]):
            for index, ingress in enumerate(group.body.get("ingress", []) or []):
                opened = [c for c in ingress.get("cidr_blocks", []) + ingress.get("ipv6_cidr_blocks", []) if c in ANYWHERE]
                if opened:
                    yield Finding(group, f"ingress[{index}] admits {', '.join(opened)}")


RULE = OpenIngress()
