"""Whether a stack directory's ``terraform init`` and workspace are still current, so a run can skip them.

``terraform init -reconfigure`` and ``terraform workspace select`` cost about 3.5 s
on every verb, and their result only changes when one of their inputs does:

* the synthesized ``terraform`` block (the backend's settings, the required providers);
* the provider lock file, ``.terraform.lock.hcl``;
* what init wrote (``.terraform/terraform.tfstate``, the installed providers);
* the Terraform binary, and the workspace this stack selects.

After both succeed, :func:`record` writes a digest of those to
``.terraform/platform-init.sha256``. :func:`is_current` compares it; any change,
a missing provider directory, or a stamp from a run that failed part-way means
both run again. :func:`forget` removes the stamp before they do, so a run that
fails between them never leaves a stamp behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

STAMP = Path(".terraform") / "platform-init.sha256"


def _digest(directory: Path, workspace: str, terraform: str) -> str | None:
    """The digest of everything init and the workspace depend on, or None when init has not run here."""
    backend_state = directory / ".terraform" / "terraform.tfstate"
    providers = directory / ".terraform" / "providers"
    if not backend_state.is_file() or not providers.is_dir():
        return None
    synthesized = json.loads((directory / "cdk.tf.json").read_text()).get("terraform", {})
    lock = directory / ".terraform.lock.hcl"
    parts = [
        json.dumps(synthesized, sort_keys=True),
        lock.read_text() if lock.is_file() else "",
        backend_state.read_text(),
        "\n".join(sorted(str(p.relative_to(providers)) for p in providers.rglob("*"))),
        selected_workspace(directory),
        workspace,
        f"{terraform} {Path(terraform).stat().st_mtime_ns} {Path(terraform).stat().st_size}",
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def selected_workspace(directory: Path) -> str:
    """The workspace Terraform runs in here: what ``terraform workspace show`` reports without ``TF_WORKSPACE``
    (which the pipeline never passes on)."""
    selected = directory / ".terraform" / "environment"
    return (selected.read_text().strip() if selected.is_file() else "") or "default"


def is_current(directory: Path, workspace: str, terraform: str) -> bool:
    """True when init and ``workspace select <workspace>`` ran here with exactly the present inputs."""
    stamp = directory / STAMP
    if not stamp.is_file():
        return False
    digest = _digest(directory, workspace, terraform)
    return digest is not None and stamp.read_text().strip() == digest


def forget(directory: Path) -> None:
    (directory / STAMP).unlink(missing_ok=True)


def record(directory: Path, workspace: str, terraform: str) -> None:
    """After a successful init and workspace select of ``workspace``."""
    digest = _digest(directory, workspace, terraform)
    if digest is not None:
        (directory / STAMP).write_text(digest + "\n")
