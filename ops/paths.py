"""Where the pipeline keeps its files. Everything lives under one work directory.

The work directory is the project root, unless ``PLATFORM_WORK_DIR`` names
another one (the end-to-end tests use a temporary one, so they never touch a
developer's own ``cdktf.out/``, ``plans/`` or ``.platform/``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def work_dir() -> Path:
    return Path(os.environ.get("PLATFORM_WORK_DIR") or PROJECT_ROOT)


def synth_outdir() -> Path:
    """``cdktf.out``: what ``main.py`` writes, one ``stacks/<env>/`` per environment."""
    return work_dir() / "cdktf.out"


def plans_dir() -> Path:
    """``plans/``: saved plans and their reviews."""
    return work_dir() / "plans"


def platform_dir() -> Path:
    """``.platform/``: Terraform CLI config, emulator pid and log, bootstrap state."""
    return work_dir() / ".platform"
