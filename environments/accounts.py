"""Load and validate the account files (``accounts/<name>.toml``), as the environment files are.

Each file becomes a validated :class:`AccountConfig`, or one :class:`ConfigError`
lists every problem, one ``file: field: reason`` line each. Environments name
their account (``account``, default ``default``); ``load_environments`` checks
that it exists and covers the environment's region.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from environments.account_schema import AccountConfig
from environments.config_files import display, read_toml, schema_problems
from environments.validators import NAME_PATTERN
from platform_core.errors import ConfigError, Problem

ACCOUNTS_DIR = Path(__file__).resolve().parent.parent / "accounts"
"""The shipped account files."""
ACCOUNTS_DIR_ENV_VAR = "PLATFORM_ACCOUNTS_DIR"
"""Names another directory of account files (tests, or a private set of accounts)."""
DEFAULT_ACCOUNT = "default"
"""The account of an environment that names none."""


def accounts_dir() -> Path:
    return Path(os.environ.get(ACCOUNTS_DIR_ENV_VAR) or ACCOUNTS_DIR)


def account_files(directory: Path | None = None) -> list[Path]:
    return sorted(p for p in (directory or accounts_dir()).glob("*.toml") if p.is_file())


def _rules(config: AccountConfig) -> Iterator[tuple[str, str]]:
    """What relates one field of an account file to another."""
    if len(set(config.regions)) != len(config.regions):
        yield "regions", "a region is listed twice; list each region once"
    if config.regions and config.home_region not in config.regions:
        yield "regions", f"does not include the home region {config.home_region!r}; add it, or leave regions out"
    if config.state.region != config.home_region:
        yield "state.region", f"{config.state.region!r} is not the home region {config.home_region!r}; keep the baseline's state there"


def _load(path: Path) -> tuple[AccountConfig | None, list[Problem]]:
    file, name = display(path), path.stem
    problems: list[Problem] = []
    if not NAME_PATTERN.fullmatch(name) or len(name) > 16:
        problems.append(Problem(file, "(file name)", f"{name!r} is not a usable account name; rename the file to 2-16 lowercase letters, digits and hyphens, such as 'default.toml'"))
    data, read_problems = read_toml(path, file, "an account file")
    if read_problems:
        return None, problems + read_problems
    assert data is not None
    if "name" in data:
        problems.append(Problem(file, "name", f"unknown key; an account's name comes from its file name ({name}.toml is {name!r})"))
    if problems:
        return None, problems
    try:
        config = AccountConfig.model_validate({**data, "name": name})
    except ValidationError as exc:
        return None, schema_problems(file, exc, AccountConfig)
    problems = [Problem(file, field, reason) for field, reason in _rules(config)]
    return (None, problems) if problems else (config, [])


def load_accounts(directory: Path | None = None, only: Sequence[str] | None = None) -> dict[str, AccountConfig]:
    """Every account file in ``directory`` (or only the named ones), by name; one ConfigError listing every problem."""
    directory = directory or accounts_dir()
    files = {path.stem: path for path in account_files(directory)}
    problems: list[Problem] = []
    wanted = list(dict.fromkeys(only)) if only is not None else sorted(files)
    for name in wanted:
        if name not in files:
            known = ", ".join(sorted(files)) or "none"
            problems.append(Problem(display(directory / f"{name}.toml"), "(file)", f"no account called {name!r}; add accounts/{name}.toml (accounts now: {known})"))
    accounts: dict[str, AccountConfig] = {}
    for name in wanted:
        if name in files:
            config, file_problems = _load(files[name])
            problems += file_problems
            if config is not None:
                accounts[name] = config
    ids: dict[str, str] = {}
    for account in accounts.values():
        if account.account_id in ids:
            problems.append(Problem(display(files[account.name]), "account_id", f"{account.account_id} is already account {ids[account.account_id]!r}; one file per account"))
        ids.setdefault(account.account_id, account.name)
    if problems:
        raise ConfigError(problems)
    return accounts
