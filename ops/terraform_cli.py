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
from collections.abc import Mapping, Sequence
from pathlib import Path

from constructs_lib.versions import AWS_PROVIDER_VERSION, MINIMUM_TERRAFORM
from ops.errors import PipelineError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLATFORM_DIR = PROJECT_ROOT / ".platform"
CLI_CONFIG_PATH = PLATFORM_DIR / "terraformrc"

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


def write_cli_config(path: Path = CLI_CONFIG_PATH, environ: Mapping[str, str] = os.environ) -> Path:
    """Write the CLI config (only when it changes) and return its path."""
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
    """The environment for a Terraform run: the project's CLI config, no prompts, automation output."""
    env = dict(environ)
    env.update(
        TF_CLI_CONFIG_FILE=str(write_cli_config(environ=environ)),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    env.update(extra or {})
    return env


def run_terraform(
    args: Sequence[str],
    *,
    cwd: Path,
    extra_env: Mapping[str, str] | None = None,
    capture: bool = True,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``terraform <args>`` in ``cwd``; on failure raise PipelineError with Terraform's own message."""
    binary = terraform_binary()
    result = subprocess.run(
        [binary, *args],
        cwd=cwd,
        env=terraform_environ(extra_env),
        capture_output=capture,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip() if capture else "see the output above"
        raise PipelineError(f"terraform {' '.join(args[:1])} failed in {cwd}:\n{detail}")
    return result
