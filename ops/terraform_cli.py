"""How the project runs the Terraform CLI: which binary, which CLI config, which provider source.

Terraform must find AWS provider 5.100.0 with no internet. When a filesystem
mirror of it exists on the machine (these machines ship one), the project's CLI
config points Terraform at it; otherwise Terraform uses the public registry.
The config is written to ``.platform/terraformrc`` and handed to every
Terraform run through ``TF_CLI_CONFIG_FILE``, so the user's own
``~/.terraformrc`` is neither needed nor touched.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ops.detached_apply import run_detached
from ops.paths import plans_dir, platform_dir
from ops.run_registry import applies_left_running, lock_is_stale
from platform_core.conventions import AWS_PROVIDER_VERSION, MINIMUM_TERRAFORM
from platform_core.errors import EXIT_INTERRUPTED, PipelineError, StateLockedError
from platform_core.target import DeployTarget

PRIVATE_UMASK = 0o077
"""Terraform runs with this umask: the saved plans and local state it writes hold sensitive values in clear,
so they are readable by their owner only (0600)."""
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
    """The terraform on PATH, checked to be new enough; PipelineError with the fix otherwise.

    The version is asked once per binary and run (every Terraform step calls this): the same path, size and
    modification time is the same binary, and one replaced in place is asked again."""
    found = shutil.which("terraform", path=environ.get("PATH"))
    if found is None:
        raise PipelineError(
            "terraform is not installed or not on PATH; install Terraform 1.10 or newer "
            "(https://developer.hashicorp.com/terraform/install) and run again"
        )
    binary = os.stat(found)
    _check_version(found, binary.st_size, binary.st_mtime_ns)
    return found


@functools.lru_cache(maxsize=16)
def _check_version(found: str, size: int, mtime_ns: int) -> None:
    """Raise PipelineError unless ``found`` is Terraform 1.10 or newer (only a binary that passed is remembered)."""
    output = subprocess.run([found, "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"Terraform v(\d+)\.(\d+)\.(\d+)", output)
    if not match or tuple(int(g) for g in match.groups()) < MINIMUM_TERRAFORM:
        shown = match.group(0) if match else "an unknown version"
        raise PipelineError(f"{found} is {shown}; the platform needs Terraform 1.10 or newer for S3 state locking")


def terraform_environ(extra: Mapping[str, str] | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment for a Terraform run: the project's CLI config, no prompts, automation output.

    ``TF_WORKSPACE`` is dropped: the pipeline selects each environment's workspace
    explicitly, and a stray value in the user's shell must not redirect a run
    to another environment's state. On the emulator, so are the shell's
    ``AWS_ENDPOINT_URL*``: the target sets the one that sends every service to
    the emulator, and a service-specific one would outrank it.
    """
    target = DeployTarget.from_environ(environ)
    env = {k: v for k, v in environ.items() if k != "TF_WORKSPACE" and not (target.is_emulator and k.startswith("AWS_ENDPOINT_URL"))}
    env.update(
        TF_CLI_CONFIG_FILE=str(write_cli_config(environ=environ)),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    env.update(target.terraform_environ())
    env.update(extra or {})
    return env


LOCK_FIELDS = re.compile(r"^\s*(ID|Path|Operation|Who|Created):\s*(.*)$", re.MULTILINE)


def lock_error(output: str, cwd: Path) -> StateLockedError | None:
    """A StateLockedError naming the holder, if Terraform failed because the state is locked.

    The lock is called stale when it was taken from this host and no run of the environment is alive here
    (ops/run_registry.py); the message then says how to release it.
    """
    if "Error acquiring the state lock" not in output:
        return None
    environment = cwd.name
    info = dict(LOCK_FIELDS.findall(output))
    lock_id = info.get("ID")
    holder = info.get("Who", "another run")
    operation = info.get("Operation", "an operation").removeprefix("OperationType").lower()
    since = info.get("Created", "an unknown time")
    stale = lock_is_stale(holder, environment)
    held = f"the state {info.get('Path', 'of this environment')} is locked by {holder} ({operation}, since {since}, lock id {lock_id})"
    release = f"make unlock ENV={environment} LOCK_ID={lock_id}"
    if stale:
        message = (
            f"{held}, but no run of {environment} is alive on this machine: the lock is stale, left by a run that "
            f"was killed. Release it with: {release} (or rerun with FORCE_UNLOCK=1 to release it and go on)"
        )
    elif left := applies_left_running(environment):
        message = (
            f"{held}. A run of {environment} that was stopped left its apply running (terraform pid "
            f"{left[0].terraform_pid}) so that it can finish and save the state; it releases the lock when done. "
            f"Wait for it (its output: {left[0].log}), then run again."
        )
    else:
        message = (
            f"{held}. Another run is using it: wait for it to finish. If that run is dead, release the lock "
            f"with: {release}"
        )
    return StateLockedError(message, lock_id, stale=stale)


def run_terraform(
    args: Sequence[str],
    *,
    cwd: Path,
    extra_env: Mapping[str, str] | None = None,
    stream: bool = False,
    detach: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``terraform <args>`` in ``cwd`` (a stack directory, named after its environment).

    ``stream=True`` shows Terraform's output as it comes (indented), for long
    steps. ``detach=True`` (for applies) also runs it in its own session, so that
    no signal or kill of the pipeline cuts it off half-way (ops/detached_apply.py).
    On a non-zero exit raises StateLockedError when the state is locked, and
    PipelineError with Terraform's own message otherwise. SIGINT and SIGTERM
    during a run are reported once it has ended (exit code 130).
    """
    _require_stack(cwd)
    binary = terraform_binary()
    command = [binary, *args]
    env = terraform_environ(extra_env)
    stop_requested = False
    if detach:
        outcome = run_detached(command, cwd=cwd, env=env, log=plans_dir() / f"{cwd.name}.{args[0]}.log", environment=cwd.name)
        stdout, stderr, interrupts, stop_requested = outcome.output, "", outcome.interrupts, outcome.stop_requested
        returncode = outcome.returncode
    else:
        with subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            umask=PRIVATE_UMASK,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if stream else subprocess.PIPE,
            text=True,
            bufsize=1 if stream else -1,
        ) as process, interrupts_deferred() as interrupts:
            if stream:
                assert process.stdout is not None
                lines: list[str] = []
                for line in process.stdout:
                    lines.append(line)
                    print(f"    | {line.rstrip()}", file=sys.stderr, flush=True)
                stdout, stderr = "".join(lines), ""
                process.wait()
            else:
                stdout, stderr = process.communicate()
        returncode = process.returncode
    result = subprocess.CompletedProcess(command, returncode, stdout, stderr)
    return _checked(result, args, cwd, interrupts, detach=detach, stop_requested=stop_requested, check=check)


def stream_terraform(args: Sequence[str], *, cwd: Path, on_message: Callable[[dict], None]) -> subprocess.CompletedProcess[str]:
    """Run ``terraform <args> -json`` in ``cwd``: Terraform's machine-readable UI, each message handed to
    ``on_message`` the moment it arrives (a line that is not JSON, such as a crash on stderr, as a ``text`` message).

    The result's output is the messages as Terraform prints them for people (:func:`ui_text`), so a failure is found
    and reported as by :func:`run_terraform`: a locked state, a refusal, Terraform's own error blocks. Interrupts are
    deferred the same way. Terraform's output is read to its end whatever happens here: were the pipe closed while it
    runs, it would die on its next write still holding the state lock. An error of ``on_message`` is raised after."""
    _require_stack(cwd)
    command = [terraform_binary(), *args, "-json"]
    texts: list[str] = []
    failed: Exception | None = None
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=terraform_environ(),
        umask=PRIVATE_UMASK,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
    ) as process, interrupts_deferred() as interrupts:
        assert process.stdout is not None
        for line in process.stdout:
            message = ui_message(line)
            texts.append(ui_text(message))
            if failed is None:
                try:
                    on_message(message)
                except Exception as error:  # noqa: BLE001 - raised once Terraform has ended, never mid-run
                    failed = error
        process.wait()
    result = subprocess.CompletedProcess(command, process.returncode, "\n".join(texts), "")
    checked = _checked(result, args, cwd, interrupts)
    if failed is not None:
        raise failed
    return checked


def ui_message(line: str) -> dict:
    """One line of Terraform's machine-readable UI as its message; a line that is not one is a ``text`` message."""
    try:
        message = json.loads(line)
    except ValueError:
        message = None
    return message if isinstance(message, dict) else {"type": "text", "@message": line.rstrip("\n")}


def ui_text(message: dict) -> str:
    """A machine-readable UI message as Terraform prints it for people: a diagnostic as its ``Error:`` (or
    ``Warning:``) block, with the resource, the file and line, and the detail; any other message as its text."""
    diagnostic = message.get("diagnostic") if message.get("type") == "diagnostic" else None
    if not isinstance(diagnostic, dict):
        return str(message.get("@message", ""))
    lines = [f"{str(diagnostic.get('severity', 'error')).capitalize()}: {diagnostic.get('summary', '')}"]
    where, snippet = diagnostic.get("range") or {}, diagnostic.get("snippet") or {}
    context = [f"  with {diagnostic['address']},"] if diagnostic.get("address") else []
    if where.get("filename"):
        within = f", in {snippet['context']}" if snippet.get("context") else ""
        context.append(f"  on {where['filename']} line {where.get('start', {}).get('line', '?')}{within}:")
    if snippet.get("code"):
        context.append(f"  {snippet.get('start_line', '?')}: {snippet['code']}")
    values = [f"    │ {value.get('traversal', '')} {value.get('statement', '')}" for value in snippet.get("values") or []]
    if values:
        context += ["    ├────────────────", *values]
    if context:
        lines += ["", *context]
    if diagnostic.get("detail"):
        lines += ["", str(diagnostic["detail"])]
    return "\n".join(lines)


def _require_stack(cwd: Path) -> None:
    if not cwd.is_dir():
        raise PipelineError(f"{cwd} does not exist: {cwd.name} is not synthesized here; run `make plan ENV={cwd.name}` first")


def start_terraform(args: Sequence[str], *, cwd: Path) -> subprocess.Popen[str]:
    """Start ``terraform <args>`` in ``cwd`` and return at once (its output is captured); :func:`finish_terraform`
    waits for it, :func:`stop_terraform` stops it. For a run that may begin before the pipeline knows it needs it.
    It runs in a session of its own, so that stopping it stops the provider it started too."""
    return subprocess.Popen(
        [terraform_binary(), *args],
        cwd=cwd,
        env=terraform_environ(),
        umask=PRIVATE_UMASK,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop_terraform(process: subprocess.Popen[str]) -> None:
    """Stop a run :func:`start_terraform` started, with every process it started (a provider holds its output open)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it had ended, with all it started
    process.communicate()


def finish_terraform(process: subprocess.Popen[str], args: Sequence[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Wait for a run :func:`start_terraform` started: the same result, errors and interrupts as :func:`run_terraform`.
    It has a session of its own, so a Ctrl-C or a CI runner's SIGTERM does not reach it: it is stopped here then."""
    with interrupts_deferred() as interrupts:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if interrupts:
                    stop_terraform(process)
                    stdout, stderr = "", ""
                    break
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return _checked(result, args, cwd, interrupts)


def _checked(
    result: subprocess.CompletedProcess[str],
    args: Sequence[str],
    cwd: Path,
    interrupts: Sequence[int],
    *,
    detach: bool = False,
    stop_requested: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``result``, unless the run was interrupted or (with ``check``) failed: then the PipelineError that says so."""
    if interrupts:
        raise PipelineError(
            _interrupted_message(args[0], cwd, signal.Signals(interrupts[0]).name, detach, stop_requested, result.returncode),
            exit_code=EXIT_INTERRUPTED,
            terraform_output=f"{result.stdout}\n{result.stderr}",
        )
    if check and result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        locked = lock_error(output, cwd)
        if locked is not None:
            raise locked
        detail = _error_lines(output)
        if WRONG_ACCOUNT in output:
            detail += (
                "\nThe credentials reach an account that is not the stack's account_id, so the provider refused to plan. "
                "Use that account's credentials, or let the stack assume its account's deploy_role (leave TF_VAR_deploy_role_arn unset)."
            )
        raise PipelineError(f"terraform {args[0]} failed in {cwd}:\n{detail}", terraform_output=output)
    return result


WRONG_ACCOUNT = "AWS account ID not allowed"
"""The AWS provider's refusal of an account not in ``allowed_account_ids``."""


def _interrupted_message(verb: str, cwd: Path, name: str, detached: bool, stop_requested: bool, returncode: int) -> str:
    converge = f"Run `make deploy ENV={cwd.name}` to converge (`make plan ENV={cwd.name}` shows what is left)."
    if detached and not stop_requested:
        ended = "and completed" if returncode == 0 else f"and ended with exit code {returncode} (its errors are above)"
        return (
            f"interrupted ({name}) during terraform {verb} in {cwd}: the {verb} was left to finish, {ended}; the state "
            f"records everything it made. {converge}"
        )
    if detached:
        return (
            f"interrupted ({name}) during terraform {verb} in {cwd}: Terraform was asked to stop and saved the state; a "
            f"resource it was creating at that moment may exist without being recorded. {converge}"
        )
    return (
        f"interrupted ({name}) during terraform {verb} in {cwd}: Terraform stopped gracefully and saved the state. "
        f"{converge}"
    )


@contextmanager
def interrupts_deferred() -> Iterator[list[int]]:
    """While a (non-detached) Terraform runs, SIGINT and SIGTERM are recorded instead of ending this process.

    Both reach Terraform too (they go to the whole process group, as from Ctrl-C or a CI
    runner), and Terraform stops gracefully, writes the state and releases the lock. Were
    this process to die at once, Terraform would lose the pipe it writes to and be killed
    by SIGPIPE. So this process keeps reading Terraform's output until it exits, then
    reports the interruption. (Signals are not forwarded: a second one makes Terraform
    exit without saving.) Applies do not run this way: see ops/detached_apply.py.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def record(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {number: signal.signal(number, record) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _error_lines(output: str, limit: int = 40) -> str:
    """Terraform's error blocks (from the first 'Error:' on), or the tail of its output."""
    lines = output.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if "Error:" in line), max(0, len(lines) - limit))
    return "\n".join(lines[first : first + limit])
