"""The ``/data`` API: store and fetch small JSON items in DynamoDB, behind API Gateway (proxy).

* ``POST /data`` with ``{"id": "<1-64 of A-Z a-z 0-9 _ ->", "value": <JSON>, "ttl_seconds": <optional int>}``
  stores the item and answers 201.
* ``GET /data?id=<id>`` answers 200 with the item, or 404.
* Bad input answers 400 with the reason; another method 405. A storage failure
  answers 500 with the request id and nothing about the cause.

Every request, success or error, leaves one structured JSON record in the logs
bucket under ``LOG_PREFIX``. If that write fails, the record goes to
CloudWatch Logs (the function's own log) instead, so no request is unrecorded.

Configuration comes from the environment: ``TABLE_NAME``, ``LOG_BUCKET``,
``LOG_PREFIX`` and ``ALLOWED_ORIGINS`` (comma-separated, for CORS).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_BODY_BYTES = 16 * 1024
MAX_TTL_SECONDS = 365 * 24 * 3600
TTL_ATTRIBUTE = "expires_at"

logger = logging.getLogger("data_api")
logger.setLevel(logging.INFO)


class BadRequest(Exception):
    """The caller's input is wrong; the message says how (it is shown to the caller)."""


@cache
def _table():
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@cache
def _s3():
    return boto3.client("s3")


def _response(status: int, body: dict[str, Any], origin: str | None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    allowed = [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    if origin and origin in allowed:
        headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    return {"statusCode": status, "headers": headers, "body": json.dumps(body, default=_json_default)}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _parse_post(body: str | None) -> dict[str, Any]:
    if not body:
        raise BadRequest("the request body is empty; send a JSON object with an id and a value")
    if len(body.encode()) > MAX_BODY_BYTES:
        raise BadRequest(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body, parse_float=Decimal)
    except json.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(payload, dict) or set(payload) - {"id", "value", "ttl_seconds"}:
        raise BadRequest("send a JSON object with only id, value and ttl_seconds")
    _check_id(payload.get("id"))
    if "value" not in payload:
        raise BadRequest("value is missing")
    ttl = payload.get("ttl_seconds")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= MAX_TTL_SECONDS):
        raise BadRequest(f"ttl_seconds must be a whole number from 1 to {MAX_TTL_SECONDS}")
    return payload


def _check_id(item_id: Any) -> str:
    if not isinstance(item_id, str) or not ID_PATTERN.fullmatch(item_id):
        raise BadRequest("id must be 1-64 letters, digits, '_' or '-'")
    return item_id


def _handle(event: dict[str, Any], record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    method = event.get("httpMethod", "")
    if method == "POST":
        payload = _parse_post(event.get("body"))
        record["item_id"] = payload["id"]
        item = {"id": payload["id"], "value": payload["value"], "stored_at": int(time.time())}
        if payload.get("ttl_seconds"):
            item[TTL_ATTRIBUTE] = int(time.time()) + payload["ttl_seconds"]
        _table().put_item(Item=item)
        return 201, {"id": payload["id"]}
    if method == "GET":
        item_id = _check_id((event.get("queryStringParameters") or {}).get("id"))
        record["item_id"] = item_id
        item = _table().get_item(Key={"id": item_id}).get("Item")
        if item is None:
            return 404, {"message": f"no item with id {item_id}"}
        return 200, {"id": item["id"], "value": item["value"]}
    return 405, {"message": "use GET or POST"}


def _write_record(record: dict[str, Any]) -> None:
    """One JSON record per request in the logs bucket; CloudWatch Logs if that fails."""
    body = json.dumps(record, sort_keys=True, default=str)
    day = record["timestamp"][:10]
    key = f"{os.environ.get('LOG_PREFIX', 'data-api/')}{day}/{record['request_id']}.json"
    try:
        _s3().put_object(Bucket=os.environ["LOG_BUCKET"], Key=key, Body=body.encode(), ContentType="application/json")
    except (ClientError, BotoCoreError, KeyError) as error:
        record["log_fallback_reason"] = type(error).__name__
        logger.warning(json.dumps(record, sort_keys=True, default=str))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    request_id = getattr(context, "aws_request_id", None) or "local"
    origin = (event.get("headers") or {}).get("origin") or (event.get("headers") or {}).get("Origin")
    record: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(),
        "request_id": request_id,
        "method": event.get("httpMethod"),
        "path": event.get("path"),
        "source_ip": ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp"),
    }
    try:
        status, body = _handle(event, record)
    except BadRequest as bad:
        status, body = 400, {"message": str(bad)}
    except (ClientError, BotoCoreError) as error:
        # The cause goes to the record, never to the caller.
        record["error"] = f"{type(error).__name__}: {error}"
        status, body = 500, {"message": "the request could not be completed", "request_id": request_id}
    record["status"] = status
    record["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
    _write_record(record)
    return _response(status, body, origin)
