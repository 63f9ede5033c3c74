"""The typed schema of one environment file (``environments/<name>.toml``).

Every field has the prod-grade value as its default, so an environment is
secure unless its file relaxes something by name. Unknown keys are errors, so
a typo is never silently ignored. Each field's ``Field(default=..., description=...)``
is the one source of its default and its meaning: the README's environment-file
reference is generated from them (``make docs``, ``environments/reference.py``).
The single-field checks live in ``environments/validators.py``, the rules that
relate fields in ``environments/consistency.py``. Only pydantic and the standard
library are imported: the loader must answer in about a second, long before the
AWS provider bindings would be loaded.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from environments.config_model import OneStack, StateConfig, StrictModel
from environments.validators import (
    CLOUDWATCH_RETENTION_DAYS,
    INFREQUENT_ACCESS_MINIMUM_DAYS,
    PROD_INTERFACE_ENDPOINTS,
    PRODUCTION_AUDIT_RETENTION_DAYS,
    AccountId,
    InterfaceEndpoint,
    ProjectName,
    Region,
    RetentionDays,
    StorageClass,
    TagValue,
    VpcCidr,
)
from environments.workload_schema import (
    ApiConfig,
    BackupConfig,
    ComputeConfig,
    DatabaseConfig,
    MonitoringConfig,
    ServerlessConfig,
)

_CLOUDWATCH_VALUES = f"a value CloudWatch accepts ({', '.join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)})"
_TIER_SIZE = "(24 is /24); between VPC prefix + 5 and /28, since each tier gets a quarter of the VPC with a slot per AZ letter."


class Tags(StrictModel):
    """The tags every resource carries (through the provider's ``default_tags``)."""

    Environment: TagValue | None = Field(default=None, description="Defaults to the environment's name; if given, it must equal it.")
    Application: TagValue = Field(description="Standard tag naming the application, on every resource through the provider's `default_tags`.")
    CostCenter: TagValue = Field(description="Standard tag naming who pays, on every resource through the provider's `default_tags`.")
    Owner: TagValue = Field(description="Standard tag naming who answers for it, on every resource through the provider's `default_tags`.")


class SubnetPrefixLengths(StrictModel):
    """Subnet size per tier, as a prefix length (``24`` means /24, 256 addresses)."""

    public: int = Field(default=24, description=f"Prefix length of the public subnets {_TIER_SIZE}")
    private: int = Field(default=22, description=f"Prefix length of the private subnets, where the servers run {_TIER_SIZE}")
    database: int = Field(default=24, description=f"Prefix length of the database subnets {_TIER_SIZE}")

    def as_dict(self) -> dict[str, int]:
        return {"public": self.public, "private": self.private, "database": self.database}


class NetworkConfig(StrictModel):
    """The VPC and its tiers."""

    vpc_cidr: VpcCidr = Field(description="Private (RFC 1918) range of the VPC, /16 to /24.")
    availability_zones: list[str] = Field(min_length=2, max_length=3, description="2 or 3 AZs of `region`, each once, letters a-f.")
    subnet_prefix_lengths: SubnetPrefixLengths = Field(default=SubnetPrefixLengths(), description="Subnet size per tier.")
    nat_mode: Literal["single", "per_az"] = Field(default="per_az", description="One NAT gateway, or one per AZ: `per_az` survives the loss of an AZ; `single` is cheaper (dev).")
    flow_log_retention_days: RetentionDays = Field(default=365, description=f"Retention of the VPC flow logs; {_CLOUDWATCH_VALUES}.")
    interface_endpoints: list[InterfaceEndpoint] = Field(
        default_factory=lambda: list(PROD_INTERFACE_ENDPOINTS),
        description="Interface endpoints in the private tier. The default is what the servers need without the NAT: Session Manager, KMS, CloudWatch Logs, STS.",
    )


class LoggingConfig(StrictModel):
    """Retention of the platform's CloudWatch log groups."""

    retention_days: RetentionDays = Field(default=365, description="Retention of the platform's log groups (CloudWatch values); a year by default.")


class EncryptionConfig(StrictModel):
    """The customer-managed KMS keys (one per purpose: data, logs, database, audit)."""

    key_deletion_window_days: int = Field(default=30, ge=7, le=30, description="7-30 days before a deleted key is gone; the default, the longest, leaves the most time to cancel a mistake.")


class DataTransition(StrictModel):
    """Move data-lake objects to a cheaper storage class after ``days``."""

    days: int = Field(ge=0, description="Days after an object's creation when it moves.")
    storage_class: StorageClass = Field(description="The S3 storage class it moves to.")


class StorageConfig(StrictModel):
    """The data lake's buckets: data, access logs, audit."""

    log_expiration_days: int = Field(default=30, ge=1, description="Access logs are deleted after this many days.")
    noncurrent_version_expiration_days: int = Field(default=7, ge=1, description="Overwritten or deleted object versions are kept this long.")
    data_transitions: list[DataTransition] = Field(
        default_factory=lambda: [DataTransition(days=30, storage_class="STANDARD_IA"), DataTransition(days=90, storage_class="GLACIER_IR")],
        description=f"When data objects move to cheaper classes; increasing days, each class once, IA classes from day {INFREQUENT_ACCESS_MINIMUM_DAYS}.",
    )


class AuditConfig(StrictModel):
    """CloudTrail and where its records are kept."""

    log_retention_days: RetentionDays = Field(
        default=2557,
        description=f"The trail's log group retention, the audit bucket's expiry and its Object Lock retention (CloudWatch values); production needs at least {PRODUCTION_AUDIT_RETENTION_DAYS} (7 years).",
    )
    object_lock: Literal["compliance", "governance", "off"] = Field(
        default="compliance",
        description="S3 Object Lock on the audit bucket, every log file locked for `log_retention_days`: `compliance` (no one, the root user included, can delete or overwrite it or shorten its lock), "
        "`governance` (only a principal allowed `s3:BypassGovernanceRetention` can), or `off`. Production may not turn it off; compliance needs `protections.keep_bucket_contents`, since no destroy can empty a locked bucket. "
        "Once on, a bucket cannot drop Object Lock: `off` only stops locking new files.",
    )
    insights: bool = Field(
        default=True,
        description="CloudTrail Insights on the trail: unusual rates of API calls (`ApiCallRateInsight`) and of API errors (`ApiErrorRateInsight`) are recorded as Insights events. AWS charges for the management events Insights analyses, per 100,000 events; `false` turns it off.",
    )


class Protections(StrictModel):
    """Safety nets that are on by default. Only a non-production environment may turn one off."""

    deletion_protection: bool = Field(default=True, description="Deletion protection on databases and tables.")
    prevent_destroy: bool = Field(default=True, description="Terraform refuses to destroy stateful resources; `make destroy` refuses the environment.")
    final_snapshot: bool = Field(default=True, description="A database takes a final snapshot when deleted.")
    keep_bucket_contents: bool = Field(default=True, description="`false` makes buckets `force_destroy`: destroy empties them first (dev only).")
    keep_recovery_points: bool = Field(
        default=True,
        description="`false` makes the backup vaults `force_destroy`: destroy deletes their recovery points first (dev only; a locked vault refuses).",
    )

    def relaxed(self) -> list[str]:
        """Names of the protections this environment turns off."""
        return [name for name, value in self.model_dump().items() if value is False]


class EnvironmentConfig(OneStack):
    """One deployable stage. Its name comes from the file name, never from inside the file."""

    SOURCE_DIRECTORY: ClassVar[str] = "environments"
    MAKE_VARIABLE: ClassVar[str] = "ENV"

    name: str = Field(description="The environment's name, from its file name (`dev.toml` is `dev`); never a key in the file.")
    project: ProjectName = Field(
        description="Starts every name (`acme-vpc-dev`); 3-24 lowercase letters, digits, hyphens. "
        "Bucket names built from it must fit S3's 63 characters."
    )
    region: Region = Field(description="AWS region, e.g. `us-east-1`.")
    account: str = Field(
        default="default", pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$",
        description="The AWS account it lives in: `accounts/<account>.toml`, whose baseline is deployed first; it must cover `region`.",
    )
    account_id: AccountId | None = Field(
        default=None, description="Filled in from the account file; if given, it must be that account's id. With `TARGET=aws`, the provider refuses any other account.",
    )
    deploy_role_arn: str | None = Field(
        default=None, description="Filled in from the account file's `deploy_role`; never set it here.", exclude=True,
    )
    production: bool = Field(default=True, description="A production environment may not relax any protection, and is never destroyed by the pipeline.")
    tags: Tags = Field(description="The standard tags.")
    network: NetworkConfig = Field(description="The VPC and its tiers.")
    logging: LoggingConfig = Field(default=LoggingConfig(), description="Retention of the platform's log groups.")
    encryption: EncryptionConfig = Field(default=EncryptionConfig(), description="The customer-managed KMS keys.")
    storage: StorageConfig = Field(default=StorageConfig(), description="The data lake's buckets.")
    audit: AuditConfig = Field(default=AuditConfig(), description="CloudTrail and its records.")
    database: DatabaseConfig = Field(default=DatabaseConfig(), description="The RDS MySQL database.")
    compute: ComputeConfig = Field(default=ComputeConfig(), description="The application servers.")
    monitoring: MonitoringConfig = Field(default=MonitoringConfig(), description="Alarm recipients and thresholds.")
    api: ApiConfig = Field(description="The public REST API; required for its IP allow-list.")
    serverless: ServerlessConfig = Field(default=ServerlessConfig(), description="The Lambda functions behind the API.")
    backup: BackupConfig = Field(default=BackupConfig(), description="AWS Backup of the database and the table.")
    state: StateConfig = Field(description="Where the Terraform state lives.")
    protections: Protections = Field(default=Protections(), description="Safety nets a non-production environment may turn off.")

    @property
    def stack_name(self) -> str:
        """The environment's stack, its workspace and its directory: its name."""
        return self.name

    @property
    def environment_tag(self) -> str:
        return self.name
