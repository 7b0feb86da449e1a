"""SQL for export, import, optimize, backup, restore and doctor.

Reads are plain queries; every write is one ``write_txn``. Progress import is idempotent by
construction: a review is the same review when its card, time, rating and kind are the same, and
a card's scheduling state is replaced only by a strictly newer one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from .db import write_txn

CARD_PROGRESS_FIELDS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses",
    "suspended", "leech", "buried_until",
)
CARD_IDENTITY_FIELDS = (
    "id", "note_id", "ordinal", "explicit_id", "kind", "deck_id", "chapter", "front", "back", "context",
    "tags", "source", "fingerprint", "front_key", "back_key",
)
REVIEW_FIELDS = ("ts", "day", "rating", "duration_ms", "prev_state", "state", "stability", "difficulty", "due", "prev", "kind")
# The exercise half of a progress file: each table's columns, and the columns that make a row the
# same row (so importing twice adds nothing). The re-drill schedule has one row per exercise.
EXERCISE_TABLES = {
    "attempts": (
        ("exercise", "ts", "device", "verdict", "checks", "duration_ms", "code_hash", "hints_used", "seed", "mode"),
        ("exercise", "ts", "verdict", "code_hash", "mode"),
    ),
    "hint_views": (("exercise", "ts", "level"), ("exercise", "ts", "level")),
    "solution_views": (("exercise", "ts", "forced"), ("exercise", "ts")),
}
SCHEDULE_FIELDS = ("exercise", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "redrill_started")


# ---------------------------------------------------------------- export


def cards_for_export(db: Database, deck_ids: list[str] | None = None, active_only: bool = True) -> list[dict]:
    sql = "select c.*, d.title as deck_title from cards c left join decks d on d.id = c.deck_id where 1 = 1"
    args: list = []
    if active_only:
        sql += " and c.active = 1"
    if deck_ids:
        sql += f" and c.deck_id in ({','.join('?' for _ in deck_ids)})"
        args += deck_ids
    sql += " order by coalesce(c.chapter, 999), c.deck_id, c.path, c.line, c.ordinal"
    return list(db.query(sql, args))


def reviews_by_card(db: Database, card_ids: list[str] | None = None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in db.query(f"select card_id, {', '.join(REVIEW_FIELDS)} from reviews order by card_id, ts, id"):
        if card_ids is None or row["card_id"] in card_ids:
            out.setdefault(row.pop("card_id"), []).append(row)
    return out


def exercise_progress(db: Database) -> dict[str, list[dict]]:
    """Attempts, hint and solution views, and the re-drill schedule, oldest first."""
    out = {
        table: [dict(r) for r in db.query(f"select {', '.join(cols)} from {table} order by ts, id")]
        for table, (cols, _key) in EXERCISE_TABLES.items()
    }
    out["schedule"] = [dict(r) for r in db.query(f"select {', '.join(SCHEDULE_FIELDS)} from exercise_schedule order by exercise")]
    return out


# ---------------------------------------------------------------- progress import


def exercise_keys(db: Database) -> dict[str, set[tuple]]:
    """For each exercise table, the identity of every row already here."""
    return {
        table: {tuple(r) for r in db.execute(f"select {', '.join(key)} from {table}").fetchall()}
        for table, (_cols, key) in EXERCISE_TABLES.items()
    }


def exercise_schedules(db: Database) -> dict[str, dict]:
    return {r["exercise"]: dict(r) for r in db.query(f"select {', '.join(SCHEDULE_FIELDS)} from exercise_schedule")}


def all_cards_index(db: Database) -> list[dict]:
    return list(db.query("select id, note_id, ordinal, explicit_id, kind, fingerprint, front_key, last_review, active from cards"))


def review_keys(db: Database, card_id: str) -> set[tuple]:
    return {(r["ts"], r["rating"], r["kind"]) for r in db.query("select ts, rating, kind from reviews where card_id = ?", [card_id])}


def apply_progress(
    db: Database,
    *,
    new_cards: list[dict],
    reviews: list[dict],
    card_states: list[dict],
    exercise_rows: dict[str, list[dict]] | None = None,
    schedules: list[dict] | None = None,
) -> None:
    """Write an imported progress file's outcome in one transaction."""
    with write_txn(db):
        for table, rows in (exercise_rows or {}).items():
            cols = EXERCISE_TABLES[table][0]
            db.conn.executemany(
                f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                [[row.get(c) for c in cols] for row in rows],
            )
        for row in schedules or []:
            db.execute(
                f"insert or replace into exercise_schedule ({', '.join(SCHEDULE_FIELDS)}) values ({', '.join('?' for _ in SCHEDULE_FIELDS)})",
                [row.get(c) for c in SCHEDULE_FIELDS],
            )
        if new_cards:
            db["cards"].insert_all(new_cards, pk="id")
        by_columns: dict[tuple, list] = {}
        for review in reviews:
            by_columns.setdefault(tuple(review), []).append(review)
        for cols, rows in by_columns.items():
            db.conn.executemany(
                f"insert into reviews ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                [[review[c] for c in cols] for review in rows],
            )
        for state in card_states:
            cols = [c for c in state if c != "id"]
            db.execute(f"update cards set {', '.join(f'{c} = ?' for c in cols)} where id = ?", [state[c] for c in cols] + [state["id"]])


def snapshot(db: Database) -> dict:
    """Everything progress import may touch, for tests and for the "nothing changed" report."""
    cards = [dict(r) for r in db.query(f"select id, active, {', '.join(CARD_PROGRESS_FIELDS)} from cards order by id")]
    reviews = [dict(r) for r in db.query(f"select card_id, {', '.join(REVIEW_FIELDS)} from reviews order by card_id, ts, id")]
    return {"cards": cards, "reviews": reviews, **exercise_progress(db)}


def deck_cards(db: Database, deck_id: str) -> list[dict]:
    """A deck's active cards with what an Anki history import matches and compares."""
    return list(db.query(
        "select id, explicit_id, ordinal, kind, last_review, suspended, buried_until from cards where deck_id = ? and active = 1",
        [deck_id],
    ))


# ---------------------------------------------------------------- optimize


def review_history(db: Database):
    """Every flashcard review (not exam answers), oldest first, as tuples that also read by name."""
    conn = db.conn
    saved = conn.row_factory
    conn.row_factory = sqlite3.Row  # a million rows: no dict per row
    try:
        return conn.execute(
            "select card_id, cast(round((julianday(ts) - 2440587.5) * 86400) as integer) as t, rating, prev_state,"
            " duration_ms from reviews where kind = 'review' order by ts, id"
        ).fetchall()
    finally:
        conn.row_factory = saved


def studied_cards(db: Database) -> int:
    """Active cards that are not suspended: the deck a workload simulation studies."""
    return db.execute("select count(*) from cards where active = 1 and suspended = 0").fetchone()[0]


# ---------------------------------------------------------------- doctor and restore


def open_raw(path: Path, readonly: bool = True) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    return sqlite3.connect(uri, uri=True)


def applied_migrations(conn: sqlite3.Connection) -> list[str] | None:
    """Names of the applied learndl migrations; None when the file is not a learndl database."""
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError:
        return None
    if "_sqlite_migrations" not in tables or "cards" not in tables or "reviews" not in tables:
        return None
    return [r[0] for r in conn.execute("select name from _sqlite_migrations where migration_set = 'learndl' order by id")]


def integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    out = {}
    for table in ("cards", "reviews", "attempts"):
        try:
            out[table] = conn.execute(f"select count(*) from {table}").fetchone()[0]
        except sqlite3.DatabaseError:
            out[table] = 0
    return out


def orphaned_reviews(conn: sqlite3.Connection) -> int:
    return conn.execute("select count(*) from reviews where card_id not in (select id from cards)").fetchone()[0]


def delete_orphaned_reviews(db: Database) -> int:
    with write_txn(db):
        cur = db.execute("delete from reviews where card_id not in (select id from cards)")
    return cur.rowcount


def orphaned_cards(conn: sqlite3.Connection) -> int:
    """Active cards whose deck or deck file is gone (a sync should have hidden them)."""
    return conn.execute(
        """select count(*) from cards c
           where c.active = 1 and (c.deck_id not in (select id from decks) or c.path not in (select path from deck_files))"""
    ).fetchone()[0]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
