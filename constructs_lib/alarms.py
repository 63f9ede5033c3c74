"""One helper for every CloudWatch metric alarm the platform creates.

Every alarm is named ``<project>-<purpose>-<env>``, tagged with its name and
published to the environment's alarm topic; by default it also reports its
return to OK. The defaults are the shape most of the platform's alarms share:
five-minute periods, firing at or above the threshold, missing data not
breaching.

Every alarm names its runbook: the description ends with
``Runbook: docs/runbooks/alarms/<runbook>.md``, one runbook per kind of alarm
(``database-cpu``, not one per environment or server), so the notification says
where to start. ``tests/unit/test_alarm_runbooks.py`` checks that every alarm's
runbook exists and every runbook has an alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.context import PlatformContext
from synth_runtime.provider_bindings import aws

RUNBOOK_DIRECTORY = "docs/runbooks/alarms"
"""Where the alarms' runbooks live, relative to the repository's root."""
DESCRIPTION_LIMIT = 1024
"""CloudWatch refuses a longer ``AlarmDescription``."""


@dataclass(frozen=True)
class AlarmSpec:
    """What one alarm watches and when it fires."""

    purpose: str
    """Goes into the name: ``<project>-<purpose>-<env>``."""
    description: str
    """What it watches, for the notification; the runbook's path is appended."""
    runbook: str
    """The runbook's name, ``docs/runbooks/alarms/<runbook>.md``: one per kind of alarm, never naming the
    environment or a server (``database-cpu``, ``app-server-cpu``)."""
    namespace: str
    metric: str
    threshold: float
    dimensions: Mapping[str, str] | None = None
    statistic: str | None = "Average"
    extended_statistic: str | None = None
    """A percentile such as ``p99``, instead of ``statistic``."""
    evaluation_periods: int = 1
    period_seconds: int = 300
    comparison: str = "GreaterThanOrEqualToThreshold"
    treat_missing_data: str = "notBreaching"
    notify_ok: bool = True
    """Also publish when the alarm returns to OK."""


def runbook_path(runbook: str) -> str:
    """``docs/runbooks/alarms/<runbook>.md``: the repository-relative path an alarm's description ends with."""
    return f"{RUNBOOK_DIRECTORY}/{runbook}.md"


def alarm_description(spec: AlarmSpec) -> str:
    """What the alarm watches, then its runbook: ``<description>. Runbook: docs/runbooks/alarms/<runbook>.md``."""
    text = f"{spec.description.rstrip('.')}. Runbook: {runbook_path(spec.runbook)}"
    if len(text) > DESCRIPTION_LIMIT:
        raise ValueError(f"alarm {spec.purpose}: the description is {len(text)} characters, CloudWatch takes {DESCRIPTION_LIMIT}")
    return text


def metric_alarm(scope: Construct, construct_id: str, ctx: PlatformContext, spec: AlarmSpec):
    """An ``aws_cloudwatch_metric_alarm`` publishing to the alarm topic."""
    name = ctx.names.name(spec.purpose)
    return aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=alarm_description(spec),
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions=dict(spec.dimensions) if spec.dimensions is not None else None,
        statistic=spec.statistic,
        extended_statistic=spec.extended_statistic,
        period=spec.period_seconds,
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator=spec.comparison,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=[ctx.alarm_topic_arn],
        ok_actions=[ctx.alarm_topic_arn] if spec.notify_ok else None,
        tags={"Name": name},
    )
