"""Entry point of the local AWS emulator: moto in server mode, plus compatibility patches.

Started by :mod:`ops.emulator` as ``python -m ops.moto_server --port N``. The
patches make moto answer like AWS where the real AWS provider depends on it;
they never change what the platform deploys. Each one names the quirk it fixes.
"""

from __future__ import annotations

import argparse
import os

from ops.emulator_patches import apply_patches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # AWS-managed policies (RDS monitoring, API Gateway logging) must exist to be attached.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    apply_patches()
    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", "-p", str(args.port)])


if __name__ == "__main__":
    main()
