"""``make plan-all``: plan every stack, a bounded number at once, and write ``plans/summary.md``.

Every stack that needs a synth is synthesized first, all in one run (``ops.pipeline.synthesize_changed``). Then each
stack is planned by its own ``python -m ops plan <stack>`` process (the same verb as ``make plan``, so the same synth
check, init, lock and review: it finds its stack synthesized), at most ``jobs`` at a time; each one's output goes to
``plans/<stack>.plan-all.log``.
The summary lists every stack's counts, whether it is destructive, and its review. The exit code gates like
``make review``: 0 when every plan is clean, 3 when one is destructive (and none failed), and a failed plan's own
code (1 when plans failed for different reasons) when any failed: a failure outranks a destructive plan, since its
review is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ops.paths import PROJECT_ROOT, plans_dir
from ops.progress import say
from platform_core.errors import EXIT_DESTRUCTIVE, EXIT_FAILED

DEFAULT_JOBS = 2
"""Plans at once: Terraform and its provider keep about one core busy per plan."""


@dataclass(frozen=True)
class PlanOutcome:
    """One stack's plan: its exit code and, when it wrote one, its review's JSON."""

    stack: str
    exit_code: int
    review: dict | None

    @property
    def failed(self) -> bool:
        return self.exit_code not in (0, EXIT_DESTRUCTIVE) or self.review is None

    def row(self) -> str:
        if self.failed:
            return f"| {self.stack} | | | | | **failed** (exit {self.exit_code}) | [log]({self.stack}.plan-all.log) |"
        counts, verdict = self.review["counts"], "**DESTRUCTIVE**" if self.review["destructive"] else "no"
        cells = " | ".join(str(counts[action]) for action in ("create", "update", "replace", "delete"))
        return f"| {self.stack} | {cells} | {verdict} | [review]({self.stack}.md) |"


def plan_in_process(stack: str, directory: Path) -> PlanOutcome:
    """``python -m ops plan <stack>``, its output in ``<directory>/<stack>.plan-all.log``."""
    (directory / f"{stack}.json").unlink(missing_ok=True)  # a review left by an earlier run is not this plan's
    log = directory / f"{stack}.plan-all.log"
    with log.open("w") as output:
        code = subprocess.run([sys.executable, "-m", "ops", "plan", stack], cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT).returncode
    review_file = directory / f"{stack}.json"
    return PlanOutcome(stack, code, json.loads(review_file.read_text()) if review_file.exists() else None)


def summary(outcomes: Sequence[PlanOutcome]) -> str:
    lines = [
        "# Plans of every stack",
        "",
        "| Stack | Create | Update | Replace | Delete | Destructive | Review |",
        "|---|---:|---:|---:|---:|---|---|",
        *(outcome.row() for outcome in outcomes),
        "",
    ]
    return "\n".join(lines)


def exit_code(outcomes: Sequence[PlanOutcome]) -> int:
    failed = {o.exit_code for o in outcomes if o.failed}
    if failed:
        # One shared code is kept; 0 or 3 without a review (never "clean" or "destructive"), or several codes, is 1.
        return failed.pop() if len(failed) == 1 and not failed & {0, EXIT_DESTRUCTIVE} else EXIT_FAILED
    return EXIT_DESTRUCTIVE if any(o.review["destructive"] for o in outcomes) else 0


def forget_summary() -> None:
    """Remove the last run's ``plans/summary.md``: this run writes its own, and one that fails before its plans (a
    synth that refuses, an emulator that will not start) must not leave an older verdict standing."""
    (plans_dir() / "summary.md").unlink(missing_ok=True)


def plan_all(stacks: Sequence[str], *, jobs: int = DEFAULT_JOBS, plan: Callable[[str, Path], PlanOutcome] = plan_in_process) -> int:
    """Plan ``stacks``, ``jobs`` at once; write ``plans/summary.md``; the gate's exit code."""
    directory = plans_dir()
    directory.mkdir(parents=True, exist_ok=True)
    say(f"planning {len(stacks)} stacks, {jobs} at once: {', '.join(stacks)}")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(lambda stack: plan(stack, directory), stacks))
    (directory / "summary.md").write_text(summary(outcomes))
    for outcome in outcomes:
        verdict = "FAILED" if outcome.failed else "DESTRUCTIVE" if outcome.review["destructive"] else "ok"
        say(f"    {outcome.stack}: {verdict}")
    say("    summary: plans/summary.md")
    return exit_code(outcomes)
