"""How the project runs the Terraform CLI: which binary, which CLI config, which provider source.

Terraform must find AWS provider 5.100.0 with no internet. When a filesystem
mirror of it exists on the machine (these machines ship one), the project's CLI
config points Terraform at it; otherwise Terraform uses the public registry.
The config is written to ``.platform/terraformrc`` and handed to every
Terraform run through ``TF_CLI_CONFIG_FILE``, so the user's own
``~/.terraformrc`` is neither needed nor touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from constructs_lib.conventions import AWS_PROVIDER_VERSION, MINIMUM_TERRAFORM
from ops.errors import PipelineError, StateLockedError
from ops.paths import platform_dir

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
MIRROR_ENV_VAR = "TF_PROVIDER_MIRROR"
MIRROR_CANDIDATES: tuple[Path, ...] = (
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
)
"""Where filesystem mirrors usually live; ``TF_PROVIDER_MIRROR`` names another."""


def mirror_holds_provider(mirror: Path) -> bool:
    """True if the mirror holds AWS provider 5.100.0, unpacked or zipped."""
    unpacked = mirror / PROVIDER_ADDRESS / AWS_PROVIDER_VERSION
    packed = list((mirror / PROVIDER_ADDRESS).glob(f"terraform-provider-aws_{AWS_PROVIDER_VERSION}_*.zip"))
    return unpacked.is_dir() or bool(packed)


def find_provider_mirror(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The first filesystem mirror that holds the pinned provider, or None (use the registry)."""
    explicit = environ.get(MIRROR_ENV_VAR)
    if explicit:
        mirror = Path(explicit)
        if not mirror_holds_provider(mirror):
            raise PipelineError(
                f"{MIRROR_ENV_VAR}={explicit} holds no {PROVIDER_ADDRESS} {AWS_PROVIDER_VERSION}; "
                "point it at a filesystem mirror that does, or unset it to search the usual places"
            )
        return mirror
    return next((m for m in MIRROR_CANDIDATES if mirror_holds_provider(m)), None)


def cli_config_text(mirror: Path | None) -> str:
    """The Terraform CLI config: the mirror for the AWS provider if there is one, else the registry."""
    if mirror is None:
        return "# No filesystem mirror of the AWS provider was found: use the public registry.\nprovider_installation {\n  direct {}\n}\n"
    return (
        f"# Written by ops/terraform_cli.py: AWS provider {AWS_PROVIDER_VERSION} from the local mirror.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f'    include = ["{PROVIDER_ADDRESS}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{PROVIDER_ADDRESS}"]\n'
        "  }\n"
        "}\n"
    )


def cli_config_path() -> Path:
    return platform_dir() / "terraformrc"


def write_cli_config(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """Write the CLI config (only when it changes) and return its path."""
    path = path or cli_config_path()
    text = cli_config_text(find_provider_mirror(environ))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def terraform_binary(environ: Mapping[str, str] = os.environ) -> str:
    """The terraform on PATH, checked to be new enough; PipelineError with the fix otherwise."""
    found = shutil.which("terraform", path=environ.get("PATH"))
    if found is None:
        raise PipelineError(
            "terraform is not installed or not on PATH; install Terraform 1.10 or newer "
            "(https://developer.hashicorp.com/terraform/install) and run again"
        )
    output = subprocess.run([found, "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"Terraform v(\d+)\.(\d+)\.(\d+)", output)
    if not match or tuple(int(g) for g in match.groups()) < MINIMUM_TERRAFORM:
        shown = match.group(0) if match else "an unknown version"
        raise PipelineError(f"{found} is {shown}; the platform needs Terraform 1.10 or newer for S3 state locking")
    return found


def terraform_environ(extra: Mapping[str, str] | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment for a Terraform run: the project's CLI config, no prompts, automation output.

    ``TF_WORKSPACE`` is dropped: the pipeline selects each environment's workspace
    explicitly, and a stray value in the user's shell must not redirect a run
    to another environment's state.
    """
    env = {k: v for k, v in environ.items() if k != "TF_WORKSPACE"}
    env.update(
        TF_CLI_CONFIG_FILE=str(write_cli_config(environ=environ)),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    env.update(extra or {})
    return env


LOCK_FIELDS = re.compile(r"^\s*(ID|Path|Operation|Who|Created):\s*(.*)$", re.MULTILINE)


def lock_error(output: str, cwd: Path) -> StateLockedError | None:
    """A StateLockedError naming the holder, if Terraform failed because the state is locked."""
    if "Error acquiring the state lock" not in output:
        return None
    info = dict(LOCK_FIELDS.findall(output))
    lock_id = info.get("ID")
    holder = info.get("Who", "another run")
    operation = info.get("Operation", "an operation").removeprefix("OperationType").lower()
    since = info.get("Created", "an unknown time")
    return StateLockedError(
        f"the state {info.get('Path', 'of this environment')} is locked by {holder} ({operation}, since {since}, "
        f"lock id {lock_id}). Another run is using it: wait for it to finish. If that run is dead, release the "
        f"lock with: make unlock ENV={cwd.name} LOCK_ID={lock_id}",
        lock_id,
    )


def run_terraform(
    args: Sequence[str],
    *,
    cwd: Path,
    extra_env: Mapping[str, str] | None = None,
    stream: bool = False,
    check: bool = True,
    ok_codes: tuple[int, ...] = (0,),
) -> subprocess.CompletedProcess[str]:
    """Run ``terraform <args>`` in ``cwd``.

    ``stream=True`` shows Terraform's output as it comes (indented), for long
    steps. ``ok_codes`` are the exit codes that are not failures (``plan
    -detailed-exitcode`` exits 2 for "changes"). On failure raises StateLockedError when the state is locked, and
    PipelineError with Terraform's own message otherwise.
    """
    binary = terraform_binary()
    command = [binary, *args]
    env = terraform_environ(extra_env)
    if stream:
        lines: list[str] = []
        with subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                print(f"    | {line.rstrip()}", file=sys.stderr, flush=True)
        result = subprocess.CompletedProcess(command, process.returncode, "".join(lines), "")
    else:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode not in ok_codes:
        output = f"{result.stdout}\n{result.stderr}"
        locked = lock_error(output, cwd)
        if locked is not None:
            raise locked
        detail = _error_lines(output)
        raise PipelineError(f"terraform {args[0]} failed in {cwd}:\n{detail}")
    return result


def _error_lines(output: str, limit: int = 40) -> str:
    """Terraform's error blocks (from the first 'Error:' on), or the tail of its output."""
    lines = output.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if "Error:" in line), max(0, len(lines) - limit))
    return "\n".join(lines[first : first + limit])
