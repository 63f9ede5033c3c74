"""The reviewed list of accepted policy findings (``policy/suppressions.toml``), loaded and validated.

Both gates read it: the checkov gate (``ops/checkov_gate.py``) and the project's
own rules (``constructs_lib/rules``), which apply the ``[[rule]]`` entries
through :func:`constructs_lib.rules.suppress`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from platform_core.conventions import BASELINE_STACK_PREFIX

SUPPRESSIONS_FILE = Path(__file__).resolve().parent / "suppressions.toml"


def _one_line(reason: str) -> str:
    if not reason.strip() or "\n" in reason or len(reason) > 240:
        raise ValueError("a reason is one line of at most 240 characters")
    return reason


Settings = Mapping[str, Any]
"""An environment's settings by dotted name (``database.multi_az``), as ``EnvironmentConfig.settings()`` gives them."""


def _condition(text: str) -> str:
    Condition.parse(text)
    return text


CONDITION = re.compile(r"^(?P<key>[a-z_]+(\.[a-z_]+)+)\s*(=\s*(?P<value>\S.*)|\s(?P<is_set>is set))$")
"""``<setting> = <TOML value>``, or ``<setting> is set`` for an optional setting given any value (a resource that
exists only then, such as the copy vault's key of ``backup.copy_to_region``)."""


@dataclass(frozen=True)
class Condition:
    """One ``when`` condition: ``key`` equals ``value``, or (``is_set``) has any value at all."""

    key: str
    value: Any = None
    is_set: bool = False

    @classmethod
    def parse(cls, text: str) -> Condition:
        match = CONDITION.fullmatch(text.strip())
        if not match:
            raise ValueError(
                f"{text!r} is not a condition; write it as '<setting> = <value>', such as 'database.multi_az = false', "
                "or '<setting> is set', such as 'backup.copy_to_region is set'"
            )
        if match["is_set"]:
            return cls(match["key"], is_set=True)
        try:
            return cls(match["key"], tomllib.loads(f"value = {match['value'].strip()}")["value"])
        except tomllib.TOMLDecodeError:
            raise ValueError(f"{text!r}: the value is not a TOML value (true, false, a number or a quoted string)") from None

    def holds(self, settings: Settings) -> bool:
        if self.key not in settings:
            return False
        return settings[self.key] is not None if self.is_set else settings[self.key] == self.value

    def unmet(self, settings: Settings) -> str:
        """What it asks, and what the setting is here."""
        asked = "is set" if self.is_set else f"= {json.dumps(self.value)}"
        return f"{self.key} {asked} (here {json.dumps(settings.get(self.key))})"


def stack_kind(stack: str) -> str:
    """``baseline`` for an account's baseline stack (``baseline-<account>``), else ``environment``."""
    return "baseline" if stack.startswith(BASELINE_STACK_PREFIX) else "environment"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    resource: str = Field(pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)+$", description="The construct path inside the stack.")
    reason: Annotated[str, AfterValidator(_one_line)]
    when: list[Annotated[str, AfterValidator(_condition)]] | None = Field(
        default=None,
        description="Settings under which the finding is accepted, such as 'database.multi_az = false': it then holds in "
        "every environment that relaxes that setting, and in none that keeps it. 'backup.copy_to_region is set' holds "
        "where an optional setting has any value (for a resource that exists only then).",
    )
    environments: list[str] | None = Field(default=None, description="Environments the finding is accepted in, by name.")
    stack: Literal["environment", "baseline", "every"] = Field(
        default="environment",
        description="The kind of stack the resource is in: every environment's, an account baseline's (baseline-<account>; "
        "its settings are the account file's, such as 'features.config = false'), or every stack (a construct both make).",
    )

    def holds_in(self, stack: str) -> bool:
        return self.stack in ("every", stack_kind(stack))

    def conditions(self) -> list[Condition]:
        """Each ``when`` condition, parsed."""
        return [Condition.parse(text) for text in self.when or []]

    def applies_to(self, environment: str, settings: Settings) -> bool:
        """True when the stack is of this entry's kind, the environment is named (or no names are given) and every
        ``when`` condition holds."""
        if not self.holds_in(environment):
            return False
        if self.environments is not None and environment not in self.environments:
            return False
        return all(condition.holds(settings) for condition in self.conditions())

    def why_not(self, environment: str, settings: Settings) -> str:
        """For a finding this entry does not cover here: what it would take, to say in the failure."""
        if not self.holds_in(environment):
            return f"policy/suppressions.toml accepts it only in {self.stack} stacks; {environment} is not one, so fix the finding"
        if self.environments is not None and environment not in self.environments:
            return (
                f"policy/suppressions.toml accepts it only for environments {', '.join(self.environments)}: if the same "
                f"reason holds for {environment}, add it to that entry's environments (better: replace them by the "
                f"setting it relaxes, as when = [...])"
            )
        unmet = [condition.unmet(settings) for condition in self.conditions() if not condition.holds(settings)]
        return f"policy/suppressions.toml accepts it only when {'; '.join(unmet)}: {environment} keeps the setting, so fix the finding"


class CheckovSuppression(_Entry):
    check: str = Field(pattern=r"^CKV2?_[A-Z]+_\d+$")
    found_in: Literal["stack", "plan"] = Field(
        default="stack",
        description="The input whose scan finds it, and so tells when the entry no longer matches anything: the "
        "synthesized JSON (where policy documents are data sources), or the plan JSON (where checkov reads the rendered "
        "policy of an aws_iam_policy instead).",
    )


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

    def checkov_for(self, environment: str, settings: Settings) -> list[CheckovSuppression]:
        return [s for s in self.checkov if s.applies_to(environment, settings)]

    def checkov_not_for(self, environment: str, settings: Settings) -> list[CheckovSuppression]:
        """The ``[[checkov]]`` entries that do not hold here (to explain a failure they nearly cover)."""
        return [s for s in self.checkov if not s.applies_to(environment, settings)]

    def checkov_errors_for(self, environment: str, settings: Settings, errors_on: str) -> list[CheckovErrorSuppression]:
        return [s for s in self.checkov_error if s.applies_to(environment, settings) and s.errors_on == errors_on]

    def rules_for(self, environment: str, settings: Settings) -> list[RuleSuppression]:
        return [s for s in self.rule if s.applies_to(environment, settings)]


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
