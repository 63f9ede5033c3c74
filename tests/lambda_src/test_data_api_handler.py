"""The /data handler against moto's in-process DynamoDB and S3."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from lambda_src.data_api import handler as data_api

TABLE = "acme-items-test"
BUCKET = "acme-access-logs-test-123456789012"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("LOG_BUCKET", BUCKET)
    monkeypatch.setenv("LOG_PREFIX", "lambda/data-api/")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com")
    data_api._table.cache_clear()
    data_api._s3.cache_clear()
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield SimpleNamespace(dynamodb=dynamodb, s3=boto3.client("s3"))
    data_api._table.cache_clear()
    data_api._s3.cache_clear()


def call(method, *, body=None, item_id=None, origin=None, request_id="req-1"):
    event = {
        "httpMethod": method,
        "path": "/data",
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "queryStringParameters": {"id": item_id} if item_id is not None else None,
        "headers": {"origin": origin} if origin else {},
        "requestContext": {"identity": {"sourceIp": "203.0.113.9"}},
    }
    response = data_api.handler(event, SimpleNamespace(aws_request_id=request_id))
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def records(aws):
    objects = aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="lambda/data-api/").get("Contents", [])
    return [json.loads(aws.s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()) for o in objects]


def test_post_then_get_round_trips_an_item(aws):
    status, body, _ = call("POST", body={"id": "order-1", "value": {"qty": 2, "price": 9.5}, "ttl_seconds": 60})
    assert (status, body) == (201, {"id": "order-1"})
    stored = aws.dynamodb.get_item(TableName=TABLE, Key={"id": {"S": "order-1"}})["Item"]
    assert "expires_at" in stored
    status, body, _ = call("GET", item_id="order-1", request_id="req-2")
    assert (status, body) == (200, {"id": "order-1", "value": {"qty": 2, "price": 9.5}})


def test_every_request_leaves_one_structured_record_in_the_logs_bucket(aws):
    call("POST", body={"id": "a", "value": 1}, request_id="req-1")
    call("GET", item_id="nope", request_id="req-2")
    found = sorted(records(aws), key=lambda r: r["request_id"])
    assert [(r["request_id"], r["method"], r["status"], r["item_id"]) for r in found] == [
        ("req-1", "POST", 201, "a"),
        ("req-2", "GET", 404, "nope"),
    ]
    assert all(r["source_ip"] == "203.0.113.9" and "duration_ms" in r and "timestamp" in r for r in found)


@pytest.mark.parametrize(
    "body, reason",
    [
        (None, "the request body is empty"),
        ("{not json", "not valid JSON"),
        ({"value": 1}, "id must be"),
        ({"id": "has space", "value": 1}, "id must be"),
        ({"id": "x" * 65, "value": 1}, "id must be"),
        ({"id": "a"}, "value is missing"),
        ({"id": "a", "value": 1, "extra": True}, "only id, value and ttl_seconds"),
        ({"id": "a", "value": 1, "ttl_seconds": 0}, "ttl_seconds must be"),
        ({"id": "a", "value": 1, "ttl_seconds": True}, "ttl_seconds must be"),
        ({"id": "a", "value": "x" * 20000}, "larger than 16384 bytes"),
        ([1, 2], "send a JSON object"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(aws, body, reason):
    status, answer, _ = call("POST", body=body)
    assert status == 400 and reason in answer["message"]
    (record,) = records(aws)
    assert record["status"] == 400


def test_get_without_a_valid_id_is_a_400(aws):
    assert call("GET")[0] == 400
    assert call("GET", item_id="../etc")[0] == 400


def test_a_missing_item_is_a_404(aws):
    status, body, _ = call("GET", item_id="missing")
    assert status == 404 and body == {"message": "no item with id missing"}


def test_other_methods_are_a_405(aws):
    assert call("DELETE")[0] == 405


def test_a_storage_failure_is_a_500_that_leaks_nothing(aws):
    aws.dynamodb.delete_table(TableName=TABLE)
    status, body, _ = call("POST", body={"id": "a", "value": 1}, request_id="req-9")
    assert status == 500
    assert body == {"message": "the request could not be completed", "request_id": "req-9"}
    (record,) = records(aws)
    assert record["status"] == 500 and "ResourceNotFoundException" in record["error"]


def test_when_the_logs_bucket_fails_the_record_goes_to_cloudwatch_logs(aws, caplog):
    aws.s3.delete_bucket(Bucket=BUCKET)
    with caplog.at_level(logging.WARNING, logger="data_api"):
        status, _, _ = call("POST", body={"id": "a", "value": 1}, request_id="req-7")
    assert status == 201, "a logging failure never fails the request"
    (message,) = [r.getMessage() for r in caplog.records if r.name == "data_api"]
    record = json.loads(message)
    assert record["request_id"] == "req-7" and record["status"] == 201
    assert record["log_fallback_reason"] == "NoSuchBucket"


def test_cors_headers_only_for_allowed_origins(aws):
    _, _, headers = call("GET", item_id="x", origin="https://app.example.com")
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    _, _, headers = call("GET", item_id="x", origin="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in headers
