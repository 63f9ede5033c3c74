"""The CDKTF app of the bootstrap stacks (one state bucket per environment).

Run by :mod:`ops.bootstrap` as ``python -m ops.bootstrap_app`` with
``PLATFORM_ENVS``, ``CDKTF_OUTDIR`` and ``PLATFORM_BOOTSTRAP_STATE_DIR`` set;
it mirrors ``main.py``: validate first, then load the bindings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from environments import load_environments
from platform_core.errors import ConfigError
from platform_core.target import DeployTarget


def main() -> int:
    only = [n for n in os.environ.get("PLATFORM_ENVS", "").split(",") if n]
    state_dir = Path(os.environ["PLATFORM_BOOTSTRAP_STATE_DIR"])
    try:
        configs = load_environments(only=only or None)
        target = DeployTarget.from_environ()
    except ConfigError as error:
        print(f"bootstrap refused, nothing was written:\n{error}", file=sys.stderr)
        return 2

    from ops.node_runtime import use_project_node

    use_project_node()
    from cdktf import App

    from constructs_lib.state_bucket import StateBucketStack

    app = App()
    for config in configs:
        StateBucketStack(app, config, target, str(state_dir / f"{config.name}.tfstate"))
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
