"""Published checks: what the environment publishes for other stacks is in SSM and names the deployed resources.

The stack publishes its VPC, subnets, security groups, endpoints, table, buckets,
API URL and alarm topic as parameters under ``/<project>/<env>/``
(``platform_core/published.py``). Another team's stack trusts them blindly, so the
check reads each value from the live resource (the VPC by its Name tag, a security
group by its name, an endpoint by its service...) and compares: every parameter
exists with its type and that value, and nothing else lives under the path.
"""

from __future__ import annotations

from environments.schema import EnvironmentConfig
from ops.verify import CheckFailed, VerifyContext, expect
from ops.verify.api import rest_api
from platform_core import published
from platform_core.conventions import FUNCTION_PURPOSE
from platform_core.subnet_layout import TIERS

GATEWAY_ENDPOINTS = ("s3", "dynamodb")
SECURITY_GROUPS = ("app", "database", FUNCTION_PURPOSE)
ENDPOINT_SECURITY_GROUP = "endpoints"
"""The interface endpoints' group: there only when the environment has interface endpoints."""
BUCKETS = ("data", "access-logs", "audit")


def endpoint_services(config: EnvironmentConfig) -> list[str]:
    return [*GATEWAY_ENDPOINTS, *config.network.interface_endpoints]


def security_groups(config: EnvironmentConfig) -> list[str]:
    return [*SECURITY_GROUPS, *([ENDPOINT_SECURITY_GROUP] if config.network.interface_endpoints else [])]


def parameter_types(config: EnvironmentConfig) -> dict[str, str]:
    """Every parameter the environment publishes, by name, with its type (``tests/unit/test_published_parameters.py``
    holds it equal to what each stack creates)."""
    paths = {published.VPC_ID: published.STRING}
    paths |= {published.subnet_ids(tier): published.STRING_LIST for tier in TIERS}
    paths |= {published.security_group(group): published.STRING for group in security_groups(config)}
    paths |= {published.endpoint(service): published.STRING for service in endpoint_services(config)}
    paths |= {published.TABLE_NAME: published.STRING, published.API_INVOKE_URL: published.STRING, published.ALARM_TOPIC_ARN: published.STRING}
    paths |= {published.bucket(purpose): published.STRING for purpose in BUCKETS}
    return {config.names.parameter(path): kind for path, kind in paths.items()}


def _one(found: dict[str, str], key: str, what: str) -> str:
    if key not in found:
        raise CheckFailed(f"no {what} {key}")
    return found[key]


def deployed_values(ctx: VerifyContext) -> dict[str, str]:
    """What each published path should hold, read from the deployed resources (a StringList comma-joined)."""
    config, names, vpc_id = ctx.config, ctx.names, ctx.vpc["VpcId"]
    ec2, in_vpc = ctx.client("ec2"), [{"Name": "vpc-id", "Values": [vpc_id]}]
    values = {published.VPC_ID: vpc_id}
    zones = config.network.availability_zones
    subnets = sorted(ec2.describe_subnets(Filters=in_vpc)["Subnets"], key=lambda s: zones.index(s["AvailabilityZone"]))
    tiers = ctx.subnet_tiers()
    for tier in TIERS:
        values[published.subnet_ids(tier)] = ",".join(s["SubnetId"] for s in subnets if tiers[s["SubnetId"]] == tier)
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]}
    for group in security_groups(config):
        values[published.security_group(group)] = _one(groups, names.name(group), "security group")
    service_prefix = f"com.amazonaws.{config.region}."
    endpoints = {e["ServiceName"].removeprefix(service_prefix): e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]}
    for service in endpoint_services(config):
        values[published.endpoint(service)] = _one(endpoints, service, "VPC endpoint for")
    values[published.TABLE_NAME] = ctx.client("dynamodb").describe_table(TableName=names.name("items"))["Table"]["TableName"]
    for purpose in BUCKETS:
        ctx.client("s3").head_bucket(Bucket=ctx.bucket_name(purpose))
        values[published.bucket(purpose)] = ctx.bucket_name(purpose)
    values[published.API_INVOKE_URL] = f"https://{rest_api(ctx)['id']}.execute-api.{config.region}.amazonaws.com/{config.name}/data"
    values[published.ALARM_TOPIC_ARN] = ctx.client("sns").get_topic_attributes(TopicArn=ctx.topic_arn())["Attributes"]["TopicArn"]
    return {names.parameter(path): value for path, value in values.items()}


def parameters_name_the_deployed_resources(ctx: VerifyContext) -> str:
    prefix = ctx.names.parameter_prefix
    types, values = parameter_types(ctx.config), deployed_values(ctx)
    pages = ctx.client("ssm").get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True)
    found = {p["Name"]: p for page in pages for p in page["Parameters"]}
    problems = [f"missing {name}" for name in sorted(types.keys() - found.keys())]
    problems += [f"unexpected {name} (not published by the stack)" for name in sorted(found.keys() - types.keys())]
    problems += [
        f"{name} is {found[name]['Type']} {found[name]['Value']!r}, not {types[name]} {values[name]!r}"
        for name in sorted(types.keys() & found.keys())
        if (found[name]["Type"], found[name]["Value"]) != (types[name], values[name])
    ]
    expect(not problems, "; ".join(problems))
    return f"{len(types)} parameters under {prefix}"


CHECKS = [
    ("published", "every published SSM parameter exists with its type and names the deployed resource; nothing else is under the path", parameters_name_the_deployed_resources),
]
