"""The names the platform gives things, for the pipeline's lookups (no CDKTF import)."""

from __future__ import annotations

from constructs_lib.conventions import STATE_WORKSPACE_PREFIX
from constructs_lib.naming import ResourceNames
from environments.schema import EnvironmentConfig


def names_for(config: EnvironmentConfig) -> ResourceNames:
    return ResourceNames(project=config.project, environment=config.name)


def state_object_key(config: EnvironmentConfig) -> str:
    """Where the environment's state lives in its bucket: ``workspaces/<env>/<key>``."""
    return f"{STATE_WORKSPACE_PREFIX}/{config.name}/{config.state.key}"
