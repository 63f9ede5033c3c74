"""The baseline's pipeline: how verbs reach it, when it is applied, and when its destroy is refused.

What needs Terraform and the emulator (deploying it, two environments sharing it, a destroy of
dev leaving it intact) is proved end to end in tests/e2e.
"""

from __future__ import annotations

import subprocess

import pytest

from ops.baseline import STALE_PLAN, BaselinePipeline
from ops.cli import _pipeline, build_parser
from ops.pipeline import EnvironmentPipeline, StackPipeline
from ops.state_recovery import StateHistory
from platform_core.errors import EXIT_REFUSED, ConfigError, PipelineError
from platform_core.target import DeployTarget
from tests.ops.test_cli import PROJECT_ROOT, assert_one_clear_error, run_ops


@pytest.fixture
def baseline(accounts) -> BaselinePipeline:
    return BaselinePipeline(accounts["default"], DeployTarget(kind="emulator"))


def test_every_stack_verb_takes_baseline_and_the_account(accounts):
    pipeline = _pipeline(build_parser().parse_args(["plan", "baseline-default"]))
    assert isinstance(pipeline, BaselinePipeline) and pipeline.name == "baseline-default"
    assert pipeline.config == accounts["default"]
    assert (pipeline.deploy_command, pipeline.plan_command) == ("make baseline ACCOUNT=default", "make plan ACCOUNT=default")


def test_an_environment_pipeline_knows_its_account(accounts):
    pipeline = _pipeline(build_parser().parse_args(["deploy", "dev"]))
    assert isinstance(pipeline, EnvironmentPipeline) and pipeline.account == accounts["default"]


def test_an_unknown_account_is_refused_naming_the_file(tmp_path):
    with pytest.raises(ConfigError) as refused:
        _pipeline(build_parser().parse_args(["plan", "baseline-nope"]))
    assert "accounts/nope.toml: (file): no account called 'nope'" in str(refused.value)
    result, _ = run_ops("plan", "baseline-nope", work=tmp_path)
    assert_one_clear_error(result, EXIT_REFUSED, "no account called 'nope'")
    assert not (tmp_path / "cdktf.out").exists()


def test_make_addresses_the_baseline_with_account():
    def dry_run(*args: str) -> str:
        return subprocess.run(["make", "-n", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout

    assert "-m ops deploy baseline-default" in dry_run("baseline")
    assert "-m ops deploy baseline-audit" in dry_run("baseline", "ACCOUNT=audit")
    assert "-m ops plan baseline-audit" in dry_run("plan", "ACCOUNT=audit")
    assert "-m ops destroy baseline-audit" in dry_run("destroy", "ACCOUNT=audit", "CONFIRM=audit")
    assert "-m ops deploy dev" in dry_run("deploy")


def test_an_environment_deploy_makes_its_baseline_current_first(accounts, configs, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(BaselinePipeline, "ensure_current", lambda self: calls.append(f"ensure {self.name}"))
    monkeypatch.setattr(StackPipeline, "deploy", lambda self, allow_destructive=False: calls.append(f"deploy {self.name}") or 0)
    EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"), account=accounts["default"]).deploy()
    assert calls == ["ensure baseline-default", "deploy dev"]


def test_ensure_current_applies_only_a_plan_with_changes_and_verifies_what_it_applied(baseline, monkeypatch):
    outcomes, verified = [False], []
    monkeypatch.setattr(BaselinePipeline, "prepare", lambda self: None)
    monkeypatch.setattr(BaselinePipeline, "plan_and_apply", lambda self: outcomes.pop(0))
    monkeypatch.setattr(BaselinePipeline, "verify", lambda self: verified.append(True))
    baseline.ensure_current()
    assert verified == [], "nothing applied, nothing to verify"
    outcomes.append(True)
    baseline.ensure_current()
    assert verified == [True]


def test_a_plan_made_stale_by_another_runs_apply_is_planned_again(baseline, monkeypatch):
    attempts: list[int] = []

    def plan_and_apply(self) -> bool:
        attempts.append(1)
        if len(attempts) == 1:
            raise PipelineError("apply failed", terraform_output=f"Error: {STALE_PLAN}: the given plan file can no longer be applied")
        return False

    monkeypatch.setattr(BaselinePipeline, "prepare", lambda self: None)
    monkeypatch.setattr(BaselinePipeline, "plan_and_apply", plan_and_apply)
    baseline.ensure_current()
    assert len(attempts) == 2, "the second plan finds the baseline current"


def test_any_other_failure_of_the_baseline_stops_the_deploy(baseline, monkeypatch):
    monkeypatch.setattr(BaselinePipeline, "prepare", lambda self: None)
    monkeypatch.setattr(BaselinePipeline, "plan_and_apply", lambda self: (_ for _ in ()).throw(PipelineError("apply failed")))
    with pytest.raises(PipelineError, match="apply failed"):
        baseline.ensure_current()


@pytest.fixture
def states(monkeypatch):
    """The resources each environment's state records, as the test sets them; no emulator is needed."""
    recorded: dict[str, int | None] = {}
    monkeypatch.setattr(BaselinePipeline, "preflight", lambda self: None)
    monkeypatch.setattr(StateHistory, "deployed_resources", lambda self: recorded.get(self.config.name))
    return recorded


def test_destroying_a_baseline_is_refused_while_an_environment_of_the_account_has_resources(baseline, states):
    states.update(dev=178, staging=0)
    baseline.confirm = "default"
    with pytest.raises(PipelineError) as refused:
        baseline.refuse_destroy()
    assert refused.value.exit_code == EXIT_REFUSED
    assert "its environments dev (178 resources) still have resources" in str(refused.value)
    assert "staging" not in str(refused.value), "an emptied state does not count"


def test_destroying_an_unused_baseline_needs_the_account_name_again(baseline, states):
    with pytest.raises(PipelineError) as refused:
        baseline.refuse_destroy()
    assert refused.value.exit_code == EXIT_REFUSED
    assert "make destroy ACCOUNT=default CONFIRM=default" in str(refused.value)
    baseline.confirm = "other"
    with pytest.raises(PipelineError):
        baseline.refuse_destroy()
    baseline.confirm = "default"
    baseline.refuse_destroy()


def test_every_terraform_step_of_the_baseline_waits_for_a_lock_and_an_environments_never_does(baseline, accounts, configs, monkeypatch, tmp_path):
    """Two environments' deploys run the baseline in one directory: the second one's init met the first one's local
    lock on .terraform/terraform.tfstate and failed at once (seen in a fresh-clone run). init, plan and apply of the
    baseline wait; an environment's steps do not (a second run of one environment fails on its lock at once)."""
    import ops.pipeline as pipeline_module

    calls: list[list[str]] = []

    def fake_terraform(args, cwd, **_):
        calls.append(list(args))
        if args[:2] == ["workspace", "select"]:
            (cwd / ".terraform").mkdir(exist_ok=True)
            (cwd / ".terraform" / "environment").write_text(args[-1])
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    monkeypatch.setattr(pipeline_module, "run_terraform", fake_terraform)
    monkeypatch.setattr(pipeline_module, "missing_state_buckets", lambda *a: [])
    monkeypatch.setattr(pipeline_module, "synthesize", lambda **_: None)
    monkeypatch.setattr(StackPipeline, "preflight", lambda self: None)
    monkeypatch.setattr(StackPipeline, "directory", property(lambda self: tmp_path / self.name))
    dev = EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"), account=accounts["default"])
    for pipeline, waits in ((baseline, ["-lock-timeout=10m"]), (dev, [])):
        calls.clear()
        pipeline.directory.mkdir()
        pipeline.prepare()
        (init,) = [c for c in calls if c[0] == "init"]
        assert [a for a in init if a.startswith("-lock-timeout")] == waits, init
        assert pipeline._lock_waits() == waits
