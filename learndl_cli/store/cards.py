"""SQL for decks, cards and reviews.

Times are stored as UTC ISO-8601 strings (which sort correctly as text). Every write is one short
transaction (``write_txn``), committed before the function returns.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable

from sqlite_utils import Database

from ..scheduler import Memory, iso
from .db import write_txn
from .due import NO_SIBLING_ANSWERED_TODAY

SCHED_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
UNDO_FIELDS = SCHED_FIELDS + ("leech", "suspended", "buried_until")


# ---------------------------------------------------------------- deck files and sync


def deck_file_rows(db: Database) -> dict[str, dict]:
    return {row["path"]: row for row in db.query("select * from deck_files")}


def touch_deck_file(db: Database, path: str, size: int, mtime_ns: int) -> None:
    with write_txn(db):
        db.execute("update deck_files set size = ?, mtime_ns = ? where path = ?", [size, mtime_ns, path])


def cards_at_paths(db: Database, paths: Iterable[str]) -> list[dict]:
    paths = list(paths)
    if not paths:
        return []
    marks = ",".join("?" for _ in paths)
    return list(db.query(f"select * from cards where path in ({marks}) and active = 1", paths))


def inactive_cards(db: Database) -> list[dict]:
    return list(db.query("select * from cards where active = 0"))


def apply_sync(
    db: Database,
    *,
    file_rows: list[dict],
    removed_files: list[str],
    inserts: list[dict],
    updates: list[dict],
    deactivate: list[str],
    decks: list[dict],
    removed_decks: list[str],
) -> None:
    """Write the outcome of a deck sync in one transaction."""
    with write_txn(db):
        for path in removed_files:
            db.execute("delete from deck_files where path = ?", [path])
        if file_rows:
            db["deck_files"].upsert_all(file_rows, pk="path")
        if inserts:
            db["cards"].insert_all(inserts, pk="id")
        for row in updates:
            cols = [k for k in row if k != "id"]
            db.execute(
                f"update cards set {', '.join(f'{c} = ?' for c in cols)} where id = ?",
                [row[c] for c in cols] + [row["id"]],
            )
        for ids in _chunks(deactivate, 500):
            db.execute(f"update cards set active = 0 where id in ({','.join('?' for _ in ids)})", ids)
        for deck_id in removed_decks:
            db.execute("delete from decks where id = ?", [deck_id])
        if decks:
            db["decks"].upsert_all(decks, pk="id")
        db.execute(
            "update decks set cards = (select count(*) from cards where cards.deck_id = decks.id and active = 1)"
        )


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def deck_rows(db: Database) -> list[dict]:
    return list(db.query("select * from decks order by chapter, id"))


# ---------------------------------------------------------------- the review queue


def queue_filters(deck_ids: list[str] | None, chapters: list[int] | None, tags: list[str] | None) -> tuple[str, list]:
    sql, args = "", []
    if deck_ids:
        sql += f" and c.deck_id in ({','.join('?' for _ in deck_ids)})"
        args += deck_ids
    if chapters:
        sql += f" and c.chapter in ({','.join('?' for _ in chapters)})"
        args += chapters
    if tags:
        sql += " and (" + " or ".join("c.tags like ?" for _ in tags) + ")"
        args += [f"% {t} %" for t in tags]
    return sql, args


# A card as the quiz shows it, with the id of its latest review: what ``record_review`` compares
# against, so an answer is saved only if no other session answered the card meanwhile.
CARD = "c.*, (select max(r.id) from reviews r where r.card_id = c.id) as last_review_id"


def next_due_learning(db: Database, until: datetime, day: str, filters: tuple[str, list], exclude: set[str]) -> dict | None:
    where, args = filters
    rows = db.query(
        f"""select {CARD} from cards c
            where c.active = 1 and c.suspended = 0 and c.state in (1, 3) and c.due <= ?
              and c.buried_until < ? {where}
            order by c.due limit ?""",
        [iso(until), day, *args, len(exclude) + 1],
    )
    for row in rows:
        if row["id"] not in exclude:
            return row
    return None


def next_due_review(db: Database, until: datetime, day: str, filters: tuple[str, list], exclude_notes: set[str]) -> dict | None:
    where, args = filters
    rows = db.query(
        f"""select {CARD} from cards c
            where c.active = 1 and c.suspended = 0 and c.state = 2 and c.due <= ?
              and c.buried_until < ? {where} and {NO_SIBLING_ANSWERED_TODAY}
            order by c.due limit ?""",
        [iso(until), day, *args, day, len(exclude_notes) + 1],
    )
    for row in rows:
        if row["note_id"] not in exclude_notes:
            return row
    return None


def next_new(db: Database, day: str, filters: tuple[str, list], exclude_notes: set[str]) -> dict | None:
    where, args = filters
    rows = db.query(
        f"""select {CARD} from cards c
            where c.active = 1 and c.suspended = 0 and c.state = 0
              and c.buried_until < ? {where} and {NO_SIBLING_ANSWERED_TODAY}
            order by coalesce(c.chapter, 999), c.deck_id, c.line, c.ordinal limit ?""",
        [day, *args, day, len(exclude_notes) + 1],
    )
    for row in rows:
        if row["note_id"] not in exclude_notes:
            return row
    return None


def get_card(db: Database, card_id: str) -> dict | None:
    rows = list(db.query(f"select {CARD} from cards c where c.id = ?", [card_id]))
    return rows[0] if rows else None


# ---------------------------------------------------------------- answering and undo


class StaleCard(Exception):
    """The card changed since it was read (another session answered, undid or suspended it);
    nothing was written. ``answered`` says whether another review was saved meanwhile."""

    def __init__(self, card_id: str, answered: bool):
        super().__init__(card_id)
        self.card_id = card_id
        self.answered = answered


# What the screen showed and an answer is checked against (with the id of the latest review).
SHOWN_FIELDS = ("state", "due", "last_review", "reps", "suspended")


def _check_unchanged(db: Database, card: dict) -> None:
    rows = list(db.query(f"select {CARD} from cards c where c.id = ?", [card["id"]]))
    if not rows:
        raise StaleCard(card["id"], answered=False)
    now = rows[0]
    answered = (now["last_review_id"] or 0) != (card.get("last_review_id") or 0) if "last_review_id" in card else False
    if answered or any(now[k] != card.get(k) for k in SHOWN_FIELDS if k in card):
        raise StaleCard(card["id"], answered=answered or now["reps"] != card.get("reps"))


def record_review(
    db: Database,
    card: dict,
    memory: Memory,
    *,
    rating: int,
    now: datetime,
    day: str,
    duration_ms: int,
    leech: bool,
    kind: str = "review",
) -> int:
    """Save one answer: the review row (with the state before, for undo) and the card's new state.

    Compare and set: inside one write transaction the card is read again, and the answer is saved
    only if the card is still as ``card`` shows it (the same latest review, state, due time, review
    count and suspension). Otherwise nothing is written and ``StaleCard`` is raised: two sessions
    on one data directory never both record an answer to the same showing of a card.
    """
    prev = {k: card.get(k) for k in UNDO_FIELDS}
    new = memory.to_dict()
    with write_txn(db):
        _check_unchanged(db, card)
        cur = db.execute(
            """insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, stability,
                                    difficulty, due, prev, kind)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                card["id"], iso(now), day, int(rating), int(duration_ms), int(card.get("state") or 0),
                new["state"], new["stability"], new["difficulty"], new["due"], json.dumps(prev), kind,
            ],
        )
        review_id = cur.lastrowid
        extra = {"leech": 1, "suspended": 1} if leech else {}
        cols = {**{k: new[k] for k in SCHED_FIELDS}, **extra}
        db.execute(
            f"update cards set {', '.join(f'{k} = ?' for k in cols)} where id = ?",
            [*cols.values(), card["id"]],
        )
    return review_id


def undo_review(db: Database, review_id: int) -> str | None:
    """Undo one answer: restore the card as it was and delete the review. Returns the card id.

    Only the card's latest review can be undone: when another session answered the card since,
    nothing changes and ``StaleCard`` is raised (undoing would throw that answer away)."""
    with write_txn(db):
        rows = list(db.query("select card_id, prev from reviews where id = ?", [review_id]))
        if not rows:
            return None
        card_id = rows[0]["card_id"]
        latest = db.execute("select max(id) from reviews where card_id = ?", [card_id]).fetchone()[0]
        if latest != review_id:
            raise StaleCard(card_id, answered=True)
        prev = json.loads(rows[0]["prev"])
        db.execute(
            f"update cards set {', '.join(f'{k} = ?' for k in prev)} where id = ?",
            [*prev.values(), card_id],
        )
        db.execute("delete from reviews where id = ?", [review_id])
    return card_id


def set_flags(db: Database, card_id: str, **flags) -> dict:
    """Set suspended / buried_until / leech; returns the previous values (for undo)."""
    with write_txn(db):
        rows = list(db.query(f"select {', '.join(flags)} from cards where id = ?", [card_id]))
        prev = rows[0] if rows else {}
        db.execute(f"update cards set {', '.join(f'{k} = ?' for k in flags)} where id = ?", [*flags.values(), card_id])
    return prev


# ---------------------------------------------------------------- history


def study_days(db: Database) -> list[str]:
    """Every day with a review (exam answers count as study too), oldest first.

    A skip-scan of ``idx_reviews_day``: one index seek per distinct day, not a read of every review.
    """
    rows = db.execute(
        """with recursive d(day) as (
               select min(day) from reviews
               union all
               select (select min(day) from reviews where day > d.day) from d where d.day is not null
           )
           select day from d where day is not null"""
    ).fetchall()
    return [day for (day,) in rows]


def day_totals(db: Database, day: str) -> dict:
    """A study day's reviews (kind review) in one read: how many, of how many cards, the seconds
    spent, how many rated Again, and how many were of new cards (``new``) and of cards in review
    (``review``), as ``due.studied_today`` counts them for the day's limits."""
    row = next(
        db.query(
            """select count(*) as reviews, count(distinct card_id) as cards,
                      coalesce(sum(duration_ms), 0) as ms,
                      count(*) filter (where rating = 1) as again,
                      count(*) filter (where prev_state = 0) as new,
                      count(*) filter (where prev_state = 2) as review
               from reviews where day = ? and kind = 'review'""",
            [day],
        )
    )
    return {
        "reviews": int(row["reviews"]),
        "cards": int(row["cards"]),
        "seconds": round(row["ms"] / 1000),
        "again": int(row["again"]),
        "new": int(row["new"]),
        "review": int(row["review"]),
    }


def known_tags(db: Database) -> set[str]:
    tags: set[str] = set()
    for row in db.query("select distinct tags from cards where active = 1"):
        tags.update((row["tags"] or "").split())
    return tags


def known_chapters(db: Database) -> set[int]:
    return {row["chapter"] for row in db.query("select distinct chapter from cards where active = 1") if row["chapter"] is not None}


def unsuspend(db: Database, *, deck: str | None = None, leeches: bool = False) -> int:
    sql = "update cards set suspended = 0 where suspended = 1"
    args: list = []
    if not leeches:
        sql += " and leech = 0"
    if deck:
        sql += " and deck_id = ?"
        args.append(deck)
    with write_txn(db):
        cur = db.execute(sql, args)
    return cur.rowcount


# ---------------------------------------------------------------- decks, for commands and reports


def deck_ids(db: Database) -> set[str]:
    return {row["id"] for row in db.query("select id from decks")}


def deck_path(db: Database, deck_id: str) -> str | None:
    rows = list(db.query("select path from decks where id = ?", [deck_id]))
    return rows[0]["path"] if rows else None


def active_cards_by_deck(db: Database) -> dict[str, int]:
    return {row["id"]: row["n"] for row in db.query("select deck_id as id, count(*) as n from cards where active = 1 group by deck_id")}


def reviewed_cards_in_deck(db: Database, deck_id: str) -> int:
    return next(db.query("select count(*) as n from cards where deck_id = ? and active = 1 and reps > 0", [deck_id]))["n"]


def deck_titles_by_chapter(db: Database) -> list[tuple[int, str]]:
    return [(row["chapter"], row["title"]) for row in db.query("select chapter, title from decks where chapter is not null order by id")]


# ---------------------------------------------------------------- copies of bundled decks

OVERRIDE_KEY = "deck_override:"


def deck_overrides(db: Database) -> dict[str, dict]:
    """Bundled decks the learner copied to edit: ``{deck_id: {"bundled", "copy", "hash", "size",
    "mtime_ns", "noticed"}}`` (kept in ``meta``), where ``hash`` is the bundled file's content when
    it was copied and ``noticed`` the newer bundled content the learner was told about."""
    rows = db.execute("select key, value from meta where key like ?", [OVERRIDE_KEY + "%"]).fetchall()
    return {key[len(OVERRIDE_KEY):]: json.loads(value) for key, value in rows}


def save_deck_override(db: Database, deck_id: str, info: dict) -> None:
    with write_txn(db):
        db.execute(
            "insert or replace into meta (key, value) values (?, ?)", [OVERRIDE_KEY + deck_id, json.dumps(info)]
        )
