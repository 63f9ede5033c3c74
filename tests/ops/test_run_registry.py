"""Live runs are told from dead ones, so a lock left by a killed run is called stale and a busy one never is."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ops.run_registry import is_alive, live_runs, lock_is_stale, registered_run, runs_dir

HERE = f"root@{socket.gethostname()}"


@pytest.fixture(autouse=True)
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    return tmp_path


def register(pid: int, environment: str = "dev") -> None:
    directory = runs_dir(environment)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{pid}.json").write_text(json.dumps({"pid": pid}))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_is_registered_while_it_lasts():
    with registered_run("dev", "deploy"):
        record = runs_dir("dev") / f"{os.getpid()}.json"
        assert json.loads(record.read_text())["verb"] == "deploy"
    assert not record.exists()


def test_a_name_that_is_no_environment_registers_nothing(work):
    with registered_run("../../etc", "deploy"):
        pass
    assert not (work / ".platform").exists()


def test_the_own_process_and_dead_processes_are_not_live_runs():
    register(os.getpid())
    register(dead_pid())
    assert live_runs("dev") == []


def test_a_running_process_is_alive_and_a_zombie_is_dead():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert is_alive(process.pid)
        process.kill()
        # Not reaped yet: a zombie, which must count as dead.
        deadline = time.monotonic() + 5
        while is_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_alive(process.pid)
    finally:
        process.wait()


def test_a_lock_from_this_host_with_no_live_run_is_stale():
    register(dead_pid())
    assert lock_is_stale(HERE, "dev") is True


def test_a_lock_with_a_live_run_of_the_environment_is_not_stale():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        register(sleeper.pid)
        assert lock_is_stale(HERE, "dev") is False
        assert lock_is_stale(HERE, "staging") is True, "runs of other environments do not count"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_lock_from_another_host_is_never_called_stale():
    assert lock_is_stale("alice@build-7", "dev") is False
