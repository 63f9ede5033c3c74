"""List and restore versions of an environment's Terraform state object (docs/runbooks/restore-state.md).

The state bucket is versioned, so every write of the state keeps the one
before it. After a bad write (a corrupted or truncated object, a state pushed
by mistake), ``make state-versions ENV=<env>`` lists the versions with what
each holds, and ``make restore-state ENV=<env> VERSION_ID=<id>`` makes a chosen
version current again by copying it over the key: a new version, so the bad
one stays in the history as well.

Restoring is refused while a run holds the environment's lock, and for a
version that is not a valid Terraform state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from environments.deployable import Deployable
from ops.aws_clients import AwsClients
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget


@dataclass(frozen=True)
class StateVersion:
    """One stored version of the state object, and what it holds."""

    version_id: str
    modified: datetime
    size: int
    current: bool
    serial: int | None
    lineage: str | None
    resources: int | None

    @property
    def valid(self) -> bool:
        return self.serial is not None

    def line(self) -> str:
        marker = "current" if self.current else "       "
        held = (
            f"serial {self.serial}, lineage {self.lineage}, {self.resources} resources"
            if self.valid
            else "NOT A VALID TERRAFORM STATE"
        )
        return f"{marker}  {self.version_id}  {self.modified:%Y-%m-%d %H:%M:%S}  {self.size:>9} B  {held}"


def managed_instances(state: dict) -> int:
    """The resources a state records, counted as a plan counts them: managed instances (no data sources)."""
    return sum(len(r.get("instances", [])) for r in state.get("resources", []) if r.get("mode", "managed") == "managed")


def _inspect(body: bytes) -> tuple[int | None, str | None, int | None]:
    try:
        state = json.loads(body)
        return int(state["serial"]), str(state["lineage"]), managed_instances(state)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, None, None


class StateHistory:
    """The versions of one stack's state object (an environment's or a baseline's) in its state bucket."""

    def __init__(self, config: Deployable, target: DeployTarget) -> None:
        self.config = config
        self.bucket = config.state.bucket
        self.key = config.state_object_key
        self.s3 = AwsClients(target, config.state.region, config.state.role_arn).client("s3")

    def versions(self) -> list[StateVersion]:
        """Newest first."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            listed = self.s3.list_object_versions(Bucket=self.bucket, Prefix=self.key).get("Versions", [])
            found = []
            for version in listed:
                if version["Key"] != self.key:
                    continue
                body = self.s3.get_object(Bucket=self.bucket, Key=self.key, VersionId=version["VersionId"])["Body"].read()
                found.append(
                    StateVersion(version["VersionId"], version["LastModified"], version["Size"], version["IsLatest"], *_inspect(body))
                )
        except (BotoCoreError, ClientError) as error:
            raise PipelineError(f"cannot read the state versions of s3://{self.bucket}/{self.key}: {_one_line(error)}") from None
        if not found:
            raise PipelineError(f"s3://{self.bucket}/{self.key} has no versions: {self.config.stack_name} was never deployed")
        return sorted(found, key=lambda v: v.modified, reverse=True)

    def deployed_resources(self) -> int | None:
        """How many resources the current state records; None when there is no state at all (no bucket,
        no object: the environment was never deployed)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchBucket", "NoSuchKey", "404"):
                return None
            raise PipelineError(f"cannot read the state s3://{self.bucket}/{self.key}: {_one_line(error)}") from None
        except BotoCoreError as error:
            raise PipelineError(f"cannot read the state s3://{self.bucket}/{self.key}: {_one_line(error)}") from None
        _, _, resources = _inspect(body)
        return resources

    def lock_info(self) -> dict | None:
        """The state lock Terraform holds (its ID, Who, Operation, Created), or None when the state is not locked."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=f"{self.key}.tflock")["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchBucket", "NoSuchKey", "404"):
                return None
            raise PipelineError(f"cannot read the state lock s3://{self.bucket}/{self.key}.tflock: {_one_line(error)}") from None
        except BotoCoreError as error:
            raise PipelineError(f"cannot read the state lock s3://{self.bucket}/{self.key}.tflock: {_one_line(error)}") from None
        try:
            info = json.loads(body)
        except ValueError:
            return {"ID": "(unreadable)"}
        return info if isinstance(info, dict) else {"ID": "(unreadable)"}

    def locked(self) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.s3.head_object(Bucket=self.bucket, Key=f"{self.key}.tflock")
        except ClientError:
            return False
        return True

    def restore(self, version_id: str) -> StateVersion:
        """Copy ``version_id`` over the key (a new current version); returns the version restored."""
        versions = self.versions()
        chosen = next((v for v in versions if v.version_id == version_id), None)
        if chosen is None:
            raise PipelineError(
                f"version {version_id} is not a version of s3://{self.bucket}/{self.key}; "
                f"list them with: make state-versions {self.config.make_args}"
            )
        if not chosen.valid:
            raise PipelineError(f"version {version_id} is not a valid Terraform state; pick another from make state-versions")
        if self.locked():
            raise PipelineError(
                f"a run holds the lock of {self.config.stack_name} (s3://{self.bucket}/{self.key}.tflock); restore only "
                f"when no run is active. Nothing was restored."
            )
        self.s3.copy_object(
            Bucket=self.bucket,
            Key=self.key,
            CopySource={"Bucket": self.bucket, "Key": self.key, "VersionId": version_id},
        )
        return chosen


def _one_line(error: Exception) -> str:
    """An AWS error as one readable line: its code and message, not the SDK's wrapping."""
    response = getattr(error, "response", None) or {}
    detail = response.get("Error", {})
    if detail.get("Code"):
        return f"{detail['Code']}: {detail.get('Message') or 'no message'}"
    return str(error).splitlines()[0]
