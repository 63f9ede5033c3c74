"""Identity: roles that AWS services assume, and MFA enforcement for people.

Every policy document is rendered by the ``aws_iam_policy_document`` data
source. A :class:`ServiceRole` trusts one service principal, only on behalf of
this account (and of one source ARN where the service sets it), and carries
one inline policy whose statements name specific resources.
:class:`MfaEnforcement` is a managed policy that denies everything but
managing one's own MFA until the caller signed in with MFA, and the group of
operators it applies to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, service_assume_role_policy, statement
from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class ServiceRoleProps:
    """A role for ``service`` named ``<project>-<purpose>-<env>``, with least-privilege statements."""

    purpose: str
    description: str
    service: str
    statements: Sequence
    source_arn: str | None = None
    managed_policy_arns: Sequence[str] = ()
    account_condition: bool = True
    """False only for the services of ``platform_core.conventions.SERVICES_WITHOUT_SOURCE_KEYS`` (EC2, AWS Backup), which
    set no ``aws:SourceAccount`` when they assume a role."""


class ServiceRole(Construct):
    """An IAM role one AWS service assumes for this account, with one inline policy."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: ServiceRoleProps) -> None:
        super().__init__(scope, construct_id)
        names = where.names
        self.role = aws.iam_role.IamRole(
            self,
            "role",
            name=names.name(props.purpose),
            description=props.description,
            assume_role_policy=service_assume_role_policy(
                self,
                "trust",
                service=props.service,
                account_id=where.account_id if props.account_condition else None,
                source_arn=props.source_arn,
            ),
            permissions_boundary=where.permissions_boundary_arn,
            tags={"Name": names.name(props.purpose), "Purpose": props.purpose},
        )
        if props.statements:
            aws.iam_role_policy.IamRolePolicy(
                self,
                "permissions",
                name=names.name(props.purpose),
                role=self.role.id,
                policy=policy_document(self, "permissions-document", props.statements),
            )
        for index, arn in enumerate(props.managed_policy_arns):
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"managed-policy-{index}", role=self.role.name, policy_arn=arn
            )

    @cached_property
    def arn(self) -> str:
        return self.role.arn

    @cached_property
    def name(self) -> str:
        return self.role.name


MFA_SELF_SERVICE_ACTIONS: tuple[str, ...] = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)
"""What a user may still do before signing in with MFA: set up MFA, and change a password."""


class MfaEnforcement(Construct):
    """A managed policy that requires MFA for everything else, and the operators group that carries it."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope) -> None:
        super().__init__(scope, construct_id)
        names = where.names
        iam_prefix = f"arn:{where.partition}:iam::{where.account_id}"
        own_user = f"{iam_prefix}:user/$${{aws:username}}"
        document = policy_document(
            self,
            "require-mfa-document",
            [
                statement(
                    "ViewAccountPasswordPolicyAndMfaDevices",
                    # Neither action supports resource-level permissions.
                    actions=["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                    resources=["*"],
                ),
                statement(
                    "ManageOwnPasswordAndMfa",
                    actions=[
                        "iam:ChangePassword",
                        "iam:GetUser",
                        "iam:EnableMFADevice",
                        "iam:ListMFADevices",
                        "iam:ResyncMFADevice",
                        "iam:DeactivateMFADevice",
                    ],
                    resources=[own_user],
                ),
                statement(
                    "CreateOwnVirtualMfaDevice",
                    actions=["iam:CreateVirtualMFADevice"],
                    resources=[f"{iam_prefix}:mfa/$${{aws:username}}"],
                ),
                statement(
                    "DenyEverythingElseWithoutMfa",
                    effect="Deny",
                    not_actions=MFA_SELF_SERVICE_ACTIONS,
                    resources=["*"],
                    conditions=[("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"])],
                ),
            ],
        )
        self.policy = aws.iam_policy.IamPolicy(
            self,
            "require-mfa",
            name=names.name("require-mfa"),
            description="Denies every action except setting up MFA until the caller signed in with MFA",
            policy=document,
            tags={"Name": names.name("require-mfa")},
        )
        self.group = aws.iam_group.IamGroup(self, "operators", name=names.name("operators"))
        aws.iam_group_policy_attachment.IamGroupPolicyAttachment(
            self, "operators-require-mfa", group=self.group.name, policy_arn=self.policy.arn
        )
