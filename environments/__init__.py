"""The environment files: ``environments/<name>.toml`` is the environment called ``<name>``.

This package only re-exports the public API. The parts:

* ``schema.py``: the pydantic models, with every field's default and meaning;
* ``validators.py``: single-field checks and the typed fields built from them;
* ``consistency.py``: the cross-field rules, one function each, in ``RULES`` order;
* ``moved_keys.py``: keys that moved, still read from their old place with a warning;
* ``loader.py``: reading files, translating errors into ``file: field: reason; fix`` lines;
* ``reference.py``: the README's environment-file reference, generated from the schema.
"""

from __future__ import annotations

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
