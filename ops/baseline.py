"""The pipeline of an account's baseline (``baseline-<account>``): deployed on its own, or first by any
environment of the account, and never destroyed by accident.

* ``make baseline ACCOUNT=<name>`` plans, reviews, applies and verifies it; every other
  verb takes ``ACCOUNT=<name>`` to address it (``make plan ACCOUNT=default``).
* ``make deploy ENV=<env>`` calls :meth:`BaselinePipeline.ensure_current` first: the
  baseline's own plan is reviewed (``plans/baseline-<account>.md``) and applied only if
  it has changes.
* Two environments of one account deploying at once share the baseline without racing:
  its plans and applies wait for its state lock (``lock_timeout``), and a plan that
  another run's apply made stale is planned again, then found current.
* ``make destroy ACCOUNT=<name>`` is refused while any environment of the account has
  resources in its state, and otherwise needs ``CONFIRM=<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from environments import load_environments
from environments.account_schema import AccountConfig
from ops.pipeline import StackPipeline
from ops.progress import say
from ops.run_registry import registered_run
from ops.state_recovery import StateHistory
from ops.verify import CheckResult
from platform_core.errors import EXIT_REFUSED, PipelineError

BASELINE_LOCK_TIMEOUT = "10m"
"""How long a run waits for another run's hold on the baseline's state: longer than a baseline apply takes."""
STALE_PLAN = "Saved plan is stale"
"""Terraform refuses a saved plan whose state changed since it was made (another run applied meanwhile)."""
PLAN_ATTEMPTS = 3


@dataclass
class BaselinePipeline(StackPipeline):
    """The pipeline of one account's baseline."""

    config: AccountConfig
    lock_timeout: str | None = BASELINE_LOCK_TIMEOUT
    confirm: str | None = None
    """``make destroy ACCOUNT=<name> CONFIRM=<name>``: the account's name, typed again, lets destroy go on."""

    @property
    def deploy_command(self) -> str:
        return f"make baseline ACCOUNT={self.config.name}"

    def checks(self) -> list[CheckResult]:
        from ops.verify.baseline import verify_baseline

        return verify_baseline(self.config, self.target)

    def ensure_current(self) -> None:
        """Make sure the baseline is deployed and matches its account file, applying its reviewed plan only when it
        has changes; verified when applied."""
        say(f"==> [{self.name}] the account baseline of {self.config.source_file}, before any environment of it")
        # Registered as a live run of the baseline too, so another run waiting for its lock never calls it stale.
        with registered_run(self.name, "deploy"):
            self._converge()

    def _converge(self) -> None:
        self.prepare()
        for attempt in range(1, PLAN_ATTEMPTS + 1):
            try:
                applied = self.plan_and_apply()
            except PipelineError as error:
                if STALE_PLAN not in f"{error}{error.terraform_output}" or attempt == PLAN_ATTEMPTS:
                    raise
                say(f"    [{self.name}] another run applied the baseline meanwhile; planning again")
                continue
            if applied:
                self.verify()
            return

    def refuse_destroy(self) -> None:
        account = self.config.name
        self.preflight()  # the environments' states are read from the target
        self.start_emulator = False
        deployed = [
            f"{env.name} ({resources} resources)"
            for env in load_environments()
            if env.account == account and (resources := StateHistory(env, self.target).deployed_resources())
        ]
        if deployed:
            raise PipelineError(
                f"refusing to destroy the baseline of account {account}: its environments {', '.join(deployed)} still "
                f"have resources, and they rely on it (GuardDuty, Config, the public-access block...). Destroy them first "
                f"(make destroy ENV=<env>). Nothing was touched.",
                exit_code=EXIT_REFUSED,
            )
        if self.confirm != account:
            raise PipelineError(
                f"destroying the baseline of account {account} turns off its GuardDuty, Security Hub, Config recording and "
                f"the rest of {self.config.source_file}; to do it on purpose: make destroy ACCOUNT={account} "
                f"CONFIRM={account}. Nothing was touched.",
                exit_code=EXIT_REFUSED,
            )
