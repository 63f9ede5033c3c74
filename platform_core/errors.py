"""The errors and exit codes users see: one message naming what is wrong and the fix, never a traceback.

``ConfigError`` is bad input (a file, a field, a variable), refused before anything runs;
``PipelineError`` is a step that failed. Every verb turns either into its message and an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_FAILED = 1
"""Something failed; the message says what and how to fix it."""
EXIT_REFUSED = 2
"""Bad input (an environment file, a variable, an argument) was refused before anything ran."""
EXIT_DESTRUCTIVE = 3
"""The plan would replace or delete something (``make plan`` / ``make review``)."""
EXIT_DRIFT = 4
"""``drift`` found a change made outside Terraform to something the configuration sets."""
EXIT_PENDING = 5
"""``drift`` found no drift, but the configuration differs from what is deployed (a plan would change
something), or the environment was never deployed."""
EXIT_INTERRUPTED = 130
"""SIGINT or SIGTERM arrived; a plan stopped gracefully, an apply was left to finish first (ops/detached_apply.py)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of one file."""

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class ConfigError(Exception):
    """Every problem found in the input; ``str()`` is one ``file: field: reason`` line per problem."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PipelineError(Exception):
    """Something the user can fix; the message names it and says how."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED, *, terraform_output: str = "") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.terraform_output = terraform_output
        """Terraform's whole output, when a Terraform run failed (the message shows only its errors)."""


class StateLockedError(PipelineError):
    """Another run holds the environment's state lock."""

    def __init__(self, message: str, lock_id: str | None, *, stale: bool = False) -> None:
        super().__init__(message)
        self.lock_id = lock_id
        self.stale = stale
        """Taken from this host by a run that is no longer alive (ops/run_registry.py)."""
