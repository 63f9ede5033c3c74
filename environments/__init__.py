"""Load and validate the environment files.

``environments/<name>.toml`` is the environment called ``<name>``. Loading turns
each file into a validated :class:`EnvironmentConfig`, or raises one
:class:`ConfigError` that lists every problem in every file, one line each::

    environments/dev.toml: network.vpc_cidr: '10.0.0.1/16' has host bits set; use 10.0.0.0/16

The checks happen in two passes: the schema (types, formats, unknown and
missing keys), then the rules that relate fields to each other (AZs inside the
region, subnet sizes that fit the VPC, names that make valid bucket names,
production keeping its protections, distinct state keys).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from environments.schema import (
    INFREQUENT_ACCESS_MINIMUM_DAYS,
    NAME_PATTERN,
    PRODUCTION_AUDIT_RETENTION_DAYS,
    PRODUCTION_BACKUP_RETENTION_DAYS,
    EnvironmentConfig,
)
from platform_core.errors import ConfigError, Problem
from platform_core.subnet_layout import TIERS, SubnetLayoutError, az_slot, check_prefix_length
from platform_core.windows import window_minutes, windows_overlap

__all__ = [
    "ConfigError",
    "EnvironmentConfig",
    "Problem",
    "ENVIRONMENTS_DIR",
    "environment_files",
    "load_environment",
    "load_environments",
]

ENVIRONMENTS_DIR = Path(__file__).resolve().parent
"""The shipped environment files live next to this module."""

DIRECTORY_ENV_VAR = "PLATFORM_ENVIRONMENTS_DIR"
"""Names another directory of environment files (tests, or a private set of stages)."""


def environments_dir() -> Path:
    """The directory the environment files are read from."""
    return Path(os.environ.get(DIRECTORY_ENV_VAR) or ENVIRONMENTS_DIR)

MAX_FILE_BYTES = 64 * 1024
"""An environment file is a page of settings; anything larger is a mistake."""

LONGEST_BUCKET_PURPOSE = "access-logs"
"""The longest purpose word that goes into a data-lake bucket name."""

ACCOUNT_ID_LENGTH = 12


def _display(path: Path) -> str:
    """The path as the user would type it: relative inside the working directory, absolute outside."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


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
        return "required key is missing; add it (see the environment file reference in README.md)"
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


def _rule_problems(file: str, config: EnvironmentConfig) -> list[Problem]:
    """Rules that relate one field to another, checked once the schema holds."""
    problems: list[Problem] = []

    def add(field: str, reason: str) -> None:
        problems.append(Problem(file, field, reason))

    network = config.network
    seen: set[str] = set()
    for index, az in enumerate(network.availability_zones):
        field = f"network.availability_zones[{index}]"
        if az in seen:
            add(field, f"{az!r} is listed twice; list each availability zone once")
        seen.add(az)
        if not (az.startswith(config.region) and len(az) == len(config.region) + 1):
            add(field, f"{az!r} is not an availability zone of region {config.region}; use a name like '{config.region}a'")
            continue
        try:
            az_slot(az)
        except SubnetLayoutError as exc:
            add(field, str(exc))

    for tier in TIERS:
        try:
            check_prefix_length(network.vpc_cidr, getattr(network.subnet_prefix_lengths, tier))
        except SubnetLayoutError as exc:
            add(f"network.subnet_prefix_lengths.{tier}", str(exc))

    vpc = ipaddress.IPv4Network(network.vpc_cidr)
    allowed = [ipaddress.IPv4Network(c) for c in network.allowed_ingress_cidrs]
    for i, first in enumerate(allowed):
        for j in range(i):
            if first.overlaps(allowed[j]):
                add(
                    f"network.allowed_ingress_cidrs[{i}]",
                    f"{first} overlaps {allowed[j]} (entry {j}); keep one of them",
                )
        if first.overlaps(vpc):
            add(
                f"network.allowed_ingress_cidrs[{i}]",
                f"{first} overlaps the VPC's own range {vpc}; list outside networks only",
            )

    if len(set(network.interface_endpoints)) != len(network.interface_endpoints):
        add("network.interface_endpoints", "a service is listed twice; list each service once")

    longest = f"{config.project}-{LONGEST_BUCKET_PURPOSE}-{config.name}-{'0' * ACCOUNT_ID_LENGTH}"
    if len(longest) > 63:
        add(
            "project",
            f"bucket names such as {longest!r} would be {len(longest)} characters, over S3's 63; "
            "shorten the project or environment name",
        )

    if config.tags.Environment is not None and config.tags.Environment != config.name:
        add("tags.Environment", f"{config.tags.Environment!r} differs from the environment's name {config.name!r}; remove it or set it to {config.name!r}")

    transitions = config.storage.data_transitions
    for index, transition in enumerate(transitions):
        field = f"storage.data_transitions[{index}]"
        if index and transition.days <= transitions[index - 1].days:
            add(f"{field}.days", f"{transition.days} is not after the previous transition's {transitions[index - 1].days}; list transitions in increasing days")
        if transition.storage_class in ("STANDARD_IA", "ONEZONE_IA") and transition.days < INFREQUENT_ACCESS_MINIMUM_DAYS:
            add(f"{field}.days", f"S3 moves objects to {transition.storage_class} only after {INFREQUENT_ACCESS_MINIMUM_DAYS} days or more; use at least {INFREQUENT_ACCESS_MINIMUM_DAYS}")
    if len({t.storage_class for t in transitions}) != len(transitions):
        add("storage.data_transitions", "a storage class is listed twice; list each class once")

    if config.production and config.audit.log_retention_days < PRODUCTION_AUDIT_RETENTION_DAYS:
        add(
            "audit.log_retention_days",
            f"a production environment keeps audit logs at least 7 years; use {PRODUCTION_AUDIT_RETENTION_DAYS} or more",
        )

    database = config.database
    if database.max_allocated_storage_gb < database.allocated_storage_gb:
        add("database.max_allocated_storage_gb", f"{database.max_allocated_storage_gb} is below allocated_storage_gb ({database.allocated_storage_gb}); raise it")
    overlap = windows_overlap(database.backup_window, database.maintenance_window)
    if overlap:
        add("database.backup_window", f"{database.backup_window} overlaps the maintenance window {database.maintenance_window} on {overlap}; move one of them")
    for field, window in (("backup_window", database.backup_window), ("maintenance_window", database.maintenance_window)):
        if window_minutes(window) < 30:
            add(f"database.{field}", f"{window} is shorter than the 30 minutes RDS requires; widen it")
    if config.production and not database.multi_az:
        add("database.multi_az", "a production database runs in two AZs; set it to true, or production = false")
    if config.production and database.backup_retention_days < PRODUCTION_BACKUP_RETENTION_DAYS:
        add("database.backup_retention_days", f"a production database keeps backups at least {PRODUCTION_BACKUP_RETENTION_DAYS} days")
    if config.compute.ami_id is not None and "ami_parameter" in config.compute.model_fields_set:
        add("compute.ami_id", "set either ami_id or ami_parameter, not both")

    if config.api.throttle_burst_limit < config.api.throttle_rate_limit:
        add("api.throttle_burst_limit", f"{config.api.throttle_burst_limit} is below throttle_rate_limit ({config.api.throttle_rate_limit}); a burst must admit at least one second of traffic")
    if len(set(config.api.cors_allowed_origins)) != len(config.api.cors_allowed_origins):
        add("api.cors_allowed_origins", "an origin is listed twice; list each once")

    if config.production:
        for name in config.protections.relaxed():
            add(
                f"protections.{name}",
                "a production environment may not turn this protection off; set it to true, "
                "or set production = false if this is not production",
            )
    return problems


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
    try:
        config = EnvironmentConfig.model_validate({**data, "name": name})
    except ValidationError as exc:
        return None, _schema_problems(file, exc)
    problems = _rule_problems(file, config)
    return (None, problems) if problems else (config, [])


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
