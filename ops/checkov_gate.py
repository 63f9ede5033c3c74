"""checkov over the synthesized stacks and the plans, with the reviewed suppressions applied per resource.

checkov's Terraform-JSON runner cannot read inline skip comments, and a global
``--skip-check`` would hide a finding everywhere. So this gate runs checkov
unfiltered and matches every failed check against ``policy/suppressions.toml``
by check id, resource (its construct path) and environment.

A check that checkov failed to *run* is a finding too (``ops/checkov_runner.py``
records them): it fails the gate, named with its check, resource and error,
unless ``[[checkov_error]]`` accepts it on that input. Such an acceptance holds
only while the same check runs and passes on the other input, which
:func:`verify_accepted_errors` checks whenever both were scanned. The gate
passes when nothing failed, nothing errored unaccepted, and no suppression
went unused.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ops.checkov_runner import ERRORS_FILE_ENV_VAR
from platform_core.errors import PipelineError
from policy import CheckovErrorSuppression, CheckovSuppression, Settings, Suppressions, load_suppressions

INPUTS = ("stack", "plan")
"""What the gate scans: the synthesized Terraform JSON (framework terraform_json) and the plan JSON (terraform_plan)."""
FRAMEWORKS = {"stack": "terraform_json", "plan": "terraform_plan"}


@dataclass(frozen=True)
class Failure:
    check: str
    title: str
    resource: str
    """The construct path inside the stack (``data-lake/data/bucket``), or checkov's id if unknown."""
    hint: str = ""
    """Why a suppression of this check on this resource does not hold here, and what to change."""

    def __str__(self) -> str:
        return f"{self.check} on {self.resource}: {self.title}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class ErroredCheck:
    """A check checkov could not evaluate on one resource (or an error it could not attribute to any check)."""

    check: str
    resource: str
    error: str
    why_not_accepted: str = ""

    def __str__(self) -> str:
        why = f"; {self.why_not_accepted}" if self.why_not_accepted else ""
        return f"{self.check} on {self.resource}: checkov could not run it ({self.error}){why}"


@dataclass
class CheckovReport:
    """One scan of one input: what passed, failed, was accepted, errored, and which acceptances matched nothing."""

    environment: str
    subject: str
    """``stack`` or ``plan``."""
    passed: int
    passed_checks: frozenset[tuple[str, str]] = frozenset()
    """``(check, resource)`` of every check that ran and passed."""
    failed: list[Failure] = field(default_factory=list)
    suppressed: list[tuple[Failure, CheckovSuppression]] = field(default_factory=list)
    errored: list[ErroredCheck] = field(default_factory=list)
    """Checks that could not run and are not (or no longer) accepted: they fail the gate."""
    accepted_errors: list[tuple[ErroredCheck, CheckovErrorSuppression]] = field(default_factory=list)
    unverified: list[tuple[ErroredCheck, CheckovErrorSuppression]] = field(default_factory=list)
    """Accepted errors whose other input was not scanned in this run, so the acceptance could not be checked."""
    unused: list[CheckovSuppression | CheckovErrorSuppression] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errored

    @property
    def errored_count(self) -> int:
        return len(self.errored) + len(self.accepted_errors)

    def line(self) -> str:
        accepted = f" ({len(self.accepted_errors)} accepted)" if self.accepted_errors else ""
        return (
            f"{self.environment} {self.subject}: {self.passed} passed, {len(self.failed)} failed, "
            f"{len(self.suppressed)} skipped (suppressed), {self.errored_count} errored{accepted}"
        )

    def ran_and_passed(self, check: str, resource: str) -> bool:
        return (check, resource) in self.passed_checks

    def outcome_of(self, check: str, resource: str) -> str:
        """What happened to ``check`` on ``resource`` in this scan, in words."""
        if self.ran_and_passed(check, resource):
            return "passed"
        if any(f.check == check and f.resource == resource for f in self.failed) or any(
            f.check == check and f.resource == resource for f, _ in self.suppressed
        ):
            return "failed"
        if any(e.check == check and e.resource == resource for e in self.errored) or any(
            e.check == check and e.resource == resource for e, _ in self.accepted_errors
        ):
            return "could not run either"
        return "did not run"


def construct_paths(stack_document: dict) -> dict[str, str]:
    """Logical name -> construct path (without the stack), for every resource and data source."""
    paths = {}
    for kind in ("resource", "data"):
        for by_name in stack_document.get(kind, {}).values():
            for name, body in by_name.items():
                full = body.get("//", {}).get("metadata", {}).get("path", name)
                paths[name] = full.split("/", 1)[1] if "/" in full else full
    return paths


INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
"""A ``for_each`` or ``count`` instance's key at the end of an address: ``["/acme/dev/network/vpc-id"]``, ``[0]``."""


def resource_name(address: str) -> str:
    """The logical name in a checkov address: ``aws_ssm_parameter.<name>["<key>"]`` -> ``<name>``. Every instance
    of a ``for_each`` resource is its resource (one construct path, one suppression); the key may hold dots."""
    return INSTANCE_KEY.sub("", address).split(".")[-1]


def run_checkov(path: Path, framework: str, extra_args: Sequence[str] = ()) -> tuple[dict, list[dict]]:
    """checkov's JSON report for one file and the checks it failed to run (no network: no guideline
    download, no platform mapping)."""
    with tempfile.NamedTemporaryFile(prefix="checkov-errors-", suffix=".json") as errors:
        env = {
            **os.environ,
            "BC_SKIP_MAPPING": "TRUE",
            "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
            "LOG_LEVEL": "CRITICAL",
            ERRORS_FILE_ENV_VAR: errors.name,
        }
        result = subprocess.run(
            [sys.executable, "-m", "ops.checkov_runner", "-f", str(path), "--framework", framework, "-o", "json",
             "--skip-download", "--compact", *extra_args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        recorded = Path(errors.name).read_text()
    if result.returncode not in (0, 1):
        raise PipelineError(f"checkov could not scan {path}:\n{result.stderr.strip()[-2000:]}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise PipelineError(f"checkov gave no JSON report for {path}:\n{result.stdout[-1000:]}") from None
    report = report[0] if isinstance(report, list) else report
    if "results" not in report:
        raise PipelineError(f"checkov found nothing to scan in {path}; is it a Terraform {framework} file?")
    return report, json.loads(recorded or "[]")


def scan(
    environment: str,
    subject: str,
    path: Path,
    stack_document: dict,
    settings: Settings,
    suppressions: Suppressions | None = None,
    extra_args: Sequence[str] = (),
) -> CheckovReport:
    """Scan one input (``stack`` or ``plan``) and apply the suppressions that hold for the environment's name and
    ``settings`` (``EnvironmentConfig.settings()``)."""
    suppressions = suppressions or load_suppressions()
    paths = construct_paths(stack_document)

    def resource_path(address: str) -> str:
        return paths.get(resource_name(address), address)

    report, errors = run_checkov(path, FRAMEWORKS[subject], extra_args)
    results = report["results"]
    outcome = CheckovReport(
        environment=environment,
        subject=subject,
        passed=report["summary"]["passed"],
        passed_checks=frozenset((entry["check_id"], resource_path(entry["resource"])) for entry in results["passed_checks"]),
    )
    accepted_failures = suppressions.checkov_for(environment, settings)
    elsewhere = suppressions.checkov_not_for(environment, settings)
    used: set[int] = set()
    for entry in results["failed_checks"]:
        failure = Failure(entry["check_id"], entry["check_name"], resource_path(entry["resource"]))
        match = next((i for i, s in enumerate(accepted_failures) if (s.check, s.resource) == (failure.check, failure.resource)), None)
        if match is None:
            nearly = next((s for s in elsewhere if (s.check, s.resource) == (failure.check, failure.resource)), None)
            hint = nearly.why_not(environment, settings) if nearly is not None else _entry_to_add(failure)
            outcome.failed.append(Failure(failure.check, failure.title, failure.resource, hint))
        else:
            used.add(match)
            outcome.suppressed.append((failure, accepted_failures[match]))
    accepted_errors = suppressions.checkov_errors_for(environment, settings, subject)
    used_errors: set[int] = set()
    for entry in errors:
        errored = ErroredCheck(entry["check"] or "(checkov)", resource_path(entry["resource"] or "(no resource)"), entry["error"])
        match = next((i for i, s in enumerate(accepted_errors) if (s.check, s.resource) == (errored.check, errored.resource)), None)
        if match is None:
            outcome.errored.append(errored)
        else:
            used_errors.add(match)
            outcome.accepted_errors.append((errored, accepted_errors[match]))
    # Each acceptance of a failed check says which input finds it (a plan carries no data sources, the policy
    # documents; some checks read only a plan's rendered policies): that input's scan tells when it went unused.
    outcome.unused = [s for i, s in enumerate(accepted_failures) if i not in used and s.found_in == subject]
    outcome.unused += [s for i, s in enumerate(accepted_errors) if i not in used_errors]
    return outcome


def _entry_to_add(failure: Failure) -> str:
    return (
        "fix it; or, if a setting this environment relaxes on purpose explains it, accept it in policy/suppressions.toml: "
        f'[[checkov]] check = "{failure.check}", resource = "{failure.resource}", when = ["<setting> = <value>"], reason = "<why>"'
    )


def verify_accepted_errors(reports: Iterable[CheckovReport]) -> list[CheckovReport]:
    """An error accepted on one input holds only while the same check runs and passes on the other input of the
    same environment. Where the check fails or errors there too, the acceptance becomes an errored finding that
    says why; where there is no result for it there (not scanned, or checkov gave none), it is listed as
    unverified."""
    reports = list(reports)
    by_input = {(r.environment, r.subject): r for r in reports}
    for report in reports:
        still_accepted = []
        for errored, acceptance in report.accepted_errors:
            other = by_input.get((report.environment, acceptance.evaluated_on))
            outcome = other.outcome_of(errored.check, errored.resource) if other is not None else "was not scanned"
            if outcome in ("passed", "was not scanned", "did not run"):
                # "did not run": checkov gave no result there (a plan of resources that exist already
                # names them by id, and some graph checks find nothing to connect). Unverified, not disproven.
                if outcome != "passed":
                    report.unverified.append((errored, acceptance))
                still_accepted.append((errored, acceptance))
            else:
                why = (
                    f"policy/suppressions.toml accepts it because it is evaluated on the {acceptance.evaluated_on} JSON, "
                    f"but there it {other.outcome_of(errored.check, errored.resource)}"
                )
                report.errored.append(ErroredCheck(errored.check, errored.resource, errored.error, why))
        report.accepted_errors = still_accepted
    return reports


def scan_stack(
    environment: str, stack_dir: Path, settings: Settings, suppressions: Suppressions | None = None, extra_args: Sequence[str] = ()
) -> CheckovReport:
    stack_json = stack_dir / "cdk.tf.json"
    return scan(environment, "stack", stack_json, json.loads(stack_json.read_text()), settings, suppressions, extra_args)


def scan_plan(environment: str, plan_json: Path, stack_dir: Path, settings: Settings, suppressions: Suppressions | None = None) -> CheckovReport:
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    return scan(environment, "plan", plan_json, document, settings, suppressions)


def findings(report: CheckovReport) -> list[str]:
    """Every line the gate reports for one scan: failures, errors, unused and unverified acceptances."""
    lines = [f"FAILED {failure}" for failure in report.failed]
    lines += [f"ERRORED {errored}" for errored in report.errored]
    lines += [
        f"UNVERIFIED {errored.check} on {errored.resource}: accepted as evaluated on the {acceptance.evaluated_on} JSON, "
        f"where this run got no result for it (no {acceptance.evaluated_on} scanned, or checkov could not evaluate it "
        f"there); the end-to-end test verifies it on the plan that creates the environment"
        for errored, acceptance in report.unverified
    ]
    for unused in report.unused:
        which = "[[checkov_error]]" if isinstance(unused, CheckovErrorSuppression) else "[[checkov]]"
        lines.append(f"UNUSED suppression {unused.check} on {unused.resource} ({which}): remove it from policy/suppressions.toml")
    return lines
