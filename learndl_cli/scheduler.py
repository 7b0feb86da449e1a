"""Spaced repetition through FSRS-6 (the ``fsrs`` package). Pure: every function takes ``now``.

A card's scheduling state is a small frozen ``Memory`` record, stored in the ``cards`` (or
``exercise_schedule``) table. ``state`` 0 means *new*: never reviewed; fsrs itself starts new cards
in its Learning state, so ``Memory.new()`` maps onto that on the first review.

Fuzz is deterministic: it is seeded from the item's id and its review count, so the interval shown
on the rating key is the interval the review gives, and tests are exact.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum

import fsrs


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class State(IntEnum):
    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Memory:
    state: int = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @classmethod
    def new(cls) -> "Memory":
        return cls()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["due"] = iso(self.due)
        d["last_review"] = iso(self.last_review)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Memory":
        return cls(
            state=int(d.get("state") or 0),
            step=d.get("step"),
            stability=d.get("stability"),
            difficulty=d.get("difficulty"),
            due=parse_ts(d.get("due")),
            last_review=parse_ts(d.get("last_review")),
            reps=int(d.get("reps") or 0),
            lapses=int(d.get("lapses") or 0),
        )


def iso(ts: datetime | None) -> str | None:
    if ts is None:
        return None
    return ts.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_ts(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    ts = datetime.fromisoformat(value)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


@dataclass(frozen=True)
class SchedulerConfig:
    desired_retention: float = 0.9
    learning_steps_minutes: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_minutes: tuple[float, ...] = (10.0,)
    maximum_interval_days: int = 36500
    fuzz: bool = True
    parameters: tuple[float, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> "SchedulerConfig":
        return cls(
            desired_retention=settings.desired_retention,
            learning_steps_minutes=tuple(settings.learning_steps_minutes),
            relearning_steps_minutes=tuple(settings.relearning_steps_minutes),
            maximum_interval_days=settings.maximum_interval_days,
            fuzz=settings.fuzz,
            parameters=tuple(settings.fsrs_parameters),
        )


class Scheduler:
    """A thin, pure wrapper around ``fsrs.Scheduler``."""

    def __init__(self, config: SchedulerConfig | None = None):
        self.config = config or SchedulerConfig()
        kwargs = dict(
            desired_retention=self.config.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in self.config.learning_steps_minutes),
            relearning_steps=tuple(timedelta(minutes=m) for m in self.config.relearning_steps_minutes),
            maximum_interval=self.config.maximum_interval_days,
            enable_fuzzing=self.config.fuzz,
        )
        if self.config.parameters:
            kwargs["parameters"] = tuple(self.config.parameters)
        self._fsrs = fsrs.Scheduler(**kwargs)

    def _to_fsrs(self, memory: Memory) -> fsrs.Card:
        if memory.state == State.NEW:
            return fsrs.Card(card_id=1)
        return fsrs.Card(
            card_id=1,
            state=fsrs.State(memory.state),
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due,
            last_review=memory.last_review,
        )

    def review(self, memory: Memory, rating: int, now: datetime, seed: str = "") -> Memory:
        """The memory after answering ``rating`` at ``now``. ``seed`` names the item, for fuzz."""
        _require_aware(now)
        card = self._to_fsrs(memory)
        saved = random.getstate()
        random.seed(f"{seed}:{memory.reps}")
        try:
            card, _log = self._fsrs.review_card(card, fsrs.Rating(int(rating)), review_datetime=now)
        finally:
            random.setstate(saved)
        lapsed = int(rating) == Rating.AGAIN and memory.state == State.REVIEW
        return Memory(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            reps=memory.reps + 1,
            lapses=memory.lapses + (1 if lapsed else 0),
        )

    def preview(self, memory: Memory, now: datetime, seed: str = "") -> dict[Rating, timedelta]:
        """The interval each rating would give: what the rating keys show."""
        return {r: self.review(memory, r, now, seed).due - now for r in Rating}

    def retrievability(self, memory: Memory, now: datetime) -> float | None:
        """The probability of recall now; None for a card never reviewed."""
        _require_aware(now)
        if memory.state == State.NEW or memory.last_review is None:
            return None
        return float(self._fsrs.get_card_retrievability(self._to_fsrs(memory), current_datetime=now))


def format_interval(delta: timedelta) -> str:
    """A short human interval: 1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(delta.total_seconds(), 0)
    minutes = seconds / 60
    if minutes < 60:
        return f"{max(1, round(minutes))}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        months = days / 30.4
        return f"{months:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def study_day(ts: datetime, day_starts_hour: int, tz=None) -> str:
    """The study day ``ts`` counts for: local date, where a day starts at ``day_starts_hour``."""
    local = ts.astimezone(tz) if tz is not None else ts.astimezone()
    return (local - timedelta(hours=day_starts_hour)).date().isoformat()


def next_day_start(now: datetime, day_starts_hour: int, tz=None) -> datetime:
    """When the next study day begins, as an aware datetime."""
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    start = local.replace(hour=day_starts_hour, minute=0, second=0, microsecond=0)
    if start <= local:
        start += timedelta(days=1)
    return start


__all__ = [
    "Memory",
    "Rating",
    "Scheduler",
    "SchedulerConfig",
    "State",
    "format_interval",
    "iso",
    "next_day_start",
    "parse_ts",
    "study_day",
]
