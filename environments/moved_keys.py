"""Keys that moved to another table: the old place is still read, for a while, with a warning.

Before the schema sees a file, :func:`move_keys` moves each such key to its new
table and prints one deprecation line to stderr (a warning, not a refusal). A
file that sets both places is refused, since the two values could differ.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

from platform_core.errors import Problem


class MovedKey(NamedTuple):
    """``[old_table] key`` is now ``[new_table] key``."""

    old_table: str
    key: str
    new_table: str

    @property
    def old(self) -> str:
        return f"{self.old_table}.{self.key}"

    @property
    def new(self) -> str:
        return f"{self.new_table}.{self.key}"


MOVED_KEYS: tuple[MovedKey, ...] = (
    MovedKey("network", "allowed_ingress_cidrs", "api"),  # the API's allow-list belongs to the API
)


def move_keys(file: str, data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """``data`` with every moved key in its new table, and a Problem for each key set in both places.

    A new table that is absent is created empty, so a key missing from both
    places is reported at its new place. ``data`` itself is not changed.
    """
    data = dict(data)
    problems: list[Problem] = []
    for moved in MOVED_KEYS:
        old = data.get(moved.old_table)
        new = data.get(moved.new_table, {})
        if not isinstance(old, dict) or moved.key not in old:
            if moved.new_table not in data:
                data[moved.new_table] = {}
            continue
        value = old[moved.key]
        data[moved.old_table] = {k: v for k, v in old.items() if k != moved.key}
        if isinstance(new, dict) and moved.key in new:
            problems.append(
                Problem(file, moved.old, f"also set as {moved.new}; keep only [{moved.new_table}] {moved.key}")
            )
            continue
        print(Problem(file, moved.old, f"deprecated; move it to [{moved.new_table}] as {moved.key}"), file=sys.stderr)
        if isinstance(new, dict):
            data[moved.new_table] = {**new, moved.key: value}
    return data, problems
