"""The alarm helper: a metric-math sum is built only from what it can sum, within CloudWatch's limit."""

from __future__ import annotations

import pytest

from constructs_lib.alarms import METRIC_MATH_LIMIT, AlarmSpec, metric_arguments

SUMMED = AlarmSpec(
    purpose="items-throttles", description="d", runbook="items-table-throttles", namespace="AWS/DynamoDB", metric="ThrottledRequests",
    threshold=1, statistic="Sum", summed_over=[{"TableName": "t", "Operation": "GetItem"}, {"TableName": "t", "Operation": "PutItem"}],
)


def test_a_single_metric_alarm_names_its_metric_and_a_summed_one_only_queries():
    single = metric_arguments(AlarmSpec(purpose="p", description="d", runbook="r", namespace="AWS/S3", metric="5xxErrors", threshold=1, dimensions={"BucketName": "b"}))
    assert (single["namespace"], single["metric_name"], single["dimensions"], single["statistic"], single["period"]) == ("AWS/S3", "5xxErrors", {"BucketName": "b"}, "Average", 300)
    assert list(metric_arguments(SUMMED)) == ["metric_query"]
    assert len(metric_arguments(SUMMED)["metric_query"]) == 3, "one query per set of dimensions, and their sum"


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"dimensions": {"TableName": "t"}}, "takes its dimensions from summed_over and one statistic"),
        ({"statistic": None, "extended_statistic": "p99"}, "takes its dimensions from summed_over and one statistic"),
        ({"summed_over": [{"Operation": str(n)} for n in range(METRIC_MATH_LIMIT + 1)]}, f"sums 11 metrics, CloudWatch takes {METRIC_MATH_LIMIT}"),
    ],
)
def test_a_sum_cloudwatch_would_refuse_is_refused(change, problem):
    from dataclasses import replace

    with pytest.raises(ValueError, match=problem):
        metric_arguments(replace(SUMMED, **change))
