"""ops/synth_stamp.py: a stack is re-synthesized whenever anything the synth reads changed (issue: the inner loop)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ops import synth_stamp


@pytest.fixture
def project(tmp_path) -> Path:
    """A project tree with one file of each kind the synth reads."""
    root = tmp_path / "project"
    files = {
        "main.py": "print('synth')\n",
        "cdktf.json": '{"app": "python main.py"}\n',
        "Pipfile.lock": '{"default": {"cdktf": {"version": "==0.21.0"}}}\n',
        "package-lock.json": '{"packages": {"node_modules/cdktf-cli": {"version": "0.21.0"}}}\n',
        "constructs_lib/network.py": "CIDR = '10.0.0.0/16'\n",
        "platform_core/defaults.py": "RETENTION = 365\n",
        "policy/suppressions.toml": "[[checkov]]\n",
        "lambda_src/data_api/handler.py": "def handler(event, context): ...\n",
        "synth_runtime/provider_bindings.py": "EAGER = False\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.toml").write_text('name = "dev"\n')
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "default.toml").write_text('account_id = "123456789012"\n')
    return root


@pytest.fixture
def environ(project) -> dict[str, str]:
    return {
        "PLATFORM_ENVIRONMENTS_DIR": str(project.parent / "environments"),
        "PLATFORM_ACCOUNTS_DIR": str(project.parent / "accounts"),
        "PLATFORM_ENVS": "dev",
        "PLATFORM_ACCOUNTS": "",
        "TARGET": "emulator",
        "EMULATOR_PORT": "4566",
        "HOME": "/root",
    }


@pytest.fixture
def stack(tmp_path) -> Path:
    """A synthesized stack: its document and one asset."""
    directory = tmp_path / "cdktf.out" / "stacks" / "dev"
    (directory / "assets" / "function").mkdir(parents=True)
    (directory / "cdk.tf.json").write_text('{"resource": {}}')
    (directory / "assets" / "function" / "data_api.zip").write_bytes(b"PK zip")
    return directory


def test_current_after_record_until_something_changes(project, environ, stack):
    inputs = synth_stamp.inputs_digest(environ, project)
    assert not synth_stamp.is_current(stack, inputs), "never synthesized with a stamp"
    synth_stamp.record(stack, inputs)
    assert synth_stamp.is_current(stack, synth_stamp.inputs_digest(environ, project))


def _edit(path: str) -> Callable[[Path, dict], None]:
    return lambda project, environ: (project / path).write_text((project / path).read_text() + "# edited\n")


def _set(variable: str, value: str) -> Callable[[Path, dict], None]:
    return lambda project, environ: environ.__setitem__(variable, value)


INPUT_CHANGES: dict[str, Callable[[Path, dict], None]] = {
    "environment file": lambda project, environ: (Path(environ["PLATFORM_ENVIRONMENTS_DIR"]) / "dev.toml").write_text('name = "dev"\nx = 1\n'),
    "new environment file beside it": lambda project, environ: (Path(environ["PLATFORM_ENVIRONMENTS_DIR"]) / "qa.toml").write_text("x = 1\n"),
    "environment directory": lambda project, environ: environ.__setitem__("PLATFORM_ENVIRONMENTS_DIR", str(project / "elsewhere")),
    "account file": lambda project, environ: (Path(environ["PLATFORM_ACCOUNTS_DIR"]) / "default.toml").write_text("x = 2\n"),
    "environment file removed": lambda project, environ: (Path(environ["PLATFORM_ENVIRONMENTS_DIR"]) / "dev.toml").unlink(),
    "construct module": _edit("constructs_lib/network.py"),
    "construct module removed": lambda project, environ: (project / "constructs_lib" / "network.py").unlink(),
    "new construct module": lambda project, environ: (project / "constructs_lib" / "waf.py").write_text("RULES = []\n"),
    "platform default": _edit("platform_core/defaults.py"),
    "suppressions": _edit("policy/suppressions.toml"),
    "function source": _edit("lambda_src/data_api/handler.py"),
    "synth runtime": _edit("synth_runtime/provider_bindings.py"),
    "main.py": _edit("main.py"),
    "cdktf.json": _edit("cdktf.json"),
    "Python lock file": _edit("Pipfile.lock"),
    "npm lock file": _edit("package-lock.json"),
    "lock file removed": lambda project, environ: (project / "Pipfile.lock").unlink(),
    "target": _set("TARGET", "aws"),
    "emulator port": _set("EMULATOR_PORT", "4567"),
    "stack selection": _set("PLATFORM_ENVS", "dev,staging"),
    "account selection": _set("PLATFORM_ACCOUNTS", "default"),
    "jsii setting": _set("JSII_NODE", "/usr/bin/node"),
}


@pytest.mark.parametrize("change", INPUT_CHANGES.values(), ids=INPUT_CHANGES.keys())
def test_any_changed_input_is_synthesized_again(project, environ, stack, change):
    synth_stamp.record(stack, synth_stamp.inputs_digest(environ, project))
    change(project, environ)
    assert not synth_stamp.is_current(stack, synth_stamp.inputs_digest(environ, project))


def test_variables_the_synth_does_not_read_change_nothing(project, environ, stack):
    synth_stamp.record(stack, synth_stamp.inputs_digest(environ, project))
    environ.update(HOME="/home/someone", TERM="dumb")
    (project / "constructs_lib" / "__pycache__").mkdir()
    (project / "constructs_lib" / "__pycache__" / "network.cpython-311.pyc").write_bytes(b"\0")
    assert synth_stamp.is_current(stack, synth_stamp.inputs_digest(environ, project))


OUTPUT_CHANGES: dict[str, Callable[[Path], None]] = {
    "document edited": lambda stack: (stack / "cdk.tf.json").write_text('{"resource": {"aws_vpc": {}}}'),
    "document removed": lambda stack: (stack / "cdk.tf.json").unlink(),
    "asset removed": lambda stack: shutil.rmtree(stack / "assets"),
    "asset edited": lambda stack: (stack / "assets" / "function" / "data_api.zip").write_bytes(b"PK other"),
    "stamp removed": synth_stamp.forget,
}


@pytest.mark.parametrize("change", OUTPUT_CHANGES.values(), ids=OUTPUT_CHANGES.keys())
def test_an_output_changed_since_the_synth_is_synthesized_again(project, environ, stack, change):
    inputs = synth_stamp.inputs_digest(environ, project)
    synth_stamp.record(stack, inputs)
    change(stack)
    assert not synth_stamp.is_current(stack, inputs)


def test_the_real_project_reads_every_source_directory():
    """Each directory the digest reads exists in the project: a renamed one would silently stop counting."""
    root = synth_stamp.PROJECT_ROOT
    assert [name for name in synth_stamp.SOURCE_FILES if not (root / name).is_file()] == []
    assert [name for name in synth_stamp.SOURCE_DIRS if not (root / name).is_dir()] == []
    imported = {line.strip().split()[1].split(".")[0] for line in (root / "main.py").read_text().splitlines() if line.strip().startswith(("from ", "import "))}
    first_party = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    assert imported & first_party <= set(synth_stamp.SOURCE_DIRS), "main.py imports a package the digest does not read"
