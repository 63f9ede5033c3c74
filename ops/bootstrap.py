"""Create (or adopt) the state bucket of an environment or an account baseline with its own small Terraform stack.

The stack (:class:`constructs_lib.state_bucket.StateBucketStack`) keeps *local*
state under ``.platform/bootstrap/<target>/``. Running it again is a no-op; if
the bucket already exists but the local state does not know it (a new clone, a
second machine), the bucket is imported first instead of failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from environments.deployable import Deployable
from ops.aws_clients import AwsClients
from ops.paths import PROJECT_ROOT, platform_dir
from ops.progress import step
from ops.stacks import SYNTH_FLAGS, synth_selection
from ops.terraform_cli import run_terraform
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget


def bootstrap_dir(target: DeployTarget) -> Path:
    kind = f"emulator-{target.emulator_port}" if target.is_emulator else "aws"
    return platform_dir() / "bootstrap" / kind


def _bucket_exists(config: Deployable, target: DeployTarget) -> bool:
    import botocore.exceptions

    s3 = AwsClients(target, config.state.region).client("s3")
    try:
        s3.head_bucket(Bucket=config.state.bucket)
        return True
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if code in ("403", "AccessDenied"):
            raise PipelineError(
                f"state bucket {config.state.bucket} exists but belongs to someone else, or these credentials may not "
                f"read it; choose another state.bucket in {config.source_file}"
            ) from None
        raise


def _synthesize(config: Deployable, target: DeployTarget, directory: Path) -> Path:
    (directory / "state").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **synth_selection(config),
        "CDKTF_OUTDIR": str(directory / "cdktf.out"),
        "TARGET": target.kind,
        "EMULATOR_PORT": str(target.emulator_port),
    }
    result = subprocess.run(
        [sys.executable, *SYNTH_FLAGS, str(PROJECT_ROOT / "main.py"), "state-buckets", str(directory / "state")], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise PipelineError(result.stderr.strip(), exit_code=result.returncode)
    return directory / "cdktf.out" / "stacks" / f"state-bucket-{config.stack_name}"


def _bucket_address(stack: Path) -> str:
    resources = json.loads((stack / "cdk.tf.json").read_text())["resource"]["aws_s3_bucket"]
    (name,) = resources
    return f"aws_s3_bucket.{name}"


def ensure_state_bucket(config: Deployable, target: DeployTarget, *, force: bool = False) -> None:
    """Make sure the state bucket exists with its protections. Skips the work when it is already in place."""
    directory = bootstrap_dir(target)
    local_state = directory / "state" / f"{config.stack_name}.tfstate"
    exists = _bucket_exists(config, target)
    if exists and local_state.exists() and not force:
        return
    with step(f"[{config.stack_name}] bootstrap state bucket s3://{config.state.bucket}"):
        stack = _synthesize(config, target, directory)
        run_terraform(["init", "-input=false", "-no-color"], cwd=stack)
        address = _bucket_address(stack)
        known = run_terraform(["state", "list"], cwd=stack, check=False).stdout.split()
        if exists and address not in known:
            run_terraform(["import", "-input=false", "-no-color", address, config.state.bucket], cwd=stack)
        run_terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=stack)
