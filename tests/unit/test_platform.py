"""The stack as a whole: names carry the environment, outputs exist, adding an AZ only adds."""

from __future__ import annotations

import re
from pathlib import Path

from platform_core.target import DeployTarget
from tests.synth import resources, synth_environments, walk

NAMES_SCOPED_BY_THEIR_API = ("aws_api_gateway_model.", "aws_api_gateway_request_validator.", "aws_s3_bucket_metric.")
"""These names live inside one REST API or one bucket, which itself carries the environment."""


def test_every_name_carries_the_environment(stacks, environment):
    names = [
        (path, value)
        for path, value in walk(stacks[environment].get("resource", {}))
        if re.fullmatch(r"[^.]+\.[^.]+\.(name|alarm_name|tags\.Name)", path)
        and isinstance(value, str)
        and "${" not in value
        and not path.startswith(NAMES_SCOPED_BY_THEIR_API)
    ]
    assert names, "the stack names nothing?"
    for path, value in names:
        assert value.endswith(f"-{environment}") or f"/{environment}/" in value or f"-{environment}/" in value, (path, value)


def test_adding_an_az_to_prod_changes_no_existing_address_or_cidr(configs, synth_root: Path):
    """prod with two AZs, then three: every resource of the two-AZ stack is still there, unchanged."""
    prod = configs["prod"]
    two_azs = prod.model_copy(
        update={"network": prod.network.model_copy(update={"availability_zones": prod.network.availability_zones[:2]})}
    )
    three_azs = prod.model_copy(
        update={"network": prod.network.model_copy(update={"availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"]})}
    )
    before = synth_environments([two_azs], DeployTarget(kind="aws"), synth_root / "prod-2az")["prod"]
    after = synth_environments([three_azs], DeployTarget(kind="aws"), synth_root / "prod-3az")["prod"]

    subnets_before = resources(before, "aws_subnet")
    subnets_after = resources(after, "aws_subnet")
    assert len(subnets_before) == 6 and len(subnets_after) == 9
    for address, subnet in subnets_before.items():
        assert address in subnets_after, f"aws_subnet.{address} would be destroyed"
        assert subnets_after[address] == subnet, f"aws_subnet.{address} would change"

    for kind, by_name in before["resource"].items():
        for address in by_name:
            assert address in after["resource"][kind], f"{kind}.{address} disappears when an AZ is added"
