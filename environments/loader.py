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
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from environments.accounts import load_accounts
from environments.config_files import display, read_toml, schema_problems
from environments.consistency import rule_findings
from environments.moved_keys import move_keys
from environments.schema import EnvironmentConfig
from environments.validators import NAME_PATTERN
from platform_core.conventions import BASELINE_STACK_PREFIX
from platform_core.errors import ConfigError, Problem

ENVIRONMENTS_DIR = Path(__file__).resolve().parent
"""The shipped environment files live next to this module."""

DIRECTORY_ENV_VAR = "PLATFORM_ENVIRONMENTS_DIR"
"""Names another directory of environment files (tests, or a private set of stages)."""

def environments_dir() -> Path:
    """The directory the environment files are read from."""
    return Path(os.environ.get(DIRECTORY_ENV_VAR) or ENVIRONMENTS_DIR)


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
    file = display(path)
    name = environment_name(path)
    problems: list[Problem] = []
    if not NAME_PATTERN.fullmatch(name) or len(name) > 16:
        problems.append(
            Problem(file, "(file name)", f"{name!r} is not a usable environment name; rename the file to "
                    "2-16 lowercase letters, digits and hyphens, such as 'dev.toml'")
        )
    elif name.startswith(BASELINE_STACK_PREFIX):
        problems.append(
            Problem(file, "(file name)", f"{name!r} starts with {BASELINE_STACK_PREFIX!r}, the prefix of account baseline "
                    "stacks; rename the file")
        )
    data, read_problems = read_toml(path, file)
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
        return None, problems + schema_problems(file, exc, EnvironmentConfig)
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
        raise ConfigError([Problem(display(directory), "(directory)", "holds no *.toml environment files; add one such as dev.toml")])
    if only:
        known = {environment_name(p): p for p in files}
        missing = [n for n in only if n not in known]
        for name in missing:
            problems.append(Problem(display(directory / f"{name}.toml"), "(file)", f"no environment called {name!r}; choose one of {', '.join(sorted(known))}"))
        files = [known[n] for n in only if n in known]
    configs: list[EnvironmentConfig] = []
    for path in files:
        config, file_problems = _load(path)
        problems.extend(file_problems)
        if config is not None:
            configs.append(config)
    problems.extend(_cross_file_problems(configs, directory))
    configs, account_problems = _with_accounts(configs, directory)
    problems.extend(account_problems)
    if problems:
        raise ConfigError(problems)
    return configs


def _with_accounts(configs: Sequence[EnvironmentConfig], directory: Path) -> tuple[list[EnvironmentConfig], list[Problem]]:
    """Each environment's account must exist and cover its region; its ``account_id`` comes from the account file."""
    try:
        accounts = load_accounts(only=[config.account for config in configs])
    except ConfigError as error:
        return list(configs), error.problems
    resolved, problems = [], []
    for config in configs:
        account, file = accounts[config.account], display(directory / f"{config.name}.toml")
        if config.region not in account.covered_regions:
            problems.append(Problem(file, "region", f"{config.region!r} is not covered by account {account.name!r} (regions {', '.join(account.covered_regions)}); add it to accounts/{account.name}.toml regions"))
        if config.account_id not in (None, account.account_id):
            problems.append(Problem(file, "account_id", f"{config.account_id} is not the id of account {account.name!r} ({account.account_id}); remove account_id, the account file sets it"))
        if "deploy_role_arn" in config.model_fields_set:
            problems.append(Problem(file, "deploy_role_arn", f"unknown key; the deploy role is the account's: set deploy_role in accounts/{account.name}.toml"))
        resolved.append(config.model_copy(update={"account_id": account.account_id, "deploy_role_arn": account.deploy_role_arn}))
    return resolved, problems


def _cross_file_problems(configs: Sequence[EnvironmentConfig], directory: Path) -> list[Problem]:
    """Two environments must never share a state object."""
    problems: list[Problem] = []
    owners: dict[tuple[str, str], str] = {}
    for config in configs:
        where = (config.state.bucket, config.state.key)
        if where in owners:
            problems.append(
                Problem(
                    display(directory / f"{config.name}.toml"),
                    "state.key",
                    f"{config.state.key!r} in bucket {config.state.bucket!r} is already the state of "
                    f"{owners[where]!r}; give each environment its own key",
                )
            )
        else:
            owners[where] = config.name
    return problems
