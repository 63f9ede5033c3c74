"""Subnet address plan: which CIDR each tier gets in each availability zone.

Pure Python (no CDKTF import), so the environment loader can use it to reject
a bad sizing before the provider bindings are loaded.

The plan is derived from *meaning*, never from list positions:

* The VPC CIDR is cut into four equal tier blocks: public, private, database
  and one reserved for growth.
* Inside its tier block, a subnet's slot is the AZ's letter (``a`` = 0 ... ``f`` = 5).

So adding ``us-east-1c`` to an environment never moves the subnets of
``us-east-1a`` and ``us-east-1b``, and their Terraform addresses and CIDRs
stay exactly as they were.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

TIERS: tuple[str, ...] = ("public", "private", "database")
"""The subnet tiers, in the order of their blocks inside the VPC CIDR."""

TIER_BLOCKS = 4
"""Equal blocks the VPC CIDR is cut into: the three tiers plus one reserved."""

AZ_LETTERS = "abcdef"
"""AZ suffixes that have a fixed slot. No AWS region has more than six AZs."""

SMALLEST_SUBNET_PREFIX = 28
"""AWS does not allow a subnet smaller than /28."""


class SubnetLayoutError(ValueError):
    """A sizing that cannot hold every tier in every AZ slot."""


@dataclass(frozen=True)
class SubnetSpec:
    """One subnet: its tier, AZ, and CIDR."""

    tier: str
    availability_zone: str
    cidr_block: str

    @property
    def az_letter(self) -> str:
        return self.availability_zone[-1]


def az_slot(availability_zone: str) -> int:
    """The fixed slot of an AZ inside a tier block, from its letter."""
    letter = availability_zone[-1:]
    if letter not in AZ_LETTERS or len(letter) != 1:
        raise SubnetLayoutError(
            f"availability zone {availability_zone!r} must end in one of the letters {', '.join(AZ_LETTERS)}"
        )
    return AZ_LETTERS.index(letter)


def tier_block(vpc_cidr: str, tier: str) -> ipaddress.IPv4Network:
    """The quarter of the VPC CIDR that holds every subnet of one tier."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(vpc.subnets(prefixlen_diff=2))
    return blocks[TIERS.index(tier)]


def smallest_tier_prefix(vpc_cidr: str) -> int:
    """The largest subnet (smallest prefix length) that still leaves a slot for all six AZ letters."""
    block_prefix = ipaddress.IPv4Network(vpc_cidr).prefixlen + 2
    slot_bits = (len(AZ_LETTERS) - 1).bit_length()
    return block_prefix + slot_bits


def check_prefix_length(vpc_cidr: str, prefix_length: int) -> None:
    """Raise SubnetLayoutError if one tier's subnets cannot be cut from the VPC at this size."""
    low = smallest_tier_prefix(vpc_cidr)
    if not low <= prefix_length <= SMALLEST_SUBNET_PREFIX:
        raise SubnetLayoutError(
            f"/{prefix_length} does not fit a {vpc_cidr} VPC: each tier gets a quarter of the VPC "
            f"with room for six AZs, so subnets must be between /{low} and /{SMALLEST_SUBNET_PREFIX}"
        )


def plan_subnets(
    vpc_cidr: str,
    availability_zones: list[str] | tuple[str, ...],
    prefix_lengths: dict[str, int],
) -> list[SubnetSpec]:
    """Every subnet of every tier in every AZ, in tier then AZ order."""
    specs: list[SubnetSpec] = []
    for tier in TIERS:
        prefix = prefix_lengths[tier]
        check_prefix_length(vpc_cidr, prefix)
        block = tier_block(vpc_cidr, tier)
        size = 1 << (32 - prefix)
        for az in availability_zones:
            start = int(block.network_address) + az_slot(az) * size
            network = ipaddress.IPv4Network((start, prefix))
            specs.append(SubnetSpec(tier=tier, availability_zone=az, cidr_block=str(network)))
    return specs
