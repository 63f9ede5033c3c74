"""The workload tiers' sections of an environment file: ``[database]``, ``[compute]``, ``[monitoring]``, ``[api]``,
``[serverless]`` and ``[backup]``.

Part of the environment schema (``environments/schema.py``, which composes them), kept apart so each module stays
small; the same rules hold: every default is the prod-grade value, every field has its description, and only
pydantic and the standard library are imported.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from environments.config_model import StrictModel
from environments.validators import (
    PRODUCTION_BACKUP_RETENTION_DAYS,
    RECOVERY_POINT_MAX_DAYS,
    VAULT_LOCK_MIN_CHANGEABLE_DAYS,
    DailyWindow,
    DbInstanceClass,
    Ec2InstanceType,
    Email,
    IngressCidr,
    InvokePrincipal,
    Origin,
    Region,
    UserPoolArn,
    Weekday,
    WeeklyWindow,
)


class DatabaseConfig(StrictModel):
    """The RDS MySQL database: 8.4 LTS unless the file asks for 8.0 and accepts its Extended Support."""

    engine_version: str = Field(
        default="8.4",
        pattern=r"^8\.[04](\.\d+)?$",
        description=(
            "MySQL 8.4 (LTS); `8.4` lets RDS apply minor upgrades without drift, `8.4.x` pins one. "
            "`8.0` is past RDS standard support and needs accept_extended_support. A change of major version "
            "upgrades the instance in place (its parameter group, which holds no data, is replaced)."
        ),
    )
    accept_extended_support: bool = Field(
        default=False,
        description=(
            "Run a MySQL major past RDS standard support (8.0 after 31 July 2026) on purpose, "
            "paying for RDS Extended Support; refused for 8.4, which needs none."
        ),
    )
    instance_class: DbInstanceClass = Field(default="db.r6g.large", description="A class that runs Performance Insights (medium or larger).")
    allocated_storage_gb: int = Field(default=50, ge=20, le=65536, description="Storage allocated to the database, in GB.")
    max_allocated_storage_gb: int = Field(default=200, ge=20, le=65536, description="Storage autoscaling ceiling, in GB; at least allocated_storage_gb.")
    multi_az: bool = Field(default=True, description="A standby in a second AZ; production requires it.")
    backup_retention_days: int = Field(default=30, ge=1, le=35, description=f"Days of automated backups, 1-35; production needs at least {PRODUCTION_BACKUP_RETENTION_DAYS}.")
    backup_window: DailyWindow = Field(default="03:00-03:30", description="Daily UTC backup window, at least 30 minutes, clear of the maintenance window.")
    maintenance_window: WeeklyWindow = Field(default="sun:04:00-sun:04:30", description="Weekly UTC maintenance window, at least 30 minutes, clear of the backup window.")

    @property
    def major_version(self) -> str:
        """``8.4`` of ``8.4`` or ``8.4.3``: what the parameter group's family and RDS support follow."""
        return ".".join(self.engine_version.split(".")[:2])


class ComputeConfig(StrictModel):
    """The application servers in the private tier."""

    instance_type: Ec2InstanceType = Field(default="t3.small", description="The app servers' EC2 instance type.")
    instances_per_az: int = Field(default=1, ge=1, le=4, description="1-4 servers in every AZ's private subnet.")
    ami_id: str | None = Field(default=None, pattern=r"^ami-[0-9a-f]{8,17}$", description="Pins an AMI; set it or ami_parameter, not both.")
    ami_parameter: str = Field(
        default="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        pattern=r"^/aws/service/[A-Za-z0-9/_.-]+$",
        description="The public SSM parameter that resolves the AMI; the default always names the current Amazon Linux 2023.",
    )


class MonitoringConfig(StrictModel):
    """Who hears about alarms, and when they fire."""

    alarm_emails: list[Email] = Field(default_factory=list, description="Addresses subscribed to the alarm topic.")
    cpu_alarm_percent: int = Field(default=80, ge=1, le=100, description="CPU use (percent) of a server or the database that raises an alarm.")
    free_storage_alarm_percent: int = Field(default=10, ge=1, le=90, description="Free database storage (percent of the allocation) at or below which an alarm fires.")
    database_connections_alarm: int = Field(default=200, ge=1, description="Database connections that raise an alarm.")


class ApiConfig(StrictModel):
    """The public REST API: who may call it, and how much."""

    allowed_ingress_cidrs: list[IngressCidr] = Field(
        min_length=1,
        description="Outside networks admitted (the API's IP allow-list). At least one; no `0.0.0.0/0`; no overlaps, none inside the VPC.",
    )
    authorizer: Literal["iam", "cognito"] = Field(
        default="iam",
        description=(
            "Who may call GET and POST /data. `iam`: requests signed with SigV4 by one of invoke_principals. "
            "`cognito`: a token from one of cognito_user_pool_arns. The API key stays either way, for the usage plan's quotas; "
            "it identifies a client, it does not authorize one."
        ),
    )
    invoke_principals: list[InvokePrincipal] = Field(
        default_factory=list,
        description=(
            "With authorizer `iam`, the only principals that may invoke: role names of the environment's account, "
            "or IAM role or user ARNs (another account's too). The resource policy names them and denies every other principal."
        ),
    )
    cognito_user_pool_arns: list[UserPoolArn] = Field(
        default_factory=list, description="With authorizer `cognito`, the user pools whose tokens the API accepts."
    )
    cors_allowed_origins: list[Origin] = Field(default_factory=list, description="HTTPS origins (no path, no `*`) a browser may call the API from; none allows no cross-origin call.")
    throttle_rate_limit: int = Field(default=50, ge=1, le=10000, description="Steady requests per second, for stage and usage-plan throttling.")
    throttle_burst_limit: int = Field(default=100, ge=1, le=5000, description="Burst of requests for stage and usage-plan throttling; at least throttle_rate_limit.")
    daily_quota: int = Field(default=100000, ge=1, description="Requests per day for the API key's usage plan.")
    latency_alarm_ms: int = Field(default=2000, ge=50, le=29000, description="p99 latency (ms) that raises the alarm.")


class ServerlessConfig(StrictModel):
    """The Lambda functions behind the API."""

    reserved_concurrency: int = Field(default=20, ge=1, le=1000, description="Reserved concurrency of each function.")
    timeout_seconds: int = Field(default=10, ge=1, le=29, description="Function timeout; at most API Gateway's 29 s.")
    memory_mb: int = Field(default=256, ge=128, le=10240, description="Function memory, in MB.")


class BackupConfig(StrictModel):
    """AWS Backup of the database and the items table: a vault under its own key, a daily and a weekly rule, a vault
    lock in compliance mode, and an optional copy to a vault in a second region."""

    window: DailyWindow = Field(
        default="05:00-06:00",
        description=(
            "Daily UTC window in which AWS Backup starts the daily and weekly backups (the rules' start window), at "
            "least 60 minutes; clear of the database's backup window, and of its maintenance window and the hour "
            "before it, when AWS Backup starts no RDS backup."
        ),
    )
    daily_retention_days: int = Field(
        default=35, ge=1, le=RECOVERY_POINT_MAX_DAYS,
        description=f"Days each daily recovery point is kept; production needs at least {PRODUCTION_BACKUP_RETENTION_DAYS}.",
    )
    weekly_day: Weekday = Field(default="sun", description="The day of the weekly backup, in the same window.")
    weekly_retention_days: int = Field(
        default=365, ge=1, le=RECOVERY_POINT_MAX_DAYS,
        description="Days each weekly recovery point is kept; at least daily_retention_days.",
    )
    vault_lock: bool = Field(
        default=True,
        description=(
            "A vault lock in compliance mode: no one, the account root included, can delete a recovery point before "
            "lock_min_retention_days or shorten its retention, and once lock_changeable_for_days have passed the lock "
            "itself cannot be removed. Production requires it."
        ),
    )
    lock_min_retention_days: int = Field(
        default=35, ge=1, le=RECOVERY_POINT_MAX_DAYS,
        description="(with vault_lock) The least retention the vault accepts; at most every rule's retention.",
    )
    lock_max_retention_days: int = Field(
        default=365, ge=1, le=RECOVERY_POINT_MAX_DAYS,
        description="(with vault_lock) The most retention the vault accepts; at least every rule's retention.",
    )
    lock_changeable_for_days: int = Field(
        default=VAULT_LOCK_MIN_CHANGEABLE_DAYS, ge=VAULT_LOCK_MIN_CHANGEABLE_DAYS, le=RECOVERY_POINT_MAX_DAYS,
        description=(
            f"(with vault_lock) Days after the lock is first applied during which it can still be removed (a grace "
            f"period, at least AWS's {VAULT_LOCK_MIN_CHANGEABLE_DAYS}); after them it is immutable."
        ),
    )
    copy_to_region: Region | None = Field(
        default=None,
        description=(
            "Another region to copy every recovery point to, into a vault there under its own key (locked like the "
            "first), kept as long as the original. Default: none."
        ),
    )

    @property
    def retentions(self) -> dict[str, int]:
        """Each rule's retention in days, by rule: ``daily`` and ``weekly``."""
        return {"daily": self.daily_retention_days, "weekly": self.weekly_retention_days}
