"""Two quizzes on one data directory, as two real processes driven through their stdin (the
one-key-per-line mode): each showing of a card is answered once, no answer is lost, and neither
process ever meets "database is locked"."""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading

import pytest

from conftest import NOW

HANG_GUARD = 120  # seconds: only so a broken build fails instead of hanging the suite


class Quiz:
    """A ``learndl quiz`` process whose output is read line by line on a thread."""

    def __init__(self, home, *args):
        env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW, "TZ": "UTC",
               "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "learndl_cli", "quiz", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, text: str) -> None:
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def wait_for(self, marker: str) -> str:
        """Read output up to the next line holding ``marker``."""
        while True:
            line = self.lines.get(timeout=HANG_GUARD)
            assert line is not None, f"the quiz ended before {marker!r}:\n{''.join(self.seen)}"
            self.seen.append(line)
            if marker in line:
                return line

    def finish(self) -> tuple[int, str, str]:
        """Wait for the end; the exit code, all of stdout and stderr."""
        self.proc.stdin.close()
        while (line := self.lines.get(timeout=HANG_GUARD)) is not None:
            self.seen.append(line)
        err = self.proc.stderr.read()
        return self.proc.wait(timeout=HANG_GUARD), "".join(self.seen), err


def reviews(home) -> list[dict]:
    conn = sqlite3.connect(home / "learndl.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from reviews order by id")]
    finally:
        conn.close()


@pytest.fixture
def ready(cli, deck_dir, home):
    assert cli("status").exit_code == 0  # the database exists and the decks are synced
    return home


def test_a_card_answered_in_one_session_is_not_saved_again_from_the_other(ready):
    home = ready
    a, b = Quiz(home), Quiz(home)
    a.wait_for("space reveal")
    b.wait_for("space reveal")  # both show the same first card
    a.send("\n")
    a.wait_for("4  Easy")
    a.send("3\n")
    a.wait_for("→ Good")
    b.send("\n")
    b.wait_for("4  Easy")
    b.send("3\n")
    notice = b.wait_for("another session")
    assert "Answered in another session" in notice
    b.wait_for("space reveal")  # and B moves on to a card of its own
    a.send("q\n")
    b.send("q\n")
    for quiz in (a, b):
        code, out, err = quiz.finish()
        assert code == 0, out + err
        assert "locked" not in (out + err).lower()
    rows = reviews(home)
    assert len(rows) == 1 and rows[0]["rating"] == 3


def test_two_sessions_racing_record_every_answer_once(ready):
    home = ready
    script = "\n3\n" * 12 + "q\n"
    quizzes = [Quiz(home), Quiz(home)]
    for quiz in quizzes:
        quiz.send(script)
    saved = 0
    for quiz in quizzes:
        code, out, err = quiz.finish()
        assert code == 0, out + err
        assert "locked" not in (out + err).lower() and "Traceback" not in err
        saved += out.count("→ Good")
    rows = reviews(home)
    assert len(rows) == saved  # no answer lost, none recorded twice
    # Each card's reviews form one chain: every review starts from the state the one before left.
    by_card: dict[str, list[dict]] = {}
    for r in rows:
        by_card.setdefault(r["card_id"], []).append(r)
    for chain in by_card.values():
        assert [json.loads(r["prev"])["reps"] or 0 for r in chain] == list(range(len(chain)))


def test_a_card_suspended_in_one_session_is_not_answered_in_the_other(ready):
    home = ready
    a, b = Quiz(home), Quiz(home)
    a.wait_for("space reveal")
    b.wait_for("space reveal")
    b.send("\n")
    b.wait_for("4  Easy")
    a.send("s\n")
    a.wait_for("Suspended")
    b.send("3\n")
    assert "Changed (suspended or edited) in another session" in b.wait_for("another session")
    a.send("q\n")
    b.send("q\n")
    for quiz in (a, b):
        code, out, err = quiz.finish()
        assert code == 0 and "locked" not in (out + err).lower(), out + err
    assert reviews(home) == []


def test_store_compares_and_sets_answers_and_undo(ready, db):
    """The store's rule itself: an answer to a showing that is no longer current raises StaleCard
    and writes nothing; only a card's latest review can be undone."""
    from datetime import datetime, timezone

    from learndl_cli.scheduler import Scheduler, Memory
    from learndl_cli.store import cards as store

    d = db()
    now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    shown = store.next_new(d, "2026-03-02", store.queue_filters(None, None, None), set())
    memory = Scheduler().review(Memory.from_dict(shown), 3, now)
    first = store.record_review(d, shown, memory, rating=3, now=now, day="2026-03-02", duration_ms=1, leech=False)
    with pytest.raises(store.StaleCard) as exc:  # the same showing, answered again (another session)
        store.record_review(d, shown, memory, rating=4, now=now, day="2026-03-02", duration_ms=1, leech=False)
    assert exc.value.answered
    fresh = store.get_card(d, shown["id"])
    second = store.record_review(d, fresh, Scheduler().review(Memory.from_dict(fresh), 3, now), rating=3, now=now,
                                 day="2026-03-02", duration_ms=1, leech=False)
    with pytest.raises(store.StaleCard):  # undoing the first would throw the second away
        store.undo_review(d, first)
    assert [r["id"] for r in reviews(ready)] == [first, second]
    assert store.undo_review(d, second) == shown["id"]
    assert store.get_card(d, shown["id"])["reps"] == 1
