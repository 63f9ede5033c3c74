"""Audit checks: the trail's settings and logging status, the audit bucket's Object Lock, and the CIS metric filters and alarms."""

from __future__ import annotations

from ops.verify import VerifyContext, buckets, expect
from platform_core.cis_catalogue import CIS_CHECK_IDS
from platform_core.conventions import FUNCTION_PURPOSE, INSIGHT_TYPES
from platform_core.naming import state_bucket_names


def _trail(ctx: VerifyContext) -> dict:
    trails = ctx.client("cloudtrail").describe_trails(trailNameList=[ctx.names.name("trail")])["trailList"]
    expect(len(trails) == 1, f"{len(trails)} trails named {ctx.names.name('trail')}")
    return trails[0]


def trail_settings(ctx: VerifyContext) -> str:
    trail = _trail(ctx)
    expect(trail["IsMultiRegionTrail"], "the trail is single-region")
    expect(trail["IncludeGlobalServiceEvents"], "the trail misses global service events")
    expect(trail["LogFileValidationEnabled"], "log-file validation is off")
    expect(trail["S3BucketName"] == ctx.bucket_name("audit"), f"the trail delivers to {trail['S3BucketName']}")
    expect(trail.get("KmsKeyId") == ctx.key_arn("audit"), f"the trail is encrypted with {trail.get('KmsKeyId')}")
    expect(trail.get("CloudWatchLogsLogGroupArn", "").endswith(f"log-group:{ctx.names.log_group('cloudtrail')}:*"), "the trail does not feed its log group")
    return trail["TrailARN"]


def trail_is_logging(ctx: VerifyContext) -> None:
    status = ctx.client("cloudtrail").get_trail_status(Name=ctx.names.name("trail"))
    expect(status["IsLogging"], "the trail is not logging")


def _audited_buckets(ctx: VerifyContext) -> list[str]:
    """Every bucket of the environment but the trail's own (the audit bucket), then the state bucket and its log bucket."""
    return [ctx.bucket_name("data"), ctx.bucket_name("access-logs"), *state_bucket_names(ctx.config.state.bucket)]


def data_events(ctx: VerifyContext) -> str:
    selectors = ctx.client("cloudtrail").get_event_selectors(TrailName=ctx.names.name("trail")).get("EventSelectors", [])
    values = {kind: [v for s in selectors if s.get("ReadWriteType") == "All" for r in s.get("DataResources", []) if r["Type"] == kind for v in r["Values"]] for kind in ("AWS::S3::Object", "AWS::Lambda::Function")}
    buckets = sorted(f"arn:aws:s3:::{bucket}/" for bucket in _audited_buckets(ctx))
    expect(sorted(values["AWS::S3::Object"]) == buckets, f"S3 data events (read and write) cover {values['AWS::S3::Object']}, not {buckets}")
    expect(f"arn:aws:s3:::{ctx.bucket_name('audit')}/" not in values["AWS::S3::Object"], "the trail records its own bucket (a loop)")
    function = f"arn:aws:lambda:{ctx.config.region}:{ctx.account_id}:function:{ctx.names.function(FUNCTION_PURPOSE)}"
    expect(values["AWS::Lambda::Function"] == [function], f"Lambda data events cover {values['AWS::Lambda::Function']}, not {[function]}")
    return f"{len(buckets)} buckets, 1 function"


def insights(ctx: VerifyContext) -> str:
    answer = ctx.client("cloudtrail").get_insight_selectors(TrailName=ctx.names.name("trail"))
    found = sorted(s["InsightType"] for s in answer.get("InsightSelectors", []))
    wanted = sorted(INSIGHT_TYPES) if ctx.config.audit.insights else []
    expect(found == wanted, f"Insights selectors are {found}, expected {wanted}")
    return ", ".join(found) or "off (audit.insights = false)"


def log_group(ctx: VerifyContext) -> str:
    name = ctx.names.log_group("cloudtrail")
    groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    expect(len(groups) == 1 and groups[0].get("kmsKeyId"), f"{name} missing or unencrypted")
    retention = groups[0].get("retentionInDays")
    expect(retention == ctx.config.audit.log_retention_days, f"{name} keeps {retention} days")
    return f"{name}, {retention} days"


def object_lock(ctx: VerifyContext) -> str:
    bucket = ctx.bucket_name("audit")
    audit = ctx.config.audit
    found = buckets.default_retention(ctx.client("s3"), bucket)
    wanted = None if audit.object_lock == "off" else (audit.object_lock.upper(), audit.log_retention_days)
    expect(found == wanted, f"{bucket}: Object Lock default retention is {_retention(found)}, expected {_retention(wanted)}")
    return f"{bucket}: {_retention(found)}" if found else f'off (audit.object_lock = "{audit.object_lock}")'


def _retention(retention: tuple[str, int | None] | None) -> str:
    return "none" if retention is None else f"{retention[0]} for {retention[1]} days"


def cis_filters_and_alarms(ctx: VerifyContext) -> str:
    name = ctx.names.log_group("cloudtrail")
    filters = ctx.client("logs").describe_metric_filters(logGroupName=name)["metricFilters"]
    found = {f["filterName"] for f in filters}
    wanted = {ctx.names.name(check) for check in CIS_CHECK_IDS}
    expect(found == wanted, f"metric filters missing: {sorted(wanted - found)}")
    alarms = ctx.client("cloudwatch").describe_alarms(AlarmNamePrefix=ctx.names.name("cis-").rsplit("-", 1)[0])["MetricAlarms"]
    topic = ctx.topic_arn()
    cis = [a for a in alarms if a["AlarmName"] in {ctx.names.name(f"cis-{c}") for c in CIS_CHECK_IDS}]
    expect(len(cis) == len(CIS_CHECK_IDS), f"{len(cis)} CIS alarms, expected {len(CIS_CHECK_IDS)}")
    expect(all(a["AlarmActions"] == [topic] for a in cis), "a CIS alarm does not publish to the alarm topic")
    return f"{len(filters)} filters, {len(cis)} alarms"


def alarm_topic_encrypted(ctx: VerifyContext) -> None:
    topic = ctx.topic_arn()
    attributes = ctx.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    expect(attributes.get("KmsMasterKeyId") == ctx.key_arn("logs"), f"the alarm topic is encrypted with {attributes.get('KmsMasterKeyId')}")


CHECKS = [
    ("audit", "trail: multi-region, global events, log-file validation, audit key, audit bucket, log group", trail_settings),
    ("audit", "trail is logging", trail_is_logging),
    ("audit", "trail records S3 data events of every bucket but its own and of the state buckets, and Lambda invokes", data_events),
    ("audit", "trail runs CloudTrail Insights (API call and error rates) as audit.insights says", insights),
    ("audit", "trail log group is encrypted with the configured retention", log_group),
    ("audit", "the audit bucket locks its files under Object Lock as audit.object_lock says, for the audit retention", object_lock),
    ("audit", "CIS metric filters and alarms exist and publish to the alarm topic", cis_filters_and_alarms),
    ("audit", "the alarm topic is encrypted with the logs key", alarm_topic_encrypted),
]
