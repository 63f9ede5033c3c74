"""SEC001: no literal secret (password, secret key, token, private key) anywhere in the synthesized JSON."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from constructs_lib.rules import Finding, StackDocument

SECRET_KEY_NAMES = re.compile(r"(password|passwd|secret_key|secret_access_key|private_key|api_key|access_key|token|client_secret)$", re.IGNORECASE)
SECRET_VALUES = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "//":
                yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


class LiteralSecrets:
    id = "SEC001"
    description = "No literal password, secret key, token or private key in the synthesized JSON"
    fix = "let the service generate and keep the secret (e.g. manage_master_user_password), or read it from Secrets Manager at run time"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        sections = {name: stack.document.get(name) for name in ("provider", "terraform", "locals", "variable", "output")}
        for name, section in sections.items():
            yield from self._scan(stack, section, name, None)
        for block in stack.blocks():
            yield from self._scan(stack, block.body, block.path, block)

    def _scan(self, stack: StackDocument, value: Any, where: str, block) -> Iterator[Finding]:
        for path, leaf in _leaves(value, ""):
            if not isinstance(leaf, str) or not leaf or leaf.startswith("${"):
                continue
            key = re.split(r"[.\[]", path.rsplit(".", 1)[-1])[0]
            if SECRET_KEY_NAMES.search(key) and leaf not in stack.context.placeholder_credentials:
                yield Finding(block, f"{path.lstrip('.')} holds a literal value", path=None if block else where)
            elif any(pattern.search(leaf) for pattern in SECRET_VALUES):
                yield Finding(block, f"{path.lstrip('.')} holds what looks like a credential", path=None if block else where)


RULE = LiteralSecrets()
