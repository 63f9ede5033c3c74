"""Helpers for the /data handler tests: events, calls, the records a request leaves, exact JSON."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from lambda_src.data_api import handler as data_api

TABLE = "acme-items-test"
BUCKET = "acme-access-logs-test-123456789012"
PREFIX = "lambda/data-api/"
ALLOWED_ORIGIN = "https://app.example.com"
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "TABLE_NAME": TABLE,
    "LOG_BUCKET": BUCKET,
    "LOG_PREFIX": PREFIX,
    "ALLOWED_ORIGINS": ALLOWED_ORIGIN,
}
STATUSES = {200, 201, 400, 404, 405, 413, 415, 500}
INTERNALS = (
    "Traceback",
    "Exception",
    "Error",
    "botocore",
    "boto3",
    "decimal.",
    "Decimal",
    "JsonInteger",
    "InvalidOperation",
    "Overflow",
    "Underflow",
    "Inexact",
    TABLE,
    BUCKET,
    'File "',
)


@dataclass
class AwsSession:
    dynamodb: Any
    s3: Any


def event(method, *, body=None, item_id=None, origin=None, headers=None, **extra) -> dict[str, Any]:
    all_headers = {"origin": origin} if origin else {}
    all_headers.update(headers or {})
    return {
        "httpMethod": method,
        "path": "/data",
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "queryStringParameters": {"id": item_id} if item_id is not None else None,
        "headers": all_headers,
        "requestContext": {"identity": {"sourceIp": "203.0.113.9"}},
        **extra,
    }


def invoke(an_event: Any, request_id: str = "req-1") -> dict[str, Any]:
    return data_api.handler(an_event, SimpleNamespace(aws_request_id=request_id))


def call(method, *, request_id="req-1", **kwargs):
    response = invoke(event(method, **kwargs), request_id)
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def records(aws: AwsSession, prefix: str = PREFIX) -> list[dict[str, Any]]:
    objects = aws.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return [json.loads(aws.s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()) for o in objects]


def exact(text: str) -> Any:
    """JSON with every number as (JSON type, exact Decimal digits): ``1``, ``1.0`` and ``1e0`` all differ."""
    return json.loads(
        text,
        parse_int=lambda s: ("int", Decimal(s).as_tuple()),
        parse_float=lambda s: ("float", Decimal(s).as_tuple()),
    )


class Captured(logging.Handler):
    """The fallback records the handler logs (to CloudWatch Logs on Lambda)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
