"""Account-wide settings, made once in the home region: what IAM and S3 apply to the whole account.

* The IAM password policy (CIS 1.8, 1.9): at least 14 characters, the last 24 passwords
  not reused, every character class, users may change their own; values from the
  account file's ``[password_policy]``.
* The account-level S3 public-access block, all four settings (CIS 2.1.4): a bucket
  policy or ACL that would make any bucket of the account public is refused, whoever
  writes it.
* The SECURITY alternate contact (CIS 1.2): who AWS tells about a security issue.
* The support role (CIS 1.17): ``AWSSupportAccess`` only, assumable only by this
  account's own principals and only after signing in with MFA, so AWS Support cases can
  be opened without the root user and without a standing permission.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from environments.account_schema import PasswordPolicy, SecurityContact
from platform_core.account_controls import SUPPORT_POLICY
from synth_runtime.provider_bindings import aws


class PasswordPolicyRules(Construct):
    """The account's IAM password policy."""

    def __init__(self, scope: Construct, construct_id: str, policy: PasswordPolicy) -> None:
        super().__init__(scope, construct_id)
        self.policy = aws.iam_account_password_policy.IamAccountPasswordPolicy(
            self, "policy",
            minimum_password_length=policy.minimum_length,
            password_reuse_prevention=policy.reuse_prevention,
            max_password_age=policy.max_age_days,
            require_uppercase_characters=policy.require_uppercase,
            require_lowercase_characters=policy.require_lowercase,
            require_numbers=policy.require_numbers,
            require_symbols=policy.require_symbols,
            allow_users_to_change_password=True,
            hard_expiry=False,
        )


class AccountPublicAccessBlock(Construct):
    """Every public-access setting on, for every bucket of the account."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.block = aws.s3_account_public_access_block.S3AccountPublicAccessBlock(
            self, "block", block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
        )


class SecurityAlternateContact(Construct):
    """Who AWS contacts about the account's security."""

    def __init__(self, scope: Construct, construct_id: str, contact: SecurityContact) -> None:
        super().__init__(scope, construct_id)
        self.contact = aws.account_alternate_contact.AccountAlternateContact(
            self, "contact", alternate_contact_type="SECURITY",
            name=contact.name, title=contact.title, email_address=contact.email, phone_number=contact.phone,
        )


class SupportRole(Construct):
    """``<project>-support-<account>``: AWS Support access for this account's MFA-authenticated principals."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope) -> None:
        super().__init__(scope, construct_id)
        name = where.names.name("support")
        trust = policy_document(self, "trust", [statement(
            "ThisAccountsPrincipalsWithMfa", actions=["sts:AssumeRole"],
            principals={"AWS": [where.arn("iam", "root", regional=False)]},
            conditions=[("Bool", "aws:MultiFactorAuthPresent", ["true"])],
        )])
        self.role = aws.iam_role.IamRole(
            self, "role", name=name, description="Opens and manages AWS Support cases (CIS 1.17); assumable with MFA only",
            assume_role_policy=trust, max_session_duration=3600, permissions_boundary=where.permissions_boundary_arn,
            tags={"Name": name, "Purpose": "support"},
        )
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "support-access", role=self.role.name, policy_arn=where.aws_managed_policy(SUPPORT_POLICY)
        )
