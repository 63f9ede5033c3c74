"""The emulator patches the account baseline needs, each against plain moto 5.2.5 (the quirk) and the
patched emulator (AWS's behaviour), both as servers on 127.0.0.1, as Terraform's provider meets them."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from ops.aws_clients import AwsClients
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY, DeployTarget
from tests.e2e.conftest import PROJECT_ROOT, free_port

ACCOUNT = "123456789012"
REGION = "us-east-1"
CIS = f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/3.0.0"
FSBP = f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"


def _serve(command: list[str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"{command} did not start") from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def servers():
    """``plain``: moto's own server; ``patched``: the project's emulator (ops/moto_server.py)."""
    ports = {"plain": free_port(), "patched": free_port()}
    commands = {
        "plain": [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports["plain"])],
        "patched": [sys.executable, "-m", "ops.moto_server", "--port", str(ports["patched"])],
    }
    started = {}
    try:
        for name, command in commands.items():
            started[name] = _serve(command, ports[name])
        yield ports
    finally:
        for server in started.values():
            server.terminate()
            server.wait(timeout=30)


def client(servers, which: str, service: str):
    """A client that tries once: a 500 from plain moto is the finding, not something to retry."""
    return boto3.client(
        service, region_name=REGION, endpoint_url=f"http://127.0.0.1:{servers[which]}",
        aws_access_key_id=EMULATOR_ACCESS_KEY, aws_secret_access_key=EMULATOR_SECRET_KEY,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def error_code(call) -> str:
    """The error code of a call that fails; ``unreadable`` for moto's HTML 500 page in an XML protocol."""
    with pytest.raises((ClientError, ResponseParserError)) as raised:
        call()
    return raised.value.response["Error"]["Code"] if isinstance(raised.value, ClientError) else "unreadable"


def test_guardduty_features_are_merged_by_name(servers):
    for which, kept in (("plain", ["RDS_LOGIN_EVENTS"]), ("patched", ["RDS_LOGIN_EVENTS", "S3_DATA_EVENTS"])):
        guardduty = client(servers, which, "guardduty")
        detector = guardduty.create_detector(Enable=True)["DetectorId"]
        for name in ("S3_DATA_EVENTS", "RDS_LOGIN_EVENTS"):  # the provider sends one feature per call
            guardduty.update_detector(DetectorId=detector, Features=[{"Name": name, "Status": "ENABLED"}])
        features = sorted(f["Name"] for f in guardduty.get_detector(DetectorId=detector)["Features"])
        assert features == sorted(kept), which


def test_security_hub_configuration_can_be_updated(servers):
    plain = client(servers, "plain", "securityhub")
    plain.enable_security_hub(EnableDefaultStandards=False)
    assert error_code(lambda: plain.update_security_hub_configuration(AutoEnableControls=False)) == "500"
    hub = client(servers, "patched", "securityhub")
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.update_security_hub_configuration(AutoEnableControls=False, ControlFindingGenerator="SECURITY_CONTROL")
    described = hub.describe_hub()
    assert (described["AutoEnableControls"], described["ControlFindingGenerator"]) == (False, "SECURITY_CONTROL")


def test_security_hub_standards_can_be_subscribed_and_unsubscribed(servers):
    plain = client(servers, "plain", "securityhub")
    assert error_code(lambda: plain.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": CIS}])) == "404"
    hub = client(servers, "patched", "securityhub")
    enabled = hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": CIS}, {"StandardsArn": FSBP}])
    assert {s["StandardsStatus"] for s in enabled["StandardsSubscriptions"]} == {"READY"}
    subscriptions = {s["StandardsArn"]: s["StandardsSubscriptionArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]}
    assert subscriptions[CIS] == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:subscription/cis-aws-foundations-benchmark/v/3.0.0"
    hub.batch_disable_standards(StandardsSubscriptionArns=[subscriptions[CIS]])
    assert [s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]] == [FSBP]
    unknown = CIS.replace("3.0.0", "9.9.9")
    assert error_code(lambda: hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": unknown}])) == "InvalidInputException"


def test_security_hub_findings_can_be_aggregated_once_per_account(servers):
    plain = client(servers, "plain", "securityhub")
    assert error_code(lambda: plain.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")) == "404"
    hub = client(servers, "patched", "securityhub")
    arn = hub.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")["FindingAggregatorArn"]
    assert arn.startswith(f"arn:aws:securityhub:{REGION}:{ACCOUNT}:finding-aggregator/")
    assert hub.get_finding_aggregator(FindingAggregatorArn=arn)["RegionLinkingMode"] == "ALL_REGIONS"
    assert error_code(lambda: hub.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")) == "InvalidInputException"
    hub.delete_finding_aggregator(FindingAggregatorArn=arn)
    assert error_code(lambda: hub.get_finding_aggregator(FindingAggregatorArn=arn)) == "ResourceNotFoundException"


def test_the_ebs_default_key_can_be_read_and_reset(servers):
    plain = client(servers, "plain", "ec2")
    assert error_code(plain.get_ebs_default_kms_key_id) == "unreadable", "moto answers HTTP 500 (NotImplementedError)"
    ec2, kms = client(servers, "patched", "ec2"), client(servers, "patched", "kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key)
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key
    reset = ec2.reset_ebs_default_kms_key_id()["KmsKeyId"]
    assert reset != key and ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == reset
    assert kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["Arn"] == reset, "AWS's own aws/ebs key"


def test_access_analyzer_is_served_one_account_analyzer_per_region(servers):
    plain = client(servers, "plain", "accessanalyzer")
    assert error_code(lambda: plain.create_analyzer(analyzerName="a", type="ACCOUNT")) == "500"
    analyzer = client(servers, "patched", "accessanalyzer")
    arn = analyzer.create_analyzer(analyzerName="account", type="ACCOUNT", tags={"Owner": "o"})["arn"]
    assert arn == f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzer/account"
    got = analyzer.get_analyzer(analyzerName="account")["analyzer"]
    assert (got["status"], got["type"], got["tags"]) == ("ACTIVE", "ACCOUNT", {"Owner": "o"})
    assert [a["name"] for a in analyzer.list_analyzers(type="ACCOUNT")["analyzers"]] == ["account"]
    assert error_code(lambda: analyzer.create_analyzer(analyzerName="second", type="ACCOUNT")) == "ServiceQuotaExceededException"
    analyzer.delete_analyzer(analyzerName="account")
    assert error_code(lambda: analyzer.get_analyzer(analyzerName="account")) == "ResourceNotFoundException"


def test_s3_control_reaches_the_emulator_through_it_as_a_proxy(servers):
    """Not a patch: the SDK puts the account id in front of the host; Terraform (HTTP_PROXY) and boto3 (proxies)
    reach the emulator anyway, and on AWS nothing is set."""
    target = DeployTarget(kind="emulator", emulator_port=servers["patched"])
    assert target.terraform_environ()["HTTP_PROXY"] == target.endpoint_url
    assert DeployTarget(kind="aws").terraform_environ() == {}
    s3control = AwsClients(target, REGION).client("s3control")
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    s3control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=block)
    assert s3control.get_public_access_block(AccountId=ACCOUNT)["PublicAccessBlockConfiguration"] == block


def _as_attempt(ec2, invocation: str, attempt: int):
    """Send the client's next call as attempt ``attempt`` of the SDK call ``invocation`` (the headers every AWS
    SDK sends, and the same on each retry of one call)."""

    def headers(request, **_):
        request.headers["amz-sdk-invocation-id"] = invocation
        request.headers["amz-sdk-request"] = f"attempt={attempt}; max=25"

    ec2.meta.events.register_first("before-send.ec2.*", headers)
    return lambda: ec2.meta.events.unregister("before-send.ec2.*", headers)


def test_a_retry_of_a_call_already_carried_out_gets_the_first_answer(servers):
    """The drill's flake: the SDK retried a call moto had carried out, and the retry was refused as a duplicate.
    Plain moto runs the retry again (InvalidPermission.Duplicate); the emulator answers it as the first time.
    A new call that repeats the work is still refused, as on AWS."""
    rule = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    outcomes = {}
    for which in ("plain", "patched"):
        ec2 = client(servers, which, "ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName=f"retried-{which}", Description="retry", VpcId=vpc)["GroupId"]
        done = _as_attempt(ec2, f"call-{which}", 1)
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[rule])
        done()
        done = _as_attempt(ec2, f"call-{which}", 2)
        try:
            outcomes[which] = ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[rule])["Return"]
        except ClientError as error:
            outcomes[which] = error.response["Error"]["Code"]
        finally:
            done()
    assert outcomes == {"plain": "InvalidPermission.Duplicate", "patched": True}
    done = _as_attempt(ec2, "a-new-call", 1)
    assert error_code(lambda: ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[rule])) == "InvalidPermission.Duplicate"
    done()
