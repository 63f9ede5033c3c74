"""What ``terraform plan -json`` reports as it runs, and the review's ``terraform show -json`` started from it.

The pipeline plans with ``terraform plan -json -out=<plan>`` and reads Terraform's machine-readable UI
(https://developer.hashicorp.com/terraform/internals/machine-readable-ui) line by line, as it comes
(``ops/terraform_cli.py`` renders its diagnostics as Terraform prints them, so every error reads as before).

* **No show for a plan that changes nothing.** The show costs seconds of its own: Terraform verifies the ~700 MB
  provider against the lock file, starts it and loads its whole schema to decode the plan, a fifth of an unchanged
  plan's time. The review needs it only when there is something to describe. Terraform reports every resource
  change that is not a no-op, a data source's read included, as a ``planned_change``, counts them in the
  ``change_summary``, and gives each output's action in ``outputs``. When none of these reports anything, every
  change in the plan is a no-op: the review has no change to list, and Terraform's ``relevant_attributes`` (built
  only from changes that are not no-ops) is empty, so no drift matters to the plan either (``ops/review.py``). The
  review is then "no changes" without the show; the plan's JSON is written from the saved plan when something
  needs it (``ops/plan_json.py``). The ``outputs`` message gives the root module's outputs only, and a child
  module's output that changes counts in ``relevant_attributes`` too, so a stack that calls modules is always
  shown (the platform's stacks call none). ``make drift`` also needs the show when the stream reports a ``resource_drift``,
  to tell drift that matters from noise (``ops/drift.py``). A stream with no change summary (a plan that failed, or
  a Terraform that reports otherwise) always gets the show.
* **The show starts early.** Terraform saves the plan file before it renders the plan
  (``internal/backend/local/backend_plan.go``), so the file is whole when the ``change_summary`` arrives: a show
  that is needed starts then, while ``terraform plan`` still prints its outputs, releases the state lock and stops
  its provider. Its answer is taken only once the plan has succeeded; a plan that fails stops it. A file that is not
  whole (which Terraform's order rules out) or a show that fails is shown again the ordinary way, after the plan.
"""

from __future__ import annotations

import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ops.plan_json import SHOW
from ops.terraform_cli import finish_terraform, start_terraform, stop_terraform
from platform_core.errors import EXIT_INTERRUPTED, PipelineError

COUNTED = ("add", "change", "remove", "import", "forget")
"""What a ``change_summary`` counts (``forget`` since Terraform 1.7); any of them non-zero is a change to review."""


def is_whole(plan_file: Path) -> bool:
    """True when ``plan_file`` is a complete zip: its directory is written and every member's checksum is right."""
    try:
        with zipfile.ZipFile(plan_file) as archive:
            return archive.testzip() is None
    except Exception:  # noqa: BLE001 - a file half written fails in many ways (zlib, struct, ...): not whole
        return False


@dataclass
class PlanStream:
    """What one ``terraform plan -json -out=<plan_file>`` in ``directory`` reported, fed one message at a time."""

    plan_file: Path
    directory: Path
    drift_matters: bool = False
    """True for ``make drift``: a ``resource_drift`` also needs the show."""
    calls_modules: bool = False
    """The configuration calls modules, whose outputs the report does not give: always shown."""
    summary: dict | None = None
    """The ``change_summary`` counts; None until it arrives."""
    planned: list[str] = field(default_factory=list)
    """The address of every ``planned_change``."""
    drifted: list[str] = field(default_factory=list)
    """The address of every ``resource_drift``."""
    outputs_changed: list[str] = field(default_factory=list)
    """The outputs whose action is not ``noop``."""
    _show: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)

    def feed(self, message: dict) -> None:
        """Take one message of the stream; the change summary starts the show when the review needs one."""
        kind = message.get("type")
        if kind == "planned_change":
            self.planned.append(_address(message))
        elif kind == "resource_drift":
            self.drifted.append(_address(message))
        elif kind == "outputs":
            self.outputs_changed = sorted(name for name, output in (message.get("outputs") or {}).items() if (output or {}).get("action", "noop") != "noop")
        elif kind == "change_summary":
            self.summary = dict(message.get("changes") or {})
            if self.needs_show:
                self._start_show()

    @property
    def needs_show(self) -> bool:
        """False only when the stream said the plan changes nothing (and, for ``make drift``, found no drift)."""
        if self.summary is None or self.calls_modules:
            return True
        counted = any(self.summary.get(name) for name in COUNTED)
        return counted or bool(self.planned or self.outputs_changed) or (self.drift_matters and bool(self.drifted))

    def _start_show(self) -> None:
        if self._show is not None or not is_whole(self.plan_file):
            return
        try:
            self._show = start_terraform([*SHOW, str(self.plan_file)], cwd=self.directory)
        except Exception:  # noqa: BLE001 - the show runs again the ordinary way after the plan, and says why
            self._show = None

    def shown(self) -> str | None:
        """The early show's output, once the plan has succeeded; None when none started or it failed (show it then)."""
        process, self._show = self._show, None
        if process is None:
            return None
        try:
            return finish_terraform(process, SHOW, cwd=self.directory).stdout
        except PipelineError as error:
            if error.exit_code == EXIT_INTERRUPTED:
                raise
            return None

    def cancel(self) -> None:
        """The plan failed, or will not be reviewed: stop a show already started."""
        process, self._show = self._show, None
        if process is not None:
            stop_terraform(process)


def _address(message: dict) -> str:
    return str(((message.get("change") or {}).get("resource") or {}).get("addr", "?"))
