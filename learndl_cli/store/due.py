"""What is due: the one definition every command uses (status, decks list, quiz, report, exam).

Two counts, each split into learning, review and new cards, over active cards that are neither
suspended nor buried, within optional filters (deck, chapter, tag):

- **due now**: what a review started now would show. Learning and relearning cards due now or
  within the learn-ahead window (``LEARN_AHEAD``, 20 minutes, as the quiz shows them when nothing
  else is left), review cards due by the end of the study day (a review card is due for the whole
  day), and new cards up to what today's new-card limit still allows.
- **due today**: due now plus the learning cards that come back later in the same study day (a card
  just rated Again is one of them). Overdue cards count in both.

The study day is ``scheduler.study_day``: local time, starting at ``day_starts_hour``. The limits
are ``new_per_day`` and ``max_reviews_per_day`` less what was studied today; ``learndl quiz --new N``
raises the day's new-card limit by N (``raise_new_limit``, kept per study day, so every place counts
it). A new or review card whose sibling
(a card of the same note) was answered today waits until tomorrow, and is not counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from ..scheduler import iso, next_day_start, study_day

LEARN_AHEAD = timedelta(minutes=20)

# A card waits until tomorrow when a sibling (another card of its note) was answered today (a review
# of kind 'review'). Correlated on purpose: per candidate card it is two index seeks, while listing
# every note answered today reads each of today's reviews from the table first.
SIBLING_ANSWERED_TODAY = """
    exists (
        select 1 from cards s join reviews r on r.card_id = s.id
        where s.note_id = c.note_id and s.id != c.id and r.day = ? and r.kind = 'review'
    )
"""
NO_SIBLING_ANSWERED_TODAY = f"not {SIBLING_ANSWERED_TODAY.strip()}"

Filters = tuple[str, list]
NO_FILTERS: Filters = ("", [])


@dataclass(frozen=True)
class Counts:
    learning: int = 0
    review: int = 0
    new: int = 0

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Due:
    """Due now and due today, and why more is not due (the day's limits)."""

    now: Counts
    today: Counts
    new_left: int  # new cards today's limit still allows (before ``new`` caps it to what exists)
    new_held: int  # unseen cards within the filters that the new-card limit holds back today
    review_held: int  # due reviews that the review limit holds back today

    @property
    def later_today(self) -> int:
        """Learning cards that come back later today (not yet due now)."""
        return self.today.learning - self.now.learning


@dataclass(frozen=True)
class Window:
    """The times and study day the counts are taken at."""

    now: datetime
    day: str
    day_end: datetime

    @classmethod
    def at(cls, now: datetime, day_starts_hour: int, ahead_days: float = 0.0) -> "Window":
        ahead = timedelta(days=ahead_days)
        return cls(now + ahead, study_day(now, day_starts_hour), next_day_start(now, day_starts_hour) + ahead)


def studied_today(db: Database, day: str) -> tuple[int, int]:
    """(new cards, review cards) answered on study day ``day``: what the day's limits count."""
    row = db.execute(
        """select count(*) filter (where prev_state = 0), count(*) filter (where prev_state = 2)
           from reviews where day = ? and kind = 'review'""",
        [day],
    ).fetchone()
    return int(row[0]), int(row[1])


def _raw_sql(where: str, group: str = "") -> str:
    """Counts before the sibling rule: read from the covering index ``idx_cards_deck_due``."""
    select_group = f"{group} as grp, " if group else ""
    return f"""select {select_group}
                 count(*) filter (where c.state in (1, 3) and c.due <= ?) as learning_now,
                 count(*) filter (where c.state in (1, 3) and c.due <= ?) as learning_today,
                 count(*) filter (where c.state = 2 and c.due <= ?) as review,
                 count(*) filter (where c.state = 0) as new
               from cards c
               where c.active = 1 and c.suspended = 0 and c.buried_until < ? {where}
               {f'group by {group}' if group else ''}"""


def _raw_args(w: Window, args: list) -> list:
    learn_now = w.now + LEARN_AHEAD
    return [iso(learn_now), iso(max(w.day_end, learn_now)), iso(w.day_end), w.day, *args]


def _waiting_sql(where: str, group: str = "") -> str:
    """The new and due review cards that wait for tomorrow under the sibling rule, found from the
    notes answered today (a few), so the per-card check runs only on their cards."""
    select_group = f"{group} as grp, " if group else ""
    return f"""select {select_group}
                 count(*) filter (where c.state = 2 and c.due <= ?) as review,
                 count(*) filter (where c.state = 0) as new
               from cards c
               where c.note_id in (select s.note_id from reviews r join cards s on s.id = r.card_id
                                   where r.day = ? and r.kind = 'review')
                 and c.active = 1 and c.suspended = 0 and c.buried_until < ? {where}
                 and c.state in (0, 2) and {SIBLING_ANSWERED_TODAY}
               {f'group by {group}' if group else ''}"""


def _waiting_args(w: Window, args: list) -> list:
    return [iso(w.day_end), w.day, w.day, *args, w.day]


def _limited(row, waiting, new_left: int, review_left: int) -> Due:
    review = int(row["review"] or 0) - int((waiting or {}).get("review") or 0)
    new = int(row["new"] or 0) - int((waiting or {}).get("new") or 0)
    learning_now, learning_today = int(row["learning_now"] or 0), int(row["learning_today"] or 0)
    review_shown, new_shown = min(review, review_left), min(new, new_left)
    return Due(
        now=Counts(learning_now, review_shown, new_shown),
        today=Counts(learning_today, review_shown, new_shown),
        new_left=new_left,
        new_held=new - new_shown,
        review_held=review - review_shown,
    )


def raised_today(db: Database, day: str) -> int:
    """How far ``learndl quiz --new N`` raised this study day's new-card limit (0 when it did not)."""
    row = next(db.query("select extra from new_limit_raises where day = ?", [day]), None)
    return int(row["extra"]) if row else 0


def raise_new_limit(db: Database, day: str, extra: int) -> int:
    """Raise the study day's new-card limit by ``extra`` more cards; returns the day's whole raise."""
    db.execute(
        "insert into new_limit_raises (day, extra) values (?, ?)"
        " on conflict(day) do update set extra = extra + excluded.extra",
        [day, extra],
    )
    return raised_today(db, day)


def new_limit(db: Database, settings, day: str, extra_new: int = 0) -> int:
    """The day's new-card limit: ``new_per_day``, plus the day's raises, plus ``extra_new``."""
    return settings.new_per_day + raised_today(db, day) + extra_new


def _lefts(db: Database, settings, day: str, extra_new: int) -> tuple[int, int]:
    new_done, review_done = studied_today(db, day)
    new_left = max(0, new_limit(db, settings, day, extra_new) - new_done)
    review_left = max(0, settings.max_reviews_per_day - review_done)
    return new_left, review_left


def due(
    db: Database,
    settings,
    now: datetime,
    filters: Filters = NO_FILTERS,
    *,
    extra_new: int = 0,
    ahead_days: float = 0.0,
) -> Due:
    """Due now and due today, within ``filters`` (``cards.queue_filters``)."""
    w = Window.at(now, settings.day_starts_hour, ahead_days)
    where, args = filters
    row = next(db.query(_raw_sql(where), _raw_args(w, args)))
    waiting = next(db.query(_waiting_sql(where), _waiting_args(w, args)))
    return _limited(row, waiting, *_lefts(db, settings, w.day, extra_new))


def due_by_deck(db: Database, settings, now: datetime) -> dict[str, Due]:
    """``due`` for each deck (as ``--deck ID`` gives it), in one query. Each deck is capped by the
    day's limits on its own, so decks may add up to more new cards than the total allows."""
    w = Window.at(now, settings.day_starts_hour)
    new_left, review_left = _lefts(db, settings, w.day, 0)
    waiting = {row["grp"]: row for row in db.query(_waiting_sql("", "c.deck_id"), _waiting_args(w, []))}
    return {
        row["grp"]: _limited(row, waiting.get(row["grp"]), new_left, review_left)
        for row in db.query(_raw_sql("", "c.deck_id"), _raw_args(w, []))
    }


def next_due_after(
    db: Database, now: datetime, filters: Filters = NO_FILTERS, *, day: str | None = None, day_end: datetime | None = None
) -> datetime | None:
    """The first due time after ``now`` of a learning, review or relearning card within ``filters``.
    Suspended cards never come; with ``day`` and ``day_end`` given, a card buried today counts only
    from tomorrow.

    One ``min()`` per state, each a single seek in ``idx_cards_queue`` when there are no filters.
    """
    from ..scheduler import parse_ts

    where, args = filters
    extra: list = []
    if day is not None and day_end is not None:
        where += " and (c.buried_until < ? or c.due >= ?)"
        extra = [day, iso(day_end)]
    parts, params = [], []
    for state in (1, 2, 3):
        parts.append(
            f"select min(c.due) as due from cards c where c.active = 1 and c.suspended = 0 and c.state = {state} "
            f"and c.due > ? {where}"
        )
        params += [iso(now), *args, *extra]
    row = db.execute(f"select min(due) from ({' union all '.join(parts)})", params).fetchone()
    return parse_ts(row[0]) if row[0] else None


def held_aside(db: Database, settings, now: datetime, filters: Filters = NO_FILTERS) -> dict:
    """Cards within ``filters`` that are left out of the counts for other reasons than the limits:
    ``buried`` (until tomorrow), ``suspended``, and ``siblings`` (new or due review cards waiting
    until tomorrow because a card of the same note was answered today)."""
    w = Window.at(now, settings.day_starts_hour)
    where, args = filters
    row = db.execute(
        f"""select
              count(*) filter (where c.suspended = 1),
              count(*) filter (where c.suspended = 0 and c.buried_until >= ?),
              count(*) filter (where c.suspended = 0 and c.buried_until < ?
                                 and (c.state = 0 or (c.state = 2 and c.due <= ?)) and {SIBLING_ANSWERED_TODAY})
            from cards c where c.active = 1 {where}""",
        [w.day, w.day, iso(w.day_end), w.day, *args],
    ).fetchone()
    return {"suspended": int(row[0] or 0), "buried": int(row[1] or 0), "siblings": int(row[2] or 0)}
