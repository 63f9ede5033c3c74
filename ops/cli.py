"""``python -m ops <verb>``: the pipeline verbs the Makefile calls.

Every verb reports a problem as one message and a non-zero exit code, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from environments import ConfigError, load_environments
from ops.errors import PipelineError
from ops.progress import say, step
from ops.stacks import stack_dir, synthesize
from ops.terraform_cli import run_terraform

Verb = Callable[[argparse.Namespace], int]


def _environment_names(requested: Sequence[str]) -> list[str]:
    """Validate the requested environments (all of them if none) and return their names."""
    return [config.name for config in load_environments(only=list(requested) or None)]


def validate(args: argparse.Namespace) -> int:
    """Synthesize, then ``terraform init -backend=false`` and ``terraform validate`` every environment."""
    names = _environment_names(args.environments)
    with step(f"synthesize {', '.join(names)}"):
        synthesize(names)
    for name in names:
        directory = stack_dir(name)
        with step(f"[{name}] terraform init (no backend) and validate"):
            run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
            run_terraform(["validate", "-no-color"], cwd=directory)
    say(f"all {len(names)} environments are valid Terraform")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    command = verbs.add_parser("validate", help=validate.__doc__)
    command.add_argument("environments", nargs="*", help="environment names (default: all)")
    command.set_defaults(run=validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as error:
        say(f"refused:\n{error}")
        return 2
    except PipelineError as error:
        say(f"error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
