"""The only differences a second plan against the emulator may show, each with its reason.

After ``make deploy``, a second plan must be empty. Where the emulator (moto)
answers differently from AWS and the AWS provider therefore plans an in-place
update that AWS would not, the exact address pattern and attribute are listed
here. Nothing else is tolerated, and nothing here is ever tolerated on AWS.
The AWS configuration is never changed to please the emulator.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    address: str
    """An fnmatch pattern over the resource address."""
    attribute: str
    """The attribute path the update may touch (a prefix)."""
    reason: str


ALLOWANCES: tuple[Allowance, ...] = ()
"""Each entry is an in-place update the emulator causes and AWS would not. Empty: every
difference found so far is fixed in the emulator instead (ops/emulator_patches/)."""


def unexplained(changes: list[dict]) -> list[str]:
    """Changes of a second plan that no allowance explains, as readable lines."""
    problems = []
    for change in changes:
        if change["action"] != "update":
            problems.append(f"{change['action']} {change['address']}")
            continue
        for attribute in change["changed_attributes"] or ["(no attribute)"]:
            if not any(
                fnmatch.fnmatchcase(change["address"], a.address) and attribute.startswith(a.attribute) for a in ALLOWANCES
            ):
                problems.append(f"update {change['address']}: {attribute}")
    return problems
