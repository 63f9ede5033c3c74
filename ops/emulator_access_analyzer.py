"""A stand-in for IAM Access Analyzer, which moto 5.2.5 does not have (served by
``ops.emulator_patches.access_analyzer``).

Without it every request the provider makes for ``aws_accessanalyzer_analyzer`` gets HTTP
500 ("Unable to find appropriate backend"), which the SDK retries until Terraform gives up,
so no baseline could be deployed on the emulator. It answers the analyzer and tag operations
as AWS does and keeps analyzers in memory; it produces no findings. The verification of
Access Analyzer is skipped on the emulator (README, "Emulator differences"): this stand-in is
the project's, so it would only check itself.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any


class AccessAnalyzerStandIn:
    """The part of IAM Access Analyzer (restJson1, signing name ``access-analyzer``) that
    ``aws_accessanalyzer_analyzer`` uses: CreateAnalyzer, GetAnalyzer, ListAnalyzers,
    DeleteAnalyzer, TagResource, UntagResource, ListTagsForResource. Analyzers are kept per
    account and region, in memory, like moto's own backends. No findings are produced."""

    ANALYZER_PATH = re.compile(r"^/analyzer(?:/(?P<name>[^/]+))?$")
    TAGS_PATH = re.compile(r"^/tags/(?P<arn>.+)$")
    NAME = re.compile(r"^[A-Za-z][0-9A-Za-z_.-]{0,254}$")
    TYPES = {"ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
             "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS"}

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.analyzers: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    @staticmethod
    def credential_scope(environ: dict[str, Any]) -> tuple[str, str, str] | None:
        """(access key, region, service) from the SigV4 Authorization header, if any."""
        match = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", environ.get("HTTP_AUTHORIZATION", ""))
        return (match.group(1), match.group(2), match.group(3)) if match else None

    def handles(self, environ: dict[str, Any]) -> bool:
        scope = self.credential_scope(environ)
        return (scope is not None and scope[2] == "access-analyzer") or environ.get("HTTP_HOST", "").startswith("access-analyzer.")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self.lock:
            status, body, error_type = self.answer(environ)
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111")]
        if error_type:
            headers.append(("x-amzn-ErrorType", error_type))
        payload = json.dumps(body).encode()
        headers.append(("Content-Length", str(len(payload))))
        start_response(status, headers)
        return [payload]

    def answer(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any], str | None]:
        from moto.core import DEFAULT_ACCOUNT_ID

        scope = self.credential_scope(environ)
        access_key, region = (scope[0], scope[1]) if scope else ("", "us-east-1")
        try:
            from moto.iam.models import get_account_id_from

            account = get_account_id_from(access_key)
        except Exception:  # noqa: BLE001 - fall back to moto's default account
            account = DEFAULT_ACCOUNT_ID
        analyzers = self.analyzers.setdefault((account, region), {})
        method = environ.get("REQUEST_METHOD", "GET")
        path = urllib.parse.unquote(environ.get("PATH_INFO", ""))
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}

        def not_found(resource_id: str, kind: str = "AWS::AccessAnalyzer::Analyzer") -> tuple[str, dict[str, Any], str]:
            return ("404 Not Found", {"message": f"Analyzer {resource_id} not found", "resourceId": resource_id,
                                      "resourceType": kind}, "ResourceNotFoundException")

        def invalid(message: str) -> tuple[str, dict[str, Any], str]:
            return "400 Bad Request", {"message": message, "reason": "other"}, "ValidationException"

        def by_arn(arn: str) -> dict[str, Any] | None:
            return next((a for a in analyzers.values() if a["arn"] == arn), None)

        match = self.ANALYZER_PATH.match(path)
        if match and method == "PUT" and not match.group("name"):
            name, kind = body.get("analyzerName", ""), body.get("type", "")
            if not self.NAME.match(name) or kind not in self.TYPES:
                return invalid("Invalid analyzerName or type")
            if kind.startswith("ORGANIZATION"):
                return invalid("You must create an organization to create an analyzer with organization zone of trust")
            if name in analyzers:
                return ("409 Conflict", {"message": f"Analyzer {name} already exists", "resourceId": name,
                                         "resourceType": "AWS::AccessAnalyzer::Analyzer"}, "ConflictException")
            if any(a["type"] == kind for a in analyzers.values()):
                return ("402 Payment Required", {"message": f"Only one analyzer of type {kind} per account and Region",
                                                 "resourceId": name, "resourceType": "AWS::AccessAnalyzer::Analyzer"},
                        "ServiceQuotaExceededException")
            analyzer = {
                "arn": f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}",
                "name": name,
                "type": kind,
                "createdAt": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "status": "ACTIVE",
                "tags": dict(body.get("tags") or {}),
            }
            if body.get("configuration"):
                analyzer["configuration"] = body["configuration"]
            analyzers[name] = analyzer
            return "200 OK", {"arn": analyzer["arn"]}, None
        if match and method == "GET" and not match.group("name"):
            kind = (query.get("type") or [None])[0]
            return "200 OK", {"analyzers": [a for a in analyzers.values() if not kind or a["type"] == kind]}, None
        if match and method == "GET":
            analyzer = analyzers.get(match.group("name"))
            return ("200 OK", {"analyzer": analyzer}, None) if analyzer else not_found(match.group("name"))
        if match and method == "DELETE":
            if analyzers.pop(match.group("name"), None) is None:
                return not_found(match.group("name"))
            return "200 OK", {}, None

        match = self.TAGS_PATH.match(path)
        if match:
            analyzer = by_arn(match.group("arn"))
            if analyzer is None:
                return not_found(match.group("arn"))
            if method == "GET":
                return "200 OK", {"tags": analyzer["tags"]}, None
            if method == "POST":
                analyzer["tags"].update(body.get("tags") or {})
                return "200 OK", {}, None
            if method == "DELETE":
                for key in query.get("tagKeys", []):
                    analyzer["tags"].pop(key, None)
                return "200 OK", {}, None
        return ("501 Not Implemented", {"message": f"emulator: Access Analyzer {method} {path} is not emulated"},
                "NotImplementedException")
