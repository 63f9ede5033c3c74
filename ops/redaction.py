"""Take every value Terraform marks sensitive out of ``terraform show -json`` output.

``terraform show -json`` prints sensitive values in clear and only *marks*
them (and the provider leaves a few secrets unmarked: :data:`UNMARKED_SECRETS`): a ``*_sensitive`` mask beside each value (``before_sensitive``,
``after_sensitive``, ``sensitive_values``), ``sensitive: true`` on outputs and
on root variables. :func:`redact_plan` returns a copy in which each marked value
is replaced by :data:`REDACTED`, wherever it appears: ``prior_state``,
``planned_values``, ``resource_changes`` and ``resource_drift`` (before and
after), ``output_changes`` and ``variables``. The plan JSON the pipeline keeps
(``plans/<env>.plan.json``) is always the redacted one.
"""

from __future__ import annotations

import copy
from typing import Any

REDACTED = "(sensitive value redacted)"
"""What a sensitive value becomes. A string, like most values it stands for."""

UNMARKED_SECRETS: dict[str, frozenset[str]] = {
    "aws_api_gateway_usage_plan_key": frozenset({"value"}),
}
"""Attributes that hold a secret although the provider (5.100.0) does not mark them sensitive, by resource type:
the usage-plan key carries the API key's value in clear. They are redacted as if marked. Found by the
end-to-end leak scan (tests/e2e), which reads every secret the environment holds and looks for it everywhere."""


def _with_unmarked(mask: Any, resource_type: str | None) -> Any:
    """``mask`` with the resource type's unmarked secrets marked too."""
    extra = UNMARKED_SECRETS.get(resource_type or "", frozenset())
    if not extra or mask is True:
        return mask
    return {**(mask if isinstance(mask, dict) else {}), **{attribute: True for attribute in extra}}


def redact_value(value: Any, mask: Any) -> Any:
    """``value`` with every part that ``mask`` marks ``true`` replaced by :data:`REDACTED`.

    The mask mirrors the value: ``true`` marks the value (a whole list or map, or a leaf)
    sensitive; a dict or list mask marks the parts at the same keys or positions.
    """
    if mask is True:
        return REDACTED if value is not None else None
    if isinstance(mask, dict) and isinstance(value, dict):
        return {key: redact_value(item, mask.get(key, False)) for key, item in value.items()}
    if isinstance(mask, list) and isinstance(value, list):
        return [redact_value(item, mask[index] if index < len(mask) else False) for index, item in enumerate(value)]
    return value


def _redact_change(change: dict, resource_type: str | None = None) -> None:
    for side in ("before", "after"):
        if side in change:
            change[side] = redact_value(change[side], _with_unmarked(change.get(f"{side}_sensitive", False), resource_type))


def redact_change(change: dict, resource_type: str | None = None) -> dict:
    """A copy of one ``change`` block (of a resource of ``resource_type``, a drift or an output) with its sensitive
    values redacted."""
    redacted = copy.deepcopy(change)
    _redact_change(redacted, resource_type)
    return redacted


def sensitive_attributes(change: dict, resource_type: str | None = None) -> set[str]:
    """The top-level attributes of a change that are sensitive: marked by Terraform, or known to hold a secret."""
    marked = {key for side in ("before_sensitive", "after_sensitive") for key, flag in (change.get(side) or {}).items() if flag}
    return marked | set(UNMARKED_SECRETS.get(resource_type or "", ()))


def _redact_module(module: dict | None) -> None:
    """A ``planned_values`` or ``prior_state.values`` module: each resource's values by its ``sensitive_values``."""
    if not module:
        return
    for resource in module.get("resources", []):
        if "values" in resource:
            mask = _with_unmarked(resource.get("sensitive_values", False), resource.get("type"))
            resource["values"] = redact_value(resource["values"], mask)
    for child in module.get("child_modules", []):
        _redact_module(child)


def _redact_outputs(outputs: dict | None) -> None:
    for output in (outputs or {}).values():
        if output.get("sensitive") and "value" in output:
            output["value"] = REDACTED


def _sensitive_variables(plan: dict) -> set[str]:
    declared = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    return {name for name, variable in declared.items() if variable.get("sensitive")}


def redact_plan(plan: dict) -> dict:
    """A copy of ``terraform show -json`` output with every value Terraform marks sensitive redacted."""
    redacted = copy.deepcopy(plan)
    for key in ("resource_changes", "resource_drift"):
        for entry in redacted.get(key, []):
            _redact_change(entry.get("change", {}), entry.get("type"))
    for change in redacted.get("output_changes", {}).values():
        _redact_change(change)
    planned = redacted.get("planned_values", {})
    _redact_module(planned.get("root_module"))
    _redact_outputs(planned.get("outputs"))
    prior = redacted.get("prior_state", {}).get("values", {})
    _redact_module(prior.get("root_module"))
    _redact_outputs(prior.get("outputs"))
    for name in _sensitive_variables(redacted):
        variable = redacted.get("variables", {}).get(name)
        if variable and "value" in variable:
            variable["value"] = REDACTED
    return redacted
