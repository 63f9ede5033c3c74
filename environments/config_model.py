"""What every config file's model shares: the strict base model, the state location and the dotted settings.

Environment files (``environments/schema.py``) and account files
(``environments/account_schema.py``) are both validated this way. Only pydantic
and the standard library are imported.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from environments.validators import BucketName, Region, StateKey


class StrictModel(BaseModel):
    """No coercion between TOML types, no unknown keys, immutable once loaded."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def dotted_settings(model: BaseModel) -> dict[str, Any]:
    """Every field of a config file's model by dotted name (``database.multi_az``), defaults included; not its name,
    which comes from the file name. Suppressions match these (``when = ["database.multi_az = false"]``)."""
    flat: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else key)
        else:
            flat[prefix] = value

    walk(model.model_dump(exclude={"name"}), "")
    return flat


class StateConfig(StrictModel):
    """Where this environment's Terraform state lives (S3, encrypted, with lockfiles)."""

    bucket: BucketName = Field(description="Remote state bucket: the state is `s3://<bucket>/workspaces/<env>/<key>`.")
    region: Region = Field(description="The state bucket's region.")
    key: StateKey = Field(description="The state's key, ending in `.tfstate`; no two environments share bucket and key.")
