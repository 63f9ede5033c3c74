"""How the smoke test reaches the deployed ``/data`` API: signed HTTPS on AWS, the deployed package run locally on the
emulator. Both answer the same :class:`Request` with the same :class:`Answer`, so ``ops/smoke.py`` asks the same
questions of either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_core.errors import PipelineError

REQUEST_ID_HEADER = "x-request-id"
"""The handler names its request (and its record in the logs bucket) in this header."""
RUNNER = Path(__file__).with_name("lambda_runner.py")
RUNNER_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Request:
    """One request to ``/data``."""

    method: str
    query: dict[str, str] | None = None
    body: str | None = None
    signed: bool = True
    """False: sent with the API key but no signature (or token), which the authorizer must refuse."""


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    request_id: str | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def _headers(request: Request) -> dict[str, str]:
    return {"Content-Type": "application/json"} if request.body is not None else {}


@dataclass
class HttpsCaller:
    """Signed (SigV4, ``execute-api``) HTTPS requests to the stage's invoke URL, with the API key, as a client would."""

    url: str
    region: str
    credentials: Any
    """botocore credentials of a principal the API allows (the first of ``[api] invoke_principals``)."""
    api_key: str | None
    bearer_token: str | None = None
    """With the Cognito authorizer: an ID token of the user pool, sent as ``Authorization``."""
    timeout: float = 30.0

    def call(self, requests: list[Request]) -> list[Answer]:
        return [self._send(request) for request in requests]

    def _send(self, request: Request) -> Answer:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        url = self.url + (f"?{urllib.parse.urlencode(request.query)}" if request.query else "")
        headers = _headers(request)
        data = request.body.encode() if request.body is not None else None
        if self.api_key:
            headers["x-api-key"] = self.api_key  # always: an unsigned request is refused by the authorizer, not for want of a key
        if request.signed:
            if self.bearer_token:
                headers["Authorization"] = self.bearer_token
            else:
                signed = AWSRequest(method=request.method, url=url, data=data, headers=headers)
                SigV4Auth(self.credentials, "execute-api", self.region).add_auth(signed)
                headers = dict(signed.headers.items())
        sent = urllib.request.Request(url, data=data, method=request.method, headers=headers)  # noqa: S310 - https to the API
        try:
            with urllib.request.urlopen(sent, timeout=self.timeout) as response:  # noqa: S310 - https to the API
                return Answer(response.status, response.read().decode(errors="replace"), response.headers.get(REQUEST_ID_HEADER))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), error.headers.get(REQUEST_ID_HEADER))
        except OSError as error:  # URLError, a timeout, a connection reset
            raise PipelineError(f"the smoke test could not reach {self.url}: {getattr(error, 'reason', error)}") from None


@dataclass
class LocalLambdaCaller:
    """The deployed package's handler, run in a local Python process standing in for Lambda, on API Gateway proxy
    events: with the function's configured variables, as its own role (a ``platform-smoke`` session, which the emulator
    authorizes), against the deployed table and bucket."""

    package: Path
    handler: str
    variables: dict[str, str]
    role_credentials: dict[str, str]
    region: str
    endpoint_url: str
    function_name: str
    stage: str
    log: list[str] = field(default_factory=list)
    """What the function wrote to its log (stderr), for a failure's message."""

    def call(self, requests: list[Request]) -> list[Answer]:
        with tempfile.TemporaryDirectory(prefix="smoke-") as scratch:
            with zipfile.ZipFile(self.package) as archive:
                archive.extractall(scratch)
            environ = {
                **self.variables,  # first: a variable named AWS_* never replaces the role's credentials or the endpoint
                "PATH": os.environ.get("PATH", ""),
                "LANG": "C.UTF-8",
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
                "AWS_ACCESS_KEY_ID": self.role_credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": self.role_credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": self.role_credentials["SessionToken"],
            }
            events = [self._event(request) for request in requests]
            try:
                ran = subprocess.run(  # noqa: S603 - this interpreter, the project's runner
                    [sys.executable, "-I", str(RUNNER), scratch, self.handler],
                    input=json.dumps(events), capture_output=True, text=True, env=environ, cwd=scratch, timeout=RUNNER_TIMEOUT_SECONDS,
                )
            except subprocess.TimeoutExpired:
                raise PipelineError(f"the function's handler did not answer within {RUNNER_TIMEOUT_SECONDS} s on the emulator") from None
        self.log = [line for line in ran.stderr.splitlines() if line.strip()]
        if ran.returncode != 0:
            tail = "\n".join(self.log[-8:])
            raise PipelineError(f"the function's handler could not be run on the emulator (exit {ran.returncode}):\n{tail}")
        answers = []
        for result in json.loads(ran.stdout):
            response = result["response"]
            answers.append(Answer(int(response["statusCode"]), response.get("body") or "", result["request_id"]))
        return answers

    def _event(self, request: Request) -> dict[str, Any]:
        """An API Gateway (REST, proxy integration) event for ``/data``."""
        headers = _headers(request)
        return {
            "resource": "/data",
            "path": "/data",
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": request.query,
            "multiValueQueryStringParameters": {k: [v] for k, v in request.query.items()} if request.query else None,
            "pathParameters": None,
            "stageVariables": None,
            "body": request.body,
            "isBase64Encoded": False,
            "requestContext": {
                "resourcePath": "/data",
                "httpMethod": request.method,
                "path": f"/{self.stage}/data",
                "stage": self.stage,
                "identity": {"sourceIp": "127.0.0.1"},
            },
        }
