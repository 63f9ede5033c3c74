"""Terraform CLI config: the offline mirror when there is one, the registry otherwise; lock errors; interrupts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ops.errors import PipelineError
from ops.terraform_cli import cli_config_text, find_provider_mirror, lock_error, mirror_holds_provider

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_mirror(root: Path) -> Path:
    (root / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64").mkdir(parents=True)
    return root


def test_a_mirror_with_the_pinned_provider_is_used(tmp_path):
    mirror = make_mirror(tmp_path / "mirror")
    assert mirror_holds_provider(mirror)
    assert find_provider_mirror({"TF_PROVIDER_MIRROR": str(mirror)}) == mirror
    text = cli_config_text(mirror)
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_without_a_mirror_terraform_uses_the_registry():
    text = cli_config_text(None)
    assert "filesystem_mirror" not in text and "direct {}" in text


def test_a_mirror_without_the_pinned_version_is_refused(tmp_path):
    (tmp_path / "registry.terraform.io/hashicorp/aws/5.99.0").mkdir(parents=True)
    assert not mirror_holds_provider(tmp_path)
    with pytest.raises(PipelineError, match="holds no registry.terraform.io/hashicorp/aws 5.100.0"):
        find_provider_mirror({"TF_PROVIDER_MIRROR": str(tmp_path)})


def test_this_machine_mirror_is_found_when_present():
    mirror = find_provider_mirror({})
    if mirror is None:
        pytest.skip("this machine has no filesystem mirror of the AWS provider; Terraform will use the registry")
    assert mirror_holds_provider(mirror)


LOCKED = """
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412
Lock Info:
  ID:        7b1c2d3e-aaaa-bbbb-cccc-1234567890ab
  Path:      acme-tfstate-dev/workspaces/dev/platform/dev.tfstate
  Operation: OperationTypeApply
  Who:       alice@build-7
  Version:   1.11.4
  Created:   2026-11-22 04:00:00.000000 +0000 UTC
  Info:
"""


def test_lock_errors_name_the_holder_and_the_release_command():
    error = lock_error(LOCKED, Path("/x/cdktf.out/stacks/dev"))
    assert error is not None and error.lock_id == "7b1c2d3e-aaaa-bbbb-cccc-1234567890ab"
    message = str(error)
    assert "is locked by alice@build-7 (apply, since 2026-11-22 04:00:00.000000 +0000 UTC" in message
    assert "make unlock ENV=dev LOCK_ID=7b1c2d3e-aaaa-bbbb-cccc-1234567890ab" in message


def test_other_errors_are_not_lock_errors():
    assert lock_error("Error: Invalid reference", Path("dev")) is None


def test_a_lock_taken_here_by_a_run_that_is_gone_is_called_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    here = LOCKED.replace("alice@build-7", f"root@{socket.gethostname()}")
    error = lock_error(here, Path("/x/cdktf.out/stacks/dev"))
    assert error is not None and error.stale
    message = str(error)
    assert "no run of dev is alive on this machine: the lock is stale" in message
    assert "make unlock ENV=dev LOCK_ID=7b1c2d3e-aaaa-bbbb-cccc-1234567890ab" in message
    assert "FORCE_UNLOCK=1" in message


def test_a_lock_held_elsewhere_is_not_called_stale():
    error = lock_error(LOCKED, Path("/x/cdktf.out/stacks/dev"))
    assert error is not None and not error.stale
    assert "Another run is using it" in str(error)


FAKE_TERRAFORM = """#!/usr/bin/env bash
# Answers `version`; otherwise behaves like an apply that stops gracefully on SIGTERM or SIGINT:
# it counts the signals it gets, "saves the state" and exits 1.
if [ "$1" = version ]; then echo "Terraform v1.11.4"; exit 0; fi
signals=0
trap 'signals=$((signals+1))' TERM INT
echo "started" > "$WORK/started"
for i in $(seq 1 200); do echo "creating resource $i"; sleep 0.05; if [ $signals -gt 0 ]; then break; fi; done
sleep 0.5
echo "saved after $signals signal(s)" > "$WORK/saved"
echo "Error: operation canceled"
exit 1
"""

RUN_FAKE_APPLY = (
    "import sys\n"
    "from pathlib import Path\n"
    "from ops.terraform_cli import run_terraform\n"
    "from ops.errors import PipelineError\n"
    "try:\n"
    "    run_terraform(['apply'], cwd=Path(sys.argv[1]), stream=True)\n"
    "except PipelineError as error:\n"
    "    print(f'error: {error}', file=sys.stderr)\n"
    "    sys.exit(error.exit_code)\n"
)


def test_an_interrupted_terraform_run_is_let_finish_gracefully(tmp_path):
    """SIGTERM to the process group (as a CI runner sends it): Terraform gets it once, saves, and the pipeline says so."""
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(FAKE_TERRAFORM)
    binary.chmod(0o755)
    stack = tmp_path / "dev"
    stack.mkdir()
    env = {**os.environ, "PATH": f"{binary.parent}:{os.environ['PATH']}", "WORK": str(tmp_path), "PLATFORM_WORK_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_FAKE_APPLY, str(stack)], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert (tmp_path / "saved").read_text().strip() == "saved after 1 signal(s)", "Terraform saved its state, told once"
    assert process.returncode == 130, stderr
    assert "interrupted (SIGTERM) during terraform apply" in stderr
    assert "make deploy ENV=dev" in stderr
    assert "Traceback" not in stderr
