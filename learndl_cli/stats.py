"""Small pure computations over review history, shared by status and the reports."""

from __future__ import annotations

from datetime import date, timedelta


def streaks(days: list[str], today: str) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days.

    The current streak ends today, or yesterday when today has no study yet (it is not broken
    until the day is over).
    """
    if not days:
        return 0, 0
    parsed = sorted({date.fromisoformat(d) for d in days})
    longest = run = 1
    for prev, cur in zip(parsed, parsed[1:]):
        run = run + 1 if cur - prev == timedelta(days=1) else 1
        longest = max(longest, run)
    day = date.fromisoformat(today)
    have = set(parsed)
    if day not in have:
        day -= timedelta(days=1)
    current = 0
    while day in have:
        current += 1
        day -= timedelta(days=1)
    return current, longest
