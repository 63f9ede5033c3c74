"""The smoke test's requests and checks (ops/smoke.py), without a deployment: the AWS path's sequence against the real
handler behind a stand-in for API Gateway, and the HTTPS caller's signing against a local server. The emulator path,
and a broken deployment failing it, run end to end (tests/e2e/test_dev_lifecycle.py)."""

from __future__ import annotations

import http.server
import json
import threading
from types import SimpleNamespace

import boto3
import botocore.credentials
import pytest
from moto import mock_aws

from environments import load_environments
from lambda_src.data_api import handler as data_api
from ops.smoke import _run
from ops.smoke_callers import Answer, HttpsCaller, Request
from ops.verify import VerifyContext
from platform_core.target import DeployTarget

PREFIX = "lambda/data-api/"


class StandInApi:
    """API Gateway as a caller sees it: signed requests reach the real handler; unsigned ones get 403 unless
    ``lets_unsigned_in`` (a broken authorizer)."""

    def __init__(self, variables: dict[str, str], *, lets_unsigned_in: bool = False) -> None:
        self.variables, self.lets_unsigned_in, self.count = variables, lets_unsigned_in, 0

    def call(self, requests: list[Request]) -> list[Answer]:
        return [self._one(request) for request in requests]

    def _one(self, request: Request) -> Answer:
        if not request.signed and not self.lets_unsigned_in:
            return Answer(403, '{"message":"Missing Authentication Token"}')  # the IAM authorizer
        self.count += 1
        event = {"httpMethod": request.method, "path": "/data", "body": request.body, "queryStringParameters": request.query,
                 "headers": {"Content-Type": "application/json"}, "requestContext": {"identity": {"sourceIp": "203.0.113.9"}}}
        response = data_api.handler(event, SimpleNamespace(aws_request_id=f"req-{self.count}"))
        return Answer(response["statusCode"], response["body"], response["headers"]["X-Request-Id"])


@pytest.fixture
def deployed(monkeypatch):
    """dev's table and logs bucket in moto, and the handler configured as the function is."""
    (config,) = load_environments(only=["dev"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", config.region)
    with mock_aws():
        ctx = VerifyContext(config, DeployTarget(kind="aws"))
        table, bucket = config.names.name("items"), config.names.bucket_name("access-logs", ctx.account_id)
        boto3.client("dynamodb").create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        boto3.client("s3").create_bucket(Bucket=bucket)
        variables = {"TABLE_NAME": table, "LOG_BUCKET": bucket, "LOG_PREFIX": PREFIX}
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        data_api._dynamodb.cache_clear()
        data_api._s3.cache_clear()
        yield ctx, variables
        data_api._dynamodb.cache_clear()
        data_api._s3.cache_clear()


def lines(results) -> list[str]:
    return [result.line() for result in results]


def test_the_aws_sequence_passes_against_a_working_api_and_leaves_nothing_behind(deployed):
    ctx, variables = deployed
    results = _run(ctx, StandInApi(variables))
    assert [r.status for r in results] == ["PASS"] * 8, lines(results)
    assert "PASS smoke: unsigned requests are refused (403)" in lines(results)
    assert boto3.client("dynamodb").scan(TableName=variables["TABLE_NAME"])["Items"] == []


def test_an_api_that_lets_unsigned_requests_in_fails(deployed):
    ctx, variables = deployed
    results = _run(ctx, StandInApi(variables, lets_unsigned_in=True))
    (failed,) = [r for r in results if r.status == "FAIL"]
    assert failed.line() == "FAIL smoke: unsigned requests are refused (403) (answered [200, 201])"


def test_a_failing_write_is_explained_from_the_request_record(deployed):
    """The function's table is not there: POST answers 500, and the failure quotes what the function recorded."""
    ctx, variables = deployed
    boto3.client("dynamodb").delete_table(TableName=variables["TABLE_NAME"])
    results = {r.name: r for r in _run(ctx, StandInApi(variables))}
    stored = results["POST /data stores an item (201)"]
    assert stored.status == "FAIL"
    assert stored.detail.startswith('answered 500 {"message":"the request could not be completed"')
    assert "; the request's record says: ResourceNotFoundException: An error occurred (ResourceNotFoundException) when calling the PutItem" in stored.detail
    assert results["the smoke item is removed again"].status == "FAIL", "nothing to remove it from: said, not raised"


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        Recorder.seen.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        status = 201 if "Authorization" in self.headers else 403
        self.send_response(status)
        self.send_header("X-Request-Id", "rid-1")
        self.end_headers()
        self.wfile.write(json.dumps({"status": status}).encode())

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def local_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/dev/data"
    finally:
        server.shutdown()
        server.server_close()


def test_the_https_caller_signs_for_execute_api_with_the_key_and_sends_unsigned_requests_bare(local_api):
    caller = HttpsCaller(url=local_api, region="us-east-1", credentials=botocore.credentials.Credentials("AKIDEXAMPLE", "secret", "token"), api_key="k-1")
    signed, bare = caller.call([Request("POST", body='{"id": "x"}'), Request("GET", query={"id": "x"}, signed=False)])
    assert (signed.status, signed.request_id, bare.status) == (201, "rid-1", 403)
    first, second = Recorder.seen
    assert first["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/execute-api/aws4_request" in first["headers"]["authorization"]
    assert first["headers"]["x-amz-security-token"] == "token" and first["headers"]["x-api-key"] == "k-1"
    assert first["body"] == '{"id": "x"}' and first["headers"]["content-type"] == "application/json"
    assert second["path"] == "/dev/data?id=x"
    assert not {"authorization", "x-amz-security-token"} & set(second["headers"])
    assert second["headers"]["x-api-key"] == "k-1", "refused for want of a signature, not of the key"


def test_smoke_0_skips_it_after_a_deploy_by_name_and_loudly(configs, monkeypatch, capsys):
    import ops.smoke
    from ops.pipeline import EnvironmentPipeline

    def must_not_run(*_):
        raise AssertionError("the smoke test ran")

    monkeypatch.setattr(ops.smoke, "smoke_test", must_not_run)
    monkeypatch.setenv("SMOKE", "0")
    EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator")).smoke()
    assert "!! [dev] smoke test SKIPPED (SMOKE=0)" in capsys.readouterr().err
    monkeypatch.setenv("SMOKE", "1")
    with pytest.raises(AssertionError, match="the smoke test ran"):
        EnvironmentPipeline(configs["dev"], DeployTarget(kind="emulator")).smoke()
