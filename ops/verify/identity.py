"""Identity checks: the MFA-enforcement policy and its group, and the roles' trust."""

from __future__ import annotations

import json
import urllib.parse

from ops.verify import VerifyContext, expect

SERVICES_WITHOUT_SOURCE_KEYS = ("ec2.amazonaws.com",)
"""EC2 sets no aws:SourceAccount when it assumes an instance role, so that trust cannot carry one."""


def mfa_enforced_on_operators(ctx: VerifyContext) -> None:
    iam = ctx.client("iam")
    group = ctx.names.name("operators")
    attached = iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]
    expect([p["PolicyName"] for p in attached] == [ctx.names.name("require-mfa")], f"{group} carries {attached}")
    policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    document = version["Document"]
    document = json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document
    denies = [s for s in document["Statement"] if s["Effect"] == "Deny" and "aws:MultiFactorAuthPresent" in json.dumps(s)]
    expect(len(denies) == 1, "no statement denies access without MFA")


def roles_trust_one_service_of_this_account(ctx: VerifyContext) -> str:
    iam = ctx.client("iam")
    roles = [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(f"{ctx.config.project}-") and r["RoleName"].endswith(f"-{ctx.config.name}")]
    expect(bool(roles), "no roles found")
    for role in roles:
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(urllib.parse.unquote(trust)) if isinstance(trust, str) else trust
        for item in trust["Statement"]:
            expect(set(item["Principal"]) == {"Service"}, f"{role['RoleName']} trusts {item['Principal']}")
            if item["Principal"]["Service"] in SERVICES_WITHOUT_SOURCE_KEYS:
                continue
            expect("aws:SourceAccount" in json.dumps(item.get("Condition", {})), f"{role['RoleName']} trusts any account")
    return f"{len(roles)} roles"


CHECKS = [
    ("identity", "operators must use MFA (managed policy on the group)", mfa_enforced_on_operators),
    ("identity", "every role trusts one service principal, for this account only (EC2 aside)", roles_trust_one_service_of_this_account),
]
