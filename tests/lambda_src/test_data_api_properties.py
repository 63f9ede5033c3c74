"""Properties of the /data handler over arbitrary bodies and event shapes (hypothesis, moto).

Whatever it is sent, the handler answers a fitting status with a JSON object that holds nothing
internal, sets CORS only for an allowed origin, and leaves exactly one record with that status.
And what it stores comes back exactly: every number with its digits and its JSON type.

One moto session serves all the examples of this module; each example has its own request id and
its own ``LOG_PREFIX``, so its records are counted alone.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.lambda_src.support import (
    ALLOWED_ORIGIN,
    INTERNALS,
    STATUSES,
    Captured,
    event,
    exact,
    invoke,
    records,
)

EXAMPLES = settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_numbers = itertools.count()
LARGEST = "9.9999999999999999999999999999999999999E+125"


def fresh_request_id(kind: str) -> str:
    request_id = f"{kind}-{next(_numbers)}"
    os.environ["LOG_PREFIX"] = f"fuzz/{request_id}/"
    return request_id


# --- strategies: JSON written as text, so numbers, NaN and surrogates are spelled as we choose ---

EDGE_NUMBERS = [
    "1e400", "1e+127", "1e-200", "1e-131", "9" * 39, "1." + "0" * 38, "1e99999999999999999999999",
    "-1e-99999999999999999999999", "0e-99999", "0E+99999999999999999999999", "-0", "1E-130", "-1e-130", LARGEST,
    "-" + LARGEST, "9.99999999999999999999999999999999999999E+125", "1e0", "1.0", "1" + "0" * 125, "1" + "0" * 126,
    "0.1234567890123456789012345678901234567891", "12345678901234567890123456789012345678",
]  # fmt: skip
HUGE_NUMBERS = ["7" * 4301, "1" + "0" * 4300, "-" + "9" * 5000]
number_tokens = st.one_of(
    st.integers().map(str),
    st.from_regex(r"-?(0|[1-9][0-9]{0,45})(\.[0-9]{1,45})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(EDGE_NUMBERS),
    st.sampled_from(EDGE_NUMBERS),
)
constant_tokens = st.sampled_from(["NaN", "Infinity", "-Infinity", "true", "false", "null"])
odd_characters = st.sampled_from(['"', "\\", "[", "]", "{", "}", ",", ":", "\x00", "é", "\U0001f600"])
surrogates = st.sampled_from(["\ud800", "\udfff", "\udbff"])
string_values = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.one_of(st.characters(), odd_characters), max_size=12),
    st.text(alphabet=st.one_of(st.characters(), surrogates), max_size=12),
)
# Keys appear in messages (as paths); lower case keeps a class name such as "Error" out of them by chance.
key_values = st.one_of(
    st.text(alphabet=st.sampled_from("abcxyz019 _-"), max_size=6),
    st.text(alphabet=st.one_of(st.sampled_from("abcxyz019 _-"), odd_characters, surrogates), max_size=6),
)
string_tokens = st.builds(lambda s, ascii_only: json.dumps(s, ensure_ascii=ascii_only), string_values, st.booleans())
key_tokens = st.builds(lambda s, ascii_only: json.dumps(s, ensure_ascii=ascii_only), key_values, st.booleans())

json_texts = st.recursive(
    st.one_of(number_tokens, constant_tokens, string_tokens),
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(key_tokens, children), max_size=4).map(
            lambda members: "{" + ",".join(f"{k}:{v}" for k, v in members) + "}"
        ),
    ),
    max_leaves=12,
)


def wrap(inner: str, levels: int, maps: bool) -> str:
    return '{"k":' * levels + inner + "}" * levels if maps else "[" * levels + inner + "]" * levels


deep_texts = st.builds(
    wrap, json_texts, st.one_of(st.integers(0, 3), st.integers(28, 36), st.sampled_from([163, 2000])), st.booleans()
)
ids = st.one_of(st.sampled_from(["a", "b", "item-1"]), st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True))
id_tokens = st.one_of(ids.map(json.dumps), ids.map(json.dumps), ids.map(json.dumps), json_texts)
ttl_tokens = st.one_of(
    st.integers(-2, 31536002).map(str), number_tokens, constant_tokens, string_tokens, st.sampled_from(HUGE_NUMBERS)
)


def one_in(n: int) -> st.SearchStrategy[bool]:
    return st.sampled_from([False] * (n - 1) + [True])


@st.composite
def object_bodies(draw) -> str:
    """Mostly well-formed requests (so the value checks are reached), now and then something missing or extra."""
    members = [] if draw(one_in(10)) else [f'"id":{draw(id_tokens)}']
    if not draw(one_in(10)):
        value = draw(st.sampled_from(HUGE_NUMBERS) if draw(one_in(30)) else st.one_of(json_texts, deep_texts))
        members.append(f'"value":{value}')
    if draw(one_in(4)):
        members.append(f'"ttl_seconds":{draw(ttl_tokens)}')
    if draw(one_in(20)):
        members.append(f"{draw(key_tokens)}:{draw(json_texts)}")
    if draw(one_in(30)):
        members.append('"pad":"' + "x" * 17000 + '"')
    members = draw(st.permutations(members))
    return "{" + draw(st.sampled_from([",", " , ", ",\n"])).join(members) + "}"


bodies = st.one_of(
    object_bodies(),
    object_bodies(),
    object_bodies(),
    json_texts,
    st.text(max_size=30),
    st.lists(
        st.sampled_from(["{", "}", "[", "]", '"', ":", ",", "1", "\ud800", "NaN", " ", '"value"']), max_size=40
    ).map("".join),
    st.sampled_from([None, "", "   ", "\ufeff{}", '{"id": "a", "value": 1', "[" * 5000]),
)

origin_names = st.sampled_from(["origin", "Origin", "ORIGIN", "oRiGiN"])
type_names = st.sampled_from(["content-type", "Content-Type", "CONTENT-TYPE"])
origins = st.sampled_from([ALLOWED_ORIGIN, "https://evil.example.net", "", "HTTPS://APP.EXAMPLE.COM", "null"])
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "text/plain", "", "application/xml"]
)
header_maps = st.lists(
    st.one_of(
        st.tuples(origin_names, origins),
        st.tuples(type_names, content_types),
        st.tuples(st.text(max_size=4), st.text(max_size=4)),
    ),
    max_size=4,
).map(dict)
headers = st.one_of(
    header_maps,
    header_maps,
    st.none(),
    st.sampled_from([[], "origin", 7]),
    st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), st.one_of(st.none(), st.integers()), max_size=2),
)
methods = st.one_of(
    st.sampled_from(["GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "get", "post", ""]),
    st.none(),
    st.integers(),
)
queries = st.one_of(
    st.none(),
    st.fixed_dictionaries({"id": st.one_of(ids, ids, st.text(max_size=5), st.none(), st.integers())}),
    st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=3), st.none()), max_size=2),
    st.sampled_from(["junk", [], 3]),
)
request_contexts = st.one_of(
    st.none(),
    st.just({}),
    st.just("junk"),
    st.fixed_dictionaries(
        {
            "identity": st.one_of(
                st.none(), st.just({}), st.fixed_dictionaries({"sourceIp": st.sampled_from(["203.0.113.9", None, 5])})
            )
        }
    ),
)
event_parts = {
    "path": st.one_of(st.just("/data"), st.none(), st.text(max_size=5)),
    "body": st.one_of(bodies, bodies, st.integers(), st.just({"id": "a"})),
    "headers": headers,
    "queryStringParameters": queries,
    "requestContext": request_contexts,
    "isBase64Encoded": st.sampled_from([False, False, None, True, "true"]),
}
events = st.one_of(
    st.fixed_dictionaries({"httpMethod": st.sampled_from(["GET", "POST"])}, optional=event_parts),
    st.fixed_dictionaries({"httpMethod": st.sampled_from(["GET", "POST"])}, optional=event_parts),
    st.fixed_dictionaries({}, optional={"httpMethod": methods, **event_parts}),
)


# --- the property -----------------------------------------------------------------------------


def expected_origin(an_event: Any) -> str | None:
    """The Origin a browser sent, by header name in any case (the last one if sent twice)."""
    found = None
    raw = an_event.get("headers") if isinstance(an_event, dict) else None
    for name, value in raw.items() if isinstance(raw, dict) else ():
        if isinstance(name, str) and isinstance(value, str) and name.lower() == "origin":
            found = value
    return found


def check_answer(response: Any, an_event: Any, request_id: str, session, captured: Captured) -> int:
    assert isinstance(response, dict) and set(response) == {"statusCode", "headers", "body"}
    status = response["statusCode"]
    assert status in STATUSES
    headers = response["headers"]
    assert headers["Content-Type"] == "application/json"
    text = response["body"]
    body = json.loads(text)
    assert isinstance(body, dict) and isinstance(body.get("message", ""), str)
    leaked = [word for word in INTERNALS if word in text]
    assert not leaked, (leaked, text)
    if status >= 500:
        assert body == {"message": body["message"], "request_id": request_id}
    if status == 405:
        assert headers["Allow"] == "GET, POST, OPTIONS"
    origin = expected_origin(an_event)
    if origin == ALLOWED_ORIGIN:
        assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    else:
        assert "Access-Control-Allow-Origin" not in headers
    written = records(session, prefix=f"fuzz/{request_id}/")
    logged = [json.loads(m) for m in captured.messages if json.loads(m).get("request_id") == request_id]
    assert [r["status"] for r in written + logged] == [status], "exactly one record, with the status returned"
    assert all(r["request_id"] == request_id for r in written)
    return status


def capture():
    captured = Captured()
    logging.getLogger("data_api").addHandler(captured)
    return captured


body_headers = st.one_of(
    st.fixed_dictionaries({}, optional={"Origin": origins, "Content-Type": st.just("application/json")}),
    st.fixed_dictionaries({}, optional={"origin": origins, "content-type": st.just("application/json; charset=utf-8")}),
    header_maps,
)


@EXAMPLES
@given(body=bodies, headers=body_headers, base64_body=st.sampled_from([False] * 9 + [True]))
def test_any_body_is_answered_once_and_recorded_once(shared_aws, body, headers, base64_body):
    request_id = fresh_request_id("body")
    an_event = event("POST", body=body, headers=headers)
    if base64_body and isinstance(body, str):
        an_event["body"] = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
        an_event["isBase64Encoded"] = True
    captured = capture()
    try:
        response = invoke(an_event, request_id)
        check_answer(response, an_event, request_id, shared_aws, captured)
    finally:
        logging.getLogger("data_api").removeHandler(captured)


@EXAMPLES
@given(an_event=st.one_of(events, events, events, st.none(), st.integers(), st.lists(st.integers(), max_size=2)))
def test_any_event_is_answered_once_and_recorded_once(shared_aws, an_event):
    request_id = fresh_request_id("event")
    captured = capture()
    try:
        response = invoke(an_event, request_id)
        check_answer(response, an_event, request_id, shared_aws, captured)
    finally:
        logging.getLogger("data_api").removeHandler(captured)


# --- round trip -------------------------------------------------------------------------------


class Raw(str):
    """A JSON token, written as is."""


@st.composite
def storable_numbers(draw) -> Raw:
    """A number DynamoDB can store (<= 38 significant digits, 1E-130 <= |n| <= 9.99..E+125, or zero), in many spellings."""
    kind = draw(st.sampled_from(["integer", "scientific", "fixed", "zero"]))
    sign = draw(st.sampled_from(["", "-"]))
    if kind == "integer":
        whole = draw(st.integers(0, 10**38 - 1))
        return Raw(sign + str(whole) + ("0" * draw(st.sampled_from([0, 0, 1, 50, 87])) if whole else ""))
    if kind == "zero":
        return Raw(sign + draw(st.sampled_from(["0", "0.0", "0.000", "0e5", "0E-200", "0.00e+7"])))
    digits = draw(st.from_regex(r"[1-9][0-9]{0,37}", fullmatch=True))
    zeros = "0" * draw(st.sampled_from([0, 0, 1, 3, 20]))
    adjusted = draw(st.integers(-130, 125))
    mantissa = digits[0] + ("." + digits[1:] + zeros if len(digits) > 1 or zeros else "")
    if kind == "fixed" and -30 <= adjusted <= 40:
        return Raw(format(Decimal(f"{sign}{mantissa}E{adjusted}"), "f"))
    exponent = draw(st.sampled_from(["e", "E", "e+", "E+"])) if adjusted >= 0 else draw(st.sampled_from(["e", "E"]))
    return Raw(f"{sign}{mantissa}{exponent}{adjusted}")


storable_values = st.recursive(
    st.one_of(
        storable_numbers(),
        st.text(max_size=20),
        st.sampled_from([Raw("true"), Raw("false"), Raw("null")]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        # moto cannot store an empty map key (it raises inside put_item), so keys here have a character.
        st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=5),
    ),
    max_leaves=30,
)


def render(value: Any, ascii_only: bool) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    if isinstance(value, list):
        return "[" + ",".join(render(v, ascii_only) for v in value) + "]"
    return (
        "{"
        + ",".join(json.dumps(k, ensure_ascii=ascii_only) + ":" + render(v, ascii_only) for k, v in value.items())
        + "}"
    )


def containers_deep(value: Any) -> int:
    if isinstance(value, Raw) or isinstance(value, str):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((containers_deep(v) for v in children), default=0)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=storable_values, wrapping=st.integers(0, 6), ascii_only=st.booleans())
def test_post_then_get_returns_every_number_and_string_exactly(shared_aws, value, wrapping, ascii_only):
    text = wrap(render(value, ascii_only), wrapping, maps=False)
    assume(containers_deep(value) + wrapping <= 31)
    body = '{"id": "round-trip", "value": ' + text + "}"
    assume(len(body.encode()) <= 16384)
    posted = invoke(event("POST", body=body), fresh_request_id("post"))
    assert posted["statusCode"] == 201, (posted, body)
    answer = invoke(event("GET", item_id="round-trip"), fresh_request_id("get"))
    assert answer["statusCode"] == 200, answer
    assert exact(answer["body"]) == {"id": "round-trip", "value": exact(text)}
