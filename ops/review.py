"""The plan review: what a reviewer needs from ``terraform show -json <plan>``.

For one environment it writes ``plans/<env>.md`` (for people) and
``plans/<env>.json`` (for machines) with:

* the counts of create, update, replace and delete;
* every replace and delete first, marked, with the attributes forcing a replace;
* the security-sensitive changes called out, with why (IAM, security groups
  and their rules, network ACLs, KMS keys and policies, bucket policies and
  public-access blocks, resource policies, and anything that opens a CIDR);
* every change's resource address and changed attributes;
* drift that matters to this plan: a change made outside Terraform to an attribute the
  configuration sets (``ops/drift.py``) and the plan depends on (Terraform's
  ``relevant_attributes``); ``make drift`` answers the wider question.

No sensitive value is ever shown: where one changes, the review says
``(sensitive) changed`` (values are printed only from the redacted plan,
``ops/redaction.py``).

A plan that would destroy a resource kept by ``lifecycle.prevent_destroy`` (prod's
database, table, keys and data and audit buckets) is refused by Terraform
itself; :func:`blocked_review` turns that refusal into a review too, with the
protected resources listed as destructive, so it reads like any other plan.

A plan that would replace or delete anything is *destructive*; the review
command then exits with :data:`EXIT_DESTRUCTIVE` so CI can gate on it. The one
exception is a replacement that holds no data (a DB parameter group made anew
before the old one goes, ``ops/stateless_replacements.py``): it is counted as a
replace and listed apart, with its reason, and is not destructive.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ops.drift import meaningful_drift
from ops.redaction import redact_change, sensitive_attributes
from ops.stateless_replacements import stateless_replacement_reason
from platform_core.errors import EXIT_DESTRUCTIVE

ACTION_ORDER = ("replace", "delete", "update", "create")
SENSITIVE_TYPE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("aws_iam_", "IAM"),
    ("aws_security_group", "security group"),
    ("aws_vpc_security_group_", "security group rule"),
    ("aws_default_security_group", "default security group"),
    ("aws_network_acl", "network ACL"),
    ("aws_default_network_acl", "default network ACL"),
    ("aws_kms_", "KMS key or key policy"),
    ("aws_s3_bucket_policy", "bucket policy"),
    ("aws_s3_bucket_public_access_block", "public-access block"),
    ("aws_s3_account_public_access_block", "public-access block"),
    ("aws_api_gateway_rest_api_policy", "API resource policy"),
    ("aws_lambda_permission", "Lambda resource policy"),
    ("aws_secretsmanager_secret_policy", "secret policy"),
    ("aws_sns_topic_policy", "topic policy"),
    ("aws_sqs_queue_policy", "queue policy"),
    ("aws_backup_vault_lock_configuration", "backup vault lock"),
    ("aws_backup_vault_policy", "backup vault policy"),
)
CIDR_PATTERN = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}|[0-9a-fA-F:]*::/\d{1,3})(?![\d])")
ADDRESS_SPACE_TYPES = ("aws_vpc", "aws_subnet", "aws_vpc_ipv4_cidr_block_association", "aws_vpc_endpoint")
"""Resources whose CIDRs carve address space rather than admit traffic."""
VALUE_WIDTH = 70


@dataclass
class Change:
    """One resource's planned change."""

    address: str
    resource_type: str
    action: str
    changed_attributes: list[str] = field(default_factory=list)
    replaced_because: list[str] = field(default_factory=list)
    security_reasons: list[str] = field(default_factory=list)
    blocked_by: str | None = None
    """Why Terraform refused to plan this change (``lifecycle.prevent_destroy``), if it did."""
    holds_no_data: str | None = None
    """Why this replacement loses nothing (``ops/stateless_replacements.py``), if it does not."""

    @property
    def destructive(self) -> bool:
        return self.action == "delete" or (self.action == "replace" and not self.holds_no_data)


@dataclass
class PlanReview:
    """The review of one saved plan."""

    environment: str
    changes: list[Change]
    drift: list[Change] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {action: sum(1 for c in self.changes if c.action == action) for action in ("create", "update", "replace", "delete")}

    @property
    def destructive_changes(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    @property
    def stateless_replacements(self) -> list[Change]:
        return [c for c in self.changes if c.holds_no_data]

    @property
    def destructive(self) -> bool:
        return bool(self.destructive_changes)

    @property
    def security_sensitive(self) -> list[Change]:
        return [c for c in self.changes if c.security_reasons]

    @property
    def exit_code(self) -> int:
        return EXIT_DESTRUCTIVE if self.destructive else 0

    def summary_line(self) -> str:
        return summary_line(self.environment, self.counts, len(self.security_sensitive), destructive=self.destructive)

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "destructive": self.destructive,
            "counts": self.counts,
            "destructive_changes": [asdict(c) for c in self.destructive_changes],
            "stateless_replacements": [asdict(c) for c in self.stateless_replacements],
            "security_sensitive": [asdict(c) for c in self.security_sensitive],
            "changes": [asdict(c) for c in self.changes],
            "drift": [asdict(c) for c in self.drift],
        }

    def to_markdown(self) -> str:
        counts = self.counts
        lines = [
            f"# Plan review: {self.environment}",
            "",
            "| create | update | replace | delete |",
            "|---:|---:|---:|---:|",
            f"| {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} |",
            "",
        ]
        if self.destructive:
            lines += [f"**DESTRUCTIVE: {len(self.destructive_changes)} resource(s) would be replaced or deleted.**", ""]
        else:
            held = "nothing that holds data is" if self.stateless_replacements else "nothing is"
            lines += [f"**No destructive change:** {held} replaced or deleted.", ""]
        lines += ["## Replaced and deleted (destructive)", ""]
        lines += [_markdown_line(c, marked=True) for c in self.destructive_changes] or ["None."]
        if self.stateless_replacements:
            lines += ["", "## Replaced, holding no data (not destructive)", ""]
            lines += [f"{_markdown_line(c, marked=True)} ({c.holds_no_data})" for c in self.stateless_replacements]
        lines += ["", "## Security-sensitive changes", ""]
        lines += [
            f"- **{c.action}** `{c.address}`: {'; '.join(c.security_reasons)}" for c in self.security_sensitive
        ] or ["None."]
        if self.drift:
            lines += ["", "## Changed outside Terraform (drift)", ""]
            lines += [_markdown_line(c, marked=False) for c in self.drift]
        lines += ["", "## Every change", ""]
        for action in ACTION_ORDER:
            group = [c for c in self.changes if c.action == action]
            if group:
                lines += [f"### {action} ({len(group)})", ""]
                lines += [_markdown_line(c, marked=c.destructive) for c in group]
                lines.append("")
        if not self.changes:
            lines += ["No changes. The infrastructure matches the configuration.", ""]
        return "\n".join(lines).rstrip() + "\n"

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        markdown = directory / f"{self.environment}.md"
        summary = directory / f"{self.environment}.json"
        markdown.write_text(self.to_markdown())
        summary.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return markdown, summary


def summary_line(environment: str, counts: dict[str, int], security_sensitive: int, *, destructive: bool) -> str:
    """One line for a plan: its counts, how many changes are security-sensitive, and whether it is destructive (the same
    line from a :class:`PlanReview` or from the ``plans/<env>.json`` it wrote)."""
    verdict = "DESTRUCTIVE" if destructive else "no destructive change"
    return (
        f"{environment}: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete; "
        f"{security_sensitive} security-sensitive; {verdict}"
    )


def _markdown_line(change: Change, *, marked: bool) -> str:
    mark = f"**{change.action.upper()}** " if marked else ""
    text = f"- {mark}`{change.address}`"
    if change.blocked_by:
        text += f" (refused by Terraform: {change.blocked_by})"
    if change.replaced_because:
        text += f" (replacement forced by: {', '.join(change.replaced_because)})"
    if change.changed_attributes:
        text += ": " + "; ".join(change.changed_attributes)
    return text


def _action(actions: list[str]) -> str | None:
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if actions in (["create"], ["update"], ["delete"]):
        return actions[0]
    return None  # no-op, read


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and value and prefix:
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
    elif prefix:
        yield prefix, value


def _sensitive_paths(mask: Any) -> set[str]:
    return {path for path, flag in _flatten(mask) if flag is True}


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


def _is_hidden(path: str, sensitive: set[str]) -> bool:
    return any(path == s or path.startswith(s + ".") or path.startswith(s + "[") for s in sensitive)


def _changed_attributes(change: dict, action: str, resource_type: str | None = None) -> list[str]:
    """What changes, in words. ``change`` holds the real values (to tell whether a sensitive one changed);
    what is printed comes only from its redacted copy, so no sensitive value is ever shown."""
    shown = redact_change(change, resource_type)
    before = dict(_flatten(change.get("before") or {}))
    after = dict(_flatten(change.get("after") or {}))
    shown_before = dict(_flatten(shown.get("before") or {}))
    shown_after = dict(_flatten(shown.get("after") or {}))
    unknown = {p for p, flag in _flatten(change.get("after_unknown") or {}) if flag is True}
    sensitive = _sensitive_paths(change.get("before_sensitive")) | _sensitive_paths(change.get("after_sensitive"))
    sensitive |= sensitive_attributes(change, resource_type)
    if action == "delete":
        return []
    if action == "create":
        # What the configuration sets; computed attributes ("known after apply") are noise here.
        names = {p.split(".")[0].split("[")[0] for p, v in after.items() if v is not None and v != "" and v != [] and v != {}}
        return sorted(names - {"tags_all"})
    described = []
    for path in sorted(set(before) | set(after) | unknown):
        if path.startswith("tags_all"):
            continue
        if path in unknown:
            described.append(f"{path} → (known after apply)")
        elif before.get(path) != after.get(path):
            if _is_hidden(path, sensitive):
                described.append(f"{path}: (sensitive) changed")
            else:
                described.append(f"{path}: {_show(shown_before.get(path))} → {_show(shown_after.get(path))}")
    return described


def _cidrs(value: Any) -> set[str]:
    found = set()
    for match in CIDR_PATTERN.findall(json.dumps(value)):
        try:
            found.add(str(ipaddress.ip_network(match, strict=False)))
        except ValueError:
            continue
    return found


def _security_reasons(resource_type: str, change: dict, action: str) -> list[str]:
    reasons = [label for prefix, label in SENSITIVE_TYPE_PREFIXES if resource_type.startswith(prefix)][:1]
    if action != "delete" and not resource_type.startswith(ADDRESS_SPACE_TYPES):
        shown = redact_change(change, resource_type)
        opened = sorted(_cidrs(shown.get("after")) - _cidrs(shown.get("before")))
        if opened:
            reasons.append("opens " + ", ".join(opened))
    return reasons


def _to_change(entry: dict) -> Change | None:
    change = entry["change"]
    action = _action(change["actions"])
    if action is None:
        return None
    return Change(
        address=entry["address"],
        resource_type=entry["type"],
        action=action,
        changed_attributes=_changed_attributes(change, action, entry["type"]),
        replaced_because=sorted(
            ".".join(str(p) for p in path) for path in entry.get("change", {}).get("replace_paths", []) or []
        )
        if action == "replace"
        else [],
        security_reasons=_security_reasons(entry["type"], change, action),
        holds_no_data=stateless_replacement_reason(entry["type"], change["actions"]),
    )


def review_plan(plan: dict, environment: str) -> PlanReview:
    """Turn ``terraform show -json`` output into a PlanReview."""
    changes = [c for c in (_to_change(e) for e in plan.get("resource_changes", []) if e.get("mode") == "managed") if c]
    relevant = _relevant_attributes(plan)
    drift = [
        Change(address=address, resource_type=resource_type, action="drifted", changed_attributes=shown)
        for address, resource_type, attributes in meaningful_drift(plan)
        if (shown := [a for a in attributes if _top_level(a) in relevant.get(address, ())])
    ]
    order = {action: index for index, action in enumerate(ACTION_ORDER)}
    changes.sort(key=lambda c: (order[c.action], c.address))
    return PlanReview(environment=environment, changes=changes, drift=drift)


def _relevant_attributes(plan: dict) -> dict[str, set[str]]:
    """Address -> the top-level attributes Terraform lists in ``relevant_attributes``: what the planned changes
    depend on. Drift elsewhere changes nothing this plan does."""
    relevant: dict[str, set[str]] = {}
    for entry in plan.get("relevant_attributes", []):
        path = entry.get("attribute") or []
        relevant.setdefault(entry["resource"], set()).add(str(path[0]) if path else "")
    return relevant


def _top_level(described: str) -> str:
    """``versioning_configuration[0].status: ...`` -> ``versioning_configuration``."""
    return re.split(r"[.\[:]", described, maxsplit=1)[0]


PREVENT_DESTROY = re.compile(r"Resource (\S+) has lifecycle\.prevent_destroy set, but the plan calls for this resource")


def blocked_by_prevent_destroy(terraform_output: str) -> list[str]:
    """The addresses Terraform refused to plan because they keep ``lifecycle.prevent_destroy``."""
    return sorted(set(PREVENT_DESTROY.findall(" ".join(terraform_output.split()))))


def blocked_review(environment: str, addresses: list[str]) -> PlanReview:
    """The review of a plan Terraform refused: every protected resource it would destroy, marked destructive."""
    changes = [
        Change(
            address=address,
            resource_type=address.split(".")[-2] if address.count(".") >= 1 else address,
            action="delete",
            blocked_by="lifecycle.prevent_destroy; the plan would replace or delete it",
        )
        for address in addresses
    ]
    return PlanReview(environment=environment, changes=changes)
