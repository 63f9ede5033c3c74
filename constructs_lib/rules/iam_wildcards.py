"""IAM001: no IAM statement allows every action, or every resource where the action can be scoped.

Three kinds of document are exempt, because their Allow grants nothing: KMS key policies,
where "*" means "this key" and the root statement holds kms:*; permissions boundaries
(IAM003), whose one Allow caps what a role's own policies grant; and VPC endpoint
policies (VPC001), which cap what passes through an endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Block, Finding, StackDocument
from constructs_lib.rules.endpoint_policies import endpoint_policy_documents
from constructs_lib.rules.role_boundaries import boundary_policies

RESOURCE_LESS_ACTIONS = frozenset(
    {
        "iam:GetAccountPasswordPolicy",
        "iam:ListVirtualMFADevices",
        "sts:GetCallerIdentity",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "cloudwatch:PutMetricData",
        "ec2:DescribeNetworkInterfaces",
    }
)
"""Actions AWS does not let a policy scope to a resource, so "*" is their only resource."""


def key_policy_documents(stack: StackDocument) -> set[str]:
    """Documents used as KMS key policies: there "*" means "this key", and the root statement holds kms:*."""
    names = set()
    for key in stack.blocks("resource", ["aws_kms_key", "aws_kms_key_policy"]):
        policy = key.body.get("policy", "")
        if isinstance(policy, str) and policy.startswith("${data.aws_iam_policy_document."):
            names.add(policy.removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}"))
    return names


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


class IamWildcards:
    id = "IAM001"
    description = "No IAM statement allows action '*' (or 'service:*'), or resource '*' where the actions can be scoped"
    fix = "name the actions and the resources (ARNs) the statement needs; KMS key policies, permissions boundaries and endpoint policies are the only exceptions"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        key_policies = key_policy_documents(stack)
        caps = set(boundary_policies(stack).values()) | endpoint_policy_documents(stack)
        for document in stack.blocks("data", ["aws_iam_policy_document"]):
            if document.name in caps:
                continue  # a boundary or an endpoint policy caps; its Allow grants nothing (IAM003 and VPC001 check them)
            for statement in document.body.get("statement", []):
                if statement.get("effect", "Allow") != "Allow":
                    continue
                yield from self._statement(document, statement, document.name in key_policies)

    def _statement(self, document: Block, statement: dict, key_policy: bool) -> Iterable[Finding]:
        sid = statement.get("sid", "(no sid)")
        actions = _as_list(statement.get("actions"))
        if statement.get("not_actions"):
            yield Finding(document, f"statement {sid} allows every action but {', '.join(_as_list(statement['not_actions']))} (not_actions)")
        if "*" in actions:
            yield Finding(document, f"statement {sid} allows every action")
        service_wide = [a for a in actions if isinstance(a, str) and a.endswith(":*")]
        if service_wide and not key_policy:
            yield Finding(document, f"statement {sid} allows every action of {', '.join(service_wide)}")
        if "*" in _as_list(statement.get("resources")) and not key_policy:
            scoped = sorted(set(actions) - RESOURCE_LESS_ACTIONS)
            if scoped:
                yield Finding(document, f"statement {sid} allows {', '.join(scoped)} on every resource")


RULE = IamWildcards()
