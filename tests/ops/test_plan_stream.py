"""ops/plan_stream.py: the review of a plan read from Terraform's machine-readable report of it. A plan that changes
nothing is reviewed without ``terraform show -json``; one that changes something (a resource, a data source's read,
an output; for ``make drift``, drift) is shown, and the show starts once the change summary arrives, before
``terraform plan`` has exited. A stand-in Terraform prints the report and takes its time to exit, as the real one
does (it releases the lock and stops the provider after reporting); tests/e2e runs the real one."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from ops.pipeline import EnvironmentPipeline
from ops.plan_stream import PlanStream, is_whole
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget

FAKE_TERRAFORM = """#!/usr/bin/env bash
log="$FAKE_LOG"
case "$1" in
  version) echo "Terraform v1.11.4" ;;
  plan)
    case " $* " in *" -json "*) ;; *) echo "the plan is read as JSON: -json missing" >&2; exit 9 ;; esac
    for arg in "$@"; do case "$arg" in -out=*) out="${arg#-out=}" ;; esac; done
    "$FAKE_PYTHON" -c "$FAKE_WRITE_PLAN" "$out"
    echo "plan written" >> "$log"
    cat "$FAKE_REPORT"
    if [ -n "$FAKE_PLAN_WAITS_FOR" ]; then
      # Exits once the show has got that far (at most 30 s): the order under test, however loaded the machine.
      for _ in $(seq 300); do grep -qx "$FAKE_PLAN_WAITS_FOR" "$log" && break; sleep 0.1; done
    else
      sleep 0.5
    fi
    echo "plan exits" >> "$log"
    exit "${FAKE_PLAN_EXIT:-0}" ;;
  show)
    echo "show starts" >> "$log"
    sleep "${FAKE_SHOW_SECONDS:-0.2}"
    cat "$FAKE_SHOWN"
    echo "show exits" >> "$log" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
"""
WHOLE_PLAN = "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('tfplan', 'a plan')"
BROKEN_PLAN = "import sys; open(sys.argv[1], 'wb').write(b'PK not a whole zip')"

UPDATE = {
    "address": "aws_cloudwatch_log_group.flow",
    "mode": "managed",
    "type": "aws_cloudwatch_log_group",
    "change": {"actions": ["update"], "before": {"retention_in_days": 30}, "after": {"retention_in_days": 60}, "after_unknown": {}},
}
SHOWN_UPDATE = {"resource_changes": [UPDATE]}


def summary(add: int = 0, change: int = 0, remove: int = 0) -> dict:
    return {"type": "change_summary", "changes": {"add": add, "change": change, "import": 0, "remove": remove, "operation": "plan"}}


def planned(address: str, action: str = "update") -> dict:
    return {"type": "planned_change", "change": {"resource": {"addr": address}, "action": action}}


def drifted(address: str) -> dict:
    return {"type": "resource_drift", "change": {"resource": {"addr": address}, "action": "update"}}


def outputs(**actions: str) -> dict:
    return {"type": "outputs", "outputs": {name: {"sensitive": False, "action": action} for name, action in actions.items()}}


VERSION = {"type": "version", "terraform": "1.11.4", "ui": "1.2"}
UNCHANGED = [VERSION, drifted("aws_sns_topic.alarms"), summary(), outputs(vpc_id="noop")]
CHANGED = [VERSION, planned("aws_cloudwatch_log_group.flow"), summary(change=1), outputs(vpc_id="noop")]


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
    monkeypatch.setenv("FAKE_REPORT", str(tmp_path / "report.jsonl"))
    monkeypatch.setenv("FAKE_SHOWN", str(tmp_path / "shown.json"))
    reports(tmp_path, CHANGED, SHOWN_UPDATE)
    pipeline = EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"))
    pipeline.directory.mkdir(parents=True)
    return pipeline


def reports(tmp_path: Path, messages: list[dict], shown: dict) -> None:
    """What the stand-in's plan reports, and what its show shows."""
    (tmp_path / "report.jsonl").write_text("".join(json.dumps(message) + "\n" for message in messages))
    (tmp_path / "shown.json").write_text(json.dumps(shown))


def events(tmp_path: Path) -> list[str]:
    return (tmp_path / "log").read_text().splitlines()


def written_review(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "work" / "plans" / "dev.json").read_text())


def test_a_plan_that_changes_nothing_is_reviewed_from_terraforms_report_without_a_show(dev, tmp_path):
    reports(tmp_path, UNCHANGED, SHOWN_UPDATE)  # were it shown, the review would list an update
    stale = tmp_path / "work" / "plans" / "dev.plan.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    review = dev.plan()
    assert events(tmp_path) == ["plan written", "plan exits"], "no show ran"
    assert review.changes == [] and review.drift == [] and written_review(tmp_path)["counts"]["update"] == 0
    assert "No changes." in (tmp_path / "work" / "plans" / "dev.md").read_text()
    assert not stale.exists(), "the plan JSON of an older plan is gone; make policy writes this plan's"
    assert dev.plan_file.exists(), "the saved plan is kept for make apply"


def test_a_plan_that_changes_something_is_shown_from_the_summary_on_before_the_plan_exits(dev, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PLAN_WAITS_FOR", "show exits")
    review = dev.plan()
    assert events(tmp_path) == ["plan written", "show starts", "show exits", "plan exits"]
    assert [change.address for change in review.changes] == ["aws_cloudwatch_log_group.flow"]
    assert json.loads((tmp_path / "work" / "plans" / "dev.plan.json").read_text())["resource_changes"][0]["address"] == UPDATE["address"]


@pytest.mark.parametrize(
    ("what", "messages"),
    [
        ("a data source read at apply", [VERSION, planned("data.aws_iam_policy_document.x", "read"), summary(), outputs(vpc_id="noop")]),
        ("a counted change with no planned_change", [VERSION, summary(remove=1)]),
        ("an output that changes (reported after the summary)", [VERSION, summary(), outputs(vpc_id="noop", api_url="update")]),
        ("no change summary at all", [VERSION]),
    ],
)
def test_anything_the_report_does_not_rule_out_is_shown(dev, tmp_path, what, messages):
    reports(tmp_path, messages, SHOWN_UPDATE)
    review = dev.plan()
    assert "show starts" in events(tmp_path), what
    assert [change.address for change in review.changes] == ["aws_cloudwatch_log_group.flow"], what


def test_drift_is_shown_for_make_drift_only(dev, tmp_path):
    reports(tmp_path, UNCHANGED, {"resource_changes": [], "resource_drift": []})
    dev.plan(drift=True)
    assert events(tmp_path).count("show starts") == 1, "make drift tells drift that matters from noise on the show"
    dev.plan()
    assert events(tmp_path).count("show starts") == 1, "make plan's review has no drift to tell when nothing changes"


def test_a_plan_file_that_is_not_whole_at_the_summary_is_shown_after_the_plan(dev, tmp_path, monkeypatch):
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


def test_the_report_is_read_message_by_message(tmp_path):
    stream = PlanStream(tmp_path / "dev.tfplan", tmp_path)
    assert stream.needs_show, "nothing reported yet"
    for message in UNCHANGED:
        stream.feed(message)
    assert (stream.needs_show, stream.drifted, stream.outputs_changed) == (False, ["aws_sns_topic.alarms"], [])
    stream.feed(outputs(api_url="create"))
    assert stream.needs_show and stream.outputs_changed == ["api_url"]


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


def test_a_stack_that_calls_modules_is_always_shown(dev, tmp_path):
    """The report gives the root module's outputs only: a child module's changed output is not in it."""
    reports(tmp_path, UNCHANGED, SHOWN_UPDATE)
    (dev.directory / "cdk.tf.json").write_text(json.dumps({"module": {"network": {"source": "./network"}}}))
    dev.plan()
    assert "show starts" in events(tmp_path)


def test_the_plan_file_of_a_failed_plan_is_removed(dev, tmp_path, monkeypatch):
    """Terraform saves even a plan that failed (partial, errored): it holds secrets and is no plan to apply or scan."""
    monkeypatch.setenv("FAKE_PLAN_EXIT", "1")
    with pytest.raises(PipelineError):
        dev.plan()
    assert "plan written" in events(tmp_path) and not dev.plan_file.exists()
