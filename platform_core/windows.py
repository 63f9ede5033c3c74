"""RDS time windows: ``hh:mm-hh:mm`` daily (backups) and ``ddd:hh:mm-ddd:hh:mm`` weekly (maintenance), UTC."""

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


def windows_overlap(daily: str, weekly: str) -> str | None:
    """The day on which a daily window overlaps a weekly one, or None."""
    for a_start, a_end in _spans(daily):
        for b_start, b_end in _spans(weekly):
            for shift in (-WEEK, 0, WEEK):
                if a_start < b_end + shift and b_start + shift < a_end:
                    return DAYS[(a_start // 1440) % 7]
    return None
