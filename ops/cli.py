"""``python -m ops <verb>``: the pipeline verbs the Makefile calls.

Every verb reports a problem as one message and a non-zero exit code, never a
traceback: 1 failed, 2 refused input, 3 destructive plan, 4 drift.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from environments import load_accounts, load_environments
from ops.emulator import Emulator
from ops.paths import work_dir
from ops.pipeline import EnvironmentPipeline, StackPipeline, synthesize_changed
from ops.progress import say, step
from ops.run_registry import registered_run
from ops.stacks import stack_dir, synthesize
from ops.terraform_cli import run_terraform
from platform_core.conventions import BASELINE_STACK_PREFIX
from platform_core.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_REFUSED, ConfigError, PipelineError
from platform_core.target import DeployTarget


def _pipeline(args: argparse.Namespace) -> StackPipeline:
    """The pipeline of the environment, or of ``baseline-<account>``; its files and the target are validated first."""
    target, force_unlock = DeployTarget.from_environ(), getattr(args, "force_unlock", False)
    if args.environment.startswith(BASELINE_STACK_PREFIX):
        from ops.baseline import BaselinePipeline

        (account,) = load_accounts(only=[args.environment.removeprefix(BASELINE_STACK_PREFIX)]).values()
        return BaselinePipeline(account, target, force_unlock=force_unlock, confirm=getattr(args, "confirm", None))
    (config,) = load_environments(only=[args.environment])
    (account,) = load_accounts(only=[config.account]).values()
    return EnvironmentPipeline(config, target, force_unlock=force_unlock, account=account)


def _stack_names(names: Sequence[str]) -> list[str]:
    """Every stack the names select (default: every environment and every account's baseline)."""
    if names:
        return list(names)
    return [c.name for c in load_environments()] + [a.stack_name for a in load_accounts().values()]


def _configs(names: Sequence[str]):
    """The environment and account configs of these stack names, validated."""
    envs = [n for n in names if not n.startswith(BASELINE_STACK_PREFIX)]
    accounts = [n.removeprefix(BASELINE_STACK_PREFIX) for n in names if n.startswith(BASELINE_STACK_PREFIX)]
    return [*(load_environments(only=envs) if envs else []), *(load_accounts(only=accounts).values() if accounts else [])]


def _synthesize_stacks(configs) -> None:
    from ops.stacks import synth_selection

    selection = {"PLATFORM_ENVS": [], "PLATFORM_ACCOUNTS": []}
    for config in configs:
        for variable, value in synth_selection(config).items():
            if value:
                selection[variable].append(value)
    synthesize(environ={**os.environ, **{k: ",".join(v) for k, v in selection.items()}})


def deploy(args: argparse.Namespace) -> int:
    """Plan, review, apply, print outputs and verify one environment (its account's baseline first), or a baseline."""
    return _pipeline(args).deploy(allow_destructive=args.allow_destructive)


def plan(args: argparse.Namespace) -> int:
    """Plan one environment and write plans/<env>.md; exit 3 if the plan is destructive (0, said loudly, with
    ALLOW_DESTRUCTIVE=1)."""
    return _pipeline(args).plan_only(allow_destructive=args.allow_destructive)


def apply(args: argparse.Namespace) -> int:
    """Apply exactly the saved, reviewed plan of plans/<env>.tfplan (make plan made it), then print the outputs and
    verify; exit 2 without one, 3 if it is destructive (unless ALLOW_DESTRUCTIVE=1)."""
    return _pipeline(args).apply_saved(allow_destructive=args.allow_destructive)


def comment(args: argparse.Namespace) -> int:
    """Write plans/<env>.comment.md, the saved review as a pull-request comment (and append it to GITHUB_STEP_SUMMARY
    when set); exit 2 without a saved review."""
    from ops.comment import write_comment

    pipeline = _pipeline(args)
    say(f"comment: {write_comment(pipeline.name, pipeline.plan_command).relative_to(work_dir())}")
    return 0


def plan_all(args: argparse.Namespace) -> int:
    """Plan every environment and account baseline (or the named ones), a bounded number at once; write
    plans/summary.md; exit 3 if a plan is destructive, and a failed plan's code if one failed."""
    from ops.plan_all import forget_summary
    from ops.plan_all import plan_all as run_all

    forget_summary()  # whatever ends this run, an older verdict does not stand as its
    if not str(args.jobs).isdigit() or int(args.jobs) < 1:
        say(f"refused: PLAN_JOBS (--jobs) is {args.jobs!r}; give a whole number of plans to run at once, 1 or more")
        return EXIT_REFUSED
    stacks = list(dict.fromkeys(_stack_names(args.environments)))  # a stack named twice is planned once
    configs = _configs(stacks)  # every file valid before anything starts
    target = DeployTarget.from_environ()
    if target.is_emulator:
        emulator = Emulator(target.emulator_port)
        say(f"local AWS emulator on {emulator.url}: {'started (stop it with: make emulator-stop)' if emulator.start() else 'already running'}")
    synthesize_changed(configs, target)  # one synth for every stack that needs one; each plan then finds its own current
    return run_all(stacks, jobs=int(args.jobs))


def review(args: argparse.Namespace) -> int:
    """Review the saved plan again; exit 3 if it is destructive."""
    return _pipeline(args).review().exit_code


def destroy(args: argparse.Namespace) -> int:
    """Destroy one non-production environment (refused, before anything runs, for production), or a baseline whose
    environments have no resources left (with --confirm <account>)."""
    return _pipeline(args).destroy()


def drift(args: argparse.Namespace) -> int:
    """Report any difference between deployed resources and the configuration; exit 4 on drift."""
    return _pipeline(args).drift()


def verify(args: argparse.Namespace) -> int:
    """Verify a deployed environment through boto3."""
    pipeline = _pipeline(args)
    pipeline.start_emulator = False
    pipeline.preflight()
    pipeline.verify()
    return 0


def smoke(args: argparse.Namespace) -> int:
    """Send real requests through a deployed environment's API and check what they leave behind (ops/smoke.py)."""
    pipeline = _pipeline(args)
    if not isinstance(pipeline, EnvironmentPipeline):
        raise PipelineError(f"{args.environment} is an account baseline, which serves no requests: smoke-test an environment (ENV=<name>)", exit_code=EXIT_REFUSED)
    pipeline.start_emulator = False
    pipeline.preflight()
    pipeline.smoke()
    return 0


def unlock(args: argparse.Namespace) -> int:
    """Release a stale state lock by its id (shown in the lock error)."""
    return _pipeline(args).unlock(args.lock_id)


def state_versions(args: argparse.Namespace) -> int:
    """List the stored versions of the environment's state object, newest first (docs/runbooks/restore-state.md)."""
    from ops.state_recovery import StateHistory

    pipeline = _pipeline(args)
    pipeline.start_emulator = False
    pipeline.preflight()
    history = StateHistory(pipeline.config, pipeline.target)
    versions = history.versions()
    say(f"versions of s3://{history.bucket}/{history.key}, newest first:")
    for version in versions:
        say(f"    {version.line()}")
    if versions[0].valid:
        say(
            f"the current version is a valid state ({versions[0].resources} resources); restore only if it is the wrong one "
            f"(another lineage, too few resources): make restore-state {pipeline.config.make_args} VERSION_ID=<id from the list>"
        )
        return 0
    previous = next((v for v in versions[1:] if v.valid), None)
    if previous is None:
        raise PipelineError(f"no version of the state of {pipeline.name} is a valid Terraform state; see docs/runbooks/restore-state.md")
    say(f"the current version is not a valid state; to make the newest valid one current again: make restore-state {pipeline.config.make_args} VERSION_ID={previous.version_id}")
    return 0


def restore_state(args: argparse.Namespace) -> int:
    """Make an earlier version of the state object current again (docs/runbooks/restore-state.md)."""
    from ops.state_recovery import StateHistory

    pipeline = _pipeline(args)
    pipeline.start_emulator = False
    pipeline.preflight()
    history = StateHistory(pipeline.config, pipeline.target)
    with step(f"[{pipeline.name}] restore state version {args.version_id}"):
        restored = history.restore(args.version_id)
        say(f"    now current: serial {restored.serial}, lineage {restored.lineage}, {restored.resources} resources")
    say(f"check it with: {pipeline.plan_command}")
    return 0


def _restorer(args: argparse.Namespace):
    """The environment's config and a :class:`~ops.restore.Restorer` for it, once the target answers."""
    from ops.aws_clients import check_aws_credentials, deploy_role
    from ops.emulator import require_running
    from ops.restore import Restorer
    from platform_core.errors import Problem

    if args.environment.startswith(BASELINE_STACK_PREFIX):
        raise ConfigError([Problem("make variable", "ENV", f"{args.environment} is an account's baseline, which holds no database or table; name an environment")])
    (config,) = load_environments(only=[args.environment])
    target = DeployTarget.from_environ()
    if target.is_emulator:
        require_running(target.emulator_port)
    else:
        check_aws_credentials(config.region, config.account_id, config.source_file, deploy_role(config))
    return config, Restorer(config, target)


def recovery_points(args: argparse.Namespace) -> int:
    """List what the environment's database and table can be restored from: their point-in-time windows, snapshots
    and backups, and AWS Backup's recovery points, each with the FROM that restores it."""
    from ops.restore import print_lines

    _, restorer = _restorer(args)
    print_lines(restorer.recovery_points())
    return 0


def restore_database(args: argparse.Namespace) -> int:
    """Restore the environment's database from a snapshot, a recovery point or a point in time into a new instance with
    the deployed one's settings, wait for it, and say what next (docs/runbooks/restore-database.md)."""
    from ops.restore import DATABASE_NAME, database_next_steps, database_source, print_lines, restored_name

    config, restorer = _restorer(args)
    source = database_source(args.source, config.region)
    name = restored_name(restorer.database, args.target, DATABASE_NAME)
    print_lines(database_next_steps(config, restorer.restore_database(source, name)))
    return 0


def restore_table(args: argparse.Namespace) -> int:
    """Restore the environment's table from a backup, a recovery point or a point in time into a new table with the
    deployed one's settings, wait for it, and say what next (docs/runbooks/restore-table.md)."""
    from ops.restore import TABLE_NAME, print_lines, restored_name, table_next_steps, table_source

    config, restorer = _restorer(args)
    source = table_source(args.source, config.region)
    name = restored_name(restorer.table, args.target, TABLE_NAME, deployed_name_when_gone=True)
    print_lines(table_next_steps(config, restorer.restore_table(source, name)))
    return 0


def bootstrap(args: argparse.Namespace) -> int:
    """Create or adopt the environment's state bucket."""
    from ops.bootstrap import ensure_state_buckets

    pipeline = _pipeline(args)
    pipeline.preflight()
    ensure_state_buckets([pipeline.config], pipeline.target, force=True)
    return 0


def validate(args: argparse.Namespace) -> int:
    """Synthesize, then ``terraform init -backend=false`` and ``terraform validate`` every stack (environments and
    account baselines)."""
    configs = _configs(_stack_names(args.environments))
    names = [config.stack_name for config in configs]
    with step(f"synthesize {', '.join(names)}"):
        _synthesize_stacks(configs)
    for name in names:
        directory = stack_dir(name)
        with step(f"[{name}] terraform init (no backend) and validate"):
            run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
            run_terraform(["validate", "-no-color"], cwd=directory)
    say(f"all {len(names)} stacks are valid Terraform")
    return 0


def policy(args: argparse.Namespace) -> int:
    """Synthesize and run checkov over every environment and account baseline, or only the named ones (make policy
    STACKS=...), and each one's last reviewed plan; the suppressions apply."""
    from ops import plan_json
    from ops.checkov_gate import findings, scan_plan, scan_stack, verify_accepted_errors

    configs = _configs(_stack_names(args.environments))
    for name in (c.stack_name for c in configs):
        # A plan reviewed from Terraform's own report (it changes nothing) has its JSON written now, before the synth.
        if not plan_json.is_current(name) and plan_json.saved_plan(name).exists():
            with step(f"[{name}] the saved plan as JSON (terraform show -json, redacted)"):
                plan_json.ensure(name)
    with step(f"synthesize {', '.join(c.stack_name for c in configs)}"):
        _synthesize_stacks(configs)
    reports = []
    for config in configs:
        name, settings = config.stack_name, config.settings()
        with step(f"[{name}] checkov"):
            reports.append(scan_stack(name, stack_dir(name), settings))
            plan = plan_json.path_of(name)
            if plan.exists():
                reports.append(scan_plan(name, plan, stack_dir(name), settings))
    reports = verify_accepted_errors(reports)
    say("checkov (policy/suppressions.toml applied):")
    for report in reports:
        say(f"    {report.line()}")
        for line in findings(report):
            say(f"    {line}")
    return 0 if all(r.ok and not r.unused for r in reports) else EXIT_FAILED


def emulator_start(args: argparse.Namespace) -> int:
    """Start the local AWS emulator (no-op if it runs)."""
    emulator = Emulator(DeployTarget.from_environ().emulator_port)
    say(f"emulator {'started' if emulator.start() else 'already running'} on {emulator.url}")
    return 0


def emulator_stop(args: argparse.Namespace) -> int:
    """Stop the local AWS emulator; everything in it is forgotten."""
    emulator = Emulator(DeployTarget.from_environ().emulator_port)
    say(f"emulator on {emulator.url} {'stopped' if emulator.stop() else 'was not running'}")
    return 0


def cdktf(args: argparse.Namespace) -> int:
    """Run the project's cdktf CLI on the environment's workspace and target (bin/cdktf)."""
    from ops.cdktf_cli import run

    return run(args.cdktf_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    def verb(name, function, *, environment: bool = True):
        command = verbs.add_parser(name, help=function.__doc__, description=function.__doc__)
        if environment:
            command.add_argument(
                "environment", help="the environment's name (environments/<name>.toml), or baseline-<account> (accounts/<account>.toml)"
            )
        command.set_defaults(run=function)
        return command

    planning = {name: verb(name, function) for name, function in (
        ("deploy", deploy), ("plan", plan), ("apply", apply), ("review", review), ("destroy", destroy), ("drift", drift)
    )}
    for name, allowed in (("deploy", "apply"), ("plan", "exit 0"), ("apply", "apply")):
        planning[name].add_argument(
            "--allow-destructive", action="store_true", default=os.environ.get("ALLOW_DESTRUCTIVE") == "1",
            help=f"{allowed} even if the plan replaces or deletes resources (ALLOW_DESTRUCTIVE=1)",
        )
    planning["destroy"].add_argument(
        "--confirm", default=os.environ.get("CONFIRM") or None, metavar="ACCOUNT",
        help="destroying baseline-<account> needs the account's name here (CONFIRM=<account>)",
    )
    for name in ("deploy", "plan", "destroy", "drift"):
        planning[name].add_argument(
            "--force-unlock", action="store_true", default=os.environ.get("FORCE_UNLOCK") == "1",
            help="release a stale state lock (left by a killed run on this machine) and go on; a live one is never released",
        )
    verb("comment", comment)
    verb("verify", verify)
    verb("smoke", smoke)
    verb("bootstrap", bootstrap)
    verb("unlock", unlock).add_argument("lock_id", help="the lock id from the lock error")
    verb("state-versions", state_versions)
    verb("restore-state", restore_state).add_argument("version_id", help="the version id from state-versions")
    verb("recovery-points", recovery_points)
    for name, function, sources in (
        ("restore-database", restore_database, "an RDS snapshot's identifier or ARN (an AWS Backup recovery point of the database is one)"),
        ("restore-table", restore_table, "a DynamoDB backup's ARN, or an AWS Backup recovery point's ARN"),
    ):
        restore = verb(name, function)
        restore.add_argument("--from", dest="source", required=True, help=f"a time (2026-12-03T09:30:00Z, or latest), or {sources} (FROM)")
        restore.add_argument("--to", dest="target", default=None, help="the new resource's name (TO); default <name>-restored-<UTC yyyymmddhhmmss>")
    verb("validate", validate, environment=False).add_argument(
        "environments", nargs="*", help="environment names and baseline-<account> (default: all)"
    )
    plans = verb("plan-all", plan_all, environment=False)
    plans.add_argument("environments", nargs="*", help="environment names and baseline-<account> (default: all)")
    plans.add_argument("--jobs", default=os.environ.get("PLAN_JOBS") or "2", help="plans at once, 1 or more (PLAN_JOBS; default 2)")
    verb("policy", policy, environment=False).add_argument(
        "environments", nargs="*", help="environment names and baseline-<account> (default: all)"
    )
    verb("emulator-start", emulator_start, environment=False)
    verb("emulator-stop", emulator_stop, environment=False)
    verb("cdktf", cdktf, environment=False).add_argument("cdktf_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    environment = getattr(args, "environment", None)
    try:
        if environment is None:
            return args.run(args)
        with registered_run(environment, args.verb):
            return args.run(args)
    except ConfigError as error:
        say(f"refused:\n{error}")
        return EXIT_REFUSED
    except PipelineError as error:
        say(f"error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        say("interrupted: a Terraform run that was stopped may hold the state lock; `make plan` will say so")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
