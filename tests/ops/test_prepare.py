"""What runs before a plan (``StackPipeline.prepare``), and what is left out when it is not needed: the workspace
selection, and the state-bucket check off the plan's path. Terraform, synth and the buckets are faked here; tests/e2e
runs the real ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import ops.pipeline as pipeline_module
from ops.pipeline import EnvironmentPipeline, StackPipeline
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget


class FakeTerraform:
    """Records each Terraform step; init writes what init writes, ``workspace select`` the selection."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.calls: list[str] = []
        self.init_selects: str | None = None
        """The workspace init leaves selected (as init does when the backend lacks the directory's one); None keeps it."""
        self.select_works = True

    def __call__(self, args, **_):
        self.calls.append(" ".join(args[:2]) if args[0] == "workspace" else args[0])
        dot = self.directory / ".terraform"
        if args[0] == "init":
            (dot / "providers" / "registry.terraform.io").mkdir(parents=True, exist_ok=True)
            (dot / "terraform.tfstate").write_text('{"backend": {"type": "s3"}}')
            if self.init_selects is not None:
                (dot / "environment").write_text(self.init_selects)
        if args[:2] == ["workspace", "select"] and self.select_works:
            (dot / "environment").write_text(args[-1])
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")


@pytest.fixture
def terraform(tmp_path, monkeypatch) -> FakeTerraform:
    directory = tmp_path / "stacks" / "dev"
    directory.mkdir(parents=True)
    binary = tmp_path / "terraform"
    binary.write_text("#!/bin/sh\n")
    fake = FakeTerraform(directory)

    def synthesize(**_):
        (directory / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": {"bucket": "acme-tfstate-dev"}}}}))

    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    monkeypatch.setattr(pipeline_module, "run_terraform", fake)
    monkeypatch.setattr(pipeline_module, "synthesize", synthesize)
    monkeypatch.setattr(pipeline_module, "terraform_binary", lambda: str(binary))
    monkeypatch.setattr(pipeline_module, "ensure_state_buckets", lambda *a, **k: fake.calls.append("state buckets"))
    monkeypatch.setattr(StackPipeline, "preflight", lambda self: None)
    monkeypatch.setattr(StackPipeline, "directory", property(lambda self: directory))
    return fake


@pytest.fixture
def dev(configs, terraform) -> EnvironmentPipeline:
    return EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator"))


def test_a_new_directory_selects_its_workspace_and_a_second_run_needs_neither(dev, terraform):
    dev.prepare()
    assert [c for c in terraform.calls if c != "state buckets"] == ["init", "workspace select"]
    terraform.calls.clear()
    dev.prepare()
    assert [c for c in terraform.calls if c != "state buckets"] == [], "nothing init or the workspace read changed"


def test_init_again_keeps_the_selected_workspace_without_selecting_it_again(dev, terraform, capsys):
    dev.prepare()
    (terraform.directory / ".terraform.lock.hcl").write_text("a new provider lock\n")
    terraform.calls.clear()
    dev.prepare()
    assert [c for c in terraform.calls if c != "state buckets"] == ["init"]
    assert "workspace dev: selected here, and init found it in the backend" in capsys.readouterr().err


def test_a_workspace_init_did_not_keep_is_selected_again(dev, terraform):
    dev.prepare()
    (terraform.directory / ".terraform.lock.hcl").write_text("a new provider lock\n")
    terraform.init_selects = "default"  # the backend no longer holds dev's workspace (an emulator started afresh)
    terraform.calls.clear()
    dev.prepare()
    assert [c for c in terraform.calls if c != "state buckets"] == ["init", "workspace select"]
    assert (terraform.directory / ".terraform" / "environment").read_text() == "dev"


def test_a_workspace_that_cannot_be_selected_stops_the_run_and_leaves_no_stamp(dev, terraform):
    terraform.select_works = False
    with pytest.raises(PipelineError, match="workspace dev could not be selected \\(Terraform reports 'default'\\)"):
        dev.prepare()
    terraform.select_works = True
    terraform.calls.clear()
    dev.prepare()
    assert [c for c in terraform.calls if c != "state buckets"] == ["init", "workspace select"], "nothing was taken as done"
