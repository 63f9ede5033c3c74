"""VPC001: every VPC endpoint has a policy, and every Allow in it holds to this account.

An endpoint without a policy passes any request to any resource, so the S3 gateway becomes a way out of the
VPC to any bucket of any account. An Allow holds to this account when it has an ``aws:PrincipalAccount``
condition with named accounts, or when it names its resources (the AWS-owned buckets the servers read).
Endpoint policies cap and grant nothing, so IAM001's wildcard findings do not apply to them; this rule does.
"""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument

DOCUMENT_PREFIX, DOCUMENT_SUFFIX = "${data.aws_iam_policy_document.", ".json}"


def endpoint_policy_documents(stack: StackDocument) -> set[str]:
    """The names of the documents that VPC endpoints use as their policies."""
    names = set()
    for endpoint in stack.blocks("resource", ["aws_vpc_endpoint"]):
        policy = endpoint.body.get("policy")
        if isinstance(policy, str) and policy.startswith(DOCUMENT_PREFIX) and policy.endswith(DOCUMENT_SUFFIX):
            names.add(policy[len(DOCUMENT_PREFIX) : -len(DOCUMENT_SUFFIX)])
    return names


def _held_to_named_accounts(statement: dict) -> bool:
    for condition in statement.get("condition", []):
        if condition.get("variable") == "aws:PrincipalAccount" and condition.get("test") == "StringEquals":
            values = condition.get("values", [])
            if values and "*" not in values:
                return True
    return False


def _names_its_resources(statement: dict) -> bool:
    resources = statement.get("resources") or []
    return bool(resources) and all(isinstance(r, str) and "*" not in r.split(":::", 1)[-1].split("/", 1)[0] for r in resources)


class EndpointPolicies:
    id = "VPC001"
    description = "Every VPC endpoint has a policy, and each Allow in it is held to this account's principals or names its resources"
    fix = "create endpoints through constructs_lib.vpc_endpoints, whose policies come from constructs_lib.endpoint_policies.endpoint_policy"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for endpoint in stack.blocks("resource", ["aws_vpc_endpoint"]):
            statements = stack.policy_statements(endpoint.body.get("policy"))
            if statements is None:
                yield Finding(endpoint, "has no policy rendered by an aws_iam_policy_document data source, so it passes any request to any resource")
                continue
            for statement in statements:
                if statement.get("effect", "Allow") == "Allow" and not (_held_to_named_accounts(statement) or _names_its_resources(statement)):
                    yield Finding(endpoint, f"statement {statement.get('sid', '(no sid)')} of its policy lets any account's principals through")


RULE = EndpointPolicies()
