"""``plans/<env>.plan.json``: ``terraform show -json`` of the saved plan, every sensitive value redacted.

checkov scans it (``make policy``) and pipelines keep it; the clear show never reaches a file (``ops/redaction.py``).
It is written from the saved plan ``plans/<env>.tfplan`` by the review when the review shows the plan (a plan that
changes something, or drifts for ``make drift``), by ``make deploy`` before it removes a plan with nothing to apply,
and otherwise by the first step that needs it: ``make policy`` and ``make apply``. A plan that changes nothing is
reviewed from Terraform's own report of it, without the show (``ops/plan_stream.py``), and its JSON waits until then.
"""

from __future__ import annotations

import json
from pathlib import Path

from ops.paths import plans_dir
from ops.redaction import redact_plan
from ops.stacks import stack_dir
from ops.terraform_cli import run_terraform
from platform_core.errors import EXIT_INTERRUPTED, PipelineError

SHOW = ("show", "-json", "-no-color")


def path_of(stack: str) -> Path:
    return plans_dir() / f"{stack}.plan.json"


def saved_plan(stack: str) -> Path:
    """The saved plan ``make apply`` applies (sensitive values in clear: private, 0600)."""
    return plans_dir() / f"{stack}.tfplan"


def show(plan_file: Path, directory: Path) -> str:
    """``terraform show -json`` of ``plan_file`` (it holds secrets: parse it, redact it, never write it as is)."""
    return run_terraform([*SHOW, str(plan_file)], cwd=directory).stdout


def write(stack: str, plan: dict) -> Path:
    """Write ``plan`` (a parsed show), redacted, as the stack's plan JSON."""
    path = path_of(stack)
    path.write_text(json.dumps(redact_plan(plan)))
    return path


def is_current(stack: str) -> bool:
    """True when the plan JSON exists and is no older than the saved plan (or there is no saved plan)."""
    path, plan_file = path_of(stack), saved_plan(stack)
    return path.exists() and (not plan_file.exists() or path.stat().st_mtime_ns >= plan_file.stat().st_mtime_ns)


def ensure(stack: str) -> Path | None:
    """The stack's plan JSON, written now from its saved plan when it has none yet or an older one; None when there
    is neither a plan JSON nor a saved plan (nothing was planned here)."""
    if is_current(stack):
        return path_of(stack)
    plan_file = saved_plan(stack)
    if not plan_file.exists():
        return None
    try:
        shown = show(plan_file, stack_dir(stack))
    except PipelineError as error:
        if error.exit_code == EXIT_INTERRUPTED:
            raise
        raise PipelineError(
            f"the saved plan plans/{stack}.tfplan could not be shown, so its plan JSON cannot be written or scanned; plan "
            f"{stack} again (make plan), or remove the saved plan if it is no longer wanted.\n{error}"
        ) from None
    return write(stack, json.loads(shown))


def forget(stack: str) -> None:
    """The plan JSON no longer describes the saved plan (a new plan was made): remove it."""
    path_of(stack).unlink(missing_ok=True)
