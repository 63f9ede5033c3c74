"""The reviewed list of accepted policy findings (``policy/suppressions.toml``), loaded and validated.

Both gates read it: the checkov gate (``ops/checkov_gate.py``) and the project's
own rules (``constructs_lib/rules``), which apply the ``[[rule]]`` entries
through :func:`constructs_lib.rules.suppress`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

SUPPRESSIONS_FILE = Path(__file__).resolve().parent / "suppressions.toml"


def _one_line(reason: str) -> str:
    if not reason.strip() or "\n" in reason or len(reason) > 240:
        raise ValueError("a reason is one line of at most 240 characters")
    return reason


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    resource: str = Field(pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)+$", description="The construct path inside the stack.")
    reason: Annotated[str, AfterValidator(_one_line)]
    environments: list[str] | None = None

    def applies_to(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments


class CheckovSuppression(_Entry):
    check: str = Field(pattern=r"^CKV2?_[A-Z]+_\d+$")


class CheckovErrorSuppression(_Entry):
    """checkov fails to *run* ``check`` on ``resource`` in one of its two inputs, for a known upstream reason.

    Accepted only while the same check runs and passes on the other input: the gate
    checks that whenever it scans both (``ops/checkov_gate.py``)."""

    check: str = Field(pattern=r"^CKV2?_[A-Z]+_\d+$")
    errors_on: Literal["stack", "plan"] = Field(
        description="The input checkov cannot evaluate the check on: the synthesized JSON (stack) or the plan JSON (plan)."
    )

    @property
    def evaluated_on(self) -> str:
        return "plan" if self.errors_on == "stack" else "stack"


class RuleSuppression(_Entry):
    rule: str = Field(pattern=r"^[A-Z]+\d{3}$")


class Suppressions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    checkov: list[CheckovSuppression] = []
    checkov_error: list[CheckovErrorSuppression] = []
    rule: list[RuleSuppression] = []

    def checkov_for(self, environment: str) -> list[CheckovSuppression]:
        return [s for s in self.checkov if s.applies_to(environment)]

    def checkov_errors_for(self, environment: str, errors_on: str) -> list[CheckovErrorSuppression]:
        return [s for s in self.checkov_error if s.applies_to(environment) and s.errors_on == errors_on]

    def rules_for(self, environment: str) -> list[RuleSuppression]:
        return [s for s in self.rule if s.applies_to(environment)]


class SuppressionsError(Exception):
    """The suppression file is malformed; the message names the entry and the field."""


def load_suppressions(path: Path = SUPPRESSIONS_FILE) -> Suppressions:
    try:
        data = tomllib.loads(path.read_text())
        return Suppressions.model_validate(data)
    except (tomllib.TOMLDecodeError, OSError) as error:
        raise SuppressionsError(f"{path}: {error}") from None
    except ValidationError as error:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)]
        raise SuppressionsError("\n".join(lines)) from None
