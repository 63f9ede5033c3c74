"""The local AWS emulator: moto in server mode on 127.0.0.1, started when needed.

``start()`` is idempotent: it returns at once if the emulator already answers
on the port, and otherwise starts it in the background (its pid and log live in
``.platform/emulator/``) and waits until it answers. ``stop()`` stops the one
this project started. The emulator keeps everything in memory: stopping it
forgets every resource and every state file in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ops.paths import PROJECT_ROOT, platform_dir
from platform_core.errors import PipelineError
from platform_core.target import EMULATOR_HOST

START_TIMEOUT_SECONDS = 60
HEALTH_PATH = "/moto-api/"


@dataclass(frozen=True)
class Emulator:
    """One emulator on one port."""

    port: int

    @property
    def url(self) -> str:
        return f"http://{EMULATOR_HOST}:{self.port}"

    @property
    def directory(self) -> Path:
        return platform_dir() / "emulator"

    @property
    def pid_file(self) -> Path:
        return self.directory / f"{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / f"{self.port}.log"

    def answers(self) -> bool:
        """True if moto answers on the port."""
        try:
            with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=2) as response:  # noqa: S310 - loopback URL we built
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def port_taken(self) -> bool:
        import socket

        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex((EMULATOR_HOST, self.port)) == 0

    def start(self) -> bool:
        """Start the emulator unless it already answers. Returns True if this call started it."""
        if self.answers():
            return False
        if self.port_taken():
            raise PipelineError(
                f"port {self.port} on {EMULATOR_HOST} is in use by something that is not the emulator; "
                "stop it, or choose another port with EMULATOR_PORT=<port>"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "ops.moto_server", "--port", str(self.port)],
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise PipelineError(
                    f"the emulator exited at start (code {process.returncode}); its log is {self.log_file}:\n"
                    + self._log_tail()
                )
            if self.answers():
                return True
            time.sleep(0.3)
        self.stop()
        raise PipelineError(f"the emulator did not answer on {self.url} within {START_TIMEOUT_SECONDS} s; see {self.log_file}")

    def stop(self) -> bool:
        """Stop the emulator this project started on the port. Returns True if one was stopped."""
        if not self.pid_file.exists():
            if self.answers():
                raise PipelineError(
                    f"an emulator answers on {self.url} but this project did not start it "
                    f"(no {self.pid_file}); stop it where it was started"
                )
            return False
        pid = int(self.pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                os.killpg(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.pid_file.unlink(missing_ok=True)
        return True

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def require_running(port: int) -> Emulator:
    """The emulator on the port, which must already answer; PipelineError with the fix otherwise."""
    emulator = Emulator(port)
    if not emulator.answers():
        raise PipelineError(
            f"the local AWS emulator does not answer on {emulator.url}; start it with `make emulator-start` "
            f"(or `make deploy`, which starts it), or set EMULATOR_PORT to the port it runs on"
        )
    return emulator
