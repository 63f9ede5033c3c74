"""Team delivery from GitHub Actions, as data: the OIDC claims the roles trust and the roles' names.

The baseline's :class:`~constructs_lib.baseline.delivery_roles.DeliveryRoles` builds the
trust policies from these, the workflows in ``.github/workflows`` name the roles, and the
tests check one against the other. GitHub's token carries ``aud`` (the audience the
workflow asked for; ``aws-actions/configure-aws-credentials`` asks for
``sts.amazonaws.com``) and ``sub``: ``repo:<owner>/<name>:pull_request`` for a
pull-request run, ``repo:<owner>/<name>:environment:<env>`` for a job that names a
GitHub environment (whose protection rules, such as required reviewers, ran first).
"""

from __future__ import annotations

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
"""The issuer of GitHub Actions' OIDC tokens, and the IAM identity provider's URL without ``https://``."""

OIDC_AUDIENCE = "sts.amazonaws.com"
"""The only audience the roles accept (the token's ``aud``)."""

AUDIENCE_KEY = f"{GITHUB_OIDC_HOST}:aud"
SUBJECT_KEY = f"{GITHUB_OIDC_HOST}:sub"

PLAN = "plan"
APPLY = "apply"

PLAN_POLICY = "ReadOnlyAccess"
"""The AWS-managed policy of a plan role: Terraform's refresh reads every resource type; it changes nothing."""

APPLY_POLICY = "PowerUserAccess"
"""The AWS-managed policy of an apply role: everything but IAM, Organizations and Account. The IAM the stack manages
is granted by name, in the role's own policy (the environment's ``<project>-*-<env>`` roles, policies, groups and
instance profiles)."""

DELIVERY_BOUNDARY_PURPOSE = "delivery-boundary"

USER_CREDENTIAL_ACTIONS: tuple[str, ...] = (
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:CreateServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
)
"""Long-lived credentials: a pipeline role never creates an IAM user or a key (the platform has none)."""

ROLE_BOUNDARY_ACTIONS: tuple[str, ...] = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")
"""Allowed to a pipeline role only with the environment's own permissions boundary on the role."""

DATA_READ_ACTIONS: tuple[str, ...] = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:Query",
    "dynamodb:Scan",
    "secretsmanager:GetSecretValue",
)
"""What ReadOnlyAccess would let a plan role read of the environment's data, and a plan never needs (no resource of the
platform is refreshed through them). Objects are denied apart from the state's (``s3:GetObject`` by exclusion)."""


def delivery_role_name(project: str, environment: str, kind: str) -> str:
    """``<project>-<env>-plan`` / ``-apply``: outside ``<project>-*-<env>``, so no platform role may pass them."""
    return f"{project}-{environment}-{kind}"


def pull_request_subject(repository: str) -> str:
    return f"repo:{repository}:pull_request"


def environment_subject(repository: str, environment: str) -> str:
    return f"repo:{repository}:environment:{environment}"


def trusted_subjects(repository: str, environment: str, kind: str) -> list[str]:
    """The token subjects a role trusts: the environment's GitHub environment, and pull requests for a plan role."""
    subjects = [environment_subject(repository, environment)]
    return [pull_request_subject(repository), *subjects] if kind == PLAN else subjects
