"""S3 request metrics for one bucket, and alarms on its client and server errors.

S3 publishes a bucket's request metrics (``AllRequests``, ``4xxErrors``,
``5xxErrors``, the latencies...) to CloudWatch only while the bucket has a
metrics configuration; its free daily storage metrics say nothing about
failing requests. :class:`BucketRequestAlarms` creates an
``aws_s3_bucket_metric`` without a filter, so it covers the whole bucket (its
id, ``EntireBucket``, is the metrics' ``FilterId`` dimension), and two alarms
on it, to the alarm topic:

* ``4xxErrors``, summed: at least :data:`CLIENT_ERROR_THRESHOLD` in each of
  :data:`CLIENT_ERROR_PERIODS` five-minute periods in a row. Many 4xx are
  expected: reads of keys that do not exist (404), conditional requests (304 is
  not an error, 412 is), and the requests the bucket policy refuses by design
  (any without TLS). So the alarm asks for a sustained rate, which is a client
  locked out (a key, bucket or endpoint policy changed) or code reading keys
  that are not there, and not for one refusal.
* ``5xxErrors``, summed: at least :data:`SERVER_ERROR_THRESHOLD` in a
  five-minute period. S3 answers an occasional 500, or 503 ``SlowDown`` above
  its request rate per prefix, which the SDKs retry; more than that is S3
  failing the bucket's callers.

CloudWatch bills request metrics as custom metrics (each configuration adds a
bucket's worth of them), which is why only the data bucket, the one the
application uses, has them. The thresholds are constants: no environment needs
others.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.context import PlatformContext
from platform_core.conventions import BUCKET_METRICS_FILTER
from synth_runtime.provider_bindings import aws

CLIENT_ERROR_THRESHOLD = 25
CLIENT_ERROR_PERIODS = 3
SERVER_ERROR_THRESHOLD = 5


@dataclass(frozen=True)
class BucketRequestAlarmsProps:
    """The bucket, and the purpose word its alarms and runbooks are named with (``data``: ``data-bucket-4xx``)."""

    bucket_name: str
    purpose: str


class BucketRequestAlarms(Construct):
    """The bucket's whole-bucket request metrics and its 4xx and 5xx alarms; see the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: BucketRequestAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        self.metrics = aws.s3_bucket_metric.S3BucketMetric(self, "metrics", bucket=props.bucket_name, name=BUCKET_METRICS_FILTER)
        dimensions = {"BucketName": props.bucket_name, "FilterId": BUCKET_METRICS_FILTER}
        slug = f"{props.purpose}-bucket"
        alarms = [
            ("4xx", "4xxErrors", CLIENT_ERROR_THRESHOLD, CLIENT_ERROR_PERIODS, f"client errors (4xx), {CLIENT_ERROR_THRESHOLD} or more in every five minutes for {CLIENT_ERROR_PERIODS * 5} minutes"),
            ("5xx", "5xxErrors", SERVER_ERROR_THRESHOLD, 1, f"server errors (5xx), {SERVER_ERROR_THRESHOLD} or more in five minutes"),
        ]
        for kind, metric, threshold, periods, what in alarms:
            metric_alarm(
                self,
                f"{kind}-alarm",
                ctx,
                AlarmSpec(
                    purpose=f"{slug}-{kind}",
                    description=f"{props.bucket_name}: {what}",
                    runbook=f"{slug}-{kind}",
                    namespace="AWS/S3",
                    metric=metric,
                    dimensions=dimensions,
                    statistic="Sum",
                    threshold=threshold,
                    evaluation_periods=periods,
                ),
            )
