"""VPC001: every VPC endpoint has a policy, and every Allow in it holds to this account.

An endpoint without a policy passes any request to any resource, so the S3 gateway becomes a way out of the
VPC to any bucket of any account. An Allow holds when its ``aws:PrincipalAccount`` condition names this stack's
account and nothing else, or when it is ``s3:GetObject`` on the named AWS-owned buckets only
(``platform_core/endpoint_access.py``). Allows by exclusion (``not_*``) and merged documents are refused.
Endpoint policies cap and grant nothing, so IAM001's wildcard findings do not apply to them; this rule does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument
from platform_core.endpoint_access import AWS_OWNED_BUCKETS

DOCUMENT_PREFIX, DOCUMENT_SUFFIX = "${data.aws_iam_policy_document.", ".json}"


def endpoint_policy_documents(stack: StackDocument) -> set[str]:
    """The names of the documents that VPC endpoints use as their policies."""
    names = set()
    for endpoint in stack.blocks("resource", ["aws_vpc_endpoint"]):
        policy = endpoint.body.get("policy")
        if isinstance(policy, str) and policy.startswith(DOCUMENT_PREFIX) and policy.endswith(DOCUMENT_SUFFIX):
            names.add(policy[len(DOCUMENT_PREFIX) : -len(DOCUMENT_SUFFIX)])
    return names


THIS_ACCOUNT = re.compile(r"\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}")
"""The stack's own account, as the synthesized JSON names it."""


def _held_to_this_account(statement: dict) -> bool:
    """A ``StringEquals aws:PrincipalAccount`` condition whose only value is this stack's account."""
    for condition in statement.get("condition", []):
        if condition.get("variable") == "aws:PrincipalAccount" and condition.get("test") == "StringEquals":
            values = condition.get("values", [])
            if values and all(isinstance(v, str) and THIS_ACCOUNT.fullmatch(v) for v in values):
                return True
    return False


def _reads_aws_owned_buckets(statement: dict, region: str | None) -> bool:
    """Only ``s3:GetObject``, only on objects of the named AWS-owned buckets (platform_core/endpoint_access.py)."""
    resources = statement.get("resources") or []
    owned = {bucket.format(region=region) for bucket, _ in AWS_OWNED_BUCKETS} if region else set()
    buckets = {r.split(":::", 1)[-1].split("/", 1)[0] for r in resources if isinstance(r, str) and r.startswith("arn:") and ":s3:::" in r}
    return statement.get("actions") == ["s3:GetObject"] and bool(resources) and len(buckets) == len(resources) and buckets <= owned


def _region(endpoint: dict) -> str | None:
    service = endpoint.get("service_name", "")
    parts = service.split(".")
    return parts[2] if len(parts) >= 4 and service.startswith("com.amazonaws.") else None


class EndpointPolicies:
    id = "VPC001"
    description = "Every VPC endpoint has a policy, and each Allow in it is held to this account's principals or names its resources"
    fix = "create endpoints through constructs_lib.vpc_endpoints, whose policies come from constructs_lib.endpoint_policies.endpoint_policy"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for endpoint in stack.blocks("resource", ["aws_vpc_endpoint"]):
            policy = endpoint.body.get("policy")
            statements = stack.policy_statements(policy)
            if statements is None:
                yield Finding(endpoint, "has no policy rendered by an aws_iam_policy_document data source, so it passes any request to any resource")
                continue
            document = stack.document.get("data", {}).get("aws_iam_policy_document", {}).get(policy[len(DOCUMENT_PREFIX) : -len(DOCUMENT_SUFFIX)], {})
            if any(document.get(key) for key in ("source_policy_documents", "override_policy_documents")):
                yield Finding(endpoint, "its policy merges other documents, which this rule cannot read; write its statements out")
            for statement in statements:
                if statement.get("effect", "Allow") != "Allow":
                    continue
                sid = statement.get("sid", "(no sid)")
                if any(statement.get(key) for key in ("not_actions", "not_resources", "not_principals")):
                    yield Finding(endpoint, f"statement {sid} of its policy allows by exclusion (not_actions, not_resources or not_principals)")
                elif not (_held_to_this_account(statement) or _reads_aws_owned_buckets(statement, _region(endpoint.body))):
                    yield Finding(endpoint, f"statement {sid} of its policy lets principals of other accounts through, or reaches buckets that are not the named AWS-owned ones")


RULE = EndpointPolicies()
