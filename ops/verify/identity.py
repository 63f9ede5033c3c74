"""Identity checks: the MFA-enforcement policy and its group, the roles' trust and their permissions boundary."""

from __future__ import annotations

import json
import urllib.parse

from ops.verify import VerifyContext, expect
from platform_core.conventions import SERVICES_WITHOUT_SOURCE_KEYS
from platform_core.privilege_guard import BOUNDARY_PURPOSE


def mfa_enforced_on_operators(ctx: VerifyContext) -> None:
    iam = ctx.client("iam")
    group = ctx.names.name("operators")
    attached = iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]
    expect([p["PolicyName"] for p in attached] == [ctx.names.name("require-mfa")], f"{group} carries {attached}")
    policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    document = _document(version["Document"])
    denies = [s for s in document["Statement"] if s["Effect"] == "Deny" and "aws:MultiFactorAuthPresent" in json.dumps(s)]
    expect(len(denies) == 1, "no statement denies access without MFA")


def _document(document: str | dict) -> dict:
    return json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document


def _platform_roles(ctx: VerifyContext) -> list[dict]:
    iam = ctx.client("iam")
    roles = [
        r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]
        if r["RoleName"].startswith(f"{ctx.config.project}-") and r["RoleName"].endswith(f"-{ctx.config.name}")
    ]
    expect(bool(roles), "no roles found")
    return roles


def roles_trust_one_service_of_this_account(ctx: VerifyContext) -> str:
    roles = _platform_roles(ctx)
    for role in roles:
        trust = _document(role["AssumeRolePolicyDocument"])
        for item in trust["Statement"]:
            expect(set(item["Principal"]) == {"Service"}, f"{role['RoleName']} trusts {item['Principal']}")
            if item["Principal"]["Service"] in SERVICES_WITHOUT_SOURCE_KEYS:
                continue
            expect("aws:SourceAccount" in json.dumps(item.get("Condition", {})), f"{role['RoleName']} trusts any account")
    return f"{len(roles)} roles"


def roles_carry_the_permissions_boundary(ctx: VerifyContext) -> str:
    """GetRole (ListRoles leaves the boundary out, on AWS as on the emulator) names the environment's boundary on
    every role, and that boundary's default version denies IAM changes."""
    iam = ctx.client("iam")
    boundary_name = ctx.names.name(BOUNDARY_PURPOSE)
    roles = _platform_roles(ctx)
    arns = set()
    for role in roles:
        boundary = iam.get_role(RoleName=role["RoleName"])["Role"].get("PermissionsBoundary", {})
        expect(boundary.get("PermissionsBoundaryArn", "").endswith(f":policy/{boundary_name}"), f"{role['RoleName']} has boundary {boundary or 'none'}")
        arns.add(boundary["PermissionsBoundaryArn"])
    policy = iam.get_policy(PolicyArn=arns.pop())["Policy"]
    document = _document(iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"])
    denied = [action for s in document["Statement"] if s["Effect"] == "Deny" for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    expect("iam:Create*" in denied and "iam:PassRole" in denied, f"{boundary_name} denies only {denied}")
    return f"{len(roles)} roles"


CHECKS = [
    ("identity", "operators must use MFA (managed policy on the group)", mfa_enforced_on_operators),
    ("identity", "every role trusts one service principal, for this account only (EC2 and AWS Backup aside)", roles_trust_one_service_of_this_account),
    ("identity", "every role carries the permissions boundary, which denies IAM changes and passing other roles", roles_carry_the_permissions_boundary),
]
