"""The fast import path of the provider bindings: used, switchable, safe, and byte-identical.

The fast path loads the provider package's root without its ~2,100 eager
submodule imports and registers only the submodules a synth uses while the
assembly loads (synth_runtime/provider_bindings.py).
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synth_runtime.provider_bindings import (
    EAGER_ENV_VAR,
    IN_PROCESS_KERNEL,
    LAZY_NODE_INDEX,
    PACKAGE,
    aws,
    prepare_node,
)
from synth_runtime.provider_modules import USED_MODULES
from tests.conftest import require_tool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOADED_MODULES = (
    "import sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import main\n"
    "assert main.main() == 0\n"
    "from synth_runtime.provider_bindings import aws\n"
    "print(aws.import_mode)\n"
    "import os\n"
    "print('node-lazy' if 'lazy_provider_index.js' in os.environ.get('NODE_OPTIONS', '') else 'node-eager')\n"
    "print(' '.join(sorted(m.split('.')[1] for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.') and m.count('.') == 1 and not m.split('.')[1].startswith('_'))))\n"
)


def synth_in_subprocess(outdir: Path, **extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in (EAGER_ENV_VAR, "PLATFORM_ENVS", "NODE_OPTIONS")}
    env.update(CDKTF_OUTDIR=str(outdir), **extra)
    result = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, str(PROJECT_ROOT)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    root = tmp_path_factory.mktemp("paths")
    return {
        "fast": (root / "fast", synth_in_subprocess(root / "fast")),
        "eager": (root / "eager", synth_in_subprocess(root / "eager", **{EAGER_ENV_VAR: "1"})),
    }


def test_this_test_process_uses_the_fast_path(stacks):
    assert aws.import_mode in ("fast", "already-imported")
    assert len([m for m in sys.modules if m.startswith(PACKAGE + ".")]) < 400, "the 2,100 submodules stay unloaded"


def test_the_environment_variable_turns_the_fast_path_off(both_paths):
    assert both_paths["fast"][1][:2] == ["fast", "node-lazy"]
    assert both_paths["eager"][1][:2] == ["eager", "node-eager"]


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_both_paths_synthesize_byte_identical_json(both_paths, environment):
    fast, eager = (both_paths[k][0] / "stacks" / environment for k in ("fast", "eager"))
    assert (fast / "cdk.tf.json").read_bytes() == (eager / "cdk.tf.json").read_bytes()
    comparison = filecmp.dircmp(fast / "assets", eager / "assets")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only


def test_the_preload_list_is_exactly_what_a_synth_uses(both_paths):
    used = set(both_paths["fast"][1][2].split())
    assert list(USED_MODULES) == sorted(set(USED_MODULES)), "one entry per submodule, sorted"
    assert used == set(USED_MODULES), (
        "update synth_runtime/provider_modules.py: missing "
        f"{sorted(used - set(USED_MODULES))}, unused {sorted(set(USED_MODULES) - used)}"
    )


def test_a_package_layout_it_does_not_recognise_falls_back(monkeypatch):
    import synth_runtime.provider_bindings as bindings

    monkeypatch.setattr(bindings, "_EAGER_IMPORTS_MARKER", "# a marker this package does not contain")
    assert bindings._load_root_without_submodules(()) is False, "no change, so the normal import runs"


def test_every_construct_output_resolves_on_the_fast_path(stacks, environment):
    """Touch every output of every construct: no type from an unimported submodule is met."""
    outputs = stacks[environment]["output"]
    assert len(outputs) >= 30
    assert all(str(item["value"]).startswith(("${", "[")) for item in outputs.values())


NODE_PROBE = (
    "const index = require(process.argv[1]);\n"
    "console.log(JSON.stringify({ used: index.used.value, keys: Object.keys(index).sort() }));\n"
)


@pytest.fixture
def provider_like_package(tmp_path) -> Path:
    """An index.js shaped like the provider's: one submodule that works, one that must never be loaded."""
    lib = tmp_path / "node_modules" / "@cdktf" / "provider-aws" / "lib"
    for name, body in {"used": "exports.value = 42;", "never-loaded": 'throw new Error("loaded eagerly");'}.items():
        (lib / name).mkdir(parents=True)
        (lib / name / "index.js").write_text(body)
    (lib / "index.js").write_text(
        '"use strict";\nexports.used = exports.neverLoaded = void 0;\n'
        'exports.used = require("./used");\nexports.neverLoaded = require("./never-loaded");\n'
    )
    return lib / "index.js"


def run_node(index: Path, *preload: str) -> subprocess.CompletedProcess[str]:
    node = os.environ.get("JSII_NODE") or require_tool("node")
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    return subprocess.run([node, *preload, "-e", NODE_PROBE, str(index)], capture_output=True, text=True, timeout=60, env=env)


def test_the_node_hook_requires_each_provider_submodule_on_first_use(provider_like_package):
    eager = run_node(provider_like_package)
    assert eager.returncode != 0 and "loaded eagerly" in eager.stderr, "without the hook every submodule loads"
    lazy = run_node(provider_like_package, "--require", str(LAZY_NODE_INDEX))
    assert lazy.returncode == 0, lazy.stderr
    assert json.loads(lazy.stdout) == {"used": 42, "keys": ["neverLoaded", "used"]}, "same exports, loaded on use"


def test_prepare_node_adds_the_hooks_once_and_never_on_the_eager_path():
    environ = {"NODE_OPTIONS": "--no-deprecation"}
    prepare_node(environ)
    prepare_node(environ)
    assert environ["NODE_OPTIONS"] == (
        f'--no-deprecation --preserve-symlinks --require "{IN_PROCESS_KERNEL}" --require "{LAZY_NODE_INDEX}"'
    )
    eager = {EAGER_ENV_VAR: "1"}
    prepare_node(eager)
    assert "NODE_OPTIONS" not in eager


FAKE_PROGRAM = """const fs = require("fs");
const channel = {readFD:3,writeFD:3};
console.log("console output");
const buffer = Buffer.alloc(64);
const read = fs.readSync(channel.readFD, buffer, 0, 64, null);
fs.writeSync(channel.writeFD, "echo:" + buffer.subarray(0, read).toString());
"""


@pytest.fixture
def jsii_launcher(tmp_path) -> Path:
    """jsii's layout in miniature: a launcher that must not run, and a kernel that talks on fd 3."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "bin" / "jsii-runtime.js").write_text('throw new Error("the launcher ran");\n')
    (tmp_path / "lib" / "program.js").write_text(FAKE_PROGRAM)
    return tmp_path / "bin" / "jsii-runtime.js"


def run_launcher(launcher: Path, *options: str) -> subprocess.CompletedProcess[str]:
    node = os.environ.get("JSII_NODE") or require_tool("node")
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    return subprocess.run(
        [node, *options, "--require", str(IN_PROCESS_KERNEL), str(launcher)],
        input="ping\n", capture_output=True, text=True, timeout=60, env=env,
    )


def test_the_kernel_runs_in_the_launchers_process_on_stdin_and_stdout(jsii_launcher):
    result = run_launcher(jsii_launcher, "--preserve-symlinks")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "echo:ping\n", "the API channel carries only the kernel's own lines"
    relayed = [json.loads(line) for line in result.stderr.splitlines()]
    assert relayed == [{"stdout": "Y29uc29sZSBvdXRwdXQK"}], "console output is relayed the way jsii's launcher does"


def test_the_launcher_runs_unchanged_without_preserved_symlinks(jsii_launcher):
    result = run_launcher(jsii_launcher)
    assert result.returncode != 0 and "the launcher ran" in result.stderr


def test_the_launcher_runs_unchanged_for_a_kernel_it_does_not_recognise(jsii_launcher):
    program = jsii_launcher.parent.parent / "lib" / "program.js"
    program.write_text(FAKE_PROGRAM.replace("readFD:3,writeFD:3", "readFD:4,writeFD:4"))
    result = run_launcher(jsii_launcher, "--preserve-symlinks")
    assert result.returncode != 0 and "the launcher ran" in result.stderr


def test_this_test_process_talks_to_an_in_process_kernel(stacks):
    """The jsii kernel this process started has no child: it is not jsii's launcher-plus-kernel pair."""
    children = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "jsii-runtime.js"], capture_output=True, text=True)
    kernels = children.stdout.split()
    assert len(kernels) == 1, children
    grandchildren = subprocess.run(["pgrep", "-P", kernels[0]], capture_output=True, text=True)
    assert grandchildren.stdout.strip() == "", "the kernel runs in the process Python started"
