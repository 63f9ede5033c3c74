"""dev and its account's baseline, end to end on the emulator with real Terraform: deploy (the baseline first),
re-plan, verify, lock, review, destroy (the baseline stays), and the reliability drills (README "Failure modes"): an apply interrupted mid-creation, a stale lock, drift,
a corrupted state restored from its previous version, and two environments applied at once.

The tests run in order and share one emulator and work directory (see conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.verify import all_checks
from platform_core.errors import EXIT_DESTRUCTIVE, EXIT_DRIFT, EXIT_PENDING
from platform_core.naming import state_bucket_names
from tests.e2e.conftest import PROJECT_ROOT, RECORD, converge_after_a_failure, phase
from tests.e2e.emulator_allowances import ALLOWANCES, unexplained
from tests.e2e.inventory import mismatches

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
"""In order, in one process: under ``make test`` (xdist), one worker runs this module while the other runs the rest."""

BASELINE = "baseline-default"
BASELINE_BUCKETS = ["acme-tfstate-account-default", "acme-config-default-123456789012", "acme-config-logs-default-123456789012"]
STATE_BUCKET = "acme-tfstate-dev"
STATE_KEY = "workspaces/dev/platform/dev.tfstate"
LOCK_KEY = STATE_KEY + ".tflock"
OTHER_BUCKET = "acme-tfstate-staging"
OTHER_KEY = "workspaces/staging/platform/staging.tfstate"
FLOW_LOG_GROUP = "aws_cloudwatch_log_group.network_flow-log-group_2A2D6B18"
OTHER_STATE = b'{"version": 4, "serial": 7, "lineage": "another-environment"}'
CREATION_PLAN = "creation.plan.json"
"""The redacted plan JSON that first created dev (later plans overwrite plans/dev.plan.json)."""
KILL_GRACE_SECONDS = 2
QA_DESTROY: list = []
"""The destroy of the second environment, qa, which runs while dev's does."""
TENANT = "tenant"
TENANT_ID = "210987654321"
DEPLOY_ROLE = f"arn:aws:iam::{TENANT_ID}:role/acme-deploy"
"""The role Terraform and the pipeline assume in the second account (accounts/tenant.toml ``deploy_role``)."""
"""How long the drill waits after SIGTERM before SIGKILL (CI runners give a few seconds)."""


@pytest.fixture(autouse=True)
def converged(e2e, request):
    """dev as the previous test left it; after a failed test, converged by a deploy first (conftest.py). A test of what
    the destroy left is skipped instead: a deploy would only put back what it checks is gone."""
    if request.node.get_closest_marker("after_destroy") and RECORD.needs_converging:
        pytest.skip(f"skipped: {RECORD.first_failure}")
    converge_after_a_failure(e2e, "dev", lambda: LOCK_KEY in state_keys(e2e))


def dev_settings(e2e) -> dict:
    from environments import load_environments

    (dev,) = load_environments(e2e.environments, only=["dev"])
    return dev.settings()


def state_keys(e2e) -> list[str]:
    return sorted(o["Key"] for o in e2e.client("s3").list_objects_v2(Bucket=STATE_BUCKET).get("Contents", []))


def state_bytes(e2e) -> bytes:
    return e2e.client("s3").get_object(Bucket=STATE_BUCKET, Key=STATE_KEY)["Body"].read()


def dev_subnets(e2e) -> list[dict]:
    return e2e.client("ec2").describe_subnets(Filters=[{"Name": "tag:Environment", "Values": ["dev"]}])["Subnets"]


def test_an_apply_killed_mid_creation_finishes_by_itself_and_saves_the_state(e2e):
    """SIGTERM to the whole run (as a CI runner cancels a job), SIGKILL after a short grace period.

    The apply runs detached from the pipeline (ops/detached_apply.py), so neither signal cuts it
    off: it finishes, saves the state and releases the lock, while the next run is told to wait."""
    s3 = e2e.client("s3")
    s3.create_bucket(Bucket=OTHER_BUCKET)
    s3.put_object(Bucket=OTHER_BUCKET, Key=OTHER_KEY, Body=OTHER_STATE)
    log = e2e.work / "killed-deploy.log"
    run = e2e.popen("deploy", "dev", log=log)
    try:
        with phase("deploy dev until the apply is creating resources"):
            deadline = time.monotonic() + 600
            while not dev_subnets(e2e):
                assert run.poll() is None, "the deploy ended before the drill could interrupt it:\n" + log.read_text()[-3000:]
                assert time.monotonic() < deadline, "the apply never started creating subnets"
                time.sleep(0.2)
        os.killpg(run.pid, signal.SIGTERM)
        time.sleep(KILL_GRACE_SECONDS)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    output = log.read_text()
    assert run.returncode == -signal.SIGKILL, output[-3000:]
    assert "SIGTERM: the apply is left to finish" in output, output[-3000:]
    assert f"[{BASELINE}, dev] bootstrap state buckets" in output, "both state buckets are made at once:\n" + output[-3000:]
    baseline_applied, dev_started = output.find(f"[{BASELINE}] verify through boto3"), output.find("[dev] synthesize")
    assert -1 < baseline_applied < dev_started, "a fresh deploy deploys (and verifies) the account baseline, then dev:\n" + output[-3000:]
    assert_clean_output(output)
    with phase("the next run while the apply goes on"):
        waiting = e2e.ops("plan", "dev")
    assert waiting.returncode == 1, waiting.stderr[-3000:]
    assert "left its apply running (terraform pid" in waiting.stderr, waiting.stderr[-3000:]
    assert "lock is stale" not in waiting.stderr and "Traceback" not in waiting.stderr
    with phase("the detached apply finishes and releases the lock"):
        deadline = time.monotonic() + 900
        while LOCK_KEY in state_keys(e2e):
            assert time.monotonic() < deadline, "the detached apply never released the lock"
            time.sleep(1)
    assert "Apply complete!" in (e2e.work / "plans" / "dev.apply.log").read_text()
    shutil.copy(e2e.work / "plans" / "dev.plan.json", e2e.work / CREATION_PLAN)


def test_the_next_deploy_converges_prints_outputs_and_verifies(e2e):
    with phase("deploy dev after the killed run (synth, init, plan, apply, verify)"):
        result = e2e.ops("deploy", "dev")
    assert result.returncode == 0, result.stderr[-6000:]
    log = result.stderr
    for step in ("synthesize (emulator)", "terraform init", "workspace dev", "terraform plan", "outputs", "verify"):
        assert step in log, step
    assert "[dev] nothing to apply" in log, "the apply left running made everything; nothing is made twice"
    assert f"[{BASELINE}] nothing to apply" in log
    assert not (e2e.work / "plans" / "dev.tfplan").exists(), "a saved plan holds secrets: gone once it is spent"
    assert "    vpc_id = \"vpc-" in log
    assert "verify: " in log and " 0 failed" in log
    assert_smoke_passed(log)
    assert_clean_output(log)
    assert LOCK_KEY not in state_keys(e2e)


SMOKE_CHECKS = (
    "POST /data stores an item (201)",
    "GET /data answers it, numbers exactly as sent (200)",
    "a malformed body is refused (400)",
    "a missing item is not found (404)",
    "the item is in the table",
    "the request left its record in the logs bucket",
    "the smoke item is removed again",
)


def assert_smoke_passed(log: str) -> None:
    """Deploy ran the smoke test after verify: every request check passed, and it said what the emulator cannot prove."""
    assert log.index("smoke test: real requests through /data") > log.index("verify: ")
    for check in SMOKE_CHECKS:
        assert f"PASS smoke: {check}" in log, check
    assert "SKIP smoke: unsigned requests are refused (emulator: API Gateway's authorizer does not run here)" in log
    assert "not proven on the emulator: API Gateway's IAM authorizer, resource policy" in log


def assert_clean_output(output: str) -> None:
    """No traceback, no raw bytes, no banner of a tool the user did not run (jsii's Node warning)."""
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if line.lstrip().startswith(("b'", 'b"'))] == []
    assert "end-of-life" not in output.lower() and "!!!!" not in output


def test_nothing_is_duplicated_or_orphaned(e2e):
    """Every resource type boto3 can count appears as often in the emulator as in the state."""
    with phase("count resources by type: emulator against state"):
        differences = mismatches(e2e, "dev", state_bytes(e2e))
    assert differences == {}, f"type: (in the emulator, in the state): {differences}"


@pytest.mark.parametrize("stack", ["dev", BASELINE])
def test_second_plan_shows_no_changes(e2e, stack):
    """The deploy after the killed run planned both stacks again right after their applies: the reviews it wrote
    (plans/<stack>.json) are that second plan. It must be empty, and its refresh must find no drift."""
    review = e2e.review(stack)
    assert unexplained(review["changes"]) == [], review["changes"]
    assert review["drift"] == [], "a refresh right after a deploy finds nothing changed outside Terraform"


def test_checkov_passes_on_the_plan(e2e):
    """The reviewed plans (terraform show -json, redacted) pass checkov with the reviewed suppressions: the plan
    that created dev and the plan after it, with nothing to change. An error accepted on the stack is verified on
    the plan that created the resource (on a plan of resources that exist, checkov gives no result for it)."""
    from ops.checkov_gate import findings, scan_plan, scan_stack, verify_accepted_errors

    stack_dir, settings = e2e.work / "cdktf.out" / "stacks" / "dev", dev_settings(e2e)
    with phase("checkov on the stack, the creating plan and the second plan (at once)"), ThreadPoolExecutor(3) as pool:
        scans = [
            pool.submit(scan_stack, "dev", stack_dir, settings),
            *(pool.submit(scan_plan, "dev", plan, stack_dir, settings) for plan in (e2e.work / CREATION_PLAN, e2e.work / "plans" / "dev.plan.json")),
        ]
        stack, creation, second = (scan.result() for scan in scans)
        stack, creation = verify_accepted_errors([stack, creation])
    for report in (stack, creation, second):
        print(report.line())
        assert findings(report) == [], report.line()
    assert creation.passed > 300 and second.passed > 300
    assert [(e.check, e.resource) for e, _ in stack.accepted_errors] == [("CKV2_AWS_70", "api/options-method")]
    assert creation.ran_and_passed("CKV2_AWS_70", "api/options-method"), "verified where it runs"
    readme = (PROJECT_ROOT / "README.md").read_text()
    row = f"| dev | plan | {creation.passed} | {len(creation.failed)} | {len(creation.suppressed)} | {creation.errored_count} |"
    assert row in readme, f"README.md should show {row}"


def test_verify_passes_against_the_emulator(e2e):
    with phase("verify dev"):
        result = e2e.ops("verify", "dev")
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert not [line for line in lines if line.startswith("FAIL")]
    for tier, name, _ in all_checks():
        reported = [line for line in lines if line.startswith((f"PASS {tier}: {name}", f"SKIP {tier}: {name} (emulator: "))]
        assert len(reported) == 1, f"{tier}: {name} was not reported as passing"


def test_a_function_pointed_at_a_table_its_role_may_not_write_fails_the_smoke_test(e2e):
    """A broken deployment: the function's TABLE_NAME names a table its role may not write. Verify cannot see it; the
    smoke test runs the function as its role and fails, saying which call was refused on which table."""
    dynamodb, functions, name = e2e.client("dynamodb"), e2e.client("lambda"), "ServerlessApp-data-api-dev"
    dynamodb.create_table(
        TableName="acme-elsewhere-dev", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    variables = functions.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    try:
        functions.update_function_configuration(FunctionName=name, Environment={"Variables": {**variables, "TABLE_NAME": "acme-elsewhere-dev"}})
        with phase("make smoke on a function pointed at another table"):
            broken = e2e.ops("smoke", "dev")
    finally:
        functions.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
        dynamodb.delete_table(TableName="acme-elsewhere-dev")
    assert broken.returncode == 1, broken.stderr[-3000:]
    assert "error: the smoke test of dev failed" in broken.stderr
    assert re.search(
        r"POST /data stores an item \(201\): answered 500 .*the request's record says: .*AccessDeniedException.*"
        r"assumed-role/acme-data-api-function-dev/platform-smoke-dev is not authorized to perform: dynamodb:PutItem "
        r"on resource: arn:aws:dynamodb:us-east-1:123456789012:table/acme-elsewhere-dev", broken.stderr,
    ), broken.stderr[-3000:]
    assert_clean_output(broken.stderr)
    with phase("make smoke once the function is put back"):
        repaired = e2e.ops("smoke", "dev")
    assert repaired.returncode == 0, repaired.stderr[-3000:]
    assert_smoke_passed("verify: \n" + repaired.stderr)


def test_cdktf_cli_addresses_the_same_workspace_and_state(e2e):
    """bin/cdktf runs the pinned cdktf-cli; with the pipeline's workspace it finds dev already deployed. (``deploy``
    plans, shows the diff and applies nothing here: it covers ``diff`` too, which runs the same way.)"""
    command = ["deploy", "dev", "--auto-approve"]
    environ = {k: v for k, v in e2e.environ().items() if k != "CI"}  # bin/cdktf itself must keep quiet without a terminal
    with phase(f"bin/cdktf {' '.join(command)}"):
        result = subprocess.run(
            [str(PROJECT_ROOT / "bin" / "cdktf"), *command],
            cwd=PROJECT_ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=900,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert [line for line in output.splitlines() if "[ERROR]" in line] == []
    assert not re.search(r"[\u2800-\u28ff]|\x1b\[", output), "no spinner frames and no colour codes without a terminal"
    assert len(output.splitlines()) < 600, f"{len(output.splitlines())} lines"
    assert not (e2e.work / "cdktf.out" / "stacks" / "dev" / "plan").exists(), "cdktf's saved plan holds secrets: removed"
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


def wait_for_the_lock(e2e, run, seconds: float = 300) -> None:
    """Wait until ``run`` holds dev's state lock; fail if it ends first or never takes it."""
    deadline = time.monotonic() + seconds
    while LOCK_KEY not in state_keys(e2e):
        assert run.poll() is None, "the run ended before it locked the state"
        assert time.monotonic() < deadline, "the run never locked the state"
        time.sleep(0.05)


def test_concurrent_apply_fails_on_the_lock_and_leaves_the_state_intact(e2e):
    """A deploy while another run of dev holds its state lock (a plan, stopped mid-run) fails at once, naming the
    lock and the command that releases a dead run's lock, and writes nothing."""
    before = state_bytes(e2e)
    first = e2e.popen("plan", "dev")
    try:
        with phase("wait for a run of dev to take the lock"):
            wait_for_the_lock(e2e, first)
        os.killpg(first.pid, signal.SIGSTOP)  # hold it mid-run, lock taken
        with phase("second, concurrent apply (must fail on the lock)"):
            second = e2e.ops("deploy", "dev")
        assert second.returncode == 1, second.stderr[-3000:]
        assert "is locked by" in second.stderr and "make unlock ENV=dev LOCK_ID=" in second.stderr
        assert "Traceback" not in second.stderr
        assert state_bytes(e2e) == before, "the refused run must not write the state"
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    with phase("the first run finishes"):
        output, _ = first.communicate(timeout=600)
    assert first.returncode == 0, output[-4000:]
    assert LOCK_KEY not in state_keys(e2e)
    after = json.loads(state_bytes(e2e))
    assert after["lineage"] == json.loads(before)["lineage"] and after["resources"], "the same state, still whole"


def test_a_stale_lock_from_a_killed_run_is_detected_and_released_on_request(e2e):
    killed = e2e.popen("plan", "dev", log=e2e.work / "killed-plan.log")
    try:
        with phase("wait for a plan to take the lock, then SIGKILL it"):
            wait_for_the_lock(e2e, killed)
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
    assert LOCK_KEY in state_keys(e2e), "a killed run cannot release its lock"
    with phase("plan refuses the stale lock and names the command"):
        refused = e2e.ops("plan", "dev")
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert "the lock is stale, left by a run that was killed" in refused.stderr
    lock_id = re.search(r"make unlock ENV=dev LOCK_ID=([0-9a-f-]+)", refused.stderr).group(1)
    assert "FORCE_UNLOCK=1" in refused.stderr and "Traceback" not in refused.stderr
    wrong = e2e.ops("unlock", "dev", "not-the-lock-id")
    assert wrong.returncode == 1 and f"the lock dev holds is {lock_id}" in wrong.stderr, wrong.stderr
    # No raw HTTP status leaks through; matched as a whole number, because the emulator's port may contain 404.
    assert not re.search(r"(?<!\d)404(?!\d)", wrong.stderr), wrong.stderr
    with phase("plan with FORCE_UNLOCK=1 releases it and goes on"):
        released = e2e.ops("plan", "dev", FORCE_UNLOCK="1")
    assert released.returncode == 0, released.stderr[-3000:]
    assert f"release state lock {lock_id}" in released.stderr
    assert LOCK_KEY not in state_keys(e2e)
    none = e2e.ops("unlock", "dev", lock_id)
    assert none.returncode == 1 and "dev holds no state lock" in none.stderr and "Traceback" not in none.stderr, none.stderr
    assert unexplained(e2e.review("dev")["changes"]) == []


def the_environments_secrets(e2e) -> dict[str, str]:
    """Every secret dev holds, read from the emulator: the API key's value and the database's master secret."""
    keys = [k for k in e2e.client("apigateway").get_api_keys(includeValues=True)["items"] if k["name"] == "acme-api-client-dev"]
    (database,) = e2e.client("rds").describe_db_instances(DBInstanceIdentifier="acme-database-dev")["DBInstances"]
    secret = e2e.client("secretsmanager").get_secret_value(SecretId=database["MasterUserSecret"]["SecretArn"])["SecretString"]
    secrets = {"API key value": keys[0]["value"], "database master secret": secret}
    secrets.update({f"database master secret's {k}": v for k, v in json.loads(secret).items() if k == "password"})
    assert all(len(v) >= 8 for v in secrets.values()), "real secrets, long enough not to match by chance"
    return secrets


def readable_contents(path) -> list[bytes]:
    """The file's bytes, and each member's when it is a zip (a saved plan is one), decompressed."""
    data = path.read_bytes()
    contents = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            contents += [archive.read(member) for member in archive.namelist()]
    return contents


def test_no_secret_is_in_any_file_the_pipeline_writes(e2e):
    """After the deploy and a plan: the secrets the environment holds appear in no file under plans/, .platform/
    or cdktf.out/ and in no pipeline log. The one file allowed to hold them is the saved plan apply needs,
    which is private (0600). The last plan changed nothing, so make plan reviewed it from Terraform's report without
    its show: its plan JSON is written here from the saved plan, as make policy writes it."""
    from ops import plan_json

    assert plan_json.ensure("dev") == e2e.work / "plans" / "dev.plan.json"
    secrets = the_environments_secrets(e2e)
    saved_plan = e2e.work / "plans" / "dev.tfplan"
    assert saved_plan.exists() and stat.S_IMODE(saved_plan.stat().st_mode) == 0o600
    scanned, leaks = set(), []
    for root in ("plans", ".platform", "cdktf.out", "logs", "."):
        directory = e2e.work / root
        files = directory.rglob("*") if root != "." else directory.glob("*.log")
        for path in sorted(p for p in files if p.is_file() and p != saved_plan):
            scanned.add(str(path.relative_to(e2e.work)))
            for content in readable_contents(path):
                leaks += [f"{name} in {path.relative_to(e2e.work)}" for name, value in secrets.items() if value.encode() in content]
    # Not vacuous: the files a secret would reach first were read (their number depends on what ran before).
    must_scan = {"plans/dev.plan.json", "plans/dev.json", "plans/dev.md", "plans/dev.apply.log", "cdktf.out/stacks/dev/cdk.tf.json"}
    assert must_scan <= scanned, sorted(must_scan - scanned)
    assert any(name.startswith("logs/") for name in scanned) and any(name.startswith(".platform/") for name in scanned)
    assert leaks == []


def test_checkov_reads_the_redacted_plan_as_it_reads_the_real_one(e2e, tmp_path):
    """The marker that replaces each sensitive value changes no check's result (the clear plan is made in a
    temporary directory only for this comparison, and deleted). And the review make plan wrote for this plan from
    Terraform's report, without the show (it changes nothing), is the review the show gives."""
    from ops import plan_json
    from ops.checkov_gate import scan_plan
    from ops.review import review_plan
    from ops.terraform_cli import run_terraform

    assert plan_json.ensure("dev") == e2e.work / "plans" / "dev.plan.json", "written as make policy writes it"
    stack_dir = e2e.work / "cdktf.out" / "stacks" / "dev"
    clear = tmp_path / "clear.plan.json"
    clear.write_text(run_terraform(["show", "-json", "-no-color", str(e2e.work / "plans" / "dev.tfplan")], cwd=stack_dir).stdout)
    shown = json.loads(clear.read_text())
    assert len(shown["resource_changes"]) > 100, "not vacuous: every resource of dev, each a no-op"
    assert review_plan(shown, "dev").to_json() == e2e.review("dev")
    try:
        with phase("checkov on the clear and on the redacted plan (at once)"), ThreadPoolExecutor(2) as pool:
            scans = [pool.submit(scan_plan, "dev", path, stack_dir, dev_settings(e2e)) for path in (clear, e2e.work / "plans" / "dev.plan.json")]
            real, redacted = (scan.result() for scan in scans)
    finally:
        clear.unlink()
    assert redacted.passed_checks == real.passed_checks
    assert [str(f) for f in redacted.failed] == [str(f) for f in real.failed]
    assert [str(f) for f, _ in redacted.suppressed] == [str(f) for f, _ in real.suppressed]
    assert [str(e) for e in redacted.errored] == [str(e) for e in real.errored]


def data_bucket(e2e) -> str:
    (name,) = [b["Name"] for b in e2e.client("s3").list_buckets()["Buckets"] if b["Name"].startswith("acme-data-dev-")]
    return name


def test_drift_is_reported_with_the_attribute_and_repaired_by_the_next_deploy(e2e):
    """Two changes made outside Terraform are named, attribute by attribute; the next deploy puts them back. (That
    nothing is reported when nothing changed is shown on the restored state, in the next test.)"""
    ec2 = e2e.client("ec2")
    (vpc_id,) = [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": ["dev"]}])["Vpcs"]]
    (default_group,) = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    bucket = data_bucket(e2e)
    e2e.client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    ec2.authorize_security_group_ingress(
        GroupId=default_group["GroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    with phase("make drift after two changes outside Terraform"):
        drifted = e2e.ops("drift", "dev")
    assert drifted.returncode == EXIT_DRIFT, drifted.stderr[-3000:]
    report = drifted.stderr
    assert "DRIFT: 2 resource(s) changed outside Terraform" in report, report[-3000:]
    lines = [line.strip() for line in report.splitlines() if line.startswith("    aws_")]
    assert len(lines) == 2, report[-3000:]
    assert re.fullmatch(r"aws_default_security_group\.network_default-security-group_\w+: ingress: \[\] → \[\{\"cidr_blocks\": \[\"0\.0\.0\.0/0\"\], \"from_port\": 22, .*\}\]", lines[0]), lines[0]
    assert re.fullmatch(r"aws_s3_bucket_versioning\.data-lake_data_versioning_\w+: versioning_configuration\[0\]\.status: 'Enabled' → 'Suspended'", lines[1]), lines[1]
    with phase("make apply repairs the drift (applies the plan make drift reviewed)"):
        repaired = e2e.ops("apply", "dev")
    assert repaired.returncode == 0, repaired.stderr[-4000:]
    assert not (e2e.work / "plans" / "dev.tfplan").exists(), "the applied plan is spent and removed"
    assert e2e.client("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (group,) = ec2.describe_security_groups(GroupIds=[default_group["GroupId"]])["SecurityGroups"]
    assert group["IpPermissions"] == []
    assert "update" in repaired.stderr and "0 to create" in repaired.stderr, "repaired in place"


def test_a_corrupted_state_is_restored_from_its_previous_version_with_the_runbook(e2e):
    """docs/runbooks/restore-state.md, step by step: see the failure, list the versions, restore, plan (here with `make drift`, which plans and also shows that nothing changed outside Terraform)."""
    good = state_bytes(e2e)
    e2e.client("s3").put_object(Bucket=STATE_BUCKET, Key=STATE_KEY, Body=good[: len(good) // 2])
    with phase("plan on a corrupted state"):
        broken = e2e.ops("plan", "dev")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr, broken.stderr[-3000:]
    assert "error: terraform plan failed" in broken.stderr or "error: terraform init failed" in broken.stderr, broken.stderr[-3000:]
    with phase("make state-versions"):
        listed = e2e.ops("state-versions", "dev")
    assert listed.returncode == 0, listed.stderr[-3000:]
    current = [line for line in listed.stderr.splitlines() if line.strip().startswith("current")]
    assert len(current) == 1 and "NOT A VALID TERRAFORM STATE" in current[0], listed.stderr
    restore = re.search(r"make restore-state ENV=dev VERSION_ID=(\S+)", listed.stderr)
    assert restore, listed.stderr
    with phase("make restore-state"):
        restored = e2e.ops("restore-state", "dev", restore.group(1))
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert state_bytes(e2e) == good
    with phase("make drift on the restored state (nothing changed)"):
        clean = e2e.ops("drift", "dev")
    assert clean.returncode == 0, clean.stderr[-3000:]
    assert "[dev] no drift: the deployed resources match the configuration" in clean.stderr
    assert unexplained(e2e.review("dev")["changes"]) == [], "its plan, reviewed, changes nothing"


@pytest.fixture
def edited_environments(e2e, tmp_path):
    """A copy of the environment and account files that the test may edit, with a second account, tenant, whose
    stacks Terraform reaches through its deploy role; the pipeline reads them instead."""
    directory, accounts = tmp_path / "environments", tmp_path / "accounts"
    shutil.copytree(PROJECT_ROOT / "environments", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(PROJECT_ROOT / "accounts", accounts)
    default = (accounts / "default.toml").read_text()
    (accounts / f"{TENANT}.toml").write_text(
        default.replace('account_id = "123456789012"', f'account_id = "{TENANT_ID}"\ndeploy_role = "{DEPLOY_ROLE.rsplit("/", 1)[1]}"')
        .replace("acme-tfstate-account-default", f"acme-tfstate-account-{TENANT}").replace("baseline/default.tfstate", f"baseline/{TENANT}.tfstate")
    )
    original = e2e.environments, e2e.accounts
    e2e.environments, e2e.accounts = directory, accounts
    yield directory / "dev.toml"
    e2e.environments, e2e.accounts = original


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
    with phase("make drift with a configuration edit (pending, not drift)"):
        pending = e2e.ops("drift", "dev")
    assert pending.returncode == EXIT_PENDING, pending.stderr[-3000:]
    assert "[dev] no drift: nothing changed outside Terraform. But your configuration differs from what is deployed" in pending.stderr
    assert "DRIFT" not in pending.stderr


def test_drift_of_an_environment_never_deployed_says_so_and_creates_nothing(e2e, edited_environments):
    never = edited_environments.read_text().replace("acme-tfstate-dev", "acme-tfstate-never").replace("10.10.0.0/16", "10.60.0.0/16")
    (edited_environments.parent / "never.toml").write_text(never.replace('key = "platform/dev.tfstate"', 'key = "platform/never.tfstate"'))
    result = e2e.ops("drift", "never")
    assert result.returncode == EXIT_PENDING, result.stderr[-3000:]
    assert "[never] never deployed: its state (s3://acme-tfstate-never/workspaces/never/platform/never.tfstate) records no resources" in result.stderr
    assert "acme-tfstate-never" not in [b["Name"] for b in e2e.client("s3").list_buckets()["Buckets"]], "nothing is bootstrapped"


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
    with phase("make apply refuses the saved destructive plan"):
        held = e2e.ops("apply", "dev")
    assert held.returncode == EXIT_DESTRUCTIVE, held.stderr[-3000:]
    assert "nothing was applied" in held.stderr and (e2e.work / "plans" / "dev.tfplan").exists(), held.stderr[-3000:]
    with phase("deploy refuses the destructive plan"):
        refused = e2e.ops("deploy", "dev")
    assert refused.returncode == EXIT_DESTRUCTIVE
    assert "nothing was applied" in refused.stderr


def write_qa(dev_file) -> None:
    """qa.toml next to dev's: dev's settings in the second account, with its own network, state and API client."""
    qa = dev_file.read_text().replace("10.10.0.0/16", "10.30.0.0/16").replace('bucket = "acme-tfstate-dev"', 'bucket = "acme-tfstate-qa"')
    qa = qa.replace("production = false", f'production = false\naccount = "{TENANT}"').replace("acme-api-client-dev", "acme-api-client-qa")
    (dev_file.parent / "qa.toml").write_text(qa.replace('key = "platform/dev.tfstate"', 'key = "platform/qa.tfstate"'))


def test_two_environments_apply_at_once(e2e, edited_environments):
    """dev (an in-place change) and a new environment, qa, in a second account (tenant), applied concurrently:
    separate locks, both succeed. qa's account baseline is deployed first, through the tenant's deploy role."""
    directory = edited_environments.parent
    dev = edited_environments.read_text()
    write_qa(edited_environments)
    edited_environments.write_text(dev.replace("log_expiration_days = 30", "log_expiration_days = 31"))
    with phase("deploy dev and qa (and qa's account baseline) at once"):
        runs = {name: e2e.popen("deploy", name, log=e2e.work / f"concurrent-{name}.log") for name in ("dev", "qa")}
        for run in runs.values():
            run.wait(timeout=1800)
    for name, run in runs.items():
        output = (e2e.work / f"concurrent-{name}.log").read_text()
        assert run.returncode == 0, f"{name}:\n{output[-4000:]}"
        assert "Traceback" not in output and " 0 failed" in output
        assert_smoke_passed(output)
    assert f"[{BASELINE}] nothing to apply" in (e2e.work / "concurrent-dev.log").read_text(), "dev shares the current baseline"
    assert f"[baseline-{TENANT}] terraform apply" in (e2e.work / "concurrent-qa.log").read_text(), "qa's account gets its own"
    assert len(e2e.client("guardduty").list_detectors()["DetectorIds"]) == 1, "one baseline per account, one detector each"
    assert len(e2e.in_account(DEPLOY_ROLE).client("guardduty").list_detectors()["DetectorIds"]) == 1
    with phase("destroying the baseline is refused while dev has resources"):
        refused = e2e.ops("destroy", BASELINE, CONFIRM="default", PLATFORM_ENVIRONMENTS_DIR=str(directory))
    assert refused.returncode == 2, refused.stderr[-3000:]
    assert re.search(r"its environments dev \(\d+ resources\) still have resources", refused.stderr), refused.stderr[-3000:]
    assert re.search(r"dev: 0 to create, [1-9]\d* to update, 0 to replace, 0 to delete", (e2e.work / "concurrent-dev.log").read_text())


def test_an_environment_in_a_second_account_lives_there_with_its_state_in_the_first(e2e, edited_environments):
    """qa (deployed by the previous test) is in account tenant, reached through its deploy role: boto3 finds its
    resources there and none in the first account, whose bucket holds its state; its second plan is empty; the
    provider refuses the first account's credentials; and the plan role cannot change anything (where moto enforces
    IAM: the identity policies of assumed roles)."""
    write_qa(edited_environments)
    try:
        check_qa_in_the_second_account(e2e)
    finally:
        # qa is destroyed while dev is (test_destroy_leaves_nothing_behind): two destroys at once, whatever this found.
        QA_DESTROY.append(e2e.popen("destroy", "qa", log=e2e.work / "destroy-qa.log"))


def check_qa_in_the_second_account(e2e) -> None:
    tenant = e2e.in_account(DEPLOY_ROLE)
    assert tenant.client("sts").get_caller_identity()["Account"] == TENANT_ID
    tagged = [{"Name": "tag:Environment", "Values": ["qa"]}]
    assert [v["CidrBlock"] for v in tenant.client("ec2").describe_vpcs(Filters=tagged)["Vpcs"]] == ["10.30.0.0/16"]
    assert e2e.client("ec2").describe_vpcs(Filters=tagged)["Vpcs"] == [], "nothing of qa in the first account"
    assert [r for r in e2e.client("iam").list_roles()["Roles"] if r["RoleName"].endswith("-qa")] == []
    assert {"acme-qa-plan", "acme-qa-apply", "acme-app-server-qa"} <= {r["RoleName"] for r in tenant.client("iam").list_roles()["Roles"]}
    qa_state = e2e.client("s3").get_object(Bucket="acme-tfstate-qa", Key="workspaces/qa/platform/qa.tfstate")["Body"].read()
    assert "acme-tfstate-qa" not in [b["Name"] for b in tenant.client("s3").list_buckets()["Buckets"]], "the state is the first account's"
    assert mismatches(tenant, "qa", qa_state) == {}
    with phase("plan qa again (second account)"):
        again = e2e.ops("plan", "qa")
    assert again.returncode == 0, again.stderr[-3000:]
    assert unexplained(e2e.review("qa")["changes"]) == [], "its second plan is empty"
    with phase("plan qa with the first account's credentials (refused)"):
        wrong = e2e.ops("plan", "qa", TF_VAR_deploy_role_arn="")
    assert wrong.returncode == 1 and "AWS account ID not allowed: 123456789012" in wrong.stderr, wrong.stderr[-3000:]
    assert "Traceback" not in wrong.stderr
    with phase("the plan role reads but cannot write (moto enforcing IAM)"):
        denied, allowed = plan_role_probe(e2e, tenant)
    assert denied == {"plan": ["ec2:CreateTags", "s3:PutObject"], "apply": []}, denied
    assert allowed == {"plan": ["ec2:DescribeVpcs", "s3:GetObject (state)"], "apply": ["ec2:DescribeVpcs", "s3:GetObject (state)", "ec2:CreateTags", "s3:PutObject"]}


def plan_role_probe(e2e, tenant) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """With moto enforcing IAM for a moment, what qa's plan and apply roles (assumed as GitHub Actions would, with a
    web identity) may and may not do: read the VPC and the state, tag the VPC, write to the data bucket."""
    import urllib.request

    import boto3

    def enforce(count: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the test's own emulator on 127.0.0.1
            f"{e2e.target.endpoint_url}/moto-api/reset-auth", data=count.encode(), method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - the test's own emulator on 127.0.0.1

    sts, credentials = e2e.client("sts"), {}
    for kind in ("plan", "apply"):
        issued = sts.assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{TENANT_ID}:role/acme-qa-{kind}", RoleSessionName="github-actions", WebIdentityToken="a-github-token"
        )["Credentials"]
        credentials[kind] = {"aws_access_key_id": issued["AccessKeyId"], "aws_secret_access_key": issued["SecretAccessKey"], "aws_session_token": issued["SessionToken"]}
    (vpc,) = [v["VpcId"] for v in tenant.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": ["qa"]}])["Vpcs"]]
    data_bucket = f"acme-data-qa-{TENANT_ID}"
    denied: dict[str, list[str]] = {}
    allowed: dict[str, list[str]] = {}
    enforce("0")
    try:
        for kind, keys in credentials.items():
            ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=e2e.target.endpoint_url, **keys)
            s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=e2e.target.endpoint_url, **keys)
            calls = [
                ("ec2:DescribeVpcs", ec2.describe_vpcs, {"VpcIds": [vpc]}),
                ("s3:GetObject (state)", s3.get_object, {"Bucket": "acme-tfstate-qa", "Key": "workspaces/qa/platform/qa.tfstate"}),
                ("ec2:CreateTags", ec2.create_tags, {"Resources": [vpc], "Tags": [{"Key": "probe", "Value": kind}]}),
                ("s3:PutObject", s3.put_object, {"Bucket": data_bucket, "Key": "probe", "Body": b"probe"}),
            ]
            for name, call, arguments in calls:
                try:
                    call(**arguments)
                    allowed.setdefault(kind, []).append(name)
                except Exception as error:  # noqa: BLE001 - an AccessDenied is the expected answer; any other is shown
                    assert "AccessDenied" in str(error) or "UnauthorizedOperation" in str(error), f"{kind} {name}: {error}"
                    denied.setdefault(kind, []).append(name)
            denied.setdefault(kind, [])
    finally:
        enforce("inf")
    # What the apply role wrote to prove it could is taken back.
    tenant.client("ec2").delete_tags(Resources=[vpc], Tags=[{"Key": "probe"}])
    tenant.client("s3").delete_object(Bucket=data_bucket, Key="probe")
    return denied, allowed


def test_destroy_leaves_nothing_behind(e2e):
    with phase("destroy dev (and qa, started by the previous test)"):
        result = e2e.ops("destroy", "dev")
        for qa in QA_DESTROY:
            qa.wait(timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Warning:" not in result.stderr, "nothing is only removed from the state: " + result.stderr[result.stderr.find("Warning:"):][:2000]
    assert [qa.returncode for qa in QA_DESTROY] == [0], (e2e.work / "destroy-qa.log").read_text()[-4000:]
    tenant = e2e.in_account(DEPLOY_ROLE)
    assert tenant.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": ["qa"]}])["Vpcs"] == [], "qa is gone from its account"
    assert [r["RoleName"] for r in tenant.client("iam").list_roles()["Roles"] if r["RoleName"].endswith("-qa")] == []
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
    assert len(platform) == 5 and {k["KeyState"] for k in platform} == {"PendingDeletion"}, "data, logs, database, audit, backup"
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/acme-")]
    assert [a for a in aliases if not a.endswith("-default")] == [], "only the baseline's keys (account default) keep aliases"
    buckets = [b["Name"] for b in e2e.client("s3").list_buckets()["Buckets"]]
    states = (STATE_BUCKET, "acme-tfstate-qa", "acme-tfstate-account-default", f"acme-tfstate-account-{TENANT}")
    bootstrapped = [name for state in states for name in state_bucket_names(state)]
    kept = {*bootstrapped, OTHER_BUCKET, *BASELINE_BUCKETS}
    assert sorted(buckets) == sorted(kept), "the data lake is gone, contents and all; the state buckets and their access logs stay"
    assert e2e.client("cloudtrail").describe_trails()["trailList"] == []
    backup = e2e.client("backup")
    assert [v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"] if v["BackupVaultName"].endswith("-dev")] == []
    assert [p["BackupPlanName"] for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"].endswith("-dev")] == []
    assert [t for t in e2e.client("sns").list_topics()["Topics"] if "-dev" in t["TopicArn"]] == []
    assert e2e.client("cloudwatch").describe_alarms(AlarmNamePrefix="acme-")["MetricAlarms"] == []
    iam = e2e.client("iam")
    assert [p for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"].endswith("-dev")] == []
    assert [g for g in iam.list_groups()["Groups"] if g["GroupName"].endswith("-dev")] == []
    assert state_keys(e2e) == [STATE_KEY], "the state object stays, now empty"
    assert json.loads(state_bytes(e2e))["resources"] == []


@pytest.mark.after_destroy
def test_the_baseline_outlives_its_environments_and_is_destroyed_only_on_purpose(e2e):
    with phase("verify the baseline after dev and qa are destroyed"):
        checked = e2e.ops("verify", BASELINE)
    assert checked.returncode == 0, checked.stderr[-4000:]
    from environments import load_accounts
    from ops.verify.baseline import baseline_checks

    every = len(baseline_checks(load_accounts(only=["default"])["default"]))
    assert f"verify: {every - 1} passed, 0 failed, 1 skipped" in checked.stderr, checked.stderr[-4000:]
    assert "SKIP baseline: IAM Access Analyzer" in checked.stderr, "the one check the emulator cannot answer"
    refused = e2e.ops("destroy", BASELINE)
    assert refused.returncode == 2 and "make destroy ACCOUNT=default CONFIRM=default" in refused.stderr, refused.stderr[-3000:]
    assert "Traceback" not in refused.stderr
