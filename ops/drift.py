"""Drift that matters: a change made outside Terraform to something the configuration sets.

A refresh reports far more than that. After a clean deploy, Terraform's
``resource_drift`` lists about 90 resources of a dev environment, none of them
changed by anyone:

* attributes the provider normalises on read (``null`` becomes ``[]``, ``{}`` or ``""``);
* computed attributes that other resources fill in (a bucket's ``policy`` set by
  its ``aws_s3_bucket_policy``, a role's ``managed_policy_arns``, a security
  group's rules), which the configuration never sets;
* JSON documents returned reformatted, sets returned in another order, protocols
  returned as numbers, unset fields of a block returned as ``0`` or ``false``;
* values that move by themselves (:data:`VOLATILE_ATTRIBUTES`).

:func:`meaningful_drift` keeps a resource only if an attribute its configuration
sets differs once those are discounted, and names exactly those attributes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ops.redaction import redact_change, sensitive_attributes

VOLATILE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "aws_db_instance": frozenset({"latest_restorable_time"}),
}
"""Attributes that change on their own, per resource type: never drift."""
EMPTY = (None, [], {}, "")
UNSET = (None, [], {}, "", 0, False)
"""Inside a block, AWS answers an unset field with its zero value (an ICMP code of ``0``, ``false``)."""
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}
"""AWS returns a network ACL rule's protocol as its number; the configuration may name it."""
VALUE_WIDTH = 200
"""Drift lines show more of a value than the review: someone has to find and undo the change."""


def configured_attributes(plan: dict) -> dict[str, frozenset[str]]:
    """Resource address -> the top-level attributes its configuration sets (from the plan's ``configuration``)."""
    found: dict[str, frozenset[str]] = {}

    def walk(module: dict, prefix: str) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode", "managed") == "managed":
                found[prefix + resource["address"]] = frozenset(resource.get("expressions", {}))
        for name, call in module.get("module_calls", {}).items():
            walk(call.get("module", {}), f"{prefix}module.{name}.")

    walk(plan.get("configuration", {}).get("root_module", {}), "")
    return found


def normalised(value: Any) -> Any:
    """``value`` as it compares: empties dropped, JSON documents parsed, lists of objects as sorted sets."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return normalised(json.loads(value))
        except json.JSONDecodeError:
            return value
    if isinstance(value, dict):
        items = {key: normalised(item) for key, item in value.items()}
        if isinstance(items.get("protocol"), str):
            items["protocol"] = PROTOCOL_NUMBERS.get(items["protocol"].lower(), items["protocol"])
        return {key: item for key, item in items.items() if item not in UNSET}
    if isinstance(value, list):
        items = [normalised(item) for item in value]
        if items and all(isinstance(item, dict) for item in items):
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return items
    return value


def _address_base(address: str) -> str:
    """``aws_x.name[0]`` -> ``aws_x.name`` (configuration blocks are per resource, not per instance)."""
    return address.split("[", 1)[0]


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


def _leaf_changes(attribute: str, before: Any, after: Any) -> Iterator[str]:
    """``path: before → after`` for each leaf that differs under ``attribute``."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                yield from _leaf_changes(f"{attribute}.{key}", before.get(key), after.get(key))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after) and before:
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            if old != new:
                yield from _leaf_changes(f"{attribute}[{index}]", old, new)
    else:
        yield f"{attribute}: {_show(before)} → {_show(after)}"


def drifted_attributes(resource_type: str, change: dict, configured: frozenset[str]) -> list[str]:
    """What changed outside Terraform in one resource, in words; empty when nothing that matters did.

    Values are read from the redacted change only: a sensitive value that drifted is named, never shown."""
    shown = redact_change(change, resource_type)
    before, after = shown.get("before") or {}, shown.get("after") or {}
    raw_before, raw_after = change.get("before") or {}, change.get("after") or {}
    sensitive = sensitive_attributes(change, resource_type)
    lines = []
    for attribute in sorted(configured - VOLATILE_ATTRIBUTES.get(resource_type, frozenset())):
        old, new = normalised(before.get(attribute)), normalised(after.get(attribute))
        if old != new and not (old in EMPTY and new in EMPTY):
            lines += list(_leaf_changes(attribute, old, new))
        elif attribute in sensitive and normalised(raw_before.get(attribute)) != normalised(raw_after.get(attribute)):
            lines.append(f"{attribute}: (sensitive) changed")
    return lines


def meaningful_drift(plan: dict) -> list[tuple[str, str, list[str]]]:
    """``(address, resource type, drifted attributes)`` for each resource changed outside Terraform in a way
    that matters, in address order."""
    configured = configured_attributes(plan)
    found = []
    for entry in plan.get("resource_drift", []):
        if entry.get("mode") != "managed":
            continue
        attributes = drifted_attributes(entry["type"], entry["change"], configured.get(_address_base(entry["address"]), frozenset()))
        if attributes:
            found.append((entry["address"], entry["type"], attributes))
    return sorted(found)
