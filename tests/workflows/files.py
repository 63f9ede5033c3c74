"""Reading the workflows, the composite action and the Atlantis config, and dry-running the make verbs they call.

PyYAML reads ``on:`` as the boolean ``True`` (YAML 1.1); :func:`triggers` hides that.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import yaml

from tests.conftest import make_dry_run

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
ACTIONS = PROJECT_ROOT / ".github" / "actions"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
MAKE_CALL = re.compile(r"make (?P<verb>[a-z][a-z-]*)(?: [A-Z][A-Z0-9_]*=[^\s;&|<>`$()'\"\\]+)*")
"""``make <verb> [VAR=value]...``, each expression already replaced by one word: nothing a shell would read as more."""


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def action_files() -> list[Path]:
    return sorted(ACTIONS.glob("*/action.yml")) + sorted(ACTIONS.glob("*/action.yaml"))


def workflow(name: str) -> dict:
    return load(WORKFLOWS / name)


def triggers(document: dict) -> dict:
    on = document.get("on", document.get(True))
    return {on: None} if isinstance(on, str) else {name: None for name in on} if isinstance(on, list) else on


def steps(document: dict) -> Iterator[tuple[str, dict, dict]]:
    """``(job id, job, step)`` of every step of a workflow, or ``("(action)", {}, step)`` of a composite action."""
    if "runs" in document:
        for step in document["runs"].get("steps", []):
            yield "(action)", {}, step
        return
    for job_id, job in document["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def run_steps() -> Iterator[tuple[str, str, dict, str]]:
    """``(file, job id, job, run text)`` of every ``run:`` step in the workflows and the composite actions."""
    for path in [*workflow_files(), *action_files()]:
        for job_id, job, step in steps(load(path)):
            if "run" in step:
                yield path.relative_to(PROJECT_ROOT).as_posix(), job_id, job, step["run"]


def uses(document: dict, action: str) -> list[tuple[str, dict, dict]]:
    """The steps that use ``action`` (owner/name), with their job."""
    return [(job_id, job, step) for job_id, job, step in steps(document) if step.get("uses", "").split("@")[0] == action]


def matrix_rows(job: dict) -> list[dict]:
    return list(job.get("strategy", {}).get("matrix", {}).get("include", []))


def concrete(run: str, job: dict) -> list[str]:
    """The commands a run step becomes: once per matrix row (``${{ matrix.x }}`` filled in), every other expression
    replaced by ``0``."""
    rows = matrix_rows(job) if "matrix." in run else [{}]
    commands = []
    for row in rows:
        text = re.sub(r"\$\{\{\s*matrix\.(\w+)\s*\}\}", lambda m, row=row: str(row[m.group(1)]), run)
        commands.append(EXPRESSION.sub("0", text).strip())
    return commands


def dry_run(command: str) -> subprocess.CompletedProcess[str]:
    """``make -n`` of a ``make <verb> ...`` command: what it would run, running nothing."""
    words = shlex.split(command)
    assert words[0] == "make", command
    return make_dry_run(*words[1:], cwd=PROJECT_ROOT)


def synthesized_stacks() -> list[str]:
    """Every stack the project synthesizes: one per environment file, one baseline per account file."""
    environments = sorted(p.stem for p in (PROJECT_ROOT / "environments").glob("*.toml"))
    return environments + sorted(f"baseline-{p.stem}" for p in (PROJECT_ROOT / "accounts").glob("*.toml"))
