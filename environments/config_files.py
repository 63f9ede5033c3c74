"""Reading one settings file (an environment's or an account's) into problems a user can act on.

Shared by the environment loader (``environments/loader.py``) and the account loader
(``environments/accounts.py``): size and encoding limits, TOML syntax, and pydantic's
errors translated into ``file: field: reason`` lines.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from platform_core.errors import Problem

MAX_FILE_BYTES = 64 * 1024
"""A settings file is a page of settings; anything larger is a mistake."""

MISSING_KEY = "required key is missing; add it (see the file references in README.md)"


def display(path: Path) -> str:
    """The path as the user would type it: relative inside the working directory, absolute outside."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


# --- pydantic's errors as Problems ------------------------------------------------------------


BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
"""A key TOML writes without quotes."""


def _field_path(loc: Iterable[Any]) -> str:
    """``api.allowed_ingress_cidrs[0]``; a key that is not a bare TOML key (an unknown key with spaces, a colon or a
    line break) is quoted as TOML quotes it, so the message stays one ``file: field: reason`` line."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = str(part) if BARE_KEY.fullmatch(str(part)) else json.dumps(str(part))
            text += f".{key}" if text else key
    return text or "(file)"


def _model_at(model: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that owns the field at ``loc``, to list its allowed keys."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    given = error.get("input")
    if kind == "missing":
        return MISSING_KEY
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        allowed = [name for name in allowed if name != "name"] if not loc[:-1] else allowed
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"unknown key; remove it or fix its spelling{hint}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("too_short", "too_long"):
        ctx = error["ctx"]
        limit = ctx["min_length"] if kind == "too_short" else ctx["max_length"]
        bound = "at least" if kind == "too_short" else "at most"
        return f"needs {bound} {limit} {'entry' if limit == 1 else 'entries'}, has {ctx['actual_length']}"
    message = error["msg"]
    if kind.endswith("_type") or kind == "literal_error":
        shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{message}; got {shown}"
    return message


def schema_problems(file: str, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """pydantic's errors for a file validated against ``model``, one Problem each, in words."""
    return [Problem(file, _field_path(e["loc"]), _describe(e, model)) for e in error.errors(include_url=False)]


# --- one file ---------------------------------------------------------------------------------


def read_toml(path: Path, file: str, kind: str = "an environment file") -> tuple[dict[str, Any] | None, list[Problem]]:
    """The file's TOML as a dict, or the Problems that stop reading it (size, encoding, syntax)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(file, "(file)", f"cannot be read ({exc.strerror}); check the path")]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(file, "(file)", f"is {size} bytes; {kind} is limited to {MAX_FILE_BYTES} bytes")
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(file, "(file)", f"is not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(file, "(syntax)", f"is not valid TOML: {exc}; fix the syntax")]
