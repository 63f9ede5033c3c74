"""What each environment publishes for other stacks, read from its synthesized JSON: the SSM parameters' exact names
and types, the resource each one names, the output of the same value, and who may write them."""

from __future__ import annotations

import fnmatch

import pytest

from constructs_lib.rules.required_tags import REQUIRED_TAGS
from ops.verify.published import parameter_types
from platform_core.delivery import APPLY, delivery_role_name
from platform_core.published import PARAMETER_WRITE_ACTIONS
from tests.synth import by_sid, construct_path, find, ref, resources, statements_of

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"

EVERY_ENVIRONMENT_PUBLISHES = (
    "api/invoke-url",
    "data/table-name",
    "monitoring/alarm-topic-arn",
    "network/endpoints/dynamodb",
    "network/endpoints/s3",
    "network/security-groups/app",
    "network/security-groups/data-api",
    "network/security-groups/database",
    "network/subnet-ids/database",
    "network/subnet-ids/private",
    "network/subnet-ids/public",
    "network/vpc-id",
    "storage/buckets/access-logs",
    "storage/buckets/audit",
    "storage/buckets/data",
)
INTERFACE_ENDPOINTS = ("ec2messages", "kms", "logs", "ssm", "ssmmessages", "sts")
"""What staging and prod configure (environments/*.toml); dev has none."""
PUBLISHED = {
    "dev": EVERY_ENVIRONMENT_PUBLISHES,
    **{
        name: (*EVERY_ENVIRONMENT_PUBLISHES, "network/security-groups/endpoints", *(f"network/endpoints/{s}" for s in INTERFACE_ENDPOINTS))
        for name in ("staging", "prod")
    },
}

SINGLE_VALUES = {
    "network/vpc-id": ("aws_vpc", "network/vpc", "id"),
    "network/security-groups/app": ("aws_security_group", "compute/security-group", "id"),
    "network/security-groups/database": ("aws_security_group", "database/security-group", "id"),
    "network/security-groups/data-api": ("aws_security_group", "serverless/security-group", "id"),
    "network/security-groups/endpoints": ("aws_security_group", "network/endpoint-security-group", "id"),
    "network/endpoints/s3": ("aws_vpc_endpoint", "network/s3-gateway-endpoint", "id"),
    "network/endpoints/dynamodb": ("aws_vpc_endpoint", "network/dynamodb-gateway-endpoint", "id"),
    **{f"network/endpoints/{s}": ("aws_vpc_endpoint", f"network/{s}-interface-endpoint", "id") for s in INTERFACE_ENDPOINTS},
    "data/table-name": ("aws_dynamodb_table", "serverless/table", "name"),
    **{f"storage/buckets/{p}": ("aws_s3_bucket", f"data-lake/{p}/bucket", "id") for p in ("data", "access-logs", "audit")},
    "monitoring/alarm-topic-arn": ("aws_sns_topic", "alarm-topic/topic", "arn"),
}
"""Each single-valued parameter: the resource (type, construct path) and the attribute it holds."""


def parameters(stack: dict) -> tuple[dict, dict[str, dict]]:
    """The one ``aws_ssm_parameter`` resource, and its instances by parameter name."""
    ((_, body),) = resources(stack, "aws_ssm_parameter").items()
    return body, body["for_each"]


def _joined(values: list[str]) -> str:
    """What Terraform JSON renders for ``Fn.join(",", values)`` of references."""
    return '${join(",", [' + ", ".join(v.removeprefix("${").removesuffix("}") for v in values) + "])}"


@pytest.mark.parametrize("environment, count", [("dev", 15), ("staging", 22), ("prod", 22)])
def test_exactly_these_parameters_are_published(stacks, configs, environment, count):
    _, published = parameters(stacks[environment])
    assert sorted(published) == sorted(f"/acme/{environment}/{path}" for path in PUBLISHED[environment])
    assert len(published) == count
    assert tuple(sorted(configs[environment].network.interface_endpoints)) == (INTERFACE_ENDPOINTS if environment != "dev" else ())


def test_one_resource_makes_them_all_under_the_environments_path(stacks, configs, environment):
    body, published = parameters(stacks[environment])
    assert construct_path(body) == f"{environment}/published-parameters/parameters"
    assert (body["name"], body["type"], body["insecure_value"], body["description"]) == (
        "${each.key}", "${each.value.type}", "${each.value.value}", "${each.value.description}",
    )
    assert "value" not in body and "key_id" not in body, "a String in insecure_value: visible in plans, no key to decrypt"
    prefix = configs[environment].names.parameter_prefix
    assert prefix == f"/acme/{environment}/" and all(name.startswith(prefix) for name in published)


def test_subnet_lists_are_string_lists_and_everything_else_a_string(stacks, environment):
    _, published = parameters(stacks[environment])
    for name, instance in published.items():
        assert instance["type"] == ("StringList" if "/network/subnet-ids/" in name else "String"), name


def test_each_value_references_the_resource_it_names(stacks, configs, environment):
    stack = stacks[environment]
    _, published = parameters(stack)
    prefix = f"/acme/{environment}/"
    letters = [az[-1] for az in configs[environment].network.availability_zones]
    for name, instance in published.items():
        path = name.removeprefix(prefix)
        if path.startswith("network/subnet-ids/"):
            tier = path.rsplit("/", 1)[1]
            subnets = [ref("aws_subnet", find(stack, "aws_subnet", f"network/{tier}-subnet-{letter}")[0]) for letter in letters]
            assert instance["value"] == _joined(subnets), name
        elif path == "api/invoke-url":
            stage, _ = find(stack, "aws_api_gateway_stage", "api/stage")
            assert instance["value"] == ref("aws_api_gateway_stage", stage, "invoke_url") + "/data"
        else:
            kind, construct, attribute = SINGLE_VALUES[path]
            assert instance["value"] == ref(kind, find(stack, kind, construct)[0], attribute), name


def test_each_parameter_has_an_output_of_the_same_value_and_description(stacks, environment):
    stack = stacks[environment]
    _, published = parameters(stack)
    outputs = stack["output"]
    for name, instance in published.items():
        same = [
            key for key, output in outputs.items()
            if (_joined(output["value"]) if isinstance(output["value"], list) else output["value"]) == instance["value"]
            and output["description"] == instance["description"]
        ]
        assert len(same) == 1, f"{name}: outputs {same}"


def test_the_endpoint_ids_are_outputs(stacks, configs, environment):
    outputs = stacks[environment]["output"]
    for service in ("s3", "dynamodb", *configs[environment].network.interface_endpoints):
        (kind, construct, attribute) = SINGLE_VALUES[f"network/endpoints/{service}"]
        assert outputs[f"{service}_endpoint_id"]["value"] == ref(kind, find(stacks[environment], kind, construct)[0], attribute)


def test_verification_expects_exactly_what_the_stack_publishes(stacks, configs, environment):
    _, published = parameters(stacks[environment])
    assert parameter_types(configs[environment]) == {name: instance["type"] for name, instance in published.items()}


def test_they_carry_the_standard_tags_from_the_provider(stacks, environment):
    body, _ = parameters(stacks[environment])
    (provider,) = stacks[environment]["provider"]["aws"]
    (defaults,) = provider["default_tags"]
    assert "tags" not in body and all(defaults["tags"][key].strip() for key in REQUIRED_TAGS)


@pytest.mark.parametrize("kind", ["environment", "baseline"])
def test_no_role_of_the_platform_may_write_the_projects_parameters(stacks, baseline_stacks, environment, kind):
    stack = stacks[environment] if kind == "environment" else baseline_stacks["default"]
    _, policy = find(stack, "aws_iam_policy", "permissions-boundary/policy")
    deny = by_sid(statements_of(stack, policy["policy"]))["DenyWritingTheProjectsParameters"]
    assert (deny["effect"], deny["actions"]) == ("Deny", list(PARAMETER_WRITE_ACTIONS))
    assert deny["resources"] == [f"arn:{PARTITION}:ssm:*:{ACCOUNT}:parameter/acme/*"]


def _apply_role_may_write(baseline: dict, environment: str, arn: str) -> bool:
    """PowerUserAccess allows every SSM write; only the role's own Deny can take one away."""
    (key,) = [k for k, r in resources(baseline, "aws_iam_role").items() if r["name"] == delivery_role_name("acme", environment, APPLY)]
    (own,) = [p for p in resources(baseline, "aws_iam_role_policy").values() if p["role"] == ref("aws_iam_role", key)]
    deny = by_sid(statements_of(baseline, own["policy"]))["DenyWritingParametersOutsideTheEnvironmentsPath"]
    assert (deny["effect"], deny["actions"]) == ("Deny", list(PARAMETER_WRITE_ACTIONS))
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in deny["not_resources"])


def test_an_apply_role_writes_its_own_environments_parameters_and_no_other(stacks, baseline_stacks, configs):
    baseline = baseline_stacks["default"]
    for environment, stack in stacks.items():
        _, published = parameters(stack)
        for other, config in configs.items():
            arns = [f"arn:{PARTITION}:ssm:{config.region}:{ACCOUNT}:parameter{name}" for name in published]
            assert all(_apply_role_may_write(baseline, other, arn) is (other == environment) for arn in arns), (other, environment)
        outside = f"arn:{PARTITION}:ssm:{configs[environment].region}:{ACCOUNT}:parameter/acme/shared/vpc-id"
        assert not _apply_role_may_write(baseline, environment, outside)
