"""DeliveryRoles: short-lived credentials for GitHub Actions, as code, in the account's baseline.

What it creates, and why: a team plans in pull requests and applies from a pipeline, never
from a laptop and never with stored keys. With ``[delivery]`` in the account file the
baseline creates:

* the account's GitHub OIDC identity provider (``token.actions.githubusercontent.com``,
  audience ``sts.amazonaws.com``), unless ``create_oidc_provider = false``;
* per environment of the account, and for the baseline itself, ``<project>-<stack>-plan``: ``ReadOnlyAccess``, plus
  reading the environment's state and writing its lock, minus reading its data (items,
  secrets, objects other than the state). Pull requests of the named repository and jobs
  in the stack's GitHub environment may assume it;
* per environment (never the baseline, which holds these roles), ``<project>-<env>-apply``: ``PowerUserAccess`` plus the IAM of the
  environment's own ``<project>-*-<env>`` roles, policies, groups and instance profiles, minus writing any SSM
  parameter outside the environment's ``/<project>/<env>/`` (what it publishes for other stacks; another
  environment's or team's parameters are theirs).
  Only a job in the environment's GitHub environment (where its reviewers approve) may
  assume it;
* the delivery boundary ``<project>-delivery-boundary-<account>`` every delivery role
  carries: no IAM users or keys, no role without its environment's permissions boundary,
  no IAM change or ``PassRole`` outside the environments' own IAM, no change to the
  delivery roles or to itself.

Each trust policy pins the token's ``aud`` and its ``sub`` to the repository
(``platform_core/delivery.py``); nothing else may assume the roles.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from environments.account_schema import AccountConfig
from environments.deployable import Deployable
from environments.schema import EnvironmentConfig
from platform_core.delivery import (
    APPLY,
    APPLY_POLICY,
    AUDIENCE_KEY,
    DATA_READ_ACTIONS,
    DELIVERY_BOUNDARY_PURPOSE,
    GITHUB_OIDC_HOST,
    OIDC_AUDIENCE,
    PLAN,
    PLAN_POLICY,
    ROLE_BOUNDARY_ACTIONS,
    SUBJECT_KEY,
    USER_CREDENTIAL_ACTIONS,
    delivery_role_name,
    trusted_subjects,
)
from platform_core.privilege_guard import (
    BOUNDARY_POLICY_CHANGES,
    BOUNDARY_PURPOSE,
    IAM_WRITE_ACTIONS,
    platform_role_pattern,
)
from platform_core.published import PARAMETER_WRITE_ACTIONS, parameter_arn
from synth_runtime.provider_bindings import aws

SESSION_SECONDS = {PLAN: 3600, APPLY: 7200}
"""A plan's credentials last an hour; an apply's two (the deploy workflow asks for 7200 s: creating a Multi-AZ
database alone can take most of an hour)."""

IAM_READS = ("iam:Get*", "iam:List*")
OUTSIDE_THE_CAP = ("iam:*", "organizations:*", "account:*")
"""What the delivery boundary's first cap leaves out: IAM (capped to reads, and to the environment's own roles),
the organization, and the account's settings (the baseline's, never an environment pipeline's)."""


class DeliveryRoles(Construct):
    """The GitHub OIDC provider, the delivery boundary and each environment's plan and apply roles; see the module
    docstring."""

    def __init__(
        self, scope: Construct, construct_id: str, where: StackScope, account: AccountConfig, environments: Sequence[EnvironmentConfig]
    ) -> None:
        super().__init__(scope, construct_id)
        delivery = account.delivery
        assert delivery is not None
        self.provider_arn = where.arn("iam", f"oidc-provider/{GITHUB_OIDC_HOST}", regional=False)
        if delivery.create_oidc_provider:
            self.provider = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
                self, "github", url=f"https://{GITHUB_OIDC_HOST}", client_id_list=[OIDC_AUDIENCE],
                tags={"Name": "github-actions", "Purpose": "delivery"},
            )
            self.provider_arn = self.provider.arn
        self.boundary = DeliveryBoundary(self, "boundary", where, account, environments)
        self.roles = {
            stack.stack_name: StackDeliveryRoles(
                self, stack.stack_name, where, self.provider_arn, delivery.github_repository, stack, self.boundary.policy.arn,
                apply=stack is not account,
            )
            for stack in (account, *environments)
        }


def _iam(where: StackScope, resource: str) -> str:
    return where.arn("iam", resource, regional=False)


def environment_iam(where: StackScope, environment: EnvironmentConfig) -> list[str]:
    """The ARNs of the IAM an environment's stack manages: its ``<project>-*-<env>`` roles, policies, groups and
    instance profiles."""
    pattern = platform_role_pattern(environment.project, environment.name)
    return [_iam(where, f"{kind}/{pattern}") for kind in ("role", "policy", "group", "instance-profile")]


class DeliveryBoundary(Construct):
    """``<project>-delivery-boundary-<account>``: the permissions boundary of every delivery role of the account.

    It caps (grants nothing): everything but IAM, Organizations and Account; IAM reads; IAM changes to the delivered
    environments' own IAM and to service-linked roles. It denies IAM users and long-lived keys, a role without its
    environment's permissions boundary, removing a boundary, and changing the delivery roles or itself. Each role's own
    policy narrows it to one environment."""

    def __init__(
        self, scope: Construct, construct_id: str, where: StackScope, account: AccountConfig, environments: Sequence[EnvironmentConfig]
    ) -> None:
        super().__init__(scope, construct_id)
        name = where.names.name(DELIVERY_BOUNDARY_PURPOSE)
        delivered = [arn for environment in environments for arn in environment_iam(where, environment)]
        service_linked = _iam(where, "role/aws-service-role/*")
        boundaries = [_iam(where, f"policy/{e.project}-{BOUNDARY_PURPOSE}-{e.name}") for e in environments]
        delivery_roles = [
            _iam(where, f"role/{delivery_role_name(s.project, s.stack_name, kind)}")
            for s in (account, *environments) for kind in ((PLAN,) if s is account else (PLAN, APPLY))
        ]
        self.policy = aws.iam_policy.IamPolicy(
            self, "policy", name=name,
            description="Caps the delivery roles: no IAM users or keys, no IAM outside the environments', no role without its boundary",
            policy=policy_document(self, "document", [
                statement("CapsToAllButIamOrganizationsAndAccount", not_actions=list(OUTSIDE_THE_CAP), resources=["*"]),
                statement("CapsIamToReads", actions=list(IAM_READS), resources=["*"]),
                statement(
                    "CapsIamChangesToTheEnvironmentsOwn", actions=[*IAM_WRITE_ACTIONS, "iam:PassRole"], resources=[*delivered, service_linked],
                ),
                statement("DenyUsersAndLongLivedKeys", effect="Deny", actions=list(USER_CREDENTIAL_ACTIONS), resources=["*"]),
                statement(
                    "DenyRolesWithoutTheirEnvironmentsBoundary", effect="Deny", actions=list(ROLE_BOUNDARY_ACTIONS), resources=["*"],
                    conditions=[("StringNotEquals", "iam:PermissionsBoundary", boundaries)],
                ),
                statement("DenyRemovingABoundary", effect="Deny", actions=["iam:DeleteRolePermissionsBoundary"], resources=["*"]),
                statement(
                    "DenyIamChangesAndPassingOutsideTheEnvironments", effect="Deny", actions=[*IAM_WRITE_ACTIONS, "iam:PassRole"],
                    not_resources=[*delivered, service_linked],
                ),
                statement("DenyChangingTheDeliveryRoles", effect="Deny", actions=[*IAM_WRITE_ACTIONS, "iam:PassRole"], resources=delivery_roles),
                statement(
                    "DenyChangingThisBoundary", effect="Deny", actions=list(BOUNDARY_POLICY_CHANGES), resources=[_iam(where, f"policy/{name}")],
                ),
            ]),
            tags={"Name": name, "Purpose": "delivery"},
        )


class StackDeliveryRoles(Construct):
    """One stack's plan role and, for an environment, its apply role. The baseline gets a plan role only: the roles
    CI runs as live in it, so a pipeline never applies it (an operator does, ``make baseline``)."""

    def __init__(
        self, scope: Construct, construct_id: str, where: StackScope, provider_arn: str, repository: str,
        stack: Deployable, boundary_arn: str, *, apply: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.boundary_arn = boundary_arn
        state = stack.state
        state_object = f"arn:{where.partition}:s3:::{state.bucket}/{stack.state_object_key}"
        self.plan = self._role(PLAN, where, provider_arn, repository, stack, PLAN_POLICY, [
            statement("ListsTheStateBucket", actions=["s3:ListBucket"], resources=[f"arn:{where.partition}:s3:::{state.bucket}"]),
            statement("ReadsTheState", actions=["s3:GetObject"], resources=[state_object]),
            statement("TakesAndReleasesTheStateLock", actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources=[f"{state_object}.tflock"]),
            statement("DenyReadingTheEnvironmentsData", effect="Deny", actions=list(DATA_READ_ACTIONS), resources=["*"]),
            statement("DenyReadingObjectsButTheState", effect="Deny", actions=["s3:GetObject"], not_resources=[state_object, f"{state_object}.tflock"]),
        ])
        self.apply = None
        if apply:
            assert isinstance(stack, EnvironmentConfig)
            self.apply = self._role(APPLY, where, provider_arn, repository, stack, APPLY_POLICY, [
                statement(
                    "ManagesTheEnvironmentsOwnIam", actions=[*IAM_WRITE_ACTIONS, *IAM_READS, "iam:PassRole"], resources=environment_iam(where, stack),
                ),
                statement(
                    "ReadsTheAwsManagedPoliciesItAttaches", actions=["iam:GetPolicy", "iam:GetPolicyVersion"],
                    resources=[f"arn:{where.partition}:iam::aws:policy/*"],
                ),
                statement(
                    "DenyWritingParametersOutsideTheEnvironmentsPath", effect="Deny", actions=list(PARAMETER_WRITE_ACTIONS),
                    not_resources=[parameter_arn(where.partition, stack.region, where.account_id, f"{stack.names.parameter_prefix}*")],
                ),
            ])

    def _role(self, kind, where: StackScope, provider_arn: str, repository: str, stack: Deployable, managed: str, own: list):
        name = delivery_role_name(stack.project, stack.stack_name, kind)
        trust = policy_document(self, f"{kind}-trust", [statement(
            "OnlyTheRepositorysWorkflowsWithTheAudience",
            actions=["sts:AssumeRoleWithWebIdentity"], principals={"Federated": [provider_arn]},
            conditions=[
                ("StringEquals", AUDIENCE_KEY, [OIDC_AUDIENCE]),
                ("StringEquals", SUBJECT_KEY, trusted_subjects(repository, stack.stack_name, kind)),
            ],
        )])
        role = aws.iam_role.IamRole(
            self, kind, name=name, assume_role_policy=trust, max_session_duration=SESSION_SECONDS[kind],
            permissions_boundary=self.boundary_arn,
            description=f"GitHub Actions {kind} of {stack.stack_name} (OIDC, {repository})",
            tags={"Name": name, "Purpose": "delivery", "DeliversStack": stack.stack_name},
        )
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, f"{kind}-managed", role=role.name, policy_arn=where.aws_managed_policy(managed))
        aws.iam_role_policy.IamRolePolicy(self, f"{kind}-own", role=role.id, name=f"{kind}-{stack.stack_name}", policy=policy_document(self, f"{kind}-document", own))
        return role
