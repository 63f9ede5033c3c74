"""Terraform CLI config: the offline mirror when there is one, the registry otherwise; lock errors; interrupts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ops.terraform_cli import (
    cli_config_text,
    find_provider_mirror,
    finish_terraform,
    lock_error,
    mirror_holds_provider,
    start_terraform,
    stream_terraform,
    terraform_binary,
    terraform_environ,
    ui_message,
    ui_text,
)
from platform_core.errors import PipelineError, StateLockedError

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


def _counting_terraform(directory: Path, version: str) -> Path:
    """A terraform that answers ``version`` with ``version`` and counts how often it was asked."""
    directory.mkdir(exist_ok=True)
    binary = directory / "terraform"
    binary.write_text(f'#!/bin/sh\necho asked >> "{directory / "asked"}"\necho "Terraform v{version}"\n')
    binary.chmod(0o755)
    return binary


def test_the_version_is_asked_once_per_binary_and_again_when_it_is_replaced(tmp_path):
    binary = _counting_terraform(tmp_path / "bin", "1.11.4")
    environ = {"PATH": str(binary.parent)}
    assert terraform_binary(environ) == terraform_binary(environ) == str(binary)
    assert (binary.parent / "asked").read_text().count("asked") == 1, "every Terraform step checks it: asked once"
    _counting_terraform(tmp_path / "bin", "1.9.8")  # replaced in place by an older one
    with pytest.raises(PipelineError, match="is Terraform v1.9.8; the platform needs Terraform 1.10 or newer"):
        terraform_binary(environ)
    with pytest.raises(PipelineError, match="v1.9.8"):
        terraform_binary(environ)
    assert (binary.parent / "asked").read_text().count("asked") == 3, "a refused binary is never remembered as good"


def test_on_the_emulator_the_shells_endpoints_and_workspace_are_not_terraforms(tmp_path, monkeypatch):
    """Every service goes to the emulator: a service-specific endpoint from the shell would outrank the target's."""
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    shell = {"EMULATOR_PORT": "5123", "AWS_ENDPOINT_URL_S3": "https://elsewhere", "AWS_ENDPOINT_URL": "https://x", "TF_WORKSPACE": "prod"}
    env = terraform_environ(environ=shell)
    assert env["AWS_ENDPOINT_URL"] == env["HTTP_PROXY"] == "http://127.0.0.1:5123"
    assert not {"AWS_ENDPOINT_URL_S3", "TF_WORKSPACE"} & set(env)
    on_aws = terraform_environ(environ={**shell, "TARGET": "aws"})
    assert (on_aws["AWS_ENDPOINT_URL_S3"], on_aws["AWS_ENDPOINT_URL"]) == ("https://elsewhere", "https://x"), "on AWS the user's choice stands"
    assert "HTTP_PROXY" not in on_aws and "TF_WORKSPACE" not in on_aws


def test_lock_errors_name_the_holder_and_the_release_command():
    error = lock_error(LOCKED, Path("/x/cdktf.out/stacks/dev"))
    assert error is not None and error.lock_id == "7b1c2d3e-aaaa-bbbb-cccc-1234567890ab"
    message = str(error)
    assert "is locked by alice@build-7 (apply, since 2026-11-22 04:00:00.000000 +0000 UTC" in message
    assert "make unlock ENV=dev LOCK_ID=7b1c2d3e-aaaa-bbbb-cccc-1234567890ab" in message


def stand_in_terraform(tmp_path: Path, monkeypatch, body: str) -> Path:
    """A ``terraform`` on PATH that answers ``version`` and otherwise runs the bash ``body``; the pipeline's work
    directory is ``tmp_path``. Returns the stack directory ``dev`` under it."""
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(f"#!/usr/bin/env bash\n[ \"$1\" = version ] && echo 'Terraform v1.11.4' && exit 0\n{body}\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{binary.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    (tmp_path / "dev").mkdir()
    return tmp_path / "dev"


def test_a_lock_error_in_terraforms_json_report_reads_as_the_printed_one(tmp_path, monkeypatch):
    """``terraform plan -json`` reports the lock error as a diagnostic: rendered, it names the same holder and lock."""
    summary, detail = LOCKED.strip().split("\n\n", 1)
    diagnostic = {"@level": "error", "@message": summary, "type": "diagnostic", "diagnostic": {"severity": "error", "summary": summary.removeprefix("Error: "), "detail": detail}}
    assert ui_text(diagnostic) == LOCKED.strip()
    stack = stand_in_terraform(tmp_path, monkeypatch, f"echo 'not JSON: a line on stderr' >&2\necho '{json.dumps(diagnostic)}'\nexit 1")
    seen: list[dict] = []
    with pytest.raises(StateLockedError) as raised:
        stream_terraform(["plan"], cwd=stack, on_message=seen.append)
    assert raised.value.lock_id == "7b1c2d3e-aaaa-bbbb-cccc-1234567890ab" and "alice@build-7 (apply" in str(raised.value)
    assert [message["type"] for message in seen] == ["text", "diagnostic"]


def test_a_diagnostic_names_the_resource_and_the_line(tmp_path):
    diagnostic = {
        "type": "diagnostic",
        "diagnostic": {"severity": "warning", "summary": "Deprecated", "detail": "Use x.", "address": "aws_s3_bucket.a", "range": {"filename": "cdk.tf.json", "start": {"line": 12}}},
    }
    assert ui_text(diagnostic) == "Warning: Deprecated\n\n  with aws_s3_bucket.a,\n  on cdk.tf.json line 12:\n\nUse x."
    assert ui_message("plain text\n") == {"type": "text", "@message": "plain text"} and ui_text(ui_message("[1]")) == "[1]"


def test_a_diagnostic_shows_its_source_line_and_the_values_in_it():
    diagnostic = {"type": "diagnostic", "diagnostic": {
        "severity": "error", "summary": "Invalid value", "detail": "Must be positive.", "range": {"filename": "cdk.tf.json", "start": {"line": 7}},
        "snippet": {"context": 'resource "aws_sqs_queue" "q"', "code": '  "delay_seconds": "${var.delay}"', "start_line": 7,
                    "values": [{"traversal": "var.delay", "statement": "is -1"}]}}}
    assert ui_text(diagnostic).splitlines()[2:] == [
        '  on cdk.tf.json line 7, in resource "aws_sqs_queue" "q":',
        '  7:   "delay_seconds": "${var.delay}"',
        "    ├────────────────",
        "    │ var.delay is -1",
        "",
        "Must be positive.",
    ]


def test_a_reader_that_fails_lets_terraform_finish_first(tmp_path, monkeypatch):
    """An error while reading the report is raised once Terraform has ended: a pipe closed under it would kill it on
    its next write, still holding the state lock."""
    stack = stand_in_terraform(
        tmp_path, monkeypatch, f"for i in $(seq 2000); do echo '{{\"type\": \"log\", \"@message\": \"line\"}}'; done\nprintf '\\xff not UTF-8\\n'\ntouch {tmp_path}/finished"
    )

    def fails(message: dict) -> None:
        raise RuntimeError("a reader's bug")

    with pytest.raises(RuntimeError, match="a reader's bug"):
        stream_terraform(["plan"], cwd=stack, on_message=fails)
    assert (tmp_path / "finished").exists(), "Terraform ran to its end"


def test_an_interrupt_stops_a_run_started_in_its_own_session(tmp_path, monkeypatch):
    """The early show runs in a session of its own (so stopping it stops its provider); a Ctrl-C does not reach it,
    so waiting for it stops it, and the run reports the interrupt at once."""
    stack = stand_in_terraform(tmp_path, monkeypatch, "sleep 60")
    process = start_terraform(["show", "-json"], cwd=stack)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    with pytest.raises(PipelineError) as raised:
        finish_terraform(process, ["show"], cwd=stack)
    assert raised.value.exit_code == 130 and time.monotonic() - started < 30
    assert process.returncode is not None, "stopped, with what it started"


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
# Answers `version`; otherwise works for about 2 s like an apply that stops gracefully on SIGTERM or SIGINT:
# it counts the signals it gets, "saves the state" and exits (1 if it was stopped, 0 if it completed).
if [ "$1" = version ]; then echo "Terraform v1.11.4"; exit 0; fi
signals=0
trap 'signals=$((signals+1))' TERM INT
echo "started" > "$WORK/started"
for i in $(seq 1 40); do echo "creating resource $i"; sleep 0.05; if [ $signals -gt 0 ]; then break; fi; done
sleep 0.3
echo "saved after $signals signal(s)" > "$WORK/saved"
[ $signals -eq 0 ]
"""

RUN_FAKE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from ops.run_registry import registered_run\n"
    "from ops.terraform_cli import run_terraform, stream_terraform\n"
    "from platform_core.errors import PipelineError\n"
    "try:\n"
    "    with registered_run('dev', 'deploy'):\n"
    "        if sys.argv[2] == 'plan':  # as the pipeline plans: its report read as it comes\n"
    "            stream_terraform(['plan'], cwd=Path(sys.argv[1]), on_message=lambda message: None)\n"
    "        else:\n"
    "            run_terraform([sys.argv[2]], cwd=Path(sys.argv[1]), stream=True, detach=sys.argv[2] == 'apply')\n"
    "except PipelineError as error:\n"
    "    print(f'error: {error}', file=sys.stderr)\n"
    "    sys.exit(error.exit_code)\n"
)


def start_fake_run(tmp_path: Path, verb: str) -> subprocess.Popen[str]:
    """A pipeline process running the fake terraform ``verb``, in its own process group, once the fake has started."""
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(FAKE_TERRAFORM)
    binary.chmod(0o755)
    stack = tmp_path / "dev"
    stack.mkdir()
    env = {**os.environ, "PATH": f"{binary.parent}:{os.environ['PATH']}", "WORK": str(tmp_path), "PLATFORM_WORK_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_FAKE, str(stack), verb], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    wait_for(tmp_path / "started", process)
    time.sleep(0.2)
    return process


def wait_for(path: Path, process: subprocess.Popen[str] | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        assert process is None or process.poll() is None or path.exists(), process.communicate()
        time.sleep(0.05)


def test_an_interrupted_plan_lets_terraform_stop_gracefully(tmp_path):
    """SIGTERM to the process group (as a CI runner sends it): Terraform gets it once and saves; the pipeline says so."""
    process = start_fake_run(tmp_path, "plan")
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert (tmp_path / "saved").read_text().strip() == "saved after 1 signal(s)", "Terraform was told once, and saved"
    assert process.returncode == 130, stderr
    assert "interrupted (SIGTERM) during terraform plan" in stderr and "stopped gracefully and saved the state" in stderr
    assert "Traceback" not in stderr


def test_an_interrupted_apply_is_left_to_finish(tmp_path):
    """The apply runs in its own session: the signal does not cut it off; the pipeline waits, then reports."""
    process = start_fake_run(tmp_path, "apply")
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert (tmp_path / "saved").read_text().strip() == "saved after 0 signal(s)", "the apply completed untouched"
    assert process.returncode == 130, stderr
    assert "the apply is left to finish" in stderr
    assert "interrupted (SIGTERM) during terraform apply" in stderr and "was left to finish, and completed" in stderr
    assert "make deploy ENV=dev" in stderr and "Traceback" not in stderr
    assert (tmp_path / "plans" / "dev.apply.log").read_text().count("creating resource") == 40


def test_an_apply_outlives_a_killed_pipeline_and_its_lock_is_not_called_stale(tmp_path, monkeypatch):
    process = start_fake_run(tmp_path, "apply")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    here = LOCKED.replace("alice@build-7", f"root@{socket.gethostname()}")
    assert not (tmp_path / "saved").exists(), "the fake apply runs about 2 s"
    error = lock_error(here, tmp_path / "dev")
    assert error is not None and not error.stale
    assert "left its apply running (terraform pid" in str(error) and "dev.apply.log" in str(error)
    wait_for(tmp_path / "saved")
    assert (tmp_path / "saved").read_text().strip() == "saved after 0 signal(s)", "the apply went on to the end"
    time.sleep(0.2)
    assert lock_error(here, tmp_path / "dev").stale, "once the apply is done, a lock it left would be stale"
