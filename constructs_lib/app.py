"""Synthesize environments: build the Lambda packages, one PlatformStack per environment, the policy gate.

``main.py`` (what ``cdktf synth`` runs) and the test suite both come through
here, so the tests synthesize exactly what users deploy. The state-bucket
stacks of the bootstrap step are synthesized here too. Synth writes to a
temporary directory first; the output is published to the real output
directory only if every stack passes the policy gate, so a refused synth
leaves ``cdktf.out/`` as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cdktf import App

from constructs_lib.baseline.stack import BaselineStack
from constructs_lib.platform import PlatformStack
from constructs_lib.rules import PolicyGate, PolicyViolations, apply_suppressions
from constructs_lib.serverless import FUNCTION_PACKAGE
from constructs_lib.state_bucket import StateBucketStack
from environments.account_schema import AccountConfig
from environments.schema import EnvironmentConfig
from platform_core.lambda_package import build_package
from platform_core.target import DeployTarget
from policy import load_suppressions


def synthesize(
    configs: Iterable[EnvironmentConfig],
    target: DeployTarget,
    outdir: str | None = None,
    accounts: Iterable[AccountConfig] = (),
    delivered: Iterable[EnvironmentConfig] = (),
) -> None:
    """Write ``<outdir>/stacks/<env>/`` for every config and ``<outdir>/stacks/baseline-<account>/`` for every
    account (outdir: CDKTF_OUTDIR, else cdktf.out).

    ``delivered``: every environment, whose account's baseline (with ``[delivery]``) makes its CI roles.
    Raises PolicyViolations (and writes nothing) if a stack breaks a rule.
    """
    final = Path(outdir or os.environ.get("CDKTF_OUTDIR") or "cdktf.out")
    suppressions = load_suppressions()
    with tempfile.TemporaryDirectory(prefix="synth-") as work:
        staging = Path(work) / "out"
        app = App(outdir=str(staging))
        configs, delivered = list(configs), list(delivered)
        package = build_package(FUNCTION_PACKAGE, Path(work) / "packages") if configs else None
        stacks: list[PlatformStack | BaselineStack] = []
        for config in configs:
            stacks.append(PlatformStack(app, config, target, package))
        for account in accounts:
            stacks.append(BaselineStack(app, account, target, delivered))
        for stack in stacks:
            apply_suppressions(stack, suppressions.rules_for(stack.config.stack_name, stack.config.settings()))
        synth_checked(app, [stack.policy_gate for stack in stacks], staging, final)


def synthesize_state_buckets(configs: Iterable[EnvironmentConfig | AccountConfig], target: DeployTarget, state_dir: Path) -> None:
    """Write ``<outdir>/stacks/state-bucket-<stack>/`` for every environment and account baseline; each keeps its
    local state in ``state_dir``."""
    outdir = Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")
    outdir.mkdir(parents=True, exist_ok=True)
    app = App(outdir=str(outdir))
    for config in configs:
        StateBucketStack(app, config, target, str(state_dir / f"{config.stack_name}.tfstate"))
    app.synth()


def synth_checked(app: App, gates: Iterable[PolicyGate], staging: Path, final: Path) -> None:
    """Synth ``app`` (whose outdir is ``staging``); publish to ``final`` only if no gate found a violation.

    Every stack is checked before anything is refused, so one run lists the violations of
    all of them (a plain ``cdktf synth`` refuses too: ``main.py`` exits 2).
    """
    app.synth()
    violations = [violation for gate in gates for violation in gate.check(staging)]
    if violations:
        raise PolicyViolations(violations)
    publish(staging, final)


def publish(staging: Path, final: Path) -> None:
    """Move a clean synth into place, keeping each stack's Terraform working files (.terraform, lock file)."""
    final.mkdir(parents=True, exist_ok=True)
    for item in staging.iterdir():
        if item.name != "stacks":
            shutil.copy2(item, final / item.name)
    for stack in (staging / "stacks").iterdir():
        target = final / "stacks" / stack.name
        shutil.rmtree(target / "assets", ignore_errors=True)
        shutil.copytree(stack, target, dirs_exist_ok=True)
