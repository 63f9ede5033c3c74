"""End-to-end fixtures: a real emulator on a free port, a private work directory, phase timings.

Each e2e module gets its own emulator (started here, stopped here) and its own
work directory, so it never touches the developer's ``cdktf.out``, ``plans`` or
running emulator. The wall time of every phase is printed at the end of the run.

The tests of a module run in order on one deployed environment, so a drill that
fails half-way could leave it broken for every test after it. ``converged``
prevents that: after a failure, the next test first runs one converging deploy.
If that succeeds, the next test fails only for its own reasons; if it fails too,
every later test is skipped with a reason naming the first failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from ops.aws_clients import AwsClients
from ops.emulator import Emulator
from platform_core.target import DeployTarget
from tests.conftest import require_tool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PLATFORM = PROJECT_ROOT / "bin" / "platform"
"""The entry point every pipeline run of the end-to-end tests goes through, so their exit codes are its."""
PHASES: list[tuple[str, float]] = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class E2E:
    """A private work directory and emulator, and a way to run the pipeline in them."""

    work: Path
    port: int
    environments: Path = field(default_factory=lambda: PROJECT_ROOT / "environments")
    accounts: Path = field(default_factory=lambda: PROJECT_ROOT / "accounts")
    role_arn: str | None = None
    """The role :meth:`client` assumes first: a view of another account (:meth:`in_account`)."""

    @property
    def target(self) -> DeployTarget:
        return DeployTarget(kind="emulator", emulator_port=self.port)

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("TARGET", "TF_WORKSPACE", "TF_VAR_deploy_role_arn")}
        env.update(
            PLATFORM_WORK_DIR=str(self.work), EMULATOR_PORT=str(self.port),
            PLATFORM_ENVIRONMENTS_DIR=str(self.environments), PLATFORM_ACCOUNTS_DIR=str(self.accounts),
        )
        env.update(extra)
        return env

    def ops(self, *args: str, timeout: int = 900, **extra: str) -> subprocess.CompletedProcess[str]:
        """Run a pipeline verb through the entry point (bin/platform); its output is returned and kept in ``logs/``
        (the leak scan reads it too)."""
        result = subprocess.run(
            [str(PLATFORM), *args],
            cwd=PROJECT_ROOT,
            env=self.environ(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        logs = self.work / "logs"
        logs.mkdir(exist_ok=True)
        (logs / f"{len(list(logs.iterdir())):03d}-{'-'.join(args)[:60]}.log").write_text(result.stdout + result.stderr)
        return result

    def popen(self, *args: str, log: Path | None = None, **extra: str) -> subprocess.Popen[str]:
        """Start a pipeline run in its own process group (signals go to the group, as from a CI runner).

        Its output goes to ``log`` when given (a long run would fill a pipe nobody reads), else to a pipe."""
        return subprocess.Popen(
            [str(PLATFORM), *args],
            cwd=PROJECT_ROOT,
            env=self.environ(**extra),
            stdout=log.open("w") if log else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def client(self, service: str, region: str = "us-east-1"):
        return AwsClients(self.target, region, self.role_arn).client(service)

    def in_account(self, role_arn: str) -> E2E:
        """The same emulator and work directory, whose clients act through ``role_arn`` (moto acts in its account)."""
        return replace(self, role_arn=role_arn)

    def review(self, environment: str) -> dict:
        return json.loads((self.work / "plans" / f"{environment}.json").read_text())


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time one phase; the table is printed at the end of the test run."""
    started = time.monotonic()
    try:
        yield
    finally:
        PHASES.append((name, time.monotonic() - started))


@pytest.fixture(scope="module")
def e2e(tmp_path_factory) -> Iterator[E2E]:
    require_tool("terraform")
    work = tmp_path_factory.mktemp("e2e")
    port = free_port()
    previous = os.environ.get("PLATFORM_WORK_DIR")
    os.environ["PLATFORM_WORK_DIR"] = str(work)
    emulator = Emulator(port)
    try:
        with phase("start the emulator"):
            emulator.start()
        yield E2E(work=work, port=port)
    finally:
        emulator.stop()
        if previous is None:
            os.environ.pop("PLATFORM_WORK_DIR", None)
        else:
            os.environ["PLATFORM_WORK_DIR"] = previous


@dataclass
class DrillRecord:
    """Failures seen so far in the running e2e module, and whether the environment is known good."""

    first_failure: str | None = None
    needs_converging: bool = False
    broken: str | None = None
    """Why the environment could not be converged after a failure: every later test is skipped with it."""


RECORD = DrillRecord()


def _summary(report: pytest.TestReport) -> str:
    lines = [line for line in report.longreprtext.splitlines() if line.startswith("E ")]
    text = lines[0][1:].strip() if lines else report.longreprtext.strip().splitlines()[-1:] or ["(no message)"]
    return f"{report.nodeid.split('::')[-1]} failed: {str(text)[:300]}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call") and item.get_closest_marker("e2e"):
        RECORD.first_failure = RECORD.first_failure or _summary(report)
        RECORD.needs_converging = True


def converge_after_a_failure(e2e: E2E, environment: str, lock_key: Callable[[], bool]) -> None:
    """Skip (naming the first failure) if the environment is known broken; after a failure, converge it first."""
    if RECORD.broken:
        pytest.skip(RECORD.broken)
    if not RECORD.needs_converging:
        return
    RECORD.needs_converging = False
    with phase(f"converge {environment} after a failed test"):
        deadline = time.monotonic() + 900
        while lock_key() and time.monotonic() < deadline:
            time.sleep(1)  # an apply a failed drill left running finishes first
        result = e2e.ops("deploy", environment, FORCE_UNLOCK="1", ALLOW_DESTRUCTIVE="1")
    if result.returncode != 0:
        error = next((line for line in result.stderr.splitlines() if line.startswith("error:")), result.stderr[-300:])
        RECORD.broken = f"{RECORD.first_failure}; converging {environment} afterwards failed too ({error[:300]})"
        pytest.skip(RECORD.broken)


def pytest_sessionfinish(session) -> None:
    """Under xdist the module runs in a worker: hand its phase timings to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["e2e_phases"] = [[name, seconds] for name, seconds in PHASES]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    PHASES.extend((name, seconds) for name, seconds in getattr(node, "workeroutput", {}).get("e2e_phases", []))


def pytest_terminal_summary(terminalreporter) -> None:
    if not PHASES:
        return
    terminalreporter.section("end-to-end phases (wall time)")
    for name, seconds in PHASES:
        terminalreporter.write_line(f"{seconds:8.1f} s  {name}")
    terminalreporter.write_line(f"{sum(s for _, s in PHASES):8.1f} s  total")
