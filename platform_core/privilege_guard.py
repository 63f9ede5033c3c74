"""The permissions boundary every role of the platform carries, as data (the construct and verification share it).

A boundary caps what a role's own policies may grant; it grants nothing. This one lets
every role do what its own policies allow, except what would let a compromised role (an
app server's, a function's) escalate: create or change IAM users, roles, policies and
access keys; pass a role that is not the platform's; or loosen the boundary itself.
"""

from __future__ import annotations

BOUNDARY_PURPOSE = "permissions-boundary"
"""The boundary policy is ``<project>-permissions-boundary-<env>`` (``-<account>`` for a baseline)."""

IAM_WRITE_ACTIONS: tuple[str, ...] = (
    "iam:Add*",
    "iam:Attach*",
    "iam:Change*",
    "iam:Create*",
    "iam:Deactivate*",
    "iam:Delete*",
    "iam:Detach*",
    "iam:Enable*",
    "iam:Put*",
    "iam:Remove*",
    "iam:Reset*",
    "iam:Resync*",
    "iam:Set*",
    "iam:Tag*",
    "iam:Untag*",
    "iam:Update*",
    "iam:Upload*",
)
"""Every IAM action that creates or changes a user, group, role, policy, access key, login profile, MFA device or
certificate: denied to every role (Terraform, which runs as the deployer and carries no boundary, makes them)."""

BOUNDARY_CHANGES: tuple[str, ...] = (
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
)
"""Attaching, replacing or removing a permissions boundary (also inside IAM_WRITE_ACTIONS; denied on their own, by name,
so an auditor reads it and a later edit of the list above cannot lose it)."""

BOUNDARY_POLICY_CHANGES: tuple[str, ...] = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)
"""Changing the boundary policy's own document."""


def platform_role_pattern(project: str, environment: str) -> str:
    """The names of the platform's roles in one environment (``acme-*-dev``): the only roles a role may pass."""
    return f"{project}-*-{environment}"
