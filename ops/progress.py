"""Progress lines for long steps: what is running, for which environment, and how long it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print ``==> label`` before and ``    ok (3.2 s)`` or ``    failed (3.2 s)`` after."""
    say(f"==> {label}")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"    failed after {time.monotonic() - started:.1f} s")
        raise
    say(f"    ok ({time.monotonic() - started:.1f} s)")
