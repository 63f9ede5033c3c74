"""ops/plan_show.py: the review's ``terraform show -json`` starts as soon as the plan file is whole, before
``terraform plan`` has exited, and is used only when the plan succeeds. A stand-in Terraform writes the plan and
takes its time to exit, as the real one does (it releases the lock and stops the provider after writing)."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from ops.pipeline import EnvironmentPipeline
from ops.plan_show import is_whole
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget

FAKE_TERRAFORM = """#!/usr/bin/env bash
log="$FAKE_LOG"
case "$1" in
  version) echo "Terraform v1.11.4" ;;
  plan)
    for arg in "$@"; do case "$arg" in -out=*) out="${arg#-out=}" ;; esac; done
    "$FAKE_PYTHON" -c "$FAKE_WRITE_PLAN" "$out"
    echo "plan written" >> "$log"
    if [ -n "$FAKE_PLAN_WAITS_FOR" ]; then
      # Exits once the show has got that far (at most 30 s): the order under test, however loaded the machine.
      for _ in $(seq 300); do grep -qx "$FAKE_PLAN_WAITS_FOR" "$log" && break; sleep 0.1; done
    else
      sleep 1
    fi
    echo "plan exits" >> "$log"
    exit "${FAKE_PLAN_EXIT:-0}" ;;
  show)
    echo "show starts" >> "$log"
    sleep "${FAKE_SHOW_SECONDS:-0.2}"
    echo '{"resource_changes": []}'
    echo "show exits" >> "$log" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
"""
WHOLE_PLAN = "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('tfplan', 'a plan')"
BROKEN_PLAN = "import sys; open(sys.argv[1], 'wb').write(b'PK not a whole zip')"


@pytest.fixture
def dev(configs, tmp_path, monkeypatch) -> EnvironmentPipeline:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "terraform").write_text(FAKE_TERRAFORM)
    (tools / "terraform").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "log"))
    monkeypatch.setenv("FAKE_PYTHON", os.sys.executable)
    monkeypatch.setenv("FAKE_WRITE_PLAN", WHOLE_PLAN)
    pipeline = EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"))
    pipeline.directory.mkdir(parents=True)
    return pipeline


def events(tmp_path: Path) -> list[str]:
    return (tmp_path / "log").read_text().splitlines()


def test_the_show_starts_once_the_plan_file_is_whole_before_the_plan_exits(dev, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PLAN_WAITS_FOR", "show exits")
    review = dev.plan()
    assert events(tmp_path) == ["plan written", "show starts", "show exits", "plan exits"]
    assert review.changes == [] and json.loads((tmp_path / "work" / "plans" / "dev.json").read_text())["counts"]["update"] == 0


def test_a_plan_file_that_is_not_whole_is_shown_after_the_plan(dev, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_WRITE_PLAN", BROKEN_PLAN)
    dev.plan()
    assert events(tmp_path) == ["plan written", "plan exits", "show starts", "show exits"]


def test_a_failed_plan_stops_its_show_and_writes_no_review(dev, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PLAN_EXIT", "1")
    monkeypatch.setenv("FAKE_SHOW_SECONDS", "30")
    monkeypatch.setenv("FAKE_PLAN_WAITS_FOR", "show starts")
    started = time.monotonic()
    with pytest.raises(PipelineError, match="terraform plan failed"):
        dev.plan()
    assert time.monotonic() - started < 20, "the failed plan did not wait for its show"
    assert events(tmp_path) == ["plan written", "show starts", "plan exits"], "the show was stopped before it answered"
    assert not (tmp_path / "work" / "plans" / "dev.json").exists()


def test_a_zip_is_whole_only_with_its_directory_and_every_member_intact(tmp_path):
    plan = tmp_path / "dev.tfplan"
    assert not is_whole(plan), "not written yet"
    with zipfile.ZipFile(plan, "w") as archive:
        archive.writestr("tfplan", "x" * 10_000)
        archive.writestr("tfstate", "{}")
    assert is_whole(plan)
    data = plan.read_bytes()
    plan.write_bytes(data[: len(data) // 2])
    assert not is_whole(plan), "cut short: no directory yet"
    broken = bytearray(data)
    broken[40] ^= 0xFF  # a byte of the first member's data
    plan.write_bytes(bytes(broken))
    assert not is_whole(plan), "a member that does not match its checksum"
