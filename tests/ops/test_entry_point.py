"""bin/platform returns the documented exit codes, where make would turn every failure into 2.

The fast cases run here, with a stand-in for Terraform where one is needed. The end-to-end
tests run every pipeline verb through bin/platform too (tests/e2e/conftest.py), so 3
(destructive), 4 (drift) and 5 (pending) are also checked there against real Terraform.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from platform_core.errors import EXIT_DESTRUCTIVE, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_REFUSED
from tests.e2e.conftest import PLATFORM, PROJECT_ROOT, free_port

FAKE_TERRAFORM = """#!/usr/bin/env bash
# Answers `version` and `show -json <plan>` (with the plan in $FAKE_PLAN_JSON); with $FAKE_HANG it hangs
# until a signal, then stops as Terraform does.
case "$1" in
  version) echo "Terraform v1.11.4" ;;
  show)
    if [ -n "${FAKE_HANG:-}" ]; then
      # Short foreground sleeps only: no child that outlives this script (a background one ignores SIGINT).
      trap 'exit 1' TERM INT
      touch "$FAKE_HANG"
      while :; do sleep 0.1; done
    fi
    cat "$FAKE_PLAN_JSON" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
"""


def resource_change(address: str, actions: list[str]) -> dict:
    return {"address": address, "mode": "managed", "type": address.split(".")[0],
            "change": {"actions": actions, "before": {"a": 1}, "after": None if actions == ["delete"] else {"a": 2}}}


@contextlib.contextmanager
def interruptible_children():
    """Start children with SIGINT's default action even when this process ignores SIGINT, as one started in the
    background by a non-interactive shell (a CI job, ``nohup ... &``) does. An ignored signal is inherited across exec,
    and a shell cannot trap a signal it was started ignoring: the stand-in Terraform would never stop. A Python
    handler is reset to the default on exec, so one is installed while the child starts."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def platform(tmp_path):
    """Run bin/platform in a private work directory, with the stand-in Terraform first on PATH."""
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "terraform").write_text(FAKE_TERRAFORM)
    (tools / "terraform").chmod(0o755)
    work = tmp_path / "work"
    (work / "plans").mkdir(parents=True)
    (work / "cdktf.out" / "stacks" / "dev").mkdir(parents=True)
    (work / "plans" / "dev.tfplan").write_bytes(b"a saved plan")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TARGET", "CI"))}
    environ.update(
        PATH=f"{tools}{os.pathsep}{environ['PATH']}", PLATFORM_WORK_DIR=str(work), EMULATOR_PORT=str(free_port()),
        AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true",
    )

    def run(*args: str, plan: list[dict] | None = None, background: bool = False, **extra: str):
        plan_json = tmp_path / "plan.json"
        plan_json.write_text(json.dumps({"resource_changes": plan or []}))
        env = {**environ, "FAKE_PLAN_JSON": str(plan_json), **extra}
        if background:
            with interruptible_children():
                return subprocess.Popen([str(PLATFORM), *args], cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
        return subprocess.run([str(PLATFORM), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)

    return run


def test_0_fine(platform):
    result = platform("review", "dev", plan=[resource_change("aws_cloudwatch_log_group.g", ["update"])])
    assert result.returncode == 0, result.stderr
    assert "dev: 0 to create, 1 to update, 0 to replace, 0 to delete" in result.stderr


def test_1_failed(platform):
    result = platform("plan", "prod", TARGET="aws")
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "TARGET=aws needs AWS credentials" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [(("plan", "nosuch"), "no environment called 'nosuch'"), (("destroy", "prod"), "refusing to destroy prod")],
    ids=["unknown-environment", "protected-destroy"],
)
def test_2_refused(platform, args, message):
    result = platform(*args)
    assert result.returncode == EXIT_REFUSED, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_3_destructive(platform):
    result = platform("review", "dev", plan=[resource_change("aws_s3_bucket.b", ["delete"])])
    assert result.returncode == EXIT_DESTRUCTIVE, result.stderr
    assert "!! DELETE aws_s3_bucket.b" in result.stderr


def test_130_interrupted(platform, tmp_path):
    started = tmp_path / "terraform-started"
    process = platform("review", "dev", background=True, FAKE_HANG=str(started))
    deadline = time.monotonic() + 60
    while not started.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        tree = subprocess.run(["ps", "-eo", "pid,ppid,pgid,stat,etime,wchan:20,args"], capture_output=True, text=True).stdout
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"review did not end within 60 s of SIGINT; its session {process.pid}:\n" + "\n".join(
            line for line in tree.splitlines() if f" {process.pid} " in line or line.lstrip().startswith("PID")
        ))
    assert process.returncode == EXIT_INTERRUPTED, stderr
    assert "interrupted (SIGINT) during terraform show" in stderr and "Traceback" not in stderr


def test_make_loses_the_codes_and_the_readme_says_so():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "`make` returns 2 for every failure" in readme
    assert Path(PLATFORM).stat().st_mode & 0o111


def test_reviewing_before_anything_was_synthesized_is_one_clear_error(platform, tmp_path):
    import shutil

    shutil.rmtree(tmp_path / "work" / "cdktf.out")
    result = platform("review", "dev")
    assert result.returncode == EXIT_FAILED, result.stderr
    assert "dev is not synthesized here; run `make plan ENV=dev` first" in result.stderr and "Traceback" not in result.stderr
