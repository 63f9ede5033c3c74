"""The benchmark's own machinery: rounds, paired ratios, and the floors it measures still run."""

from __future__ import annotations

import subprocess
import sys

from bench.synth_bench import (
    FLOOR,
    PROJECT_FLOOR,
    PROJECT_ROOT,
    Measurement,
    Timing,
    environ,
    interleaved,
    paired_ratio,
)


def test_measurements_run_in_rounds_and_the_warmup_round_is_not_kept(tmp_path):
    log = tmp_path / "order"
    append = "import sys; open(sys.argv[1], 'a').write(sys.argv[2])"
    measurements = [Measurement(name, [sys.executable, "-c", append, str(log), name], environ()) for name in "ab"]
    project, eager = interleaved(measurements, runs=2, warmup=1)
    assert log.read_text() == "ababab", "one of each per round, in turn"
    assert len(project.runs) == len(eager.runs) == 2


def test_ratios_are_taken_round_by_round():
    slow = Timing("slow", (10.0, 30.0, 12.0))
    fast = Timing("fast", (2.0, 3.0, 2.0))
    assert paired_ratio(slow, fast) == (6.0, 5.0, 10.0)


def test_both_floors_run_as_the_benchmark_runs_them():
    for script, extra in ((FLOOR, {"PLATFORM_EAGER_PROVIDER_IMPORT": "1"}), (PROJECT_FLOOR, {})):
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=environ(**extra), capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-2000:]
