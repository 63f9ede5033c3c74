"""CIS AWS Foundations monitoring (v3.0.0, 4.1-4.15): a metric filter and an alarm per risky event in the trail's logs.

Each check of :data:`platform_core.cis_catalogue.CIS_CHECKS` becomes one
CloudWatch Logs metric filter on the trail's log group and one alarm that fires
on the first match in five minutes, publishing to the alarm topic. The alarm's
description starts with the check's CIS id, so a notification says which control fired,
and ends with its runbook, ``docs/runbooks/alarms/cis-<cis id>-<id>.md``.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.context import PlatformContext
from platform_core.cis_catalogue import CIS_CHECKS
from synth_runtime.provider_bindings import aws


class CisAlarms(Construct):
    """One metric filter and one alarm per :data:`CIS_CHECKS` entry, on the trail's log group ``log_group_name``."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, log_group_name: str) -> None:
        super().__init__(scope, construct_id)
        names = ctx.names
        namespace = f"{names.project}/{names.environment}/CIS"
        self.alarms = {}
        for check in CIS_CHECKS:
            aws.cloudwatch_log_metric_filter.CloudwatchLogMetricFilter(
                self,
                f"{check.id}-filter",
                name=names.name(check.id),
                log_group_name=log_group_name,
                pattern=check.pattern,
                metric_transformation=aws.cloudwatch_log_metric_filter.CloudwatchLogMetricFilterMetricTransformation(
                    name=check.id, namespace=namespace, value="1"
                ),
            )
            self.alarms[check.id] = metric_alarm(
                self,
                f"{check.id}-alarm",
                ctx,
                AlarmSpec(
                    purpose=f"cis-{check.id}",
                    description=f"CIS {check.cis_id}: {check.title} in {names.environment}",
                    runbook=check.runbook,
                    namespace=namespace,
                    metric=check.id,
                    statistic="Sum",
                    threshold=1,
                    notify_ok=False,
                ),
            )
