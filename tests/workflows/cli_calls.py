"""Which ``python -m ops`` verbs the test suite runs, read from the test modules' source (outside tests/workflows).

A test runs a verb when it calls

* ``run_ops("<verb>", ...)`` (tests/ops/test_cli.py: ``python -m ops`` in a subprocess);
* ``<e2e>.ops("<verb>", ...)`` or ``<e2e>.popen("<verb>", ...)`` (tests/e2e: ``bin/platform``, which execs
  ``python -m ops``);
* ``main([...])`` or ``<cli>.main([...])``, where that is ``ops.cli.main``, with the verb first in the list.

A ``make -n`` dry run or ``build_parser().parse_args(...)`` does not count: neither runs the verb. A test runs the
synth entry point when it starts a process whose command names ``main.py``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from tests.workflows.files import PROJECT_ROOT

SUBPROCESS_HELPERS = frozenset({"run_ops", "ops", "popen"})
PROCESS_STARTERS = frozenset({"run", "Popen", "check_call", "check_output"})


def test_modules() -> Iterator[Path]:
    for path in sorted((PROJECT_ROOT / "tests").rglob("*.py")):
        if path.relative_to(PROJECT_ROOT / "tests").parts[0] != "workflows":
            yield path


def ops_verbs_run() -> dict[str, set[str]]:
    """Verb -> the test modules (relative paths) that run it."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in test_modules():
        tree = ast.parse(path.read_text())
        main_names, cli_modules = _ops_cli_bindings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (verb := _verb(node, main_names, cli_modules)):
                found[verb].add(path.relative_to(PROJECT_ROOT).as_posix())
    return dict(found)


def modules_running_main_py() -> list[str]:
    """The test modules that start ``main.py`` (the synth entry point) as a process."""
    return [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in test_modules()
        if any(
            isinstance(node, ast.Call) and _name(node.func) in PROCESS_STARTERS and _names_main_py(node)
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]


def _ops_cli_bindings(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to ``ops.cli.main``, and to the ``ops.cli`` module, anywhere in the module."""
    main_names, cli_modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "ops.cli":
            main_names |= {alias.asname or alias.name for alias in node.names if alias.name == "main"}
        elif isinstance(node, ast.ImportFrom) and node.module == "ops":
            cli_modules |= {alias.asname or alias.name for alias in node.names if alias.name == "cli"}
        elif isinstance(node, ast.Import):
            cli_modules |= {alias.asname for alias in node.names if alias.name == "ops.cli" and alias.asname}
    return main_names, cli_modules


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _verb(call: ast.Call, main_names: set[str], cli_modules: set[str]) -> str | None:
    first = call.args[0] if call.args else None
    if _name(call.func) in SUBPROCESS_HELPERS:
        return _string(first)
    is_ops_main = (isinstance(call.func, ast.Name) and call.func.id in main_names) or (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "main"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id in cli_modules
    )
    if is_ops_main and isinstance(first, ast.List | ast.Tuple) and first.elts:
        return _string(first.elts[0])
    return None


def _names_main_py(call: ast.Call) -> bool:
    return any(_string(node) == "main.py" for argument in call.args for node in ast.walk(argument))
