"""Drift that matters (ops/drift.py), on the kinds of noise a refresh of a clean dev reports on the emulator."""

from __future__ import annotations

import json

import pytest

from ops.drift import meaningful_drift


def drift(address: str, before: dict, after: dict, *, configured: tuple[str, ...], before_sensitive=None, after_sensitive=None) -> dict:
    resource_type = address.split(".")[0]
    return {
        "resource_drift": [{
            "address": address, "mode": "managed", "type": resource_type,
            "change": {"actions": ["update"], "before": before, "after": after,
                       "before_sensitive": before_sensitive or {}, "after_sensitive": after_sensitive or {}},
        }],
        "configuration": {"root_module": {"resources": [
            {"address": address, "mode": "managed", "type": resource_type, "expressions": {a: {} for a in configured}},
        ]}},
    }


NOISE = {
    "normalised empties": ("aws_api_gateway_method.m", {"authorization_scopes": None, "authorizer_id": None}, {"authorization_scopes": [], "authorizer_id": ""}, ("authorization_scopes", "authorizer_id")),
    "computed by another resource": ("aws_s3_bucket.b", {"policy": ""}, {"policy": '{"Statement": []}'}, ("bucket",)),
    "a volatile attribute": ("aws_db_instance.d", {"latest_restorable_time": "2026-12-02T08:46:14Z"}, {"latest_restorable_time": "2026-12-02T09:20:16Z"}, ("latest_restorable_time", "identifier")),
    "a JSON document reformatted": ("aws_api_gateway_model.m", {"schema": '{"a": 1, "b": [2]}'}, {"schema": '{\n  "b": [2],\n  "a": 1\n}'}, ("schema",)),
    "a set in another order, protocols as numbers, unset fields as zero": (
        "aws_network_acl.n",
        {"ingress": [{"rule_no": 200, "protocol": "tcp", "icmp_code": None}, {"rule_no": 210, "protocol": "udp", "icmp_code": None}]},
        {"ingress": [{"rule_no": 210, "protocol": "17", "icmp_code": 0}, {"rule_no": 200, "protocol": "6", "icmp_code": 0}]},
        ("ingress",),
    ),
}


@pytest.mark.parametrize("kind", sorted(NOISE))
def test_noise_is_not_drift(kind):
    address, before, after, configured = NOISE[kind]
    assert meaningful_drift(drift(address, before, after, configured=configured)) == []


def test_a_change_made_outside_terraform_names_the_resource_and_the_attribute():
    plan = drift(
        "aws_default_security_group.default", {"ingress": []},
        {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}]}, configured=("ingress",),
    )
    ((address, resource_type, attributes),) = meaningful_drift(plan)
    assert (address, resource_type) == ("aws_default_security_group.default", "aws_default_security_group")
    assert attributes == ['ingress: [] → [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "protocol": "6", "to_port": 22}]']


def test_a_nested_change_is_named_down_to_the_leaf():
    plan = drift("aws_s3_bucket_versioning.v", {"versioning_configuration": [{"status": "Enabled"}]}, {"versioning_configuration": [{"status": "Suspended"}]}, configured=("versioning_configuration",))
    assert meaningful_drift(plan)[0][2] == ["versioning_configuration[0].status: 'Enabled' → 'Suspended'"]


def test_a_sensitive_value_that_drifted_is_named_never_shown():
    secret, changed = "s3cr3t-value-before", "s3cr3t-value-after"
    plan = drift("aws_api_gateway_api_key.k", {"value": secret}, {"value": changed}, configured=("value",),
                 before_sensitive={"value": True}, after_sensitive={"value": True})
    found = meaningful_drift(plan)
    assert found[0][2] == ["value: (sensitive) changed"]
    assert secret not in json.dumps(found) and changed not in json.dumps(found)
