"""Monitoring checks: the alarms over the database, the servers, the items table and the data bucket publish to the
topic; the dashboard exists."""

from __future__ import annotations

from ops.verify import VerifyContext, expect
from platform_core.conventions import BUCKET_METRICS_FILTER, TABLE_OPERATIONS

TABLE_ALARMS = {"items-throttles": "ThrottledRequests", "items-system-errors": "SystemErrors"}
"""The items table's alarms, by purpose, and the metric each sums over the operations the function calls."""
BUCKET_ALARMS = {"data-bucket-4xx": "4xxErrors", "data-bucket-5xx": "5xxErrors"}
"""The data bucket's alarms, by purpose, and the request metric each watches."""


def alarms(ctx: VerifyContext) -> str:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{ctx.config.project}-")["MetricAlarms"]
    mine = [a for a in found if a["AlarmName"].endswith(f"-{ctx.config.name}") and a.get("Namespace") in ("AWS/RDS", "AWS/EC2")]
    database = {a["MetricName"] for a in mine if a.get("Namespace") == "AWS/RDS"}
    wanted = {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"} | ({"ReplicaLag"} if ctx.config.database.multi_az else set())
    expect(database == wanted, f"database alarms on {sorted(database)}")
    servers = len(ctx.config.network.availability_zones) * ctx.config.compute.instances_per_az
    ec2 = sorted(a["MetricName"] for a in mine if a.get("Namespace") == "AWS/EC2")
    expect(ec2 == sorted(["CPUUtilization", "StatusCheckFailed"] * servers), f"server alarms {ec2}")
    expect(all(a["AlarmActions"] == [ctx.topic_arn()] for a in mine), "an alarm does not publish to the alarm topic")
    return f"{len(mine)} alarms to {ctx.names.name('alarms')}"


def _summed(alarm: dict) -> tuple[set[tuple[str, tuple[tuple[str, str], ...]]], list[str]]:
    """A metric-math alarm's metrics (name and dimensions) and the expressions whose result it alarms on."""
    queries = alarm.get("Metrics", [])
    metrics = {
        (q["MetricStat"]["Metric"]["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in q["MetricStat"]["Metric"].get("Dimensions", []))))
        for q in queries
        if "MetricStat" in q
    }
    return metrics, [q.get("Expression", "") for q in queries if q.get("ReturnData")]


def table_alarms(ctx: VerifyContext) -> str:
    table = ctx.names.name("items")
    names = [ctx.names.name(purpose) for purpose in TABLE_ALARMS]
    found = {a["AlarmName"]: a for a in ctx.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]}
    for purpose, metric in TABLE_ALARMS.items():
        name = ctx.names.name(purpose)
        expect(name in found, f"no alarm {name}")
        metrics, returned = _summed(found[name])
        wanted = {(metric, tuple(sorted({"TableName": table, "Operation": operation}.items()))) for operation in TABLE_OPERATIONS}
        expect(metrics == wanted, f"{name} watches {sorted(metrics)}, not {metric} of {table} per operation {list(TABLE_OPERATIONS)}")
        expect(len(returned) == 1 and returned[0].startswith("SUM("), f"{name} alarms on {returned}, not on their sum")
        expect(found[name]["AlarmActions"] == [ctx.topic_arn()], f"{name} does not publish to the alarm topic")
    return f"{', '.join(names)}: {' + '.join(TABLE_OPERATIONS)}"


def data_bucket_alarms(ctx: VerifyContext) -> str:
    bucket = ctx.bucket_name("data")
    names = [ctx.names.name(purpose) for purpose in BUCKET_ALARMS]
    found = {a["AlarmName"]: a for a in ctx.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]}
    wanted_dimensions = sorted({"BucketName": bucket, "FilterId": BUCKET_METRICS_FILTER}.items())
    for purpose, metric in BUCKET_ALARMS.items():
        name = ctx.names.name(purpose)
        expect(name in found, f"no alarm {name}")
        alarm = found[name]
        dimensions = sorted((d["Name"], d["Value"]) for d in alarm.get("Dimensions", []))
        watched = (alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Statistic"), dimensions)
        expect(watched == ("AWS/S3", metric, "Sum", wanted_dimensions), f"{name} watches {watched}, not the Sum of {metric} of {bucket}'s {BUCKET_METRICS_FILTER}")
        expect(alarm["AlarmActions"] == [ctx.topic_arn()], f"{name} does not publish to the alarm topic")
    return ", ".join(names)


def subscriptions(ctx: VerifyContext) -> None:
    found = ctx.client("sns").list_subscriptions_by_topic(TopicArn=ctx.topic_arn())["Subscriptions"]
    emails = sorted(s["Endpoint"] for s in found if s["Protocol"] == "email")
    expect(emails == sorted(ctx.config.monitoring.alarm_emails), f"subscribed {emails}")


def dashboard(ctx: VerifyContext) -> None:
    body = ctx.client("cloudwatch").get_dashboard(DashboardName=ctx.names.name("platform"))["DashboardBody"]
    sections = ("AWS/RDS", "AWS/EC2", "AWS/DynamoDB", "AWS/S3", ctx.names.log_group("app"))
    expect(all(section in body for section in sections), f"the dashboard misses a section: {[s for s in sections if s not in body]}")


CHECKS = [
    ("monitoring", "database and app-server alarms publish to the alarm topic", alarms),
    ("monitoring", "the items table's throttle and system-error alarms sum the function's operations and publish to the alarm topic", table_alarms),
    ("monitoring", "the data bucket's 4xx and 5xx alarms watch its whole-bucket request metrics and publish to the alarm topic", data_bucket_alarms),
    ("monitoring", "the configured emails are subscribed to the alarm topic", subscriptions),
    ("monitoring", "the dashboard shows the database, the servers, the items table, the data bucket and the logs", dashboard),
]
