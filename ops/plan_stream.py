"""``terraform show -json`` of the plan being made, started the moment Terraform has written the plan file.

``terraform plan -out`` writes its plan file about half a second before it exits: it still releases the state lock,
stops the provider and prints the plan. The show the review needs costs seconds of its own (Terraform verifies the
provider against the lock file, starts it and loads its schema to decode the plan), so :class:`EarlyShow` watches
for the file and starts the show as soon as the file is whole, and the two overlap. The show's answer is taken only
once the plan has succeeded; a plan that fails stops it. A file is whole when it reads back as a zip with every
member's checksum right (Terraform writes the zip's directory last, after every member); a show that fails anyway
is run again the ordinary way, after the plan.
"""

from __future__ import annotations

import subprocess
import threading
import zipfile
from pathlib import Path

from ops.terraform_cli import finish_terraform, start_terraform
from platform_core.errors import EXIT_INTERRUPTED, PipelineError

SHOW = ("show", "-json", "-no-color")
POLL_SECONDS = 0.02


def is_whole(plan_file: Path) -> bool:
    """True when ``plan_file`` is a complete zip: its directory is written and every member's checksum is right."""
    try:
        with zipfile.ZipFile(plan_file) as archive:
            return archive.testzip() is None
    except Exception:  # noqa: BLE001 - a file half written fails in many ways (zlib, struct, ...): not whole yet
        return False


class EarlyShow:
    """Starts ``terraform show -json <plan_file>`` in ``directory`` as soon as the plan file is whole."""

    def __init__(self, plan_file: Path, directory: Path) -> None:
        self.plan_file, self.directory = plan_file, directory
        self._stop = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self._watcher = threading.Thread(target=self._watch, name="early-show", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            if is_whole(self.plan_file):
                try:
                    self._process = start_terraform([*SHOW, str(self.plan_file)], cwd=self.directory)
                except Exception:  # noqa: BLE001 - the show runs again the ordinary way after the plan, and says why
                    self._process = None
                return

    def _stopped(self) -> subprocess.Popen[str] | None:
        self._stop.set()
        self._watcher.join()
        return self._process

    def shown(self) -> str | None:
        """The show's output, once the plan has succeeded; None when it never started or failed (show it again then)."""
        process = self._stopped()
        if process is None:
            return None
        try:
            return finish_terraform(process, SHOW, cwd=self.directory).stdout
        except PipelineError as error:
            if error.exit_code == EXIT_INTERRUPTED:
                raise
            return None

    def cancel(self) -> None:
        """The plan failed: stop watching, and stop a show already started."""
        process = self._stopped()
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
