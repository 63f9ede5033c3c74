"""A stack's synthesized output does not depend on which other stacks the same run synthesizes.

``make plan-all`` synthesizes every stack in one run and records each one's synth stamp as that stack's own plan
(``PLATFORM_ENVS=<env>``) computes it (ops.pipeline.synthesize_changed); that is sound only if the stack's files are
byte for byte what a synth of it alone writes.
"""

from __future__ import annotations

from pathlib import Path

from platform_core.target import DeployTarget
from tests.synth import synth_environments


def _files(stack: Path) -> dict[str, bytes]:
    return {str(p.relative_to(stack)): p.read_bytes() for p in sorted(stack.rglob("*")) if p.is_file()}


def test_an_environment_synthesized_alone_is_byte_for_byte_the_one_synthesized_with_every_other_stack(configs, all_stacks, stacks_dir, tmp_path):
    synth_environments([configs["dev"]], DeployTarget(kind="aws"), tmp_path)  # what `PLATFORM_ENVS=dev main.py` builds
    alone, together = _files(tmp_path / "stacks" / "dev"), _files(stacks_dir / "stacks" / "dev")
    assert "cdk.tf.json" in alone and any(name.startswith("assets/") for name in alone), "the document and the function's package"
    assert alone.keys() == together.keys()
    assert [name for name in alone if alone[name] != together[name]] == []


def test_an_account_baseline_synthesized_alone_is_byte_for_byte_the_one_synthesized_with_every_other_stack(configs, accounts, all_stacks, stacks_dir, tmp_path):
    from constructs_lib.app import synthesize

    # What `PLATFORM_ENVS= PLATFORM_ACCOUNTS=default main.py` builds: the baseline reads every environment for its CI roles.
    synthesize([], DeployTarget(kind="aws"), str(tmp_path), accounts=[accounts["default"]], delivered=list(configs.values()))
    alone, together = _files(tmp_path / "stacks" / "baseline-default"), _files(stacks_dir / "stacks" / "baseline-default")
    assert "cdk.tf.json" in alone
    assert alone.keys() == together.keys()
    assert [name for name in alone if alone[name] != together[name]] == []
