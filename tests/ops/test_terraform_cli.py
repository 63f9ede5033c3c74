"""Terraform CLI config: the offline mirror when there is one, the registry otherwise; lock errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.errors import PipelineError
from ops.terraform_cli import cli_config_text, find_provider_mirror, lock_error, mirror_holds_provider


def make_mirror(root: Path) -> Path:
    (root / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64").mkdir(parents=True)
    return root


def test_a_mirror_with_the_pinned_provider_is_used(tmp_path):
    mirror = make_mirror(tmp_path / "mirror")
    assert mirror_holds_provider(mirror)
    assert find_provider_mirror({"TF_PROVIDER_MIRROR": str(mirror)}) == mirror
    text = cli_config_text(mirror)
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_without_a_mirror_terraform_uses_the_registry():
    text = cli_config_text(None)
    assert "filesystem_mirror" not in text and "direct {}" in text


def test_a_mirror_without_the_pinned_version_is_refused(tmp_path):
    (tmp_path / "registry.terraform.io/hashicorp/aws/5.99.0").mkdir(parents=True)
    assert not mirror_holds_provider(tmp_path)
    with pytest.raises(PipelineError, match="holds no registry.terraform.io/hashicorp/aws 5.100.0"):
        find_provider_mirror({"TF_PROVIDER_MIRROR": str(tmp_path)})


def test_this_machine_mirror_is_found_when_present():
    mirror = find_provider_mirror({})
    if mirror is None:
        pytest.skip("this machine has no filesystem mirror of the AWS provider; Terraform will use the registry")
    assert mirror_holds_provider(mirror)


LOCKED = """
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412
Lock Info:
  ID:        7b1c2d3e-aaaa-bbbb-cccc-1234567890ab
  Path:      acme-tfstate-dev/workspaces/dev/platform/dev.tfstate
  Operation: OperationTypeApply
  Who:       alice@build-7
  Version:   1.11.4
  Created:   2026-11-22 04:00:00.000000 +0000 UTC
  Info:
"""


def test_lock_errors_name_the_holder_and_the_release_command():
    error = lock_error(LOCKED, Path("/x/cdktf.out/stacks/dev"))
    assert error is not None and error.lock_id == "7b1c2d3e-aaaa-bbbb-cccc-1234567890ab"
    message = str(error)
    assert "is locked by alice@build-7 (apply, since 2026-11-22 04:00:00.000000 +0000 UTC" in message
    assert "make unlock ENV=dev LOCK_ID=7b1c2d3e-aaaa-bbbb-cccc-1234567890ab" in message


def test_other_errors_are_not_lock_errors():
    assert lock_error("Error: Invalid reference", Path("dev")) is None
