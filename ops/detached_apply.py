"""Run ``terraform apply`` so that a cancelled or killed pipeline never cuts it off half-way.

Interrupting Terraform while it creates resources can orphan them: Terraform cancels
the provider's requests in flight, and a resource AWS has already made is then never
written to the state (the next apply fails on "already exists", or makes a duplicate).
A CI runner's cancel (SIGTERM to the job, SIGKILL a few seconds later) does exactly that.

So the apply runs in its own session, writing to a log file (``plans/<env>.apply.log``)
that this process follows:

* SIGTERM or SIGINT to the pipeline (or its whole process group) does not reach the
  apply. The pipeline says so and keeps following the log; the apply finishes, saves
  the state and releases the lock; the pipeline then exits with code 130.
* A second signal asks Terraform to stop gracefully (one SIGINT, with a warning);
  further signals are ignored, as a second SIGINT would make Terraform quit unsaved.
* If the pipeline is killed outright, the apply goes on by itself and releases the lock
  when done. The run registry records its pid, so the next run says "an apply is still
  running" rather than calling the lock stale.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ops.run_registry import note_terraform

OUTPUTS_HEADING = "Outputs:"
"""Where Terraform starts listing the outputs at the end of an apply: shown from the log only, not echoed."""


@dataclass
class DetachedOutcome:
    returncode: int
    output: str
    interrupts: list[int] = field(default_factory=list)
    stop_requested: bool = False
    """True if a second signal asked Terraform to stop before the apply was done."""


def run_detached(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path, environment: str) -> DetachedOutcome:
    """Run ``command`` in its own session, show its output (indented) as it comes, and return how it ended."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as sink:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, umask=0o077,
        )
    note_terraform(environment, process.pid, log)
    outcome = DetachedOutcome(returncode=-1, output="")

    def on_signal(signum: int, _frame: object) -> None:
        outcome.interrupts.append(signum)
        name = signal.Signals(signum).name
        if len(outcome.interrupts) == 1:
            print(
                f"    !! {name}: the apply is left to finish, so that nothing is created without being recorded in "
                f"the state (it goes on even if this process is killed; its output: {log}). "
                "Send the signal again to ask Terraform to stop gracefully instead.",
                file=sys.stderr, flush=True,
            )
        elif not outcome.stop_requested:
            outcome.stop_requested = True
            print(f"    !! {name} again: asking Terraform to stop gracefully (resources it is creating now may be left unrecorded)",
                  file=sys.stderr, flush=True)
            process.send_signal(signal.SIGINT)

    handled = threading.current_thread() is threading.main_thread()
    previous = {number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)} if handled else {}
    lines: list[str] = []
    shown = [True]

    def show(line: str) -> None:
        lines.append(line)
        if line.strip() == OUTPUTS_HEADING:
            shown[0] = False  # the pipeline prints the outputs itself, once (sensitive ones marked)
        if shown[0]:
            print(f"    | {line.rstrip()}", file=sys.stderr, flush=True)

    try:
        with log.open() as follow:
            while True:
                line = follow.readline()
                if line:
                    show(line)
                    continue
                if process.poll() is not None:
                    for tail in follow.read().splitlines(keepends=True):
                        show(tail)
                    break
                time.sleep(0.1)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    outcome.returncode = process.wait()
    outcome.output = "".join(lines)
    return outcome
