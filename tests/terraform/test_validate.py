"""``terraform init`` + ``terraform validate`` of every environment and account baseline with the real AWS provider 5.100.0.

Init uses the project's CLI config, so the provider comes from the offline
mirror when the machine has one (and from the registry otherwise).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ops.terraform_cli import run_terraform
from tests.conftest import require_tool

STACKS = ("dev", "staging", "prod", "baseline-default")


@pytest.fixture(params=STACKS)
def stack(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def initialized(stacks_dir: Path, tmp_path_factory) -> dict[str, Path]:
    require_tool("terraform")
    work = tmp_path_factory.mktemp("validate")
    directories = {}
    for environment in STACKS:
        directory = work / environment
        shutil.copytree(stacks_dir / "stacks" / environment, directory)
        run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
        directories[environment] = directory
    return directories


def test_terraform_validate_passes(initialized, stack):
    result = run_terraform(["validate", "-json", "-no-color"], cwd=initialized[stack], check=False)
    report = json.loads(result.stdout)
    assert report["valid"] is True, report["diagnostics"]
    assert report["error_count"] == 0


def test_the_provider_is_exactly_5_100_0(initialized, stack):
    lock = (initialized[stack] / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert 'version     = "5.100.0"' in lock


def test_a_copy_to_a_second_region_is_valid_terraform(configs, tmp_path):
    """``backup.copy_to_region`` adds an aliased provider, and a key, a vault and its lock on it: prod with a copy
    region validates as the shipped stacks do."""
    from platform_core.target import DeployTarget
    from tests.synth import synth_environments

    require_tool("terraform")
    prod = configs["prod"]
    config = prod.model_copy(update={"backup": prod.backup.model_copy(update={"copy_to_region": "us-west-2"})})
    synth_environments([config], DeployTarget(kind="aws"), tmp_path)
    directory = tmp_path / "stacks" / "prod"
    run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
    report = json.loads(run_terraform(["validate", "-json", "-no-color"], cwd=directory, check=False).stdout)
    assert report["valid"] is True, report["diagnostics"]
    assert '"provider": "aws.us-west-2"' in (directory / "cdk.tf.json").read_text()
