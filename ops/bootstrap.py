"""Create (or adopt) the state bucket of an environment or an account baseline, and the bucket its access logs go
to, with their own small Terraform stack.

The stack (:class:`constructs_lib.state_bucket.StateBucketStack`) keeps *local*
state under ``.platform/bootstrap/<target>/``. Every verb makes the buckets that
are missing and leaves the ones that exist alone, so a CI job's read-only plan role
plans where an operator bootstrapped. ``make bootstrap`` converges them: a bucket
that exists but the local state does not know (a new clone, a second machine) is
imported first instead of failing, and its protections are applied again. A state
bucket made before it had an access-log bucket gets one at the next run.
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
from platform_core.naming import state_bucket_names
from platform_core.target import DeployTarget


def bootstrap_dir(target: DeployTarget) -> Path:
    kind = f"emulator-{target.emulator_port}" if target.is_emulator else "aws"
    return platform_dir() / "bootstrap" / kind


def _bucket_exists(config: Deployable, target: DeployTarget, bucket: str) -> bool:
    import botocore.exceptions

    s3 = AwsClients(target, config.state.region, config.state.role_arn).client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if code in ("403", "AccessDenied"):
            raise PipelineError(
                f"bucket {bucket} exists but belongs to someone else, or these credentials may not "
                f"read it; choose another state.bucket in {config.source_file}"
            ) from None
        raise PipelineError(f"{_which(config, bucket)} could not be checked: {error}; run again, or check the state.region and the network") from None
    except botocore.exceptions.BotoCoreError as error:
        raise PipelineError(
            f"{_which(config, bucket)} could not be checked: {error}; check the network and the state.region "
            f"({config.state.region})"
        ) from None


def _which(config: Deployable, bucket: str) -> str:
    kind = "the state bucket" if bucket == config.state.bucket else "the access-log bucket of the state bucket"
    return f"{kind} {bucket} ({config.source_file}, state.bucket)"


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


def _bucket_addresses(stack: Path) -> dict[str, str]:
    """Each bucket of the stack by name: its Terraform address."""
    resources = json.loads((stack / "cdk.tf.json").read_text())["resource"]["aws_s3_bucket"]
    return {body["bucket"]: f"aws_s3_bucket.{name}" for name, body in resources.items()}


def _converge(stack: Path, existing: Sequence[str]) -> None:
    """init, import each bucket in ``existing`` that this local state does not know, apply."""
    run_terraform(["init", "-input=false", "-no-color"], cwd=stack)
    addresses = _bucket_addresses(stack)
    known = run_terraform(["state", "list"], cwd=stack, check=False).stdout.split()
    for bucket in existing:
        if addresses[bucket] not in known:
            run_terraform(["import", "-input=false", "-no-color", addresses[bucket], bucket], cwd=stack)
    run_terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=stack)


def _state_buckets(configs: Sequence[Deployable], target: DeployTarget) -> list[tuple[Deployable, list[str]]]:
    """Each config with the buckets of its pair (the state bucket and its access-log bucket) that exist."""
    return [(config, [b for b in state_bucket_names(config.state.bucket) if _bucket_exists(config, target, b)]) for config in configs]


def missing_state_buckets(configs: Sequence[Deployable], target: DeployTarget) -> list[tuple[Deployable, list[str]]]:
    """The configs a bucket of whose pair is missing, each with the ones that exist (what :func:`make_state_buckets`
    takes)."""
    return [(config, existing) for config, existing in _state_buckets(configs, target) if len(existing) < len(state_bucket_names(config.state.bucket))]


def ensure_state_buckets(configs: Sequence[Deployable], target: DeployTarget, *, force: bool = False) -> None:
    """Make sure each config's state bucket and its access-log bucket exist with their protections. Skips the ones
    already in place; the others are made at the same time (most of a bucket's time is the provider waiting for its
    lifecycle rules)."""
    # Buckets that exist are left alone (a CI job's read-only role plans where they are); `make bootstrap` (force)
    # adopts them into this machine's local state and applies their protections again.
    make_state_buckets(_state_buckets(configs, target) if force else missing_state_buckets(configs, target), target)


def make_state_buckets(pending: Sequence[tuple[Deployable, list[str]]], target: DeployTarget) -> None:
    """Make (or adopt and converge) the bucket pairs of ``pending`` (each config with its buckets that exist), all at
    the same time."""
    if not pending:
        return
    directory = bootstrap_dir(target)
    names = ", ".join(config.stack_name for config, _ in pending)
    buckets = ", ".join(f"s3://{config.state.bucket}" for config, _ in pending)
    with step(f"[{names}] bootstrap state bucket{'s' if len(pending) > 1 else ''} {buckets}"):
        stacks = _synthesize([config for config, _ in pending], target, directory)
        with ThreadPoolExecutor(max_workers=len(pending)) as pool:
            runs = [pool.submit(_converge, stack, existing) for stack, (_, existing) in zip(stacks, pending, strict=True)]
            for run in runs:
                run.result()


def _local_state(directory: Path, config: Deployable) -> Path:
    return directory / "state" / f"{config.stack_name}.tfstate"
