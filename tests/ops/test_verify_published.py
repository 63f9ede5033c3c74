"""The published-parameters check against moto: it passes on what the stack publishes, and fails on a parameter that
is missing, of the wrong type, names another resource, is not the stack's, or names a resource that is gone."""

from __future__ import annotations

import pytest
from moto import mock_aws

from environments import load_environments
from ops.verify import CheckFailed, VerifyContext, run_checks
from ops.verify.published import CHECKS, parameters_name_the_deployed_resources
from platform_core.subnet_layout import plan_subnets
from platform_core.target import DeployTarget

REGION = "us-east-1"


def _tags(resource_type: str, **tags: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _deploy(ctx: VerifyContext) -> dict[str, tuple[str, str]]:
    """A stand-in of dev's resources in moto, and what dev publishes about them: ``{name: (type, value)}``."""
    names, network = ctx.names, ctx.config.network
    ec2 = ctx.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=network.vpc_cidr, TagSpecifications=_tags("vpc", Name=names.name("vpc")))["Vpc"]["VpcId"]
    subnets: dict[str, list[str]] = {}
    for spec in plan_subnets(network.vpc_cidr, network.availability_zones, network.subnet_prefix_lengths.as_dict()):
        subnet = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=spec.cidr_block, AvailabilityZone=spec.availability_zone, TagSpecifications=_tags("subnet", Tier=spec.tier),
        )["Subnet"]
        subnets.setdefault(spec.tier, []).append(subnet["SubnetId"])
    groups = {
        group: ec2.create_security_group(GroupName=names.name(group), Description=group, VpcId=vpc_id)["GroupId"]
        for group in ("app", "database", "data-api")
    }
    endpoints = {
        service: ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{REGION}.{service}", VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
        for service in ("s3", "dynamodb")
    }
    ctx.client("dynamodb").create_table(
        TableName=names.name("items"), KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )
    for purpose in ("data", "access-logs", "audit"):
        ctx.client("s3").create_bucket(Bucket=ctx.bucket_name(purpose))
    api_id = ctx.client("apigateway").create_rest_api(name=names.name("api"))["id"]
    topic_arn = ctx.client("sns").create_topic(Name=names.name("alarms"))["TopicArn"]
    published = {
        "network/vpc-id": ("String", vpc_id),
        **{f"network/subnet-ids/{tier}": ("StringList", ",".join(ids)) for tier, ids in subnets.items()},
        **{f"network/security-groups/{group}": ("String", group_id) for group, group_id in groups.items()},
        **{f"network/endpoints/{service}": ("String", endpoint_id) for service, endpoint_id in endpoints.items()},
        "data/table-name": ("String", "acme-items-dev"),
        **{f"storage/buckets/{p}": ("String", f"acme-{p}-dev-{ctx.account_id}") for p in ("data", "access-logs", "audit")},
        "api/invoke-url": ("String", f"https://{api_id}.execute-api.{REGION}.amazonaws.com/dev/data"),
        "monitoring/alarm-topic-arn": ("String", topic_arn),
    }
    ssm = ctx.client("ssm")
    for path, (kind, value) in published.items():
        ssm.put_parameter(Name=f"/acme/dev/{path}", Type=kind, Value=value)
    return {f"/acme/dev/{path}": entry for path, entry in published.items()}


@pytest.fixture
def deployed():
    with mock_aws():
        (dev,) = load_environments(only=["dev"])
        assert not dev.network.interface_endpoints, "this stand-in has no interface endpoints"
        ctx = VerifyContext(dev, DeployTarget(kind="aws"))
        yield ctx, _deploy(ctx)


def test_it_passes_on_what_the_stack_publishes(deployed):
    ctx, published = deployed
    assert len(published) == 15
    assert parameters_name_the_deployed_resources(ctx) == "15 parameters under /acme/dev/"
    ((_, name, _),) = CHECKS
    assert [(r.status, r.detail) for r in run_checks(ctx, CHECKS)] == [("PASS", "15 parameters under /acme/dev/")], name


def test_it_fails_on_a_parameter_that_names_another_resource(deployed):
    ctx, published = deployed
    ctx.client("ssm").put_parameter(Name="/acme/dev/network/vpc-id", Type="String", Value="vpc-0123456789abcdef0", Overwrite=True)
    with pytest.raises(CheckFailed, match=r"/acme/dev/network/vpc-id is String 'vpc-0123456789abcdef0', not String 'vpc-"):
        parameters_name_the_deployed_resources(ctx)


def test_it_fails_on_a_subnet_list_in_another_order_or_of_another_type(deployed):
    ctx, published = deployed
    name = "/acme/dev/network/subnet-ids/private"
    _, value = published[name]
    ssm = ctx.client("ssm")
    ssm.put_parameter(Name=name, Type="StringList", Value=",".join(reversed(value.split(","))), Overwrite=True)
    with pytest.raises(CheckFailed, match=f"{name} is StringList"):
        parameters_name_the_deployed_resources(ctx)
    ssm.delete_parameter(Name=name)
    ssm.put_parameter(Name=name, Type="String", Value=value)
    with pytest.raises(CheckFailed, match=f"{name} is String '{value}', not StringList"):
        parameters_name_the_deployed_resources(ctx)


def test_it_fails_on_a_missing_parameter_and_one_the_stack_does_not_publish(deployed):
    ctx, _ = deployed
    ssm = ctx.client("ssm")
    ssm.delete_parameter(Name="/acme/dev/data/table-name")
    ssm.put_parameter(Name="/acme/dev/network/vpc-cidr", Type="String", Value="10.10.0.0/16")
    ssm.put_parameter(Name="/acme/staging/network/vpc-id", Type="String", Value="vpc-elsewhere")
    with pytest.raises(CheckFailed) as failure:
        parameters_name_the_deployed_resources(ctx)
    assert str(failure.value) == "missing /acme/dev/data/table-name; unexpected /acme/dev/network/vpc-cidr (not published by the stack)"


def test_it_fails_when_a_published_resource_is_gone(deployed):
    ctx, published = deployed
    _, group_id = published["/acme/dev/network/security-groups/data-api"]
    ctx.client("ec2").delete_security_group(GroupId=group_id)
    with pytest.raises(CheckFailed, match="no security group acme-data-api-dev"):
        parameters_name_the_deployed_resources(ctx)
