"""What runs before a plan (``StackPipeline.prepare``), and what is left out when it is not needed: the workspace
selection, and the state-bucket check off the plan's path. Terraform, synth and the buckets are faked here; tests/e2e
runs the real ones."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

import ops.pipeline as pipeline_module
from ops.pipeline import EnvironmentPipeline, StackPipeline
from platform_core.errors import EXIT_INTERRUPTED, PipelineError
from platform_core.target import DeployTarget

REAL_PREFLIGHT = StackPipeline.preflight
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class FakeTerraform:
    """Records each Terraform step; init writes what init writes, ``workspace select`` the selection."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.calls: list[str] = []
        self.init_selects: str | None = None
        """The workspace init leaves selected (as init does when the backend lacks the directory's one); None keeps it."""
        self.select_works = True
        self.failed_plans: list[PipelineError] = []
        """Errors the next plans raise, in turn (a plan that cannot reach its state bucket)."""
        self.planning = threading.Event()

    def __call__(self, args, **_):
        self.calls.append(" ".join(args[:2]) if args[0] == "workspace" else args[0])
        if args[0] == "plan":
            self.planning.set()
            if self.failed_plans:
                raise self.failed_plans.pop(0)
            (out,) = [a.removeprefix("-out=") for a in args if a.startswith("-out=")]
            Path(out).write_bytes(b"saved plan")
        dot = self.directory / ".terraform"
        if args[0] == "init":
            (dot / "providers" / "registry.terraform.io").mkdir(parents=True, exist_ok=True)
            (dot / "terraform.tfstate").write_text('{"backend": {"type": "s3"}}')
            if self.init_selects is not None:
                (dot / "environment").write_text(self.init_selects)
        if args[:2] == ["workspace", "select"] and self.select_works:
            (dot / "environment").write_text(args[-1])
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    def stream(self, args, *, on_message, **kwargs):
        """``terraform plan -json``: Terraform's report of a plan that changes nothing (so the review needs no show)."""
        result = self(args, **kwargs)
        on_message({"type": "change_summary", "changes": {"add": 0, "change": 0, "import": 0, "remove": 0, "operation": "plan"}})
        return result


@pytest.fixture
def terraform(tmp_path, monkeypatch) -> FakeTerraform:
    directory = tmp_path / "cdktf.out" / "stacks" / "dev"  # dev's stack directory under this work directory
    directory.mkdir(parents=True)
    binary = tmp_path / "terraform"
    binary.write_text("#!/bin/sh\n")
    fake = FakeTerraform(directory)

    def synthesize(**_):
        fake.calls.append("synthesize")
        (directory / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": {"bucket": "acme-tfstate-dev"}}}}))

    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    monkeypatch.setattr(pipeline_module, "run_terraform", fake)
    monkeypatch.setattr(pipeline_module, "stream_terraform", fake.stream)
    monkeypatch.setattr(pipeline_module, "synthesize", synthesize)
    monkeypatch.setattr(pipeline_module, "terraform_binary", lambda: str(binary))
    monkeypatch.setattr(pipeline_module, "missing_state_buckets", lambda configs, target: [])
    monkeypatch.setattr(pipeline_module, "make_state_buckets", lambda pending, target: pending and fake.calls.append("make buckets"))
    monkeypatch.setattr(StackPipeline, "preflight", lambda self: None)
    return fake


@pytest.fixture
def dev(configs, terraform) -> EnvironmentPipeline:
    return EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"))


def test_a_new_directory_selects_its_workspace_and_a_second_run_needs_neither(dev, terraform):
    dev.prepare()
    assert terraform.calls == ["synthesize", "init", "workspace select"]
    terraform.calls.clear()
    dev.prepare()
    assert terraform.calls == [], "nothing synth, init or the workspace read changed"


def test_init_again_keeps_the_selected_workspace_without_selecting_it_again(dev, terraform, capsys):
    dev.prepare()
    (terraform.directory / ".terraform.lock.hcl").write_text("a new provider lock\n")
    terraform.calls.clear()
    dev.prepare()
    assert terraform.calls == ["init"]
    assert "workspace dev: selected here, and init found it in the backend" in capsys.readouterr().err


def test_a_workspace_init_did_not_keep_is_selected_again(dev, terraform):
    dev.prepare()
    (terraform.directory / ".terraform.lock.hcl").write_text("a new provider lock\n")
    terraform.init_selects = "default"  # the backend no longer holds dev's workspace (an emulator started afresh)
    terraform.calls.clear()
    dev.prepare()
    assert terraform.calls == ["init", "workspace select"]
    assert (terraform.directory / ".terraform" / "environment").read_text() == "dev"


def test_a_workspace_that_cannot_be_selected_stops_the_run_and_leaves_no_stamp(dev, terraform):
    terraform.select_works = False
    with pytest.raises(PipelineError, match="workspace dev could not be selected \\(Terraform reports 'default'\\)"):
        dev.prepare()
    terraform.select_works = True
    terraform.calls.clear()
    dev.prepare()
    assert terraform.calls == ["init", "workspace select"], "nothing of init was taken as done"


@pytest.fixture
def buckets(monkeypatch, terraform):
    """The state-bucket check as the test sets it: what it finds missing (``found``), once ``release`` is set."""

    class Check:
        found: list = []
        release = threading.Event()
        timed_out = False

    def check(configs, target):
        Check.timed_out |= not Check.release.wait(timeout=5)
        return [(config, existing) for config, existing in Check.found if config in configs]

    monkeypatch.setattr(pipeline_module, "missing_state_buckets", check)
    return Check


def prepared_before(dev, terraform, buckets) -> None:
    """dev as a run that synthesized, initialized and selected its workspace here leaves it."""
    buckets.release.set()
    dev.prepare()
    dev.settle_state_buckets()
    terraform.calls.clear()
    buckets.release.clear()


def test_with_init_current_the_buckets_are_checked_beside_the_plan_not_before_it(dev, terraform, buckets):
    prepared_before(dev, terraform, buckets)
    # The check answers only once the plan has started: were the plan waiting for it, this would take the full timeout.
    terraform.planning.clear()
    threading.Thread(target=lambda: terraform.planning.wait(10) and buckets.release.set(), daemon=True).start()
    dev.prepare()
    dev.plan()
    assert not buckets.timed_out, "the plan waited for the check"
    assert terraform.calls == ["plan"]
    assert dev.bucket_check is None, "settled by the plan"


def test_init_waits_for_the_check_and_a_missing_bucket_is_made_before_it(dev, terraform, buckets):
    buckets.found = [(dev.config, [])]
    buckets.release.set()
    dev.prepare()
    assert terraform.calls == ["synthesize", "make buckets", "init", "workspace select"]


def test_a_missing_state_bucket_found_beside_the_plan_is_made_and_the_plan_runs_again(dev, terraform, buckets, capsys):
    prepared_before(dev, terraform, buckets)
    buckets.found = [(dev.config, [])]  # the emulator was started afresh: nothing of dev is left
    buckets.release.set()
    terraform.failed_plans = [PipelineError("terraform plan failed: NoSuchBucket")]
    dev.prepare()
    review = dev.plan()
    assert terraform.calls == ["plan", "make buckets", "plan"]
    assert review.changes == [] and "its state bucket was missing and is made now: planning again" in capsys.readouterr().err


def test_a_missing_access_log_bucket_is_made_after_the_plan(dev, terraform, buckets):
    prepared_before(dev, terraform, buckets)
    buckets.found = [(dev.config, [dev.config.state.bucket])]
    buckets.release.set()
    dev.prepare()
    dev.plan()
    assert terraform.calls == ["plan", "make buckets"]


def test_a_failed_plan_whose_bucket_check_fails_too_tells_both(dev, terraform, buckets, monkeypatch):
    prepared_before(dev, terraform, buckets)

    def check_fails(configs, target):
        raise PipelineError("the state bucket acme-tfstate-dev could not be checked: InternalError")

    monkeypatch.setattr(pipeline_module, "missing_state_buckets", check_fails)
    terraform.failed_plans = [PipelineError("terraform plan failed: Error: Unsupported argument")]
    dev.prepare()
    with pytest.raises(PipelineError) as raised:
        dev.plan()
    assert str(raised.value).startswith("terraform plan failed: Error: Unsupported argument"), "the plan's own error first"
    assert "(and the state-bucket check failed: the state bucket acme-tfstate-dev could not be checked" in str(raised.value)


@pytest.mark.parametrize(
    ("failure", "found"),
    [("the buckets are in place", []), ("interrupted", None)],
)
def test_a_plan_that_fails_for_another_reason_fails_as_before(dev, terraform, buckets, failure, found):
    prepared_before(dev, terraform, buckets)
    error = PipelineError("terraform plan failed", exit_code=EXIT_INTERRUPTED if failure == "interrupted" else 1)
    buckets.found = found if found is not None else [(dev.config, [])]
    buckets.release.set()
    terraform.failed_plans = [error]
    dev.prepare()
    with pytest.raises(PipelineError) as raised:
        dev.plan()
    assert raised.value is error
    assert terraform.calls == ["plan"], "planned once, and an interrupted run makes nothing"


def test_drift_reads_the_state_then_prepares_and_checks_the_target_once(dev, terraform, monkeypatch):
    started: list[int] = []

    class Emulator:
        def __init__(self, port: int) -> None:
            self.url = f"http://127.0.0.1:{port}"

        def start(self) -> bool:
            started.append(1)
            return False

    class StateHistory:
        def __init__(self, config, target) -> None:
            terraform.calls.append("read the state")

        def deployed_resources(self) -> int:
            return 186

    monkeypatch.setattr(StackPipeline, "preflight", REAL_PREFLIGHT)
    monkeypatch.setattr(pipeline_module, "Emulator", Emulator)
    monkeypatch.setattr(pipeline_module, "StateHistory", StateHistory)
    assert dev.drift() == 0
    assert started == [1], "the emulator (on AWS: the credentials) checked once, before the state was read"
    assert terraform.calls == ["read the state", "synthesize", "init", "workspace select", "plan"]


def _edited_environments(tmp_path: Path) -> Path:
    copy = tmp_path / "environments"
    copy.mkdir()
    for path in (PROJECT_ROOT / "environments").glob("*.toml"):
        copy.joinpath(path.name).write_text(path.read_text())
    dev = copy / "dev.toml"
    dev.write_text(dev.read_text().replace("reserved_concurrency = 5", "reserved_concurrency = 6"))
    return copy


CHANGES = {
    "an edited environment file": lambda tmp_path, monkeypatch: monkeypatch.setenv("PLATFORM_ENVIRONMENTS_DIR", str(_edited_environments(tmp_path))),
    "another target": lambda tmp_path, monkeypatch: DeployTarget(kind="aws"),
    "another emulator port": lambda tmp_path, monkeypatch: DeployTarget(kind="emulator", emulator_port=4999),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_the_plan_verbs_synthesize_again_when_what_the_synth_reads_changed(dev, terraform, monkeypatch, tmp_path, change):
    """The wiring: prepare takes the digest with the environment directory and the target it runs with (each kind of
    input, the code and the lock files included, changes the digest: tests/ops/test_synth_stamp.py)."""
    dev.prepare()
    terraform.calls.clear()
    target = change(tmp_path, monkeypatch)
    again = EnvironmentPipeline(dev.config, target or dev.target)
    again.prepare()
    assert terraform.calls == ["synthesize"]
    terraform.calls.clear()
    EnvironmentPipeline(dev.config, target or dev.target).prepare()
    assert terraform.calls == [], "and not again while nothing changes"
