"""Monitoring checks: the alarms over the database and servers publish to the topic; the dashboard exists."""

from __future__ import annotations

from ops.verify import VerifyContext, expect


def alarms(ctx: VerifyContext) -> str:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{ctx.config.project}-")["MetricAlarms"]
    mine = [a for a in found if a["AlarmName"].endswith(f"-{ctx.config.name}") and a["Namespace"] in ("AWS/RDS", "AWS/EC2")]
    database = {a["MetricName"] for a in mine if a["Namespace"] == "AWS/RDS"}
    wanted = {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"} | ({"ReplicaLag"} if ctx.config.database.multi_az else set())
    expect(database == wanted, f"database alarms on {sorted(database)}")
    servers = len(ctx.config.network.availability_zones) * ctx.config.compute.instances_per_az
    ec2 = sorted(a["MetricName"] for a in mine if a["Namespace"] == "AWS/EC2")
    expect(ec2 == sorted(["CPUUtilization", "StatusCheckFailed"] * servers), f"server alarms {ec2}")
    expect(all(a["AlarmActions"] == [ctx.topic_arn()] for a in mine), "an alarm does not publish to the alarm topic")
    return f"{len(mine)} alarms to {ctx.names.name('alarms')}"


def subscriptions(ctx: VerifyContext) -> None:
    found = ctx.client("sns").list_subscriptions_by_topic(TopicArn=ctx.topic_arn())["Subscriptions"]
    emails = sorted(s["Endpoint"] for s in found if s["Protocol"] == "email")
    expect(emails == sorted(ctx.config.monitoring.alarm_emails), f"subscribed {emails}")


def dashboard(ctx: VerifyContext) -> None:
    body = ctx.client("cloudwatch").get_dashboard(DashboardName=ctx.names.name("platform"))["DashboardBody"]
    expect("AWS/RDS" in body and "AWS/EC2" in body and ctx.names.log_group("app") in body, "the dashboard misses a section")


CHECKS = [
    ("monitoring", "database and app-server alarms publish to the alarm topic", alarms),
    ("monitoring", "the configured emails are subscribed to the alarm topic", subscriptions),
    ("monitoring", "the dashboard shows the database, the servers and the logs", dashboard),
]
