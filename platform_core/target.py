"""Where a synthesized stack will be deployed: the local AWS emulator or real AWS.

The target is chosen once, at synth time, from the ``TARGET`` and
``EMULATOR_PORT`` variables, and is the only thing that differs between the
two paths: the provider and the backend get the emulator's endpoints and its
placeholder credentials, and nothing else changes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from platform_core.errors import ConfigError, Problem

DEFAULT_EMULATOR_PORT = 4566
EMULATOR_HOST = "127.0.0.1"
EMULATOR_ACCESS_KEY = "test"
"""moto accepts any credentials; these placeholders are not secrets."""
EMULATOR_SECRET_KEY = "test"  # noqa: S105 - the emulator's documented placeholder, not a secret

@dataclass(frozen=True)
class DeployTarget:
    """The deploy target: ``emulator`` (default) or ``aws``."""

    kind: Literal["emulator", "aws"] = "emulator"
    emulator_port: int = DEFAULT_EMULATOR_PORT

    @property
    def is_emulator(self) -> bool:
        return self.kind == "emulator"

    @property
    def endpoint_url(self) -> str | None:
        """The emulator's URL, or None for AWS (the SDK picks the endpoint)."""
        return f"http://{EMULATOR_HOST}:{self.emulator_port}" if self.is_emulator else None

    def terraform_environ(self) -> dict[str, str]:
        """What a Terraform run against this target needs in its environment.

        On the emulator, ``AWS_ENDPOINT_URL`` sends the provider's requests to every service to the emulator
        (the synthesized provider has no ``endpoints`` block: see :mod:`constructs_lib.terraform_settings`; the
        backend keeps its own). ``HTTP_PROXY`` is the emulator too: the SDK puts the account id in front of the S3 Control
        host (``123456789012.127.0.0.1``), a name that resolves nowhere, and sent through the proxy the request
        reaches the emulator, which routes it by path. Go never proxies a loopback address, so every other request
        still goes to the emulator directly. On AWS: nothing.
        """
        url = self.endpoint_url
        return {"AWS_ENDPOINT_URL": url, "HTTP_PROXY": url} if url else {}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> DeployTarget:
        """Read TARGET and EMULATOR_PORT; raise ConfigError naming the variable and the fix."""
        problems: list[Problem] = []
        kind = environ.get("TARGET", "").strip() or "emulator"
        if kind not in ("emulator", "aws"):
            problems.append(Problem("environment variable", "TARGET", f"{kind!r} is not a deploy target; use TARGET=aws, or leave it unset for the local emulator"))
        raw_port = environ.get("EMULATOR_PORT", "").strip() or str(DEFAULT_EMULATOR_PORT)
        port = DEFAULT_EMULATOR_PORT
        if not raw_port.isdigit() or not 1024 <= int(raw_port) <= 65535:
            problems.append(Problem("environment variable", "EMULATOR_PORT", f"{raw_port!r} is not a usable port; use a number from 1024 to 65535"))
        else:
            port = int(raw_port)
        if problems:
            raise ConfigError(problems)
        return cls(kind=kind, emulator_port=port)  # type: ignore[arg-type]
