"""The emulator manager: start once, answer, refuse a foreign port, stop."""

from __future__ import annotations

import socket

import pytest

from ops.emulator import Emulator, require_running
from platform_core.errors import PipelineError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))


def test_start_is_idempotent_and_stop_stops(isolated):
    emulator = Emulator(free_port())
    try:
        assert emulator.start() is True
        assert emulator.answers()
        assert emulator.start() is False
        assert require_running(emulator.port) == emulator
    finally:
        assert emulator.stop() is True
    assert not emulator.answers()
    assert emulator.stop() is False


def test_a_port_held_by_something_else_is_refused(isolated):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        emulator = Emulator(squatter.getsockname()[1])
        with pytest.raises(PipelineError, match="in use by something that is not the emulator"):
            emulator.start()


def test_an_emulator_that_is_not_running_is_reported_with_the_fix(isolated):
    with pytest.raises(PipelineError, match="does not answer on http://127.0.0.1:.*make emulator-start"):
        require_running(free_port())
