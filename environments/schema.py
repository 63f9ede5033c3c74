"""The typed schema of one environment file (``environments/<name>.toml``).

Every field has the prod-grade value as its default, so an environment is
secure unless its file relaxes something by name. Unknown keys are errors, so
a typo is never silently ignored. Only pydantic and the standard library are
imported here: the loader must answer in about a second, long before the AWS
provider bindings would be loaded.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from platform_core.conventions import STATE_WORKSPACE_PREFIX
from platform_core.naming import ResourceNames

PRODUCTION_BACKUP_RETENTION_DAYS = 14
"""Production keeps database backups at least two weeks; dev and staging keep 7 days."""

PRODUCTION_AUDIT_RETENTION_DAYS = 2557
"""Seven years, the least a production environment keeps its audit logs."""

INFREQUENT_ACCESS_MINIMUM_DAYS = 30
"""S3 refuses a transition to STANDARD_IA or ONEZONE_IA earlier than 30 days."""

CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
"""The only retention periods CloudWatch Logs accepts."""

INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = (
    "ec2", "ec2messages", "ecr.api", "ecr.dkr", "execute-api", "kms", "lambda", "logs",
    "monitoring", "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "sts",
)
"""Services that may get an interface endpoint (``com.amazonaws.<region>.<service>``)."""

PROD_INTERFACE_ENDPOINTS: tuple[str, ...] = ("ssm", "ssmmessages", "ec2messages", "kms", "logs", "sts")

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
STATE_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.tfstate$")
ACCOUNT_PATTERN = re.compile(r"^\d{12}$")


# --- field validators: each raises ValueError("<reason>; <fix>") ---------------------------


def _retention(days: int) -> int:
    if days not in CLOUDWATCH_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
        raise ValueError(f"{days} is not a retention CloudWatch Logs accepts; use one of {allowed}")
    return days


def _region(value: str) -> str:
    if not REGION_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an AWS region name; use a name such as 'us-east-1'")
    return value


def _ipv4_network(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = ipaddress.IPv4Network(value, strict=False)
            raise ValueError(f"{value!r} has host bits set; use {fixed}") from None
        raise ValueError(f"{value!r} is not an IPv4 CIDR; write it like '10.20.0.0/16'") from None


def _vpc_cidr(value: str) -> str:
    network = _ipv4_network(value)
    if not network.is_private or network.prefixlen < 8:
        raise ValueError(f"{value!r} is not a private range; use an RFC 1918 range such as 10.20.0.0/16")
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(
            f"/{network.prefixlen} is outside what this platform supports for a VPC; use a prefix from /16 to /24"
        )
    return value


def _ingress_cidr(value: str) -> str:
    network = _ipv4_network(value)
    if network.prefixlen == 0:
        raise ValueError("0.0.0.0/0 would admit the whole internet; list the specific networks to admit")
    return value


def _bucket_name(value: str) -> str:
    problems = []
    if not BUCKET_PATTERN.fullmatch(value):
        problems.append("use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
    if ".." in value or ".-" in value or "-." in value:
        problems.append("do not put two dots together or a dot next to a hyphen")
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value):
        problems.append("do not shape it like an IP address")
    if value.startswith(("xn--", "sthree-")) or value.endswith(("-s3alias", "--ol-s3")):
        problems.append("do not use a reserved prefix (xn--, sthree-) or suffix (-s3alias, --ol-s3)")
    if problems:
        raise ValueError(f"{value!r} is not a valid S3 bucket name; " + "; ".join(problems))
    return value


def _state_key(value: str) -> str:
    if not STATE_KEY_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a usable state key; use a relative path of letters, digits, '.', '_', '-' "
            "ending in .tfstate, such as 'platform/dev.tfstate'"
        )
    return value


def _project(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value) or "--" in value or not 3 <= len(value) <= 24:
        raise ValueError(
            f"{value!r} cannot start bucket and resource names; use 3-24 lowercase letters, digits and "
            "single hyphens, starting with a letter"
        )
    return value


def _account_id(value: str) -> str:
    if not ACCOUNT_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an AWS account id; use the 12 digits, quoted, such as \"123456789012\"")
    return value


def _tag_value(value: str) -> str:
    if not value.strip() or len(value) > 256:
        raise ValueError("a tag value must be 1-256 characters and not blank")
    return value


RetentionDays = Annotated[int, AfterValidator(_retention)]
Region = Annotated[str, AfterValidator(_region)]
IngressCidr = Annotated[str, AfterValidator(_ingress_cidr)]
TagValue = Annotated[str, AfterValidator(_tag_value)]
InterfaceEndpoint = Literal[INTERFACE_ENDPOINT_SERVICES]  # type: ignore[valid-type]


class StrictModel(BaseModel):
    """No coercion between TOML types, no unknown keys, immutable once loaded."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Tags(StrictModel):
    """The tags every resource carries (through the provider's ``default_tags``)."""

    Environment: TagValue | None = Field(
        default=None, description="Defaults to the environment's name; if given it must equal it."
    )
    Application: TagValue
    CostCenter: TagValue
    Owner: TagValue


class SubnetPrefixLengths(StrictModel):
    """Subnet size per tier, as a prefix length (``24`` means /24, 256 addresses)."""

    public: int = 24
    private: int = 22
    database: int = 24

    def as_dict(self) -> dict[str, int]:
        return {"public": self.public, "private": self.private, "database": self.database}


class NetworkConfig(StrictModel):
    """The VPC and its tiers."""

    vpc_cidr: Annotated[str, AfterValidator(_vpc_cidr)]
    availability_zones: list[str] = Field(min_length=2, max_length=3)
    subnet_prefix_lengths: SubnetPrefixLengths = SubnetPrefixLengths()
    nat_mode: Literal["single", "per_az"] = Field(
        default="per_az", description="per_az survives the loss of an AZ; single is cheaper (dev)."
    )
    flow_log_retention_days: RetentionDays = 365
    interface_endpoints: list[InterfaceEndpoint] = Field(default_factory=lambda: list(PROD_INTERFACE_ENDPOINTS))
    allowed_ingress_cidrs: list[IngressCidr] = Field(
        min_length=1, description="Networks admitted from outside (the API's IP allow-list)."
    )


class LoggingConfig(StrictModel):
    """Retention of the platform's CloudWatch log groups."""

    retention_days: RetentionDays = 365


class EncryptionConfig(StrictModel):
    """The customer-managed KMS keys (one per purpose: data, logs, database, audit)."""

    key_deletion_window_days: int = Field(
        default=30, ge=7, le=30, description="Days a deleted key waits before it is gone (7-30)."
    )


StorageClass = Literal["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]


class DataTransition(StrictModel):
    """Move data-lake objects to a cheaper storage class after ``days``."""

    days: int = Field(ge=0)
    storage_class: StorageClass


class StorageConfig(StrictModel):
    """The data lake's buckets: data, access logs, audit."""

    log_expiration_days: int = Field(default=30, ge=1, description="Access logs are deleted after this many days.")
    noncurrent_version_expiration_days: int = Field(
        default=7, ge=1, description="Overwritten or deleted object versions are kept this long."
    )
    data_transitions: list[DataTransition] = Field(
        default_factory=lambda: [
            DataTransition(days=30, storage_class="STANDARD_IA"),
            DataTransition(days=90, storage_class="GLACIER_IR"),
        ],
        description="When data objects move to cheaper storage classes, in increasing days.",
    )


class AuditConfig(StrictModel):
    """CloudTrail and where its records are kept."""

    log_retention_days: RetentionDays = Field(
        default=2557, description="Retention of the trail's log group and audit bucket; production needs 7 years (2557)."
    )


WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
WEEKLY_WINDOW_PATTERN = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
SMALL_INSTANCE_SIZES = ("nano", "micro", "small")


def _daily_window(value: str) -> str:
    if not WINDOW_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a daily UTC window; write it like '03:00-03:30'")
    return value


def _weekly_window(value: str) -> str:
    if not WEEKLY_WINDOW_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a weekly UTC window; write it like 'sun:04:00-sun:04:30'")
    return value


def _db_instance_class(value: str) -> str:
    if not re.fullmatch(r"db\.[a-z0-9]+\.[a-z0-9]+", value):
        raise ValueError(f"{value!r} is not an RDS instance class; write it like 'db.t4g.medium'")
    if value.rsplit(".", 1)[1] in SMALL_INSTANCE_SIZES:
        raise ValueError(f"{value!r} cannot run Performance Insights for MySQL; use a medium or larger class")
    return value


def _ec2_instance_type(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9]+", value):
        raise ValueError(f"{value!r} is not an EC2 instance type; write it like 't3.small'")
    return value


def _email(value: str) -> str:
    if not EMAIL_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


class DatabaseConfig(StrictModel):
    """The RDS MySQL 8.0 database."""

    engine_version: str = Field(default="8.0", pattern=r"^8\.0(\.\d+)?$", description="'8.0' lets AWS apply minor upgrades.")
    instance_class: Annotated[str, AfterValidator(_db_instance_class)] = "db.r6g.large"
    allocated_storage_gb: int = Field(default=50, ge=20, le=65536)
    max_allocated_storage_gb: int = Field(default=200, ge=20, le=65536, description="Storage autoscaling ceiling.")
    multi_az: bool = Field(default=True, description="A standby in a second AZ; production requires it.")
    backup_retention_days: int = Field(default=30, ge=1, le=35)
    backup_window: Annotated[str, AfterValidator(_daily_window)] = "03:00-03:30"
    maintenance_window: Annotated[str, AfterValidator(_weekly_window)] = "sun:04:00-sun:04:30"


class ComputeConfig(StrictModel):
    """The application servers in the private tier."""

    instance_type: Annotated[str, AfterValidator(_ec2_instance_type)] = "t3.small"
    instances_per_az: int = Field(default=1, ge=1, le=4)
    ami_id: str | None = Field(default=None, pattern=r"^ami-[0-9a-f]{8,17}$", description="Overrides ami_parameter.")
    ami_parameter: str = Field(
        default="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        pattern=r"^/aws/service/[A-Za-z0-9/_.-]+$",
        description="Public SSM parameter that names the current AMI.",
    )


class MonitoringConfig(StrictModel):
    """Who hears about alarms, and when they fire."""

    alarm_emails: list[Annotated[str, AfterValidator(_email)]] = Field(default_factory=list)
    cpu_alarm_percent: int = Field(default=80, ge=1, le=100)
    free_storage_alarm_percent: int = Field(default=10, ge=1, le=90)
    database_connections_alarm: int = Field(default=200, ge=1)


ORIGIN_PATTERN = re.compile(r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$")


def _origin(value: str) -> str:
    if not ORIGIN_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an HTTPS origin; write it like 'https://app.example.com' (no path, no '*')")
    return value


class ApiConfig(StrictModel):
    """The public REST API (its IP allow-list is network.allowed_ingress_cidrs)."""

    cors_allowed_origins: list[Annotated[str, AfterValidator(_origin)]] = Field(
        default_factory=list, description="Browser origins allowed to call the API; none allows no cross-origin call."
    )
    throttle_rate_limit: int = Field(default=50, ge=1, le=10000, description="Steady requests per second.")
    throttle_burst_limit: int = Field(default=100, ge=1, le=5000)
    daily_quota: int = Field(default=100000, ge=1, description="Requests per day for the API key's usage plan.")
    latency_alarm_ms: int = Field(default=2000, ge=50, le=29000)


class ServerlessConfig(StrictModel):
    """The Lambda functions behind the API."""

    reserved_concurrency: int = Field(default=20, ge=1, le=1000)
    timeout_seconds: int = Field(default=10, ge=1, le=29, description="At most API Gateway's 29 s.")
    memory_mb: int = Field(default=256, ge=128, le=10240)


class StateConfig(StrictModel):
    """Where this environment's Terraform state lives (S3, encrypted, with lockfiles)."""

    bucket: Annotated[str, AfterValidator(_bucket_name)]
    region: Region
    key: Annotated[str, AfterValidator(_state_key)]


class Protections(StrictModel):
    """Safety nets that are on by default. Only a non-production environment may turn one off."""

    deletion_protection: bool = Field(default=True, description="Deletion protection on databases and tables.")
    prevent_destroy: bool = Field(default=True, description="Terraform refuses to destroy stateful resources.")
    final_snapshot: bool = Field(default=True, description="A database takes a final snapshot when deleted.")
    keep_bucket_contents: bool = Field(
        default=True, description="When false, buckets are force_destroy: destroy empties them first."
    )

    def relaxed(self) -> list[str]:
        """Names of the protections this environment turns off."""
        return [name for name, value in self.model_dump().items() if value is False]


class EnvironmentConfig(StrictModel):
    """One deployable stage. Its name comes from the file name, never from inside the file."""

    name: str
    project: Annotated[str, AfterValidator(_project)]
    region: Region
    account_id: Annotated[str, AfterValidator(_account_id)] | None = Field(
        default=None, description="If set, the AWS provider refuses to run against any other account."
    )
    production: bool = Field(
        default=True, description="A production environment may not relax any protection."
    )
    tags: Tags
    network: NetworkConfig
    logging: LoggingConfig = LoggingConfig()
    encryption: EncryptionConfig = EncryptionConfig()
    storage: StorageConfig = StorageConfig()
    audit: AuditConfig = AuditConfig()
    database: DatabaseConfig = DatabaseConfig()
    compute: ComputeConfig = ComputeConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    api: ApiConfig = ApiConfig()
    serverless: ServerlessConfig = ServerlessConfig()
    state: StateConfig
    protections: Protections = Protections()

    @property
    def names(self) -> ResourceNames:
        """How this environment names things (``acme-vpc-dev``)."""
        return ResourceNames(project=self.project, environment=self.name)

    @property
    def state_object_key(self) -> str:
        """Where this environment's state lives in its bucket: ``workspaces/<env>/<key>``."""
        return f"{STATE_WORKSPACE_PREFIX}/{self.name}/{self.state.key}"

    @property
    def resource_tags(self) -> dict[str, str]:
        """The standard tags, with Environment filled in."""
        return {
            "Environment": self.name,
            "Application": self.tags.Application,
            "CostCenter": self.tags.CostCenter,
            "Owner": self.tags.Owner,
        }
