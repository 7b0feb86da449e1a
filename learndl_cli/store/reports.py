"""SQL for ``learndl report`` and ``learndl exam``.

No report scans the reviews: their per-day aggregates live in ``report_days``, which triggers keep
current as reviews are written (m004), and the rest are done in SQL on indexes, so what comes back
is one row per chapter, per day or per exercise. Only the cards table (thousands of
rows, not millions) is read row by row, for retrievability, which FSRS computes in Python.

Days are study days (``reviews.day``, ISO dates); ``cutoff`` strings are UTC ISO-8601 times, which
compare correctly as text with the stored ``ts`` and ``due`` columns.
"""

from __future__ import annotations

from sqlite_utils import Database

from .db import write_txn

MATURE_DAYS = 21


def _chapter_filter(chapter: int | None, alias: str = "c") -> tuple[str, list]:
    if chapter is None:
        return "", []
    return f" and {alias}.chapter = ?", [chapter]


# ---------------------------------------------------------------- cards


def has_activity(db: Database) -> bool:
    """Whether anything has been recorded yet: a review, an exercise attempt or an exam."""
    for table in ("reviews", "attempts", "exams"):
        if db[table].exists() and next(db.query(f"select exists(select 1 from {table}) as x"))["x"]:
            return True
    return False


def card_counts(db: Database, chapter: int | None = None) -> list[dict]:
    """Per chapter: active cards by state (new, learning, young, mature), lapses, leeches, suspended.

    Learning counts learning and relearning cards; young and mature are review cards whose current
    interval (``due - last_review``) is under, or at least, ``MATURE_DAYS`` days.
    """
    where, args = _chapter_filter(chapter)
    return list(
        db.query(
            f"""select c.chapter as chapter,
                  count(*) as cards,
                  sum(c.state = 0) as new,
                  sum(c.state in (1, 3)) as learning,
                  sum(c.state = 2 and julianday(c.due) - julianday(c.last_review) < {MATURE_DAYS}) as young,
                  sum(c.state = 2 and julianday(c.due) - julianday(c.last_review) >= {MATURE_DAYS}) as mature,
                  coalesce(sum(c.lapses), 0) as lapses,
                  sum(c.leech) as leeches,
                  sum(c.suspended) as suspended
               from cards c
               where c.active = 1 {where}
               group by c.chapter
               order by coalesce(c.chapter, 999)""",
            args,
        )
    )


def reviewed_cards(db: Database, chapter: int | None = None) -> list[dict]:
    """The scheduling fields of every active card that has been reviewed (for retrievability)."""
    where, args = _chapter_filter(chapter)
    return list(
        db.query(
            f"""select c.id, c.chapter, c.state, c.step, c.stability, c.difficulty, c.due, c.last_review,
                       c.reps, c.lapses, c.leech, c.suspended, c.front, c.kind, c.deck_id
                from cards c
                where c.active = 1 and c.state != 0 and c.last_review is not null {where}""",
            args,
        )
    )


def top_lapses(db: Database, chapter: int | None = None, limit: int = 5) -> list[dict]:
    where, args = _chapter_filter(chapter)
    return list(
        db.query(
            f"""select c.id, c.chapter, c.deck_id, c.front, c.kind, c.lapses, c.reps, c.leech, c.suspended
                from cards c where c.active = 1 and c.lapses > 0 {where}
                order by c.lapses desc, c.reps desc, c.id limit ?""",
            [*args, limit],
        )
    )


def leeches(db: Database, chapter: int | None = None, limit: int = 10) -> list[dict]:
    """The leeches with the most lapses (``card_counts`` has how many there are in all)."""
    where, args = _chapter_filter(chapter)
    return list(
        db.query(
            f"""select c.id, c.chapter, c.deck_id, c.front, c.kind, c.lapses, c.path, c.line, c.suspended
                from cards c where c.active = 1 and c.leech = 1 {where}
                order by c.lapses desc, c.id limit ?""",
            [*args, limit],
        )
    )


# ---------------------------------------------------------------- reviews


DAY_SQL = """
    select f.day as day, c.chapter as chapter, sum(f.n) as reviews, sum(f.ms) as ms,
           sum(coalesce(f.first_state, -1) = 2) as first_reviews,
           sum(coalesce(f.first_state, -1) = 2 and coalesce(f.first_rating, 0) >= 2) as first_passed
    from (select card_id, day, prev_state as first_state, rating as first_rating,
                 min(ts || printf('%015d', id)) as first_key, count(*) as n, coalesce(sum(duration_ms), 0) as ms
          from reviews not indexed
          where kind = 'review'
          group by card_id, day) f
    left join cards c on c.id = f.card_id
    group by f.day, c.chapter
"""


def compute_days(db: Database) -> list[dict]:
    """Per (day, chapter) aggregates straight from every review: what ``report_days`` must hold.

    Only the first review of a card on each study day counts for retention, and only when the card
    was in the review state before it (``prev_state = 2``); it passed when rated Hard or better.
    "First" is by (ts, id), as the triggers have it: ``min()`` of the two joined into one key takes
    its bare columns from that one row. The reviews are read in table order and sorted (a walk of
    ``idx_reviews_card_day`` would visit a time-ordered table at random: three times slower).
    """
    return [dict(r) for r in db.query(DAY_SQL)]


def day_stats(db: Database) -> list[dict]:
    """Per study day and chapter: reviews, milliseconds, and first-of-day review-state reviews and
    passes, read from ``report_days``, which triggers keep current as reviews are written (m004).

    The table is filled from the reviews only when ``meta.report_days`` is not "current": once, on a
    database upgraded with history, or after a review was edited in place. The fill runs inside a
    write transaction so no review written meanwhile is missed. When the database cannot be
    written (read-only or busy), the fresh numbers are used without storing them.
    """
    import sqlite3

    if cache_state(db) == "current":
        return _cached_days(db)
    try:
        with write_txn(db):
            if cache_state(db) != "current":  # another process may have filled it meanwhile
                fresh = compute_days(db)
                db.execute("delete from report_days")
                db.conn.executemany(
                    "insert into report_days (day, chapter, reviews, ms, first_reviews, first_passed) values (?, ?, ?, ?, ?, ?)",
                    [(r["day"], r["chapter"], r["reviews"], r["ms"], r["first_reviews"], r["first_passed"]) for r in fresh],
                )
                db.execute("insert or replace into meta (key, value) values ('report_days', 'current')")
                return fresh
    except sqlite3.OperationalError:  # read-only or busy: use the fresh numbers without keeping them
        return compute_days(db)
    return _cached_days(db)


def cache_state(db: Database) -> str:
    """``meta.report_days``: "current" when ``report_days`` agrees with the reviews."""
    row = db.execute("select value from meta where key = 'report_days'").fetchone()
    return row[0] if row else "stale"


def mark_days_stale(db: Database) -> None:
    """Have the next report rebuild ``report_days`` from the reviews (``doctor --fix``, tests)."""
    with write_txn(db):
        db.execute("insert or replace into meta (key, value) values ('report_days', 'stale')")


def report_days_drift(db: Database) -> int | None:
    """How many (day, chapter) rows of ``report_days`` disagree with a recount of the reviews;
    None when the table is not marked current (the next report fills it anyway)."""
    if cache_state(db) != "current":
        return None
    def key(r: dict) -> tuple:
        return (r["day"], r["chapter"] if r["chapter"] is not None else -1)
    want = {key(r): tuple(r.values()) for r in compute_days(db)}
    have = {key(r): tuple(r.values()) for r in _cached_days(db)}
    return sum(1 for k in want.keys() | have.keys() if want.get(k) != have.get(k))


def _cached_days(db: Database) -> list[dict]:
    return [dict(r) for r in db.query("select day, chapter, reviews, ms, first_reviews, first_passed from report_days")]


# ---------------------------------------------------------------- forecast


def due_cards_by_day(db: Database, shift: str, last_day: str, chapter: int | None = None) -> dict[str, int]:
    """Active, unsuspended, seen cards by the study day they fall due, up to ``last_day``.

    ``shift`` is an SQLite time modifier (``'-14400 seconds'``) that turns a UTC time into the
    study-day clock (local offset minus the hour the day starts); overdue cards keep their own day.
    """
    where, args = _chapter_filter(chapter)
    return {
        row["day"]: int(row["n"])
        for row in db.query(
            f"""select date(c.due, ?) as day, count(*) as n from cards c
                where c.active = 1 and c.suspended = 0 and c.state != 0 and c.due is not null
                  and date(c.due, ?) <= ? {where}
                group by day""",
            [shift, shift, last_day, *args],
        )
    }


def redrills_by_day(db: Database, shift: str, last_day: str) -> list[dict]:
    """Exercises scheduled for re-drill, with the study day they fall due, up to ``last_day``."""
    if not db["exercise_schedule"].exists():
        return []
    return list(
        db.query(
            """select exercise, date(due, ?) as day, due from exercise_schedule
               where last_review is not null and due is not null and due != '' and date(due, ?) <= ?
               order by due""",
            [shift, shift, last_day],
        )
    )


# ---------------------------------------------------------------- exercises


def attempt_stats(db: Database, since: str | None = None) -> list[dict]:
    """Per exercise: attempts, passes and failures (exam attempts excluded), since a UTC time."""
    args: list = []
    where = ""
    if since:
        where = " and ts >= ?"
        args.append(since)
    return list(
        db.query(
            f"""select exercise, count(*) as attempts,
                       sum(verdict = 'pass') as passes,
                       sum(verdict != 'pass') as failures,
                       max(ts) as last_ts
                from attempts where coalesce(mode, '') != 'exam' {where}
                group by exercise""",
            args,
        )
    )


def passed_exercises(db: Database) -> dict[str, str]:
    """Every exercise ever passed (outside exams), with the time of its first pass."""
    return {
        row["exercise"]: row["first"]
        for row in db.query(
            "select exercise, min(ts) as first from attempts where verdict = 'pass' and coalesce(mode, '') != 'exam' group by exercise"
        )
    }


def hints_by_exercise(db: Database, since: str | None = None) -> dict[str, int]:
    args: list = []
    where = ""
    if since:
        where = " where ts >= ?"
        args.append(since)
    return {
        row["exercise"]: int(row["n"])
        for row in db.query(f"select exercise, count(*) as n from hint_views {where} group by exercise", args)
    }


# ---------------------------------------------------------------- exams


def save_exam(db: Database, exam: dict, items: list[dict]) -> int:
    """Store a finished exam and its items in one transaction; returns the exam's id."""
    with write_txn(db):
        cur = db.execute(
            """insert into exams (started, finished, chapter, minutes, seconds, timed_out, count_reviews,
                                  seed, items, correct, score)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                exam["started"], exam["finished"], exam.get("chapter"), exam["minutes"], exam["seconds"],
                int(exam["timed_out"]), int(exam["count_reviews"]), exam.get("seed"), exam["items"],
                exam["correct"], exam["score"],
            ],
        )
        exam_id = cur.lastrowid
        for pos, item in enumerate(items, 1):
            db.execute(
                """insert into exam_items (exam_id, position, kind, item, chapter, mode, answer, correct,
                                           answered, duration_ms)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    exam_id, pos, item["kind"], item["item"], item.get("chapter"), item["mode"],
                    item.get("answer", ""), int(bool(item.get("correct"))), int(bool(item.get("answered"))),
                    int(item.get("duration_ms") or 0),
                ],
            )
    return exam_id


def next_exam_id(db: Database) -> int:
    row = next(db.query("select coalesce(max(id), 0) + 1 as id from exams"))
    return int(row["id"])


def exams(db: Database, limit: int = 10, chapter: int | None = None, before_id: int | None = None) -> list[dict]:
    """The latest exams, newest first (those that covered ``chapter`` when given)."""
    where, args = [], []
    if chapter is not None:
        where.append("exists (select 1 from exam_items i where i.exam_id = e.id and i.chapter = ?)")
        args.append(chapter)
    if before_id is not None:
        where.append("e.id < ?")
        args.append(before_id)
    sql = "select * from exams e" + (" where " + " and ".join(where) if where else "") + " order by e.id desc limit ?"
    return list(db.query(sql, [*args, limit]))


def exam_chapter_scores(db: Database, exam_ids: list[int]) -> dict[int, dict]:
    """``{exam_id: {chapter: {"items": n, "correct": k}}}``."""
    if not exam_ids:
        return {}
    marks = ",".join("?" for _ in exam_ids)
    out: dict[int, dict] = {}
    for row in db.query(
        f"""select exam_id, chapter, count(*) as items, sum(correct) as correct
            from exam_items where exam_id in ({marks}) group by exam_id, chapter""",
        exam_ids,
    ):
        out.setdefault(row["exam_id"], {})[row["chapter"]] = {"items": int(row["items"]), "correct": int(row["correct"] or 0)}
    return out


def seen_cards(db: Database, chapter: int | None = None) -> list[dict]:
    """Cards the learner has seen (reviewed at least once), active, for drawing an exam."""
    where, args = _chapter_filter(chapter)
    return list(
        db.query(
            f"""select c.* from cards c
                where c.active = 1 and c.state != 0 {where}
                order by c.chapter, c.deck_id, c.line, c.ordinal""",
            args,
        )
    )
