"""``learndl import --anki``: Anki's review log and schedules become learndl's.

``apkg.read_apkg`` reads a package's notes (which become a deck) and, through
``anki_tables.read_history``, each card's schedule and review log. ``import_history`` then matches
Anki's cards to the deck's (note GUID and card ordinal), turns every answer into a learndl review
(``plan_card``, pure: it takes ``now`` and the settings) and writes what is new, in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..scheduler import SchedulerConfig, State, iso, parse_ts, study_day
from .anki_tables import (
    QUEUE_LEARN,
    QUEUE_SCHED_BURIED,
    QUEUE_SUSPENDED,
    QUEUE_USER_BURIED,
    REVLOG_FILTERED,
    REVLOG_LEARN,
    REVLOG_RELEARN,
    REVLOG_REVIEW,
    AnkiCard,
    AnkiHistory,
    RevlogEntry,
    answers,
    day_start,
    day_zero,
)


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
            into = last - day_start(date.fromisoformat(study_day(last, day_starts_hour, tz)), day_starts_hour, tz)
        due = day_start(day, day_starts_hour, tz) + max(into, timedelta(seconds=1))
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
