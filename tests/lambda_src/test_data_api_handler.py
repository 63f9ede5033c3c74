"""The /data handler against moto's in-process DynamoDB and S3."""

from __future__ import annotations

import base64
import json
import logging
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from lambda_src.data_api import handler as data_api
from tests.lambda_src.support import BUCKET, INTERNALS, TABLE, call, event, exact, invoke, records


def stored(aws, item_id):
    return aws.dynamodb.get_item(TableName=TABLE, Key={"id": {"S": item_id}}).get("Item")


def post_raw(value_text, *, item_id="a", request_id="req-1", **kwargs):
    """POST a body whose value is written as raw JSON text (so numbers keep their exact spelling)."""
    return call("POST", body=f'{{"id": "{item_id}", "value": {value_text}}}', request_id=request_id, **kwargs)


def get_value_text(item_id="a", request_id="req-get"):
    response = invoke(event("GET", item_id=item_id), request_id)
    assert response["statusCode"] == 200, response
    return response["body"]


def assert_one_record(aws, status, request_id="req-1"):
    found = [r for r in records(aws) if r["request_id"] == request_id]
    assert [r["status"] for r in found] == [status]
    return found[0]


def assert_no_internals(body):
    text = json.dumps(body)
    assert not [word for word in INTERNALS if word in text], text


# --- what worked before -----------------------------------------------------------------------


def test_post_then_get_round_trips_an_item(aws):
    status, body, _ = call("POST", body={"id": "order-1", "value": {"qty": 2, "price": 9.5}, "ttl_seconds": 60})
    assert (status, body) == (201, {"id": "order-1"})
    item = stored(aws, "order-1")
    assert "expires_at" in item
    assert item["value"] == {"M": {"qty": {"N": "2"}, "price": {"N": "9.5"}}}, "value stays native and queryable"
    status, body, _ = call("GET", item_id="order-1", request_id="req-2")
    assert (status, body) == (200, {"id": "order-1", "value": {"qty": 2, "price": 9.5}})


def test_every_answer_names_its_request_and_so_its_record(aws):
    """``X-Request-Id`` is the Lambda request id, which names the request's record: a caller (the smoke test) finds it."""
    answers = [call("POST", body={"id": "a", "value": 1}, request_id="req-ok"), call("DELETE", request_id="req-405"), call("GET", request_id="req-400")]
    assert [(status, headers["X-Request-Id"]) for status, _, headers in answers] == [(201, "req-ok"), (405, "req-405"), (400, "req-400")]
    assert sorted(r["request_id"] for r in records(aws)) == ["req-400", "req-405", "req-ok"]


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


# --- regressions: valid JSON that crashed the handler -----------------------------------------


@pytest.mark.parametrize(
    "value_text, field",
    [
        ("1e400", "value"),
        ("[1e+127]", "value[0]"),
        ('{"items": [0, 1, 2, {"price": -1E+126}]}', "value.items[3].price"),
    ],
)
def test_regression_overflowing_number_is_a_400_naming_the_field(aws, value_text, field):
    status, body, _ = post_raw(value_text)
    assert status == 400
    assert (
        body["message"]
        == f"{field} is too large: DynamoDB numbers go up to ±9.9999999999999999999999999999999999999E+125"
    )
    assert_one_record(aws, 400)


@pytest.mark.parametrize("value_text, field", [("1e-200", "value"), ('{"a b": [1E-131]}', 'value["a b"][0]')])
def test_regression_underflowing_number_is_a_400_naming_the_field(aws, value_text, field):
    status, body, _ = post_raw(value_text)
    assert status == 400
    assert body["message"] == f"{field} is too close to zero: DynamoDB's smallest non-zero magnitude is 1E-130"
    assert_one_record(aws, 400)


def test_regression_numbers_at_dynamodb_limits_are_stored(aws):
    limits = ["9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125",
              "1E-130", "-1e-130", "0", "-0", "0e-999", "0.000e400", "1" + "0" * 125]  # fmt: skip
    status, _, _ = post_raw("[" + ",".join(limits) + "]")
    assert status == 201
    assert exact(get_value_text())["value"] == exact("[" + ",".join(limits) + "]")
    assert [n["N"] for n in stored(aws, "a")["value"]["L"]] == [
        "9.9999999999999999999999999999999999999E+125",
        "-9.9999999999999999999999999999999999999E+125",
        "1E-130",
        "-1E-130",
        "0",
        "0",
        "0",
        "0",
        "1E+125",
    ], "the native value holds numbers as DynamoDB stores them (trimmed), zero as 0"


def test_regression_too_many_digits_is_a_400_naming_the_field(aws):
    status, body, _ = post_raw('{"n": ' + "9" * 39 + "}")
    assert status == 400
    assert body["message"] == "value.n has 39 significant digits; DynamoDB keeps at most 38"
    assert_one_record(aws, 400)


def test_regression_trailing_zeros_are_not_significant_digits_and_round_trip(aws):
    one = "1." + "0" * 38
    status, _, _ = post_raw(one)
    assert status == 201
    assert exact(get_value_text())["value"] == exact(one), "all 38 zeros come back"
    assert stored(aws, "a")["value"] == {"N": "1"}


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_regression_nan_and_infinity_are_a_400_naming_the_field(aws, token):
    status, body, _ = post_raw(f'{{"x": [1, {token}]}}')
    assert status == 400
    assert body["message"] == f"value.x[1] is {token}; DynamoDB stores only finite numbers"
    assert_one_record(aws, 400)


def test_regression_4301_digit_integer_value_is_a_400_not_a_crash(aws):
    status, body, _ = post_raw("7" * 4301)
    assert status == 400
    assert body["message"] == "value has 4301 significant digits; DynamoDB keeps at most 38"
    status, body, _ = post_raw("1" + "0" * 4300, request_id="req-2")
    assert status == 400 and body["message"].startswith("value is too large")
    assert_one_record(aws, 400)


def test_regression_4301_digit_ttl_seconds_is_a_400_not_a_crash(aws):
    status, body, _ = call("POST", body='{"id": "a", "value": 1, "ttl_seconds": ' + "7" * 4301 + "}")
    assert status == 400 and body["message"].startswith("ttl_seconds must be a whole number from 1 to 31536000")
    assert_one_record(aws, 400)


def test_regression_an_exponent_too_large_to_hold_is_a_400_not_a_crash(aws):
    status, body, _ = post_raw("[1e99999999999999999999999]")
    assert status == 400 and body["message"].startswith("value[0] is too large")
    assert_one_record(aws, 400)


@pytest.mark.parametrize("levels", [33, 163, 2000])
@pytest.mark.parametrize("kind", ["lists", "maps"])
def test_regression_deep_nesting_is_a_400_naming_the_field(aws, kind, levels):
    opening, closing, step = ("[", "]", "[0]") if kind == "lists" else ('{"k":', "}", ".k")
    status, body, _ = post_raw(opening * levels + "1" + closing * levels)
    assert status == 400
    field = "value" + step * 32
    assert body["message"] == (
        f"{field} is nested too deeply: DynamoDB allows 32 levels "
        "(the attribute is level 1 and each map or list around an element adds one)"
    )
    assert_one_record(aws, 400)


def test_regression_nesting_is_counted_the_way_dynamodb_counts(aws):
    # value is level 1: a scalar inside 31 maps/lists is at level 32 (accepted), inside 32 at level 33 (refused).
    assert post_raw("[" * 31 + "1" + "]" * 31, request_id="r1")[0] == 201
    assert exact(get_value_text()) == exact('{"id": "a", "value": ' + "[" * 31 + "1" + "]" * 31 + "}")
    assert post_raw('{"k":' * 31 + '"x"' + "}" * 31, request_id="r2")[0] == 201
    assert post_raw("[" * 32 + "]" * 32, request_id="r3")[0] == 201, "an empty list may sit at level 32"
    status, body, _ = post_raw("[" * 32 + "1" + "]" * 32, request_id="r4")
    assert status == 400 and body["message"].startswith("value" + "[0]" * 32 + " is nested too deeply")
    status, body, _ = post_raw("[" * 33 + "]" * 33, request_id="r5")
    assert status == 400 and "32 levels" in body["message"]


def test_regression_brackets_inside_strings_do_not_count_as_nesting(aws):
    text = json.dumps({"id": "a", "value": {"s": "[" * 500 + '\\"{' * 300, "t": ["]]]"]}})
    status, _, _ = call("POST", body=text)
    assert status == 201
    assert json.loads(get_value_text())["value"]["s"] == "[" * 500 + '\\"{' * 300


@pytest.mark.parametrize(
    "body, message",
    [
        ('{"id": "a", "value": "x\ud800y"}', "value has a lone surrogate, which is not Unicode text"),
        ('{"id": "a", "value": {"s": ["\\udc00"]}}', "value.s[0] has a lone surrogate, which is not Unicode text"),
        ('{"id": "a", "value": {"k\\ud800": 1}}', "value has a key with a lone surrogate, which is not Unicode text"),
        ('{"id": "a", "value": 1}\ud800', "the request body is not valid JSON"),
    ],
)
def test_regression_lone_surrogate_is_a_400_not_a_crash(aws, body, message):
    status, answer, _ = call("POST", body=body)
    assert (status, answer["message"]) == (400, message)
    assert_one_record(aws, 400)


def test_regression_lone_surrogates_count_in_the_size_check(aws):
    body = '{"id": "a", "value": "' + "\ud800" * 6000 + '"}'  # 18,000+ bytes when encoded with surrogatepass
    status, answer, _ = call("POST", body=body)
    assert status == 413 and "16384 bytes" in answer["message"]
    assert_one_record(aws, 413)


# --- regressions: what DynamoDB refuses is the caller's mistake ------------------------------


def test_regression_a_number_dynamodb_refuses_is_a_400_not_a_500(aws, monkeypatch):
    # Take our own check out of the way so the number reaches (moto's) DynamoDB, which refuses it.
    monkeypatch.setattr(data_api, "number_problem", lambda number: None)
    status, body, _ = post_raw("1e-131")
    assert (status, body) == (400, {"message": "the item is not one DynamoDB can store: a number is too close to zero"})
    record = assert_one_record(aws, 400)
    assert "ValidationException" in record["error"]


@pytest.mark.parametrize(
    "message, answer",
    [
        ("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
         "the item is not one DynamoDB can store: it is nested too deeply"),
        ("Number overflow. Attempting to store a number with magnitude larger than supported range",
         "the item is not one DynamoDB can store: a number is too large"),
        ("Item size has exceeded the maximum allowed size", "the item is not one DynamoDB can store: it is too large"),
        ("Something new", "the item is not one DynamoDB can store: it breaks one of DynamoDB's rules for items"),
    ],
)  # fmt: skip
def test_regression_a_dynamodb_validation_exception_on_the_item_is_a_400(aws, monkeypatch, message, answer):
    def refuse(**_):
        raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "PutItem")

    monkeypatch.setattr(data_api._dynamodb(), "put_item", refuse)
    status, body, _ = post_raw("1")
    assert (status, body) == (400, {"message": answer})
    assert_one_record(aws, 400)


def test_regression_a_validation_exception_about_the_table_key_stays_a_500(aws, monkeypatch):
    def refuse(**_):
        message = "One or more parameter values were invalid: Missing the key pk in the item"
        raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "PutItem")

    monkeypatch.setattr(data_api._dynamodb(), "put_item", refuse)
    status, body, _ = post_raw("1", request_id="req-3")
    assert (status, body) == (500, {"message": "the request could not be completed", "request_id": "req-3"})
    assert_one_record(aws, 500, "req-3")


# --- regressions: the smaller points ----------------------------------------------------------


@pytest.mark.parametrize(
    "attribute, value",
    [
        ({"SS": ["b", "a", "c"]}, ["a", "b", "c"]),
        ({"NS": ["10", "9", "-1.5"]}, [-1.5, 9, 10]),
        ({"BS": [b"\x02", b"\x00\x01"]}, ["AAE=", "Ag=="]),
        ({"B": b"\x00\xff"}, "AP8="),
        ({"M": {"s": {"SS": ["y", "x"]}, "n": {"N": "100"}}}, {"s": ["x", "y"], "n": 100}),
    ],
)
def test_regression_get_of_a_set_or_binary_value_is_answered_as_lists_and_base64(aws, attribute, value):
    aws.dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "legacy"}, "value": attribute})
    status, body, _ = call("GET", item_id="legacy")
    assert (status, body) == (200, {"id": "legacy", "value": value})
    assert_one_record(aws, 200)


def test_regression_get_of_an_item_without_value_is_a_500_recorded_as_500(aws):
    aws.dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "broken"}})
    status, body, _ = call("GET", item_id="broken", request_id="req-5")
    assert (status, body) == (500, {"message": "the request could not be completed", "request_id": "req-5"})
    record = assert_one_record(aws, 500, "req-5")
    assert "no value" in record["error"]


def test_regression_get_of_an_item_with_damaged_value_json_is_a_500_recorded_as_500(aws):
    aws.dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "bad"}, "value": {"N": "1"}, "value_json": {"S": "{"}})
    assert call("GET", item_id="bad")[0] == 500
    assert_one_record(aws, 500)


def test_regression_get_of_an_item_without_value_json_answers_from_value(aws):
    aws.dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "old"}, "value": {"M": {"p": {"N": "9.5"}}}})
    assert call("GET", item_id="old")[:2] == (200, {"id": "old", "value": {"p": 9.5}})


def test_regression_a_missing_table_name_is_a_recorded_500(aws, monkeypatch):
    monkeypatch.delenv("TABLE_NAME")
    for method, request_id in (("POST", "req-p"), ("GET", "req-g")):
        status, body, _ = call(method, body={"id": "a", "value": 1}, item_id="a", request_id=request_id)
        assert (status, body) == (
            500,
            {"message": "the function is not configured: TABLE_NAME is missing", "request_id": request_id},
        )
        assert_one_record(aws, 500, request_id)


def test_regression_whole_number_decimals_stay_decimals(aws):
    sent = '{"a": 1.0, "b": 5e0, "c": 2E+1, "d": 100, "e": -0.0, "f": 10.50}'
    assert post_raw(sent)[0] == 201
    returned = get_value_text()
    assert exact(returned)["value"] == exact(sent)
    assert json.loads(returned)["value"] == {"a": 1.0, "b": 5.0, "c": 20.0, "d": 100, "e": -0.0, "f": 10.5}
    assert [type(v) for v in json.loads(returned)["value"].values()] == [float, float, float, int, float, float]


def test_regression_long_decimals_keep_all_38_digits(aws):
    sent = "[3.1415926535897932384626433832795028841, 12345678901234567890123456789012345678, -0.00000000000000000000000000000000000000000123]"
    assert post_raw(sent)[0] == 201
    assert exact(get_value_text())["value"] == exact(sent)
    assert stored(aws, "a")["value"]["L"][0] == {"N": "3.1415926535897932384626433832795028841"}


@pytest.mark.parametrize("name", ["Origin", "origin", "ORIGIN", "oRiGiN"])
def test_regression_the_origin_header_name_is_case_insensitive(aws, name):
    origin = "https://app.example.com"
    _, _, headers = call("GET", item_id="x", headers={name: origin})
    assert headers["Access-Control-Allow-Origin"] == origin and headers["Vary"] == "Origin"
    _, _, headers = call("DELETE", headers={name: origin}, request_id="req-2")
    assert headers["Access-Control-Allow-Origin"] == origin, "on errors too"
    _, _, headers = call("POST", body="{", headers={name: "https://evil.example.net"}, request_id="req-3")
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "OPTIONS", "get", None])
def test_regression_405_carries_allow(aws, method):
    status, body, headers = call(method)
    assert (status, body) == (405, {"message": "use GET or POST"})
    assert headers["Allow"] == "GET, POST, OPTIONS"
    assert_one_record(aws, 405)


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 201),
        ({"Content-Type": "application/json"}, 201),
        ({"content-type": "application/json; charset=utf-8"}, 201),
        ({"CONTENT-TYPE": "Application/JSON"}, 201),
        ({"Content-Type": "text/plain"}, 415),
        ({"content-type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": ""}, 415),
    ],
)
def test_regression_content_type_must_be_json_and_missing_means_json(aws, headers, status):
    answer_status, body, _ = call("POST", body={"id": "a", "value": 1}, headers=headers)
    assert answer_status == status
    if status == 415:
        assert body == {"message": "send the body as JSON with Content-Type: application/json"}
    assert_one_record(aws, status)


def test_regression_a_body_over_the_limit_is_a_413(aws):
    status, body, _ = call("POST", body={"id": "a", "value": "x" * 20000})
    assert (status, body) == (413, {"message": "the request body is larger than 16384 bytes"})
    assert_one_record(aws, 413)
    body = '{"id": "a", "value": "' + "é" * 8170 + '"}'  # 16,364 bytes of UTF-8: the limit is on bytes
    assert call("POST", body=body, request_id="req-2")[0] == 201
    assert call("POST", body=body.replace("éé", "ééé", 10), request_id="req-3")[0] == 201, "16,384 bytes"
    assert call("POST", body=body.replace("éé", "ééé", 11), request_id="req-4")[0] == 413


@pytest.mark.parametrize(
    "ttl, status", [("5.0", 400), ("5e0", 400), ("true", 400), ("null", 400), ('"5"', 400), ("0", 400),
                    ("-1", 400), ("31536001", 400), ("NaN", 400), ("1", 201), ("31536000", 201)]
)  # fmt: skip
def test_regression_ttl_seconds_is_a_json_integer_in_range(aws, ttl, status):
    answer, body, _ = call("POST", body=f'{{"id": "a", "value": 1, "ttl_seconds": {ttl}}}')
    assert answer == status
    if status == 400:
        assert body["message"] == (
            "ttl_seconds must be a whole number from 1 to 31536000, written without a fraction or exponent"
        )
    else:
        item = stored(aws, "a")
        assert int(item["expires_at"]["N"]) - int(item["stored_at"]["N"]) == int(ttl)


def test_regression_a_base64_body_is_decoded(aws):
    body = base64.b64encode(b'{"id": "a", "value": "\xc3\xa9"}').decode()
    assert call("POST", body=body, isBase64Encoded=True)[0] == 201
    assert call("GET", item_id="a", request_id="req-2")[1]["value"] == "é"
    status, answer, _ = call("POST", body=base64.b64encode(b'"\xff"').decode(), isBase64Encoded=True, request_id="r3")
    assert (status, answer) == (400, {"message": "the request body is not UTF-8 text"})
    status, answer, _ = call("POST", body="not base64!", isBase64Encoded=True, request_id="r4")
    assert status == 400


@pytest.mark.parametrize("odd_event", [None, [], "GET", {}, {"httpMethod": "GET", "headers": None,
                                       "queryStringParameters": {"id": ["a"]}, "requestContext": None}])  # fmt: skip
def test_regression_an_odd_event_is_answered_and_recorded(aws, odd_event):
    response = invoke(odd_event)
    assert response["statusCode"] in (400, 405)
    assert_one_record(aws, response["statusCode"])


def test_regression_any_failure_is_a_500_answered_and_recorded_once(aws, monkeypatch):
    def explode(**_):
        raise RuntimeError(f"internal detail about {TABLE}")

    monkeypatch.setattr(data_api._dynamodb(), "get_item", explode)
    status, body, headers = call("GET", item_id="a", origin="https://app.example.com", request_id="req-8")
    assert (status, body) == (500, {"message": "the request could not be completed", "request_id": "req-8"})
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert_no_internals(body)
    record = assert_one_record(aws, 500, "req-8")
    assert record["error"] == f"RuntimeError: internal detail about {TABLE}"


def test_regression_a_failure_while_answering_is_still_a_recorded_500(aws, monkeypatch):
    real = data_api.dumps_exact

    def fail_once(value, **kwargs):
        if isinstance(value, dict) and value.get("id") == "a" and kwargs.get("ascii_only", True):
            raise ValueError("cannot write")
        return real(value, **kwargs)

    monkeypatch.setattr(data_api, "dumps_exact", fail_once)
    status, body, _ = call("POST", body={"id": "a", "value": 1}, request_id="req-4")
    assert (status, body) == (500, {"message": "the request could not be completed", "request_id": "req-4"})
    assert_one_record(aws, 500, "req-4")


def test_regression_when_the_record_cannot_be_built_a_minimal_one_is_logged(aws, monkeypatch, caplog):
    class Unprintable:
        def __str__(self):
            raise RuntimeError("no")

    monkeypatch.setattr(data_api, "_text", lambda value, limit=256: Unprintable())
    with caplog.at_level(logging.WARNING, logger="data_api"):
        status, _, _ = call("DELETE", request_id="req-6")
    assert status == 405
    (message,) = [r.getMessage() for r in caplog.records if r.name == "data_api"]
    assert json.loads(message) == {
        "request_id": "req-6",
        "status": 405,
        "log_fallback_reason": "record not serialisable: RuntimeError",
    }
    assert records(aws) == []


def test_regression_a_missing_log_bucket_falls_back_to_cloudwatch_logs(aws, monkeypatch, caplog):
    monkeypatch.delenv("LOG_BUCKET")
    with caplog.at_level(logging.WARNING, logger="data_api"):
        status, _, _ = call("GET", item_id="x", request_id="req-2")
    (message,) = [r.getMessage() for r in caplog.records if r.name == "data_api"]
    assert json.loads(message)["status"] == status == 404
    assert json.loads(message)["log_fallback_reason"] == "LOG_BUCKET is missing"


def test_regression_validation_messages_name_field_and_limit():
    check = data_api.check_value
    cases = {
        '{"items": [1, 2, 3, {"price": 1e999}]}': "value.items[3].price is too large: DynamoDB numbers go up to ±",
        '{"a": {"b c": [0, 0.1234567890123456789012345678901234567891]}}': 'value.a["b c"][1] has 40 significant digits',
        "[[[1e-131]]]": "value[0][0][0] is too close to zero: DynamoDB's smallest non-zero magnitude is 1E-130",
    }
    for text, message in cases.items():
        with pytest.raises(data_api.BadRequest) as raised:
            check(data_api.loads_exact(text))
        assert raised.value.message.startswith(message)
    problem = data_api.number_problem
    assert problem(Decimal("-1.0000000000000000000000000000000000000000E-130")) is None, "trailing zeros do not count"
    assert problem(Decimal("0E-999999")) is None, "zero is allowed whatever its exponent"
    assert problem(Decimal("1E+126")).startswith("is too large")
    assert problem(Decimal("9.99999999999999999999999999999999999999E+125")) == (
        "has 39 significant digits; DynamoDB keeps at most 38"
    )
