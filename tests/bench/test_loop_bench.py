"""The inner-loop benchmark's machinery: its steps, the phases of a run, the change it makes, its ratios and its section
of bench/results.md. No deployment here: ``make bench-loop`` is the real run."""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime

import pytest

from bench import results
from bench.loop_bench import (
    CDKTF_OVER_PLAN,
    PLAN_OVER_BARE,
    START_UP,
    BenchError,
    Ratio,
    Step,
    changed_copy,
    deployed_setting,
    median_phases,
    phase_label,
    phases,
    run_step,
    section,
)
from bench.synth_bench import PROJECT_ROOT, Timing, interleaved, paired_ratio

PLAN_LINES = [
    (0.40, "==> local AWS emulator on http://127.0.0.1:4680"),
    (0.41, "    already running"),
    (0.60, "==> [dev] synthesize (emulator): nothing it reads changed since the last synth here, not run again"),
    (0.70, "==> [dev] terraform init and workspace dev: unchanged since the last run here, not run again"),
    (0.75, "==> [dev] terraform plan"),
    (15.0, "    ok (14.3 s)"),
    (15.0, "==> [dev] review the plan"),
    (16.9, "    dev: 0 to create, 0 to update, 0 to replace, 0 to delete; 0 security-sensitive; no destructive change"),
]


def test_a_run_is_split_at_its_steps_from_start_up_to_exit():
    split = phases(PLAN_LINES, total=17.0)
    assert [label for label, _ in split] == [
        START_UP,
        "local AWS emulator",
        "synthesize (emulator), skipped",
        "terraform init and workspace dev, skipped",
        "terraform plan",
        "review the plan",
    ]
    assert [round(seconds, 2) for _, seconds in split] == [0.4, 0.2, 0.1, 0.05, 14.25, 2.0]
    assert sum(seconds for _, seconds in split) == pytest.approx(17.0), "every second of the run is in one phase"


def test_a_run_without_steps_is_one_phase():
    assert phases([(0.1, "plain output")], total=3.0) == [("the whole run", 3.0)]


def test_phase_labels_drop_the_stack_the_address_and_the_reason():
    assert phase_label("==> [baseline-default] terraform plan -destroy") == "terraform plan -destroy"
    assert phase_label("==> local AWS emulator on http://127.0.0.1:4566") == "local AWS emulator"


def test_phases_are_medians_over_the_rounds_and_a_phase_one_round_lacks_counts_as_zero():
    slow = [(1.0, "==> [dev] synthesize (emulator)"), (3.0, "==> [dev] terraform plan")]
    skipped = [(1.0, "==> [dev] terraform plan")]
    breakdown = dict(median_phases([(slow, 10.0), (skipped, 8.0), (skipped, 9.0)]))
    assert breakdown == {START_UP: 1.0, "synthesize (emulator)": 0.0, "terraform plan": 7.0}


def test_steps_are_timed_with_their_lines_and_a_failed_one_stops_the_benchmark(tmp_path):
    script = "import sys, time; print('==> one', flush=True); time.sleep(0.2); print('==> two'); sys.exit(int(sys.argv[1]))"
    step = Step("ok", [sys.executable, "-c", script, "0"], {})
    elapsed = run_step(step)
    (lines,) = step.transcripts
    assert [text for _, text in lines] == ["==> one", "==> two"]
    assert lines[1][0] - lines[0][0] >= 0.2 and elapsed >= lines[1][0]
    with pytest.raises(BenchError, match="exited 3"):
        run_step(Step("fails", [sys.executable, "-c", script, "3"], {}))


def test_rounds_run_the_untimed_edit_before_each_changed_plan(tmp_path):
    order = []
    step = Step("changed", [sys.executable, "-c", "pass"], {}, before=lambda: order.append("edit"))
    other = Step("bare", [sys.executable, "-c", "pass"], {})
    changed, bare = interleaved([step, other], runs=2, run=lambda s: (run_step(s), order.append(s.label))[0])
    assert order == ["edit", "changed", "bare"] * 3, "one edit per round, warm-up included"
    assert len(changed.runs) == len(bare.runs) == 2


def test_the_change_is_one_setting_of_dev_and_the_other_files_are_copied_as_they_are(tmp_path):
    source = PROJECT_ROOT / "environments"
    deployed = deployed_setting(source)
    copy = changed_copy(source, tmp_path / "envs", deployed + 1)
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in source.glob("*.toml"))
    before, after = (tomllib.loads((d / "dev.toml").read_text()) for d in (source, copy))
    assert after["serverless"]["reserved_concurrency"] == deployed + 1
    after["serverless"]["reserved_concurrency"] = deployed
    assert after == before, "nothing else of dev changed"
    assert (copy / "prod.toml").read_text() == (source / "prod.toml").read_text()


def test_targets_say_whether_they_are_met():
    assert PLAN_OVER_BARE.text(1.10) == "at most 1.15: met"
    assert PLAN_OVER_BARE.text(1.16) == "at most 1.15: **NOT met**"
    assert CDKTF_OVER_PLAN.text(1.30) == "at least 1.25x: met"
    assert not CDKTF_OVER_PLAN.met(1.2)


def _section(plan_runs: tuple[float, ...]) -> str:
    plan, bare, diff = Timing("make plan", plan_runs), Timing("bare", (14.0, 15.0, 14.5)), Timing("diff", (21.0, 22.0, 21.5))
    ratios = [
        Ratio("make plan / bare terraform plan, unchanged dev", paired_ratio(plan, bare), target=PLAN_OVER_BARE),
        Ratio("bin/cdktf diff / make plan, unchanged dev", paired_ratio(diff, plan), "x", CDKTF_OVER_PLAN),
    ]
    breakdown = [(START_UP, 0.3), ("terraform plan", 14.2), ("review the plan", 1.5)]
    when = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    return section([plan, bare, diff], ratios, breakdown, runs=3, bare_plan=bare.median, when=when, host="a machine")


def test_the_section_gives_the_ratios_round_by_round_with_their_targets_and_the_breakdown():
    text = _section((15.4, 16.5, 15.95))
    assert text.startswith("# Inner-loop benchmark\n")
    assert "| make plan / bare terraform plan, unchanged dev | 1.10 | 1.10-1.10 | at most 1.15: met |" in text
    assert "| bin/cdktf diff / make plan, unchanged dev | 1.35x | 1.33-1.36 | at least 1.25x: met |" in text
    assert "| review the plan | 1.50 | 9% |" in text
    assert "Not met" not in text


def test_a_missed_target_is_said_plainly():
    text = _section((17.5, 18.0, 17.4))
    assert "at most 1.15: **NOT met**" in text
    assert "Not met in this run: make plan / bare terraform plan, unchanged dev is 1.20, at most 1.15" in text


def test_each_benchmark_rewrites_only_its_own_section(tmp_path):
    path = tmp_path / "results.md"
    results.write_section("# Synth benchmark\n\nold synth\n", path)
    results.write_section("# Inner-loop benchmark\n\nfirst loop\n", path)
    results.write_section("# Inner-loop benchmark\n\nsecond loop\n", path)
    results.write_section("# Synth benchmark\n\nnew synth\n", path)
    assert path.read_text() == "# Synth benchmark\n\nnew synth\n\n# Inner-loop benchmark\n\nsecond loop\n"



def test_the_committed_results_hold_both_sections():
    headings = [heading for heading, _ in results.sections(results.RESULTS.read_text())]
    assert headings == ["# Synth benchmark", "# Inner-loop benchmark"]
