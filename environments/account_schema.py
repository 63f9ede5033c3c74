"""The typed schema of one AWS account file (``accounts/<name>.toml``).

An account holds the controls that exist once per account and region, not once
per environment: GuardDuty, Security Hub, AWS Config, IAM Access Analyzer, the
IAM password policy, EBS encryption by default, the account-level S3
public-access block, Inspector, a support role and the security contact. The
account baseline stack deploys them (``constructs_lib/baseline``); every
environment names the account it lives in (``account``, default ``default``).

As in environment files, every default is the secure setting, a feature is
turned off only by name, and unknown keys are errors.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field

from environments.config_model import OneStack, StateConfig, StrictModel
from environments.validators import (
    AccountId,
    Email,
    GitHubRepository,
    ProjectName,
    Region,
    RoleName,
    TagValue,
    region_partition,
)
from platform_core.conventions import BASELINE_STACK_PREFIX


def _phone(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) <= 16):
        raise ValueError(f"{value!r} is not an international phone number; write it like '+1 206 555 0100'")
    return value


class SecurityContact(StrictModel):
    """Who AWS contacts about security issues in the account (the SECURITY alternate contact, CIS 1.2)."""

    name: str = Field(min_length=1, max_length=64, description="The contact's name, or the team's.")
    title: str = Field(min_length=1, max_length=50, description="Their role, such as 'Security team'.")
    email: Email = Field(description="Where AWS and the platform's security notifications go (subscribed to the findings topic).")
    phone: Annotated[str, AfterValidator(_phone)] = Field(description="An international number, such as '+1 206 555 0100'.")


class PasswordPolicy(StrictModel):
    """The IAM password policy for the account's users (CIS 1.8 and 1.9)."""

    minimum_length: int = Field(default=14, ge=14, le=128, description="At least 14 characters (CIS 1.8).")
    reuse_prevention: int = Field(default=24, ge=24, le=24, description="The last 24 passwords cannot be reused (CIS 1.9; AWS's maximum).")
    max_age_days: int | None = Field(
        default=90, ge=1, le=1095,
        description="Days before a password expires: 90, as CIS 1.2.0 (1.11) and checkov's CKV_AWS_9 ask. NIST SP 800-63B "
        "advises against forced rotation; if your auditor agrees, raise it (an absent expiry then needs a reviewed suppression).",
    )
    require_uppercase: bool = Field(default=True, description="At least one uppercase letter.")
    require_lowercase: bool = Field(default=True, description="At least one lowercase letter.")
    require_numbers: bool = Field(default=True, description="At least one number.")
    require_symbols: bool = Field(default=True, description="At least one symbol.")


class Features(StrictModel):
    """The baseline's services. Each is on unless the account turns it off by name."""

    guardduty: bool = Field(default=True, description="GuardDuty threat detection in every covered region.")
    guardduty_malware_protection: bool = Field(default=True, description="GuardDuty scans EBS volumes of suspicious instances for malware.")
    guardduty_runtime_monitoring: bool = Field(default=True, description="GuardDuty's runtime agent on EC2 instances, managed by GuardDuty.")
    security_hub: bool = Field(default=True, description="Security Hub with the CIS AWS Foundations Benchmark and AWS Foundational Security Best Practices.")
    config: bool = Field(default=True, description="An AWS Config recorder of every supported resource, and managed rules that mirror the platform's promises.")
    access_analyzer: bool = Field(default=True, description="IAM Access Analyzer for the account in every covered region.")
    inspector: bool = Field(default=True, description="Amazon Inspector scanning of EC2 instances and Lambda functions.")


class AccountProtections(StrictModel):
    """What a destroy of the baseline (``make destroy-baseline``, itself refused while an environment of the account
    has state) may take with it."""

    keep_config_history: bool = Field(
        default=True, description="The Config buckets keep their history: a destroy fails on them while they hold any. `false` empties them (test accounts only)."
    )
    key_deletion_window_days: int = Field(default=30, ge=7, le=30, description="Days a deleted baseline KMS key can still be recovered.")


class Delivery(StrictModel):
    """GitHub Actions deploying this account's environments with short-lived OIDC credentials, never stored keys.

    With it, the baseline creates the GitHub OIDC identity provider and, per environment of the account, a plan role
    (read-only, the state, its lock) that pull requests and the environment's GitHub environment may assume, and an
    apply role that only the environment's GitHub environment may assume (README: Running it as a team)."""

    github_repository: GitHubRepository = Field(description="The only repository whose workflows may assume the roles: `owner/name`.")
    create_oidc_provider: bool = Field(
        default=True,
        description="Create the account's `token.actions.githubusercontent.com` identity provider. An account has at most "
        "one; `false` if something else already created it (the roles trust it all the same).",
    )


class AccountTags(StrictModel):
    """The tags every baseline resource carries; its Environment tag is ``account-<name>``."""

    Application: TagValue = Field(description="Standard tag naming the application.")
    CostCenter: TagValue = Field(description="Standard tag naming who pays.")
    Owner: TagValue = Field(description="Standard tag naming who answers for it.")


class AccountConfig(OneStack):
    """One AWS account. Its name comes from the file name."""

    SOURCE_DIRECTORY: ClassVar[str] = "accounts"
    MAKE_VARIABLE: ClassVar[str] = "ACCOUNT"

    name: str = Field(description="The file's name: accounts/<name>.toml.")
    project: ProjectName = Field(description="Starts every name of the baseline's resources (`acme-config-default`).")
    tags: AccountTags = Field(description="The standard tags of the baseline's resources.")
    account_id: AccountId = Field(description="The account's 12 digits. With TARGET=aws, the provider refuses any other account.")
    home_region: Region = Field(description="Where account-wide resources live (the password policy, the support role, global Config recording).")
    regions: list[Region] = Field(
        default_factory=list, description="Every region the baseline covers (regional services in each); the home region by default."
    )
    security_contact: SecurityContact = Field(description="The account's security contact.")
    password_policy: PasswordPolicy = Field(default_factory=PasswordPolicy, description="The IAM password policy.")
    features: Features = Field(default_factory=Features, description="Which of the baseline's services are on.")
    protections: AccountProtections = Field(default_factory=AccountProtections, description="Safety nets of the baseline's stateful resources.")
    state: StateConfig = Field(description="Where the baseline's Terraform state lives (its own bucket and key).")
    deploy_role: RoleName | None = Field(
        default=None,
        description="A role of this account that Terraform assumes for every stack in it (the baseline and its "
        "environments), when you run with another account's credentials, such as a central operations account's. "
        "It must already exist (e.g. `OrganizationAccountAccessRole`). Default: none, the credentials are this account's.",
    )
    delivery: Delivery | None = Field(
        default=None, description="GitHub Actions OIDC roles for this account's environments; none by default."
    )

    @property
    def stack_name(self) -> str:
        """The baseline stack, its workspace and its directory: ``baseline-<account>``."""
        return f"{BASELINE_STACK_PREFIX}{self.name}"

    @property
    def deploy_role_arn(self) -> str | None:
        """The ARN of ``deploy_role`` in this account, if it names one."""
        return f"arn:{region_partition(self.home_region)}:iam::{self.account_id}:role/{self.deploy_role}" if self.deploy_role else None

    @property
    def environment_tag(self) -> str:
        """``account-<name>``, which no environment's name can be."""
        return f"account-{self.name}"

    @property
    def region(self) -> str:
        """The region the baseline's own provider (and its account-wide resources) use: the home region."""
        return self.home_region

    @property
    def covered_regions(self) -> list[str]:
        """The home region first, then the other regions listed, each once."""
        return [self.home_region, *[r for r in dict.fromkeys(self.regions) if r != self.home_region]]
