"""No sensitive value leaves ``terraform show -json`` into a file the pipeline keeps (ops/redaction.py), and the
review never prints one (ops/review.py)."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ops.redaction import REDACTED, redact_plan, redact_value
from ops.review import review_plan

API_KEY = "k3y-0f-the-api-7f9c2e"
PASSWORD = "p4ssw0rd-of-the-database"  # noqa: S105 - a fake secret the tests look for
TOKEN = "token-in-a-list-item"  # noqa: S105 - a fake secret the tests look for
MAP_SECRET = "secret-in-a-map-value"  # noqa: S105 - a fake secret the tests look for
CIDR_SECRET = "10.99.88.77/32"  # noqa: S105 - a fake secret the tests look for
VARIABLE_SECRET = "value-of-a-sensitive-variable"  # noqa: S105 - a fake secret the tests look for
OUTPUT_SECRET = "value-of-a-sensitive-output"  # noqa: S105 - a fake secret the tests look for
SECRETS = (API_KEY, PASSWORD, TOKEN, MAP_SECRET, CIDR_SECRET, VARIABLE_SECRET, OUTPUT_SECRET)

KEY_VALUES = {"name": "acme-api-client", "value": API_KEY, "enabled": True}
KEY_MASK = {"value": True}
DB_VALUES = {
    "identifier": "acme-database-dev",
    "master_user_secret": [{"secret_arn": "arn:aws:secretsmanager:x", "secret_string": PASSWORD}],
    "endpoints": [{"tokens": ["public", TOKEN]}],
    "environment": {"PLAIN": "visible", "HIDDEN": MAP_SECRET},
    "allowed": CIDR_SECRET,
}
DB_MASK = {
    "master_user_secret": [{"secret_string": True}],
    "endpoints": [{"tokens": [False, True]}],
    "environment": {"HIDDEN": True},
    "allowed": True,
}


def plan_with_secrets() -> dict:
    """A plan with sensitive values at several depths (a nested block, a list item, a map value) in every
    section ``terraform show -json`` writes them to."""
    resources = [
        {"address": "aws_api_gateway_api_key.k", "values": KEY_VALUES, "sensitive_values": KEY_MASK},
        {"address": "aws_db_instance.db", "values": DB_VALUES, "sensitive_values": DB_MASK},
    ]
    changed_db = {**DB_VALUES, "identifier": "acme-database-dev2", "allowed": "10.99.88.78/32"}
    return {
        "variables": {"token": {"value": VARIABLE_SECRET}, "plain": {"value": "shown"}},
        "configuration": {"root_module": {"variables": {"token": {"sensitive": True}, "plain": {}}}},
        "prior_state": {"values": {
            "outputs": {"secret": {"sensitive": True, "value": OUTPUT_SECRET}, "vpc_id": {"sensitive": False, "value": "vpc-1"}},
            "root_module": {"resources": copy.deepcopy(resources), "child_modules": [{"resources": copy.deepcopy(resources)}]},
        }},
        "planned_values": {
            "outputs": {"secret": {"sensitive": True, "value": OUTPUT_SECRET}},
            "root_module": {"resources": copy.deepcopy(resources)},
        },
        "resource_changes": [
            {"address": "aws_api_gateway_api_key.k", "mode": "managed", "type": "aws_api_gateway_api_key", "change": {
                "actions": ["update"], "before": KEY_VALUES, "after": {**KEY_VALUES, "value": API_KEY + "-new"},
                "before_sensitive": KEY_MASK, "after_sensitive": KEY_MASK, "after_unknown": {}}},
            {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "change": {
                "actions": ["update"], "before": DB_VALUES, "after": changed_db,
                "before_sensitive": DB_MASK, "after_sensitive": DB_MASK, "after_unknown": {}}},
        ],
        "resource_drift": [
            {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "change": {
                "actions": ["update"], "before": DB_VALUES, "after": DB_VALUES, "before_sensitive": DB_MASK, "after_sensitive": DB_MASK}},
        ],
        "output_changes": {"secret": {"actions": ["no-op"], "before": OUTPUT_SECRET, "after": OUTPUT_SECRET,
                                      "before_sensitive": True, "after_sensitive": True}},
    }


def test_no_sensitive_value_is_left_anywhere_in_the_plan():
    plan = plan_with_secrets()
    text = json.dumps(redact_plan(plan))
    assert [secret for secret in SECRETS if secret in text] == []
    assert text.count(REDACTED) >= 20


def test_only_sensitive_values_change_and_the_original_is_untouched():
    plan = plan_with_secrets()
    before = copy.deepcopy(plan)
    redacted = redact_plan(plan)
    assert plan == before
    db = redacted["prior_state"]["values"]["root_module"]["resources"][1]["values"]
    assert db["identifier"] == "acme-database-dev"
    assert db["master_user_secret"] == [{"secret_arn": "arn:aws:secretsmanager:x", "secret_string": REDACTED}]
    assert db["endpoints"] == [{"tokens": ["public", REDACTED]}]
    assert db["environment"] == {"PLAIN": "visible", "HIDDEN": REDACTED}
    assert redacted["variables"] == {"token": {"value": REDACTED}, "plain": {"value": "shown"}}
    assert redacted["prior_state"]["values"]["outputs"]["vpc_id"]["value"] == "vpc-1"
    assert redacted["resource_changes"][0]["change"]["after"] == {"name": "acme-api-client", "value": REDACTED, "enabled": True}


def test_the_review_never_prints_a_sensitive_value_and_says_it_changed():
    review = review_plan(plan_with_secrets(), "dev")
    text = review.to_markdown() + json.dumps(review.to_json())
    assert [secret for secret in SECRETS if secret in text] == []
    by_address = {c.address: c for c in review.changes}
    assert by_address["aws_api_gateway_api_key.k"].changed_attributes == ["value: (sensitive) changed"]
    db = by_address["aws_db_instance.db"]
    assert "allowed: (sensitive) changed" in db.changed_attributes
    assert "identifier: 'acme-database-dev' → 'acme-database-dev2'" in db.changed_attributes
    assert db.security_reasons == [], "a CIDR that is a sensitive value is neither shown nor reported as opened"


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=20)


def masks_for(value):
    """A Terraform-shaped mask for ``value``: true (all of it), false, or one per element."""
    if isinstance(value, dict):
        return st.one_of(st.booleans(), st.fixed_dictionaries({key: masks_for(item) for key, item in value.items()}))
    if isinstance(value, list):
        return st.one_of(st.booleans(), st.tuples(*(masks_for(item) for item in value)).map(list))
    return st.booleans()


def leaves(value, mask, path=()):
    """Every leaf of ``value`` with whether ``mask`` marks it (or a container above it) sensitive."""
    if mask is True:
        yield path, value, True
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, mask.get(key, False) if isinstance(mask, dict) else False, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, mask[index] if isinstance(mask, list) else False, (*path, index))
    else:
        yield path, value, False


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_marked_part_is_redacted_and_nothing_else_changes(data):
    value = data.draw(JSON_VALUES)
    mask = data.draw(masks_for(value))
    redacted = redact_value(value, mask)
    for path, original, sensitive in leaves(value, mask):
        found = redacted
        for step in path:
            found = found[step]
        assert found == (REDACTED if sensitive and original is not None else original)


def test_a_secret_the_provider_leaves_unmarked_is_redacted_too():
    """aws_api_gateway_usage_plan_key copies the API key's value, and provider 5.100.0 does not mark it sensitive
    (the end-to-end leak scan found it in plans/dev.plan.json)."""
    values = {"key_id": "abc", "key_type": "API_KEY", "value": API_KEY}
    entry = {"address": "aws_api_gateway_usage_plan_key.k", "type": "aws_api_gateway_usage_plan_key", "values": values, "sensitive_values": {}}
    plan = {
        "prior_state": {"values": {"root_module": {"resources": [entry]}}},
        "planned_values": {"root_module": {"resources": [entry]}},
        "resource_changes": [{"address": entry["address"], "mode": "managed", "type": entry["type"], "change": {
            "actions": ["update"], "before": values, "after": {**values, "value": API_KEY + "-2"},
            "before_sensitive": {}, "after_sensitive": {}, "after_unknown": {}}}],
    }
    assert API_KEY not in json.dumps(redact_plan(plan))
    review = review_plan(plan, "dev")
    assert review.changes[0].changed_attributes == ["value: (sensitive) changed"]
    assert API_KEY not in review.to_markdown()
