"""The address plan: stable per tier and AZ letter, inside the VPC, never overlapping."""

from __future__ import annotations

import pytest

from platform_core.subnet_layout import (
    SubnetLayoutError,
    az_slot,
    check_prefix_length,
    plan_subnets,
    smallest_tier_prefix,
)

SIZES = {"public": 24, "private": 22, "database": 24}


def by_key(specs):
    return {(s.tier, s.availability_zone): s.cidr_block for s in specs}


def test_tiers_get_quarters_of_the_vpc():
    plan = by_key(plan_subnets("10.30.0.0/16", ["us-east-1a"], SIZES))
    assert plan == {
        ("public", "us-east-1a"): "10.30.0.0/24",
        ("private", "us-east-1a"): "10.30.64.0/22",
        ("database", "us-east-1a"): "10.30.128.0/24",
    }


def test_adding_an_az_keeps_existing_cidrs():
    two = by_key(plan_subnets("10.30.0.0/16", ["us-east-1a", "us-east-1b"], SIZES))
    three = by_key(plan_subnets("10.30.0.0/16", ["us-east-1a", "us-east-1b", "us-east-1c"], SIZES))
    assert {k: three[k] for k in two} == two
    assert len(three) == 9


def test_slot_follows_the_az_letter_not_the_list_position():
    skipping = by_key(plan_subnets("10.30.0.0/16", ["us-east-1a", "us-east-1c"], SIZES))
    assert skipping[("public", "us-east-1c")] == "10.30.2.0/24"
    reordered = by_key(plan_subnets("10.30.0.0/16", ["us-east-1c", "us-east-1a"], SIZES))
    assert reordered == skipping


def test_all_six_az_letters_fit_without_overlap():
    import ipaddress

    azs = [f"us-east-1{letter}" for letter in "abcdef"]
    networks = [ipaddress.IPv4Network(s.cidr_block) for s in plan_subnets("10.0.0.0/20", azs, {t: 25 for t in SIZES})]
    assert len(networks) == 18
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


@pytest.mark.parametrize("az", ["us-east-1g", "us-east-1", "us-east-1-"])
def test_unknown_az_letters_are_rejected(az):
    with pytest.raises(SubnetLayoutError):
        az_slot(az)


def test_smallest_prefix_leaves_room_for_six_azs():
    assert smallest_tier_prefix("10.0.0.0/16") == 21
    check_prefix_length("10.0.0.0/16", 21)
    with pytest.raises(SubnetLayoutError, match="between /21 and /28"):
        check_prefix_length("10.0.0.0/16", 20)
    with pytest.raises(SubnetLayoutError):
        check_prefix_length("10.0.0.0/16", 29)
