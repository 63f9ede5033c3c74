"""Single-field checks of an environment file, and the typed fields built from them.

Each validator takes one value and either returns it or raises
``ValueError("<reason>; <fix>")``; the loader shows that text after the file and
the field. The ``Annotated`` types at the end attach a validator (and, where
``string`` would say too little, a :class:`Label` for the generated reference)
to a plain type; ``environments/schema.py`` declares its fields with them.
Only the standard library and pydantic are imported here.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator

# --- limits and choices -------------------------------------------------------------------

PRODUCTION_BACKUP_RETENTION_DAYS = 14
"""Production keeps database backups at least two weeks; dev and staging keep 7 days."""

RECOVERY_POINT_MAX_DAYS = 36500
"""The longest retention AWS Backup (and its vault lock) accepts: 100 years."""

VAULT_LOCK_MIN_CHANGEABLE_DAYS = 3
"""AWS Backup's shortest grace period before a compliance-mode vault lock becomes immutable."""

MINIMUM_BACKUP_START_WINDOW_MINUTES = 60
"""AWS Backup's shortest start window."""

RDS_BACKUP_QUIET_MINUTES = 60
"""AWS Backup starts no RDS backup in the hour before the instance's maintenance window (nor during it)."""

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
"""Session Manager, KMS, CloudWatch Logs and STS: what the servers call without the NAT."""

MYSQL_MAJOR_VERSIONS: tuple[str, ...] = ("8.0", "8.4")
"""The MySQL major versions an environment may run; 8.4 (LTS) is the default."""

MYSQL_STANDARD_SUPPORT_ENDED: dict[str, str] = {"8.0": "31 July 2026"}
"""MySQL majors whose RDS standard support has ended, with the day it ended; after it
RDS runs them only under paid Extended Support (``database.accept_extended_support``)."""

SMALL_INSTANCE_SIZES = ("nano", "micro", "small")
"""RDS sizes that cannot run Performance Insights for MySQL."""

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
STATE_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.tfstate$")
ACCOUNT_PATTERN = re.compile(r"^\d{12}$")
WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
WEEKLY_WINDOW_PATTERN = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
ORIGIN_PATTERN = re.compile(r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$")


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


def _origin(value: str) -> str:
    if not ORIGIN_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an HTTPS origin; write it like 'https://app.example.com' (no path, no '*')")
    return value


INVOKE_PRINCIPAL_PATTERN = re.compile(r"[\w+=,.@-]{1,64}|arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}")
USER_POOL_ARN_PATTERN = re.compile(r"arn:aws[a-z-]*:cognito-idp:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:userpool/[a-z]{2}(-gov)?-[a-z]+-\d_[0-9A-Za-z]+")


def _invoke_principal(value: str) -> str:
    if not INVOKE_PRINCIPAL_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is neither a role name of the environment's account nor an IAM role or user ARN; "
            "write it like 'acme-api-client-dev' or 'arn:aws:iam::123456789012:role/reporting'"
        )
    return value


ROLE_NAME_PATTERN = re.compile(r"[\w+=,.@-]{1,64}")
ROLE_ARN_PATTERN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
GITHUB_REPOSITORY_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def region_partition(region: str) -> str:
    """The ARN partition of a region: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _role_name(value: str) -> str:
    if not ROLE_NAME_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an IAM role name (1-64 letters, digits and +=,.@_-); write it like 'acme-deploy'")
    return value


def _role_arn(value: str) -> str:
    if not ROLE_ARN_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an IAM role ARN; write it like 'arn:aws:iam::123456789012:role/acme-state'")
    return value


def _github_repository(value: str) -> str:
    if not GITHUB_REPOSITORY_PATTERN.fullmatch(value) or value.endswith((".git", "/.", "/..")):
        raise ValueError(f"{value!r} is not a GitHub repository; write it as owner/name, like 'acme/platform'")
    return value


def _user_pool_arn(value: str) -> str:
    if not USER_POOL_ARN_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a Cognito user pool ARN; write it like 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123'")
    return value


# --- the typed fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """How the environment-file reference names a type that ``string`` would undersell (pydantic ignores it)."""

    text: str


RetentionDays = Annotated[int, AfterValidator(_retention)]
Region = Annotated[str, AfterValidator(_region)]
VpcCidr = Annotated[str, AfterValidator(_vpc_cidr), Label("CIDR")]
IngressCidr = Annotated[str, AfterValidator(_ingress_cidr), Label("CIDR")]
BucketName = Annotated[str, AfterValidator(_bucket_name)]
StateKey = Annotated[str, AfterValidator(_state_key)]
ProjectName = Annotated[str, AfterValidator(_project)]
AccountId = Annotated[str, AfterValidator(_account_id)]
TagValue = Annotated[str, AfterValidator(_tag_value)]
InvokePrincipal = Annotated[str, AfterValidator(_invoke_principal), Label("role name or IAM ARN")]
RoleName = Annotated[str, AfterValidator(_role_name), Label("IAM role name")]
RoleArn = Annotated[str, AfterValidator(_role_arn), Label("IAM role ARN")]
GitHubRepository = Annotated[str, AfterValidator(_github_repository), Label("owner/name")]
UserPoolArn = Annotated[str, AfterValidator(_user_pool_arn), Label("user pool ARN")]
DailyWindow = Annotated[str, AfterValidator(_daily_window)]
WeeklyWindow = Annotated[str, AfterValidator(_weekly_window)]
DbInstanceClass = Annotated[str, AfterValidator(_db_instance_class)]
Ec2InstanceType = Annotated[str, AfterValidator(_ec2_instance_type)]
Email = Annotated[str, AfterValidator(_email), Label("email")]
Origin = Annotated[str, AfterValidator(_origin), Label("HTTPS origin")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
InterfaceEndpoint = Literal[INTERFACE_ENDPOINT_SERVICES]  # type: ignore[valid-type]
StorageClass = Literal["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
