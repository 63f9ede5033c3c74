"""``make smoke ENV=<env>``: real requests through the deployed ``/data`` API, and what they leave behind.

Verify proves the configuration; this proves the behaviour. It stores an item and reads it back, sends a malformed
body (400) and asks for a missing item (404), then reads the item from the table and the request's record from the
logs bucket through boto3, and removes the item again, whatever happened.

* **On AWS** the requests are signed HTTPS to the stage's invoke URL, with the API key, as the first of
  ``[api] invoke_principals`` (assumed as a ``platform-smoke-<env>`` session); an unsigned request must be refused.
  Run it from one of ``[api] allowed_ingress_cidrs``: the resource policy refuses every other network.
* **On the emulator** moto cannot run function code, so the package the plan deployed (its hash checked against the
  function's ``CodeSha256``) runs in a local Python process standing in for Lambda, on API Gateway proxy events, with
  the function's configuration read from the emulator, as the function's own role (the emulator authorizes
  ``platform-smoke`` sessions: ``ops/emulator_patches/authorization.py``), against the deployed table and bucket.
  What that cannot prove is said in the output (:data:`NOT_PROVEN_ON_THE_EMULATOR`).

Every check is a line like verify's (``PASS smoke: ...``); a failure names what answered and why, quoting the
request's record when there is one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from environments.schema import EnvironmentConfig
from ops.emulator_patches.authorization import SMOKE_SESSION_PREFIX
from ops.progress import say, step
from ops.smoke_callers import Answer, HttpsCaller, LocalLambdaCaller, Request
from ops.verify import CheckResult, VerifyContext
from platform_core.conventions import FUNCTION_PURPOSE
from platform_core.errors import PipelineError
from platform_core.lambda_package import build_package
from platform_core.target import DeployTarget

PACKAGE = "data_api"
TIER = "smoke"
NOT_PROVEN_ON_THE_EMULATOR = (
    "API Gateway's IAM authorizer, resource policy (the allowed CIDRs and principals), API key, request validation and "
    "throttling; Lambda's own runtime, VPC networking, memory and timeout; the role's permissions boundary. "
    "`make smoke TARGET=aws` proves those against AWS"
)
ITEM_VALUE = {"smoke": True, "amount": Decimal("1.50"), "tags": ["a", "b"]}
ITEM_VALUE_JSON = '{"smoke":true,"amount":1.50,"tags":["a","b"]}'
"""What GET must answer: the numbers exactly as sent (``1.50``, not ``1.5``)."""


def smoke_test(config: EnvironmentConfig, target: DeployTarget) -> list[CheckResult]:
    """Run the smoke test of a deployed environment; raise PipelineError naming each failed check."""
    import botocore.exceptions

    ctx = VerifyContext(config, target)
    with step(f"[{config.name}] smoke test: real requests through /data against {target.kind}"):
        try:
            caller = _emulator_caller(ctx) if target.is_emulator else _aws_caller(ctx)
            results = _run(ctx, caller)
        except botocore.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            hint = f": is {config.name} deployed? (`make deploy ENV={config.name}`)" if "NotFound" in code else ""
            raise PipelineError(f"the smoke test of {config.name} could not start: {error}{hint}") from None
        except botocore.exceptions.BotoCoreError as error:
            raise PipelineError(f"the smoke test of {config.name} could not reach {target.kind}: {error}") from None
        for result in results:
            say(f"    {result.line()}")
    if target.is_emulator:
        say(f"    not proven on the emulator: {NOT_PROVEN_ON_THE_EMULATOR}")
    failed = [r for r in results if r.status == "FAIL"]
    say(f"    smoke: {len(results) - len(failed)} of {len(results)} passed or skipped")
    if failed:
        reasons = "\n".join(f"  - {r.name}: {r.detail}" for r in failed)
        raise PipelineError(f"the smoke test of {config.name} failed ({len(failed)} of {len(results)} checks):\n{reasons}")
    return results


def _run(ctx: VerifyContext, caller) -> list[CheckResult]:
    item_id = f"smoke-{uuid.uuid4().hex[:12]}"
    missing = f"smoke-missing-{uuid.uuid4().hex[:12]}"
    requests = [
        Request("POST", body=json.dumps({"id": item_id, "value": "__VALUE__"}).replace('"__VALUE__"', ITEM_VALUE_JSON)),
        Request("GET", query={"id": item_id}),
        Request("POST", body='{"id": "' + item_id + '", "value": '),
        Request("GET", query={"id": missing}),
    ]
    if not ctx.target.is_emulator:
        requests += [Request("GET", query={"id": item_id}, signed=False), Request("POST", body=requests[0].body, signed=False)]
    table = ctx.client("dynamodb")
    try:
        answers = caller.call(requests)
        stored, fetched, malformed, absent = answers[:4]
        results = [
            _expect("POST /data stores an item (201)", stored, 201, ctx, caller),
            _expect("GET /data answers it, numbers exactly as sent (200)", fetched, 200, ctx, caller, _same_value(item_id)),
            _expect("a malformed body is refused (400)", malformed, 400, ctx, caller),
            _expect("a missing item is not found (404)", absent, 404, ctx, caller),
        ]
        if ctx.target.is_emulator:
            results.append(CheckResult(TIER, "unsigned requests are refused", "SKIP", "emulator: API Gateway's authorizer does not run here"))
        else:
            # With the API key but no signature: the IAM authorizer answers 403, Cognito's 401 (no token).
            expected = 401 if ctx.config.api.authorizer == "cognito" else 403
            refused = [a.status for a in answers[4:]]
            ok = all(status == expected for status in refused)
            name = f"unsigned requests are refused ({expected})"
            results.append(CheckResult(TIER, name, "PASS" if ok else "FAIL", "" if ok else f"answered {refused}"))
        results.append(_check(f"the item is in the table {ctx.names.name('items')}", lambda: _in_table(table, ctx.names.name("items"), item_id)))
        results.append(_check("the request left its record in the logs bucket", lambda: _record_of(ctx, caller, stored, item_id)))
    finally:
        removed = _check("the smoke item is removed again", lambda: _remove(table, ctx.names.name("items"), item_id))
    return [*results, removed]


def _same_value(item_id: str) -> Callable[[Answer], str | None]:
    def problem(answer: Answer) -> str | None:
        expected = f'{{"id":"{item_id}","value":{ITEM_VALUE_JSON}}}'
        return None if answer.text == expected else f"answered {answer.text[:300]!r}, expected {expected!r}"

    return problem


def _expect(name: str, answer: Answer, status: int, ctx: VerifyContext, caller, more: Callable[[Answer], str | None] | None = None) -> CheckResult:
    if answer.status != status:
        return CheckResult(TIER, name, "FAIL", f"answered {answer.status} {answer.text[:300]}{_why(ctx, caller, answer)}")
    problem = more(answer) if more else None
    return CheckResult(TIER, name, "FAIL" if problem else "PASS", problem or "")


def _why(ctx: VerifyContext, caller, answer: Answer) -> str:
    """What the request's record (or, failing that, the function's log) says went wrong."""
    try:
        record = _record(ctx, caller, answer.request_id)
    except Exception:  # noqa: BLE001 - a missing record only loses the explanation
        record = None
    if record and (record.get("error") or record.get("reason")):
        return f"; the request's record says: {record.get('error') or record.get('reason')}"
    log = getattr(caller, "log", [])
    return f"; the function's log says: {log[-1][:500]}" if log else ""


def _check(name: str, probe: Callable[[], str | None]) -> CheckResult:
    try:
        problem = probe()
    except PipelineError as error:
        problem = str(error)
    except Exception as error:  # noqa: BLE001 - an AWS error is the finding, reported as it came
        problem = f"{type(error).__name__}: {error}"
    return CheckResult(TIER, name, "FAIL" if problem else "PASS", problem or "")


def _in_table(table, name: str, item_id: str) -> str | None:
    item = table.get_item(TableName=name, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
    if item is None:
        return f"no item {item_id} in {name}"
    stored = item.get("value_json", {}).get("S")
    return None if stored == ITEM_VALUE_JSON else f"value_json is {stored!r}, expected {ITEM_VALUE_JSON!r}"


def _remove(table, name: str, item_id: str) -> str | None:
    table.delete_item(TableName=name, Key={"id": {"S": item_id}})
    item = table.get_item(TableName=name, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
    return None if item is None else f"{item_id} is still in {name}"


def _function(ctx: VerifyContext) -> dict:
    return ctx.client("lambda").get_function_configuration(FunctionName=ctx.names.function(FUNCTION_PURPOSE))


def _record(ctx: VerifyContext, caller, request_id: str | None) -> dict | None:
    """The JSON record the function left for ``request_id`` (today's or, just after midnight, yesterday's)."""
    if not request_id:
        return None
    variables = getattr(caller, "variables", None) or _function(ctx)["Environment"]["Variables"]
    s3, now = ctx.client("s3"), datetime.now(UTC)
    for day in (now, now - timedelta(days=1)):
        key = f"{variables['LOG_PREFIX']}{day:%Y-%m-%d}/{request_id}.json"
        try:
            return json.loads(s3.get_object(Bucket=variables["LOG_BUCKET"], Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            continue
    return None


def _record_of(ctx: VerifyContext, caller, stored: Answer, item_id: str) -> str | None:
    if not stored.request_id:
        return "the POST's answer names no request id (X-Request-Id)"
    record = _record(ctx, caller, stored.request_id)
    if record is None:
        return f"no record {stored.request_id}.json under the function's LOG_PREFIX in its LOG_BUCKET"
    seen = (record.get("method"), record.get("status"), record.get("item_id"))
    return None if seen == ("POST", 201, item_id) else f"the record says {seen}, expected ('POST', 201, {item_id!r})"


def _emulator_caller(ctx: VerifyContext) -> LocalLambdaCaller:
    configuration = _function(ctx)
    package = build_package(PACKAGE, _scratch())
    if package.base64_sha256 != configuration["CodeSha256"]:
        raise PipelineError(
            f"the deployed function {configuration['FunctionName']} runs other code (CodeSha256 {configuration['CodeSha256']}) than "
            f"lambda_src/{PACKAGE} builds now ({package.base64_sha256}): deploy this checkout first (`make deploy ENV={ctx.config.name}`)"
        )
    role = configuration["Role"]
    credentials = ctx.client("sts").assume_role(RoleArn=role, RoleSessionName=f"{SMOKE_SESSION_PREFIX}-{ctx.config.name}")["Credentials"]
    return LocalLambdaCaller(
        package=package.zip_path,
        handler=configuration["Handler"],
        variables=configuration.get("Environment", {}).get("Variables", {}),
        role_credentials=credentials,
        region=ctx.config.region,
        endpoint_url=str(ctx.target.endpoint_url),
        function_name=configuration["FunctionName"],
        stage=ctx.names.environment,
    )


def _scratch() -> Path:
    from ops.paths import work_dir

    return work_dir() / "smoke"


def _aws_caller(ctx: VerifyContext) -> HttpsCaller:
    import os

    import botocore.credentials

    api = ctx.config.api
    apigateway = ctx.client("apigateway")
    (rest_api,) = [a for a in apigateway.get_rest_apis(limit=500)["items"] if a["name"] == ctx.names.name("api")] or [None]
    if rest_api is None:
        raise PipelineError(f"no REST API named {ctx.names.name('api')} in {ctx.config.region}: deploy {ctx.config.name} first")
    keys = apigateway.get_api_keys(nameQuery=ctx.names.name("api-client"), includeValues=True)["items"]
    url = f"https://{rest_api['id']}.execute-api.{ctx.config.region}.amazonaws.com/{ctx.names.environment}/data"
    caller = HttpsCaller(url=url, region=ctx.config.region, credentials=None, api_key=keys[0]["value"] if keys else None)
    if api.authorizer == "cognito":
        token = os.environ.get("SMOKE_ID_TOKEN")
        if not token:
            raise PipelineError(
                f"{ctx.config.name} uses the Cognito authorizer: set SMOKE_ID_TOKEN to an ID token of one of [api] cognito_user_pool_arns' users"
            )
        caller.bearer_token = token
        return caller
    roles = [p if p.startswith("arn:") else f"arn:aws:iam::{ctx.account_id}:role/{p}" for p in api.invoke_principals]
    roles = [r for r in roles if ":role/" in r]
    if not roles:
        raise PipelineError(
            f"the smoke test signs its requests as a role of [api] invoke_principals in environments/{ctx.config.name}.toml, "
            "and it lists none (users only): list a role the credentials you deploy with may assume"
        )
    role = roles[0]
    try:
        issued = ctx.client("sts").assume_role(RoleArn=role, RoleSessionName=f"{SMOKE_SESSION_PREFIX}-{ctx.config.name}")["Credentials"]
    except Exception as error:  # noqa: BLE001 - one message with the fix
        raise PipelineError(
            f"the smoke test signs its requests as the first role of [api] invoke_principals in environments/{ctx.config.name}.toml, "
            f"{role}, and could not assume it ({error}): let your credentials assume that role, or list first a role they can"
        ) from None
    caller.credentials = botocore.credentials.Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    return caller
