"""The project's own security rules, enforced at synth (in the spirit of cdk-nag).

Each rule lives in its own module of this package and has an id, a description
and a fix hint. :class:`PolicyGate` reads one stack's whole Terraform document
once synth has written it to its staging directory, runs every rule, and
records a :class:`Violation` per finding. The app refuses to publish anything
while there is one (``constructs_lib/app.py``), with a message naming the
resource path, the rule and the fix.

A rule may be suppressed on one resource only, with a reason, through
:func:`suppress`. The suppression is written into that resource's ``//``
metadata, so it shows in the synthesized JSON and its snapshot; the project
keeps every suppression in ``policy/suppressions.toml`` and applies them from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cdktf import TerraformElement, TerraformStack

SUPPRESSIONS_KEY = "policy_suppressions"


@dataclass(frozen=True)
class Block:
    """One resource or data source of the stack document."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]

    @property
    def path(self) -> str:
        return self.body.get("//", {}).get("metadata", {}).get("path", f"{self.type}.{self.name}")

    @property
    def reference(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def ref(self, attribute: str) -> str:
        return f"${{{self.reference}.{attribute}}}"

    def suppressed(self, rule_id: str) -> bool:
        return rule_id in self.body.get("//", {}).get(SUPPRESSIONS_KEY, {})


@dataclass(frozen=True)
class PolicyContext:
    """What the rules may need beyond the document: placeholder values that are not secrets."""

    placeholder_credentials: frozenset[str] = frozenset()


@dataclass
class StackDocument:
    """A stack's synthesized Terraform document, with lookups the rules share."""

    document: dict[str, Any]
    context: PolicyContext = field(default_factory=PolicyContext)

    def blocks(self, kind: str | None = None, types: Iterable[str] | None = None) -> Iterator[Block]:
        wanted = set(types) if types is not None else None
        for block_kind in ("resource", "data"):
            if kind is not None and block_kind != kind:
                continue
            for block_type, by_name in self.document.get(block_kind, {}).items():
                if wanted is not None and block_type not in wanted:
                    continue
                for name, body in by_name.items():
                    yield Block(block_kind, block_type, name, body)

    def referencing(self, target: Block, resource_type: str, attribute: str = "bucket") -> list[Block]:
        """Resources of ``resource_type`` whose ``attribute`` points at ``target``."""
        pointers = {target.ref("id"), target.ref("bucket"), target.body.get("bucket")} - {None}
        return [b for b in self.blocks("resource", [resource_type]) if b.body.get(attribute) in pointers]

    def policy_statements(self, policy_value: Any) -> list[dict[str, Any]] | None:
        """The statements behind ``${data.aws_iam_policy_document.X.json}``, or None if not such a reference."""
        if not isinstance(policy_value, str):
            return None
        prefix, suffix = "${data.aws_iam_policy_document.", ".json}"
        if not (policy_value.startswith(prefix) and policy_value.endswith(suffix)):
            return None
        name = policy_value[len(prefix) : -len(suffix)]
        return self.document.get("data", {}).get("aws_iam_policy_document", {}).get(name, {}).get("statement", [])

    def provider_default_tags(self) -> dict[str, str]:
        providers = self.document.get("provider", {}).get("aws", [])
        tags: dict[str, str] = {}
        for provider in providers:
            for block in provider.get("default_tags", []):
                tags.update(block.get("tags", {}))
        return tags


@dataclass(frozen=True)
class Finding:
    block: Block | None
    reason: str
    path: str | None = None


class Rule(Protocol):
    id: str
    description: str
    fix: str

    def check(self, stack: StackDocument) -> Iterable[Finding]: ...


@dataclass(frozen=True)
class Violation:
    rule_id: str
    path: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule_id}: {self.reason}. Fix: {self.fix}"


class PolicyViolations(Exception):
    """Synth refused: the message is one line per violation."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations = list(violations)
        super().__init__("\n".join(str(v) for v in self.violations))


def all_rules() -> tuple[Rule, ...]:
    from constructs_lib.rules import (
        encrypted_logs,
        endpoint_policies,
        iam_documents,
        iam_wildcards,
        imdsv2,
        literal_secrets,
        open_ingress,
        private_databases,
        required_tags,
        role_boundaries,
        secure_buckets,
    )

    return (
        iam_wildcards.RULE,
        iam_documents.RULE,
        role_boundaries.RULE,
        open_ingress.RULE,
        secure_buckets.RULE,
        encrypted_logs.RULE,
        private_databases.RULE,
        imdsv2.RULE,
        required_tags.RULE,
        literal_secrets.RULE,
        endpoint_policies.RULE,
    )


def evaluate(document: Mapping[str, Any], rules: Iterable[Rule] | None = None, context: PolicyContext | None = None) -> list[Violation]:
    """Run the rules over one stack document (a dict, as synthesized)."""
    stack = StackDocument(dict(document), context or PolicyContext())
    violations = []
    for rule in rules if rules is not None else all_rules():
        for finding in rule.check(stack):
            if finding.block is not None and finding.block.suppressed(rule.id):
                continue
            path = finding.path or (finding.block.path if finding.block else "(stack)")
            violations.append(Violation(rule.id, path, finding.reason, rule.fix))
    return violations


class PolicyGate:
    """The gate of one stack: once synth has written the stack, evaluate every rule over its document and keep
    the violations.

    It reads the ``cdk.tf.json`` that synth wrote, not ``to_terraform()`` through an aspect: the written file
    is the same document, and reading it saves sending each whole stack back from Node to Python (about
    0.2 s of a three-environment synth). :func:`constructs_lib.app.synth_checked` runs the gates.
    """

    def __init__(self, stack_id: str, rules: Iterable[Rule] | None = None, context: PolicyContext | None = None) -> None:
        self.stack_id = stack_id
        self.rules = tuple(rules) if rules is not None else all_rules()
        self.context = context or PolicyContext()
        self.violations: list[Violation] = []

    def check(self, outdir: Path) -> list[Violation]:
        """Evaluate the stack that synth wrote under ``outdir``; every violation, also kept in ``violations``."""
        document = json.loads((outdir / "stacks" / self.stack_id / "cdk.tf.json").read_text())
        self.violations = evaluate(document, self.rules, self.context)
        return self.violations


def placeholder_context(is_emulator: bool) -> PolicyContext:
    """The emulator's documented placeholder credentials are not secrets; on AWS there are none."""
    from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY

    return PolicyContext(frozenset({EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY}) if is_emulator else frozenset())


def apply_suppressions(stack: TerraformStack, entries: Iterable[Any]) -> None:
    """Apply ``[[rule]]`` entries of policy/suppressions.toml (``rule``, ``resource``, ``reason``) to a stack."""
    entries = list(entries)
    if not entries:
        return  # walking every node costs a jsii round trip per node
    elements = {
        node.node.path.split("/", 1)[1]: node
        for node in stack.node.find_all()
        if isinstance(node, TerraformElement) and "/" in node.node.path
    }
    for entry in entries:
        if entry.resource not in elements:
            raise ValueError(f"policy/suppressions.toml: rule {entry.rule} names {entry.resource}, which {stack.node.id} does not have")
        suppress(elements[entry.resource], entry.rule, entry.reason)


def suppress(element: TerraformElement, rule_id: str, reason: str) -> None:
    """Accept one rule's finding on one resource, for a reason a security reviewer can read.

    The suppression is written into the resource's ``//`` metadata, so it is
    visible in the synthesized JSON; it covers that resource only, never its
    neighbours or children.
    """
    known = {rule.id for rule in all_rules()}
    if rule_id not in known:
        raise ValueError(f"{rule_id!r} is not a rule; the rules are {', '.join(sorted(known))}")
    if not reason.strip() or "\n" in reason:
        raise ValueError("a suppression needs a one-line reason")
    element.add_override(f"//.{SUPPRESSIONS_KEY}.{rule_id}", reason.strip())
