"""What Anki's ``cards`` and ``revlog`` tables say, and reading them from a collection.

Anki keeps, per card (table ``cards``): its type (0 new, 1 learning, 2 review, 3 relearning) and
queue (the same, or -1 suspended, -2/-3 buried, 3 learning across days), ``due`` (a position for a new
card, a Unix time for learning within a day, else a day number counted from the collection's creation
day ``col.crt``; a card in a filtered deck keeps its own in ``odue``), the interval in days, the ease
in permille, reps, lapses, ``left`` (learning steps still to go) and ``data``, a JSON object where
FSRS keeps the memory state: ``s`` stability, ``d`` difficulty, ``dr`` desired retention, ``decay``
and ``lrt`` (the last review, Unix seconds). The review log (table ``revlog``) holds one row per
answer: its time in milliseconds (the row id), the rating (1-4; 0 for manual changes), the interval
after it (days, or negative seconds while learning), the interval before, the ease (with FSRS: 100 +
difficulty rescaled to 0-1000), the time taken in ms, and its type (0 learning, 1 review, 2
relearning, 3 filtered deck, 4 manual, 5 rescheduled).

``interop/anki.py`` writes these tables for ``export --anki``; ``interop/anki_history.py`` turns what
``read_history`` reads into learndl's reviews for ``import --anki``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

QUEUE_SUSPENDED, QUEUE_SCHED_BURIED, QUEUE_USER_BURIED = -1, -2, -3
QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 0, 1, 2, 3
REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN, REVLOG_FILTERED, REVLOG_MANUAL = 0, 1, 2, 3, 4
DEFAULT_ROLLOVER = 4  # Anki's "next day starts at" hour


def ease_from_difficulty(difficulty: float | None) -> int:
    """The revlog ease Anki writes with FSRS: 100 plus difficulty 1-10 rescaled to 0-1000."""
    return 0 if difficulty is None else round(100 + (difficulty - 1) / 9 * 1000)


def day_zero(crt: int, rollover: int, tz) -> date:
    """The date of Anki's day number 0: the collection's creation day, after the rollover hour."""
    return (datetime.fromtimestamp(crt, tz) - timedelta(hours=rollover)).date()


def day_start(day: date, hour: int, tz) -> datetime:
    """When a study day starts, in UTC (``tz`` None: the local zone)."""
    start = datetime(day.year, day.month, day.day, hour)
    return (start.replace(tzinfo=tz) if tz else start.astimezone()).astimezone(timezone.utc)


@dataclass(frozen=True)
class RevlogEntry:
    ms: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time_ms: int
    type: int


@dataclass
class AnkiCard:
    guid: str
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    data: dict
    revlog: list[RevlogEntry] = field(default_factory=list)


@dataclass
class AnkiHistory:
    crt: int
    rollover: int
    cards: dict[tuple[str, int], AnkiCard] = field(default_factory=dict)

    @property
    def reviews(self) -> int:
        return sum(len(c.revlog) for c in self.cards.values())


def _rollover(conn: sqlite3.Connection) -> int:
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    try:
        if "config" in tables:  # schema 18: one row per key, JSON values
            row = conn.execute("select val from config where key = 'rollover'").fetchone()
            return int(json.loads(row[0])) if row else DEFAULT_ROLLOVER
        conf = json.loads(conn.execute("select conf from col").fetchone()[0] or "{}")
        return int(conf.get("rollover", DEFAULT_ROLLOVER))
    except (ValueError, TypeError, json.JSONDecodeError):
        return DEFAULT_ROLLOVER


def read_history(conn: sqlite3.Connection) -> AnkiHistory:
    """Every card's schedule and review log, keyed by (note GUID, card ordinal)."""
    crt = int(conn.execute("select crt from col").fetchone()[0] or 0)
    history = AnkiHistory(crt=crt, rollover=_rollover(conn))
    by_id: dict[int, AnkiCard] = {}
    for cid, guid, ord_, ctype, queue, due, ivl, factor, reps, lapses, left, data in conn.execute(
        # a card in a filtered deck keeps its own due in odue; due is then its place in that deck
        """select c.id, n.guid, c.ord, c.type, c.queue, case when c.odid != 0 and c.odue != 0 then c.odue else c.due end,
                  c.ivl, c.factor, c.reps, c.lapses, c.left, c.data
           from cards c join notes n on n.id = c.nid"""
    ):
        try:
            parsed = json.loads(data) if data else {}
        except json.JSONDecodeError:
            parsed = {}
        card = AnkiCard(guid, ord_, ctype, queue, due, ivl, factor, reps, lapses, left, parsed if isinstance(parsed, dict) else {})
        history.cards[(guid, ord_)] = by_id[cid] = card
    for ms, cid, ease, ivl, last_ivl, factor, time_ms, rtype in conn.execute(
        "select id, cid, ease, ivl, lastIvl, factor, time, type from revlog order by id"
    ):
        if cid in by_id:
            by_id[cid].revlog.append(RevlogEntry(ms, ease, ivl, last_ivl, factor, time_ms, rtype))
    return history


def answers(revlog: list[RevlogEntry]) -> list[RevlogEntry]:
    """The answers FSRS learns from: after the last reset ("Forget"), without manual changes and
    filtered-deck answers that did not reschedule the card (logged with ease 0)."""
    start = 0
    for i, e in enumerate(revlog):
        if e.type == REVLOG_MANUAL and e.ease == 0 and e.ivl == 0:
            start = i + 1
    return [
        e for e in revlog[start:]
        if 1 <= e.ease <= 4 and (e.type in (REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN) or (e.type == REVLOG_FILTERED and e.factor))
    ]
