"""``make plan`` with ALLOW_DESTRUCTIVE, and ``make apply`` of the saved plan: its refusals, and that it applies exactly
the reviewed plan (nothing planned or synthesized again). Terraform is faked here; tests/e2e runs the real one."""

from __future__ import annotations

import json
import subprocess

import pytest

import ops.pipeline as pipeline_module
from ops import plan_json
from ops.cli import main
from ops.pipeline import EnvironmentPipeline, StackPipeline
from platform_core.errors import EXIT_DESTRUCTIVE, EXIT_REFUSED
from tests.conftest import make_dry_run
from tests.ops.test_cli import assert_one_clear_error, run_ops
from tests.ops.test_review import change

DESTRUCTIVE = {"resource_changes": [change("aws_subnet.a", ["delete", "create"], {"cidr_block": "10.0.0.0/24"}, {"cidr_block": "10.0.1.0/24"})]}
IN_PLACE = {"resource_changes": [change("aws_cloudwatch_log_group.flow", ["update"], {"retention_in_days": 30}, {"retention_in_days": 60})]}
NOTHING = {"resource_changes": [change("aws_vpc.main", ["no-op"], {"a": 1}, {"a": 1})]}


class FakeTerraform:
    """``plan -out=<file>`` writes the plan file; ``show -json`` shows ``self.shown``; every step is recorded."""

    def __init__(self) -> None:
        self.shown: dict = NOTHING
        self.calls: list[str] = []

    def __call__(self, args, **_):
        self.calls.append(args[0])
        if args[0] == "plan":
            (out,) = [a.removeprefix("-out=") for a in args if a.startswith("-out=")]
            with open(out, "wb") as plan:
                plan.write(b"saved plan")
        if args[0] == "apply":
            self.calls[-1] = f"apply {args[-1]}"
        return subprocess.CompletedProcess(args, 0, stdout=json.dumps(self.shown) if args[0] == "show" else "", stderr="")

    def stream(self, args, *, on_message, **kwargs):
        """``terraform plan -json``: a ``planned_change`` for each change of ``self.shown`` that is not a no-op."""
        result = self(args, **kwargs)
        changed = [entry for entry in self.shown["resource_changes"] if entry["change"]["actions"] != ["no-op"]]
        for entry in changed:
            on_message({"type": "planned_change", "change": {"resource": {"addr": entry["address"]}}})
        on_message({"type": "change_summary", "changes": {"add": 0, "change": len(changed), "remove": 0}})
        return result


@pytest.fixture
def terraform(tmp_path, monkeypatch) -> FakeTerraform:
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    monkeypatch.delenv("ALLOW_DESTRUCTIVE", raising=False)
    fake = FakeTerraform()
    monkeypatch.setattr(pipeline_module, "run_terraform", fake)
    monkeypatch.setattr(pipeline_module, "stream_terraform", fake.stream)
    monkeypatch.setattr(plan_json, "run_terraform", fake)
    for step in ("prepare", "preflight", "outputs", "verify"):
        monkeypatch.setattr(StackPipeline, step, lambda self, step=step: fake.calls.append(step))
    monkeypatch.setattr(EnvironmentPipeline, "smoke", lambda self: fake.calls.append("smoke"))
    return fake


def saved_plan(tmp_path, shown: dict, terraform: FakeTerraform):
    plans = tmp_path / "plans"
    plans.mkdir(exist_ok=True)
    (plans / "dev.tfplan").write_bytes(b"saved plan")
    terraform.shown = shown
    return plans / "dev.tfplan"


def test_plan_exits_3_on_a_destructive_plan(terraform, tmp_path):
    terraform.shown = DESTRUCTIVE
    assert main(["plan", "dev"]) == EXIT_DESTRUCTIVE
    assert json.loads((tmp_path / "plans" / "dev.json").read_text())["destructive"] is True


def test_plan_with_allow_destructive_writes_the_destructive_review_says_so_loudly_and_exits_0(terraform, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALLOW_DESTRUCTIVE", "1")
    terraform.shown = DESTRUCTIVE
    assert main(["plan", "dev"]) == 0
    assert "!! [dev] DESTRUCTIVE plan (1 resource(s) replaced or deleted), allowed by ALLOW_DESTRUCTIVE=1" in capsys.readouterr().err
    assert json.loads((tmp_path / "plans" / "dev.json").read_text())["destructive"] is True
    assert "**DESTRUCTIVE: 1 resource(s)" in (tmp_path / "plans" / "dev.md").read_text()
    assert (tmp_path / "plans" / "dev.tfplan").exists(), "the reviewed plan is kept for make apply"
    assert terraform.calls == ["prepare", "plan", "show"]


@pytest.mark.parametrize(("stack", "command"), [("dev", "make plan ENV=dev"), ("baseline-default", "make plan ACCOUNT=default")])
def test_apply_without_a_saved_plan_is_refused_naming_make_plan(tmp_path, stack, command):
    result, _ = run_ops("apply", stack, work=tmp_path)
    assert_one_clear_error(result, EXIT_REFUSED, f"there is no saved plan for {stack} to apply; make one and read its review first: {command}")
    assert not (tmp_path / "cdktf.out").exists() and not (tmp_path / "plans").exists(), "nothing was synthesized or planned"


def test_a_destructive_saved_plan_is_refused_without_allow_destructive(terraform, tmp_path, capsys):
    plan = saved_plan(tmp_path, DESTRUCTIVE, terraform)
    assert main(["apply", "dev"]) == EXIT_DESTRUCTIVE
    error = capsys.readouterr().err
    assert "the saved plan for dev would replace or delete 1 resource(s); nothing was applied" in error
    assert "`make apply ENV=dev ALLOW_DESTRUCTIVE=1`" in error and "Traceback" not in error
    assert terraform.calls == ["show"], "reviewed again, and nothing else ran"
    assert plan.exists(), "the reviewed plan stays, to be applied on purpose"


def test_allow_destructive_applies_exactly_the_saved_plan_without_planning_or_synthesizing(terraform, tmp_path, monkeypatch, capsys):
    plan = saved_plan(tmp_path, DESTRUCTIVE, terraform)
    monkeypatch.setenv("ALLOW_DESTRUCTIVE", "1")
    assert main(["apply", "dev"]) == 0
    assert terraform.calls == ["show", "preflight", f"apply {plan}", "outputs", "verify", "smoke"]
    assert "applying a DESTRUCTIVE plan, allowed by ALLOW_DESTRUCTIVE=1" in capsys.readouterr().err
    assert not plan.exists(), "applied, and it holds secrets: it goes"


def test_an_in_place_saved_plan_is_applied(terraform, tmp_path):
    plan = saved_plan(tmp_path, IN_PLACE, terraform)
    assert main(["apply", "dev"]) == 0
    assert terraform.calls == ["show", "preflight", f"apply {plan}", "outputs", "verify", "smoke"]


def test_a_saved_plan_without_changes_is_removed_and_nothing_is_applied(terraform, tmp_path, capsys):
    plan = saved_plan(tmp_path, NOTHING, terraform)
    assert main(["apply", "dev"]) == 0
    assert "[dev] the saved plan has no changes: nothing to apply" in capsys.readouterr().err
    assert terraform.calls == ["show"]
    assert not plan.exists()


def test_the_apply_verb_reaches_the_pipeline_through_make():
    def dry_run(*args: str) -> str:
        result = make_dry_run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert dry_run("apply", "ENV=prod").splitlines()[-1].endswith("-m ops apply prod")
    assert dry_run("apply", "ACCOUNT=default").splitlines()[-1].endswith("-m ops apply baseline-default")
