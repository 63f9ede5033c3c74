"""Synthesize the platform: one Terraform stack per environment file, one baseline stack per account file.

``python main.py`` (what ``cdktf synth`` runs) writes ``cdktf.out/stacks/<env>/``
and ``cdktf.out/stacks/baseline-<account>/``. ``python main.py state-buckets
<state-dir>`` writes each one's small state-bucket stack instead, with its local
state in ``<state-dir>`` (the pipeline's bootstrap step runs it).

Environment files are validated before the AWS provider bindings are loaded,
so a typo is reported in about a second, with nothing written. (Node and the
cdktf runtime start on a thread meanwhile.) ``PLATFORM_ENVS`` and
``PLATFORM_ACCOUNTS`` (comma-separated names) limit the run to those environments
and account baselines (setting one alone synthesizes none of the other kind);
``PLATFORM_ENVIRONMENTS_DIR`` and ``PLATFORM_ACCOUNTS_DIR`` read the files from
other directories, and ``TARGET`` and ``EMULATOR_PORT`` choose the deploy target
(the local emulator by default).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from environments import load_accounts, load_environments
from platform_core.errors import EXIT_REFUSED, ConfigError
from platform_core.target import DeployTarget
from synth_runtime.project_node import use_project_node


def _start_cdktf() -> None:
    import cdktf  # noqa: F401 - starts the jsii kernel and loads the cdktf assembly


def _names(variable: str) -> list[str] | None:
    """The names a selection variable lists; None (everything) when neither selection variable is set, and an
    empty list (nothing of this kind) when only the other one is."""
    if not any(os.environ.get(v, "").strip() for v in ("PLATFORM_ENVS", "PLATFORM_ACCOUNTS")):
        return None
    return [n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()]


def main(argv: Sequence[str] = ()) -> int:
    use_project_node()
    runtime = threading.Thread(target=_start_cdktf, name="cdktf-runtime", daemon=True)
    runtime.start()
    envs, accounts = _names("PLATFORM_ENVS"), _names("PLATFORM_ACCOUNTS")
    try:
        configs = load_environments(only=envs) if envs != [] else []
        baselines = list(load_accounts(only=accounts).values()) if accounts != [] else []
        # A baseline with [delivery] makes CI roles for each environment of its account: it reads them all.
        delivered = load_environments() if any(account.delivery for account in baselines) else []
        target = DeployTarget.from_environ()
    except ConfigError as error:
        print(f"synth refused, nothing was written:\n{error}", file=sys.stderr)
        return EXIT_REFUSED
    runtime.join()

    from constructs_lib.app import synthesize, synthesize_state_buckets
    from constructs_lib.rules import PolicyViolations
    from policy import SuppressionsError

    try:
        if list(argv[:1]) == ["state-buckets"] and len(argv) == 2:
            synthesize_state_buckets([*configs, *baselines], target, Path(argv[1]))
        else:
            synthesize(configs, target, accounts=baselines, delivered=delivered)
    except (PolicyViolations, SuppressionsError) as refusal:
        print(f"synth refused by the policy gate, nothing was written:\n{refusal}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Every file is written and closed by now. Leave without the interpreter's and jsii's
    # teardown (the Node kernel exits by itself when its pipe closes): it only costs time.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
