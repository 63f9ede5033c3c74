"""Run checkov and record every check it failed to run: ``python -m ops.checkov_runner <checkov arguments>``.

When a check raises, checkov logs ``Failed to run check <id> on <file>:<resource>``
with the traceback on stderr, counts the check as neither passed nor failed, and
leaves it out of its JSON report. A gate reading only the report would pass what
it never evaluated. This wrapper runs checkov in this process with a logging
handler that records every error checkov logs, and writes them as JSON to the
file named by ``PLATFORM_CHECKOV_ERRORS``: one ``{"check", "resource", "error"}``
per check that failed to run, and ``{"check": null, "error"}`` for any other
error checkov reported. checkov's own exit code and report are unchanged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path

ERRORS_FILE_ENV_VAR = "PLATFORM_CHECKOV_ERRORS"
FAILED_TO_RUN = re.compile(r"^Failed to run check (?P<check>\S+) on (?P<file>.+):(?P<resource>[^:]+)$")


class ErrorRecorder(logging.Handler):
    """Keeps every ERROR record, attributed to its check and resource where the message names them."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[dict[str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        cause = record.exc_info[1] if record.exc_info else None
        error = f"{type(cause).__name__}: {cause}" if cause is not None else message
        found = FAILED_TO_RUN.match(message)
        if found:
            self.errors.append({"check": found["check"], "resource": found["resource"], "error": error})
        else:
            self.errors.append({"check": None, "resource": None, "error": error})


def main(argv: list[str]) -> int:
    errors_file = Path(os.environ[ERRORS_FILE_ENV_VAR])
    recorder = ErrorRecorder()
    from checkov import logging_init  # noqa: F401 - checkov's own logging set-up comes first
    from checkov.main import Checkov

    logging.getLogger().addHandler(recorder)
    try:
        return Checkov(argv).run() or 0
    finally:
        errors_file.write_text(json.dumps(recorder.errors))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
