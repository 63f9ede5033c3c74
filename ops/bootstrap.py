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
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


def _synthesize(configs: Sequence[Deployable], target: DeployTarget, directory: Path) -> list[Path]:
    """One synth of the state-bucket stacks of ``configs``; their directories, in the same order."""
    (directory / "state").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **synth_selection(*configs),
        "CDKTF_OUTDIR": str(directory / "cdktf.out"),
        "TARGET": target.kind,
        "EMULATOR_PORT": str(target.emulator_port),
    }
    result = subprocess.run(
        [sys.executable, *SYNTH_FLAGS, str(PROJECT_ROOT / "main.py"), "state-buckets", str(directory / "state")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PipelineError(result.stderr.strip(), exit_code=result.returncode)
    return [directory / "cdktf.out" / "stacks" / f"state-bucket-{config.stack_name}" for config in configs]


def _bucket_address(stack: Path) -> str:
    resources = json.loads((stack / "cdk.tf.json").read_text())["resource"]["aws_s3_bucket"]
    (name,) = resources
    return f"aws_s3_bucket.{name}"


def _converge(stack: Path, bucket: str, exists: bool) -> None:
    """init, import the bucket if it exists but this local state does not know it, apply."""
    run_terraform(["init", "-input=false", "-no-color"], cwd=stack)
    address = _bucket_address(stack)
    known = run_terraform(["state", "list"], cwd=stack, check=False).stdout.split()
    if exists and address not in known:
        run_terraform(["import", "-input=false", "-no-color", address, bucket], cwd=stack)
    run_terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=stack)


def ensure_state_buckets(configs: Sequence[Deployable], target: DeployTarget, *, force: bool = False) -> None:
    """Make sure each config's state bucket exists with its protections. Skips the ones already in place; the
    others are made at the same time (most of a bucket's time is the provider waiting for its lifecycle rules)."""
    directory = bootstrap_dir(target)
    pending = [
        (config, exists)
        for config in configs
        if not ((exists := _bucket_exists(config, target)) and _local_state(directory, config).exists() and not force)
    ]
    if not pending:
        return
    names = ", ".join(config.stack_name for config, _ in pending)
    buckets = ", ".join(f"s3://{config.state.bucket}" for config, _ in pending)
    with step(f"[{names}] bootstrap state bucket{'s' if len(pending) > 1 else ''} {buckets}"):
        stacks = _synthesize([config for config, _ in pending], target, directory)
        with ThreadPoolExecutor(max_workers=len(pending)) as pool:
            runs = [pool.submit(_converge, stack, config.state.bucket, exists) for stack, (config, exists) in zip(stacks, pending, strict=True)]
            for run in runs:
                run.result()


def _local_state(directory: Path, config: Deployable) -> Path:
    return directory / "state" / f"{config.stack_name}.tfstate"
