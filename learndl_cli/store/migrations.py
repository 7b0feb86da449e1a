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



# ``report_days`` kept current by triggers (m004). A card's first review on a study day is its
# earliest by (ts, id); it counts for true retention when the card was in the review state before it
# (prev_state = 2), and passed when rated Hard or better. These helpers only build m004's SQL: a
# released migration's SQL never changes, so they must not change either.
_FIRST = "(select {col} from reviews where card_id = {card} and day = {day} and kind = 'review' order by ts, id limit 1 offset {offset})"
_CHAPTER = "(select chapter from cards where id = {card})"
_IS_REVIEW = "coalesce({r}prev_state, -1) = 2"
_PASSED = "(coalesce({r}prev_state, -1) = 2 and coalesce({r}rating, 0) >= 2)"


def _first(col: str, card: str, day: str, offset: int = 0) -> str:
    return "coalesce(" + _FIRST.format(col=col, card=card, day=day, offset=offset) + ", 0)"


def _ensure_row(day: str, chapter: str) -> str:
    return (
        "insert into report_days (day, chapter, reviews, ms, first_reviews, first_passed) "
        f"select {day}, {chapter}, 0, 0, 0, 0 where not exists "
        f"(select 1 from report_days where day = {day} and chapter is {chapter});"
    )


def _review_added() -> str:
    card, day, chapter = "new.card_id", "new.day", _CHAPTER.format(card="new.card_id")
    first_id = _FIRST.format(col="id", card=card, day=day, offset=0)
    def delta(flag: str) -> str:
        # new is first now: it adds its flag and the review that was first before it (now second) loses its own
        return (
            f"case when new.id = {first_id} then ({flag.format(r='new.')}) - {_first(flag.format(r=''), card, day, 1)} else 0 end"
        )
    return (
        _ensure_row(day, chapter)
        + " update report_days set reviews = reviews + 1, ms = ms + coalesce(new.duration_ms, 0),"
        f" first_reviews = first_reviews + {delta(_IS_REVIEW)},"
        f" first_passed = first_passed + {delta(_PASSED)}"
        f" where day = {day} and chapter is {chapter};"
    )


def _review_removed() -> str:
    card, day, chapter = "old.card_id", "old.day", _CHAPTER.format(card="old.card_id")
    was_first = (
        "not exists (select 1 from reviews where card_id = old.card_id and day = old.day and kind = 'review'"
        " and (ts < old.ts or (ts = old.ts and id < old.id)))"
    )
    def delta(flag: str) -> str:
        # old was first: it takes its flag away, and the review now first adds its own
        return f"case when {was_first} then {_first(flag.format(r=''), card, day)} - ({flag.format(r='old.')}) else 0 end"
    return (
        " update report_days set reviews = reviews - 1, ms = ms - coalesce(old.duration_ms, 0),"
        f" first_reviews = first_reviews + {delta(_IS_REVIEW)},"
        f" first_passed = first_passed + {delta(_PASSED)}"
        f" where day = {day} and chapter is {chapter};"
        f" delete from report_days where day = {day} and chapter is {chapter} and reviews <= 0;"
    )


def _card_moved(card: str, src: str, dst: str) -> str:
    """Move a card's reviews from chapter ``src`` to ``dst``, day by day (a deck that changed chapter,
    or a card that appeared or vanished while its reviews stayed)."""
    days = f"(select day from reviews where card_id = {card} and kind = 'review')"
    own = f"from reviews r where r.card_id = {card} and r.day = report_days.day and r.kind = 'review'"
    def first(flag: str) -> str:
        return f"coalesce((select {flag.format(r='r.')} {own} order by r.ts, r.id limit 1), 0)"
    def shift(sign: str) -> str:
        return (
            f" reviews = reviews {sign} (select count(*) {own}),"
            f" ms = ms {sign} (select coalesce(sum(r.duration_ms), 0) {own}),"
            f" first_reviews = first_reviews {sign} {first(_IS_REVIEW)},"
            f" first_passed = first_passed {sign} {first(_PASSED)}"
        )
    return (
        f" update report_days set{shift('-')} where chapter is {src} and day in {days};"
        f" delete from report_days where chapter is {src} and reviews <= 0 and day in {days};"
        " insert into report_days (day, chapter, reviews, ms, first_reviews, first_passed)"
        f" select distinct r.day, {dst}, 0, 0, 0, 0 from reviews r where r.card_id = {card} and r.kind = 'review'"
        f" and not exists (select 1 from report_days d where d.day = r.day and d.chapter is {dst});"
        f" update report_days set{shift('+')} where chapter is {dst} and day in {days};"
    )


@migrations()
def m004_report_triggers(db: Database) -> None:
    """Keep ``report_days`` current as reviews are written, so no report ever scans the history.

    Triggers update one day's row per review written or taken back, and move a card's rows when its
    chapter changes. ``meta.report_days`` says whether the table is complete: "current" on a new
    database, "stale" on one upgraded with reviews (the next report fills it once, and the
    triggers keep it so). The per-day stamps of m002 are no longer needed.
    """
    db["reviews"].create_index(["card_id", "day", "ts"], index_name="idx_reviews_card_day")
    db["report_days"].create_index(["chapter", "day"], index_name="idx_report_days_chapter")
    db.execute("drop table if exists report_day_stamps")
    db.execute("delete from report_days")
    has_reviews = db.execute("select exists(select 1 from reviews)").fetchone()[0]
    db.execute(
        "insert or replace into meta (key, value) values ('report_days', ?)", ["stale" if has_reviews else "current"]
    )
    triggers = {
        "report_days_review_added": ("after insert on reviews when new.kind = 'review'", _review_added()),
        "report_days_review_removed": ("after delete on reviews when old.kind = 'review'", _review_removed()),
        # Reviews are never edited in place; if one is, the table is rebuilt by the next report.
        "report_days_review_edited": (
            "after update of card_id, ts, day, rating, duration_ms, prev_state, kind on reviews",
            " insert or replace into meta (key, value) values ('report_days', 'stale');",
        ),
        "report_days_card_chapter": (
            "after update of chapter on cards when old.chapter is not new.chapter"
            " and exists (select 1 from reviews where card_id = new.id)",
            _card_moved("new.id", "old.chapter", "new.chapter"),
        ),
        # (a card is added or removed with its reviews left behind only by imports and clean-ups)
        "report_days_card_added": (
            "after insert on cards when new.chapter is not null and exists (select 1 from reviews where card_id = new.id)",
            _card_moved("new.id", "null", "new.chapter"),
        ),
        "report_days_card_removed": (
            "after delete on cards when old.chapter is not null and exists (select 1 from reviews where card_id = old.id)",
            _card_moved("old.id", "old.chapter", "null"),
        ),
    }
    for name, (when, body) in triggers.items():
        db.execute(f"create trigger {name} {when} begin {body} end")


@migrations()
def m005_new_limit_raises(db: Database) -> None:
    """``learndl quiz --new N`` raises the day's new-card limit (Anki's "increase today's new card
    limit"). The raise is kept per study day, so a later quiz, ``status``, ``decks list``, the report
    and the exam all count it, as they count the limit itself."""
    db["new_limit_raises"].create({"day": str, "extra": int}, pk="day")


SCHEMA_VERSION = len(migrations._migrations)
