"""CIS AWS Foundations monitoring: a metric filter and an alarm per risky event in the trail's logs.

Each check of :data:`platform_core.cis_catalogue.CIS_CHECKS` becomes one
CloudWatch Logs metric filter on the trail's log group and one alarm that fires
on the first match in five minutes, publishing to the alarm topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.provider_bindings import aws
from platform_core.cis_catalogue import CIS_CHECKS
from platform_core.naming import ResourceNames


@dataclass(frozen=True)
class CisAlarmsProps:
    names: ResourceNames
    log_group_name: str
    alarm_topic_arn: str


class CisAlarms(Construct):
    """One metric filter and one alarm per :data:`CIS_CHECKS` entry."""

    def __init__(self, scope: Construct, construct_id: str, props: CisAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        namespace = f"{props.names.project}/{props.names.environment}/CIS"
        self.alarms = {}
        for check in CIS_CHECKS:
            metric = check.id
            aws.cloudwatch_log_metric_filter.CloudwatchLogMetricFilter(
                self,
                f"{check.id}-filter",
                name=props.names.name(check.id),
                log_group_name=props.log_group_name,
                pattern=check.pattern,
                metric_transformation=aws.cloudwatch_log_metric_filter.CloudwatchLogMetricFilterMetricTransformation(
                    name=metric, namespace=namespace, value="1"
                ),
            )
            self.alarms[check.id] = aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self,
                f"{check.id}-alarm",
                alarm_name=props.names.name(f"cis-{check.id}"),
                alarm_description=f"CIS: {check.title} in {props.names.environment}",
                namespace=namespace,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[props.alarm_topic_arn],
                tags={"Name": props.names.name(f"cis-{check.id}")},
            )
