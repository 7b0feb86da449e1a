"""Schedules and review history between learndl and Anki, both ways.

Anki keeps, per card (table ``cards``): its type (0 new, 1 learning, 2 review, 3 relearning) and
queue (the same, or -1 suspended, -2/-3 buried, 3 learning across days), ``due`` (a position for a new
card, a Unix time for learning within a day, else a day number counted from the collection's creation
day ``col.crt``), the interval in days, the ease in permille, reps, lapses, ``left`` (learning steps
still to go) and ``data``, a JSON object where FSRS keeps the memory state: ``s`` stability, ``d``
difficulty, ``dr`` desired retention, ``decay`` and ``lrt`` (the last review, Unix seconds). The review
log (table ``revlog``) holds one row per answer: its time in milliseconds (the row id), the rating
(1-4; 0 for manual changes), the interval after it (days, or negative seconds while learning), the
interval before, the ease (with FSRS: 100 + difficulty rescaled to 0-1000) and the seconds taken in
ms, and its type (0 learning, 1 review, 2 relearning, 3 a filtered-deck preview, 4 manual, 5
rescheduled).

``export_history`` writes learndl's side into a collection that genanki made; ``read_history`` reads
a collection into ``AnkiCard`` records; ``plan_import`` turns them into learndl review rows and card
states (pure: it takes ``now`` and the settings).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..scheduler import SchedulerConfig, State, iso, parse_ts, study_day

QUEUE_SUSPENDED, QUEUE_SCHED_BURIED, QUEUE_USER_BURIED = -1, -2, -3
QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 0, 1, 2, 3
REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN, REVLOG_FILTERED, REVLOG_MANUAL = 0, 1, 2, 3, 4
DEFAULT_ROLLOVER = 4  # Anki's "next day starts at" hour


# ---------------------------------------------------------------- Anki's numbers


def ease_from_difficulty(difficulty: float | None) -> int:
    """The revlog ease Anki writes with FSRS: 100 plus difficulty 1-10 rescaled to 0-1000."""
    return 0 if difficulty is None else round(100 + (difficulty - 1) / 9 * 1000)


def day_zero(crt: int, rollover: int, tz) -> date:
    """The date of Anki's day number 0: the collection's creation day, after the rollover hour."""
    return (datetime.fromtimestamp(crt, tz) - timedelta(hours=rollover)).date()


def _ms(ts: datetime) -> int:
    return int(round(ts.timestamp() * 1000))


def _day_start(day: date, hour: int, tz) -> datetime:
    """When a study day starts, in UTC (``tz`` None: the local zone)."""
    start = datetime(day.year, day.month, day.day, hour)
    return (start.replace(tzinfo=tz) if tz else start.astimezone()).astimezone(timezone.utc)


# ---------------------------------------------------------------- learndl → Anki


@dataclass
class ExportCard:
    """A learndl card as it goes to Anki: where it sits in the package, its schedule and its reviews."""

    guid: str
    ord: int
    row: dict  # the learndl card row (state, step, stability, difficulty, due, last_review, reps, …)
    reviews: list[dict] = field(default_factory=list)  # learndl review rows, oldest first


def export_history(
    conn: sqlite3.Connection, cards: list[ExportCard], now: datetime, *, day_starts_hour: int,
    desired_retention: float, learning_steps: int, relearning_steps: int, decay: float, tz=None,
) -> tuple[int, int]:
    """Give the cards of a genanki collection learndl's schedules and review log; (cards, reviews) written.

    The collection's creation day becomes the first study day with a review (or today), at learndl's
    day start, so every due day is a positive day number; Anki converts them when it imports.
    """
    reviewed = [parse_ts(r["ts"]) for c in cards for r in c.reviews[:1]]
    first = min(reviewed + [now])
    first_day = date.fromisoformat(study_day(first, day_starts_hour, tz))
    crt_start = _day_start(first_day, day_starts_hour, tz)
    conn.execute("update col set crt = ?", [int(crt_start.timestamp())])
    conf = json.loads(conn.execute("select conf from col").fetchone()[0] or "{}")
    conf["rollover"] = day_starts_hour
    # Without it Anki takes the package for one from its first scheduler, whose learning cards had
    # three buttons, and raises every learning answer's rating by one when it imports the review log.
    conf["schedVer"] = 2
    conn.execute("update col set conf = ?", [json.dumps(conf)])
    anki_ids = {(guid, ord_): cid for cid, guid, ord_ in conn.execute("select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid")}
    taken: set[int] = set()
    today = date.fromisoformat(study_day(now, day_starts_hour, tz))

    def day_number(ts: datetime) -> int:
        return (date.fromisoformat(study_day(ts, day_starts_hour, tz)) - first_day).days

    n_cards = n_reviews = 0
    for card in cards:
        cid = anki_ids.get((card.guid, card.ord))
        if cid is None:
            continue
        row = card.row
        state = int(row.get("state") or 0)
        due, last = parse_ts(row.get("due")), parse_ts(row.get("last_review"))
        if due is None or last is None:  # never reviewed (or a state without times): Anki gets it new
            state = State.NEW
        if state == State.NEW and not row.get("suspended"):
            continue  # genanki wrote it new; nothing to add
        values = {"mod": int(now.timestamp()), "usn": -1, "reps": int(row.get("reps") or 0), "lapses": int(row.get("lapses") or 0)}
        if state == State.NEW:
            values.update(type=0, queue=QUEUE_NEW)
        else:
            data = {"s": round(row["stability"], 4), "d": round(row["difficulty"], 3), "dr": desired_retention,
                    "decay": round(decay, 4), "lrt": int(last.timestamp())} if row.get("stability") and last else {}
            values.update(type=state, factor=2500, data=json.dumps(data, separators=(",", ":")) if data else "")
            if state == State.REVIEW:
                values.update(queue=QUEUE_REVIEW, due=day_number(due), ivl=max(1, day_number(due) - day_number(last)), left=0)
            else:
                steps = learning_steps if state == State.LEARNING else relearning_steps
                left = max(1, steps - int(row.get("step") or 0))
                if due - last < timedelta(days=1):
                    values.update(queue=QUEUE_LEARN, due=int(due.timestamp()), left=left)
                else:
                    values.update(queue=QUEUE_DAY_LEARN, due=day_number(due), left=left)
                values["ivl"] = 0 if state == State.LEARNING else max(1, round((due - last).total_seconds() / 86400))
        buried = (row.get("buried_until") or "") >= today.isoformat()
        if row.get("suspended"):
            values["queue"] = QUEUE_SUSPENDED
        elif buried:
            values["queue"] = QUEUE_USER_BURIED
        conn.execute(f"update cards set {', '.join(f'{k} = ?' for k in values)} where id = ?", [*values.values(), cid])
        n_cards += 1
        last_ivl = 0
        for review in card.reviews:
            ts = parse_ts(review["ts"])
            rid = _ms(ts)
            while rid in taken:
                rid += 1
            taken.add(rid)
            after = parse_ts(review.get("due"))
            if after is None:
                ivl = 0
            elif review.get("state") == State.REVIEW:
                ivl = max(1, round((after - ts).total_seconds() / 86400))
            else:
                ivl = -max(1, round((after - ts).total_seconds()))
            kind = {State.REVIEW: REVLOG_REVIEW, State.RELEARNING: REVLOG_RELEARN}.get(review.get("prev_state"), REVLOG_LEARN)
            conn.execute(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                [rid, cid, int(review["rating"]), ivl, last_ivl, ease_from_difficulty(review.get("difficulty")),
                 max(0, int(review.get("duration_ms") or 0)), kind],
            )
            last_ivl = ivl
            n_reviews += 1
    return n_cards, n_reviews


# ---------------------------------------------------------------- Anki → learndl


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


@dataclass
class ImportedCard:
    """What one Anki card brings to a learndl card: review rows and its schedule."""

    reviews: list[dict]
    state: dict  # learndl card columns: state, step, stability, difficulty, due, last_review, reps, lapses, suspended, buried_until
    last_review: datetime | None
    memory_from: str  # "anki" (its stored FSRS state), "history" (replayed), "sm2" (converted) or "new"


def _prev_state(entry: RevlogEntry, first: bool) -> int:
    if first:
        return State.NEW
    if entry.type == REVLOG_FILTERED:  # answered in a filtered deck: a review if it had an interval
        return State.REVIEW if entry.last_ivl > 0 else State.LEARNING
    return {REVLOG_LEARN: State.LEARNING, REVLOG_REVIEW: State.REVIEW, REVLOG_RELEARN: State.RELEARNING}[entry.type]


def _times(entries: list[RevlogEntry]) -> list[datetime]:
    """Each answer's time in whole seconds, as learndl keeps it; answers within one second stay apart."""
    out: list[datetime] = []
    for e in entries:
        ts = datetime.fromtimestamp(e.ms // 1000, timezone.utc)
        if out and ts <= out[-1]:
            ts = out[-1] + timedelta(seconds=1)
        out.append(ts)
    return out


def replay(histories: list[list[tuple[int, datetime]]], parameters) -> list[list[tuple[float, float]]]:
    """The memory state (stability, difficulty) after each answer of each history, by fsrs-rs in one
    batch. Days between answers are whole 24-hour periods, as ``fsrs.Scheduler`` counts them, so the
    states are the ones learndl's scheduler would have reached."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    items = []
    for answers_ in histories:
        steps, last = [], None
        for rating, ts in answers_:
            steps.append(FSRSReview(rating, 0 if last is None else int((ts - last).total_seconds() // 86400)))
            last = ts
        items.append(FSRSItem(steps))
    states = FSRS(list(parameters)).historical_memory_state_batch(items) if items else []
    return [[(float(m.stability), float(m.difficulty)) for m in card] for card in states]


def plan_card(card: AnkiCard, history: AnkiHistory, memories: list[tuple[float, float]] | None, config: SchedulerConfig,
              now: datetime, day_starts_hour: int, tz=None) -> ImportedCard:
    """Review rows and the card's learndl state. ``memories``: the replayed state after each of
    ``answers(card.revlog)``, or None when the log does not start with the card's first answer."""
    entries = answers(card.revlog)
    times = _times(entries)
    rows = []
    for i, (e, ts) in enumerate(zip(entries, times)):
        after_state = _prev_state(entries[i + 1], False) if i + 1 < len(entries) else (card.type or State.LEARNING)
        due = ts + (timedelta(days=e.ivl) if e.ivl > 0 else timedelta(seconds=-e.ivl))
        stability, difficulty = memories[i] if memories else (None, None)
        before = {"state": int(_prev_state(e, first=i == 0 and memories is not None)), "reps": i,
                  "stability": memories[i - 1][0] if memories and i else None,
                  "difficulty": memories[i - 1][1] if memories and i else None,
                  "last_review": iso(times[i - 1]) if i else None}
        rows.append({
            "ts": iso(ts), "day": study_day(ts, day_starts_hour, tz), "rating": e.ease, "duration_ms": max(0, e.time_ms),
            "prev_state": before["state"], "state": int(after_state), "stability": stability, "difficulty": difficulty,
            "due": iso(due), "prev": json.dumps(before), "kind": "review",
        })
    zero = day_zero(history.crt, history.rollover, tz) if history.crt else None
    last = datetime.fromtimestamp(card.data["lrt"], timezone.utc) if isinstance(card.data.get("lrt"), (int, float)) else (
        times[-1] if times else None
    )
    state = int(card.type) if card.type in (0, 1, 2, 3) else State.NEW
    out = {"reps": card.reps, "lapses": card.lapses, "suspended": int(card.queue == QUEUE_SUSPENDED),
           "buried_until": study_day(now, day_starts_hour, tz) if card.queue in (QUEUE_SCHED_BURIED, QUEUE_USER_BURIED) else ""}
    if state == State.NEW:
        out.update(state=0, step=None, stability=None, difficulty=None, due=None, last_review=None)
        return ImportedCard(rows, out, None, "new")
    # Memory: Anki's stored FSRS state, else the replayed history, else converted from SM-2's ease and interval.
    s, d = card.data.get("s"), card.data.get("d")
    if isinstance(s, (int, float)) and isinstance(d, (int, float)) and s > 0:
        stability, difficulty, source = float(s), float(d), "anki"
    elif memories:
        (stability, difficulty), source = memories[-1], "history"
    else:
        from fsrs_rs_python import FSRS

        converted = FSRS(list(_parameters(config))).memory_state_from_sm2(
            max(card.factor, 1300) / 1000, max(card.ivl, 1), config.desired_retention
        )
        stability, difficulty, source = float(converted.stability), float(converted.difficulty), "sm2"
    if card.queue == QUEUE_LEARN or (card.queue < 0 and card.due > 1_000_000_000):
        due = datetime.fromtimestamp(card.due, timezone.utc)
    elif zero is not None:
        # On its due day at the time of day of the last review, as fsrs.Scheduler sets a due time
        # (the day's very start would count as the end of the day before).
        day = zero + timedelta(days=card.due)
        into = timedelta(hours=12)
        if last is not None:
            into = last - _day_start(date.fromisoformat(study_day(last, day_starts_hour, tz)), day_starts_hour, tz)
        due = _day_start(day, day_starts_hour, tz) + max(into, timedelta(seconds=1))
    else:
        due = now
    if last is None:
        last = due - timedelta(days=max(card.ivl, 0))
    step = None
    if state in (State.LEARNING, State.RELEARNING):
        steps = len(config.learning_steps_minutes if state == State.LEARNING else config.relearning_steps_minutes)
        step = min(max(steps - card.left % 1000, 0), max(steps - 1, 0))
    out.update(state=state, step=step, stability=stability, difficulty=difficulty, due=iso(due), last_review=iso(last))
    return ImportedCard(rows, out, last, source)


def _parameters(config: SchedulerConfig) -> tuple[float, ...]:
    """The learner's FSRS-6 parameters, or the defaults (none saved, or an older model's 19)."""
    import fsrs.scheduler

    from fsrs_rs_python import check_and_fill_parameters

    from ..errors import UserError

    defaults = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
    if len(config.parameters) != len(defaults):
        return defaults
    try:
        check_and_fill_parameters(list(config.parameters))
    except ValueError as exc:
        raise UserError(f"fsrs_parameters in settings.toml: fsrs-rs cannot use them ({exc}); delete the setting to use the defaults") from None
    return tuple(config.parameters)


# ---------------------------------------------------------------- into learndl's database


@dataclass
class HistorySummary:
    cards: int = 0  # Anki cards that found their learndl card
    reviews_added: int = 0
    states_updated: int = 0
    memory: dict[str, int] = field(default_factory=dict)  # where each updated card's memory state came from

    @property
    def changed(self) -> bool:
        return bool(self.reviews_added or self.states_updated)


def learndl_ordinal(kind: str, anki_ord: int) -> str | None:
    """The learndl ordinal of Anki's card number ``anki_ord`` in a note of this kind."""
    if kind == "cloze":
        return f"c{anki_ord + 1}"
    if kind == "reversed":
        return ("fwd", "rev")[anki_ord] if anki_ord in (0, 1) else None
    return "" if anki_ord == 0 else None


def _newer(theirs: datetime | None, ours: str | None) -> bool:
    return theirs is not None and (not ours or theirs > parse_ts(ours))


def import_history(db, deck_id: str, history: AnkiHistory, settings, now: datetime, tz=None) -> HistorySummary:
    """Add Anki's reviews to the deck's cards and take Anki's schedule where it is newer than ours.

    A review already here (same card, time and rating) is not added again, and a card's schedule is
    replaced only by a strictly newer one (or, for a card never reviewed on either side, when Anki
    suspended or buried it), so importing the same package twice adds nothing.
    """
    from ..store import interop as store
    from .csvio import note_id_for_guid

    config = SchedulerConfig.from_settings(settings)
    local: dict[str, dict[str, dict]] = {}
    for row in store.deck_cards(db, deck_id):
        local.setdefault(row["explicit_id"], {})[row["ordinal"] or ""] = row
    summary = HistorySummary()
    matched = []
    for (guid, anki_ord), card in history.cards.items():
        siblings = local.get(note_id_for_guid(guid)) or {}
        kind = next(iter(siblings.values()))["kind"] if siblings else None
        row = siblings.get(learndl_ordinal(kind, anki_ord)) if kind else None
        if row is not None:
            matched.append((card, row, answers(card.revlog)))
    # A log that starts with the card's first answer (a learning one) is the whole history: replay it.
    whole = [i for i, (_c, _r, entries) in enumerate(matched) if entries and entries[0].type == REVLOG_LEARN]
    replayed = dict(zip(whole, replay(
        [[(e.ease, ts) for e, ts in zip(matched[i][2], _times(matched[i][2]))] for i in whole],
        _parameters(config),
    )))
    reviews, states = [], []
    for i, (card, row, _entries) in enumerate(matched):
        summary.cards += 1
        plan = plan_card(card, history, replayed.get(i), config, now, settings.day_starts_hour, tz)
        have = store.review_keys(db, row["id"])
        for review in plan.reviews:
            key = (review["ts"], review["rating"], "review")
            if key not in have:
                have.add(key)
                reviews.append({**review, "card_id": row["id"]})
        flags_only = plan.last_review is None and not row["last_review"] and (
            plan.state["suspended"] != row["suspended"] or bool(plan.state["buried_until"]) != bool(row["buried_until"])
        )
        if _newer(plan.last_review, row["last_review"]) or flags_only:
            states.append({"id": row["id"], **plan.state})
            summary.memory[plan.memory_from] = summary.memory.get(plan.memory_from, 0) + 1
    summary.reviews_added = len(reviews)
    summary.states_updated = len(states)
    if summary.changed:
        store.apply_progress(db, new_cards=[], reviews=reviews, card_states=states)
    return summary


def exporter(reviews_by_card: dict[str, list[dict]], now: datetime, settings, tz=None):
    """The ``history`` step for ``anki.write_apkg``: a callable, and the (cards, reviews) it wrote."""
    import fsrs.scheduler

    parameters = tuple(settings.fsrs_parameters) or tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
    written = [0, 0]

    def step(conn: sqlite3.Connection, placed: list[tuple[str, int, dict]]) -> None:
        cards = [
            ExportCard(guid, ord_, row, [r for r in reviews_by_card.get(row["id"], []) if (r.get("kind") or "review") == "review"])
            for guid, ord_, row in placed
        ]
        written[:] = export_history(
            conn, cards, now, day_starts_hour=settings.day_starts_hour, desired_retention=settings.desired_retention,
            learning_steps=len(settings.learning_steps_minutes), relearning_steps=len(settings.relearning_steps_minutes),
            decay=parameters[20] if len(parameters) > 20 else 0.5, tz=tz,
        )

    return step, written
