"""Session fixtures: every shipped environment is synthesized once per test process.

``stacks`` is synthesized for real AWS (what a reviewer sees in the snapshots);
``emulator_stacks`` for the local emulator, to check that only endpoints and
credentials differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from synth_runtime.project_node import use_project_node

# Before any test module imports cdktf (which starts the jsii kernel): the kernel then runs on the
# project's Node with the whole fast path, the same as a synth does.
use_project_node()

from environments import AccountConfig, load_accounts, load_environments  # noqa: E402
from environments.schema import EnvironmentConfig  # noqa: E402
from platform_core.target import DeployTarget  # noqa: E402
from tests.synth import synth_environments  # noqa: E402

ENVIRONMENT_NAMES = ("dev", "staging", "prod")


def require_tool(name: str) -> str:
    """The tool's path; skip loudly if missing on a developer machine, fail in CI where it must exist."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed on this machine, so this test cannot run"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMDIR", "MAKE_TTYOUT")
"""What an outer ``make`` (``make test`` runs the suite) hands its children: a nested make would print
"Entering directory" lines and take the outer flags."""


def make_dry_run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``make -n <args>`` in the project, as a user's shell would run it (not as a child of ``make test``)."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *args], cwd=cwd or Path(__file__).resolve().parents[1],
        env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture(scope="session")
def configs() -> dict[str, EnvironmentConfig]:
    return {c.name: c for c in load_environments()}


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synth")


@pytest.fixture(scope="session")
def accounts() -> dict[str, AccountConfig]:
    return load_accounts()


@pytest.fixture(scope="session")
def all_stacks(configs, accounts, synth_root: Path) -> dict[str, dict]:
    """Every environment's and every account baseline's Terraform JSON, synthesized for TARGET=aws in one app."""
    return synth_environments(configs.values(), DeployTarget(kind="aws"), synth_root / "aws", accounts.values())


@pytest.fixture(scope="session")
def stacks(all_stacks, configs) -> dict[str, dict]:
    """Every environment's Terraform JSON, synthesized for TARGET=aws."""
    return {name: all_stacks[name] for name in configs}


@pytest.fixture(scope="session")
def baseline_stacks(all_stacks, accounts) -> dict[str, dict]:
    """Every account baseline's Terraform JSON, by account name."""
    return {name: all_stacks[account.stack_name] for name, account in accounts.items()}


@pytest.fixture(scope="session")
def stacks_dir(all_stacks, synth_root: Path) -> Path:
    """Where ``all_stacks`` was written: ``<dir>/stacks/<stack>/cdk.tf.json``."""
    return synth_root / "aws"


@pytest.fixture(scope="session")
def emulator_stacks(configs, synth_root: Path) -> dict[str, dict]:
    """Every environment's Terraform JSON, synthesized for the emulator on port 4566."""
    return synth_environments(configs.values(), DeployTarget(kind="emulator"), synth_root / "emulator")


@pytest.fixture(params=ENVIRONMENT_NAMES)
def environment(request) -> str:
    return request.param
