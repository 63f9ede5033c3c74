"""The environment-file reference, generated from the schema (in the spirit of terraform-docs).

:func:`reference_table` walks :class:`EnvironmentConfig` and renders one
markdown row per key a file may set: nested tables become dotted keys
(``network.vpc_cidr``), and each row's type, default and meaning come from the
field itself, so the README cannot drift from the code. ``name`` is not a key
(it comes from the file name) and is left out, as is a field the loader fills in
and a file may not set (``exclude=True``).

``python -m environments.reference`` prints the table; ``--write README.md``
replaces the text between the reference markers in that file (``make docs``).
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from environments.account_schema import AccountConfig
from environments.schema import EnvironmentConfig
from environments.validators import Label
from platform_core.errors import EXIT_REFUSED

START_MARKER = "<!-- environment-reference:start -->"
END_MARKER = "<!-- environment-reference:end -->"
REFERENCES: dict[str, tuple[type[BaseModel], str, str]] = {
    "environment": (EnvironmentConfig, START_MARKER, END_MARKER),
    "account": (AccountConfig, "<!-- account-reference:start -->", "<!-- account-reference:end -->"),
}
"""Each kind of settings file, its schema and the README markers around its table."""
NOT_KEYS = frozenset({"name"})
"""Top-level fields that are not keys of the file."""

_SCALARS = {str: "string", int: "int", bool: "bool", float: "number"}


def _model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (a nested table), or None for a leaf."""
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a ``Model | None`` field (a table the file may leave out), else None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [m for m in map(_model, typing.get_args(annotation)) if m]
        return models[0] if len(models) == 1 else None
    return None


def _code(value: Any) -> str:
    return f"`{_toml(value) if not isinstance(value, str) else value}`"


def _toml(value: Any) -> str:
    """A scalar as TOML spells it: ``true``, ``30``, ``"GLACIER_IR"``."""
    return json.dumps(value)


def type_text(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A readable name for a field's type: ``int``, ``CIDR``, ``list of string``, `` `a` | `b` ``."""
    label = next((m.text for m in metadata if isinstance(m, Label)), None)
    if label:
        return label
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0], annotation.__metadata__)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin is Literal:
        return " | ".join(_code(a) for a in args)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is dict:
        return f"table of {type_text(args[0])} to {type_text(args[1])}"
    model = _model(annotation)
    if model:
        return "{" + ", ".join(model.model_fields) + "}"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, BaseModel):
        return "`{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.model_dump().items()) + "}`"
    return _code(value)


def default_text(field: FieldInfo) -> str:
    """``required``, ``none`` (no default, or an empty list), or the default as a file would spell it."""
    return "required" if field.is_required() else _shown(field.get_default(call_default_factory=True))


def rows(model: type[BaseModel] = EnvironmentConfig, prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """``(key, type, default, meaning)`` for every key a file may set, in schema order."""
    for name, field in model.model_fields.items():
        if (not prefix and name in NOT_KEYS) or field.exclude:
            continue
        key = f"{prefix}{name}"
        nested = _model(field.annotation)
        if nested:
            yield from rows(nested, f"{key}.")
            continue
        optional = _optional_model(field.annotation)
        if optional:  # a table the file may leave out: its keys apply only when it is there
            for sub, type_name, default, meaning in rows(optional, f"{key}."):
                yield sub, type_name, default, f"(only with `[{key}]`) {meaning}"
            continue
        yield key, type_text(field.annotation, field.metadata), default_text(field), field.description or ""


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def reference_table(kind: str = "environment") -> str:
    """The markdown table ``| Key | Type | Default | Meaning |`` of every key of one kind of file, ending in a newline."""
    lines = ["| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for key, type_name, default, meaning in rows(REFERENCES[kind][0]):
        lines.append(f"| `{key}` | {_cell(type_name)} | {_cell(default)} | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, table: str, kind: str = "environment") -> str:
    """``text`` with everything between one kind's reference markers replaced by ``table``."""
    _, start_marker, end_marker = REFERENCES[kind]
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        raise ValueError(f"the markers {start_marker} and {end_marker} are missing or out of order")
    head = text[: start + len(start_marker)]
    return f"{head}\n{table}{text[end:]}"


def table_in(text: str, kind: str = "environment") -> str | None:
    """The text between one kind's reference markers, or None if they are missing."""
    _, start_marker, end_marker = REFERENCES[kind]
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        return None
    return text[start + len(start_marker) : end].strip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m environments.reference", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="FILE", type=Path, help="replace the table between the markers in FILE")
    args = parser.parse_args(argv)
    if args.write is None:
        for kind in REFERENCES:
            sys.stdout.write(f"{kind} files:\n{reference_table(kind)}\n")
        return 0
    try:
        text = original = args.write.read_text(encoding="utf-8")
        for kind in REFERENCES:
            text = replace_between_markers(text, reference_table(kind), kind)
    except (OSError, ValueError) as exc:
        print(f"{args.write}: {exc}; add them around the reference table", file=sys.stderr)
        return EXIT_REFUSED
    if text != original:
        args.write.write_text(text, encoding="utf-8")
        print(f"{args.write}: file references updated")
    else:
        print(f"{args.write}: file references already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
