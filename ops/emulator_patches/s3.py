"""S3: bucket-policy conditions, delete markers, and bucket request-metrics configurations."""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Mapping
from typing import Any

EMULATOR_REQUEST_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true"}
"""The request context bucket policies are evaluated in. The emulator listens on
plain HTTP on loopback, standing in for AWS's HTTPS endpoints, so a request is
treated as having arrived over TLS."""


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """One condition, with AWS's semantics: a missing key fails it unless the operator ends in IfExists."""
    base = operator.removesuffix("IfExists")
    if key not in context:
        return operator.endswith("IfExists")
    actual = context[key]
    values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
    if base == "Bool":
        return any(v.lower() == actual.lower() for v in values)
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, v) for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(actual, v) for v in values)
    return False


def _statement_applies(statement: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    conditions = statement.get("Condition") or {}
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    )


def bucket_policy_conditions_are_evaluated() -> None:
    """moto evaluates bucket-policy conditions without any request context and treats an
    operator it does not know (``Bool``) as matching, so a conditional Deny such as
    "deny unless aws:SecureTransport" denies every request, including Terraform's state
    reads. Here a statement whose conditions do not hold is skipped, as on AWS."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy)
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        permitted = False
        for statement in statements:
            if not _statement_applies(statement, EMULATOR_REQUEST_CONTEXT):
                continue
            unconditional = {k: v for k, v in statement.items() if k != "Condition"}
            result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
        return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def delete_markers_can_be_disposed() -> None:
    """Terraform destroys a bucket's ``aws_s3_bucket_versioning`` before the bucket, which suspends versioning; moto's
    ``DeleteObjects`` on a bucket that is not versioned then drops every version of a key and disposes of each, and a
    delete marker has no ``dispose``: HTTP 500, retried until Terraform gives up, so a bucket in which an object was
    ever deleted can never be destroyed. On AWS it goes. A delete marker holds no data: disposing of it is nothing."""
    from moto.s3.models import FakeDeleteMarker

    if not hasattr(FakeDeleteMarker, "dispose"):
        FakeDeleteMarker.dispose = lambda self, garbage=False: None  # type: ignore[attr-defined]


S3_XML_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def _s3_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], str]:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, {"content-type": "application/xml"}, body


def bucket_metrics_configurations_are_kept() -> None:
    """moto 5.2.5 has no S3 request-metrics configurations: a PUT ``?metrics`` answers 200 and keeps nothing, a GET
    answers an empty configuration (so a configuration removed outside Terraform is never missed), and a DELETE
    ``?metrics`` deletes the *bucket*, or fails with BucketNotEmpty (409) when it holds objects, so the
    ``aws_s3_bucket_metric`` of a bucket in use can never be destroyed. On AWS each bucket keeps its configurations
    by id: PutBucketMetricsConfiguration, Get (404 NoSuchConfiguration when there is none), Delete and List; so
    does this (the caller is authorized as ``PutMetricsConfiguration`` / ``GetMetricsConfiguration``)."""
    import xmltodict
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response
    missing = functools.partial(_s3_error, 404, "NoSuchConfiguration", "The specified configuration does not exist.")

    def _bucket_response(self: S3Response, request: Any, full_url: str) -> Any:
        querystring = self._get_querystring(request, full_url)
        if "metrics" not in querystring or request.method not in ("GET", "PUT", "DELETE"):
            return original(self, request, full_url)
        bucket_name = self.parse_bucket_name_from_url(request, full_url)
        self.data["Action"] = "GetMetricsConfiguration" if request.method == "GET" else "PutMetricsConfiguration"
        self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
        kept: dict[str, dict[str, Any]] = vars(self.backend.get_bucket(bucket_name)).setdefault("metrics_configurations", {})
        config_id = (querystring.get("id") or [None])[0]
        if request.method == "PUT":
            body = self.body.decode() if isinstance(self.body, bytes) else self.body
            config = {k: v for k, v in xmltodict.parse(body)["MetricsConfiguration"].items() if not k.startswith("@")}
            if not config_id or config.get("Id") != config_id:
                return _s3_error(400, "InvalidArgument", "The configuration's Id must be the id in the request.")
            kept[config_id] = config
            return 200, {}, ""
        if request.method == "DELETE":
            return (204, {}, "") if kept.pop(config_id, None) is not None else missing()
        if config_id is None:
            listed = {"@xmlns": S3_XML_NAMESPACE, "IsTruncated": "false", "MetricsConfiguration": list(kept.values())}
            return 200, {"content-type": "application/xml"}, xmltodict.unparse({"ListMetricsConfigurationsResult": listed})
        if config_id not in kept:
            return missing()
        return 200, {"content-type": "application/xml"}, xmltodict.unparse({"MetricsConfiguration": {"@xmlns": S3_XML_NAMESPACE, **kept[config_id]}})

    S3Response._bucket_response = _bucket_response  # type: ignore[method-assign]
