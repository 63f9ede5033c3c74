"""The one error type the pipeline shows to users: a message, never a traceback."""

from __future__ import annotations


class PipelineError(Exception):
    """Something the user can fix; the message names it and says how."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
