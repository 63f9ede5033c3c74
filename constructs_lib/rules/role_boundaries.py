"""IAM003: every role carries the stack's permissions boundary, a policy that takes privilege escalation away.

The boundary must be a managed policy of the same stack (a reference, not a literal ARN
that may point anywhere), rendered by ``aws_iam_policy_document``, that denies creating
roles, attaching policies to them, changing a role's boundary and passing roles
(``platform_core/privilege_guard.py``). Wildcards in the Deny count (``iam:Create*``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument

MUST_DENY: tuple[str, ...] = ("iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreateAccessKey", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:PassRole")
"""Actions a boundary must deny (to any resource, or PassRole to roles outside the platform)."""


def boundary_policies(stack: StackDocument) -> dict[str, str]:
    """``aws_iam_policy`` name -> its document's name, for every policy some role uses as its boundary."""
    policies = {block.name: block for block in stack.blocks("resource", ["aws_iam_policy"])}
    found = {}
    for role in stack.blocks("resource", ["aws_iam_role"]):
        boundary = role.body.get("permissions_boundary")
        if isinstance(boundary, str) and boundary.startswith("${aws_iam_policy.") and boundary.endswith(".arn}"):
            name = boundary.removeprefix("${aws_iam_policy.").removesuffix(".arn}")
            policy = policies.get(name)
            document = policy.body.get("policy", "") if policy else ""
            if isinstance(document, str) and document.startswith("${data.aws_iam_policy_document."):
                found[name] = document.removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    return found


def _denied(statements: list[dict]) -> set[str]:
    denied = set()
    for statement in statements:
        if statement.get("effect") != "Deny":
            continue
        for action in MUST_DENY:
            if any(fnmatch.fnmatchcase(action, pattern) for pattern in statement.get("actions", [])):
                denied.add(action)
    return denied


class RoleBoundaries:
    id = "IAM003"
    description = "Every role carries the stack's permissions boundary, which denies IAM changes, passing other roles and changing boundaries"
    fix = "create roles with constructs_lib.identity.ServiceRole (or set permissions_boundary to the stack's PermissionsBoundary.arn)"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        documents = boundary_policies(stack)
        for role in stack.blocks("resource", ["aws_iam_role"]):
            boundary = role.body.get("permissions_boundary")
            if boundary is None:
                yield Finding(role, "has no permissions boundary")
                continue
            if not (isinstance(boundary, str) and boundary.startswith("${aws_iam_policy.") and boundary.endswith(".arn}")):
                yield Finding(role, f"its permissions boundary {boundary!r} is not a policy of this stack")
                continue
            name = boundary.removeprefix("${aws_iam_policy.").removesuffix(".arn}")
            document = documents.get(name)
            statements = stack.policy_statements(f"${{data.aws_iam_policy_document.{document}.json}}") if document else None
            if statements is None:
                yield Finding(role, f"its permissions boundary aws_iam_policy.{name} is not rendered by an aws_iam_policy_document data source")
                continue
            missing = sorted(set(MUST_DENY) - _denied(statements))
            if missing:
                yield Finding(role, f"its permissions boundary does not deny {', '.join(missing)}")


RULE = RoleBoundaries()
