"""Progress as JSON: card identity, review history and FSRS state, to move between machines.

The file is one object: ``{"format": "learndl-progress", "version": 1, "exported": …, "cards": […],
"exercises": {…}}``; each card holds its identity (id, note id, ordinal, explicit id, fingerprint,
front key), its scheduling state, and its reviews. ``exercises`` holds the exercise attempts, hint
and solution views, and each exercise's re-drill schedule (files written before it was added have
none, and still import). Import matches each card to a card here by id, then explicit id,
then fingerprint, then front; a card not here is kept (inactive, with its history) and comes back
with that history as soon as a deck holds it. Importing is idempotent: a review already here is not
added again, an attempt or view already here is not added again, and a card's or an exercise's
schedule is replaced only by a strictly newer one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from ..errors import UserError
from ..scheduler import iso, parse_ts
from ..store import interop as store

FORMAT = "learndl-progress"
VERSION = 1


def export_progress(db: Database, now: datetime, deck_ids: list[str] | None = None) -> dict:
    cards = store.cards_for_export(db, deck_ids, active_only=False)
    reviews = store.reviews_by_card(db)
    out = []
    for card in cards:
        history = reviews.get(card["id"], [])
        if not history and not card["reps"] and not card["suspended"]:
            continue  # never studied: nothing to carry
        entry = {k: card[k] for k in store.CARD_IDENTITY_FIELDS}
        entry["progress"] = {k: card[k] for k in store.CARD_PROGRESS_FIELDS}
        entry["reviews"] = history
        out.append(entry)
    return {"format": FORMAT, "version": VERSION, "exported": iso(now), "cards": out, "exercises": store.exercise_progress(db)}


@dataclass
class ImportSummary:
    cards: int = 0
    matched: int = 0
    kept_aside: int = 0
    reviews_added: int = 0
    states_updated: int = 0
    attempts_added: int = 0
    views_added: int = 0  # hint and solution views
    schedules_updated: int = 0  # exercises' re-drill schedules

    @property
    def changed(self) -> bool:
        return bool(
            self.kept_aside or self.reviews_added or self.states_updated
            or self.attempts_added or self.views_added or self.schedules_updated
        )


def load(text: str, name: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"{name}: not a learndl progress file (learndl export --progress writes one)")
    if data.get("version") != VERSION:
        raise UserError(f"{name}: progress format version {data.get('version')!r}; this learndl reads version {VERSION}")
    if not isinstance(data.get("cards"), list):
        raise UserError(f"{name}: 'cards' must be a list")
    return data


def _newer(theirs, ours) -> bool:
    """Whether a last-review time is strictly later than ours (times compared, not strings)."""
    if not theirs:
        return False
    return not ours or parse_ts(theirs) > parse_ts(ours)


def _is_time(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_ts(value)
    except ValueError:
        return False
    return True


def _check_progress(progress: dict, name: str, n: int) -> None:
    """Refuse values the scheduler could not read back (before anything is written)."""
    for key in ("state", "reps", "lapses", "suspended", "leech"):
        if progress[key] is not None and (isinstance(progress[key], bool) or not isinstance(progress[key], int)):
            raise UserError(f"{name}: card {n}: '{key}' must be a whole number")
    for key in ("stability", "difficulty"):
        if progress[key] is not None and (isinstance(progress[key], bool) or not isinstance(progress[key], (int, float))):
            raise UserError(f"{name}: card {n}: '{key}' must be a number")
    for key in ("due", "last_review"):
        if progress[key] not in (None, ""):
            try:
                parse_ts(progress[key])
            except (TypeError, ValueError):
                raise UserError(f"{name}: card {n}: '{key}' must be an ISO-8601 time") from None
    if progress["state"] is not None and progress["state"] not in (0, 1, 2, 3):
        raise UserError(f"{name}: card {n}: 'state' must be 0 (new), 1, 2 or 3")


VERDICTS = ("pass", "fail", "error", "timeout")


def _exercise_rows(data: dict, name: str) -> tuple[dict[str, list[dict]], list[dict]]:
    """The ``exercises`` part of a progress file, checked: rows per table, and schedules."""
    part = data.get("exercises")
    if part is None:
        return {}, []
    if not isinstance(part, dict):
        raise UserError(f"{name}: 'exercises' must be an object")
    rows: dict[str, list[dict]] = {}
    for table in (*store.EXERCISE_TABLES, "schedule"):
        items = part.get(table, [])
        if not isinstance(items, list):
            raise UserError(f"{name}: exercises.{table} must be a list")
        for n, item in enumerate(items, 1):
            where = f"{name}: exercises.{table}[{n}]"
            if not isinstance(item, dict) or not isinstance(item.get("exercise"), str) or not item["exercise"]:
                raise UserError(f"{where}: needs an 'exercise' name")
            times = ("last_review", "due", "redrill_started") if table == "schedule" else ("ts",)
            for key in times:
                value = item.get(key)
                if (table != "schedule" or value not in (None, "")) and not _is_time(value):
                    raise UserError(f"{where}: '{key}' must be an ISO-8601 time")
            if table == "attempts":
                if item.get("verdict") not in VERDICTS:
                    raise UserError(f"{where}: 'verdict' must be one of {', '.join(VERDICTS)}")
                if not isinstance(item.get("checks"), (str, type(None))):
                    item = {**item, "checks": json.dumps(item["checks"], ensure_ascii=False)}
            if table == "schedule" and item.get("state") not in (None, 0, 1, 2, 3):
                raise UserError(f"{where}: 'state' must be 0 (new), 1, 2 or 3")
            rows.setdefault(table, []).append(item)
    return {t: r for t, r in rows.items() if t != "schedule"}, rows.get("schedule", [])


def import_progress(db: Database, data: dict, now: datetime, name: str = "progress") -> ImportSummary:
    summary = ImportSummary()
    exercise_rows, schedules = _exercise_rows(data, name)
    index = store.all_cards_index(db)
    by_id = {c["id"]: c for c in index}
    by_explicit = {(c["explicit_id"], c["ordinal"] or ""): c for c in index if c["explicit_id"]}
    by_fp: dict[str, dict] = {}
    by_front: dict[tuple, dict] = {}
    for c in index:
        by_fp.setdefault(c["fingerprint"], c)
        by_front.setdefault((c["kind"], c["ordinal"] or "", c["front_key"]), c)
    new_cards, new_reviews, states = [], [], []
    claimed: set[str] = set()
    for n, entry in enumerate(data["cards"], 1):
        if not isinstance(entry, dict) or not entry.get("id") or not isinstance(entry.get("progress"), dict):
            raise UserError(f"{name}: card {n} lacks 'id' or 'progress'")
        summary.cards += 1
        ordinal = entry.get("ordinal") or ""
        local = (
            by_id.get(entry["id"])
            or (by_explicit.get((entry.get("explicit_id"), ordinal)) if entry.get("explicit_id") else None)
            or by_fp.get(entry.get("fingerprint"))
            or by_front.get((entry.get("kind"), ordinal, entry.get("front_key")))
        )
        if local is not None and local["id"] in claimed:
            local = None
        progress = {k: entry["progress"].get(k) for k in store.CARD_PROGRESS_FIELDS}
        _check_progress(progress, name, n)
        if local is None:
            # Not in any deck here: keep it aside, inactive, so its history is not lost.
            card_id = entry["id"] if entry["id"] not in by_id else uuid.uuid4().hex[:16]
            row = {k: entry.get(k) for k in store.CARD_IDENTITY_FIELDS}
            row.update(id=card_id, active=0, created=iso(now), path="", line=0, **progress)
            row["deck_id"] = row["deck_id"] or "imported"
            row["front"] = row["front"] or ""
            row["back"] = row["back"] or ""
            new_cards.append(row)
            by_id[card_id] = row
            claimed.add(card_id)
            summary.kept_aside += 1
            have: set[tuple] = set()
        else:
            card_id = local["id"]
            claimed.add(card_id)
            summary.matched += 1
            have = store.review_keys(db, card_id)
        reviews = entry.get("reviews") or []
        if not isinstance(reviews, list):
            raise UserError(f"{name}: card {n}: 'reviews' must be a list")
        for review in reviews:
            if not isinstance(review, dict) or not _is_time(review.get("ts")) or review.get("rating") not in (1, 2, 3, 4):
                raise UserError(f"{name}: card {n}: each review needs a time 'ts' and a 'rating' from 1 to 4")
            key = (review.get("ts"), review.get("rating"), review.get("kind") or "review")
            if key in have:
                continue
            have.add(key)
            row = {k: review.get(k) for k in store.REVIEW_FIELDS}
            row["kind"] = row["kind"] or "review"
            row["card_id"] = card_id
            new_reviews.append(row)
        if local is not None and _newer(progress.get("last_review"), local.get("last_review")):
            states.append({"id": card_id, **progress})
    summary.reviews_added = len(new_reviews)
    summary.states_updated = len(states)
    # The exercise half: rows not here yet, and schedules strictly newer than ours.
    have = store.exercise_keys(db)
    new_rows: dict[str, list[dict]] = {}
    for table, items in exercise_rows.items():
        key_cols = store.EXERCISE_TABLES[table][1]
        for item in items:
            key = tuple(item.get(c) for c in key_cols)
            if key not in have[table]:
                have[table].add(key)
                new_rows.setdefault(table, []).append(item)
    ours = store.exercise_schedules(db)
    newer = [s for s in schedules if s["exercise"] not in ours or _newer(s.get("last_review"), ours[s["exercise"]]["last_review"])]
    summary.attempts_added = len(new_rows.get("attempts", []))
    summary.views_added = len(new_rows.get("hint_views", [])) + len(new_rows.get("solution_views", []))
    summary.schedules_updated = len(newer)
    if summary.changed:
        store.apply_progress(
            db, new_cards=new_cards, reviews=new_reviews, card_states=states, exercise_rows=new_rows, schedules=newer
        )
    return summary
