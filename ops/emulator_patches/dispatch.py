"""How requests reach moto: one at a time, and a retry of a call already carried out gets the first answer."""

from __future__ import annotations

import collections
import functools
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

DISPATCH_WAIT_SECONDS = 120.0
"""How long a request waits for the one before it. Far above any request's own time (moto answers in
milliseconds); reaching it means a request is stuck, and the waiting one gets a 503 saying so instead
of hanging with it."""


RETRY_MEMORY = 4096
"""How many completed requests the gate remembers by the SDK's invocation id, to answer a retry of one."""


class OneRequestAtATime:
    """A gate that lets one WSGI request at a time run, its response body included (moto renders some
    responses lazily: a rule's tags are looked up while its response is written).

    It also answers a *retry* the way AWS does for a request it has already carried out. The AWS SDKs
    send every attempt of one call with the same ``amz-sdk-invocation-id`` and ``amz-sdk-request:
    attempt=N``. When the client gave up on an attempt moto had carried out (the connection broke
    before the answer arrived), running the retry again would do the work twice: a second
    DeleteDashboards finds nothing to delete, a second AuthorizeSecurityGroupEgress finds the rule.
    So the answer to an attempt that succeeded is kept, and a later attempt of the same call gets it
    again; the emulator's log says so. An error is never kept: the SDK retries a 5xx or a throttling
    error because it expects the call to run again."""

    def __init__(self, wait_seconds: float = DISPATCH_WAIT_SECONDS, memory: int = RETRY_MEMORY) -> None:
        self.wait_seconds = wait_seconds
        self.lock = threading.Lock()
        self.memory = memory
        self.answers: collections.OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = collections.OrderedDict()

    def run(self, application: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if not self.lock.acquire(timeout=self.wait_seconds):
            message = (
                f"emulator: a request has held the emulator for over {self.wait_seconds:.0f} s; "
                f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} was not run"
            )
            print(message, file=sys.stderr, flush=True)
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [message.encode()]
        try:
            invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
            attempt = _attempt(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
            if invocation and attempt > 1 and invocation in self.answers:
                status, headers, body = self.answers[invocation]
                print(
                    f"emulator: attempt {attempt} of {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} "
                    f"(invocation {invocation}) repeats a call already carried out; answered as the first time ({status})",
                    file=sys.stderr,
                    flush=True,
                )
                start_response(status, headers)
                return [body]
            answered: list[tuple[str, list[tuple[str, str]]]] = []

            def recording_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                answered.append((status, list(headers)))
                return start_response(status, headers, *rest)

            body = application(environ, recording_start_response)
            try:
                content = b"".join(body)
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            if invocation and answered and answered[-1][0][:1] in ("2", "3"):
                self.answers[invocation] = (answered[-1][0], answered[-1][1], content)
                while len(self.answers) > self.memory:
                    self.answers.popitem(last=False)
            return [content]
        finally:
            self.lock.release()


def _attempt(header: str) -> int:
    """``attempt=2; max=25`` -> 2 (1 when absent or unreadable)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "attempt" and value.isdigit():
            return int(value)
    return 1


def requests_are_dispatched_one_at_a_time() -> None:
    """moto's server answers on many threads, but its backends keep resources in plain dicts and lists
    without locks. Under Terraform's parallel requests one request can change a dict that another is
    iterating (``RuntimeError: dictionary changed size during iteration``): the second gets a 500,
    sometimes after it has already changed the emulator's state (a rule is added, then the response
    fails while listing tags). The provider's SDK retries every 500, and the retry is refused, for
    example ``InvalidPermission.Duplicate`` for a security-group rule that now exists in the emulator
    but not in Terraform's state. AWS never fails that way. Here one request at a time runs inside moto
    (one gate for the process, as its backends are process-wide); connections are still accepted on
    many threads."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    gate = OneRequestAtATime()

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return gate.run(functools.partial(original, self), environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
