"""``report_days`` is kept by triggers (m004): whatever is written, it must equal a recount.

The oracle here is plain Python over the raw rows: per (day, chapter of the card now), the number
of reviews and their milliseconds, and the card's first review that day by (ts, id), counted when
the card was in the review state before it and passed when rated Hard or better.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learndl_cli.store import reports
from learndl_cli.store.db import open_db

CARDS = ["a", "b", "c"]
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]


def oracle(conn: sqlite3.Connection) -> list[tuple]:
    chapter = dict(conn.execute("select id, chapter from cards"))
    rows = conn.execute(
        "select id, card_id, ts, day, rating, duration_ms, prev_state from reviews where kind = 'review' order by ts, id"
    ).fetchall()
    agg: dict = defaultdict(lambda: [0, 0, 0, 0])
    seen = set()
    for _id, card, _ts, day, rating, ms, prev in rows:
        a = agg[(day, chapter.get(card))]
        a[0] += 1
        a[1] += ms or 0
        if (card, day) not in seen:
            seen.add((card, day))
            if prev == 2:
                a[2] += 1
                a[3] += (rating or 0) >= 2
    return [(d, c, *v) for (d, c), v in agg.items()]


def cached(conn: sqlite3.Connection) -> list[tuple]:
    return [tuple(r) for r in conn.execute("select day, chapter, reviews, ms, first_reviews, first_passed from report_days")]


def by_key(rows):
    return sorted(rows, key=lambda r: (r[0], r[1] is None, r[1] or 0, r[2:]))


def fresh_db(home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    db = open_db(home)
    for card in CARDS:
        db.execute(
            "insert into cards (id, note_id, deck_id, chapter, front, back) values (?, ?, 'd', 1, 'f', 'b')", [card, card]
        )
    db.conn.commit()
    return db


review = st.tuples(
    st.sampled_from(CARDS),
    st.sampled_from(DAYS),
    st.integers(0, 5),  # the hour: equal hours make equal times, so ties by ts are common
    st.sampled_from([0, 1, 2, 2, 3, None]),  # prev_state
    st.sampled_from([1, 2, 3, 4, None]),
    st.sampled_from([0, 1500, None]),
    st.sampled_from(["review", "review", "review", "exam"]),
)
op = st.one_of(
    st.tuples(st.just("add"), review),
    st.tuples(st.just("remove"), st.integers(0, 30)),
    st.tuples(st.just("chapter"), st.sampled_from(CARDS), st.sampled_from([1, 2, None])),
    st.tuples(st.just("drop card"), st.sampled_from(CARDS)),
    st.tuples(st.just("add card"), st.sampled_from(CARDS), st.sampled_from([1, 3, None])),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, max_size=40))
def test_triggers_keep_report_days_equal_to_a_recount(tmp_path_factory, ops):
    db = fresh_db(tmp_path_factory.mktemp("home"))
    conn = db.conn
    assert reports.cache_state(db) == "current"
    for o in ops:
        with conn:
            if o[0] == "add":
                card, day, hour, prev, rating, ms, kind = o[1]
                conn.execute(
                    "insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind) values (?, ?, ?, ?, ?, ?, 2, ?)",
                    [card, f"{day}T{hour:02d}:00:00+00:00", day, rating, ms, prev, kind],
                )
            elif o[0] == "remove":
                ids = [r[0] for r in conn.execute("select id from reviews order by id")]
                if ids:
                    conn.execute("delete from reviews where id = ?", [ids[o[1] % len(ids)]])
            elif o[0] == "chapter":
                conn.execute("update cards set chapter = ? where id = ?", [o[2], o[1]])
            elif o[0] == "drop card":
                conn.execute("delete from cards where id = ?", [o[1]])
            elif o[0] == "add card":
                conn.execute(
                    "insert or ignore into cards (id, note_id, deck_id, chapter, front, back) values (?, ?, 'd', ?, 'f', 'b')",
                    [o[1], o[1], o[2]],
                )
        assert by_key(cached(conn)) == by_key(oracle(conn)), o
    # and the full recount agrees with both
    assert by_key(tuple(r.values()) for r in reports.compute_days(db)) == by_key(oracle(conn))
    db.close()


def test_a_quiz_keeps_the_cache_current(cli, deck_dir, home):
    result = cli("quiz", input="3\n\n3\n\n1\n\n3\nu\n4\nq\n")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(home / "learndl.db")
    assert conn.execute("select count(*) from reviews").fetchone()[0] >= 3
    assert conn.execute("select value from meta where key = 'report_days'").fetchone()[0] == "current"
    assert by_key(cached(conn)) == by_key(oracle(conn))
    conn.close()


def test_an_upgraded_history_is_counted_once_then_kept(home):
    """A database upgraded with reviews: the first report fills the table, the triggers keep it."""
    db = fresh_db(home)
    conn = db.conn
    with conn:
        conn.executemany(
            "insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind) values (?, ?, ?, ?, ?, 2, 2, 'review')",
            [(c, f"{d}T0{i}:00:00+00:00", d, 1 + i % 4, 1000 * i) for i, (c, d) in enumerate((c, d) for c in CARDS for d in DAYS)],
        )
    reports.mark_days_stale(db)
    conn.execute("delete from report_days")  # what m004 leaves on an upgrade: nothing, marked stale
    conn.commit()
    assert reports.cache_state(db) == "stale"
    got = by_key(tuple(r.values()) for r in reports.day_stats(db))
    assert got == by_key(oracle(conn)) and reports.cache_state(db) == "current"
    assert by_key(cached(conn)) == got
    with conn:
        conn.execute("insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind) values ('a', '2026-01-01T00:30:00+00:00', '2026-01-01', 1, 5, 2, 3, 'review')")
    assert by_key(tuple(r.values()) for r in reports.day_stats(db)) == by_key(oracle(conn))
    db.close()


def test_a_read_only_database_is_counted_without_storing(home):
    db = fresh_db(home)
    with db.conn:
        db.conn.execute("insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind) values ('a', '2026-01-01T00:00:00+00:00', '2026-01-01', 3, 10, 2, 2, 'review')")
    want = oracle(db.conn)
    reports.mark_days_stale(db)
    with db.conn:
        db.conn.execute("update report_days set reviews = 999")
    db.close()
    from sqlite_utils import Database

    ro = sqlite3.connect(f"file:{home / 'learndl.db'}?mode=ro", uri=True)
    try:
        got = [tuple(r.values()) for r in reports.day_stats(Database(ro))]
        assert by_key(got) == by_key(want)
        assert ro.execute("select reviews from report_days").fetchone()[0] == 999  # untouched
    finally:
        ro.close()


@pytest.mark.parametrize("sql", ["update reviews set rating = 1", "update reviews set day = '2026-01-03'"])
def test_a_review_edited_in_place_marks_the_table_stale(home, sql):
    db = fresh_db(home)
    with db.conn:
        db.conn.execute("insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind) values ('a', '2026-01-01T00:00:00+00:00', '2026-01-01', 3, 10, 2, 2, 'review')")
        db.conn.execute(sql)
    assert reports.cache_state(db) == "stale"
    assert by_key(tuple(r.values()) for r in reports.day_stats(db)) == by_key(oracle(db.conn))
    db.close()
