"""The rules that relate one field of an environment to another, one function per rule.

They run once the schema holds (every field has its type and format). Each rule
takes the loaded :class:`EnvironmentConfig` and yields ``(field, reason)`` for
every breach, ``reason`` saying what is wrong and the fix. :data:`RULES` is the
order the loader runs them in, which is the order their problems are listed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator

from environments.schema import EnvironmentConfig
from environments.validators import (
    INFREQUENT_ACCESS_MINIMUM_DAYS,
    MINIMUM_BACKUP_START_WINDOW_MINUTES,
    MYSQL_MAJOR_VERSIONS,
    MYSQL_STANDARD_SUPPORT_ENDED,
    PRODUCTION_AUDIT_RETENTION_DAYS,
    PRODUCTION_BACKUP_RETENTION_DAYS,
    RDS_BACKUP_QUIET_MINUTES,
)
from platform_core.subnet_layout import TIERS, SubnetLayoutError, az_slot, check_prefix_length
from platform_core.windows import window_minutes, windows_overlap

Finding = tuple[str, str]
"""``(field, reason)``: the dotted field and what is wrong with it, with the fix."""

Rule = Callable[[EnvironmentConfig], Iterable[Finding]]

LONGEST_BUCKET_PURPOSE = "access-logs"
"""The longest purpose word that goes into a data-lake bucket name."""

ACCOUNT_ID_LENGTH = 12
S3_BUCKET_NAME_LIMIT = 63
MINIMUM_RDS_WINDOW_MINUTES = 30


def availability_zones_fit_region(config: EnvironmentConfig) -> Iterator[Finding]:
    """Each AZ is listed once, belongs to ``region``, and ends in a letter with a subnet slot (a-f)."""
    region = config.region
    seen: set[str] = set()
    for index, az in enumerate(config.network.availability_zones):
        field = f"network.availability_zones[{index}]"
        if az in seen:
            yield field, f"{az!r} is listed twice; list each availability zone once"
        seen.add(az)
        if not (az.startswith(region) and len(az) == len(region) + 1):
            yield field, f"{az!r} is not an availability zone of region {region}; use a name like '{region}a'"
            continue
        try:
            az_slot(az)
        except SubnetLayoutError as exc:
            yield field, str(exc)


def subnet_sizes_fit_vpc(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every tier's subnets can be cut from the VPC, with a slot for each AZ letter."""
    network = config.network
    for tier in TIERS:
        try:
            check_prefix_length(network.vpc_cidr, getattr(network.subnet_prefix_lengths, tier))
        except SubnetLayoutError as exc:
            yield f"network.subnet_prefix_lengths.{tier}", str(exc)


def allow_list_apart_and_outside_vpc(config: EnvironmentConfig) -> Iterator[Finding]:
    """The API's allow-list entries do not overlap each other, and none overlaps the VPC."""
    vpc = ipaddress.IPv4Network(config.network.vpc_cidr)
    allowed = [ipaddress.IPv4Network(c) for c in config.api.allowed_ingress_cidrs]
    for i, first in enumerate(allowed):
        field = f"api.allowed_ingress_cidrs[{i}]"
        for j in range(i):
            if first.overlaps(allowed[j]):
                yield field, f"{first} overlaps {allowed[j]} (entry {j}); keep one of them"
        if first.overlaps(vpc):
            yield field, f"{first} overlaps the VPC's own range {vpc}; list outside networks only"


def interface_endpoints_listed_once(config: EnvironmentConfig) -> Iterator[Finding]:
    """No interface endpoint service is listed twice."""
    endpoints = config.network.interface_endpoints
    if len(set(endpoints)) != len(endpoints):
        yield "network.interface_endpoints", "a service is listed twice; list each service once"


def bucket_names_fit_s3(config: EnvironmentConfig) -> Iterator[Finding]:
    """The longest bucket name built from project and environment fits S3's 63 characters."""
    longest = f"{config.project}-{LONGEST_BUCKET_PURPOSE}-{config.name}-{'0' * ACCOUNT_ID_LENGTH}"
    if len(longest) > S3_BUCKET_NAME_LIMIT:
        yield "project", (
            f"bucket names such as {longest!r} would be {len(longest)} characters, over S3's 63; "
            "shorten the project or environment name"
        )


def environment_tag_is_the_name(config: EnvironmentConfig) -> Iterator[Finding]:
    """An explicit ``tags.Environment`` equals the environment's name."""
    tag = config.tags.Environment
    if tag is not None and tag != config.name:
        yield "tags.Environment", f"{tag!r} differs from the environment's name {config.name!r}; remove it or set it to {config.name!r}"


def data_transitions_in_order(config: EnvironmentConfig) -> Iterator[Finding]:
    """Transitions come in increasing days, and none reaches an infrequent-access class before S3 allows it."""
    transitions = config.storage.data_transitions
    for index, transition in enumerate(transitions):
        field = f"storage.data_transitions[{index}].days"
        if index and transition.days <= transitions[index - 1].days:
            yield field, f"{transition.days} is not after the previous transition's {transitions[index - 1].days}; list transitions in increasing days"
        if transition.storage_class in ("STANDARD_IA", "ONEZONE_IA") and transition.days < INFREQUENT_ACCESS_MINIMUM_DAYS:
            yield field, f"S3 moves objects to {transition.storage_class} only after {INFREQUENT_ACCESS_MINIMUM_DAYS} days or more; use at least {INFREQUENT_ACCESS_MINIMUM_DAYS}"


def storage_classes_listed_once(config: EnvironmentConfig) -> Iterator[Finding]:
    """Each storage class appears in at most one transition."""
    transitions = config.storage.data_transitions
    if len({t.storage_class for t in transitions}) != len(transitions):
        yield "storage.data_transitions", "a storage class is listed twice; list each class once"


def production_keeps_audit_seven_years(config: EnvironmentConfig) -> Iterator[Finding]:
    """Production keeps its audit logs at least seven years."""
    if config.production and config.audit.log_retention_days < PRODUCTION_AUDIT_RETENTION_DAYS:
        yield "audit.log_retention_days", f"a production environment keeps audit logs at least 7 years; use {PRODUCTION_AUDIT_RETENTION_DAYS} or more"


def production_locks_audit_logs(config: EnvironmentConfig) -> Iterator[Finding]:
    """Production keeps its audit logs under S3 Object Lock."""
    if config.production and config.audit.object_lock == "off":
        yield "audit.object_lock", (
            'a production environment keeps its audit logs under Object Lock; use "compliance" (the default) or '
            '"governance", or set production = false if this is not production'
        )


def compliance_lock_keeps_bucket_contents(config: EnvironmentConfig) -> Iterator[Finding]:
    """Compliance-mode Object Lock is not combined with buckets a destroy empties: no one can delete a locked
    log file before its retention ends, so the destroy would fail on the audit bucket."""
    if config.audit.object_lock == "compliance" and not config.protections.keep_bucket_contents:
        yield "audit.object_lock", (
            "compliance mode locks every audit log file for audit.log_retention_days, and no one can delete it before, "
            "so a destroy cannot empty the audit bucket as protections.keep_bucket_contents = false asks; "
            'use "governance" (a destroy bypasses it) or "off", or keep the bucket contents'
        )


def storage_ceiling_above_allocation(config: EnvironmentConfig) -> Iterator[Finding]:
    """The database's storage autoscaling ceiling is not below its allocation."""
    database = config.database
    if database.max_allocated_storage_gb < database.allocated_storage_gb:
        yield "database.max_allocated_storage_gb", f"{database.max_allocated_storage_gb} is below allocated_storage_gb ({database.allocated_storage_gb}); raise it"


def backup_clear_of_maintenance(config: EnvironmentConfig) -> Iterator[Finding]:
    """The daily backup window never overlaps the weekly maintenance window."""
    database = config.database
    overlap = windows_overlap(database.backup_window, database.maintenance_window)
    if overlap:
        yield "database.backup_window", f"{database.backup_window} overlaps the maintenance window {database.maintenance_window} on {overlap}; move one of them"


def windows_long_enough(config: EnvironmentConfig) -> Iterator[Finding]:
    """The backup and maintenance windows are each at least the 30 minutes RDS requires."""
    database = config.database
    for field, window in (("backup_window", database.backup_window), ("maintenance_window", database.maintenance_window)):
        if window_minutes(window) < MINIMUM_RDS_WINDOW_MINUTES:
            yield f"database.{field}", f"{window} is shorter than the 30 minutes RDS requires; widen it"


def database_engine_in_standard_support(config: EnvironmentConfig) -> Iterator[Finding]:
    """A MySQL major past RDS standard support runs only with ``accept_extended_support = true``,
    and that flag is refused where it accepts nothing (so it cannot linger into the next major)."""
    database = config.database
    major = database.major_version
    supported = MYSQL_MAJOR_VERSIONS[-1]
    ended = MYSQL_STANDARD_SUPPORT_ENDED.get(major)
    if ended and not database.accept_extended_support:
        yield "database.engine_version", (
            f"{database.engine_version!r}: RDS standard support for MySQL {major} ended on {ended}; from then on "
            f"RDS runs it only under paid Extended Support. Upgrade to MySQL {supported} (set engine_version = "
            f'"{supported}", or remove the line: {supported} is the default), or, to stay on {major} and pay for '
            "Extended Support on purpose, set accept_extended_support = true in [database]"
        )
    elif not ended and database.accept_extended_support:
        yield "database.accept_extended_support", (
            f"MySQL {major} is in RDS standard support, so there is no Extended Support to accept; remove the line"
        )


def production_database_multi_az(config: EnvironmentConfig) -> Iterator[Finding]:
    """A production database has a standby in a second AZ."""
    if config.production and not config.database.multi_az:
        yield "database.multi_az", "a production database runs in two AZs; set it to true, or production = false"


def production_keeps_backups_two_weeks(config: EnvironmentConfig) -> Iterator[Finding]:
    """A production database keeps its backups at least two weeks."""
    if config.production and config.database.backup_retention_days < PRODUCTION_BACKUP_RETENTION_DAYS:
        yield "database.backup_retention_days", f"a production database keeps backups at least {PRODUCTION_BACKUP_RETENTION_DAYS} days"


def backup_window_clear_of_the_database(config: EnvironmentConfig) -> Iterator[Finding]:
    """AWS Backup's start window is at least the 60 minutes AWS Backup requires, and clear of the database's own
    backup window and of its maintenance window and the hour before it (when AWS Backup starts no RDS backup)."""
    window, database = config.backup.window, config.database
    if window_minutes(window) < MINIMUM_BACKUP_START_WINDOW_MINUTES:
        yield "backup.window", f"{window} is shorter than the {MINIMUM_BACKUP_START_WINDOW_MINUTES} minutes AWS Backup requires; widen it"
    if windows_overlap(window, database.backup_window):
        yield "backup.window", f"{window} overlaps the database's backup window {database.backup_window}; move one of them"
    day = windows_overlap(window, database.maintenance_window, lead_minutes=RDS_BACKUP_QUIET_MINUTES)
    if day:
        yield "backup.window", (
            f"{window} overlaps, on {day}, the database's maintenance window {database.maintenance_window} or the hour "
            "before it, when AWS Backup starts no RDS backup; move one of them"
        )


def weekly_backups_outlive_daily_ones(config: EnvironmentConfig) -> Iterator[Finding]:
    """A weekly recovery point is kept at least as long as a daily one."""
    backup = config.backup
    if backup.weekly_retention_days < backup.daily_retention_days:
        yield "backup.weekly_retention_days", (
            f"{backup.weekly_retention_days} is below daily_retention_days ({backup.daily_retention_days}); keep weekly backups at least as long"
        )


def vault_lock_admits_every_rule(config: EnvironmentConfig) -> Iterator[Finding]:
    """With the vault lock on, every rule's retention (and so every copy's) lies between the lock's minimum and maximum,
    or AWS Backup refuses the job; with it off, the lock's settings are not set (they would lie unused)."""
    backup = config.backup
    lock_fields = ("lock_min_retention_days", "lock_max_retention_days", "lock_changeable_for_days")
    if not backup.vault_lock:
        for name in sorted(backup.model_fields_set.intersection(lock_fields)):
            yield f"backup.{name}", "vault_lock = false does not use it; remove it, or turn the lock on"
        return
    low, high = backup.lock_min_retention_days, backup.lock_max_retention_days
    if low > high:
        yield "backup.lock_min_retention_days", f"{low} is above lock_max_retention_days ({high}); lower it"
        return
    for rule, days in backup.retentions.items():
        if not low <= days <= high:
            yield f"backup.{rule}_retention_days", (
                f"{days} is outside the vault lock's {low}-{high} days (lock_min_retention_days, lock_max_retention_days), "
                "so AWS Backup would refuse the rule's jobs; change one of them"
            )


def backup_copy_goes_elsewhere(config: EnvironmentConfig) -> Iterator[Finding]:
    """A copy of the recovery points goes to another region than the environment's."""
    if config.backup.copy_to_region == config.region:
        yield "backup.copy_to_region", f"{config.region} is the environment's own region; name a second region, or remove it"


def production_locks_its_backups(config: EnvironmentConfig) -> Iterator[Finding]:
    """A production environment locks its backup vault, and keeps daily recovery points at least two weeks."""
    if not config.production:
        return
    if not config.backup.vault_lock:
        yield "backup.vault_lock", "a production environment locks its backup vault; set it to true, or production = false"
    if config.backup.daily_retention_days < PRODUCTION_BACKUP_RETENTION_DAYS:
        yield "backup.daily_retention_days", f"a production environment keeps its daily backups at least {PRODUCTION_BACKUP_RETENTION_DAYS} days"


def ami_id_or_parameter(config: EnvironmentConfig) -> Iterator[Finding]:
    """The servers' AMI is pinned (``ami_id``) or looked up (``ami_parameter``), not both."""
    if config.compute.ami_id is not None and "ami_parameter" in config.compute.model_fields_set:
        yield "compute.ami_id", "set either ami_id or ami_parameter, not both"


def burst_admits_one_second(config: EnvironmentConfig) -> Iterator[Finding]:
    """The API's burst limit admits at least one second of its steady rate."""
    api = config.api
    if api.throttle_burst_limit < api.throttle_rate_limit:
        yield "api.throttle_burst_limit", f"{api.throttle_burst_limit} is below throttle_rate_limit ({api.throttle_rate_limit}); a burst must admit at least one second of traffic"


def cors_origins_listed_once(config: EnvironmentConfig) -> Iterator[Finding]:
    """No CORS origin is listed twice."""
    origins = config.api.cors_allowed_origins
    if len(set(origins)) != len(origins):
        yield "api.cors_allowed_origins", "an origin is listed twice; list each once"


def authorizer_names_its_callers(config: EnvironmentConfig) -> Iterator[Finding]:
    """The API's authorizer has callers to admit (principals for ``iam``, user pools for ``cognito``), each listed
    once, and no list of the other authorizer lingers unused."""
    api = config.api
    wanted, unused = ("invoke_principals", "cognito_user_pool_arns") if api.authorizer == "iam" else ("cognito_user_pool_arns", "invoke_principals")
    callers = getattr(api, wanted)
    if not callers:
        yield f"api.{wanted}", f'authorizer "{api.authorizer}" admits nobody without it; list at least one'
    elif len(set(callers)) != len(callers):
        yield f"api.{wanted}", "an entry is listed twice; list each once"
    if getattr(api, unused):
        yield f"api.{unused}", f'authorizer "{api.authorizer}" does not use it; remove it, or set authorizer to the one that does'


def production_keeps_protections(config: EnvironmentConfig) -> Iterator[Finding]:
    """A production environment turns no protection off."""
    if config.production:
        for name in config.protections.relaxed():
            yield f"protections.{name}", (
                "a production environment may not turn this protection off; set it to true, "
                "or set production = false if this is not production"
            )


RULES: tuple[Rule, ...] = (
    availability_zones_fit_region,
    subnet_sizes_fit_vpc,
    allow_list_apart_and_outside_vpc,
    interface_endpoints_listed_once,
    bucket_names_fit_s3,
    environment_tag_is_the_name,
    data_transitions_in_order,
    storage_classes_listed_once,
    production_keeps_audit_seven_years,
    production_locks_audit_logs,
    compliance_lock_keeps_bucket_contents,
    storage_ceiling_above_allocation,
    backup_clear_of_maintenance,
    windows_long_enough,
    database_engine_in_standard_support,
    production_database_multi_az,
    production_keeps_backups_two_weeks,
    backup_window_clear_of_the_database,
    weekly_backups_outlive_daily_ones,
    vault_lock_admits_every_rule,
    backup_copy_goes_elsewhere,
    production_locks_its_backups,
    ami_id_or_parameter,
    burst_admits_one_second,
    cors_origins_listed_once,
    authorizer_names_its_callers,
    production_keeps_protections,
)
"""Every cross-field rule, in the order the loader runs them and lists their problems."""


def rule_findings(config: EnvironmentConfig) -> list[Finding]:
    """Every finding of every rule, in :data:`RULES` order."""
    return [finding for rule in RULES for finding in rule(config)]
