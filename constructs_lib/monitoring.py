"""Monitoring: the alarm topic every alarm and notification goes to, and the environment's dashboard.

:class:`AlarmTopic` is a KMS-encrypted SNS topic whose policy lets exactly five
services publish, each only for this account and its own sources: CloudWatch
alarms, the data lake's buckets (event notifications), RDS (the database's
event subscriptions, ``constructs_lib/database_events.py``), AWS Backup (the backup
vaults' notifications) and EventBridge (the rule for failed backup jobs,
``constructs_lib/backups.py``). Publishing without TLS is denied. The
configured email addresses are subscribed to it.

:class:`Dashboard` shows the database's and the app servers' health, the items
table's throttled requests and system errors per operation, the data bucket's
client and server errors, and a Logs Insights view over the application and
flow logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from cdktf import Fn
from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from platform_core.conventions import BUCKET_METRICS_FILTER
from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class AlarmTopicProps:
    """The topic's key, the buckets that may publish to it, and who is subscribed."""

    kms_key_arn: str
    publishing_bucket_arns: Sequence[str]
    """Buckets whose event notifications publish to the topic."""
    database_event_source_arns: Sequence[str]
    """RDS resources (the instance, its parameter groups) whose events publish to the topic."""
    alarm_emails: Sequence[str]
    """Addresses subscribed to the topic (``monitoring.alarm_emails``)."""
    backup_vault_arns: Sequence[str]
    """Backup vaults whose notifications publish to the topic."""
    backup_event_rule_arn: str
    """The EventBridge rule that sends failed backup, copy and restore jobs to the topic."""


class AlarmTopic(Construct):
    """``<project>-alarms-<env>``: encrypted, published to by CloudWatch alarms, the data-lake buckets, the database's RDS
    events, the backup vaults and the backup-failures rule only."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: AlarmTopicProps) -> None:
        super().__init__(scope, construct_id)
        name = where.names.name("alarms")
        arn = where.arn("sns", name)
        account = [("StringEquals", "aws:SourceAccount", [where.account_id])]
        self.topic = aws.sns_topic.SnsTopic(
            self, "topic", name=name, kms_master_key_id=props.kms_key_arn, tags={"Name": name}
        )
        self.policy = aws.sns_topic_policy.SnsTopicPolicy(
            self,
            "policy",
            arn=self.topic.arn,
            policy=policy_document(
                self,
                "policy-document",
                [
                    statement(
                        "CloudWatchAlarmsPublish",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["cloudwatch.amazonaws.com"]},
                        conditions=[
                            *account,
                            (
                                "ArnLike",
                                "aws:SourceArn",
                                [where.arn("cloudwatch", "alarm:*")],
                            ),
                        ],
                    ),
                    statement(
                        "DataLakeBucketsPublishEvents",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["s3.amazonaws.com"]},
                        conditions=[*account, ("ArnLike", "aws:SourceArn", list(props.publishing_bucket_arns))],
                    ),
                    statement(
                        "DatabaseEventsPublish",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["events.rds.amazonaws.com"]},
                        conditions=[*account, ("ArnLike", "aws:SourceArn", list(props.database_event_source_arns))],
                    ),
                    statement(
                        "BackupVaultsPublish",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["backup.amazonaws.com"]},
                        conditions=[*account, ("ArnLike", "aws:SourceArn", list(props.backup_vault_arns))],
                    ),
                    statement(
                        "BackupFailuresRulePublishes",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["events.amazonaws.com"]},
                        conditions=[*account, ("ArnEquals", "aws:SourceArn", [props.backup_event_rule_arn])],
                    ),
                    statement(
                        "DenyPublishWithoutTls",
                        effect="Deny",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"AWS": ["*"]},
                        conditions=[("Bool", "aws:SecureTransport", ["false"])],
                    ),
                ],
            ),
        )

        for index, address in enumerate(props.alarm_emails):
            aws.sns_topic_subscription.SnsTopicSubscription(
                self, f"email-{index}", topic_arn=self.topic.arn, protocol="email", endpoint=address
            )

    @cached_property
    def arn(self) -> str:
        return self.topic.arn


@dataclass(frozen=True)
class DashboardProps:
    """What the dashboard shows: the database, the app servers, the items table, the data bucket and the log groups."""

    database_identifier: str
    multi_az: bool
    """The database runs a standby (``database.multi_az``), so its replica lag is shown."""
    instance_ids: Mapping[str, str]
    """App server ids keyed by their slug (``a-1``)."""
    table_name: str
    table_operations: Sequence[str]
    """The DynamoDB operations the function calls; the table's metrics are shown per operation."""
    data_bucket_name: str
    """The bucket whose whole-bucket request metrics (``BUCKET_METRICS_FILTER``) are shown."""
    log_group_names: Sequence[str]


WIDTH = 12
HEIGHT = 6


class Dashboard(Construct):
    """``<project>-platform-<env>``: database, app-server, items-table and data-bucket metrics, and the logs."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: DashboardProps) -> None:
        super().__init__(scope, construct_id)
        region = where.region
        database = {"DBInstanceIdentifier": props.database_identifier}
        database_metrics = ["CPUUtilization", "FreeStorageSpace", "DatabaseConnections"]
        if props.multi_az:
            database_metrics.append("ReplicaLag")
        widgets = [
            self._metric_widget(f"Database {metric}", "AWS/RDS", metric, [database], region)
            for metric in database_metrics
        ]
        servers = [{"InstanceId": instance_id} for instance_id in props.instance_ids.values()]
        widgets += [
            self._metric_widget("App servers CPUUtilization", "AWS/EC2", "CPUUtilization", servers, region),
            self._metric_widget("App servers StatusCheckFailed", "AWS/EC2", "StatusCheckFailed", servers, region, stat="Maximum"),
        ]
        operations = [{"TableName": props.table_name, "Operation": operation} for operation in props.table_operations]
        widgets += [
            self._metric_widget(f"Items table {metric}", "AWS/DynamoDB", metric, operations, region, stat="Sum")
            for metric in ("ThrottledRequests", "SystemErrors")
        ]
        data_bucket = [{"BucketName": props.data_bucket_name, "FilterId": BUCKET_METRICS_FILTER}]
        widgets += [self._metric_widget(f"Data bucket {metric}", "AWS/S3", metric, data_bucket, region, stat="Sum") for metric in ("4xxErrors", "5xxErrors")]
        sources = " | ".join(f"SOURCE '{name}'" for name in props.log_group_names)
        widgets.append(
            {
                "type": "log",
                "properties": {
                    "title": "Application and flow logs",
                    "region": region,
                    "view": "table",
                    "query": f"{sources} | fields @timestamp, @log, @message | sort @timestamp desc | limit 100",
                },
            }
        )
        for index, widget in enumerate(widgets):
            widget.update(x=(index % 2) * WIDTH, y=(index // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self, "dashboard", dashboard_name=where.names.name("platform"), dashboard_body=Fn.jsonencode({"widgets": widgets})
        )

    @cached_property
    def name(self) -> str:
        return self.dashboard.dashboard_name

    @staticmethod
    def _metric_widget(title: str, namespace: str, metric: str, dimension_sets, region: str, stat: str = "Average") -> dict:
        metrics = []
        for dimensions in dimension_sets:
            row: list = [namespace, metric]
            for key, value in dimensions.items():
                row += [key, value]
            metrics.append(row)
        return {
            "type": "metric",
            "properties": {"title": title, "region": region, "stat": stat, "period": 300, "view": "timeSeries", "metrics": metrics},
        }
