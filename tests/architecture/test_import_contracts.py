"""The layers of the code, enforced by import-linter (contracts in pyproject.toml).

The contracts must hold on the tree as it is, and each must fail on the kind of
import it forbids. Those failures are shown on a copy of the packages with one
wrong import added, so the tree itself is never touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(root: Path) -> tuple[int, dict[str, str]]:
    """Run lint-imports in ``root``; its exit code and each contract's verdict (KEPT or BROKEN) by name."""
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300,
    )
    text = re.sub(r"\s*\n\s*", " ", result.stdout)
    verdicts = {c["name"]: ("BROKEN" if f"{c['name']} BROKEN" in text else "KEPT" if f"{c['name']} KEPT" in text else "?") for c in CONFIG["contracts"]}
    return result.returncode, verdicts


def test_every_contract_holds_on_the_tree():
    code, verdicts = lint_imports(PROJECT_ROOT)
    assert verdicts == {name: "KEPT" for name in verdicts}, verdicts
    assert code == 0


WRONG_IMPORTS = {
    "layers": ("platform_core/_probe.py", "import environments\n"),
    "pipeline-without-jsii": ("ops/_probe.py", "import jsii\n"),
    "config-without-cdktf": ("environments/_probe.py", "import boto3\n"),
    "functions-stand-apart": ("lambda_src/data_api/_probe.py", "import platform_core\n"),
    "nothing-imports-functions": ("ops/_probe.py", "import lambda_src.data_api.handler\n"),
}


def test_every_contract_has_a_wrong_import_that_breaks_it():
    assert set(WRONG_IMPORTS) == {c["id"] for c in CONFIG["contracts"]}


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", copy)
    for package in CONFIG["root_packages"]:
        shutil.copytree(PROJECT_ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.js", "*.md"))
    return copy


@pytest.mark.parametrize("contract", sorted(WRONG_IMPORTS))
def test_a_wrong_import_breaks_its_contract(tree_copy, contract):
    path, line = WRONG_IMPORTS[contract]
    probe = tree_copy / path
    probe.write_text(line)
    try:
        code, verdicts = lint_imports(tree_copy)
    finally:
        probe.unlink()
    (name,) = [c["name"] for c in CONFIG["contracts"] if c["id"] == contract]
    assert code != 0
    assert verdicts[name] == "BROKEN", verdicts
