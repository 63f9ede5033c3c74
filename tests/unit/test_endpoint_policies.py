"""Every VPC endpoint carries a policy that holds it to this account, read from each environment's synthesized JSON."""

from __future__ import annotations

from platform_core.endpoint_access import ACCOUNT_SCOPED_SERVICES, AWS_OWNED_BUCKETS
from tests.synth import by_sid, conditions, data_ref, resources, statements_of

ACCOUNT = data_ref("aws_caller_identity", "current-account", "account_id")
PARTITION = data_ref("aws_partition", "current-partition", "partition")


def endpoints(stack: dict) -> dict[str, dict]:
    return {e["service_name"].rsplit(".", 1)[-1]: e for e in resources(stack, "aws_vpc_endpoint").values()}


def test_no_endpoint_is_without_a_policy_from_a_policy_document(stacks, environment):
    found = endpoints(stacks[environment])
    assert {"s3", "dynamodb"} <= set(found)
    for service, endpoint in found.items():
        assert endpoint.get("policy", "").startswith("${data.aws_iam_policy_document."), service
        assert statements_of(stacks[environment], endpoint["policy"]), service


def test_every_allow_is_held_to_this_accounts_principals_or_names_aws_owned_buckets(stacks, environment):
    for service, endpoint in endpoints(stacks[environment]).items():
        for statement in statements_of(stacks[environment], endpoint["policy"]):
            assert statement["effect"] == "Allow"
            if statement["sid"] == "AwsOwnedBucketsTheServersRead":
                assert service == "s3"
                continue
            assert conditions(statement)["aws:PrincipalAccount"] == ("StringEquals", [ACCOUNT]), service


def test_the_s3_gateway_admits_this_accounts_buckets_and_reads_of_the_named_aws_owned_ones(stacks, configs, environment):
    stack, region = stacks[environment], configs[environment].region
    statements = by_sid(statements_of(stack, endpoints(stack)["s3"]["policy"]))
    assert set(statements) == {"ThisAccountsPrincipalsOnThisAccountsBuckets", "AwsOwnedBucketsTheServersRead"}
    own = statements["ThisAccountsPrincipalsOnThisAccountsBuckets"]
    assert conditions(own)["aws:ResourceAccount"] == ("StringEquals", [ACCOUNT])
    aws_owned = statements["AwsOwnedBucketsTheServersRead"]
    assert aws_owned["actions"] == ["s3:GetObject"]
    assert f"arn:{PARTITION}:s3:::al2023-repos-{region}-de612dc2/*" in aws_owned["resources"]
    assert f"arn:{PARTITION}:s3:::amazon-ssm-{region}/*" in aws_owned["resources"]
    assert len(aws_owned["resources"]) == len(AWS_OWNED_BUCKETS)
    assert all(reason for _, reason in AWS_OWNED_BUCKETS)


def test_dynamodb_and_the_account_scoped_interface_endpoints_name_only_this_accounts_resources(stacks, configs, environment):
    stack, region = stacks[environment], configs[environment].region
    for service, endpoint in endpoints(stack).items():
        if service not in ACCOUNT_SCOPED_SERVICES:
            continue
        (statement,) = statements_of(stack, endpoint["policy"])
        assert statement["resources"] == [f"arn:{PARTITION}:{ACCOUNT_SCOPED_SERVICES[service]}:{region}:{ACCOUNT}:*"], service


def test_staging_and_prod_have_eight_endpoints_with_policies_and_dev_two(stacks):
    assert len(endpoints(stacks["dev"])) == 2
    assert len(endpoints(stacks["staging"])) == len(endpoints(stacks["prod"])) == 8
