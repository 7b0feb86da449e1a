"""One truth about what is due: status, status --json, decks list, the quiz header, report (JSON,
terminal) and the exam give the same numbers, at every step of a simulated history.

The history crosses a study-day boundary (04:00), has learning cards inside the 20-minute
learn-ahead and later the same day, a used-up new-card limit, buried and suspended cards, and is
looked at through filters (deck, chapter, tag).
"""

from __future__ import annotations

import json
import re

import pytest

DECK = """---
id: {id}
title: {title}
chapter: {chapter}
---

""" + "\n".join("{id} term {n} :: meaning {n}\ntags: {tag}\n".replace("{n}", str(n)) for n in range(1, 9))

# learning steps 1m then 60m: a card rated Good on its first step comes back later today, outside
# the 20-minute learn-ahead.
SETTINGS = 'bundled_decks = false\ndeck_paths = ["{path}"]\nfuzz = false\nnew_per_day = 4\nlearning_steps_minutes = [1.0, 60.0]\n'

DAY1 = "2026-03-01T09:00:00+00:00"
DAY2 = "2026-03-02T09:00:00+00:00"
SCOPES = {
    "all": [],
    "deck a3": ["--deck", "a3"],
    "chapter 4": ["--chapter", "4"],
    "tag even": ["--tag", "even"],
}


@pytest.fixture
def decks(tmp_path, home):
    folder = tmp_path / "mydecks"
    folder.mkdir()
    (folder / "a3.md").write_text(DECK.format(id="a3", title="A three", chapter=3, tag="odd"), encoding="utf-8")
    (folder / "b4.md").write_text(DECK.format(id="b4", title="B four", chapter=4, tag="even"), encoding="utf-8")
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text(SETTINGS.format(path=folder.as_posix()), encoding="utf-8")
    return folder


WIDE = {"COLUMNS": "200"}
HEADER = re.compile(r"left today: new (\d+) · learning (\d+) · review (\d+)")
LEFT = re.compile(r"Left today[^:]*: \d+ \(new (\d+) · learning (\d+) · review (\d+)")
EXAM_DUE = re.compile(r"Due today[^:]*: \d+ cards \(learning (\d+) · review (\d+) · new (\d+)\)")


def triple(d: dict) -> tuple[int, int, int]:
    return (d["learning"], d["review"], d["new"])


def quiz_header(cli, now, args) -> tuple[int, int, int]:
    """What the quiz shows on its first screen (or, with nothing due now, in its summary)."""
    out = cli("quiz", *args, input="q\n", now=now, env=WIDE).output
    m = HEADER.search(out)
    if m:
        new, learning, review = map(int, m.groups())
        return (learning, review, new)
    m = LEFT.search(out)
    if m:
        new, learning, review = map(int, m.groups())
        return (learning, review, new)
    return (0, 0, 0)


def exam_due(cli, now, args) -> tuple[int, int, int] | None:
    """What the exam says is due when it ends (None before any card was seen: no exam then)."""
    out = cli("exam", "--cards", "1", "--exercises", "0", "--seed", "1", *args, input="q\n", now=now, env=WIDE).output
    if "no cards seen" in out:
        return None
    assert "nothing is recorded" in out, out
    m = EXAM_DUE.search(out)
    return tuple(map(int, m.groups())) if m else (0, 0, 0)


def every_place(cli, now) -> dict:
    """Due today per scope, as each command reports it; asserts they agree, returns them."""
    status = json.loads(cli("status", "--json", now=now).output)
    listed = {d["id"]: d for d in json.loads(cli("decks", "list", "--json", now=now).output)}
    by_deck = {d["id"]: d for d in status["decks"]}
    got = {}
    for scope, args in SCOPES.items():
        places = {"quiz": quiz_header(cli, now, args)}
        if scope == "all":
            places["status"] = triple(status["due_today"])
            report = json.loads(cli("report", "--format", "json", now=now).output)
            places["report"] = triple(report["due_today"])
            day0 = report["forecast"][0]
            places["report forecast"] = (report["due_today"]["learning"], day0["cards"] - report["due_today"]["learning"], day0["new"])
            places["exam"] = exam_due(cli, now, [])
        if scope.startswith("deck"):
            deck = args[1]
            places["status deck row"] = triple(by_deck[deck]["due_today"])
            places["decks list"] = triple(listed[deck]["due_today"])
            # due now agrees too
            assert triple(by_deck[deck]) == triple(listed[deck]["due_now"])
        if scope.startswith("chapter"):
            report = json.loads(cli("report", "--format", "json", "--chapter", args[1], now=now).output)
            places["report --chapter"] = triple(report["due_today"])
            places["exam --chapter"] = exam_due(cli, now, ["--chapter", args[1]])
        values = {v for v in places.values() if v is not None}
        assert len(values) == 1, f"{scope} at {now}: {places}"
        got[scope] = values.pop()
    # The text of status shows the same two totals.
    text = cli("status", now=now, env=WIDE).output
    for label, key in (("due now", "due"), ("due today", "due_today")):
        row = next(line for line in text.splitlines() if line.startswith(label))
        assert [int(x) for x in row.split()[2:]] == list(triple(status[key])), text
    return got


def test_every_place_gives_the_same_numbers_through_a_simulated_history(cli, decks):
    # Nothing studied yet: the new-card limit (4) caps every scope.
    start = every_place(cli, DAY1)
    assert start["all"] == (0, 0, 4) and start["deck a3"] == (0, 0, 4) and start["tag even"] == (0, 0, 4)

    # Day 1: four new cards: Again (back in 1m), Good (back in 60m), Easy (review in days), Again.
    out = cli("quiz", "--limit", "4", input="\n1\n\n3\n\n4\n\n1\n", now=DAY1, env=WIDE).output
    assert out.count("→") == 4
    day1 = every_place(cli, DAY1)
    # Two Again cards inside the learn-ahead and one Good card later today; the new limit is used up.
    assert day1["all"] == (3, 0, 0)
    status = json.loads(cli("status", "--json", now=DAY1).output)
    assert status["due"] == {"learning": 2, "review": 0, "new": 0}  # due now leaves out the 60m card
    assert status["held_back"]["new"] == 12

    # Bury one learning card and suspend the other: both leave every count.
    cli("quiz", input="b\ns\nq\n", now=DAY1)
    after_flags = every_place(cli, DAY1)
    assert after_flags["all"] == (1, 0, 0)

    # Later the same study day (03:30 next calendar day, before the 04:00 day start): the 60m card is
    # due now; still no new cards.
    late = "2026-03-02T03:30:00+00:00"
    assert every_place(cli, late)["all"] == (1, 0, 0)

    # A new study day: new cards are back (4), the buried card returns, the suspended one does not.
    day2 = "2026-03-02T09:00:00+00:00"
    got = every_place(cli, day2)
    assert got["all"][2] == 4 and got["all"][0] == 2


def test_progress_never_reads_full_while_cards_remain(cli, decks):
    out = cli("quiz", "--deck", "a3", input="\n1\n\n1\n\n3\nq\n", now=DAY1, env=WIDE).output
    totals = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) left today", out)]
    assert totals[0] == (0, 4)
    for done, total in totals:
        assert done < total  # a card is on screen, so something remains
    # After an Again the card counts as learning, not gone.
    learning = [int(m.group(2)) for m in HEADER.finditer(out)]
    assert learning[1] >= 1


def test_new_limit_explains_itself_and_new_adds_cards_with_filters(cli, decks, db):
    cli("quiz", input="\n3\n" * 4 + "q\n", now=DAY1)  # the day's 4 new cards, all in deck a3
    out = cli("quiz", "--chapter", "4", input="q\n", now=DAY1, env=WIDE).output
    assert "Nothing due now (--chapter 4)" in out
    assert "new-card limit is used up" in out and "8 unseen cards in chapter 4 wait" in out
    assert "learndl quiz --chapter 4 --new 4" in out
    # The next-card line respects the filter: the learning cards of chapter 3 are not "next".
    assert "Next card (--chapter 4): nothing scheduled" in out

    out = cli("quiz", "--chapter", "4", "--new", "2", input="\n3\n" * 3 + "q\n", now=DAY1, env=WIDE).output
    new_reviews = list(db().query("select c.deck_id from reviews r join cards c on c.id = r.card_id where r.prev_state = 0"))
    assert [r["deck_id"] for r in new_reviews].count("b4") == 2
    assert "new-card limit is used up" in out  # two more, then the raised limit is used up too
    status = json.loads(cli("status", "--json", now=DAY1).output)
    assert status["due"]["new"] == 0  # the raise was used up


def test_new_raises_the_days_limit_for_every_place_until_the_day_ends(cli, decks, db):
    cli("quiz", input="\n3\n" * 4 + "q\n", now=DAY1)  # the day's 4 new cards
    cli("quiz", "--chapter", "4", "--new", "3", input="\n3\nq\n", now=DAY1)  # one of the three more
    status = json.loads(cli("status", "--json", now=DAY1).output)
    assert status["due"]["new"] == 2 and status["due_today"]["new"] == 2  # the rest of the raise, everywhere
    out = cli("quiz", "--chapter", "4", input="\n3\n" * 2 + "q\n", now=DAY1, env=WIDE).output
    assert "new-card limit is used up" in out and "(7 today" in out and "3 more with --new" in out
    reviews = list(db().query("select c.deck_id from reviews r join cards c on c.id = r.card_id where r.prev_state = 0"))
    assert [r["deck_id"] for r in reviews].count("b4") == 3
    tomorrow = json.loads(cli("status", "--json", now=DAY2).output)
    assert tomorrow["due"]["new"] == 4  # a new study day: the plain limit again


def test_bad_new_option_is_one_line(cli, decks):
    result = cli("quiz", "--new", "-1", input="q\n", now=DAY1)
    assert result.exit_code == 2 and "--new must be 0 or more" in result.output


def test_nothing_due_names_the_cards_set_aside(cli, decks):
    # Bury and suspend the two cards of deck a3 shown first; answer the rest of the day's new cards.
    out = cli("quiz", "--deck", "a3", input="b\ns\n" + "\n4\n" * 4 + "q\n", now=DAY1, env=WIDE).output
    assert "Buried" in out and "Suspended" in out
    out = cli("quiz", "--deck", "a3", input="q\n", now=DAY1, env=WIDE).output
    assert "Nothing due now (--deck a3)" in out
    assert "Set aside in deck a3: 1 buried until tomorrow; 1 suspended (learndl decks unsuspend)." in out


def test_siblings_answered_today_are_not_counted_as_due(cli, deck_dir):
    """The fixture deck has a reversed note and a cloze with two gaps: once one card of each is
    answered, the other waits for tomorrow, and no count includes it."""
    before = json.loads(cli("status", "--json").output)
    assert before["due"]["new"] == 7
    out = cli("quiz", input="\n4\n" * 5 + "q\n", env=WIDE).output  # Easy: straight to review
    assert out.count("→ Easy") == 5
    status = json.loads(cli("status", "--json").output)
    assert status["due"] == status["due_today"] == {"learning": 0, "review": 0, "new": 0}
    assert quiz_header(cli, None, []) == (0, 0, 0)
    out = cli("quiz", input="q\n", env=WIDE).output
    assert "2 wait for tomorrow because a sibling card was answered today" in out
    # The next study day they are due (and counted) again.
    tomorrow = "2026-03-03T09:00:00+00:00"
    assert json.loads(cli("status", "--json", now=tomorrow).output)["due"]["new"] == 2
    assert quiz_header(cli, tomorrow, [])[2] == 2


def test_a_terminal_session_shows_the_same_numbers(cli, decks, home):
    """Driven through a real terminal (a pty, single keys): after Again, Good and Easy, the
    header's counts are what status --json says is due today."""
    import os
    import pty
    import select
    import sys

    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": DAY1, "TZ": "UTC", "COLUMNS": "200"}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "learndl_cli", "quiz"], env)
    screen = b""

    def until(marker: bytes, start: int) -> int:
        nonlocal screen
        while marker not in screen[start:]:
            ready, _, _ = select.select([fd], [], [], 120)
            assert ready, screen.decode("utf-8", "replace")
            chunk = os.read(fd, 4096)
            assert chunk, screen.decode("utf-8", "replace")
            screen += chunk
        return screen.index(marker, start) + len(marker)

    pos = until(b"space reveal", 0)
    for key in (b"1", b"3", b"4"):  # rate at once, from the front (a rating key also reveals)
        os.write(fd, key)
        pos = until(b"space reveal", until("→".encode(), pos))
    os.write(fd, b"q")
    until(b"Session saved", pos)
    os.waitpid(pid, 0)
    text = screen.decode("utf-8", "replace")
    new, learning, review = map(int, HEADER.findall(text)[-1])
    status = json.loads(cli("status", "--json", now=DAY1).output)
    assert (learning, review, new) == triple(status["due_today"]) == (2, 0, 1)
