"""Whether a synthesized stack is still what a synth would write now, so a run can skip the synth.

A synth of one stack costs about 3 s on every verb (Node, jsii and the provider
bindings start each time), and its output depends only on what it reads:

* the code: ``main.py``, ``cdktf.json`` and every file under :data:`SOURCE_DIRS`
  (constructs, rules, the policy gate and its suppressions, the function's source);
* the lock files (``Pipfile.lock``, ``package-lock.json``: the cdktf and provider versions);
* the environment and account files, in whichever directories this run reads them from;
* the target and the selection: every ``PLATFORM_*``, ``TARGET``, ``EMULATOR_PORT``,
  ``CDKTF_*``, ``JSII_*`` and ``NODE_OPTIONS`` variable, and the Python that runs it.

After a synth, :func:`record` writes a digest of all of them, and of what the synth
wrote (``cdk.tf.json`` and the assets), to the stack's ``.platform-synth.sha256``.
:func:`is_current` recomputes both: a change to any input, or an output edited or
removed since, means the synth runs again. Reading every input costs a few
milliseconds, so nothing is ever guessed from timestamps.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from environments.accounts import ACCOUNTS_DIR, ACCOUNTS_DIR_ENV_VAR
from environments.loader import DIRECTORY_ENV_VAR, ENVIRONMENTS_DIR
from ops.paths import PROJECT_ROOT

SOURCE_FILES = ("main.py", "cdktf.json", "Pipfile.lock", "package-lock.json")
SOURCE_DIRS = ("constructs_lib", "platform_core", "environments", "synth_runtime", "policy", "lambda_src", "accounts")
VARIABLE_PREFIXES = ("PLATFORM_", "CDKTF_", "JSII_")
VARIABLES = ("TARGET", "EMULATOR_PORT", "NODE_OPTIONS")
STAMP = ".platform-synth.sha256"


def _files(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        yield from (p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(environ: Mapping[str, str], root: Path = PROJECT_ROOT) -> str:
    """The digest of everything a synth run with ``environ`` reads."""
    digest = hashlib.sha256()
    files = [root / name for name in SOURCE_FILES]
    files += [p for name in SOURCE_DIRS for p in _files(root / name)]
    for variable, default in ((DIRECTORY_ENV_VAR, ENVIRONMENTS_DIR), (ACCOUNTS_DIR_ENV_VAR, ACCOUNTS_DIR)):
        files += list(_files(Path(environ[variable]) if environ.get(variable) else default))
    for path in sorted(set(files)):
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    for name in sorted(environ):
        if name in VARIABLES or name.startswith(VARIABLE_PREFIXES):
            digest.update(f"{name}={environ[name]}\0".encode())
    digest.update(f"{sys.executable} {sys.version}".encode())
    return digest.hexdigest()


def _output_digest(stack: Path) -> str | None:
    """The digest of what a synth wrote to ``stack``, or None when there is no synthesized stack."""
    document = stack / "cdk.tf.json"
    if not document.is_file():
        return None
    digest = hashlib.sha256(document.read_bytes())
    for path in sorted(_files(stack / "assets")):
        digest.update(f"{path.relative_to(stack)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current(stack: Path, inputs: str) -> bool:
    """True when ``stack`` was synthesized from exactly ``inputs`` and is unchanged since."""
    stamp = stack / STAMP
    output = _output_digest(stack)
    return output is not None and stamp.is_file() and stamp.read_text().split() == [inputs, output]


def forget(stack: Path) -> None:
    (stack / STAMP).unlink(missing_ok=True)


def record(stack: Path, inputs: str) -> None:
    """After a successful synth of ``stack`` from ``inputs``."""
    output = _output_digest(stack)
    if output is not None:
        (stack / STAMP).write_text(f"{inputs}\n{output}\n")
