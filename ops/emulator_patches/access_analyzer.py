"""IAM Access Analyzer, which moto does not have: a stand-in (``ops/emulator_access_analyzer.py``) answers
in front of moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def access_analyzer_is_served() -> None:
    """moto 5.2.5 has no IAM Access Analyzer backend: every request (signing name
    ``access-analyzer``) gets HTTP 500 "Unable to find appropriate backend", which the SDK retries
    until Terraform gives up, so ``aws_accessanalyzer_analyzer`` can be neither created nor
    destroyed. Here a small stand-in answers the analyzer and tag operations as AWS does (one
    ACCOUNT analyzer per account and Region, ResourceNotFoundException 404 once deleted)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from ops.emulator_access_analyzer import AccessAnalyzerStandIn

    original = DomainDispatcherApplication.__call__
    stand_in = AccessAnalyzerStandIn()

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if stand_in.handles(environ):
            return stand_in(environ, start_response)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
