"""What the API accepts, answers and logs, as data: the item model, CORS and the access-log format.

Plain Python (no CDKTF), shared by the API construct and its tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

EXECUTION_LOG_PREFIX = "API-Gateway-Execution-Logs_"
"""API Gateway names its execution-log group ``API-Gateway-Execution-Logs_<api id>/<stage>``."""
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "apiKeyId": "$context.identity.apiKeyId",
    "xrayTraceId": "$context.xrayTraceId",
}
ITEM_MODEL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Item",
    "type": "object",
    "required": ["id", "value"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        "value": {},
        "ttl_seconds": {"type": "integer", "minimum": 1, "maximum": 31536000},
    },
}
ITEM_MODEL_JSON = json.dumps(ITEM_MODEL_SCHEMA, sort_keys=True)
ITEM_MODEL_DIGEST = hashlib.sha256(ITEM_MODEL_JSON.encode()).hexdigest()
CORS_HEADERS = ("Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin")


def cors_preflight_template(origins: Sequence[str]) -> str:
    """VTL that echoes the request's Origin only when it is allowed."""
    condition = " || ".join(f'$origin == "{origin}"' for origin in origins) or "false"
    return (
        '#set($origin = $input.params().header.get("Origin"))\n'
        f"#if({condition})\n"
        "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
        "#end\n"
        '{"statusCode": 200}'
    )
