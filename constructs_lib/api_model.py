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
VALUE_CONTAINER_LEVELS = 31
"""How many maps or lists ``value`` may nest around a scalar: DynamoDB stores 32 levels, ``value`` itself being
the first (an empty map or list may still sit at level 32). The function checks the same (lambda_src)."""
NUMBER_BOUND = 1e126
"""DynamoDB's largest number magnitude is 9.9999999999999999999999999999999999999E+125: anything below this."""


def _value_levels(levels: int) -> dict[str, dict]:
    """JSON Schema draft 4 has no bound on recursion, so the levels are spelled out: ``level<n>`` is a value
    with at most ``n`` maps or lists below it (``level0``: a scalar, or an empty map or list)."""
    scalar = {
        "anyOf": [
            {"type": ["string", "boolean", "null"]},
            {"type": "number", "minimum": -NUMBER_BOUND, "exclusiveMinimum": True, "maximum": NUMBER_BOUND, "exclusiveMaximum": True},
        ]
    }
    definitions = {"level0": {"anyOf": [scalar, {"type": "array", "maxItems": 0}, {"type": "object", "maxProperties": 0}]}}
    for level in range(1, levels + 1):
        below = {"$ref": f"#/definitions/level{level - 1}"}
        definitions[f"level{level}"] = {"anyOf": [scalar, {"type": "array", "items": below}, {"type": "object", "additionalProperties": below}]}
    return definitions


ITEM_MODEL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Item",
    "type": "object",
    "required": ["id", "value"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        "value": {"$ref": f"#/definitions/level{VALUE_CONTAINER_LEVELS}"},
        "ttl_seconds": {"type": "integer", "minimum": 1, "maximum": 31536000},
    },
    "definitions": _value_levels(VALUE_CONTAINER_LEVELS),
}
"""What API Gateway validates before the function runs: the item's shape, and of DynamoDB's limits what JSON
Schema can express (nesting and number magnitude). Precision and the smallest magnitudes the function checks."""
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
