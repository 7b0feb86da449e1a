"""Every schema change, in order. Released migrations are never edited: add a new one at the end.

``SCHEMA_VERSION`` is the number of migrations; a database that has applied more of them than this
code knows was written by a newer learndl and is refused.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("learndl")


@migrations()
def m001_initial(db: Database) -> None:
    db["decks"].create(
        {
            "id": str,
            "title": str,
            "chapter": int,
            "path": str,
            "cards": int,
            "updated": str,
        },
        pk="id",
    )
    db["deck_files"].create(
        {"path": str, "hash": str, "size": int, "mtime_ns": int, "deck_id": str, "parsed": str},
        pk="path",
    )
    db["cards"].create(
        {
            "id": str,  # stable card id (never reused)
            "note_id": str,  # siblings share it
            "ordinal": str,  # "", "rev", "c1", ...
            "explicit_id": str,
            "kind": str,  # basic | reversed | cloze
            "deck_id": str,
            "chapter": int,
            "front": str,
            "back": str,
            "context": str,
            "tags": str,  # space separated, with leading/trailing space for LIKE
            "source": str,
            "path": str,
            "line": int,
            "fingerprint": str,
            "front_key": str,
            "back_key": str,
            "active": int,
            "suspended": int,
            "buried_until": str,
            "leech": int,
            "state": int,  # 0 new, 1 learning, 2 review, 3 relearning
            "step": int,
            "stability": float,
            "difficulty": float,
            "due": str,
            "last_review": str,
            "reps": int,
            "lapses": int,
            "created": str,
        },
        pk="id",
        not_null={"id", "deck_id", "front", "back"},
        defaults={
            "active": 1,
            "suspended": 0,
            "leech": 0,
            "state": 0,
            "reps": 0,
            "lapses": 0,
            "ordinal": "",
            "explicit_id": "",
            "tags": "",
            "buried_until": "",
        },
    )
    db["cards"].create_index(["active", "suspended", "state", "due"], index_name="idx_cards_queue")
    db["cards"].create_index(["deck_id"], index_name="idx_cards_deck")
    db["cards"].create_index(["fingerprint"], index_name="idx_cards_fingerprint")
    db["cards"].create_index(["explicit_id"], index_name="idx_cards_explicit")
    db["cards"].create_index(["note_id"], index_name="idx_cards_note")
    db["reviews"].create(
        {
            "id": int,
            "card_id": str,
            "ts": str,  # UTC ISO-8601
            "day": str,  # the study day (local, after day_starts_hour) it counted for
            "rating": int,
            "duration_ms": int,
            "prev_state": int,  # the card's state before the review (0 = new)
            "state": int,  # the card's state after the review
            "stability": float,
            "difficulty": float,
            "due": str,
            "prev": str,  # JSON of the card's scheduling fields before the review (for undo)
            "kind": str,  # review | exam
        },
        pk="id",
    )
    db["reviews"].create_index(["card_id", "ts"], index_name="idx_reviews_card")
    db["reviews"].create_index(["ts"], index_name="idx_reviews_ts")
    db["reviews"].create_index(["day"], index_name="idx_reviews_day")
    # The exercise half.
    db["attempts"].create(
        {
            "id": int,
            "exercise": str,
            "ts": str,
            "device": str,
            "verdict": str,  # pass | fail | error | timeout
            "checks": str,  # JSON list of {id, status, message, duration_ms}
            "duration_ms": int,
            "code_hash": str,
            "hints_used": int,
            "seed": int,
            "mode": str,  # check | drill | exam | redrill
        },
        pk="id",
    )
    db["attempts"].create_index(["exercise", "ts"], index_name="idx_attempts_exercise")
    db["hint_views"].create({"id": int, "exercise": str, "ts": str, "level": int}, pk="id")
    db["solution_views"].create({"id": int, "exercise": str, "ts": str, "forced": int}, pk="id")
    db["exercise_schedule"].create(
        {
            "exercise": str,
            "state": int,
            "step": int,
            "stability": float,
            "difficulty": float,
            "due": str,
            "last_review": str,
            "reps": int,
            "lapses": int,
            "redrill_started": str,
        },
        pk="exercise",
    )
    db["meta"].create({"key": str, "value": str}, pk="key")



@migrations()
def m002_exams(db: Database) -> None:
    """``learndl exam``: one row per exam, one per item drawn (a card or an exercise)."""
    db["exams"].create(
        {
            "id": int,
            "started": str,  # UTC ISO-8601
            "finished": str,
            "chapter": int,  # the --chapter filter, or null for a mixed exam
            "minutes": float,  # the time allowed
            "seconds": int,  # the time taken
            "timed_out": int,
            "count_reviews": int,
            "seed": int,
            "items": int,
            "correct": int,
            "score": float,  # correct / items, 0..1
        },
        pk="id",
    )
    db["exam_items"].create(
        {
            "id": int,
            "exam_id": int,
            "position": int,
            "kind": str,  # card | exercise
            "item": str,  # the card id or the exercise name
            "chapter": int,
            "mode": str,  # typed | self | exercise
            "answer": str,  # what was typed (typed cards) or the exercise verdict
            "correct": int,  # 1 right, 0 wrong or unanswered
            "answered": int,  # 0 when time ran out or the learner quit before it
            "duration_ms": int,
        },
        pk="id",
    )
    db["exam_items"].create_index(["exam_id"], index_name="idx_exam_items_exam")
    # ``learndl report``'s cache of per-day review aggregates (derived data: safe to empty). A day's
    # rows are recomputed whenever its count or largest id of reviews changes.
    db["report_days"].create(
        {
            "day": str,
            "chapter": int,
            "reviews": int,  # kind = 'review'
            "ms": int,
            "first_reviews": int,  # first review of a card that day, card in review state before it
            "first_passed": int,  # ... rated Hard or better
        },
    )
    db["report_days"].create_index(["day"], index_name="idx_report_days_day")
    db["report_day_stamps"].create({"day": str, "n": int, "max_id": int}, pk="day")


@migrations()
def m003_due_index(db: Database) -> None:
    # Covers the per-deck due counts of `status` and `decks list` (and the quiz's counts), so they
    # read a small index instead of every card row with its front and back.
    db["cards"].create_index(
        ["deck_id", "active", "suspended", "buried_until", "state", "due"], index_name="idx_cards_deck_due"
    )


SCHEMA_VERSION = len(migrations._migrations)
