"""TAG001: every taggable resource carries the standard tags."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from constructs_lib.rules import Finding, StackDocument
from synth_runtime.provider_bindings import PACKAGE

REQUIRED_TAGS = ("Environment", "Application", "CostCenter", "Owner")


@cache
def taggable(resource_type: str) -> bool:
    """Whether the provider's resource takes tags, read from its generated binding."""
    module_name = resource_type.removeprefix("aws_")
    try:
        module = importlib.import_module(f"{PACKAGE}.{module_name}")
    except ImportError:
        return False
    return any(hasattr(cls, "tags_input") for cls in vars(module).values() if isinstance(cls, type))


class RequiredTags:
    id = "TAG001"
    description = f"Every taggable resource carries {', '.join(REQUIRED_TAGS)}"
    fix = "give the provider default_tags with the standard tags (constructs_lib.terraform_settings does), and do not blank them"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        defaults = stack.provider_default_tags()
        for resource in stack.blocks("resource"):
            if not taggable(resource.type):
                continue
            tags = {**defaults, **(resource.body.get("tags") or {})}
            missing = [key for key in REQUIRED_TAGS if not str(tags.get(key, "")).strip()]
            if missing:
                yield Finding(resource, f"is missing the tags {', '.join(missing)}")


RULE = RequiredTags()
