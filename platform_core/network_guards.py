"""What every tier's network ACL refuses from anywhere, as data (the construct and verification share it)."""

from __future__ import annotations

REMOTE_ADMIN_PORTS: tuple[tuple[str, int, int], ...] = (("ssh", 22, 22), ("rdp", 3389, 3389), ("winrm", 5985, 5986))
"""Remote administration ports (CIS AWS Foundations 5.1 and 5.2: SSH and RDP; WinRM, their Windows sibling). Nothing
administers the platform over them: operators use Session Manager."""

ANYWHERE: tuple[tuple[str, str], ...] = (("cidr_block", "0.0.0.0/0"), ("ipv6_cidr_block", "::/0"))
"""Anywhere, as a network ACL entry's IPv4 and IPv6 attribute."""

FIRST_DENY_RULE = 110
"""The denials are rules 110, 120, ...: after the allow from inside the VPC (100) and before the allows of the
ephemeral ports (200 and up), which would otherwise admit 3389 and 5985 from anywhere on the public tier."""


def admin_port_denials() -> list[dict[str, object]]:
    """One ingress deny per remote-admin port range and IP version: ``rule_no``, ``protocol``, the ports and the CIDR."""
    pairs = [(ports, anywhere) for ports in REMOTE_ADMIN_PORTS for anywhere in ANYWHERE]
    return [
        {"rule_no": FIRST_DENY_RULE + 10 * index, "protocol": "tcp", "from_port": first, "to_port": last, attribute: cidr}
        for index, ((_, first, last), (attribute, cidr)) in enumerate(pairs)
    ]
