"""The ``/data`` API: store and fetch small JSON items in DynamoDB, behind API Gateway (proxy).

* ``POST /data`` with ``{"id": "<1-64 of A-Z a-z 0-9 _ ->", "value": <JSON>, "ttl_seconds": <optional int>}``
  stores the item and answers 201.
* ``GET /data?id=<id>`` answers 200 with the item, or 404.
* Bad input answers 400 with the reason (naming the field, e.g. ``value.items[3].price``, and the
  limit it breaks); a body over 16 KiB 413; a ``Content-Type`` that is not JSON 415; another method
  405 with ``Allow: GET, POST, OPTIONS`` (API Gateway answers OPTIONS itself, with a mock, so the
  resource does allow it). Anything else that goes wrong answers 500 with the request id and
  nothing about the cause; a missing ``TABLE_NAME`` answers 500 saying the function is not configured.

What is accepted:

* Content type: ``application/json`` (parameters such as ``charset`` are ignored). A request
  without ``Content-Type`` is read as JSON, as API Gateway does when it picks the request model.
  Header names are matched case-insensitively (``Origin``, ``origin``, ``ORIGIN``; if one is sent
  under several casings, the last wins). ``Content-Type`` matters for POST only.
* The body is read with a parser that keeps every number as written (``Decimal``, no float, no
  int-string conversion limit) and refuses ``NaN``/``Infinity``; lone surrogates are refused with
  a 400; the size limit is on the UTF-8 bytes. A body marked ``isBase64Encoded`` is decoded first
  and must be UTF-8.
* ``value`` must be storable by DynamoDB, and is checked against its documented limits before
  DynamoDB sees it: numbers have at most 38 significant digits (counted as DynamoDB does, after
  trimming leading and trailing zeros, so ``1.000`` has one) and a non-zero magnitude from
  ``1E-130`` to ``9.9999999999999999999999999999999999999E+125`` (zero is always allowed);
  nesting is at most 32 levels (see ``MAX_LEVELS`` for how they are counted). If DynamoDB still
  refuses the item (``ValidationException``), the answer is a 400, not a 500.
* ``ttl_seconds`` is optional and, when present, a JSON integer (written without fraction or
  exponent; ``5.0``, ``5e0``, ``true`` and ``null`` are refused) from 1 to 31536000.

Numbers round-trip exactly. DynamoDB normalises numbers (``1.50`` comes back as ``1.5``, ``1.0`` as
``1`` and ``1E+2`` as ``100``), so each item keeps two forms of its value: ``value`` in native
DynamoDB types (so the table stays queryable) and ``value_json``, the compact JSON text of the
parsed value with every number written exactly as received (same digits, trailing zeros included,
an integer stays an integer and ``1.0`` stays a decimal; only the spelling of an exponent may
change, ``1e2`` -> ``1E+2``). GET answers from ``value_json``. An item
without ``value_json`` (written before it existed, or by another writer) is answered from
``value``: string, number and binary sets come back as sorted lists (binary as base64 text),
binary as base64 text; an item without ``value`` answers 500.

Every request, success or error, leaves exactly one structured JSON record, with the status the
caller got, in the logs bucket under ``LOG_PREFIX`` (``<LOG_PREFIX><day>/<request id>.json``); every
answer carries that request id in ``X-Request-Id``. If that write fails, the record goes to
CloudWatch Logs (the function's own log) instead; if even the record cannot be serialised, a
minimal one (request id, status) is logged. No exception escapes ``handler``.

Configuration comes from the environment: ``TABLE_NAME``, ``LOG_BUCKET``, ``LOG_PREFIX`` and
``ALLOWED_ORIGINS`` (comma-separated, for CORS: ``Access-Control-Allow-Origin`` is set, on every
answer including errors, only when the request's ``Origin`` is exactly one of them).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_BODY_BYTES = 16 * 1024
MAX_TTL_SECONDS = 365 * 24 * 3600
TTL_ATTRIBUTE = "expires_at"
VALUE_JSON_ATTRIBUTE = "value_json"
ALLOWED_METHODS = "GET, POST, OPTIONS"
REQUEST_ID_HEADER = "X-Request-Id"
"""Every answer names its request (the Lambda request id), which is also the name of its record in the logs bucket."""

MAX_DIGITS = 38
MAX_ADJUSTED_EXPONENT = 125  # 9.9999999999999999999999999999999999999E+125 is the largest magnitude
MIN_ADJUSTED_EXPONENT = -130  # 1E-130 is the smallest non-zero magnitude
LARGEST = "9.9999999999999999999999999999999999999E+125"
MAX_LEVELS = 32
"""DynamoDB's nesting limit, counted as DynamoDB counts it.

The attribute itself (``value``) is level 1 and every map or list an element sits inside adds
one level, so an element at level 33 is refused. A scalar wrapped in 31 maps or lists is at
level 32 and accepted; wrapped in 32 it is at level 33 and refused (what DynamoDB answers with
"Nesting Levels have exceeded supported limits"). An empty map or list may sit at level 32.
"""
_SCAN_LIMIT = MAX_LEVELS + 1
"""Bracket depth the raw body may reach before ``json.loads`` sees it: the body object (1) plus
the 32 levels of ``value``. Deeper text is refused while scanning, so the parser never recurses
further than this."""

RESPONSE_500 = "the request could not be completed"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SCAN_SPECIALS = re.compile(r'["\\\[\]{},:]')
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER_TEXT = re.compile(r"-?[0-9]+")

logger = logging.getLogger("data_api")
logger.setLevel(logging.INFO)


class HttpError(Exception):
    """An answer other than success; the message is shown to the caller (so it holds no internals)."""

    status = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(HttpError):
    """The caller's input is wrong; the message says how."""

    status = 400


class PayloadTooLarge(HttpError):
    status = 413


class UnsupportedMediaType(HttpError):
    status = 415


class MethodNotAllowed(HttpError):
    status = 405


class NotConfigured(HttpError):
    """The function's environment lacks a setting; the caller gets a 500 saying so."""

    status = 500


class DamagedItem(Exception):
    """A stored item this function cannot answer with (the caller gets a plain 500)."""


class JsonInteger(Decimal):
    """A number written in the JSON text as an integer (no fraction, no exponent)."""


class _NonFinite:
    """What ``NaN``, ``Infinity`` and ``-Infinity`` parse to, so the check can name the field."""

    def __init__(self, token: str) -> None:
        self.token = token


class _Unrepresentable:
    """A number whose exponent is too large even to hold (e.g. ``1e99999999999999999999``)."""


@cache
def _dynamodb():
    return boto3.client("dynamodb")


@cache
def _s3():
    return boto3.client("s3")


def _table_name() -> str:
    name = os.environ.get("TABLE_NAME", "").strip()
    if not name:
        raise NotConfigured("the function is not configured: TABLE_NAME is missing")
    return name


# --- paths in messages ------------------------------------------------------------------------


def _path(segments: list[str | int]) -> str:
    """``["value", "items", 3, "price"]`` -> ``value.items[3].price``; odd keys as ``["a b"]``."""
    text = ""
    for position, segment in enumerate(segments):
        if isinstance(segment, int):
            text += f"[{segment}]"
            continue
        shown = segment if len(segment) <= 64 else segment[:64] + "..."
        if _IDENTIFIER.fullmatch(shown):
            text += shown if position == 0 else f".{shown}"
        else:
            text += f"[{json.dumps(shown)}]"
    if not text or text.startswith("["):
        text = "body" + text
    if len(text) > 400:
        text = text[:150] + "..." + text[-240:]
    return text


def _too_deep(segments: list[str | int]) -> BadRequest:
    return BadRequest(
        f"{_path(segments)} is nested too deeply: DynamoDB allows {MAX_LEVELS} levels "
        f"(the attribute is level 1 and each map or list around an element adds one)"
    )


# --- parsing ----------------------------------------------------------------------------------


def _scan_nesting(text: str) -> None:
    """Refuse text nested deeper than ``_SCAN_LIMIT`` brackets, naming where, before parsing.

    One linear pass over the characters that matter (quotes, backslashes, brackets, commas,
    colons), tracking the key or index at each open level; no recursion.
    """
    frames: list[list[Any]] = []  # [kind, index or key]
    in_string = False
    string_start = -1
    last_string = (0, 0)
    skip = -1
    for match in _SCAN_SPECIALS.finditer(text):
        position, char = match.start(), match.group()
        if position == skip:
            continue
        if in_string:
            if char == "\\":
                skip = position + 1
            elif char == '"':
                in_string = False
                last_string = (string_start, position + 1)
            continue
        if char == '"':
            in_string, string_start = True, position
        elif char in "[{":
            if len(frames) >= _SCAN_LIMIT:
                raise _too_deep([frame[1] for frame in frames])
            frames.append([char, 0 if char == "[" else ""])
        elif char in "]}":
            if frames:
                frames.pop()
        elif char == "," and frames and frames[-1][0] == "[":
            frames[-1][1] += 1
        elif char == ":" and frames and frames[-1][0] == "{":
            frames[-1][1] = _key_text(text[last_string[0] : last_string[1]])


def _key_text(literal: str) -> str:
    try:
        key = json.loads(literal)
    except ValueError:
        return literal
    return key if isinstance(key, str) else literal


def _parse_constant(token: str) -> _NonFinite:
    return _NonFinite(token)


def _parse_float(text: str) -> Decimal | _Unrepresentable:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return _Unrepresentable()


def _parse_int(text: str) -> JsonInteger:
    return JsonInteger(text)


def loads_exact(text: str) -> Any:
    """JSON text -> Python, numbers as ``Decimal`` (``JsonInteger`` for integers); never recurses deep."""
    _scan_nesting(text)
    try:
        return json.loads(text, parse_float=_parse_float, parse_int=_parse_int, parse_constant=_parse_constant)
    except ValueError:  # JSONDecodeError, and anything else a parse hook could raise
        raise BadRequest("the request body is not valid JSON") from None


def _body_text(event: dict[str, Any], headers: dict[str, str]) -> str:
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
    body = event.get("body")
    if body is None or body == "":
        raise BadRequest("the request body is empty; send a JSON object with an id and a value")
    if not isinstance(body, str):
        raise BadRequest("the request body is not JSON text")
    if event.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("the request body is marked base64 but is not") from None
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    if event.get("isBase64Encoded") is not True:
        return body
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8 text") from None


def _parse_post(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    payload = loads_exact(_body_text(event, headers))
    if not isinstance(payload, dict) or set(payload) - {"id", "value", "ttl_seconds"}:
        raise BadRequest("send a JSON object with only id, value and ttl_seconds")
    _check_id(payload.get("id"))
    if "value" not in payload:
        raise BadRequest("value is missing")
    if "ttl_seconds" in payload:
        ttl = payload["ttl_seconds"]
        if not isinstance(ttl, JsonInteger) or not 1 <= ttl <= MAX_TTL_SECONDS:
            raise BadRequest(
                f"ttl_seconds must be a whole number from 1 to {MAX_TTL_SECONDS}, written without a fraction or exponent"
            )
    check_value(payload["value"])
    return payload


def _check_id(item_id: Any) -> str:
    if not isinstance(item_id, str) or not ID_PATTERN.fullmatch(item_id):
        raise BadRequest("id must be 1-64 letters, digits, '_' or '-'")
    return item_id


# --- DynamoDB's limits ------------------------------------------------------------------------


def number_problem(number: Decimal) -> str | None:
    """Why DynamoDB cannot store ``number`` (naming the limit), or None."""
    if not number.is_finite():
        return "is NaN or Infinity, which DynamoDB cannot store"
    if number.is_zero():
        return None
    digits = _significant_digits(number)
    if len(digits) > MAX_DIGITS:
        return f"has {len(digits)} significant digits; DynamoDB keeps at most {MAX_DIGITS}"
    if number.adjusted() > MAX_ADJUSTED_EXPONENT:
        return f"is too large: DynamoDB numbers go up to ±{LARGEST}"
    if number.adjusted() < MIN_ADJUSTED_EXPONENT:
        return "is too close to zero: DynamoDB's smallest non-zero magnitude is 1E-130"
    return None


def _significant_digits(number: Decimal) -> tuple[int, ...]:
    digits = number.as_tuple().digits
    end = len(digits)
    while end > 1 and digits[end - 1] == 0:
        end -= 1
    return digits[:end]


def check_value(value: Any) -> None:
    """Refuse (400, naming the field and the limit) anything in ``value`` DynamoDB cannot store.

    Iterative, so no input can reach Python's recursion limit. Levels as in ``MAX_LEVELS``.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, ["value"])]
    while stack:
        node, segments = stack.pop()
        level = len(segments)  # "value" is level 1; every key or index below adds one
        if level > MAX_LEVELS:
            raise _too_deep(segments)
        if isinstance(node, dict):
            children = []
            for key, child in node.items():
                if _SURROGATE.search(key):
                    raise BadRequest(f"{_path(segments)} has a key with a lone surrogate, which is not Unicode text")
                children.append((child, [*segments, key]))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(child, [*segments, index]) for index, child in enumerate(node)]))
        elif isinstance(node, str):
            if _SURROGATE.search(node):
                raise BadRequest(f"{_path(segments)} has a lone surrogate, which is not Unicode text")
        elif isinstance(node, _NonFinite):
            raise BadRequest(f"{_path(segments)} is {node.token}; DynamoDB stores only finite numbers")
        elif isinstance(node, _Unrepresentable):
            raise BadRequest(f"{_path(segments)} is too large: DynamoDB numbers go up to ±{LARGEST}")
        elif isinstance(node, Decimal):
            problem = number_problem(node)
            if problem:
                raise BadRequest(f"{_path(segments)} {problem}")
        elif node is not None and not isinstance(node, bool):
            raise TypeError(f"unexpected {type(node).__name__} in a parsed body")


def _dynamodb_number(number: Decimal) -> str:
    """The number as DynamoDB stores it: leading and trailing zeros trimmed; zero is ``0``."""
    if number.is_zero():
        return "0"
    sign, digits, exponent = number.as_tuple()
    kept = _significant_digits(number)
    return str(Decimal((sign, kept, exponent + len(digits) - len(kept))))


def to_attribute(value: Any, depth: int = 0) -> dict[str, Any]:
    """A checked value -> a DynamoDB AttributeValue (depth is bounded by ``check_value``)."""
    if depth > MAX_LEVELS:
        raise ValueError("value nested beyond the checked depth")
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Decimal):
        return {"N": _dynamodb_number(value)}
    if isinstance(value, list):
        return {"L": [to_attribute(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_attribute(v, depth + 1) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__}")


def from_attribute(attribute: Any, depth: int = 0) -> Any:
    """A stored AttributeValue -> JSON-ready Python; sets become sorted lists, binary base64 text."""
    if depth > MAX_LEVELS + 1 or not isinstance(attribute, dict) or len(attribute) != 1:
        raise DamagedItem("the stored value is not an attribute value this function reads")
    ((kind, data),) = attribute.items()
    try:
        if kind == "S" and isinstance(data, str):
            return data
        if kind == "N":
            return _stored_number(data)
        if kind == "BOOL" and isinstance(data, bool):
            return data
        if kind == "NULL":
            return None
        if kind == "L":
            return [from_attribute(v, depth + 1) for v in data]
        if kind == "M":
            return {str(k): from_attribute(v, depth + 1) for k, v in data.items()}
        if kind == "SS":
            return sorted(str(v) for v in data)
        if kind == "NS":
            return [_stored_number(v) for v in sorted(data, key=Decimal)]
        if kind == "B":
            return base64.b64encode(bytes(data)).decode("ascii")
        if kind == "BS":
            return [base64.b64encode(v).decode("ascii") for v in sorted(bytes(v) for v in data)]
    except (TypeError, ValueError, AttributeError, InvalidOperation) as error:
        raise DamagedItem(f"the stored {kind} value cannot be read: {type(error).__name__}") from None
    raise DamagedItem(f"the stored value has the type {kind!r}, which this function does not read")


def _stored_number(text: Any) -> Decimal:
    if not isinstance(text, str):
        raise TypeError("a number attribute that is not text")
    number = JsonInteger(text) if _INTEGER_TEXT.fullmatch(text) else Decimal(text)
    if not number.is_finite():
        raise ValueError("a number attribute that is not finite")
    return number


# --- JSON out ---------------------------------------------------------------------------------


def dumps_exact(value: Any, *, ascii_only: bool = True, depth: int = 0) -> str:
    """Compact JSON with every number written exactly (``Decimal`` by ``str``; type kept)."""
    if depth > MAX_LEVELS + 2:
        raise ValueError("nested beyond what this function writes")
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    if isinstance(value, JsonInteger):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        text = str(value)
        # Decimal("1e0") prints as "1"; keep it a decimal in the JSON as well.
        return text if "." in text or "E" in text else text + "E0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(dumps_exact(v, ascii_only=ascii_only, depth=depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        members = (
            json.dumps(str(k), ensure_ascii=ascii_only) + ":" + dumps_exact(v, ascii_only=ascii_only, depth=depth + 1)
            for k, v in value.items()
        )
        return "{" + ",".join(members) + "}"
    raise TypeError(f"{type(value).__name__} is not JSON")


# --- requests ---------------------------------------------------------------------------------


def _headers(event: dict[str, Any]) -> dict[str, str]:
    raw = event.get("headers")
    if not isinstance(raw, dict):
        return {}
    return {k.lower(): v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def _handle(event: dict[str, Any], headers: dict[str, str], record: dict[str, Any]) -> tuple[int, Any]:
    method = event.get("httpMethod")
    if method not in ("GET", "POST"):
        raise MethodNotAllowed("use GET or POST", headers={"Allow": ALLOWED_METHODS})
    table = _table_name()
    if method == "POST":
        payload = _parse_post(event, headers)
        record["item_id"] = payload["id"]
        now = int(time.time())
        item = {
            "id": {"S": payload["id"]},
            "value": to_attribute(payload["value"]),
            VALUE_JSON_ATTRIBUTE: {"S": dumps_exact(payload["value"], ascii_only=False)},
            "stored_at": {"N": str(now)},
        }
        if "ttl_seconds" in payload:
            item[TTL_ATTRIBUTE] = {"N": str(now + int(payload["ttl_seconds"]))}
        try:
            _dynamodb().put_item(TableName=table, Item=item)
        except ClientError as error:
            reason = _refused_item_reason(error)
            if reason is None:
                raise
            record["error"] = _describe(error)
            raise BadRequest(f"the item is not one DynamoDB can store: {reason}") from None
        return 201, {"id": payload["id"]}
    query = event.get("queryStringParameters")
    item_id = _check_id(query.get("id") if isinstance(query, dict) else None)
    record["item_id"] = item_id
    item = _dynamodb().get_item(TableName=table, Key={"id": {"S": item_id}}).get("Item")
    if item is None:
        return 404, {"message": f"no item with id {item_id}"}
    return 200, {"id": item_id, "value": _stored_value(item)}


def _stored_value(item: dict[str, Any]) -> Any:
    stored_json = item.get(VALUE_JSON_ATTRIBUTE)
    if stored_json is not None:
        if not isinstance(stored_json, dict) or not isinstance(stored_json.get("S"), str):
            raise DamagedItem("value_json is not a string attribute")
        try:
            value = loads_exact(stored_json["S"])
            check_value(value)
        except BadRequest:
            raise DamagedItem("value_json is not JSON this function reads") from None
        return value
    if "value" not in item:
        raise DamagedItem("the stored item has no value")
    return from_attribute(item["value"])


_REFUSAL_REASONS = (
    ("overflow", "a number is too large"),
    ("underflow", "a number is too close to zero"),
    ("significant digits", "a number has too many digits"),
    ("precision", "a number has too many digits"),
    ("nesting", "it is nested too deeply"),
    ("nested", "it is nested too deeply"),
    ("item size", "it is too large"),
    ("empty", "it holds an empty name or set"),
)
_SERVER_SIDE_VALIDATION = re.compile(r"(?i)missing the key|for key|key attribute|key schema|key element|table")


def _refused_item_reason(error: ClientError) -> str | None:
    """A short reason of ours when DynamoDB refused the item itself, None for a server-side fault."""
    details = error.response.get("Error", {}) if isinstance(error.response, dict) else {}
    if details.get("Code") != "ValidationException":
        return None
    message = str(details.get("Message", ""))
    if _SERVER_SIDE_VALIDATION.search(message):
        return None  # the table does not match this function (key schema): not the caller's fault
    lowered = message.lower()
    for needle, reason in _REFUSAL_REASONS:
        if needle in lowered:
            return reason
    return "it breaks one of DynamoDB's rules for items"


def _describe(error: BaseException) -> str:
    """For the record only (never the caller): the exception's class and text, shortened."""
    try:
        return f"{type(error).__name__}: {error}"[:1000]
    except Exception:
        return type(error).__name__


# --- records and responses --------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(value: Any, limit: int = 256) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _request_id(context: Any) -> str:
    try:
        request_id = getattr(context, "aws_request_id", None)
    except Exception:  # an odd context object must not fail the request
        request_id = None
    return request_id[:128] if isinstance(request_id, str) and request_id else "local"


def _cors(headers: dict[str, str]) -> dict[str, str]:
    """``Access-Control-Allow-Origin`` only for an allowed origin (exact match, as the preflight)."""
    allowed = [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    if not allowed:
        return {}
    origin = headers.get("origin")
    if origin and origin in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


def _response(status: int, body: Any, cors: dict[str, str], extra: dict[str, str], request_id: str) -> dict[str, Any]:
    out = {"Content-Type": "application/json", REQUEST_ID_HEADER: request_id, **cors, **extra}
    return {"statusCode": status, "headers": out, "body": dumps_exact(body)}


def _log_minimal(record: dict[str, Any], reason: str) -> None:
    try:
        logger.warning(
            json.dumps(
                {
                    "request_id": str(record.get("request_id")),
                    "status": record.get("status"),
                    "log_fallback_reason": reason,
                }
            )
        )
    except Exception:  # noqa: S110 - the last resort has no further fallback
        pass


def _write_record(record: dict[str, Any]) -> None:
    """One JSON record per request in the logs bucket; CloudWatch Logs if that fails. Never raises."""
    try:
        record.setdefault("timestamp", _now())
        body = json.dumps(record, sort_keys=True, default=str)
        day = str(record["timestamp"])[:10]
        key = f"{os.environ.get('LOG_PREFIX', 'data-api/')}{day}/{record['request_id']}.json"
    except Exception as error:
        _log_minimal(record, f"record not serialisable: {type(error).__name__}")
        return
    try:
        bucket = os.environ.get("LOG_BUCKET", "")
        if not bucket:
            raise KeyError("LOG_BUCKET")
        _s3().put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
    except Exception as error:  # any failure here falls back to CloudWatch Logs
        if isinstance(error, ClientError):
            reason = str(error.response.get("Error", {}).get("Code") or type(error).__name__)
        elif isinstance(error, KeyError):
            reason = "LOG_BUCKET is missing"
        else:
            reason = type(error).__name__
        record["log_fallback_reason"] = reason
        try:
            logger.warning(json.dumps(record, sort_keys=True, default=str))
        except Exception as second:
            _log_minimal(record, f"{reason}; then {type(second).__name__}")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    request_id = _request_id(context)
    record: dict[str, Any] = {"request_id": request_id}
    headers: dict[str, str] = {}
    cors: dict[str, str] = {}
    extra: dict[str, str] = {}
    try:
        record["timestamp"] = _now()
        event = event if isinstance(event, dict) else {}
        headers = _headers(event)
        cors = _cors(headers)
        context_info = event.get("requestContext")
        identity = context_info.get("identity") if isinstance(context_info, dict) else None
        record.update(
            {
                "method": _text(event.get("httpMethod")),
                "path": _text(event.get("path"), 1024),
                "source_ip": _text(identity.get("sourceIp")) if isinstance(identity, dict) else None,
            }
        )
        status, body = _handle(event, headers, record)
    except HttpError as error:
        status, extra = error.status, error.headers
        body = {"message": error.message}
        if status >= 500:
            body["request_id"] = request_id
            record["error"] = error.message
        else:
            record["reason"] = error.message[:500]
    except Exception as error:  # one catch-all: the cause goes to the record, never to the caller
        record["error"] = _describe(error)
        status, body = 500, {"message": RESPONSE_500, "request_id": request_id}
    try:
        response = _response(status, body, cors, extra, request_id)
    except Exception as error:
        record["error"] = _describe(error)
        status = 500
        response = {
            "statusCode": 500,
            "headers": {"Content-Type": "application/json", REQUEST_ID_HEADER: request_id, **cors},
            "body": json.dumps({"message": RESPONSE_500, "request_id": request_id}),
        }
    record["status"] = status
    record["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
    _write_record(record)
    return response
