"""The environment files: ``environments/<name>.toml`` is the environment called ``<name>``.

This package only re-exports the public API. The parts:

* ``schema.py``: the pydantic models, with every field's default and meaning;
* ``validators.py``: single-field checks and the typed fields built from them;
* ``consistency.py``: the cross-field rules, one function each, in ``RULES`` order;
* ``moved_keys.py``: keys that moved, still read from their old place with a warning;
* ``loader.py``: reading files, translating errors into ``file: field: reason; fix`` lines;
* ``config_files.py``: reading one settings file, shared by environments and accounts;
* ``account_schema.py``, ``accounts.py``: the account files (``accounts/<name>.toml``);
* ``reference.py``: the README's file references, generated from the schemas.
"""

from __future__ import annotations

from environments.account_schema import AccountConfig
from environments.accounts import ACCOUNTS_DIR_ENV_VAR, DEFAULT_ACCOUNT, load_accounts
from environments.loader import (
    DIRECTORY_ENV_VAR,
    ENVIRONMENTS_DIR,
    environment_files,
    environments_dir,
    load_environment,
    load_environments,
)
from environments.schema import EnvironmentConfig
from platform_core.errors import ConfigError, Problem

__all__ = [
    "ACCOUNTS_DIR_ENV_VAR",
    "AccountConfig",
    "DEFAULT_ACCOUNT",
    "load_accounts",
    "ConfigError",
    "DIRECTORY_ENV_VAR",
    "ENVIRONMENTS_DIR",
    "EnvironmentConfig",
    "Problem",
    "environment_files",
    "environments_dir",
    "load_environment",
    "load_environments",
]
