"""Synthesize environments in this process and query the Terraform JSON.

The provider bindings are loaded once per test process, on the Node that
conftest.py sets up before anything starts jsii; every
helper here works on the parsed ``cdk.tf.json`` dictionaries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from environments.account_schema import AccountConfig
from environments.schema import EnvironmentConfig
from platform_core.target import DeployTarget

REFERENCE = re.compile(r"\$\{([a-z0-9_]+)\.([^.}]+)\.")


def synth_environments(
    configs: Iterable[EnvironmentConfig], target: DeployTarget, outdir: Path, accounts: Iterable[AccountConfig] = ()
) -> dict[str, dict]:
    """Synthesize the configs (and account baselines) into ``outdir``; each stack's parsed JSON by stack name."""
    from constructs_lib.app import synthesize

    configs, accounts = list(configs), list(accounts)
    synthesize(configs, target, str(outdir), accounts=accounts, delivered=configs)
    names = [c.stack_name for c in [*configs, *accounts]]
    return {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in names}


def resources(stack: dict, resource_type: str) -> dict[str, dict]:
    """All resources of one type: ``{logical_name: body}``."""
    return stack.get("resource", {}).get(resource_type, {})


def data_sources(stack: dict, data_type: str) -> dict[str, dict]:
    return stack.get("data", {}).get(data_type, {})


def construct_path(body: dict) -> str:
    return body["//"]["metadata"]["path"]


def find(stack: dict, resource_type: str, path_suffix: str, *, data: bool = False) -> tuple[str, dict]:
    """The one resource (or data source) whose construct path ends with ``path_suffix``."""
    pool = data_sources(stack, resource_type) if data else resources(stack, resource_type)
    matches = [(name, body) for name, body in pool.items() if construct_path(body).endswith("/" + path_suffix)]
    assert len(matches) == 1, f"expected one {resource_type} at */{path_suffix}, found {[n for n, _ in matches]}"
    return matches[0]


def ref(resource_type: str, name: str, attribute: str = "id") -> str:
    """The token Terraform JSON uses to reference a resource attribute."""
    return f"${{{resource_type}.{name}.{attribute}}}"


def data_ref(data_type: str, name: str, attribute: str) -> str:
    return f"${{data.{data_type}.{name}.{attribute}}}"


def referenced(value: Any) -> set[tuple[str, str]]:
    """Every ``(type, name)`` a value references through ``${type.name.attr}`` tokens."""
    return set(REFERENCE.findall(json.dumps(value)))


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf in a JSON document, with a dotted path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, value


def policy_statements(stack: dict, document_name: str) -> list[dict]:
    return data_sources(stack, "aws_iam_policy_document")[document_name]["statement"]


def statements_of(stack: dict, policy_value: str) -> list[dict]:
    """The statements behind a ``policy = ${data.aws_iam_policy_document.X.json}`` argument."""
    return policy_statements(stack, document_name_of(policy_value))


def by_sid(statements: list[dict]) -> dict[str, dict]:
    return {s["sid"]: s for s in statements}


def conditions(statement: dict) -> dict[str, tuple[str, list[str]]]:
    """``{variable: (test, values)}`` of one statement."""
    return {c["variable"]: (c["test"], c["values"]) for c in statement.get("condition", [])}


def document_name_of(policy_value: str) -> str:
    """``${data.aws_iam_policy_document.X.json}`` -> ``X``."""
    match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}", policy_value)
    assert match, f"policy is not rendered by an aws_iam_policy_document data source: {policy_value!r}"
    return match.group(1)
