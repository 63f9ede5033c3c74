"""The fast import path of the provider bindings: used, switchable, safe, and byte-identical.

The fast path loads the provider package's root without its ~2,100 eager
submodule imports and registers only the submodules a synth uses while the
assembly loads (constructs_lib/provider_bindings.py).
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.provider_bindings import EAGER_ENV_VAR, PACKAGE, aws
from constructs_lib.provider_modules import USED_MODULES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOADED_MODULES = (
    "import sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import main\n"
    "assert main.main() == 0\n"
    "from constructs_lib.provider_bindings import aws\n"
    "print(aws.import_mode)\n"
    "print(' '.join(sorted(m.split('.')[1] for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.') and m.count('.') == 1 and not m.split('.')[1].startswith('_'))))\n"
)


def synth_in_subprocess(outdir: Path, **extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in (EAGER_ENV_VAR, "PLATFORM_ENVS")}
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
    assert both_paths["fast"][1][0] == "fast"
    assert both_paths["eager"][1][0] == "eager"


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_both_paths_synthesize_byte_identical_json(both_paths, environment):
    fast, eager = (both_paths[k][0] / "stacks" / environment for k in ("fast", "eager"))
    assert (fast / "cdk.tf.json").read_bytes() == (eager / "cdk.tf.json").read_bytes()
    comparison = filecmp.dircmp(fast / "assets", eager / "assets")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only


def test_the_preload_list_is_exactly_what_a_synth_uses(both_paths):
    used = set(both_paths["fast"][1][1].split())
    assert used == set(USED_MODULES), (
        "update constructs_lib/provider_modules.py: missing "
        f"{sorted(used - set(USED_MODULES))}, unused {sorted(set(USED_MODULES) - used)}"
    )


def test_a_package_layout_it_does_not_recognise_falls_back(monkeypatch):
    import constructs_lib.provider_bindings as bindings

    monkeypatch.setattr(bindings, "_EAGER_IMPORTS_MARKER", "# a marker this package does not contain")
    assert bindings._load_root_without_submodules(()) is False, "no change, so the normal import runs"


def test_every_construct_output_resolves_on_the_fast_path(stacks, environment):
    """Touch every output of every construct: no type from an unimported submodule is met."""
    outputs = stacks[environment]["output"]
    assert len(outputs) >= 30
    assert all(str(item["value"]).startswith(("${", "[")) for item in outputs.values())
