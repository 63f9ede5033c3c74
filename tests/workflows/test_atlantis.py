"""atlantis.yaml: one project per synthesized stack, in its own directory and workspace, planned when what its synth
reads changes, applied only when approved and mergeable; the server-side hook synthesizes them with a make verb."""

from __future__ import annotations

from environments import load_accounts, load_environments
from ops.cli import _stack_names
from tests.workflows.files import PROJECT_ROOT, dry_run, load, synthesized_stacks

ATLANTIS = load(PROJECT_ROOT / "atlantis.yaml")
PROJECTS = {project["name"]: project for project in ATLANTIS["projects"]}
CODE = ["main.py", "cdktf.json", "Pipfile.lock", "package-lock.json", "environments/*.py", "constructs_lib/**/*"]


def test_one_project_per_synthesized_stack_in_its_directory_and_workspace():
    assert sorted(PROJECTS) == sorted(synthesized_stacks()) == sorted(_stack_names(()))
    for stack, project in PROJECTS.items():
        assert project["dir"] == f"cdktf.out/stacks/{stack}"
        assert project["workspace"] == stack, "the pipeline plans each stack in the workspace named like it"


def test_applied_only_when_approved_and_mergeable():
    for project in PROJECTS.values():
        assert project["apply_requirements"] == ["approved", "mergeable"]
    assert ATLANTIS["automerge"] is False


def test_autoplan_when_the_stacks_own_files_or_the_code_change():
    inputs = {config.stack_name: [str(config.source_file)] for config in load_environments()}
    accounts = load_accounts()
    for config in load_environments():
        inputs[config.stack_name].append(str(accounts[config.account].source_file))
    for account in accounts.values():
        inputs[account.stack_name] = [str(account.source_file)]
    for stack, project in PROJECTS.items():
        assert project["autoplan"]["enabled"] is True
        watched = [path.removeprefix("../../../") for path in project["autoplan"]["when_modified"]]
        assert all(path.startswith("../../../") for path in project["autoplan"]["when_modified"]), "relative to the project's dir"
        assert set(inputs[stack] + CODE) <= set(watched), stack


def test_the_server_side_hook_synthesizes_with_a_make_verb():
    (repo,) = load(PROJECT_ROOT / "docs" / "atlantis" / "repos.yaml")["repos"]
    (hook,) = repo["pre_workflow_hooks"]
    assert hook["run"] == "make synth TARGET=aws"
    assert dry_run(hook["run"]).stdout.strip().splitlines()[-1].endswith("main.py")
    assert set(repo["allowed_overrides"]) >= {"apply_requirements"}
