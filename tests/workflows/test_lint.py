"""actionlint (with shellcheck) passes on every workflow, and every action comes from a pinned commit."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.workflows.files import PROJECT_ROOT, action_files, load, steps, workflow_files

ACTIONLINT = PROJECT_ROOT / ".venv" / "bin" / "actionlint"
SHELLCHECK = PROJECT_ROOT / ".venv" / "bin" / "shellcheck"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def pinned_tool(path) -> str:
    """The tool from the locked dev packages; missing is a failure (never a skip): the suite is how it runs."""
    if not path.exists():
        pytest.fail(f"{path.relative_to(PROJECT_ROOT)} is missing; run `make setup` (Pipfile.lock installs it)")
    return str(path)


def test_there_are_workflows():
    assert {p.name for p in workflow_files()} >= {"pull-request.yml", "deploy.yml", "test.yml"}


def test_actionlint_with_shellcheck_passes_on_every_workflow():
    result = subprocess.run(
        [pinned_tool(ACTIONLINT), "-shellcheck", pinned_tool(SHELLCHECK), "-pyflakes=", "-no-color", *map(str, workflow_files())],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [*workflow_files(), *action_files()], ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_every_action_is_pinned_to_a_commit_with_its_tag_named(path):
    lines = path.read_text().splitlines()
    for _, _, step in steps(load(path)):
        action = step.get("uses")
        if action is None or action.startswith("./"):
            continue
        assert PINNED.match(action), f"{path.name}: {action} is not pinned to a full commit SHA"
        (line,) = {line for line in lines if f"uses: {action}" in line}
        assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: say which tag {action} is: {line.strip()}"
