"""dev, end to end on the emulator with real Terraform: deploy, re-plan, verify, lock, review, destroy.

The tests run in order and share one emulator and work directory (see conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from ops.errors import EXIT_DESTRUCTIVE
from ops.verify import all_checks
from tests.e2e.conftest import PROJECT_ROOT, phase
from tests.e2e.emulator_allowances import ALLOWANCES, unexplained

pytestmark = pytest.mark.e2e

STATE_BUCKET = "acme-tfstate-dev"
STATE_KEY = "workspaces/dev/platform/dev.tfstate"
LOCK_KEY = STATE_KEY + ".tflock"
OTHER_BUCKET = "acme-tfstate-staging"
OTHER_KEY = "workspaces/staging/platform/staging.tfstate"
FLOW_LOG_GROUP = "aws_cloudwatch_log_group.network_flow-log-group_2A2D6B18"
OTHER_STATE = b'{"version": 4, "serial": 7, "lineage": "another-environment"}'


def state_keys(e2e) -> list[str]:
    return sorted(o["Key"] for o in e2e.client("s3").list_objects_v2(Bucket=STATE_BUCKET).get("Contents", []))


def state_bytes(e2e) -> bytes:
    return e2e.client("s3").get_object(Bucket=STATE_BUCKET, Key=STATE_KEY)["Body"].read()


def test_deploy_applies_dev_prints_outputs_and_verifies(e2e):
    s3 = e2e.client("s3")
    s3.create_bucket(Bucket=OTHER_BUCKET)
    s3.put_object(Bucket=OTHER_BUCKET, Key=OTHER_KEY, Body=OTHER_STATE)

    with phase("deploy dev (bootstrap, synth, init, plan, apply, verify)"):
        result = e2e.ops("deploy", "dev")
    assert result.returncode == 0, result.stderr[-6000:]
    log = result.stderr
    for step in ("bootstrap state bucket", "synthesize (emulator)", "terraform init", "workspace dev", "terraform plan", "terraform apply", "outputs", "verify"):
        assert step in log, step
    assert "    vpc_id = \"vpc-" in log
    assert "verify: " in log and " 0 failed" in log
    assert "Traceback" not in log


def test_second_plan_shows_no_changes(e2e):
    with phase("second plan of dev"):
        result = e2e.ops("plan", "dev")
    assert result.returncode == 0, result.stderr[-4000:]
    review = e2e.review("dev")
    assert unexplained(review["changes"]) == [], review["changes"]


def test_checkov_passes_on_the_plan(e2e):
    """The reviewed plan (terraform show -json) passes checkov with the reviewed suppressions."""
    from ops.checkov_gate import scan_plan

    with phase("checkov on the plan JSON"):
        report = scan_plan("dev", e2e.work / "plans" / "dev.plan.json", e2e.work / "cdktf.out" / "stacks" / "dev")
    print(report.line())
    assert [str(f) for f in report.failed] == []
    assert report.passed > 300


def test_verify_passes_against_the_emulator(e2e):
    with phase("verify dev"):
        result = e2e.ops("verify", "dev")
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert not [line for line in lines if line.startswith("FAIL")]
    for tier, name, _ in all_checks():
        reported = [line for line in lines if line.startswith((f"PASS {tier}: {name}", f"SKIP {tier}: {name} (emulator: "))]
        assert len(reported) == 1, f"{tier}: {name} was not reported as passing"


@pytest.mark.parametrize("command", [["diff", "dev"], ["deploy", "dev", "--auto-approve"]], ids=["diff", "deploy"])
def test_cdktf_cli_addresses_the_same_workspace_and_state(e2e, command):
    """bin/cdktf runs the pinned cdktf-cli; with the pipeline's workspace it finds dev already deployed."""
    with phase(f"bin/cdktf {' '.join(command)}"):
        result = subprocess.run(
            [str(PROJECT_ROOT / "bin" / "cdktf"), *command],
            cwd=PROJECT_ROOT,
            env=e2e.environ(),
            capture_output=True,
            text=True,
            timeout=900,
        )
    output = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", result.stdout + result.stderr)
    assert result.returncode == 0, output[-4000:]
    # On the same state nothing is added or destroyed; only the emulator's listed in-place
    # differences (tests/e2e/emulator_allowances.py) may be changed again.
    allowed = len({a.address for a in ALLOWANCES})
    counts = re.search(r"(?:Plan|Resources): (\d+) (?:to add|added), (\d+) (?:to change|changed), (\d+) (?:to destroy|destroyed)", output)
    assert "No changes." in output or counts, output[-4000:]
    if counts:
        added, changed, destroyed = (int(n) for n in counts.groups())
        assert (added, destroyed) == (0, 0) and changed <= allowed, counts.group(0)
    assert state_keys(e2e) == [STATE_KEY], "no state object in the default workspace or elsewhere"


def test_state_lives_at_the_workspace_key_and_no_other_state_is_touched(e2e):
    assert state_keys(e2e) == [STATE_KEY]
    state = json.loads(state_bytes(e2e))
    assert state["resources"], "the state records the deployed resources"
    other = e2e.client("s3").get_object(Bucket=OTHER_BUCKET, Key=OTHER_KEY)["Body"].read()
    assert other == OTHER_STATE


def test_concurrent_apply_fails_on_the_lock_and_leaves_the_state_intact(e2e):
    before = state_bytes(e2e)
    first = e2e.popen("deploy", "dev")
    try:
        with phase("wait for the first apply to take the lock"):
            deadline = time.monotonic() + 300
            while LOCK_KEY not in state_keys(e2e):
                assert first.poll() is None, "the first run ended before it locked the state"
                assert time.monotonic() < deadline, "the first run never locked the state"
                time.sleep(0.05)
        os.killpg(first.pid, signal.SIGSTOP)  # hold it mid-run, lock taken
        with phase("second, concurrent apply (must fail on the lock)"):
            second = e2e.ops("deploy", "dev")
        assert second.returncode == 1, second.stderr[-3000:]
        assert "is locked by" in second.stderr and "make unlock ENV=dev LOCK_ID=" in second.stderr
        assert "Traceback" not in second.stderr
        assert state_bytes(e2e) == before, "the refused run must not write the state"
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    with phase("first apply finishes"):
        output, _ = first.communicate(timeout=600)
    assert first.returncode == 0, output[-4000:]
    assert LOCK_KEY not in state_keys(e2e)
    after = json.loads(state_bytes(e2e))
    assert after["lineage"] == json.loads(before)["lineage"]
    assert e2e.ops("plan", "dev").returncode == 0


@pytest.fixture
def edited_environments(e2e, tmp_path):
    """A copy of the environment files that the test may edit; the pipeline reads it instead."""
    directory = tmp_path / "environments"
    shutil.copytree(PROJECT_ROOT / "environments", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    original = e2e.environments
    e2e.environments = directory
    yield directory / "dev.toml"
    e2e.environments = original


def test_review_exit_code_is_zero_for_an_in_place_update(e2e, edited_environments):
    text = edited_environments.read_text()
    edited_environments.write_text(text.replace("flow_log_retention_days = 365", "flow_log_retention_days = 400"))
    with phase("plan an in-place change"):
        result = e2e.ops("plan", "dev")
    review = e2e.review("dev")
    assert result.returncode == 0, result.stderr[-3000:]
    assert review["destructive"] is False
    assert review["counts"]["replace"] == review["counts"]["delete"] == 0
    assert unexplained(review["changes"]) == [f"update {FLOW_LOG_GROUP}: retention_in_days: 365 → 400"]


def test_review_exit_code_marks_a_destructive_plan(e2e, edited_environments):
    text = edited_environments.read_text()
    edited_environments.write_text(text.replace("[network]\n", "[network.subnet_prefix_lengths]\ndatabase = 25\n\n[network]\n"))
    with phase("plan a replacement"):
        result = e2e.ops("plan", "dev")
    assert result.returncode == EXIT_DESTRUCTIVE, result.stderr[-3000:]
    review = e2e.review("dev")
    assert review["destructive"] is True
    replaced = {c["address"] for c in review["destructive_changes"] if c["action"] == "replace"}
    assert any(address.startswith("aws_subnet.network_database-subnet-") for address in replaced)
    markdown = (e2e.work / "plans" / "dev.md").read_text()
    assert "**REPLACE** `aws_subnet.network_database-subnet-a" in markdown
    with phase("review the saved destructive plan again"):
        again = e2e.ops("review", "dev")
    assert again.returncode == EXIT_DESTRUCTIVE
    with phase("deploy refuses the destructive plan"):
        refused = e2e.ops("deploy", "dev")
    assert refused.returncode == EXIT_DESTRUCTIVE
    assert "nothing was applied" in refused.stderr


def test_destroy_leaves_nothing_behind(e2e):
    with phase("destroy dev"):
        result = e2e.ops("destroy", "dev")
    assert result.returncode == 0, result.stderr[-4000:]
    ec2 = e2e.client("ec2")
    tagged = [{"Name": "tag:Environment", "Values": ["dev"]}]
    assert ec2.describe_vpcs(Filters=tagged)["Vpcs"] == []
    assert ec2.describe_subnets(Filters=tagged)["Subnets"] == []
    assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted", "deleting")] == []
    assert ec2.describe_addresses(Filters=tagged)["Addresses"] == []
    assert ec2.describe_flow_logs()["FlowLogs"] == []
    assert [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"] == []
    assert e2e.client("logs").describe_log_groups(logGroupNamePrefix="/acme/dev/")["logGroups"] == []
    assert [r["RoleName"] for r in e2e.client("iam").list_roles()["Roles"] if r["RoleName"].endswith("-dev")] == []
    kms = e2e.client("kms")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    platform = [k for k in keys if k["KeyManager"] == "CUSTOMER" and k.get("Description", "").endswith("(acme dev)")]
    assert len(platform) == 4 and {k["KeyState"] for k in platform} == {"PendingDeletion"}
    assert [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/acme-")] == []
    buckets = [b["Name"] for b in e2e.client("s3").list_buckets()["Buckets"]]
    assert sorted(buckets) == sorted([STATE_BUCKET, OTHER_BUCKET]), "the data lake is gone, contents and all"
    assert e2e.client("cloudtrail").describe_trails()["trailList"] == []
    assert [t for t in e2e.client("sns").list_topics()["Topics"] if "-dev" in t["TopicArn"]] == []
    assert e2e.client("cloudwatch").describe_alarms(AlarmNamePrefix="acme-")["MetricAlarms"] == []
    iam = e2e.client("iam")
    assert [p for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"].endswith("-dev")] == []
    assert [g for g in iam.list_groups()["Groups"] if g["GroupName"].endswith("-dev")] == []
    assert state_keys(e2e) == [STATE_KEY], "the state object stays, now empty"
    assert json.loads(state_bytes(e2e))["resources"] == []
