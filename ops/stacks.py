"""Where the synthesized stacks are, and running ``main.py`` to produce them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from environments.account_schema import AccountConfig
from environments.deployable import Deployable
from ops.paths import PROJECT_ROOT, synth_outdir
from platform_core.errors import PipelineError

SYNTH_FLAGS: tuple[str, ...] = ("-O",)
"""Synth runs optimized: the bindings then skip their per-argument runtime type checks (about a
second per synth). The test suite runs without it, so those checks still guard every change."""


def synth_selection(*configs: Deployable) -> dict[str, str]:
    """The environment variables that make ``main.py`` synthesize only these environments and account baselines."""
    return {
        "PLATFORM_ENVS": ",".join(c.name for c in configs if not isinstance(c, AccountConfig)),
        "PLATFORM_ACCOUNTS": ",".join(c.name for c in configs if isinstance(c, AccountConfig)),
    }


def stack_dir(environment: str, outdir: Path | None = None) -> Path:
    """``cdktf.out/stacks/<env>``: the Terraform working directory of one environment."""
    return (outdir or synth_outdir()) / "stacks" / environment


def synthesize(
    environments: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    outdir: Path | None = None,
) -> None:
    """Run ``main.py`` in a fresh interpreter (as ``cdktf synth`` does); PipelineError if it refuses."""
    env = dict(os.environ if environ is None else environ)
    if environments:
        env["PLATFORM_ENVS"] = ",".join(environments)
    env["CDKTF_OUTDIR"] = str(outdir or synth_outdir())
    result = subprocess.run(
        [sys.executable, *SYNTH_FLAGS, str(PROJECT_ROOT / "main.py")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PipelineError(result.stderr.strip() or "synth failed with no message", exit_code=result.returncode)
