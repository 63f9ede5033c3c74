"""``make policy`` scans every stack, ``make policy STACKS=...`` only those (a pull request's job scans its own stack and
plan). Synth and checkov are faked here; tests/policy runs the real checkov over every stack."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

import ops.checkov_gate as gate
import ops.cli as cli
from ops import plan_json
from ops.checkov_gate import CheckovReport, Failure
from platform_core.errors import EXIT_FAILED, EXIT_REFUSED
from tests.conftest import make_dry_run

EVERY_STACK = ["dev", "prod", "staging", "baseline-default"]


@pytest.fixture
def scans(tmp_path, monkeypatch) -> list[tuple[str, str]]:
    """(stack, input) of every scan the verb makes; nothing is synthesized, checkov never runs."""
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    made: list[tuple[str, str]] = []
    monkeypatch.setattr(cli, "_synthesize_stacks", lambda configs: made.append(("synth", ",".join(c.stack_name for c in configs))))
    monkeypatch.setattr(gate, "scan_stack", lambda name, *_: made.append((name, "stack")) or CheckovReport(name, "stack", passed=1))
    monkeypatch.setattr(gate, "scan_plan", lambda name, *_: made.append((name, "plan")) or CheckovReport(name, "plan", passed=1))
    return made


def test_policy_scans_every_stack_by_default(scans):
    assert cli.main(["policy"]) == 0
    assert [name for name, subject in scans if subject == "stack"] == EVERY_STACK


def test_policy_of_named_stacks_scans_only_them_and_their_saved_plans(scans, tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "dev.plan.json").write_text("{}")
    assert cli.main(["policy", "dev"]) == 0
    assert scans == [("synth", "dev"), ("dev", "stack"), ("dev", "plan")]
    scans.clear()
    assert cli.main(["policy", "baseline-default"]) == 0
    assert scans == [("synth", "baseline-default"), ("baseline-default", "stack")]


def test_a_saved_plan_reviewed_without_its_show_is_shown_redacted_before_the_synth_and_scanned(scans, tmp_path, monkeypatch):
    """make plan reviews a plan that changes nothing from Terraform's report, without the show: make policy writes
    its plan JSON from the saved plan (redacted), before its synth, and scans it; an older plan JSON is replaced."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "dev.plan.json").write_text('{"an": "older plan"}')
    time.sleep(0.01)
    (plans / "dev.tfplan").write_bytes(b"saved plan")
    shown = {"resource_changes": [{"address": "aws_db_instance.a", "mode": "managed", "type": "aws_db_instance", "change": {
        "actions": ["no-op"], "before": {"password": "hunter2"}, "after": {"password": "hunter2"},
        "before_sensitive": {"password": True}, "after_sensitive": {"password": True}, "after_unknown": {}}}]}

    def terraform(args, *, cwd):
        scans.append(("dev", " ".join(args[:2])))
        assert args[-1] == str(plans / "dev.tfplan") and cwd.name == "dev"
        return subprocess.CompletedProcess(args, 0, stdout=json.dumps(shown), stderr="")

    monkeypatch.setattr(plan_json, "run_terraform", terraform)
    assert cli.main(["policy", "dev"]) == 0
    assert scans == [("dev", "show -json"), ("synth", "dev"), ("dev", "stack"), ("dev", "plan")]
    written = (plans / "dev.plan.json").read_text()
    assert "hunter2" not in written and json.loads(written)["resource_changes"][0]["address"] == "aws_db_instance.a"
    scans.clear()
    assert cli.main(["policy", "dev"]) == 0
    assert scans == [("synth", "dev"), ("dev", "stack"), ("dev", "plan")], "shown once"


def test_a_finding_fails_the_named_stacks_policy(scans, monkeypatch):
    failed = CheckovReport("prod", "stack", passed=1, failed=[Failure("CKV_AWS_1", "a check", "database/instance")])
    monkeypatch.setattr(gate, "scan_stack", lambda name, *_: failed)
    assert cli.main(["policy", "prod"]) == EXIT_FAILED


def test_an_unknown_stack_is_refused_before_anything_runs(scans, capsys):
    assert cli.main(["policy", "qa"]) == EXIT_REFUSED
    assert "no environment called 'qa'" in capsys.readouterr().err
    assert scans == []


def test_make_policy_takes_stacks():
    def dry_run(*args: str) -> str:
        result = make_dry_run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1]

    assert dry_run("policy").endswith("-m ops policy ")
    assert dry_run("policy", "STACKS=dev").endswith("-m ops policy dev")
    assert dry_run("policy", "STACKS=dev baseline-default").endswith("-m ops policy dev baseline-default")


def test_a_saved_plan_that_cannot_be_shown_fails_the_policy_naming_the_fix(scans, tmp_path, monkeypatch, capsys):
    """A gate that cannot read the plan it should scan fails: it never passes on the stack alone."""
    from platform_core.errors import PipelineError

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "dev.tfplan").write_bytes(b"saved plan")

    def terraform(args, *, cwd):
        raise PipelineError(f"{cwd} does not exist: dev is not synthesized here")

    monkeypatch.setattr(plan_json, "run_terraform", terraform)
    assert cli.main(["policy", "dev"]) == EXIT_FAILED
    error = capsys.readouterr().err
    assert "the saved plan plans/dev.tfplan could not be shown, so its plan JSON cannot be written or scanned" in error
    assert "Traceback" not in error and scans == []
