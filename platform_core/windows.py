"""UTC time windows: ``hh:mm-hh:mm`` daily (RDS and AWS Backup backups) and ``ddd:hh:mm-ddd:hh:mm`` weekly (RDS
maintenance)."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = 7 * 24 * 60


def _minute_of_week(day: str, clock: str) -> int:
    hours, minutes = clock.split(":")
    return DAYS.index(day) * 1440 + int(hours) * 60 + int(minutes)


def _spans(window: str) -> list[tuple[int, int]]:
    """The window as ``[start, end)`` minute-of-week spans (a daily window repeats every day)."""
    start, end = window.split("-")
    if start[:3] in DAYS:
        begin = _minute_of_week(start[:3], start[4:])
        finish = _minute_of_week(end[:3], end[4:])
        finish += WEEK if finish <= begin else 0
        return [(begin, finish)]
    begin = _minute_of_week("mon", start)
    finish = _minute_of_week("mon", end)
    finish += 1440 if finish <= begin else 0
    return [(begin + day * 1440, finish + day * 1440) for day in range(7)]


def window_minutes(window: str) -> int:
    (begin, finish), *_ = _spans(window)
    return finish - begin


def window_start(window: str) -> tuple[int, int]:
    """``(hour, minute)`` a window starts at: ``(5, 0)`` of ``05:00-06:00``."""
    clock = window.split("-")[0][-5:]
    hours, minutes = clock.split(":")
    return int(hours), int(minutes)


def windows_overlap(first: str, second: str, *, lead_minutes: int = 0) -> str | None:
    """The day on which two windows (each daily or weekly) overlap, or None; ``second`` is taken to start
    ``lead_minutes`` earlier than it says (a quiet time before it)."""
    for a_start, a_end in _spans(first):
        for b_start, b_end in _spans(second):
            b_start -= lead_minutes
            for shift in (-WEEK, 0, WEEK):
                if a_start < b_end + shift and b_start + shift < a_end:
                    return DAYS[(a_start // 1440) % 7]
    return None
