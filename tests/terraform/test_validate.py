"""``terraform init`` + ``terraform validate`` of every environment with the real AWS provider 5.100.0.

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


@pytest.fixture(scope="session")
def initialized(stacks_dir: Path, tmp_path_factory) -> dict[str, Path]:
    require_tool("terraform")
    work = tmp_path_factory.mktemp("validate")
    directories = {}
    for environment in ("dev", "staging", "prod"):
        directory = work / environment
        shutil.copytree(stacks_dir / "stacks" / environment, directory)
        run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
        directories[environment] = directory
    return directories


def test_terraform_validate_passes(initialized, environment):
    result = run_terraform(["validate", "-json", "-no-color"], cwd=initialized[environment], check=False)
    report = json.loads(result.stdout)
    assert report["valid"] is True, report["diagnostics"]
    assert report["error_count"] == 0


def test_the_provider_is_exactly_5_100_0(initialized, environment):
    lock = (initialized[environment] / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert 'version     = "5.100.0"' in lock
