"""Verification must be able to fail: the framework's statuses, and real checks against moto's mocks."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from environments import load_environments
from ops.verify import CheckFailed, EmulatorGap, VerifyContext, buckets, run_checks
from platform_core.target import DeployTarget


def context(kind: str = "emulator") -> VerifyContext:
    (dev,) = load_environments(only=["dev"])
    return VerifyContext(dev, DeployTarget(kind=kind))


def passing(ctx):
    return "fine"


def failing(ctx):
    raise CheckFailed("versioning is Suspended")


def gap(ctx):
    raise EmulatorGap("moto does not implement Performance Insights")


def crashing(ctx):
    raise KeyError("Rules")


def test_statuses_and_details():
    results = run_checks(context(), [("t", "a", passing), ("t", "b", failing), ("t", "c", gap), ("t", "d", crashing)])
    assert [(r.status, r.detail) for r in results] == [
        ("PASS", "fine"),
        ("FAIL", "versioning is Suspended"),
        ("SKIP", "emulator: moto does not implement Performance Insights"),
        ("FAIL", "KeyError: 'Rules'"),
    ]
    assert results[1].line() == "FAIL t: b (versioning is Suspended)"


def test_an_emulator_gap_is_a_failure_on_aws():
    (result,) = run_checks(context("aws"), [("t", "c", gap)])
    assert result.status == "FAIL" and "unexpected emulator gap on AWS" in result.detail


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="verify-me")
        yield client


def test_bucket_checks_fail_on_an_unprotected_bucket(s3):
    with pytest.raises(CheckFailed, match="versioning is None"):
        buckets.versioned(s3, "verify-me")
    s3.put_public_access_block(
        Bucket="verify-me",
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True},
    )
    with pytest.raises(CheckFailed, match="public access block"):
        buckets.public_access_blocked(s3, "verify-me")
    s3.put_bucket_encryption(
        Bucket="verify-me", ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    )
    with pytest.raises(CheckFailed, match="default encryption is AES256"):
        buckets.kms_encryption(s3, "verify-me")
    s3.put_bucket_policy(
        Bucket="verify-me",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::verify-me/*"}]}),
    )
    with pytest.raises(CheckFailed, match="no statement denies requests without TLS"):
        buckets.tls_only(s3, "verify-me")


def test_bucket_checks_pass_on_a_protected_bucket(s3):
    s3.put_bucket_versioning(Bucket="verify-me", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket="verify-me",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}, "BucketKeyEnabled": True}]},
    )
    buckets.versioned(s3, "verify-me")
    assert buckets.kms_encryption(s3, "verify-me") == "k"


VERIFY_AND_LIST_MODULES = """
import json, sys
from ops.cli import main
code = main(["verify", "dev"])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("jsii", "cdktf", "constructs", "cdktf_cdktf_provider_aws", "constructs_lib"))
print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_a_verify_run_never_starts_jsii_or_prints_raw_bytes(tmp_path):
    """Pipeline verbs other than synth read the core package only: no construct module, no jsii kernel
    (which would start on the machine's Node and print its banner as raw bytes)."""
    import os
    import subprocess
    import sys

    from ops.emulator import Emulator
    from tests.e2e.conftest import PROJECT_ROOT, free_port

    emulator = Emulator(free_port())
    environ = {**os.environ, "PLATFORM_WORK_DIR": str(tmp_path), "EMULATOR_PORT": str(emulator.port)}
    environ.pop("TARGET", None)
    previous = os.environ.get("PLATFORM_WORK_DIR")
    os.environ["PLATFORM_WORK_DIR"] = str(tmp_path)
    try:
        emulator.start()
        run = subprocess.run(
            [sys.executable, "-c", VERIFY_AND_LIST_MODULES], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=300
        )
    finally:
        emulator.stop()
        if previous is None:
            os.environ.pop("PLATFORM_WORK_DIR")
        else:
            os.environ["PLATFORM_WORK_DIR"] = previous
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["loaded"] == []
    assert outcome["code"] == 1, "nothing is deployed in this emulator, so every check fails and verify says so"
    lines = run.stderr.splitlines()
    assert [line for line in lines if line.lstrip().startswith(("b'", 'b"'))] == []
    assert "Traceback" not in run.stderr and "end-of-life" not in run.stderr.lower()
    assert sum(line.lstrip().startswith("FAIL ") for line in lines) > 50, run.stderr[-2000:]


def test_the_endpoint_policy_check_fails_on_the_default_policy_and_passes_on_one_held_to_the_account():
    from ops.verify import network

    with mock_aws():
        ctx = context("aws")
        ec2 = ctx.client("ec2")
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": ctx.names.name("vpc")}]}])["Vpc"]["VpcId"]
        with pytest.raises(CheckFailed, match="0 endpoints in the VPC"):
            network.endpoint_policies(ctx)
        endpoint = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway")["VpcEndpoint"]
        ec2.create_vpc_endpoint(
            VpcId=vpc_id, ServiceName="com.amazonaws.us-east-1.dynamodb", VpcEndpointType="Gateway",
            PolicyDocument=json.dumps({"Statement": [{"Sid": "Own", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ctx.account_id}}}]}),
        )
        with pytest.raises(CheckFailed, match="the s3 endpoint's policy lets any account through"):
            network.endpoint_policies(ctx)
        held = {
            "Statement": [
                {"Sid": "Own", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ctx.account_id, "aws:ResourceAccount": ctx.account_id}}},
                {"Sid": "Repos", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*"},
            ]
        }
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(held))
        assert network.endpoint_policies(ctx) == "2 endpoints"
        del held["Statement"][0]["Condition"]["StringEquals"]["aws:ResourceAccount"]
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(held))
        with pytest.raises(CheckFailed, match="lets any account through: Own"):
            network.endpoint_policies(ctx)
        held["Statement"][0]["Condition"]["StringEquals"]["aws:ResourceAccount"] = ctx.account_id
        held["Statement"][1]["Resource"] = "arn:aws:s3:::someone-elses-bucket/*"
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(held))
        with pytest.raises(CheckFailed, match="lets any account through: Repos"):
            network.endpoint_policies(ctx)


# --- the database's engine and RDS events, against moto's mocks

def database_context():
    ctx = context()
    ctx._clients.update({service: boto3.client(service, region_name="us-east-1") for service in ("rds", "sts")})
    return ctx


def deploy_database(rds, *, version="8.4", categories=None):
    family = "mysql" + ".".join(version.split(".")[:2])
    rds.create_db_parameter_group(DBParameterGroupName="acme-database-dev-1", DBParameterGroupFamily=family, Description="d")
    rds.create_db_instance(
        DBInstanceIdentifier="acme-database-dev", Engine="mysql", EngineVersion=version, DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20, MasterUsername="platform_admin", MasterUserPassword="not-a-secret-1", DBParameterGroupName="acme-database-dev-1",
    )
    from platform_core.rds_events import SUBSCRIPTIONS

    sources = {"db-instance": "acme-database-dev", "db-parameter-group": "acme-database-dev-1"}
    for purpose, (source_type, wanted) in SUBSCRIPTIONS.items():
        rds.create_event_subscription(
            SubscriptionName=f"acme-{purpose}-dev", SnsTopicArn="arn:aws:sns:us-east-1:123456789012:acme-alarms-dev", SourceType=source_type,
            SourceIds=[sources[source_type]], EventCategories=list(categories or wanted), Enabled=True,
        )


def test_database_engine_and_events_pass_when_deployed_as_configured():
    from ops.verify import database

    with mock_aws():
        ctx = database_context()
        deploy_database(ctx.client("rds"))
        assert database.engine(ctx) == "mysql 8.4, parameter family mysql8.4"
        assert database.event_subscriptions(ctx) == "acme-database-events-dev, acme-database-parameter-events-dev"


def test_database_on_8_0_fails_the_engine_check():
    from ops.verify import database

    with mock_aws():
        ctx = database_context()
        deploy_database(ctx.client("rds"), version="8.0.40")
        with pytest.raises(CheckFailed, match="engine version 8.0.40 is not MySQL 8.4"):
            database.engine(ctx)


def test_missing_event_categories_fail_the_events_check():
    from ops.verify import database

    with mock_aws():
        ctx = database_context()
        deploy_database(ctx.client("rds"), categories=["configuration change"])
        with pytest.raises(CheckFailed, match="acme-database-events-dev categories"):
            database.event_subscriptions(ctx)


# --- the API's authorizer and resource policy, against moto's mocks


def deploy_api(client, ctx, *, authorization="AWS_IAM", principal=None):
    api = client.create_rest_api(name=ctx.names.name("api"), endpointConfiguration={"types": ["REGIONAL"]})
    root = client.get_resources(restApiId=api["id"])["items"][0]["id"]
    data = client.create_resource(restApiId=api["id"], parentId=root, pathPart="data")["id"]
    for method in ("GET", "POST", "OPTIONS"):
        client.put_method(restApiId=api["id"], resourceId=data, httpMethod=method, authorizationType="NONE" if method == "OPTIONS" else authorization, apiKeyRequired=method != "OPTIONS")
        client.put_integration(restApiId=api["id"], resourceId=data, httpMethod=method, type="MOCK" if method == "OPTIONS" else "AWS_PROXY", integrationHttpMethod="POST", uri="arn:aws:apigateway:us-east-1:lambda:path/f")
    cidrs, arn = ctx.config.api.allowed_ingress_cidrs, f"arn:aws:execute-api:us-east-1:{ctx.account_id}:{api['id']}"
    principal = principal or f"arn:aws:iam::{ctx.account_id}:role/acme-api-client-dev"
    keyed = [f"{arn}/*/GET/data", f"{arn}/*/POST/data"]
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "execute-api:Invoke", "Resource": keyed, "Condition": {"IpAddress": {"aws:SourceIp": cidrs}}},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": f"{arn}/*/OPTIONS/data", "Condition": {"IpAddress": {"aws:SourceIp": cidrs}}},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": keyed, "Condition": {"ArnNotLike": {"aws:PrincipalArn": principal}}},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": f"{arn}/*", "Condition": {"NotIpAddress": {"aws:SourceIp": cidrs}}},
    ]}
    escaped = json.dumps(json.dumps(policy))[1:-1]  # as API Gateway returns it (moto returns what it was given)
    client.update_rest_api(restApiId=api["id"], patchOperations=[{"op": "replace", "path": "/policy", "value": escaped}])


def api_context():
    from ops.verify import api

    api.rest_api.cache_clear()
    ctx = context()
    ctx._clients.update({service: boto3.client(service, region_name="us-east-1") for service in ("apigateway", "sts")})
    return ctx


def test_the_api_checks_pass_on_signed_methods_for_the_listed_principals():
    from ops.verify import api

    with mock_aws():
        ctx = api_context()
        deploy_api(ctx.client("apigateway"), ctx)
        assert api.keyed_methods(ctx) == "GET, POST: AWS_IAM; OPTIONS: NONE"
        assert api.principals_only(ctx) == f"arn:aws:iam::{ctx.account_id}:role/acme-api-client-dev"
        assert api.ip_allow_list(ctx) == "203.0.113.0/24"


def test_the_api_checks_fail_on_open_methods_and_on_another_principal():
    from ops.verify import api

    with mock_aws():
        ctx = api_context()
        deploy_api(ctx.client("apigateway"), ctx, authorization="NONE", principal="arn:aws:iam::210987654321:role/someone")
        with pytest.raises(CheckFailed, match="GET /data has authorization NONE, not AWS_IAM"):
            api.keyed_methods(ctx)
        with pytest.raises(CheckFailed, match="GET and POST are allowed to"):
            api.principals_only(ctx)


def _delivery_roles(iam, account, environments, *, subjects=None) -> None:
    """The GitHub provider and the delivery roles as the baseline makes them (``subjects`` overrides one role's)."""
    from platform_core.delivery import (
        APPLY,
        AUDIENCE_KEY,
        OIDC_AUDIENCE,
        PLAN,
        SUBJECT_KEY,
        delivery_role_name,
        trusted_subjects,
    )

    provider = iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com", ClientIDList=[OIDC_AUDIENCE])["OpenIDConnectProviderArn"]
    boundary = iam.create_policy(PolicyName="acme-delivery-boundary-default", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
    ))["Policy"]["Arn"]
    for stack in ["baseline-default", *environments]:
        for kind in (PLAN,) if stack.startswith("baseline-") else (PLAN, APPLY):
            name = delivery_role_name("acme", stack, kind)
            trusted = (subjects or {}).get(name, trusted_subjects(account.delivery.github_repository, stack, kind))
            trust = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {AUDIENCE_KEY: OIDC_AUDIENCE, SUBJECT_KEY: trusted}},
            }]}
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), PermissionsBoundary=boundary)


@pytest.mark.parametrize("broken, expected", [
    (None, None),
    ({"acme-dev-apply": ["repo:acme/platform:pull_request", "repo:acme/platform:environment:dev"]}, "acme-dev-apply trusts the subjects"),
    ({"acme-prod-plan": ["repo:acme/*:pull_request"]}, "acme-prod-plan trusts the subjects"),
])
def test_the_delivery_roles_check_reads_the_deployed_trust(broken, expected):
    from environments import load_accounts
    from ops.verify.baseline import BaselineContext, delivery_roles_trust_only_the_repository

    account = load_accounts()["default"]
    with mock_aws():
        _delivery_roles(boto3.client("iam", region_name="us-east-1"), account, ["dev", "staging", "prod"], subjects=broken)
        (result,) = run_checks(BaselineContext(account, DeployTarget(kind="aws")), [("baseline", "delivery", delivery_roles_trust_only_the_repository)])
    if expected is None:
        assert (result.status, result.detail) == ("PASS", "7 roles of acme/platform")
    else:
        assert result.status == "FAIL" and expected in result.detail, result.detail


# --- the audit bucket's Object Lock, against moto's mocks


def s3_context(environment: str) -> VerifyContext:
    (config,) = load_environments(only=[environment])
    ctx = VerifyContext(config, DeployTarget(kind="emulator"))
    ctx._clients.update({service: boto3.client(service, region_name="us-east-1") for service in ("s3", "sts")})
    return ctx


def lock_default(s3, bucket: str, mode: str, days: int) -> None:
    s3.put_object_lock_configuration(
        Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": mode, "Days": days}}}
    )


def test_the_object_lock_check_passes_only_on_the_configured_mode_and_retention():
    from ops.verify import audit

    with mock_aws():
        ctx = s3_context("prod")
        s3, bucket = ctx.client("s3"), ctx.bucket_name("audit")
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
        with pytest.raises(CheckFailed, match=f"{bucket}: Object Lock default retention is none, expected COMPLIANCE for 2557 days"):
            audit.object_lock(ctx)
        lock_default(s3, bucket, "GOVERNANCE", 2557)
        with pytest.raises(CheckFailed, match="is GOVERNANCE for 2557 days, expected COMPLIANCE for 2557 days"):
            audit.object_lock(ctx)
        lock_default(s3, bucket, "COMPLIANCE", 365)
        with pytest.raises(CheckFailed, match="is COMPLIANCE for 365 days, expected COMPLIANCE for 2557 days"):
            audit.object_lock(ctx)
        lock_default(s3, bucket, "COMPLIANCE", 2557)
        assert audit.object_lock(ctx) == f"{bucket}: COMPLIANCE for 2557 days"


def test_the_object_lock_check_of_an_environment_that_turns_it_off():
    from ops.verify import audit

    with mock_aws():
        ctx = s3_context("dev")
        s3, bucket = ctx.client("s3"), ctx.bucket_name("audit")
        s3.create_bucket(Bucket=bucket)
        assert audit.object_lock(ctx) == 'off (audit.object_lock = "off")'
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        lock_default(s3, bucket, "GOVERNANCE", 365)
        with pytest.raises(CheckFailed, match="is GOVERNANCE for 365 days, expected none"):
            audit.object_lock(ctx)


# --- the items table's alarms, against moto's mocks


def monitoring_context() -> VerifyContext:
    ctx = context()
    ctx._clients.update({service: boto3.client(service, region_name="us-east-1") for service in ("cloudwatch", "sts")})
    return ctx


def put_summed_alarm(cloudwatch, ctx, purpose: str, metric: str, operations=("GetItem", "PutItem"), expression: str | None = None) -> None:
    queries = [
        {"Id": f"m{i}", "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "AWS/DynamoDB", "MetricName": metric, "Dimensions": [
            {"Name": "TableName", "Value": ctx.names.name("items")}, {"Name": "Operation", "Value": operation}]}, "Period": 300, "Stat": "Sum"}}
        for i, operation in enumerate(operations)
    ]
    ids = ", ".join(q["Id"] for q in queries)
    queries.append({"Id": "total", "Expression": expression or f"SUM([{ids}])", "ReturnData": True})
    cloudwatch.put_metric_alarm(
        AlarmName=ctx.names.name(purpose), Metrics=queries, Threshold=1, EvaluationPeriods=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[ctx.topic_arn()],
    )


def test_the_table_alarm_check_passes_on_sums_over_the_functions_operations():
    from ops.verify import monitoring

    with mock_aws():
        ctx = monitoring_context()
        cloudwatch = ctx.client("cloudwatch")
        put_summed_alarm(cloudwatch, ctx, "items-throttles", "ThrottledRequests")
        with pytest.raises(CheckFailed, match="no alarm acme-items-system-errors-dev"):
            monitoring.table_alarms(ctx)
        put_summed_alarm(cloudwatch, ctx, "items-system-errors", "SystemErrors")
        assert monitoring.table_alarms(ctx) == "acme-items-throttles-dev, acme-items-system-errors-dev: GetItem + PutItem"


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"operations": ("GetItem",)}, "acme-items-throttles-dev watches .* not ThrottledRequests of acme-items-dev per operation"),
        ({"metric": "ReadThrottleEvents"}, "not ThrottledRequests of acme-items-dev"),
        ({"expression": "m0"}, r"alarms on \['m0'\], not on their sum"),
    ],
)
def test_the_table_alarm_check_fails_on_an_alarm_that_misses_an_operation_or_the_sum(change, problem):
    from ops.verify import monitoring

    with mock_aws():
        ctx = monitoring_context()
        cloudwatch = ctx.client("cloudwatch")
        put_summed_alarm(cloudwatch, ctx, "items-throttles", **{"metric": "ThrottledRequests", **change})
        put_summed_alarm(cloudwatch, ctx, "items-system-errors", "SystemErrors")
        with pytest.raises(CheckFailed, match=problem):
            monitoring.table_alarms(ctx)


# --- the data bucket's request metrics and alarms, against moto's mocks (with the emulator's metrics patch)


def test_the_request_metrics_check_wants_one_whole_bucket_configuration():
    from moto.s3.responses import S3Response

    from ops.emulator_patches.s3 import bucket_metrics_configurations_are_kept
    from ops.verify import storage

    original = S3Response._bucket_response
    with mock_aws():
        try:
            bucket_metrics_configurations_are_kept()
            ctx = s3_context("dev")
            s3, bucket = ctx.client("s3"), ctx.bucket_name("data")
            s3.create_bucket(Bucket=bucket)
            with pytest.raises(CheckFailed, match=f"{bucket} has no request-metrics configuration EntireBucket: NoSuchConfiguration"):
                storage.request_metrics(ctx)
            s3.put_bucket_metrics_configuration(Bucket=bucket, Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket", "Filter": {"Prefix": "a/"}})
            with pytest.raises(CheckFailed, match="expected the whole bucket"):
                storage.request_metrics(ctx)
            s3.put_bucket_metrics_configuration(Bucket=bucket, Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"})
            assert storage.request_metrics(ctx) == f"{bucket}: EntireBucket"
        finally:
            S3Response._bucket_response = original


def put_bucket_alarm(cloudwatch, ctx, kind: str, **change) -> None:
    alarm = {
        "AlarmName": ctx.names.name(f"data-bucket-{kind}"), "Namespace": "AWS/S3", "MetricName": f"{kind}Errors", "Statistic": "Sum",
        "Dimensions": [{"Name": "BucketName", "Value": ctx.bucket_name("data")}, {"Name": "FilterId", "Value": "EntireBucket"}],
        "Period": 300, "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": [ctx.topic_arn()],
    }
    cloudwatch.put_metric_alarm(**{**alarm, **change})


def test_the_data_bucket_alarm_check_passes_on_its_request_metrics_and_fails_on_another_filter():
    from ops.verify import monitoring

    with mock_aws():
        ctx = monitoring_context()
        cloudwatch = ctx.client("cloudwatch")
        put_bucket_alarm(cloudwatch, ctx, "4xx")
        with pytest.raises(CheckFailed, match="no alarm acme-data-bucket-5xx-dev"):
            monitoring.data_bucket_alarms(ctx)
        put_bucket_alarm(cloudwatch, ctx, "5xx")
        assert monitoring.data_bucket_alarms(ctx) == "acme-data-bucket-4xx-dev, acme-data-bucket-5xx-dev"
        put_bucket_alarm(cloudwatch, ctx, "5xx", Dimensions=[{"Name": "BucketName", "Value": ctx.bucket_name("data")}])
        with pytest.raises(CheckFailed, match="acme-data-bucket-5xx-dev watches .* not the Sum of 5xxErrors"):
            monitoring.data_bucket_alarms(ctx)
        put_bucket_alarm(cloudwatch, ctx, "5xx", AlarmActions=["arn:aws:sns:us-east-1:123456789012:elsewhere"])
        with pytest.raises(CheckFailed, match="acme-data-bucket-5xx-dev does not publish to the alarm topic"):
            monitoring.data_bucket_alarms(ctx)


def test_the_state_log_bucket_check_wants_delivery_from_the_state_buckets_own_account():
    """S3 log delivery may write the state bucket's access logs only for that bucket in its own account: a condition
    naming another account (or none) fails."""
    from ops.verify import state
    from platform_core.naming import state_access_log_bucket_name

    with mock_aws():
        ctx = s3_context("dev")
        ctx._clients.update({f"state:{service}": ctx._clients[service] for service in ("s3", "sts")})
        s3, bucket = ctx.client("s3"), ctx.config.state.bucket
        target = state_access_log_bucket_name(bucket)
        s3.create_bucket(Bucket=target)
        s3.put_bucket_versioning(Bucket=target, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(Bucket=target, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        s3.put_public_access_block(Bucket=target, PublicAccessBlockConfiguration=dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
        s3.put_bucket_ownership_controls(Bucket=target, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})

        def delivery_from(account: str | None) -> None:
            condition = {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}
            if account is not None:
                condition["StringEquals"] = {"aws:SourceAccount": account}
            s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{target}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{target}/*", "Condition": condition},
            ]}))

        delivery_from("111111111111")
        with pytest.raises(CheckFailed, match="log delivery is confined to account 111111111111, not 123456789012"):
            state.access_log_bucket(ctx)
        delivery_from(None)
        with pytest.raises(CheckFailed, match="confined to account None"):
            state.access_log_bucket(ctx)
        delivery_from("123456789012")
        assert state.access_log_bucket(ctx) == target
