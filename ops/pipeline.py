"""One stack's path from config to running infrastructure, the same for every target.

A stack is an environment (:class:`EnvironmentPipeline`) or an account's
baseline (:class:`ops.baseline.BaselinePipeline`); :class:`StackPipeline` holds
what they share. ``deploy`` runs, in order: preflight (Terraform present; the
emulator running, or AWS credentials working), bootstrap of the state bucket,
synth, ``terraform init``, the stack's workspace, ``plan -out`` and its review,
apply of that saved plan, the outputs, and verification through boto3. An
environment's deploy first makes sure its account's baseline is current. The
other verbs (``plan``, ``review``, ``destroy``, ``drift``, ``unlock``) are
prefixes or variants of the same steps; ``apply`` is the back half of ``deploy``
on the plan an earlier ``plan`` saved and reviewed (a CI job plans, posts the
review, then applies exactly that plan).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from environments.account_schema import AccountConfig
from environments.deployable import Deployable
from environments.schema import EnvironmentConfig
from ops import init_stamp, plan_json, synth_stamp
from ops.aws_clients import check_aws_credentials, deploy_role
from ops.bootstrap import make_state_buckets, missing_state_buckets
from ops.drift import meaningful_drift
from ops.emulator import Emulator, require_running
from ops.paths import plans_dir, work_dir
from ops.plan_stream import PlanStream
from ops.progress import say, step
from ops.review import PlanReview, blocked_by_prevent_destroy, blocked_review, review_plan
from ops.stacks import stack_dir, synth_selection, synthesize
from ops.state_recovery import StateHistory
from ops.terraform_cli import run_terraform, stream_terraform, terraform_binary
from ops.verify import CheckResult, verify_environment
from platform_core.errors import (
    EXIT_DESTRUCTIVE,
    EXIT_DRIFT,
    EXIT_INTERRUPTED,
    EXIT_PENDING,
    EXIT_REFUSED,
    PipelineError,
    StateLockedError,
)
from platform_core.target import DeployTarget


@dataclass
class StackPipeline:
    """The pipeline of one stack against one target; subclasses say what is particular to their kind."""

    config: Deployable
    target: DeployTarget
    start_emulator: bool = True
    force_unlock: bool = False
    """Release a *stale* state lock (one left by a killed run on this machine) and go on; never a live one."""
    lock_timeout: str | None = None
    """Wait up to this long (``5m``) for the state lock instead of failing at once (the baseline, which every
    environment of its account may want at the same time)."""
    bootstrap_also: tuple[Deployable, ...] = ()
    """Stacks whose state buckets this stack's ``prepare`` makes too, at the same time as its own (an environment's
    first deploy: its bucket is made while the baseline's is)."""
    shown_plan: dict = field(default_factory=dict, init=False, repr=False)
    """``terraform show -json`` of the last plan this run reviewed (it holds secrets: never written as is)."""
    preflight_passed: bool = field(default=False, init=False, repr=False)
    """:meth:`preflight` passed in this run (``drift`` reads the state first, then prepares: once is enough)."""
    bucket_check: Future | None = field(default=None, init=False, repr=False)
    """The check of the state buckets that :meth:`prepare` left running beside the plan (:meth:`settle_state_buckets`)."""

    @property
    def name(self) -> str:
        """The stack's name: its directory, workspace and plans/<name>.*"""
        return self.config.stack_name

    @property
    def deploy_command(self) -> str:
        """What a user types to deploy this stack."""
        return f"make deploy {self.config.make_args}"

    @property
    def plan_command(self) -> str:
        return f"make plan {self.config.make_args}"

    @property
    def apply_command(self) -> str:
        """What a user types to apply the saved, reviewed plan."""
        return f"make apply {self.config.make_args}"

    def checks(self) -> list[CheckResult]:
        """Verification of the deployed stack through boto3."""
        raise NotImplementedError

    def refuse_destroy(self) -> None:
        """Raise PipelineError (before anything runs) when this stack may not be destroyed."""
        raise NotImplementedError

    def smoke(self) -> None:
        """Real requests through what the stack serves, after verify (``make smoke``); a stack that serves none has none."""

    @cached_property
    def directory(self) -> Path:
        return stack_dir(self.name)

    @property
    def plan_file(self) -> Path:
        """The saved plan apply needs: it holds sensitive values in clear, so it is private (0600) and
        removed once applied or superseded."""
        return plan_json.saved_plan(self.name)

    # --- steps ----------------------------------------------------------------------------

    def preflight(self) -> None:
        """Fail fast on a missing tool, an unreachable target or missing credentials (once per run)."""
        if self.preflight_passed:
            return
        terraform_binary()
        if self.target.is_emulator:
            if self.start_emulator:
                emulator = Emulator(self.target.emulator_port)
                with step(f"local AWS emulator on {emulator.url}"):
                    started = emulator.start()
                    say(f"    {'started (stop it with: make emulator-stop)' if started else 'already running'}")
            else:
                require_running(self.target.emulator_port)
        else:
            with step("AWS credentials"):
                account = check_aws_credentials(self.config.region, self.config.account_id, self.config.source_file, deploy_role(self.config))
                say(f"    account {account}")
        self.preflight_passed = True

    def prepare(self) -> None:
        """Everything before a plan: preflight, state buckets, synth, init and the workspace.

        The state buckets are checked on a thread meanwhile (a round trip per bucket, and boto3 to start). init waits
        for the check, and a missing bucket is made first; when init is not needed, the check goes on beside the plan,
        and :meth:`plan` settles it: a missing state bucket is made and the plan, which could not read the state,
        runs again; a missing access-log bucket is made after the plan."""
        self.preflight()
        self.bucket_check = _in_background(missing_state_buckets, [self.config, *self.bootstrap_also], self.target)
        synthesize_changed([self.config], self.target)
        terraform = terraform_binary()
        if init_stamp.is_current(self.directory, self.name, terraform):
            say(f"==> [{self.name}] terraform init and workspace {self.name}: unchanged since the last run here, not run again")
            return
        self.settle_state_buckets()
        init_stamp.forget(self.directory)
        with step(f"[{self.name}] terraform init"):
            # A stack two runs share (the baseline, under two environments' deploys) is also locked locally while the
            # other run plans or applies in the same directory: init waits for that lock as plan and apply do.
            run_terraform(["init", "-reconfigure", "-input=false", "-no-color", *self._lock_waits()], cwd=self.directory)
        self._select_workspace()
        init_stamp.record(self.directory, self.name, terraform)

    def _select_workspace(self) -> None:
        """Select the stack's workspace, creating it when new. init keeps the directory's selection only when the
        backend holds that workspace (else it fails, or selects the backend's only one), so a directory that still
        selects it after init needs no ``workspace select``. (``TF_WORKSPACE`` would save that call on a new directory
        too, but init then refuses a workspace that does not exist yet in a bucket that holds two others.)"""
        if init_stamp.selected_workspace(self.directory) == self.name:
            say(f"    [{self.name}] workspace {self.name}: selected here, and init found it in the backend")
            return
        with step(f"[{self.name}] workspace {self.name}"):
            run_terraform(["workspace", "select", "-or-create=true", "-no-color", self.name], cwd=self.directory)
            selected = init_stamp.selected_workspace(self.directory)
            if selected != self.name:
                raise PipelineError(f"workspace {self.name} could not be selected (Terraform reports {selected!r})")

    def settle_state_buckets(self) -> bool:
        """Wait for the state-bucket check :meth:`prepare` started and make the buckets it found missing; True when
        this stack's own state bucket was one of them (a plan before it could not read the state)."""
        check, self.bucket_check = self.bucket_check, None
        if check is None:
            return False
        pending = check.result()
        make_state_buckets(pending, self.target)
        return any(config is self.config and config.state.bucket not in existing for config, existing in pending)

    def _lock_waits(self) -> list[str]:
        """``-lock-timeout`` for a stack whose runs wait for each other's locks (the baseline); none otherwise, so a
        second run of one environment fails on the lock at once."""
        return [f"-lock-timeout={self.lock_timeout}"] if self.lock_timeout else []

    def plan(self, *, destroy: bool = False, drift: bool = False) -> PlanReview:
        """``plan -json -out`` into plans/<env>.tfplan and write its review (the parsed plan, when the review showed
        it, is kept in ``shown_plan``). Terraform's own report of the plan tells whether the review needs
        ``terraform show -json`` (a plan that changes nothing does not; with ``drift``, one that found drift does),
        and a show it needs starts as soon as the plan file is written (ops/plan_stream.py)."""
        self.plan_file.unlink(missing_ok=True)
        plans_dir().mkdir(parents=True, exist_ok=True)
        command = ["plan", "-input=false", "-no-color", f"-out={self.plan_file}", *(["-destroy"] if destroy else []), *self._lock_waits()]
        with step(f"[{self.name}] terraform plan{' -destroy' if destroy else ''}"):
            try:
                stream = self._run_plan(command, drift)
            except PipelineError as error:
                if error.exit_code != EXIT_INTERRUPTED and self._state_bucket_was_missing(error):
                    say(f"    [{self.name}] its state bucket was missing and is made now: planning again")
                    stream = self._run_plan(command, drift)
                else:
                    self._refuse_if_protected(error)
                    raise
        try:
            self.settle_state_buckets()
            with step(f"[{self.name}] review the plan"):
                return self.review(stream)
        finally:
            stream.cancel()  # a show the review did not take (it failed, or was interrupted) is stopped

    def _state_bucket_was_missing(self, error: PipelineError) -> bool:
        """After a failed plan: settle the state-bucket check; True when this stack's state bucket was missing (and
        is made now). A check that fails too does not hide the plan's own error: both are told."""
        try:
            return self.settle_state_buckets()
        except PipelineError as check:
            self._refuse_if_protected(error)
            raise PipelineError(f"{error}\n(and the state-bucket check failed: {check})", exit_code=error.exit_code, terraform_output=error.terraform_output) from None

    def _run_plan(self, command: list[str], drift: bool) -> PlanStream:
        """Run the plan ``command``, releasing a stale lock first when asked; a show of the plan it wrote, if the
        review needs one, has started."""
        try:
            return self._planned(command, drift)
        except StateLockedError as locked:
            if not (self.force_unlock and locked.stale and locked.lock_id):
                raise
            self.release_lock(locked.lock_id)
            return self._planned(command, drift)

    def _planned(self, command: list[str], drift: bool) -> PlanStream:
        """One run of the plan ``command``, read as Terraform reports it."""
        self.plan_file.unlink(missing_ok=True)  # a file left by a failed attempt is never taken for this one's
        stream = PlanStream(self.plan_file, self.directory, drift_matters=drift, calls_modules=self._calls_modules())
        try:
            stream_terraform(command, cwd=self.directory, on_message=stream.feed)
        except BaseException:
            stream.cancel()
            # Terraform saves even a plan that failed (a partial one, marked errored): it holds secrets, and no step
            # may apply, show or scan it as this run's plan.
            self.plan_file.unlink(missing_ok=True)
            raise
        return stream

    def _calls_modules(self) -> bool:
        """True when the synthesized configuration calls a module (CDKTF writes them under ``module``)."""
        synthesized = self.directory / "cdk.tf.json"
        return synthesized.exists() and bool(json.loads(synthesized.read_text()).get("module"))

    def _refuse_if_protected(self, error: PipelineError) -> None:
        """Terraform refused a plan that destroys prevent_destroy resources: review it as destructive and stop."""
        protected = blocked_by_prevent_destroy(error.terraform_output)
        if not protected:
            return
        review = blocked_review(self.name, protected)
        markdown, _ = review.write(plans_dir())
        say(f"    review: {markdown.relative_to(work_dir())}")
        say(f"    {review.summary_line()}")
        for change in review.destructive_changes:
            say(f"    !! {change.action.upper()} {change.address} (protected: lifecycle.prevent_destroy)")
        raise PipelineError(
            f"the plan for {self.name} would replace or delete {len(protected)} protected resource(s) "
            f"({', '.join(protected)}); Terraform refused it (lifecycle.prevent_destroy), so nothing was planned or "
            f"applied. Read plans/{self.name}.md. These hold data: change the configuration so they are kept.",
            exit_code=EXIT_DESTRUCTIVE,
        ) from None

    def release_lock(self, lock_id: str) -> None:
        """``terraform force-unlock`` of ``lock_id``."""
        self.settle_state_buckets()
        with step(f"[{self.name}] release state lock {lock_id}"):
            run_terraform(["force-unlock", "-force", "-no-color", lock_id], cwd=self.directory)

    def review(self, stream: PlanStream | None = None) -> PlanReview:
        """Review the saved plan: write plans/<env>.md and plans/<env>.json, print the summary. ``stream`` is what
        the plan just made reported: a plan that changes nothing is reviewed from it (its plan JSON is written when
        needed, ops/plan_json.py); otherwise from its show (started by ``stream`` as soon as it could be)."""
        if not self.plan_file.exists():
            raise PipelineError(f"there is no saved plan for {self.name}; run: {self.plan_command}")
        if stream is not None and not stream.needs_show:
            self.shown_plan = {}
            plan_json.forget(self.name)  # it describes an older plan; this one's is written when needed
            review = PlanReview(environment=self.name, changes=[], drift=[])
        else:
            shown = stream.shown() if stream is not None else None
            self.shown_plan = plan = json.loads(shown if shown is not None else plan_json.show(self.plan_file, self.directory))
            plan_json.write(self.name, plan)
            review = review_plan(plan, self.name)
        markdown, summary = review.write(plans_dir())
        say(f"    review: {markdown.relative_to(work_dir())} and {summary.relative_to(work_dir())}")
        say(f"    {review.summary_line()}")
        for change in review.destructive_changes:
            say(f"    !! {change.action.upper()} {change.address}")
        for change in review.stateless_replacements:
            say(f"    REPLACE {change.address}: holds no data, not destructive")
        return review

    def apply(self) -> None:
        """Apply exactly the saved plan, then remove it; say plainly what state a failure leaves behind."""
        self.settle_state_buckets()
        with step(f"[{self.name}] terraform apply (the reviewed plan)"):
            waits = self._lock_waits()
            try:
                run_terraform(["apply", "-input=false", "-no-color", *waits, str(self.plan_file)], cwd=self.directory, detach=True)
            except PipelineError as error:
                if getattr(error, "lock_id", None) or error.exit_code == EXIT_INTERRUPTED:
                    raise
                raise PipelineError(
                    f"apply of {self.name} stopped part-way. Terraform recorded every resource it finished in the "
                    f"state of workspace {self.name}, so nothing is lost or orphaned; what failed is above. Fix the "
                    f"cause, then run `{self.deploy_command}` to converge (`{self.plan_command}` shows "
                    f"what is left).\n{error}"
                ) from None
            finally:
                # Applied (or spent: Terraform never applies a plan twice). It holds secrets; it goes.
                self.plan_file.unlink(missing_ok=True)

    def outputs(self) -> dict:
        """The stack's outputs, printed; a sensitive one is printed as ``(sensitive)``, never its value."""
        result = run_terraform(["output", "-json", "-no-color"], cwd=self.directory)
        outputs = json.loads(result.stdout)
        say(f"==> [{self.name}] outputs")
        for name, item in sorted(outputs.items()):
            say(f"    {name} = {'(sensitive)' if item.get('sensitive') else json.dumps(item['value'])}")
        return {name: item["value"] for name, item in outputs.items()}

    def verify(self) -> list[CheckResult]:
        with step(f"[{self.name}] verify through boto3 against {self.target.kind}"):
            results = self.checks()
            for result in results:
                say(f"    {result.line()}")
        failed = [r for r in results if r.status == "FAIL"]
        passed = sum(1 for r in results if r.status == "PASS")
        skipped = sum(1 for r in results if r.status == "SKIP")
        say(f"    verify: {passed} passed, {len(failed)} failed, {skipped} skipped (emulator gaps)")
        if failed:
            raise PipelineError(f"verification of {self.name} failed: {len(failed)} of {len(results)} checks")
        return results

    # --- verbs ----------------------------------------------------------------------------

    def deploy(self, *, allow_destructive: bool = False) -> int:
        self.prepare()
        self.plan_and_apply(allow_destructive=allow_destructive)
        self.outputs()
        self.verify()
        self.smoke()
        return 0

    def _destructive_refusal(self, review: PlanReview, what: str, command: str) -> PipelineError:
        """Why a destructive ``what`` (plan, saved plan) was not applied, and the ``command`` that applies it on purpose."""
        return PipelineError(
            f"the {what} for {self.name} would replace or delete {len(review.destructive_changes)} resource(s); "
            f"nothing was applied. Read plans/{self.name}.md, then apply it on purpose with `{command} ALLOW_DESTRUCTIVE=1`",
            exit_code=EXIT_DESTRUCTIVE,
        )

    def plan_and_apply(self, *, allow_destructive: bool = False) -> bool:
        """Plan, review, and apply the reviewed plan if it has changes (refused if destructive, unless allowed).
        Returns whether anything was applied."""
        review = self.plan()
        if review.destructive and not allow_destructive:
            self.plan_file.unlink(missing_ok=True)
            raise self._destructive_refusal(review, "plan", self.deploy_command)
        if not review.changes:
            plan_json.ensure(self.name)  # make policy scans it; the saved plan it is written from goes now
            self.plan_file.unlink(missing_ok=True)  # it holds secrets, and there is nothing to apply
            say(f"    [{self.name}] nothing to apply")
            return False
        self.apply()
        return True

    def plan_only(self, *, allow_destructive: bool = False) -> int:
        """Plan and review; exit 3 on a destructive plan, or 0 with a loud line when ``allow_destructive``
        (ALLOW_DESTRUCTIVE=1): the plan is still written and reviewed as destructive."""
        self.prepare()
        review = self.plan()
        if review.destructive and allow_destructive:
            say(
                f"!! [{self.name}] DESTRUCTIVE plan ({len(review.destructive_changes)} resource(s) replaced or deleted), "
                f"allowed by ALLOW_DESTRUCTIVE=1: read plans/{self.name}.md before `{self.apply_command} ALLOW_DESTRUCTIVE=1`"
            )
            return 0
        return review.exit_code

    def apply_saved(self, *, allow_destructive: bool = False) -> int:
        """``make apply``: apply exactly the saved plan ``make plan`` made and reviewed, nothing planned or synthesized
        again. Refused without one (exit 2); reviewed again, and refused if destructive (exit 3) unless
        ``allow_destructive``; a plan with no changes is removed and nothing is applied. Then preflight, apply, outputs
        and verify. On the emulator, the emulator must still run: a new one holds none of the state the plan was made
        against."""
        if not self.plan_file.exists():
            raise PipelineError(
                f"there is no saved plan for {self.name} to apply; make one and read its review first: {self.plan_command}",
                exit_code=EXIT_REFUSED,
            )
        with step(f"[{self.name}] review the saved plan again"):
            review = self.review()
        if review.destructive and not allow_destructive:
            raise self._destructive_refusal(review, "saved plan", self.apply_command)
        if not review.changes:
            self.plan_file.unlink(missing_ok=True)  # it holds secrets, and there is nothing to apply
            say(f"    [{self.name}] the saved plan has no changes: nothing to apply")
            return 0
        if review.destructive:
            say(f"!! [{self.name}] applying a DESTRUCTIVE plan, allowed by ALLOW_DESTRUCTIVE=1")
        self.start_emulator = False
        self.preflight()
        self.apply()
        self.outputs()
        self.verify()
        self.smoke()
        return 0

    def destroy(self) -> int:
        self.refuse_destroy()
        self.prepare()
        self.plan(destroy=True)
        self.apply()
        say(f"[{self.name}] destroyed; the state bucket and the emulator are kept")
        return 0

    def drift(self) -> int:
        """Did anything change outside Terraform? Drift exits 4; a configuration that differs from what is deployed
        (but nothing changed outside Terraform) exits 5, as does an environment never deployed."""
        self.preflight()
        history = StateHistory(self.config, self.target)
        if not history.deployed_resources():
            say(
                f"[{self.name}] never deployed: its state (s3://{history.bucket}/{history.key}) records no resources, so "
                f"nothing can have drifted; everything in its configuration is pending. `{self.deploy_command}` deploys it"
            )
            return EXIT_PENDING
        self.prepare()
        # One plan answers both questions: its refresh finds what changed outside Terraform (``resource_drift``, the
        # same list a refresh-only plan gives), and its changes are what the configuration would still do.
        review = self.plan(drift=True)
        drifted = meaningful_drift(self.shown_plan)
        if drifted:
            say(f"[{self.name}] DRIFT: {len(drifted)} resource(s) changed outside Terraform")
            for address, _, attributes in drifted:
                say(f"    {address}: {'; '.join(attributes)}")
            say(f"    plans/{self.name}.md shows what the next deploy would do to put them back; `{self.deploy_command}` does it")
            return EXIT_DRIFT
        if review.changes:
            say(
                f"[{self.name}] no drift: nothing changed outside Terraform. But your configuration differs from what is "
                f"deployed ({review.summary_line()}); read plans/{self.name}.md, then `{self.deploy_command}` applies it"
            )
            return EXIT_PENDING
        say(f"[{self.name}] no drift: the deployed resources match the configuration")
        return 0

    def unlock(self, lock_id: str) -> int:
        """Release the state lock ``lock_id``, after checking it is the lock actually held."""
        self.preflight()
        history = StateHistory(self.config, self.target)
        held = history.lock_info()
        if held is None:
            raise PipelineError(f"{self.name} holds no state lock (s3://{history.bucket}/{history.key}.tflock does not exist): nothing to release")
        if held.get("ID") != lock_id:
            raise PipelineError(
                f"the lock {self.name} holds is {held.get('ID')} ({held.get('Operation', 'an operation')} by "
                f"{held.get('Who', 'someone')}, since {held.get('Created', 'an unknown time')}), not {lock_id}; "
                "take the id from the lock error, and release a lock only when its run is dead"
            )
        self.prepare()
        self.release_lock(lock_id)
        return 0


SMOKE_SWITCH = "SMOKE"
"""``SMOKE=0`` turns off the smoke test after a deploy or an apply, by name and loudly (a runner outside the API's
allowed CIDRs); ``make smoke`` always runs it."""


@dataclass
class EnvironmentPipeline(StackPipeline):
    """The pipeline of one environment; its deploy makes sure the account's baseline is current first."""

    config: EnvironmentConfig
    account: AccountConfig | None = None
    """The environment's account, whose baseline ``deploy`` applies first when it has changes; None leaves the
    baseline alone."""

    def checks(self) -> list[CheckResult]:
        return verify_environment(self.config, self.target)

    def refuse_destroy(self) -> None:
        refuse_destroy_of_protected(self.config)

    def smoke(self) -> None:
        import os

        from ops.smoke import smoke_test

        if os.environ.get(SMOKE_SWITCH) == "0":
            say(f"!! [{self.name}] smoke test SKIPPED ({SMOKE_SWITCH}=0): nothing has shown that the deployed API answers; run `make smoke {self.config.make_args}`")
            return
        smoke_test(self.config, self.target)

    def deploy(self, *, allow_destructive: bool = False) -> int:
        if self.account is not None:
            from ops.baseline import BaselinePipeline

            BaselinePipeline(self.account, self.target, start_emulator=self.start_emulator, bootstrap_also=(self.config,)).ensure_current()
            self.start_emulator = False  # the baseline's preflight started it
        return super().deploy(allow_destructive=allow_destructive)


def refuse_destroy_of_protected(config: EnvironmentConfig) -> None:
    """Destroy is refused, before anything runs, for production or for an environment that keeps prevent_destroy."""
    if config.production or config.protections.prevent_destroy:
        why = "it is a production environment (production = true)" if config.production else "protections.prevent_destroy is on"
        raise PipelineError(
            f"refusing to destroy {config.name}: {why}, so its database, table, keys and buckets are protected. "
            "Nothing was touched.",
            exit_code=EXIT_REFUSED,
        )


def synthesize_changed(configs: Sequence[Deployable], target: DeployTarget) -> None:
    """Synthesize, in one run, each stack of ``configs`` whose directory is not what a synth would write now
    (ops/synth_stamp.py). Each stack's stamp is taken with its own selection, as its own plan computes it: a stack's
    output does not depend on which other stacks a run synthesizes with it (tests/unit/test_synth_selection.py), so
    ``make plan-all`` synthesizes every stack once and each plan finds its own current."""
    stale = []
    for config in configs:
        directory, inputs = stack_dir(config.stack_name), synth_stamp.inputs_digest({**_with_target(target), **synth_selection(config)})
        if synth_stamp.is_current(directory, inputs):
            say(f"==> [{config.stack_name}] synthesize ({target.kind}): nothing it reads changed since the last synth here, not run again")
        else:
            synth_stamp.forget(directory)
            stale.append((config, directory, inputs))
    if not stale:
        return
    with step(f"[{', '.join(config.stack_name for config, _, _ in stale)}] synthesize ({target.kind})"):
        synthesize(environ={**_with_target(target), **synth_selection(*(config for config, _, _ in stale))})
    for _, directory, inputs in stale:
        synth_stamp.record(directory, inputs)


def _in_background(function: Callable, *args) -> Future:
    """``function(*args)`` on a thread of its own; the Future gives its result, or raises its error."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="platform")
    try:
        return pool.submit(function, *args)
    finally:
        pool.shutdown(wait=False)


def _with_target(target: DeployTarget) -> dict[str, str]:
    import os

    return {**os.environ, "TARGET": target.kind, "EMULATOR_PORT": str(target.emulator_port)}
