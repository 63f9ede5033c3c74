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

An alarm watches one metric, with one set of dimensions, or, with
``summed_over``, the sum of one metric over several sets of dimensions: a
CloudWatch metric-math alarm, one query per set and ``SUM([...])`` over them.
That is for a metric published only per value of a dimension, such as
DynamoDB's ``ThrottledRequests`` per ``Operation``: CloudWatch adds nothing up
over a dimension left out, so an alarm without it would watch a metric that
never has data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.context import PlatformContext
from synth_runtime.provider_bindings import aws

RUNBOOK_DIRECTORY = "docs/runbooks/alarms"
"""Where the alarms' runbooks live, relative to the repository's root."""
DESCRIPTION_LIMIT = 1024
"""CloudWatch refuses a longer ``AlarmDescription``."""
METRIC_MATH_LIMIT = 10
"""CloudWatch's most metrics in one metric-math alarm."""
SUM_QUERY_ID = "total"


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
    summed_over: Sequence[Mapping[str, str]] = ()
    """Instead of ``dimensions``: watch the sum of ``metric`` (each with ``statistic``) over these sets of
    dimensions, through metric math; see the module docstring."""


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
        **metric_arguments(spec),
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator=spec.comparison,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=[ctx.alarm_topic_arn],
        ok_actions=[ctx.alarm_topic_arn] if spec.notify_ok else None,
        tags={"Name": name},
    )


def metric_arguments(spec: AlarmSpec) -> dict:
    """What the alarm watches, as ``aws_cloudwatch_metric_alarm`` arguments: one metric, or a metric-math sum."""
    return _summed_metric(spec) if spec.summed_over else _single_metric(spec)


def _single_metric(spec: AlarmSpec) -> dict:
    return {
        "namespace": spec.namespace,
        "metric_name": spec.metric,
        "dimensions": dict(spec.dimensions) if spec.dimensions is not None else None,
        "statistic": spec.statistic,
        "extended_statistic": spec.extended_statistic,
        "period": spec.period_seconds,
    }


def _summed_metric(spec: AlarmSpec) -> dict:
    """``metric_query`` blocks: ``m0``, ``m1``... one per set of dimensions, and ``total``, their sum, which alarms."""
    if spec.dimensions is not None or spec.extended_statistic is not None or spec.statistic is None:
        raise ValueError(f"alarm {spec.purpose}: a summed alarm takes its dimensions from summed_over and one statistic")
    if len(spec.summed_over) > METRIC_MATH_LIMIT:
        raise ValueError(f"alarm {spec.purpose}: sums {len(spec.summed_over)} metrics, CloudWatch takes {METRIC_MATH_LIMIT}")
    query = aws.cloudwatch_metric_alarm
    ids = [f"m{index}" for index in range(len(spec.summed_over))]
    metrics = [
        query.CloudwatchMetricAlarmMetricQuery(
            id=query_id,
            return_data=False,
            metric=query.CloudwatchMetricAlarmMetricQueryMetric(
                namespace=spec.namespace,
                metric_name=spec.metric,
                dimensions=dict(dimensions),
                stat=spec.statistic,
                period=spec.period_seconds,
            ),
        )
        for query_id, dimensions in zip(ids, spec.summed_over, strict=True)
    ]
    total = query.CloudwatchMetricAlarmMetricQuery(
        id=SUM_QUERY_ID, expression=f"SUM([{', '.join(ids)}])", label=f"{spec.metric}, summed", return_data=True
    )
    return {"metric_query": [*metrics, total]}
