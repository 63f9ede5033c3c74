"""ops/init_stamp.py: init and the workspace are skipped only when nothing they depend on changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ops import init_stamp


@pytest.fixture
def stack(tmp_path) -> Path:
    """A stack directory as init and ``workspace select dev`` leave it."""
    (tmp_path / "cdk.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"s3": {"bucket": "acme-tfstate-dev"}}}, "resource": {"aws_vpc": {"a": {}}}})
    )
    (tmp_path / ".terraform.lock.hcl").write_text('provider "registry.terraform.io/hashicorp/aws" { version = "5.100.0" }\n')
    dot = tmp_path / ".terraform"
    (dot / "providers" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    (dot / "terraform.tfstate").write_text('{"backend": {"type": "s3", "hash": 1}}')
    (dot / "environment").write_text("dev")
    return tmp_path


@pytest.fixture
def terraform(tmp_path_factory) -> str:
    binary = tmp_path_factory.mktemp("bin") / "terraform"
    binary.write_text("#!/bin/sh\n")
    return str(binary)


def test_not_current_until_recorded_then_current(stack, terraform):
    assert not init_stamp.is_current(stack, "dev", terraform)
    init_stamp.record(stack, "dev", terraform)
    assert init_stamp.is_current(stack, "dev", terraform)


def test_a_change_to_the_resources_alone_keeps_it_current(stack, terraform):
    init_stamp.record(stack, "dev", terraform)
    document = json.loads((stack / "cdk.tf.json").read_text())
    document["resource"]["aws_vpc"]["b"] = {}
    (stack / "cdk.tf.json").write_text(json.dumps(document))
    assert init_stamp.is_current(stack, "dev", terraform)


def _backend(stack: Path) -> None:
    document = json.loads((stack / "cdk.tf.json").read_text())
    document["terraform"]["backend"]["s3"]["bucket"] = "acme-tfstate-other"
    (stack / "cdk.tf.json").write_text(json.dumps(document))


def _providers(stack: Path) -> None:
    document = json.loads((stack / "cdk.tf.json").read_text())
    document["terraform"]["required_providers"] = {"aws": {"version": "6.0.0"}}
    (stack / "cdk.tf.json").write_text(json.dumps(document))


CHANGES: dict[str, Callable[[Path], None]] = {
    "backend settings": _backend,
    "required providers": _providers,
    "provider lock": lambda s: (s / ".terraform.lock.hcl").write_text("changed\n"),
    "provider lock removed": lambda s: (s / ".terraform.lock.hcl").unlink(),
    "init's backend record": lambda s: (s / ".terraform" / "terraform.tfstate").write_text('{"backend": {"hash": 2}}'),
    "init's backend record removed": lambda s: (s / ".terraform" / "terraform.tfstate").unlink(),
    "installed providers removed": lambda s: shutil.rmtree(s / ".terraform" / "providers"),
    "another provider installed": lambda s: (s / ".terraform" / "providers" / "registry.terraform.io" / "hashicorp" / "random").mkdir(),
    "another workspace selected by hand": lambda s: (s / ".terraform" / "environment").write_text("prod"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_to_what_init_depends_on_makes_it_run_again(stack, terraform, change):
    init_stamp.record(stack, "dev", terraform)
    change(stack)
    assert not init_stamp.is_current(stack, "dev", terraform)


def test_another_workspace_or_terraform_makes_it_run_again(stack, terraform, tmp_path_factory):
    init_stamp.record(stack, "dev", terraform)
    assert not init_stamp.is_current(stack, "staging", terraform)
    other = tmp_path_factory.mktemp("other") / "terraform"
    other.write_text("#!/bin/sh\n# another build\n")
    assert not init_stamp.is_current(stack, "dev", str(other))
    Path(terraform).write_text("#!/bin/sh\n# upgraded in place\n")
    assert not init_stamp.is_current(stack, "dev", terraform)


def test_forget_removes_the_stamp(stack, terraform):
    init_stamp.record(stack, "dev", terraform)
    init_stamp.forget(stack)
    assert not init_stamp.is_current(stack, "dev", terraform)
    init_stamp.forget(stack)  # no stamp: nothing to do


def test_nothing_is_recorded_where_init_never_ran(stack, terraform):
    shutil.rmtree(stack / ".terraform" / "providers")
    init_stamp.record(stack, "dev", terraform)
    assert not (stack / init_stamp.STAMP).exists()
