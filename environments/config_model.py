"""What every config file's model shares: the strict base model, the state location, the dotted settings, and
what a file that becomes one stack (:class:`OneStack`) derives from its name.

Environment files (``environments/schema.py``) and account files
(``environments/account_schema.py``) are both validated this way. Only pydantic,
the standard library and the ground floor (``platform_core``) are imported.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from environments.validators import BucketName, Region, RoleArn, StateKey
from platform_core.conventions import STATE_WORKSPACE_PREFIX
from platform_core.naming import STATE_ACCESS_LOG_SUFFIX, ResourceNames, state_access_log_bucket_name


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

    bucket: BucketName = Field(
        description="Remote state bucket: the state is `s3://<bucket>/workspaces/<env>/<key>`. Its server access logs go to `<bucket>-access-logs`, so at most 51 characters."
    )
    region: Region = Field(description="The state bucket's region.")
    key: StateKey = Field(description="The state's key, ending in `.tfstate`; no two environments share bucket and key.")
    role_arn: RoleArn | None = Field(
        default=None,
        description="A role the S3 backend assumes to reach the bucket, for state kept in a central account "
        "(the backend's own `assume_role`). Default: none, the credentials you run with reach it.",
    )

    @field_validator("bucket")
    @classmethod
    def _access_log_bucket_fits(cls, bucket: str) -> str:
        log_bucket = state_access_log_bucket_name(bucket)
        if len(log_bucket) > 63:
            raise ValueError(
                f"its access-log bucket {log_bucket!r} would be {len(log_bucket)} characters, over S3's 63; "
                f"use at most {63 - len(STATE_ACCESS_LOG_SUFFIX)} characters"
            )
        return bucket


class OneStack(StrictModel):
    """A config file that becomes one stack with its own state: an environment or an account's baseline.

    Subclasses declare ``name``, ``project``, ``tags`` and ``state``, say where their files live and how ``make``
    names them, and define ``stack_name`` and ``environment_tag``."""

    SOURCE_DIRECTORY: ClassVar[str]
    """``environments`` or ``accounts``: where ``<name>.toml`` is."""
    MAKE_VARIABLE: ClassVar[str]
    """``ENV`` or ``ACCOUNT``: how a ``make`` verb names the stack."""

    @property
    def names(self) -> ResourceNames:
        """How the stack names things: ``<project>-<purpose>-<name>`` (``acme-vpc-dev``)."""
        return ResourceNames(project=self.project, environment=self.name)  # type: ignore[attr-defined]

    @property
    def source_file(self) -> str:
        return f"{self.SOURCE_DIRECTORY}/{self.name}.toml"  # type: ignore[attr-defined]

    @property
    def make_args(self) -> str:
        """How a ``make`` verb names it: ``ENV=dev``, ``ACCOUNT=default``."""
        return f"{self.MAKE_VARIABLE}={self.name}"  # type: ignore[attr-defined]

    @property
    def state_account_id(self) -> str | None:
        """The account the state bucket is in, when the files say: the state role's, else the stack's own when no
        deploy role stands between (None: whichever account the credentials are)."""
        if self.state.role_arn:  # type: ignore[attr-defined]
            return self.state.role_arn.split(":")[4]  # type: ignore[attr-defined]
        return None if self.deploy_role_arn else self.account_id  # type: ignore[attr-defined]

    @property
    def state_object_key(self) -> str:
        """Where the stack's state lives in its bucket: ``workspaces/<stack>/<key>``."""
        return f"{STATE_WORKSPACE_PREFIX}/{self.stack_name}/{self.state.key}"  # type: ignore[attr-defined]

    def settings(self) -> dict[str, Any]:
        """Every setting by dotted name (``database.multi_az``), as the file would set it, defaults included (what
        suppressions match)."""
        return dotted_settings(self)

    @property
    def resource_tags(self) -> dict[str, str]:
        """The standard tags, with Environment filled in (``environment_tag``)."""
        tags = self.tags  # type: ignore[attr-defined]
        return {"Environment": self.environment_tag, "Application": tags.Application, "CostCenter": tags.CostCenter, "Owner": tags.Owner}

    @property
    def stack_name(self) -> str:
        raise NotImplementedError

    @property
    def environment_tag(self) -> str:
        raise NotImplementedError
