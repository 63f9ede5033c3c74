"""Synthesize one Terraform stack per environment file into ``cdktf.out/stacks/<env>/``.

Environment files are validated before the AWS provider bindings are loaded,
so a typo is reported in about a second, with nothing written. (Node and the
cdktf runtime start on a thread meanwhile; the provider bindings load only
once the files pass.) ``PLATFORM_ENVS`` (comma-separated names) limits the run
to some environments, ``PLATFORM_ENVIRONMENTS_DIR`` reads the files from
another directory, and ``TARGET`` and ``EMULATOR_PORT`` choose the deploy
target (the local emulator by default).
"""

from __future__ import annotations

import os
import sys
import threading

from environments import load_environments
from platform_core.errors import ConfigError
from platform_core.target import DeployTarget


def _start_cdktf() -> None:
    import cdktf  # noqa: F401 - starts the jsii kernel and loads the cdktf assembly


def main() -> int:
    from ops.node_runtime import use_project_node

    use_project_node()
    runtime = threading.Thread(target=_start_cdktf, name="cdktf-runtime", daemon=True)
    runtime.start()
    only = [n.strip() for n in os.environ.get("PLATFORM_ENVS", "").split(",") if n.strip()]
    try:
        configs = load_environments(only=only or None)
        target = DeployTarget.from_environ()
    except ConfigError as error:
        print(f"synth refused, nothing was written:\n{error}", file=sys.stderr)
        return 2
    runtime.join()

    from constructs_lib.app import synthesize
    from constructs_lib.policies import PolicyViolations
    from policy import SuppressionsError

    try:
        synthesize(configs, target)
    except (PolicyViolations, SuppressionsError) as refusal:
        print(f"synth refused by the policy gate, nothing was written:\n{refusal}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    code = main()
    # Every file is written and closed by now. Leave without the interpreter's and jsii's
    # teardown (the Node kernel exits by itself when its pipe closes): it only costs time.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
