"""Every tier's security group: named and tagged per environment, no inline rules, HTTPS out defined once."""

from __future__ import annotations

from tests.synth import resources


def test_every_group_is_named_and_tagged_for_its_environment_and_has_no_inline_rules(stacks, environment):
    groups = resources(stacks[environment], "aws_security_group")
    assert len(groups) >= 3
    for body in groups.values():
        assert body["name"].startswith("acme-") and body["name"].endswith(f"-{environment}")
        assert body["tags"]["Name"] == body["name"]
        assert "ingress" not in body and "egress" not in body, "rules are separate resources, each with a description"


def test_https_out_is_443_to_anywhere_with_a_description(stacks, environment):
    rules = [r for key, r in resources(stacks[environment], "aws_vpc_security_group_egress_rule").items() if "https-out" in key]
    assert len(rules) == 2, "the app servers and the data API function"
    for rule in rules:
        assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == ("tcp", 443, 443, "0.0.0.0/0")
        assert rule["description"]
