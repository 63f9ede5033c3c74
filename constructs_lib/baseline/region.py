"""Where a regional baseline construct is created: a region, and the provider that reaches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs_lib.context import StackScope


@dataclass(frozen=True)
class Region:
    """One covered region of an account: its name, the provider for it (None: the stack's default, the home
    region) and the stack's scope, with this region's name in its ARNs."""

    name: str
    provider: Any
    scope: StackScope
    home: bool

    @property
    def slug(self) -> str:
        """``us-east-1`` -> ``us-east-1``; construct ids of regional resources end with it."""
        return self.name

    def options(self) -> dict[str, Any]:
        """The keyword arguments every resource of this region takes: its provider, when it is not the default."""
        return {"provider": self.provider} if self.provider is not None else {}
