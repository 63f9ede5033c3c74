"""Inner-loop benchmark: what ``make plan``, ``make drift`` and a one-attribute change cost over bare Terraform.

On dev deployed onto the local emulator, on the benchmark's own port and work directory (``python -m ops deploy dev``
runs first: it deploys dev the first time and changes nothing after), measured in rounds: each measurement once per
round, in turn, the first round a warm-up that is dropped. Each ratio is the median of the round-by-round ratios, so
a slow spell of the machine falls on both sides of it.

    plan      (p) ``python -m ops plan dev``: what ``make plan ENV=dev`` runs once its setup check passed
              (t) ``terraform plan -lock=true -input=false`` in dev's synthesized stack, in its workspace
                  (``TF_WORKSPACE``) with the pipeline's Terraform environment (CLI config, emulator endpoint): bare
              (d) ``python -m ops cdktf diff dev``: what ``bin/cdktf diff dev`` runs once its setup check passed
    drift     ``python -m ops drift dev`` against ``terraform plan -refresh-only -lock=true -input=false``,
              Terraform's own drift check. ``make drift`` is one normal plan (its refresh finds the drift, its
              changes are the pending work); a refresh-only plan refreshes the same resources and plans no changes,
              so it is the cheaper, stricter counterpart
    change    (p), (t) and (d) with one attribute of dev changed (``serverless.reserved_concurrency``, in a copy of
              the environment files, a new value every round, so every round synthesizes again): one update

Where make plan's time goes is read from when each of its progress lines (``==> step``) arrives. Writes its section of
bench/results.md (the synth benchmark's is kept). Run it with ``make bench-loop``; ``--keep`` leaves the emulator
running, and the next run reuses it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.results import RESULTS, write_section
from bench.synth_bench import PROJECT_ROOT, Timing, interleaved, machine, paired_ratio

STACK = "dev"
CHANGED_SETTING = re.compile(r"^(reserved_concurrency\s*=\s*)(\d+)\s*$", re.MULTILINE)
"""dev's ``[serverless] reserved_concurrency``: the function's reserved concurrency, one attribute of one resource."""
DROPPED = ("TF_WORKSPACE", "TARGET", "PLATFORM_ENVS", "PLATFORM_ACCOUNTS", "PLATFORM_ENVIRONMENTS_DIR", "PLATFORM_ACCOUNTS_DIR", "ALLOW_DESTRUCTIVE", "FORCE_UNLOCK")
"""Variables of the caller's shell that would change what is measured."""


class BenchError(Exception):
    """A measured command did not do what the benchmark measures."""


@dataclass(frozen=True)
class Target:
    """A bound a ratio must keep: ``at most`` or ``at least`` ``bound``."""

    kind: str
    bound: float

    def met(self, value: float) -> bool:
        return value <= self.bound if self.kind == "at most" else value >= self.bound

    def text(self, value: float) -> str:
        return f"{self.kind} {self.bound:g}{'x' if self.kind == 'at least' else ''}: {'met' if self.met(value) else '**NOT met**'}"


PLAN_OVER_BARE = Target("at most", 1.15)
CDKTF_OVER_PLAN = Target("at least", 1.25)


@dataclass(frozen=True)
class Step:
    """One measured command; ``before`` runs first, untimed (an edit of the environment file)."""

    label: str
    command: list[str]
    env: dict[str, str]
    cwd: Path = PROJECT_ROOT
    before: Callable[[], None] | None = None
    transcripts: list[list[tuple[float, str]]] = field(default_factory=list, compare=False)
    """Each run's output lines with the seconds after its start at which they arrived."""


def run_step(step: Step) -> float:
    """Run ``step`` once and return its wall time; BenchError (with its output) unless it exits 0."""
    if step.before is not None:
        step.before()
    lines: list[tuple[float, str]] = []
    started = time.perf_counter()
    with subprocess.Popen(step.command, cwd=step.cwd, env=step.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join(text for _, text in lines[-40:])
        raise BenchError(f"{step.label}: `{' '.join(step.command)}` exited {process.returncode}:\n{tail}")
    step.transcripts.append(lines)
    print(f"  {step.label}: {elapsed:.2f} s", file=sys.stderr, flush=True)
    return elapsed


def phase_label(line: str) -> str:
    """``==> [dev] synthesize (emulator): nothing it reads changed ..., not run again`` -> ``synthesize (emulator), skipped``."""
    text = re.sub(r"^\[[^\]]*\] ", "", line.removeprefix("==> "))
    text = re.sub(r" on https?://\S+", "", text)
    skipped = "not run again" in text
    text = text.split(": ", 1)[0]
    return f"{text}, skipped" if skipped else text


START_UP = "start-up: Python, the environment files, preflight"


def phases(lines: Sequence[tuple[float, str]], total: float) -> list[tuple[str, float]]:
    """Where one pipeline run's ``total`` seconds went: start-up until its first step, then each ``==>`` step until the
    next one starts (or the run ends), from the seconds at which its ``lines`` arrived."""
    marks = [(at, phase_label(text)) for at, text in lines if text.startswith("==> ")]
    if not marks:
        return [("the whole run", total)]
    ends = [at for at, _ in marks[1:]] + [total]
    return [(START_UP, marks[0][0])] + [(label, end - at) for (at, label), end in zip(marks, ends, strict=True)]


def median_phases(runs: Sequence[tuple[Sequence[tuple[float, str]], float]]) -> list[tuple[str, float]]:
    """The median of each phase over ``runs`` (``(lines, total)``), in the order the phases first appear."""
    durations: dict[str, list[float]] = {}
    for lines, total in runs:
        seen: dict[str, float] = {}
        for label, seconds in phases(lines, total):
            seen[label] = seen.get(label, 0.0) + seconds
        for label, seconds in seen.items():
            durations.setdefault(label, []).append(seconds)
    return [(label, statistics.median(values + [0.0] * (len(runs) - len(values)))) for label, values in durations.items()]


def changed_copy(source: Path, directory: Path, value: int) -> Path:
    """A copy of the environment files in ``source`` with dev's ``reserved_concurrency`` set to ``value``."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.toml"):
        shutil.copy2(path, directory / path.name)
    dev = directory / f"{STACK}.toml"
    text, count = CHANGED_SETTING.subn(lambda m: f"{m.group(1)}{value}", dev.read_text())
    if count != 1:
        raise BenchError(f"{dev} sets reserved_concurrency {count} times; the benchmark changes it in exactly one place")
    dev.write_text(text)
    return directory


def deployed_setting(source: Path) -> int:
    match = CHANGED_SETTING.search((source / f"{STACK}.toml").read_text())
    if match is None:
        raise BenchError(f"{source / STACK}.toml sets no reserved_concurrency to change")
    return int(match.group(2))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def review_counts(work: Path) -> dict[str, int]:
    return json.loads((work / "plans" / f"{STACK}.json").read_text())["counts"]


def expect_counts(work: Path, expected: dict[str, int], what: str) -> None:
    counts = review_counts(work)
    if counts != expected:
        raise BenchError(f"{what}: the last review counts {counts}, not {expected}; the benchmark would measure another plan")


@dataclass(frozen=True)
class Ratio:
    label: str
    value: tuple[float, float, float]
    unit: str = ""
    target: Target | None = None

    def row(self) -> str:
        median, low, high = self.value
        return f"| {self.label} | {median:.2f}{self.unit} | {low:.2f}-{high:.2f} | {self.target.text(median) if self.target else 'none'} |"


def section(
    timings: Sequence[Timing], ratios: Sequence[Ratio], breakdown: Sequence[tuple[str, float]], *, runs: int, bare_plan: float, when: datetime, host: str
) -> str:
    """The benchmark's section of bench/results.md."""
    total = sum(seconds for _, seconds in breakdown)
    missed = [r for r in ratios if r.target and not r.target.met(r.value[0])]
    lines = [
        "# Inner-loop benchmark",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC by `make bench-loop` (`bench/loop_bench.py`), all figures in one run: dev deployed onto",
        f"the local emulator, {runs} round{'s' if runs != 1 else ''} after a warm-up round that is dropped, every measurement once per round, in turn.",
        f"Machine: {host}.",
        "",
        "| Measurement | Median (s) | Min-max (s) | Runs |",
        "|---|---:|---:|---:|",
        *(timing.row() for timing in timings),
        "",
        "Ratios are taken round by round, then the median:",
        "",
        "| Ratio | Median | Min-max | Target |",
        "|---|---:|---:|---|",
        *(ratio.row() for ratio in ratios),
        "",
        "Where `make plan` of the unchanged dev spends its time (medians over the rounds, from when each progress line arrived;",
        f"a step runs until the next one starts; the bare `terraform plan` took {bare_plan:.2f} s):",
        "",
        "| Phase | Median (s) | Share |",
        "|---|---:|---:|",
        *(f"| {label} | {seconds:.2f} | {seconds / total:.0%} |" for label, seconds in breakdown),
        "",
    ]
    if missed:
        lines += ["Not met in this run: " + "; ".join(f"{r.label} is {r.value[0]:.2f}{r.unit}, {r.target.text(r.value[0]).split(':')[0]}" for r in missed) + ".", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="rounds kept, after one warm-up round (default 5)")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_ROOT / ".platform" / "bench-loop", help="the benchmark's PLATFORM_WORK_DIR")
    parser.add_argument("--port", type=int, help="the emulator's port (default: the one an earlier --keep run left, else a free one)")
    parser.add_argument("--keep", action="store_true", help="leave the emulator running (the next run reuses it and its deployment)")
    args = parser.parse_args(argv)

    work = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    port_file = work / "emulator-port"
    port = args.port or (int(port_file.read_text()) if port_file.exists() else free_port())
    os.environ.update(PLATFORM_WORK_DIR=str(work), EMULATOR_PORT=str(port))
    for name in DROPPED:
        os.environ.pop(name, None)
    sys.path.insert(0, str(PROJECT_ROOT))
    from ops.emulator import Emulator
    from ops.stacks import stack_dir
    from ops.terraform_cli import terraform_environ

    emulator = Emulator(port)
    started = emulator.start()
    port_file.write_text(f"{port}\n")
    try:
        return measure(args.runs, work, port, stack_dir(STACK), terraform_environ({"TF_WORKSPACE": STACK}))
    finally:
        if started and not args.keep:
            emulator.stop()


def measure(runs: int, work: Path, port: int, stack: Path, bare_env: dict[str, str]) -> int:
    env = dict(os.environ)
    python = [sys.executable, "-m", "ops"]
    log = work / "deploy.log"
    print(f"deploying {STACK} onto the emulator on port {port} (nothing changes if it is deployed; log: {log})", file=sys.stderr, flush=True)
    with log.open("w") as output:
        if subprocess.run([*python, "deploy", STACK], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT).returncode != 0:
            raise BenchError(f"the deploy of {STACK} failed; see {log}")

    bare = ["terraform", "plan", "-lock=true", "-input=false", "-no-color"]
    plan = Step("make plan (python -m ops plan dev)", [*python, "plan", STACK], env)
    terraform = Step("terraform plan, bare", bare, bare_env, cwd=stack)
    cdktf = Step("bin/cdktf diff dev (python -m ops cdktf diff dev)", [*python, "cdktf", "diff", STACK], env)
    print("benchmarking the unchanged dev: make plan, bare terraform plan, bin/cdktf diff, in rounds", file=sys.stderr)
    unchanged = interleaved([plan, terraform, cdktf], runs, run=run_step)
    expect_counts(work, {"create": 0, "update": 0, "replace": 0, "delete": 0}, "make plan of the unchanged dev")

    drift = Step("make drift (python -m ops drift dev)", [*python, "drift", STACK], env)
    refresh = Step("terraform plan -refresh-only, bare", [*bare[:2], "-refresh-only", *bare[2:]], bare_env, cwd=stack)
    print("benchmarking drift: make drift, bare terraform plan -refresh-only, in rounds", file=sys.stderr)
    drifts = interleaved([drift, refresh], runs, run=run_step)

    source = PROJECT_ROOT / "environments"
    values = itertools.cycle((deployed_setting(source) + 1, deployed_setting(source) + 2))
    copy = work / "environments-changed"
    changed_env = {**env, "PLATFORM_ENVIRONMENTS_DIR": str(copy)}
    changed = [
        Step("make plan, one attribute changed", [*python, "plan", STACK], changed_env, before=lambda: changed_copy(source, copy, next(values))),
        Step("terraform plan, bare, one attribute changed", bare, bare_env, cwd=stack),
        Step("bin/cdktf diff dev, one attribute changed", [*python, "cdktf", "diff", STACK], changed_env),
    ]
    print("benchmarking one changed attribute: make plan (synthesizes), bare terraform plan, bin/cdktf diff, in rounds", file=sys.stderr)
    change = interleaved(changed, runs, run=run_step)
    expect_counts(work, {"create": 0, "update": 1, "replace": 0, "delete": 0}, "make plan with one attribute changed")

    kept = plan.transcripts[-runs:]
    breakdown = median_phases(list(zip(kept, unchanged[0].runs, strict=True)))
    ratios = [
        Ratio("make plan / bare terraform plan, unchanged dev", paired_ratio(unchanged[0], unchanged[1]), target=PLAN_OVER_BARE),
        Ratio("bin/cdktf diff / make plan, unchanged dev", paired_ratio(unchanged[2], unchanged[0]), "x", CDKTF_OVER_PLAN),
        Ratio("make drift / bare terraform plan -refresh-only", paired_ratio(drifts[0], drifts[1])),
        Ratio("make plan / bare terraform plan, one attribute changed (make plan synthesizes)", paired_ratio(change[0], change[1])),
        Ratio("bin/cdktf diff / make plan, one attribute changed", paired_ratio(change[2], change[0]), "x"),
    ]
    write_section(
        section([*unchanged, *drifts, *change], ratios, breakdown, runs=runs, bare_plan=unchanged[1].median, when=datetime.now(UTC), host=machine())
    )
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    from platform_core.errors import PipelineError

    try:
        sys.exit(main())
    except (BenchError, PipelineError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
