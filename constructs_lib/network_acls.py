"""Network ACLs per subnet tier: stateless guard rails on top of the security groups.

Created inside the :class:`~constructs_lib.network.Network` construct (its
construct paths, and so the Terraform addresses, are the network's).
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from constructs_lib.context import StackScope
from platform_core.network_guards import admin_port_denials
from platform_core.subnet_layout import TIERS
from synth_runtime.provider_bindings import aws

ANYWHERE = "0.0.0.0/0"
NAT_PORTS = (1024, 65535)
"""A NAT gateway translates to any of these, so the public tier admits return traffic on all of them."""
LINUX_EPHEMERAL_PORTS = (32768, 65535)
"""Where Linux (the app servers, Lambda) receives the answers to its own outbound calls."""


def tier_network_acls(network: Construct, where: StackScope, *, vpc_id: str, vpc_cidr: str, subnet_ids: Mapping[str, list[str]]) -> None:
    """Stateless guard rails per tier, on top of the security groups.

    Every tier admits anything from inside the VPC. Beyond that, ACLs are
    stateless, so answers to outbound calls must be let back in: the public
    tier (the NAT gateways) on every port NAT uses, the private tier on
    Linux's ephemeral ports, and the database tier on those ports too but
    only TCP, for HTTPS through the gateway endpoints, its only way out.
    Before those allows, every tier refuses the remote-admin ports (SSH, RDP,
    WinRM) from anywhere, IPv4 and IPv6 (``platform_core/network_guards.py``).
    """
    nacl = aws.network_acl

    def answers(rule_no: int, protocol: str, ports: tuple[int, int]):
        return nacl.NetworkAclIngress(
            rule_no=rule_no, action="allow", protocol=protocol, cidr_block=ANYWHERE, from_port=ports[0], to_port=ports[1]
        )

    from_vpc = nacl.NetworkAclIngress(
        rule_no=100, action="allow", protocol="-1", cidr_block=vpc_cidr, from_port=0, to_port=0
    )
    anywhere_out = nacl.NetworkAclEgress(
        rule_no=100, action="allow", protocol="-1", cidr_block=ANYWHERE, from_port=0, to_port=0
    )
    denials = [nacl.NetworkAclIngress(action="deny", **rule) for rule in admin_port_denials()]
    rules = {
        "public": ([from_vpc, *denials, answers(200, "tcp", NAT_PORTS), answers(210, "udp", NAT_PORTS)], [anywhere_out]),
        "private": (
            [from_vpc, *denials, answers(200, "tcp", LINUX_EPHEMERAL_PORTS), answers(210, "udp", LINUX_EPHEMERAL_PORTS)],
            [anywhere_out],
        ),
        "database": (
            [from_vpc, *denials, answers(200, "tcp", LINUX_EPHEMERAL_PORTS)],
            [
                nacl.NetworkAclEgress(
                    rule_no=100, action="allow", protocol="-1", cidr_block=vpc_cidr, from_port=0, to_port=0
                ),
                nacl.NetworkAclEgress(
                    rule_no=200, action="allow", protocol="tcp", cidr_block=ANYWHERE, from_port=443, to_port=443
                ),
            ],
        ),
    }
    for tier in TIERS:
        ingress, egress = rules[tier]
        nacl.NetworkAcl(
            network,
            f"{tier}-network-acl",
            vpc_id=vpc_id,
            subnet_ids=subnet_ids[tier],
            ingress=ingress,
            egress=egress,
            tags={"Name": where.names.name(f"{tier}-nacl"), "Tier": tier},
        )

