"""Synth benchmark: ratios measured in one run, on one machine, with repeated runs and medians.

    (a) synth of every shipped environment through the project's path (python main.py)
    (b) the same synth with the provider's eager import (PLATFORM_EAGER_PROVIDER_IMPORT=1)
    (c) the floor: start jsii and load the provider assembly, nothing else, with jsii as shipped
    (c') the project's own floor: the same through the fast path, as main.py starts
    scaling: synth of 1, 3 and 10 generated environments, and the marginal cost of one more
    suite: wall time of the test suite without the end-to-end tests

Writes its section of bench/results.md (the inner-loop benchmark's is kept). Run it with ``make bench`` on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.results import RESULTS, write_section

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FLOOR = "from bench.synth_bench import floor_as_shipped; floor_as_shipped()"
PROJECT_FLOOR = (
    "import os; from synth_runtime.project_node import use_project_node; use_project_node(); "
    "from synth_runtime.provider_bindings import aws; aws.import_mode; os._exit(0)"
)
"""The same start the way main.py does it (the whole fast path), and leave the way main.py leaves."""


def floor_as_shipped() -> None:
    """(c): start jsii (launcher and kernel, as shipped) and load the constructs, cdktf and provider assemblies,
    which makes the kernel require all of the provider's JavaScript, without importing the provider's Python
    package (``JSIIAssembly.load`` would import it, and with it all of its submodules); leave as main.py leaves.
    Run with the fast path off, so nothing of the project's changes what is measured."""
    import cdktf  # noqa: F401 - starts the kernel, loads the constructs and cdktf assemblies
    from jsii._runtime import kernel

    sys.path.insert(0, str(PROJECT_ROOT))
    from synth_runtime.provider_bindings import provider_assembly, provider_tarball

    name, version, _, _ = provider_assembly()
    kernel.load(name, version, str(provider_tarball()))
    os._exit(0)


@dataclass(frozen=True)
class Timing:
    label: str
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def row(self) -> str:
        return f"| {self.label} | {self.median:.2f} | {min(self.runs):.2f}-{max(self.runs):.2f} | {len(self.runs)} |"


def environ(**extra: str) -> dict[str, str]:
    """This process's environment for a measured run, minus anything that would choose its path for it:
    each run sets up Node itself (NODE_OPTIONS is left out, so the eager run gets no lazy-loading hook)."""
    dropped = ("PLATFORM_EAGER_PROVIDER_IMPORT", "PLATFORM_ENVS", "PLATFORM_ENVIRONMENTS_DIR", "NODE_OPTIONS")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


@dataclass(frozen=True)
class Measurement:
    label: str
    command: list[str]
    env: dict[str, str]


def run_once(measurement: Measurement) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-out-") as outdir:
        started = time.perf_counter()
        env = {**measurement.env, "CDKTF_OUTDIR": outdir}
        subprocess.run(measurement.command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - started
    print(f"  {measurement.label}: {elapsed:.2f} s", file=sys.stderr, flush=True)
    return elapsed


def interleaved(measurements: Sequence[Any], runs: int, warmup: int = 1, run: Callable[[Any], float] = run_once) -> list[Timing]:
    """Run the measurements in rounds (one of each per round, after ``warmup`` rounds that are not kept),
    so a slow spell of the machine falls on all of them alike and ratios can be taken round by round.
    ``run`` times one measurement (anything with a ``label``)."""
    samples: list[list[float]] = [[] for _ in measurements]
    for round_index in range(warmup + runs):
        for kept, measurement in zip(samples, measurements, strict=True):
            elapsed = run(measurement)
            if round_index >= warmup:
                kept.append(elapsed)
    return [Timing(m.label, tuple(kept)) for m, kept in zip(measurements, samples, strict=True)]


def paired_ratio(numerator: Timing, denominator: Timing) -> tuple[float, float, float]:
    """Median, min and max of the round-by-round ratios of two interleaved timings."""
    ratios = [n / d for n, d in zip(numerator.runs, denominator.runs, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def generated_environments(count: int, directory: Path) -> Path:
    """``count`` copies of dev, each with its own name, VPC range and state key."""
    template = (PROJECT_ROOT / "environments" / "dev.toml").read_text()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for index in range(count):
        name = f"bench{index:02d}"
        text = template.replace("10.10.0.0/16", f"10.{100 + index}.0.0/16")
        text = text.replace('key = "platform/dev.tfstate"', f'key = "platform/{name}.tfstate"')
        (directory / f"{name}.toml").write_text(text)
    return directory


def suite_wall_time() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ignore=tests/e2e", "tests"],
        cwd=PROJECT_ROOT, env=environ(), check=True, capture_output=True,
    )
    return time.perf_counter() - started


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    node = subprocess.run([os.environ.get("JSII_NODE", "node"), "--version"], capture_output=True, text=True).stdout.strip()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}{memory}; Python {platform.python_version()}, Node {node}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_ROOT))
    from synth_runtime.project_node import use_project_node

    use_project_node()
    from ops.stacks import SYNTH_FLAGS

    python = [sys.executable, *SYNTH_FLAGS]
    synth = [*python, "main.py"]
    eager_path = environ(PLATFORM_EAGER_PROVIDER_IMPORT="1")
    print("benchmarking (a) project path, (b) eager import, (c) floor, (c') project floor, in rounds", file=sys.stderr)
    project, eager, floor, project_floor = interleaved(
        [
            Measurement("(a) synth dev, staging, prod", synth, environ()),
            Measurement("(b) same, eager provider import", synth, eager_path),
            Measurement("(c) floor: jsii + provider assembly, as shipped", [*python, "-c", FLOOR], eager_path),
            Measurement("(c') project floor: the same through the fast path", [*python, "-c", PROJECT_FLOOR], environ()),
        ],
        args.runs,
    )

    counts = (1, 3, 10)
    with tempfile.TemporaryDirectory(prefix="bench-envs-") as work:
        generated = [
            Measurement(
                f"synth {count} generated environment(s)",
                synth,
                environ(PLATFORM_ENVIRONMENTS_DIR=str(generated_environments(count, Path(work) / f"envs-{count}"))),
            )
            for count in counts
        ]
        scaling = dict(zip(counts, interleaved(generated, max(3, args.runs // 2)), strict=True))
    marginal = (scaling[10].median - scaling[1].median) / 9

    suite = None if args.skip_suite else suite_wall_time()
    write_results(project, eager, floor, project_floor, scaling, marginal, suite)
    print(RESULTS.read_text())
    return 0


def ratio_row(label: str, ratio: tuple[float, float, float], unit: str, target: str) -> str:
    median, low, high = ratio
    return f"| {label} | {median:.2f}{unit} | {low:.2f}-{high:.2f} | {target} |"


def write_results(
    project: Timing, eager: Timing, floor: Timing, project_floor: Timing, scaling: dict[int, Timing], marginal: float, suite: float | None
) -> None:
    lines = [
        "# Synth benchmark",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`bench/synth_bench.py`), all figures in one run.",
        f"Machine: {machine()}.",
        "",
        "| Measurement | Median (s) | Min-max (s) | Runs |",
        "|---|---:|---:|---:|",
        project.row(),
        eager.row(),
        floor.row(),
        project_floor.row(),
        *(timing.row() for timing in scaling.values()),
        "",
        "Ratios are taken round by round (each round runs every measurement once, in turn), then the median:",
        "",
        "| Ratio | Median | Min-max | Target |",
        "|---|---:|---:|---|",
        ratio_row("eager / project (b/a): how much faster the project's path is", paired_ratio(eager, project), "x", "at least 5x"),
        ratio_row("project / floor (a/c): synth over starting jsii and loading the provider assembly", paired_ratio(project, floor), "", "at most 1.5"),
        ratio_row("project / project floor (a/c'): synth over the project's own start", paired_ratio(project, project_floor), "", "none"),
        f"| marginal cost of one more environment ((10 envs - 1 env) / 9, medians) | {marginal:.2f} s | | at most 0.5 s |",
        "",
        "(c) is the floor any CDKTF program with this provider pays: jsii started as shipped (launcher and kernel), and the cdktf and",
        "provider assemblies loaded, which makes the kernel require all of the provider's JavaScript; no provider",
        "submodule is imported in Python. The fast path avoids most of that cost too, so (c') starts lower, and",
        "a/c' is what building and synthesizing the three stacks cost on top of the project's own start: about",
        "1,500 jsii calls and cdktf's synth, which no change to the import path can remove.",
        "",
    ]
    if suite is not None:
        lines += [f"Test suite without the end-to-end tests (`pytest --ignore=tests/e2e`): {suite:.0f} s wall time, one provider load per test process.", ""]
    write_section("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
