"""make plan-all: every stack planned, at most N at once, one summary, and an exit code that gates like make review."""

from __future__ import annotations

import threading
import time

import pytest

from ops import plan_all as module
from ops.plan_all import PlanOutcome, plan_all
from platform_core.errors import EXIT_DESTRUCTIVE, EXIT_FAILED, EXIT_REFUSED


def review(stack: str, *, destructive: bool = False) -> dict:
    return {"environment": stack, "destructive": destructive, "counts": {"create": 1, "update": 2, "replace": int(destructive), "delete": 0}}


@pytest.fixture
def plans(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    return tmp_path / "plans"


def planner(outcomes: dict[str, tuple[int, dict | None]], running: list[int] | None = None):
    lock, busy = threading.Lock(), [0]

    def plan(stack, directory):
        with lock:
            busy[0] += 1
            if running is not None:
                running.append(busy[0])
        time.sleep(0.05)
        with lock:
            busy[0] -= 1
        code, found = outcomes[stack]
        return PlanOutcome(stack, code, found)

    return plan


def test_clean_plans_exit_0_and_the_summary_lists_every_stack_with_its_counts_and_review(plans):
    outcomes = {s: (0, review(s)) for s in ("dev", "staging", "baseline-default")}
    running: list[int] = []
    assert plan_all(list(outcomes), jobs=2, plan=planner(outcomes, running)) == 0
    assert max(running) <= 2, "never more plans at once than asked"
    text = (plans / "summary.md").read_text()
    for stack in outcomes:
        assert f"| {stack} | 1 | 2 | 0 | 0 | no | [review]({stack}.md) |" in text


def test_a_destructive_plan_exits_3_and_is_flagged_in_the_summary(plans):
    outcomes = {"dev": (0, review("dev")), "prod": (EXIT_DESTRUCTIVE, review("prod", destructive=True))}
    assert plan_all(list(outcomes), plan=planner(outcomes)) == EXIT_DESTRUCTIVE
    assert "| prod | 1 | 2 | 1 | 0 | **DESTRUCTIVE** | [review](prod.md) |" in (plans / "summary.md").read_text()


def test_a_failed_plan_outranks_a_destructive_one_and_keeps_its_exit_code(plans):
    outcomes = {"dev": (EXIT_REFUSED, None), "prod": (EXIT_DESTRUCTIVE, review("prod", destructive=True))}
    assert plan_all(list(outcomes), plan=planner(outcomes)) == EXIT_REFUSED
    assert "| dev | | | | | **failed** (exit 2) | [log](dev.plan-all.log) |" in (plans / "summary.md").read_text()
    different = {"dev": (EXIT_REFUSED, None), "staging": (5, None)}
    assert plan_all(list(different), plan=planner(different)) == EXIT_FAILED


def test_a_plan_that_exits_0_without_a_review_is_a_failure(plans):
    outcomes = {"dev": (0, None)}
    assert plan_all(["dev"], plan=planner(outcomes)) == EXIT_FAILED


def test_each_plan_is_the_plan_verb_in_its_own_process_and_an_old_review_is_not_taken_for_its_own(plans, monkeypatch):
    plans.mkdir()
    (plans / "dev.json").write_text('{"stale": true}')
    calls = []

    def run(command, **kwargs):
        calls.append(command[1:])
        return type("Done", (), {"returncode": EXIT_REFUSED})()

    monkeypatch.setattr(module.subprocess, "run", run)
    outcome = module.plan_in_process("dev", plans)
    assert calls == [["-m", "ops", "plan", "dev"]]
    assert outcome == PlanOutcome("dev", EXIT_REFUSED, None), "the stale review was removed, not read"


def test_an_unknown_stack_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys):
    from ops.cli import main

    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    assert main(["plan-all", "nosuch"]) == EXIT_REFUSED
    assert "nosuch" in capsys.readouterr().err
    assert not (tmp_path / "plans").exists()


def test_a_destructive_exit_without_a_review_is_a_failure_not_a_destructive_plan(plans):
    outcomes = {"dev": (EXIT_DESTRUCTIVE, None)}
    assert plan_all(["dev"], plan=planner(outcomes)) == EXIT_FAILED


def test_plans_do_run_side_by_side_up_to_the_bound(plans):
    outcomes = {s: (0, review(s)) for s in ("a", "b", "c", "d")}
    running: list[int] = []
    plan_all(list(outcomes), jobs=2, plan=planner(outcomes, running))
    assert max(running) == 2


@pytest.mark.parametrize("jobs", ["abc", "0", "-1"])
def test_a_bad_plan_jobs_is_refused_and_breaks_no_other_verb(tmp_path, monkeypatch, capsys, jobs):
    from ops.cli import build_parser, main

    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    monkeypatch.setenv("PLAN_JOBS", jobs)
    build_parser().parse_args(["plan", "dev"])  # another verb still parses
    assert main(["plan-all", "dev"]) == EXIT_REFUSED
    assert "PLAN_JOBS" in capsys.readouterr().err
    assert not (tmp_path / "plans").exists()


def test_every_stack_is_synthesized_in_one_run_before_the_plans_and_each_plan_finds_its_own_current(plans, tmp_path, monkeypatch):
    """One synth for all of them, and each plan process, which synthesizes only its own stack (PLATFORM_ENVS=<env>),
    finds that stack current: nothing is synthesized twice, and no two plans synthesize into cdktf.out at once."""
    import ops.cli as cli
    import ops.pipeline as pipeline_module
    from environments import load_accounts, load_environments
    from ops import synth_stamp
    from ops.stacks import stack_dir, synth_selection
    from platform_core.target import DeployTarget

    monkeypatch.setenv("EMULATOR_PORT", "4999")
    monkeypatch.setattr(cli.Emulator, "start", lambda self: False)
    synths: list[tuple[str, str]] = []

    def synthesize(environ):
        synths.append((environ["PLATFORM_ENVS"], environ["PLATFORM_ACCOUNTS"]))
        for name in [*environ["PLATFORM_ENVS"].split(","), *(f"baseline-{a}" for a in environ["PLATFORM_ACCOUNTS"].split(",") if a)]:
            stack_dir(name).mkdir(parents=True, exist_ok=True)
            (stack_dir(name) / "cdk.tf.json").write_text(f'{{"stack": "{name}"}}')

    def plan_every_stack(stacks, jobs):
        target = DeployTarget.from_environ()
        for config in [*load_environments(only=[s for s in stacks if not s.startswith("baseline-")]), *load_accounts().values()]:
            inputs = synth_stamp.inputs_digest({**pipeline_module._with_target(target), **synth_selection(config)})
            assert synth_stamp.is_current(stack_dir(config.stack_name), inputs), f"{config.stack_name}'s own plan would synthesize again"
        return 0

    monkeypatch.setattr(pipeline_module, "synthesize", synthesize)
    monkeypatch.setattr(module, "plan_all", plan_every_stack)
    assert cli.main(["plan-all"]) == 0
    environments = ",".join(c.name for c in load_environments())
    assert synths == [(environments, ",".join(load_accounts()))], "one synth of every stack"
    assert cli.main(["plan-all"]) == 0
    assert len(synths) == 1, "and none when nothing it reads changed"


def test_a_run_that_fails_before_its_plans_leaves_no_older_summary_standing(plans, monkeypatch, capsys):
    """A synth that refuses ends the run before any plan: the summary of an earlier run, which may call every stack
    clean, is gone, so nothing reads it as this run's verdict."""
    import ops.cli as cli
    import ops.pipeline as pipeline_module
    from platform_core.errors import PipelineError

    plans.mkdir()
    (plans / "summary.md").write_text("| dev | 0 | 0 | 0 | 0 | no | [review](dev.md) |\n")
    monkeypatch.setenv("EMULATOR_PORT", "4999")
    monkeypatch.setattr(cli.Emulator, "start", lambda self: False)

    def synthesize(environ):
        raise PipelineError("main.py refused: environments/dev.toml: [network] vpc_cidr is not a CIDR")

    monkeypatch.setattr(pipeline_module, "synthesize", synthesize)
    assert cli.main(["plan-all"]) == EXIT_FAILED
    assert "vpc_cidr is not a CIDR" in capsys.readouterr().err
    assert not (plans / "summary.md").exists()
