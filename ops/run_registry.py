"""Which pipeline runs are alive on this machine, so that a state lock left by a dead run can be told from a busy one.

Terraform's S3 lock records who holds it (``user@host``) but not which process.
Every pipeline verb that may take the lock registers itself here for its
lifetime (``<work dir>/.platform/runs/<env>/<pid>.json``). A run killed with
SIGKILL cannot remove its file, and that is the point: a lock held by this host
while no registered run of the environment is alive is *stale*, and the
pipeline says so (and releases it when asked to with ``FORCE_UNLOCK=1``).
A lock held by another host is never called stale: this machine cannot know.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def live_runs(environment: str) -> list[int]:
    """Pids of the other registered runs of ``environment`` that are still alive."""
    directory = runs_dir(environment)
    if not directory.is_dir():
        return []
    pids = []
    for record in directory.glob("*.json"):
        try:
            pid = int(record.stem)
        except ValueError:
            continue
        if pid != os.getpid() and is_alive(pid):
            pids.append(pid)
    return sorted(pids)


def lock_is_stale(holder: str, environment: str) -> bool:
    """A lock held from this host (``user@host``) while no other run of the environment is alive here."""
    host = holder.rpartition("@")[2]
    return host == socket.gethostname() and not live_runs(environment)
