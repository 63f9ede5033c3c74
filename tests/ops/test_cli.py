"""Bad situations at the pipeline's door: one clear line, a non-zero exit, no traceback, nothing done."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_ops(*args: str, work: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TARGET"}
    environ.update(
        PLATFORM_WORK_DIR=str(work),
        AWS_CONFIG_FILE=str(work / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        **env,
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ops", *args], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    return result, time.monotonic() - started


def assert_one_clear_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert text in result.stderr, result.stderr


def test_aws_target_without_credentials_fails_fast_before_anything_runs(tmp_path):
    result, seconds = run_ops("plan", "prod", work=tmp_path, TARGET="aws")
    assert_one_clear_error(result, 1, "error: TARGET=aws needs AWS credentials, and none were found")
    assert "unset TARGET to deploy onto the local emulator" in result.stderr
    assert not (tmp_path / "cdktf.out").exists(), "nothing may be synthesized"
    assert seconds < 30, f"took {seconds:.1f} s"


def test_destroying_production_is_refused_before_anything_runs(tmp_path):
    result, _ = run_ops("destroy", "prod", work=tmp_path)
    assert_one_clear_error(result, 2, "refusing to destroy prod: it is a production environment (production = true)")
    assert "Nothing was touched." in result.stderr
    assert not (tmp_path / ".platform" / "emulator").exists(), "not even the emulator may start"


def test_an_unknown_environment_is_refused(tmp_path):
    result, _ = run_ops("plan", "qa", work=tmp_path)
    assert_one_clear_error(result, 2, "no environment called 'qa'; choose one of dev, prod, staging")


def test_a_bad_target_variable_is_refused(tmp_path):
    result, _ = run_ops("plan", "dev", work=tmp_path, TARGET="gcp")
    assert_one_clear_error(result, 2, "environment variable: TARGET: 'gcp' is not a deploy target")


def test_missing_terraform_is_reported_with_the_fix(tmp_path):
    bare_path = str(Path(sys.executable).parent) + os.pathsep + "/usr/bin/nonexistent"
    result, _ = run_ops("plan", "dev", work=tmp_path, PATH=bare_path)
    assert_one_clear_error(result, 1, "terraform is not installed or not on PATH; install Terraform 1.10 or newer")


def test_an_emulator_port_taken_by_something_else_is_reported(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result, _ = run_ops("plan", "dev", work=tmp_path, EMULATOR_PORT=str(port))
    assert_one_clear_error(result, 1, f"port {port} on 127.0.0.1 is in use by something that is not the emulator")


def test_verify_without_a_running_emulator_says_how_to_start_it(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result, _ = run_ops("verify", "dev", work=tmp_path, EMULATOR_PORT=str(port))
    assert_one_clear_error(result, 1, f"the local AWS emulator does not answer on http://127.0.0.1:{port}")


def test_an_endpoint_that_is_another_http_server_is_reported(tmp_path):
    """A wrong endpoint: something answers HTTP on the emulator's port, but it is not the emulator."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        port = server.server_address[1]
        result, _ = run_ops("plan", "dev", work=tmp_path, EMULATOR_PORT=str(port))
    finally:
        server.shutdown()
        server.server_close()
    assert_one_clear_error(result, 1, f"port {port} on 127.0.0.1 is in use by something that is not the emulator")
    assert not (tmp_path / "cdktf.out").exists(), "nothing may be synthesized"


def test_an_emulator_port_that_is_no_port_is_refused(tmp_path):
    result, _ = run_ops("plan", "dev", work=tmp_path, EMULATOR_PORT="70000")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "EMULATOR_PORT" in result.stderr


def test_a_baseline_has_no_smoke_test(tmp_path):
    result, _ = run_ops("smoke", "baseline-default", work=tmp_path)
    assert_one_clear_error(result, 2, "baseline-default is an account baseline, which serves no requests: smoke-test an environment (ENV=<name>)")


def test_smoke_without_an_emulator_says_so(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result, _ = run_ops("smoke", "dev", work=tmp_path, EMULATOR_PORT=str(port))
    assert_one_clear_error(result, 1, f"error: the local AWS emulator does not answer on http://127.0.0.1:{port}; start it")
