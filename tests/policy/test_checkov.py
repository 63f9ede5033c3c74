"""checkov over every environment: zero failed and zero unaccepted errored checks, the suppressions applied."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops.checkov_gate import (
    CheckovReport,
    ErroredCheck,
    Failure,
    findings,
    resource_name,
    scan_stack,
    verify_accepted_errors,
)
from policy import CheckovErrorSuppression, load_suppressions
from tests.conftest import require_tool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTS: dict[str, object] = {}
SCANNED = {"dev": 400, "staging": 400, "prod": 400, "baseline-default": 150}
"""Every shipped stack, and the passed checks it has at least (a scan that reads nothing cannot pass)."""


@pytest.fixture(scope="module")
def reports(stacks_dir: Path, configs, accounts) -> dict:
    require_tool("checkov") if not (PROJECT_ROOT / ".venv" / "bin" / "checkov").exists() else None
    settings = {**{name: c.settings() for name, c in configs.items()}, **{a.stack_name: a.settings() for a in accounts.values()}}
    scanned = verify_accepted_errors(scan_stack(name, stacks_dir / "stacks" / name, settings[name]) for name in SCANNED)
    return {report.environment: report for report in scanned}


@pytest.mark.parametrize("stack", SCANNED)
def test_checkov_finds_nothing_unaccepted(reports, stack):
    report = reports[stack]
    print(report.line())
    assert [str(f) for f in report.failed] == []
    assert [str(e) for e in report.errored] == []
    assert report.passed > SCANNED[stack]


@pytest.mark.parametrize("stack", SCANNED)
def test_no_suppression_goes_unused(reports, stack):
    assert [f"{s.check} {s.resource}" for s in reports[stack].unused] == []


def test_an_instance_of_a_for_each_or_count_resource_is_that_resource():
    assert resource_name('aws_ssm_parameter.published-parameters_71A9A194["/acme/prod/network/endpoints/ecr.api"]') == "published-parameters_71A9A194"
    assert resource_name("module.m.aws_instance.compute_app-a_6E1D4B1C[0]") == "compute_app-a_6E1D4B1C"
    assert resource_name("aws_vpc.network_vpc_9A1B2C3D") == "network_vpc_9A1B2C3D"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_one_entry_accepts_the_string_parameters_of_the_one_published_resource(reports, stacks, stack):
    """checkov fails CKV2_AWS_34 on every instance of the published parameters (and on two line markers it takes
    for instances); each maps to the resource's construct path, which one suppression names."""
    ((_, body),) = stacks[stack]["resource"]["aws_ssm_parameter"].items()
    accepted = [failure.resource for failure, _ in reports[stack].suppressed if failure.check == "CKV2_AWS_34"]
    assert set(accepted) == {"published-parameters/parameters"} and len(accepted) >= len(body["for_each"])


def test_every_suppression_names_one_resource_and_a_reason():
    suppressions = load_suppressions()
    assert suppressions.checkov, "the list is read"
    entries = [*suppressions.checkov, *suppressions.checkov_error]
    keys = [(type(s).__name__, s.check, s.resource, tuple(s.environments or ())) for s in entries]
    assert len(keys) == len(set(keys)), "no duplicates"
    for entry in entries:
        assert "*" not in entry.resource and entry.reason.strip()


def test_the_readme_quotes_the_current_counts(reports):
    readme = (PROJECT_ROOT / "README.md").read_text()
    for environment, report in reports.items():
        errored = f"{report.errored_count} ({len(report.accepted_errors)} accepted)" if report.accepted_errors else str(report.errored_count)
        expected = f"| {environment} | stack | {report.passed} | {len(report.failed)} | {len(report.suppressed)} | {errored} |"
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
    report = scan_stack("throwaway", stack, {})
    checks = {f.check for f in report.failed}
    assert not report.ok and len(report.failed) >= 5
    assert {"CKV_AWS_18", "CKV_AWS_21", "CKV_AWS_53"} <= checks, checks
    assert all(re.fullmatch(r"CKV2?_AWS_\d+", c) for c in checks)


RAISING_CHECK = """
from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AlwaysRaises(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="A check that raises", id="CKV_AWS_990001", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["aws_s3_bucket"])

    def scan_resource_conf(self, conf):
        raise RuntimeError("this check always raises")


check = AlwaysRaises()
"""


def test_a_check_that_raises_fails_the_gate_and_is_named(tmp_path, stacks_dir, configs):
    """checkov leaves a check that raised out of its report; the gate finds it and fails, naming check,
    resource and error."""
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "__init__.py").write_text("")
    (checks / "always_raises.py").write_text(RAISING_CHECK)
    report = scan_stack("dev", stacks_dir / "stacks" / "dev", configs["dev"].settings(), extra_args=["--external-checks-dir", str(checks)])
    raised = [e for e in report.errored if e.check == "CKV_AWS_990001"]
    assert not report.ok
    assert {e.resource for e in raised} >= {"data-lake/data/bucket", "data-lake/audit/bucket", "data-lake/access-logs/bucket"}
    assert all(e.error == "RuntimeError: this check always raises" for e in raised)
    assert "ERRORED CKV_AWS_990001 on data-lake/data/bucket: checkov could not run it (RuntimeError: this check always raises)" in findings(report)


def _report(subject: str, **outcome) -> CheckovReport:
    return CheckovReport(environment="dev", subject=subject, passed=len(outcome.get("passed_checks", ())), **outcome)


ACCEPTANCE = CheckovErrorSuppression(check="CKV2_AWS_70", resource="api/options-method", errors_on="stack", reason="known upstream bug")
ERROR = ErroredCheck("CKV2_AWS_70", "api/options-method", "AttributeError: 'NoneType' object has no attribute 'nodes'")


def _stack_with_accepted_error() -> CheckovReport:
    return _report("stack", accepted_errors=[(ERROR, ACCEPTANCE)])


def test_an_accepted_error_holds_while_the_check_passes_on_the_other_input():
    stack, plan = verify_accepted_errors([_stack_with_accepted_error(), _report("plan", passed_checks=frozenset({(ERROR.check, ERROR.resource)}))])
    assert stack.ok and stack.accepted_errors == [(ERROR, ACCEPTANCE)] and stack.unverified == []


@pytest.mark.parametrize(
    "plan, outcome",
    [
        (dict(failed=[Failure("CKV2_AWS_70", "no auth", "api/options-method")]), "failed"),
        (dict(errored=[ERROR]), "could not run either"),
    ],
    ids=["fails-there", "errors-there-too"],
)
def test_an_accepted_error_is_a_finding_when_the_check_does_not_pass_on_the_other_input(plan, outcome):
    stack, _ = verify_accepted_errors([_stack_with_accepted_error(), _report("plan", **plan)])
    assert not stack.ok and stack.accepted_errors == []
    (finding,) = stack.errored
    assert finding.why_not_accepted.endswith(f"evaluated on the plan JSON, but there it {outcome}")


def test_an_accepted_error_is_unverified_when_the_other_input_was_not_scanned():
    (stack,) = verify_accepted_errors([_stack_with_accepted_error()])
    assert stack.ok and stack.unverified == [(ERROR, ACCEPTANCE)]
    assert any(line.startswith("UNVERIFIED CKV2_AWS_70 on api/options-method") for line in findings(stack))


def test_an_accepted_error_is_unverified_when_the_other_input_gives_no_result_for_it():
    """checkov gives no result for some graph checks on the plan of resources that exist already."""
    stack, _ = verify_accepted_errors([_stack_with_accepted_error(), _report("plan", passed_checks=frozenset({("CKV2_AWS_70", "api/get-method")}))])
    assert stack.ok and stack.unverified == [(ERROR, ACCEPTANCE)] and stack.errored == []


def copied_environment(tmp_path, name: str, edit=lambda text: text):
    """dev's file copied as ``name`` (its own state key and range), edited, synthesized; its config and stack dir."""
    from environments import load_environments
    from platform_core.target import DeployTarget
    from tests.synth import synth_environments

    directory = tmp_path / "environments"
    directory.mkdir()
    text = (PROJECT_ROOT / "environments" / "dev.toml").read_text()
    text = text.replace("10.10.0.0/16", "10.70.0.0/16").replace('key = "platform/dev.tfstate"', f'key = "platform/{name}.tfstate"')
    (directory / f"{name}.toml").write_text(edit(text))
    (config,) = load_environments(directory, only=[name])
    synth_environments([config], DeployTarget(kind="aws"), tmp_path / "out")
    return config, tmp_path / "out" / "stacks" / name


def test_a_new_environment_copied_from_dev_passes_with_no_edit_to_the_suppressions(tmp_path):
    config, stack = copied_environment(tmp_path, "qa")
    report = scan_stack("qa", stack, config.settings())
    assert report.ok and report.unused == [], findings(report)
    assert {s.check for _, s in report.suppressed} >= {"CKV_AWS_157", "CKV_AWS_293"}, "covered because qa relaxes the same settings"


def test_an_environment_that_relaxes_something_new_fails_naming_the_entry_to_add(tmp_path):
    config, stack = copied_environment(tmp_path, "lab", lambda text: text.replace("[logging]\nretention_days = 365", "[logging]\nretention_days = 30"))
    assert config.logging.retention_days == 30
    report = scan_stack("lab", stack, config.settings())
    short = [f for f in report.failed if f.check == "CKV_AWS_338"]
    assert short and not report.ok
    assert f'[[checkov]] check = "CKV_AWS_338", resource = "{short[0].resource}", when = ["<setting> = <value>"]' in str(short[0])


def test_a_name_list_that_misses_an_environment_names_the_entry_to_extend(tmp_path):
    from policy import CheckovSuppression, Suppressions

    config, stack = copied_environment(tmp_path, "qa")
    named = load_suppressions().model_copy(update={"checkov": [
        s if s.check != "CKV_AWS_157" else CheckovSuppression(check=s.check, resource=s.resource, environments=["dev"], reason=s.reason)
        for s in load_suppressions().checkov
    ]})
    report = scan_stack("qa", stack, config.settings(), Suppressions.model_validate(named.model_dump()))
    (failure,) = [f for f in report.failed if f.check == "CKV_AWS_157"]
    assert "accepts it only for environments dev: if the same reason holds for qa, add it to that entry's environments" in str(failure)


def test_a_setting_that_does_not_hold_is_named_in_the_failure():
    from policy import CheckovSuppression

    entry = CheckovSuppression(check="CKV_AWS_157", resource="database/instance", when=["database.multi_az = false"], reason="r")
    assert entry.applies_to("prod", {"database.multi_az": False})
    assert not entry.applies_to("prod", {"database.multi_az": True})
    assert "only when database.multi_az = false (here true)" in entry.why_not("prod", {"database.multi_az": True})


def test_is_set_holds_for_any_value_of_an_optional_setting_and_says_what_it_is_here():
    from policy import CheckovSuppression

    entry = CheckovSuppression(check="CKV_AWS_109", resource="keys/backup-copy-key/key-policy", when=["backup.copy_to_region is set"], reason="r")
    assert entry.applies_to("prod", {"backup.copy_to_region": "us-west-2"})
    assert not entry.applies_to("dev", {"backup.copy_to_region": None}) and not entry.applies_to("dev", {})
    assert "only when backup.copy_to_region is set (here null)" in entry.why_not("dev", {"backup.copy_to_region": None})
    with pytest.raises(ValueError, match="is not a condition"):
        CheckovSuppression(check="CKV_AWS_109", resource="keys/k/key-policy", when=["backup.copy_to_region is"], reason="r")


def test_an_environment_that_copies_its_backups_to_another_region_passes(tmp_path):
    """The copy vault's key exists only with backup.copy_to_region: its key policy is accepted as every key's is, there
    and nowhere else (in every other environment the entries are not applied, so they cannot go unused)."""
    config, stack = copied_environment(tmp_path, "qa", lambda text: text.replace("[backup]\n", '[backup]\ncopy_to_region = "us-west-2"\n'))
    assert config.backup.copy_to_region == "us-west-2"
    report = scan_stack("qa", stack, config.settings())
    assert report.ok and report.unused == [], findings(report)
    assert {(f.check, f.resource) for f, _ in report.suppressed} >= {(check, "keys/backup-copy-key/key-policy") for check in ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356")}


def test_every_condition_names_a_real_setting(configs, accounts):
    settings = {"environment": configs["dev"].settings(), "baseline": accounts["default"].settings(), "every": {}}
    suppressions = load_suppressions()
    for entry in [*suppressions.checkov, *suppressions.checkov_error, *suppressions.rule]:
        known = settings[entry.stack]
        for condition in entry.conditions():
            key, value = condition.key, condition.value
            assert key in known, f"{entry.resource}: when: {key} is not a setting of an {entry.stack} stack's file"
            if condition.is_set:
                assert known[key] is None, f"{entry.resource}: when: {key} is set: {key} is no optional setting (dev gives it {known[key]!r})"
            else:
                assert isinstance(value, type(known[key])), f"{entry.resource}: when: {key} = {value!r} has the wrong type"


def test_an_entry_holds_in_its_kind_of_stack_only():
    from policy import CheckovSuppression

    baseline = CheckovSuppression(check="CKV2_AWS_3", resource="guardduty-us-east-1/detector", stack="baseline", reason="r")
    environment = CheckovSuppression(check="CKV_AWS_144", resource="data-lake/data/bucket", reason="r")
    assert baseline.applies_to("baseline-default", {}) and not baseline.applies_to("dev", {})
    assert environment.applies_to("dev", {}) and not environment.applies_to("baseline-default", {})
    assert "only in baseline stacks; dev is not one" in baseline.why_not("dev", {})
    every = CheckovSuppression(check="CKV_AWS_110", resource="permissions-boundary/document", stack="every", reason="r")
    assert every.applies_to("dev", {}) and every.applies_to("baseline-default", {})
