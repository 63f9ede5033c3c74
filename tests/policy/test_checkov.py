"""checkov over every environment: zero failed checks once the reviewed suppressions are applied."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops.checkov_gate import scan_stack
from policy import load_suppressions
from tests.conftest import require_tool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTS: dict[str, object] = {}


@pytest.fixture(scope="module")
def reports(stacks_dir: Path) -> dict:
    require_tool("checkov") if not (PROJECT_ROOT / ".venv" / "bin" / "checkov").exists() else None
    return {env: scan_stack(env, stacks_dir / "stacks" / env) for env in ("dev", "staging", "prod")}


def test_checkov_finds_nothing_unaccepted(reports, environment):
    report = reports[environment]
    print(report.line())
    assert [str(f) for f in report.failed] == []
    assert report.passed > 400


def test_no_suppression_goes_unused(reports, environment):
    assert [f"{s.check} {s.resource}" for s in reports[environment].unused] == []


def test_every_suppression_names_one_resource_and_a_reason():
    suppressions = load_suppressions()
    assert suppressions.checkov, "the list is read"
    keys = [(s.check, s.resource, tuple(s.environments or ())) for s in suppressions.checkov]
    assert len(keys) == len(set(keys)), "no duplicates"
    for entry in suppressions.checkov:
        assert "*" not in entry.resource and entry.reason.strip()


def test_the_readme_quotes_the_current_counts(reports):
    readme = (PROJECT_ROOT / "README.md").read_text()
    for environment, report in reports.items():
        expected = f"| {environment} | {report.passed} | {len(report.failed)} | {len(report.suppressed)} |"
        assert expected in readme, f"README.md should show {expected}"


def test_the_gate_is_not_vacuous(tmp_path):
    """A deliberately insecure bucket in a throwaway stack fails checkov."""
    stack = tmp_path / "stacks" / "throwaway"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(
        json.dumps(
            {
                "provider": {"aws": [{"region": "us-east-1"}]},
                "resource": {
                    "aws_s3_bucket": {"open": {"bucket": "wide-open", "//": {"metadata": {"path": "throwaway/open"}}}},
                    "aws_s3_bucket_public_access_block": {
                        "open": {"bucket": "${aws_s3_bucket.open.id}", "block_public_acls": False, "block_public_policy": False, "//": {"metadata": {"path": "throwaway/open-pab"}}}
                    },
                },
            }
        )
    )
    report = scan_stack("throwaway", stack)
    checks = {f.check for f in report.failed}
    assert not report.ok and len(report.failed) >= 5
    assert {"CKV_AWS_18", "CKV_AWS_21", "CKV_AWS_53"} <= checks, checks
    assert all(re.fullmatch(r"CKV2?_AWS_\d+", c) for c in checks)
