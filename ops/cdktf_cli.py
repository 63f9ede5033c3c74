"""Run the project's pinned cdktf CLI (``node_modules/.bin/cdktf``) on the pipeline's terms.

``bin/cdktf deploy dev`` or ``bin/cdktf diff dev`` is plain ``cdktf``, plus what makes it
address the same things as ``make deploy ENV=dev``:

* ``TF_WORKSPACE=<env>``, so the state object is ``workspaces/<env>/<key>`` in the
  environment's state bucket (a command naming several stacks runs once per stack);
* the project's Terraform CLI config (the offline provider mirror);
* the deploy target: the emulator is started and the state bucket bootstrapped
  first, exactly as the pipeline does;
* the project's Node runtime, which jsii and cdktf's terminal module need;
* quiet without a terminal: no spinner frames, no colour codes, no version checks
  (``CHECKPOINT_DISABLE``), no Node deprecation warnings relayed as ``[ERROR]``;
* destroy is refused for a protected environment, as ``make destroy`` refuses it;
* the plan cdktf saves (``<stack>/plan``, sensitive values in clear) is private while it
  exists and removed when the command ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from environments import load_environments
from ops.bootstrap import ensure_state_buckets
from ops.paths import PROJECT_ROOT, synth_outdir, work_dir
from ops.pipeline import EnvironmentPipeline, refuse_destroy_of_protected
from ops.stacks import stack_dir
from ops.terraform_cli import terraform_environ
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget

CDKTF = PROJECT_ROOT / "node_modules" / ".bin" / "cdktf"
CDKTF_SAVED_PLAN = "plan"
"""The file cdktf saves its plan to, in the stack's directory."""
NO_COLOR_COMMANDS = ("init", "plan", "apply", "destroy", "output", "show")
"""The Terraform commands cdktf runs that take ``-no-color`` (``TF_CLI_ARGS_<command>``)."""
STACK_COMMANDS = {"deploy", "apply", "destroy", "diff", "plan", "output", "outputs", "watch"}


def _split(args: Sequence[str]) -> tuple[str | None, list[str], list[str]]:
    """``(command, stack names, other arguments)`` of a cdktf command line."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in STACK_COMMANDS:
        return command, [], list(args)
    rest = list(args[list(args).index(command) + 1 :])
    stacks = [a for a in rest if not a.startswith("-")]
    options = [a for a in rest if a.startswith("-")]
    return command, stacks, options


def _environ(environment: str | None) -> dict[str, str]:
    env = terraform_environ()
    env.update(
        PATH=f"{PROJECT_ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}",
        CDKTF_DISABLE_PLUGIN_CACHE_ENV="1",
        PIPENV_VENV_IN_PROJECT="1",
        PIPENV_VERBOSITY="-1",
    )
    env.pop("TF_IN_AUTOMATION", None)
    if not sys.stdout.isatty():
        # No terminal: no spinner frames (cdktf's ink renders only the last frame in CI mode) and no colour codes.
        env.setdefault("CI", "1")
        env["FORCE_COLOR"] = "0"
        for command in NO_COLOR_COMMANDS:
            env[f"TF_CLI_ARGS_{command}"] = f"{env.get(f'TF_CLI_ARGS_{command}', '')} -no-color".strip()
    if environment is not None:
        env["TF_WORKSPACE"] = environment
    return env


def run(args: Sequence[str]) -> int:
    """Run cdktf with ``args``; returns its exit code."""
    if not CDKTF.exists():
        raise PipelineError(f"{CDKTF} is missing; install the project's npm tools with `make setup`")
    command, stacks, options = _split(args)
    if command in STACK_COMMANDS and not stacks:
        raise PipelineError(f"name the environment: bin/cdktf {command} <env> (one of {', '.join(c.name for c in load_environments())})")
    if not stacks:
        return subprocess.run([str(CDKTF), *args], cwd=PROJECT_ROOT, env=_environ(None), check=False).returncode
    configs = load_environments(only=stacks)
    target = DeployTarget.from_environ()
    output = [] if work_dir() == PROJECT_ROOT else ["--output", str(synth_outdir())]
    for config in configs:
        if command == "destroy":
            refuse_destroy_of_protected(config)
        pipeline = EnvironmentPipeline(config, target)
        pipeline.preflight()
        ensure_state_buckets([config], target)
        try:
            code = subprocess.run(
                [str(CDKTF), command, config.name, *options, *output],
                cwd=PROJECT_ROOT,
                env=_environ(config.name),
                umask=0o077,
                check=False,
            ).returncode
        finally:
            # cdktf diff and deploy save their plan as <stack>/plan; like every saved plan it holds sensitive
            # values in clear, and nothing needs it once the command is done.
            (stack_dir(config.name) / CDKTF_SAVED_PLAN).unlink(missing_ok=True)
        if code != 0:
            return code
    return 0
