"""PermissionsBoundary: the managed policy every role of a stack carries as its permissions boundary.

What it creates, and why: one ``aws_iam_policy``, ``<project>-permissions-boundary-<env>``,
whose document (``platform_core/privilege_guard.py``) caps every role. A boundary grants
nothing (a role can do only what its own policies *and* its boundary allow), so its one
Allow statement is ``*``: the roles' own least-privilege policies decide. Its Deny
statements take privilege escalation away from every role, whatever a policy attached
later might grant: creating or changing IAM users, roles, policies and access keys;
passing a role whose name is not the platform's; changing or removing the boundary.
And one takes away writing the project's SSM parameters (``/<project>/*``): other teams'
stacks trust what an environment publishes there (``published_parameters.py``), so only
Terraform may change them (the deployer, or the environment's apply role, neither of
which carries this boundary).

:class:`~constructs_lib.identity.ServiceRole` attaches it from the stack's
:class:`~constructs_lib.context.StackScope`; rule IAM003 refuses a role without it.
"""

from __future__ import annotations

from functools import cached_property

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from platform_core.privilege_guard import (
    BOUNDARY_CHANGES,
    BOUNDARY_POLICY_CHANGES,
    BOUNDARY_PURPOSE,
    IAM_WRITE_ACTIONS,
    platform_role_pattern,
)
from platform_core.published import PARAMETER_WRITE_ACTIONS, parameter_arn
from synth_runtime.provider_bindings import aws


class PermissionsBoundary(Construct):
    """The stack's boundary policy; see the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope) -> None:
        super().__init__(scope, construct_id)
        names = where.names
        name = names.name(BOUNDARY_PURPOSE)
        own_arn = where.arn("iam", f"policy/{name}", regional=False)
        platform_roles = where.arn("iam", f"role/{platform_role_pattern(names.project, names.environment)}", regional=False)
        project_parameters = parameter_arn(where.partition, "*", where.account_id, f"/{names.project}/*")
        self.policy = aws.iam_policy.IamPolicy(
            self,
            "policy",
            name=name,
            description="Permissions boundary of every platform role: no IAM changes, no passing other roles, no loosening itself",
            policy=policy_document(
                self,
                "document",
                [
                    statement("CapsWhatTheRolesOwnPoliciesGrantButIamChanges", not_actions=list(IAM_WRITE_ACTIONS), resources=["*"]),
                    statement("DenyIamUserRolePolicyAndKeyChanges", effect="Deny", actions=list(IAM_WRITE_ACTIONS), resources=["*"]),
                    statement("DenyPassingRolesOutsideThePlatform", effect="Deny", actions=["iam:PassRole"], not_resources=[platform_roles]),
                    statement("DenyChangingAnyBoundary", effect="Deny", actions=list(BOUNDARY_CHANGES), resources=["*"]),
                    statement("DenyChangingThisBoundary", effect="Deny", actions=list(BOUNDARY_POLICY_CHANGES), resources=[own_arn]),
                    statement(
                        "DenyWritingTheProjectsParameters", effect="Deny", actions=list(PARAMETER_WRITE_ACTIONS), resources=[project_parameters],
                    ),
                ],
            ),
            tags={"Name": name, "Purpose": BOUNDARY_PURPOSE},
        )

    @cached_property
    def arn(self) -> str:
        return self.policy.arn
