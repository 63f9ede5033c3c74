"""Which pipeline runs are alive on this machine, so that a state lock left by a dead run can be told from a busy one.

Terraform's S3 lock records who holds it (``user@host``) but not which process.
Every pipeline verb that may take the lock registers itself here for its
lifetime (``<work dir>/.platform/runs/<env>/<pid>.json``), with the pid of the
``terraform apply`` it runs detached (ops/detached_apply.py), which outlives a
killed pipeline on purpose. A run killed with SIGKILL cannot remove its file,
and that is the point: a lock held by this host while no registered run of the
environment, nor its apply, is alive is *stale*, and the pipeline says so (and
releases it when asked to with ``FORCE_UNLOCK=1``). A lock held by another host
is never called stale: this machine cannot know.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ops.paths import work_dir


def runs_dir(environment: str) -> Path:
    return work_dir() / ".platform" / "runs" / environment


@contextmanager
def registered_run(environment: str, verb: str) -> Iterator[None]:
    """Record this process as a live run of ``environment`` until the block ends (names that are not
    environment names are left to the loader to refuse)."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", environment):
        yield
        return
    directory = runs_dir(environment)
    directory.mkdir(parents=True, exist_ok=True)
    record = directory / f"{os.getpid()}.json"
    record.write_text(json.dumps({"pid": os.getpid(), "verb": verb, "started": time.time()}))
    try:
        yield
    finally:
        record.unlink(missing_ok=True)


def is_alive(pid: int) -> bool:
    """True if ``pid`` is a running (or stopped) process; a zombie counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" not in status


def note_terraform(environment: str, pid: int, log: Path) -> None:
    """Record, in this run's file, the detached ``terraform apply`` it started (and where it writes)."""
    record = runs_dir(environment) / f"{os.getpid()}.json"
    if record.exists():
        entry = json.loads(record.read_text())
        entry.update(terraform_pid=pid, log=str(log))
        record.write_text(json.dumps(entry))


@dataclass(frozen=True)
class Run:
    """A registered run of an environment, read back from its file."""

    pid: int
    verb: str
    terraform_pid: int | None
    log: str | None

    @property
    def alive(self) -> bool:
        return is_alive(self.pid) or self.apply_alive

    @property
    def apply_alive(self) -> bool:
        return self.terraform_pid is not None and is_alive(self.terraform_pid)


def live_runs(environment: str) -> list[Run]:
    """The other registered runs of ``environment`` that are still alive (themselves, or the apply they started)."""
    directory = runs_dir(environment)
    if not directory.is_dir():
        return []
    found = []
    for record in sorted(directory.glob("*.json")):
        try:
            entry = json.loads(record.read_text())
            run = Run(int(entry["pid"]), str(entry.get("verb", "")), entry.get("terraform_pid"), entry.get("log"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if run.pid != os.getpid() and run.alive:
            found.append(run)
    return found


def lock_is_stale(holder: str, environment: str) -> bool:
    """A lock held from this host (``user@host``) while no other run of the environment, nor its apply, is alive here."""
    host = holder.rpartition("@")[2]
    return host == socket.gethostname() and not live_runs(environment)


def applies_left_running(environment: str) -> list[Run]:
    """Runs of ``environment`` that are gone while the apply they started goes on."""
    return [run for run in live_runs(environment) if run.apply_alive and not is_alive(run.pid)]
