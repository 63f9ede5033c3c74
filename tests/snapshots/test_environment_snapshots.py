"""A syrupy snapshot of each environment's and each account baseline's whole Terraform JSON.

A reviewer sees every change to the synthesized infrastructure as a diff of
``__snapshots__/``. Update after an intended change with
``make test-update-snapshots`` (``pytest --snapshot-update``).
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

VOLATILE_TOP_LEVEL = ("//",)
"""cdktf's own metadata block (its version and stack bookkeeping), not infrastructure."""


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def stable(stack: dict) -> dict:
    return {key: value for key, value in stack.items() if key not in VOLATILE_TOP_LEVEL}


def test_environment_matches_snapshot(stacks, environment, snapshot_json):
    assert stable(stacks[environment]) == snapshot_json


def test_account_baseline_matches_snapshot(baseline_stacks, snapshot_json):
    assert stable(baseline_stacks["default"]) == snapshot_json
