"""Read environment files and turn them into validated configs, or one list of problems.

``environments/<name>.toml`` is the environment called ``<name>``. Loading turns
each file into a validated :class:`EnvironmentConfig`, or raises one
:class:`ConfigError` that lists every problem in every file, one line each::

    environments/dev.toml: network.vpc_cidr: '10.0.0.1/16' has host bits set; use 10.0.0.0/16

A file goes through: reading (size, UTF-8, TOML), keys that moved
(``environments/moved_keys.py``), the schema (types, formats, unknown and
missing keys; pydantic's errors are translated here), then the cross-field
rules (``environments/consistency.py``). Across files, no two environments may share
a state object.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from environments.consistency import rule_findings
from environments.moved_keys import move_keys
from environments.schema import EnvironmentConfig
from environments.validators import NAME_PATTERN
from platform_core.errors import ConfigError, Problem

ENVIRONMENTS_DIR = Path(__file__).resolve().parent
"""The shipped environment files live next to this module."""

DIRECTORY_ENV_VAR = "PLATFORM_ENVIRONMENTS_DIR"
"""Names another directory of environment files (tests, or a private set of stages)."""

MAX_FILE_BYTES = 64 * 1024
"""An environment file is a page of settings; anything larger is a mistake."""

MISSING_KEY = "required key is missing; add it (see the environment file reference in README.md)"


def environments_dir() -> Path:
    """The directory the environment files are read from."""
    return Path(os.environ.get(DIRECTORY_ENV_VAR) or ENVIRONMENTS_DIR)


def _display(path: Path) -> str:
    """The path as the user would type it: relative inside the working directory, absolute outside."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


# --- pydantic's errors as Problems ------------------------------------------------------------


def _field_path(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
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


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    given = error.get("input")
    if kind == "missing":
        return MISSING_KEY
    if kind == "extra_forbidden":
        owner = _model_at(EnvironmentConfig, loc[:-1])
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


def _schema_problems(file: str, error: ValidationError) -> list[Problem]:
    return [Problem(file, _field_path(e["loc"]), _describe(e)) for e in error.errors(include_url=False)]


# --- one file ---------------------------------------------------------------------------------


def _read_toml(path: Path, file: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(file, "(file)", f"cannot be read ({exc.strerror}); check the path")]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(file, "(file)", f"is {size} bytes; an environment file is limited to {MAX_FILE_BYTES} bytes")
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


def environment_name(path: Path) -> str:
    return path.stem


def load_environment(path: Path) -> EnvironmentConfig:
    """Load one environment file; raise ConfigError listing every problem in it."""
    config, problems = _load(path)
    if problems:
        raise ConfigError(problems)
    assert config is not None
    return config


def _load(path: Path) -> tuple[EnvironmentConfig | None, list[Problem]]:
    file = _display(path)
    name = environment_name(path)
    problems: list[Problem] = []
    if not NAME_PATTERN.fullmatch(name) or len(name) > 16:
        problems.append(
            Problem(file, "(file name)", f"{name!r} is not a usable environment name; rename the file to "
                    "2-16 lowercase letters, digits and hyphens, such as 'dev.toml'")
        )
    data, read_problems = _read_toml(path, file)
    if read_problems:
        return None, problems + read_problems
    assert data is not None
    if "name" in data:
        problems.append(
            Problem(file, "name", f"unknown key; an environment's name comes from its file name ({name}.toml is {name!r})")
        )
        data = {k: v for k, v in data.items() if k != "name"}
    if problems:
        return None, problems
    data, problems = move_keys(file, data)
    try:
        config = EnvironmentConfig.model_validate({**data, "name": name})
    except ValidationError as exc:
        return None, problems + _schema_problems(file, exc)
    problems += [Problem(file, field, reason) for field, reason in rule_findings(config)]
    return (None, problems) if problems else (config, [])


# --- every file -------------------------------------------------------------------------------


def environment_files(directory: Path | None = None) -> list[Path]:
    """Every ``*.toml`` file in the directory, sorted by name."""
    return sorted(p for p in (directory or environments_dir()).glob("*.toml") if p.is_file())


def load_environments(directory: Path | None = None, only: Sequence[str] | None = None) -> list[EnvironmentConfig]:
    """Load every environment file in ``directory`` (or only the named ones).

    Raises one ConfigError with the problems of every file, so a user fixes
    them all in one round.
    """
    directory = directory or environments_dir()
    files = environment_files(directory)
    problems: list[Problem] = []
    if not files:
        raise ConfigError([Problem(_display(directory), "(directory)", "holds no *.toml environment files; add one such as dev.toml")])
    if only:
        known = {environment_name(p): p for p in files}
        missing = [n for n in only if n not in known]
        for name in missing:
            problems.append(Problem(_display(directory / f"{name}.toml"), "(file)", f"no environment called {name!r}; choose one of {', '.join(sorted(known))}"))
        files = [known[n] for n in only if n in known]
    configs: list[EnvironmentConfig] = []
    for path in files:
        config, file_problems = _load(path)
        problems.extend(file_problems)
        if config is not None:
            configs.append(config)
    problems.extend(_cross_file_problems(configs, directory))
    if problems:
        raise ConfigError(problems)
    return configs


def _cross_file_problems(configs: Sequence[EnvironmentConfig], directory: Path) -> list[Problem]:
    """Two environments must never share a state object."""
    problems: list[Problem] = []
    owners: dict[tuple[str, str], str] = {}
    for config in configs:
        where = (config.state.bucket, config.state.key)
        if where in owners:
            problems.append(
                Problem(
                    _display(directory / f"{config.name}.toml"),
                    "state.key",
                    f"{config.state.key!r} in bucket {config.state.bucket!r} is already the state of "
                    f"{owners[where]!r}; give each environment its own key",
                )
            )
        else:
            owners[where] = config.name
    return problems
