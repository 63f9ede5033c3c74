"""Every ``run:`` step (workflows, the composite action, the Atlantis hook) is one ``make <verb> [VAR=value]...``: the
verb exists, and the suite itself runs what it runs, so nothing a workflow does is untested locally."""

from __future__ import annotations

import re

import pytest

from tests.workflows.cli_calls import modules_running_main_py, ops_verbs_run
from tests.workflows.files import EXPRESSION, MAKE_CALL, PROJECT_ROOT, concrete, dry_run, load, run_steps

ATLANTIS_SERVER_CONFIG = PROJECT_ROOT / "docs" / "atlantis" / "repos.yaml"


def atlantis_hooks() -> list[tuple[str, str, dict, str]]:
    repos = load(ATLANTIS_SERVER_CONFIG)["repos"]
    return [("docs/atlantis/repos.yaml", "pre_workflow_hooks", {}, hook["run"]) for repo in repos for hook in repo["pre_workflow_hooks"]]


STEPS = [*run_steps(), *atlantis_hooks()]
IDS = [f"{file}:{job}:{run.strip()[:40]}" for file, job, _, run in STEPS]


def test_the_steps_are_found():
    files = {file for file, *_ in STEPS}
    assert {".github/workflows/pull-request.yml", ".github/workflows/deploy.yml", ".github/workflows/test.yml"} <= files
    assert {".github/actions/setup/action.yml", "docs/atlantis/repos.yaml"} <= files


@pytest.mark.parametrize(("file", "job", "body", "run"), STEPS, ids=IDS)
def test_each_run_step_is_one_make_call_and_the_verb_exists(file, job, body, run):
    shape = EXPRESSION.sub("EXPR", run.strip())
    assert MAKE_CALL.fullmatch(shape), f"{file} ({job}): a run step is one `make <verb> [VAR=value]...`, not {run!r}"
    for command in concrete(run, body):
        result = dry_run(command)
        assert result.returncode == 0, f"{command}: {result.stderr}"


def what_it_runs(command: str) -> str:
    """The last command ``make -n`` prints: what the verb's recipe runs."""
    result = dry_run(command)
    assert result.returncode == 0 and result.stdout.strip(), f"{command}: {result.stderr}"
    return result.stdout.strip().splitlines()[-1]


VERBS = sorted({m["verb"] for *_, run in STEPS if (m := MAKE_CALL.fullmatch(EXPRESSION.sub("EXPR", run.strip())))})
"""The verbs of the steps that are make calls (the others fail the test above)."""


@pytest.mark.parametrize("verb", VERBS)
def test_the_suite_runs_what_each_verb_runs(verb):
    recipe = what_it_runs(f"make {verb}")
    if match := re.search(r"-m ops ([a-z][a-z-]*)", recipe):
        runners = ops_verbs_run().get(match.group(1), set())
        assert runners, f"make {verb} runs `python -m ops {match.group(1)}`, and no test outside tests/workflows runs that verb"
    elif re.search(r"\bmain\.py\b", recipe):
        assert modules_running_main_py(), f"make {verb} runs main.py, and no test starts main.py"
    elif re.search(r"-m pytest\b", recipe):
        pass  # make test is this suite: .ci/run runs it
    elif verb == "setup":
        setup = dry_run("make setup").stdout.splitlines()[0]
        assert setup in dry_run("make test").stdout, "make test runs make setup first"
    else:
        pytest.fail(f"make {verb} runs {recipe!r}, which nothing in the suite is known to run")


def test_the_scan_finds_the_ways_tests_run_the_cli():
    """The finder itself: it sees run_ops, e2e.ops, main([...]) and cli.main([...]) calls, and only them."""
    found = ops_verbs_run()
    assert "tests/ops/test_cli.py" in found["plan"], "run_ops('plan', ...)"
    assert "tests/e2e/test_dev_lifecycle.py" in found["drift"], "e2e.ops('drift', ...)"
    assert "tests/ops/test_plan_all.py" in found["plan-all"], "main(['plan-all', ...])"
    assert "tests/ops/test_policy_selection.py" in found["policy"], "cli.main(['policy', ...])"
    assert "--write" not in found, "environments.reference.main is not ops.cli.main"
    assert "tests/config/test_bad_environment_files.py" in modules_running_main_py()


def test_env_also_takes_a_baseline_stack():
    """The workflows plan and apply each stack with ENV=<stack>, the baselines too."""
    for verb in ("plan", "comment", "apply"):
        assert what_it_runs(f"make {verb} ENV=baseline-default") == what_it_runs(f"make {verb} ACCOUNT=default")
