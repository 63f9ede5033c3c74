"""checkov over the synthesized stacks and the plans, with the reviewed suppressions applied per resource.

checkov's Terraform-JSON runner cannot read inline skip comments, and a global
``--skip-check`` would hide a finding everywhere. So this gate runs checkov
unfiltered and matches every failed check against ``policy/suppressions.toml``
by check id, resource (its construct path) and environment. The gate passes
when no failure is left over and no suppression went unused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from platform_core.errors import PipelineError
from policy import CheckovSuppression, Suppressions, load_suppressions


@dataclass(frozen=True)
class Failure:
    check: str
    title: str
    resource: str
    """The construct path inside the stack (``data-lake/data/bucket``), or checkov's id if unknown."""

    def __str__(self) -> str:
        return f"{self.check} on {self.resource}: {self.title}"


@dataclass
class CheckovReport:
    """One scan: what passed, what failed, what was accepted, and which acceptances matched nothing."""

    environment: str
    subject: str
    passed: int
    failed: list[Failure] = field(default_factory=list)
    suppressed: list[tuple[Failure, CheckovSuppression]] = field(default_factory=list)
    unused: list[CheckovSuppression] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        return (
            f"{self.environment} {self.subject}: {self.passed} passed, {len(self.failed)} failed, "
            f"{len(self.suppressed)} suppressed"
        )


def construct_paths(stack_document: dict) -> dict[str, str]:
    """Logical name -> construct path (without the stack), for every resource and data source."""
    paths = {}
    for kind in ("resource", "data"):
        for by_name in stack_document.get(kind, {}).values():
            for name, body in by_name.items():
                full = body.get("//", {}).get("metadata", {}).get("path", name)
                paths[name] = full.split("/", 1)[1] if "/" in full else full
    return paths


def run_checkov(path: Path, framework: str) -> dict:
    """checkov's JSON report for one file (no network: no guideline download, no platform mapping)."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-f", str(path), "--framework", framework, "-o", "json", "--skip-download", "--compact"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise PipelineError(f"checkov could not scan {path}:\n{result.stderr.strip()[-2000:]}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise PipelineError(f"checkov gave no JSON report for {path}:\n{result.stdout[-1000:]}") from None
    report = report[0] if isinstance(report, list) else report
    if "results" not in report:
        raise PipelineError(f"checkov found nothing to scan in {path}; is it a Terraform {framework} file?")
    return report


def scan(
    environment: str,
    subject: str,
    path: Path,
    framework: str,
    stack_document: dict,
    suppressions: Suppressions | None = None,
) -> CheckovReport:
    """Scan one file and apply the environment's suppressions."""
    suppressions = suppressions or load_suppressions()
    paths = construct_paths(stack_document)
    report = run_checkov(path, framework)
    applicable = suppressions.checkov_for(environment)
    used: set[int] = set()
    outcome = CheckovReport(environment=environment, subject=subject, passed=report["summary"]["passed"])
    for entry in report["results"]["failed_checks"]:
        name = entry["resource"].split(".")[-1]
        failure = Failure(entry["check_id"], entry["check_name"], paths.get(name, entry["resource"]))
        match = next(
            (i for i, s in enumerate(applicable) if s.check == failure.check and s.resource == failure.resource), None
        )
        if match is None:
            outcome.failed.append(failure)
        else:
            used.add(match)
            outcome.suppressed.append((failure, applicable[match]))
    if subject == "stack":
        # A plan carries no data sources (the policy documents), so only a stack scan can
        # tell that an acceptance no longer matches anything.
        outcome.unused = [s for i, s in enumerate(applicable) if i not in used]
    return outcome


def scan_stack(environment: str, stack_dir: Path, suppressions: Suppressions | None = None) -> CheckovReport:
    stack_json = stack_dir / "cdk.tf.json"
    return scan(environment, "stack", stack_json, "terraform_json", json.loads(stack_json.read_text()), suppressions)


def scan_plan(environment: str, plan_json: Path, stack_dir: Path, suppressions: Suppressions | None = None) -> CheckovReport:
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    return scan(environment, "plan", plan_json, "terraform_plan", document, suppressions)
