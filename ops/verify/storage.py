"""Data-lake checks: each bucket's versioning, key, public-access block, policy, logging and events, and the data
bucket's request metrics."""

from __future__ import annotations

from ops.verify import CheckFailed, VerifyContext, buckets, expect
from platform_core.conventions import BUCKET_METRICS_FILTER

KEY_OF = {"data": "data", "access-logs": "logs", "audit": "audit"}


def _each(ctx: VerifyContext):
    s3 = ctx.client("s3")
    for purpose in KEY_OF:
        yield purpose, s3, ctx.bucket_name(purpose)


def versioned(ctx: VerifyContext) -> None:
    for _, s3, bucket in _each(ctx):
        buckets.versioned(s3, bucket)


def encrypted_with_the_right_key(ctx: VerifyContext) -> str:
    for purpose, s3, bucket in _each(ctx):
        key = buckets.kms_encryption(s3, bucket)
        expected = ctx.key_arn(KEY_OF[purpose])
        expect(key in (expected, expected.rsplit("/", 1)[-1]), f"{bucket} uses {key}, expected the {KEY_OF[purpose]} key")
    return "data/data, access-logs/logs, audit/audit"


def public_access_blocked(ctx: VerifyContext) -> None:
    for _, s3, bucket in _each(ctx):
        buckets.public_access_blocked(s3, bucket)


def policies(ctx: VerifyContext) -> None:
    for purpose, s3, bucket in _each(ctx):
        policy = buckets.tls_only(s3, bucket)
        services = {p for s in policy["Statement"] for p in _services(s)}
        expected = {"access-logs": {"logging.s3.amazonaws.com"}, "audit": {"cloudtrail.amazonaws.com"}, "data": set()}
        expect(services == expected[purpose], f"{bucket} admits services {services}")


def _services(statement: dict) -> list[str]:
    service = statement.get("Principal", {}).get("Service", []) if isinstance(statement.get("Principal"), dict) else []
    return [service] if isinstance(service, str) else list(service)


def owner_enforced(ctx: VerifyContext) -> None:
    for _, s3, bucket in _each(ctx):
        buckets.owner_enforced(s3, bucket)


def access_logging(ctx: VerifyContext) -> None:
    target = ctx.bucket_name("access-logs")
    for purpose, s3, bucket in _each(ctx):
        enabled = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
        if purpose == "access-logs":
            expect(enabled is None, f"{bucket} logs into itself")
            continue
        expect(enabled is not None, f"{bucket} has no server access logging")
        expect(enabled["TargetBucket"] == target and enabled["TargetPrefix"] == f"{purpose}/", f"{bucket} logs to {enabled}")


def lifecycle(ctx: VerifyContext) -> None:
    storage = ctx.config.storage
    for purpose, s3, bucket in _each(ctx):
        (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        expect(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7, f"{bucket}: multipart uploads linger")
        noncurrent = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        expect(noncurrent == storage.noncurrent_version_expiration_days, f"{bucket}: noncurrent versions kept {noncurrent} days")
        if purpose == "access-logs":
            expect(rule["Expiration"]["Days"] == storage.log_expiration_days, f"{bucket}: logs expire after {rule.get('Expiration')}")
        if purpose == "data":
            found = [(t["Days"], t["StorageClass"]) for t in rule.get("Transitions", [])]
            wanted = [(t.days, t.storage_class) for t in storage.data_transitions]
            expect(found == wanted, f"{bucket}: transitions {found}, expected {wanted}")


def event_notifications(ctx: VerifyContext) -> None:
    topic = ctx.topic_arn()
    for _, s3, bucket in _each(ctx):
        topics = s3.get_bucket_notification_configuration(Bucket=bucket).get("TopicConfigurations", [])
        expect(len(topics) == 1 and topics[0]["TopicArn"] == topic, f"{bucket} notifies {topics}")
        expect("s3:ObjectRemoved:*" in topics[0]["Events"], f"{bucket} does not report deletions")


def request_metrics(ctx: VerifyContext) -> str:
    bucket = ctx.bucket_name("data")
    s3 = ctx.client("s3")
    try:
        found = s3.get_bucket_metrics_configuration(Bucket=bucket, Id=BUCKET_METRICS_FILTER)["MetricsConfiguration"]
    except s3.exceptions.ClientError as error:
        raise CheckFailed(f"{bucket} has no request-metrics configuration {BUCKET_METRICS_FILTER}: {error.response['Error']['Code']}") from error
    expect(found == {"Id": BUCKET_METRICS_FILTER}, f"{bucket}: request metrics {found}, expected the whole bucket (no filter)")
    return f"{bucket}: {BUCKET_METRICS_FILTER}"


CHECKS = [
    ("storage", "data-lake buckets are versioned", versioned),
    ("storage", "data-lake buckets use SSE-KMS with their purpose's key and the bucket key", encrypted_with_the_right_key),
    ("storage", "data-lake buckets block all public access", public_access_blocked),
    ("storage", "data-lake bucket policies deny non-TLS and admit only their log-writing service", policies),
    ("storage", "data-lake buckets are owner-enforced (ACLs off)", owner_enforced),
    ("storage", "data and audit buckets log requests to the access-logs bucket", access_logging),
    ("storage", "lifecycle: multipart cleanup, noncurrent expiry, log expiry, data transitions", lifecycle),
    ("storage", "deletions are published to the alarm topic", event_notifications),
    ("storage", "the data bucket publishes request metrics for the whole bucket", request_metrics),
]
