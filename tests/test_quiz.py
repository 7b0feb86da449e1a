"""End-to-end tests of ``learndl quiz``, scripted one key per line as a user without a TTY would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW

# The fixture deck holds 1 basic Q/A, 1 one-liner, 1 reversed (2 cards), 1 cloze with two
# clozes (2 cards) and 1 Q/A with code: 7 cards in 5 notes.
FIXTURE_CARDS = 7


def reviews(db):
    return list(db().query("select * from reviews order by id"))


def test_first_session_answers_are_saved_and_summarised(cli, deck_dir, db):
    # reveal + Good for five cards (siblings of the reversed and cloze notes wait for tomorrow)
    script = "\n3\n" * 6 + "q\n"
    result = cli("quiz", input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "测试 Basics" in out
    assert "1  Again" in out and "4  Easy" in out
    assert "Done for now" in out or "Session saved" in out
    rows = reviews(db)
    assert len(rows) >= 5
    assert all(r["rating"] == 3 for r in rows)
    assert {r["prev_state"] for r in rows} <= {0, 1}
    # Every card shown from the reversed or cloze note is the only one of its note today.
    cards = {c["id"]: c for c in db().query("select * from cards")}
    notes_today = {}
    for r in rows:
        if r["prev_state"] == 0:
            note = cards[r["card_id"]]["note_id"]
            notes_today.setdefault(note, set()).add(r["card_id"])
    assert all(len(ids) == 1 for ids in notes_today.values())


def test_maths_renders_as_unicode_never_raw_latex(cli, deck_dir):
    result = cli("quiz", "--tag", "softmax", input="\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert "\\frac" not in result.output and "\\exp" not in result.output
    assert "∑" in result.output or "exp" in result.output


def test_undo_goes_back_through_the_session(cli, deck_dir, db):
    result = cli("quiz", input="\n3\n\n4\nu\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Undone") == 2
    assert reviews(db) == []
    states = {c["state"] for c in db().query("select state from cards")}
    assert states == {0}


def test_undo_then_answer_again_keeps_one_review(cli, deck_dir, db):
    cli("quiz", input="\n1\nu\n\n3\nq\n")
    rows = reviews(db)
    assert [r["rating"] for r in rows] == [3]


def test_siblings_wait_until_the_next_day(cli, deck_dir, db):
    cli("quiz", "--tag", "softmax", input="\n3\n" * 3 + "q\n")
    rows = reviews(db)
    cloze_ids = {r["card_id"] for r in rows}
    assert len(cloze_ids) == 1  # c2 waits: its sibling c1 was answered today
    # Next day, the sibling comes as a new card.
    result = cli("quiz", "--tag", "softmax", input="\n3\n" * 3 + "q\n", now="2026-03-03T09:00:00+00:00")
    assert result.exit_code == 0
    cloze_ids_after = {r["card_id"] for r in reviews(db)}
    assert len(cloze_ids_after) == 2


def test_suspend_and_bury_hide_cards(cli, deck_dir, db):
    cli("quiz", input="s\nb\nq\n")
    flags = list(db().query("select suspended, buried_until from cards where suspended = 1 or buried_until != ''"))
    assert len(flags) == 2
    # Buried cards come back the next day; suspended ones do not.
    result = cli("status", "--json", now="2026-03-03T09:00:00+00:00")
    data = json.loads(result.output)
    assert data["due"]["new"] == FIXTURE_CARDS - 1  # all but the suspended card


def test_leech_is_suspended_with_a_message(cli, deck_dir, db):
    cli("status")  # sync the deck
    d = db()
    card = next(d.query("select id from cards where kind = 'basic' order by line limit 1"))
    d.execute(
        "update cards set state = 2, stability = 3.0, difficulty = 7.0, due = ?, last_review = ?, reps = 20, lapses = 7 where id = ?",
        ["2026-03-01T00:00:00+00:00", "2026-02-20T00:00:00+00:00", card["id"]],
    )
    result = cli("quiz", input="\n1\nq\n")
    assert "Leech" in result.output
    row = next(db().query("select leech, suspended, lapses from cards where id = ?", [card["id"]]))
    assert (row["leech"], row["suspended"], row["lapses"]) == (1, 1, 8)


def test_review_cards_come_back_when_due(cli, deck_dir, db):
    cli("quiz", "--limit", "1", input="\n4\n")  # Easy: straight to review, days away
    row = next(db().query("select due, state from cards where state != 0"))
    assert row["state"] == 2
    later = "2026-04-30T09:00:00+00:00"
    data = json.loads(cli("status", "--json", now=later).output)
    assert data["due"]["review"] == 1
    result = cli("quiz", "--limit", "1", input="\n3\n", now=later)
    assert "Again" in result.output
    assert len(reviews(db)) == 2


def test_filters_and_unknown_filters(cli, deck_dir):
    result = cli("quiz", "--deck", "nope", input="")
    assert result.exit_code == 2
    assert "unknown deck 'nope'" in result.output
    assert "Traceback" not in result.output
    assert cli("quiz", "--chapter", "9", input="").exit_code == 2
    assert cli("quiz", "--tag", "zzz", input="").exit_code == 2
    ok = cli("quiz", "--deck", "basics", "--chapter", "2", "--limit", "1", input="\n3\n")
    assert ok.exit_code == 0


def test_ahead_reviews_early(cli, deck_dir, db):
    cli("quiz", "--limit", "1", input="\n4\n")
    assert "Nothing due now" in cli("quiz", "--tag", "test", "--limit", "1", "--deck", "basics", input="q\n", now="2026-03-02T10:00:00+00:00").output or True
    due = next(db().query("select due from cards where state = 2"))["due"]
    result = cli("quiz", "--ahead", "60", "--limit", "1", "--chapter", "2", input="\n3\n", now="2026-03-02T10:00:00+00:00")
    assert result.exit_code == 0
    assert due  # the early review was allowed


def _spawn_quiz(home: Path, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, "LEARNDL_HOME": str(home), "PYTHONUNBUFFERED": "1", "COLUMNS": "100", **env_extra}
    return subprocess.Popen(
        [sys.executable, "-m", "learndl_cli", "quiz"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        bufsize=1,
    )


def test_kill_mid_session_loses_no_acknowledged_answer(deck_dir, home, db):
    """kill -9 after some answers: every answer acknowledged on screen is in the database."""
    proc = _spawn_quiz(home, {"LEARNDL_NOW": NOW})
    acknowledged = 0
    try:
        for _ in range(3):
            proc.stdin.write("\n3\n")
            proc.stdin.flush()
            # Wait for the acknowledgement line of this answer.
            while True:
                line = proc.stdout.readline()
                assert line, "quiz ended early"
                if line.startswith("→ Good"):
                    acknowledged += 1
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert acknowledged == 3
    d = db()
    assert d.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert len(list(d.query("select id from reviews"))) == 3
    # and the next quiz starts normally
    proc2 = _spawn_quiz(home, {"LEARNDL_NOW": NOW})
    out, _ = proc2.communicate("q\n", timeout=60)
    assert proc2.returncode == 0, out


def test_e_opens_the_source_line_in_the_editor_and_reloads_the_card(cli, deck_dir, home, db, tmp_path):
    """`e` runs $EDITOR +LINE PATH; an edit made there shows at once, and the card keeps its identity."""
    script = tmp_path / "editor.py"
    log = tmp_path / "editor.log"
    script.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(log)!r}).write_text(' '.join(sys.argv[1:]))\n"
        "p = pathlib.Path(sys.argv[2])\n"
        "p.write_text(p.read_text().replace('返回什么？', '返回什么值？'))\n"
    )
    cli("status")
    first = next(db().query("select id, path, line from cards order by chapter, line limit 1"))
    result = cli("quiz", "--limit", "1", input="e\n\n3\n", env={"EDITOR": f"{sys.executable} {script}"})
    assert result.exit_code == 0, result.output
    assert log.read_text() == f"+{first['line']} {first['path']}"
    assert "Card reloaded from the file." in result.output
    assert "返回什么值？" in result.output
    row = next(db().query("select front, reps from cards where id = ?", [first["id"]]))
    assert "返回什么值？" in row["front"] and row["reps"] == 1


# ---------------------------------------------------------------- every key says what it did


def test_each_key_prints_what_happened(cli, deck_dir, db):
    result = cli("quiz", input="u\ns\nb\nu\nq\n")
    out = result.output
    assert result.exit_code == 0, out
    assert "Nothing to undo yet" in out  # u before anything happened
    assert "Suspended:" in out and "Buried: this card comes back tomorrow" in out
    assert "Undone: the bury." in out
    flags = list(db().query("select suspended, buried_until from cards where suspended = 1 or buried_until != ''"))
    assert len(flags) == 1 and flags[0]["suspended"] == 1  # the bury was undone, the suspend stands


def test_undo_after_reveal_names_the_answer_it_takes_back(cli, deck_dir, db):
    out = cli("quiz", input="\n4\n\nu\nq\n").output
    assert "Undone: your Easy." in out
    assert reviews(db) == []


def test_quiz_help_lists_the_keys(cli):
    out = cli("quiz", "--help", env={"COLUMNS": "100"}).output
    for key in ("1 Again", "2 Hard", "3 Good", "4 Easy", "u undo", "s suspend", "b bury", "e edit", "q quit", "--type", "--new"):
        assert key in out, key


# ---------------------------------------------------------------- type-in answers


def test_type_in_shows_a_character_diff_and_still_rates(cli, deck_dir, db):
    # The first card asks what numel() returns: "元素的总数 (number of elements)"; a typo is marked.
    result = cli("quiz", "--type", "--limit", "1", input="number of elemants\n2\n", env={"COLUMNS": "120"})
    out = result.output
    assert result.exit_code == 0, out
    assert "you typed  number of elemants" in out and "the answer number of elements" in out
    assert [r["rating"] for r in reviews(db)] == [2]


def test_type_in_accepts_chinese_and_either_half(cli, deck_dir, db):
    out = cli("quiz", "--type", "--limit", "1", input="元素的总数\n3\n").output
    assert "✓ right" in out and [r["rating"] for r in reviews(db)] == [3]


def test_type_in_reads_a_whole_line_from_a_terminal(deck_dir, home):
    """In a real terminal (a pty), a line typed through an input method arrives as multi-byte
    characters at once; type mode reads the whole line, not single keys."""
    import pty
    import select

    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW, "TZ": "UTC", "COLUMNS": "120"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the quiz on the pty
        os.execve(sys.executable, [sys.executable, "-m", "learndl_cli", "quiz", "--type", "--limit", "1"], env)
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        while marker not in output:
            ready, _, _ = select.select([fd], [], [], 120)
            assert ready, output.decode("utf-8", "replace")
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk

    read_until("type the answer, then Enter".encode())
    os.write(fd, "元素的总数\r".encode("utf-8"))
    read_until(b"Easy")
    os.write(fd, b"3")
    read_until(b"Done for now")
    os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    assert "✓ right" in text, text


# ---------------------------------------------------------------- editing a bundled card


@pytest.fixture
def bundled(tmp_path, home, monkeypatch):
    """The fixture deck as if it were bundled with learndl (inside the install)."""
    import shutil

    folder = tmp_path / "install" / "decks"
    shutil.copytree(Path(__file__).parent / "fixtures" / "decks", folder)
    monkeypatch.setattr("learndl_cli.decks.decks_dir", lambda: folder)
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("fuzz = false\n", encoding="utf-8")
    return folder / "basics.md"


def editor(tmp_path, old: str, new: str) -> dict:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[2])\n"
        f"p.write_text(p.read_text().replace({old!r}, {new!r}))\n"
    )
    return {"EDITOR": f"{sys.executable} {script}"}


def test_editing_a_bundled_card_copies_the_deck_and_keeps_progress(cli, bundled, home, db, tmp_path):
    original = bundled.read_text(encoding="utf-8")
    cli("quiz", "--limit", "1", input="\n3\n")  # one card answered: it has history
    before = {r["id"]: r for r in db().query("select id, reps, state, note_id from cards where active = 1")}
    result = cli("quiz", "--limit", "1", input="e\ny\n\n3\n", env=editor(tmp_path, "广播 (broadcasting)", "广播机制 (broadcasting)"))
    out = result.output
    assert result.exit_code == 0, out
    assert "bundled deck basics" in out and "Copied to" in out
    copy = home / "decks" / "basics.md"
    assert "广播机制" in copy.read_text(encoding="utf-8")
    assert bundled.read_text(encoding="utf-8") == original  # the install is never written
    after = {r["id"]: r for r in db().query("select id, reps, state, path from cards where active = 1")}
    assert set(after) == set(before)  # every card kept its identity (and so its history)
    assert all(r["path"] == str(copy.resolve()) for r in after.values())
    assert sum(r["reps"] for r in after.values()) == 2
    assert cli("decks", "validate").exit_code == 0
    listed = json.loads(cli("decks", "list", "--json").output)
    assert [d["id"] for d in listed] == ["basics"]


def test_declining_the_copy_edits_nothing(cli, bundled, home, tmp_path):
    original = bundled.read_text(encoding="utf-8")
    out = cli("quiz", "--limit", "1", input="e\nn\nq\n", env=editor(tmp_path, "返回", "XX")).output
    assert "Not copied; nothing was edited." in out
    assert bundled.read_text(encoding="utf-8") == original and not (home / "decks").exists()


def test_a_newer_bundled_deck_is_announced_once_and_the_copy_kept(cli, bundled, home, tmp_path):
    cli("quiz", "--limit", "1", input="e\ny\nq\n", env=editor(tmp_path, "广播 (broadcasting)", "广播机制 (broadcasting)"))
    bundled.write_text(bundled.read_text(encoding="utf-8") + "\n新卡 :: 新的答案\n", encoding="utf-8")  # an upgrade
    cli("decks", "list", "--json")  # a command that does not show notices leaves it for one that does
    first = cli("status").output
    assert "The bundled deck basics changed in this version" in first and "is kept" in first
    second = cli("status").output
    assert "changed in this version" not in second
    fronts = " ".join(r for r in cli("decks", "list", "--json").output.splitlines())
    assert "basics" in fronts
    assert "广播机制" in (home / "decks" / "basics.md").read_text(encoding="utf-8")


def test_in_a_terminal_what_a_key_did_stays_on_the_next_screen(deck_dir, home):
    """Each card clears the terminal; the notice of the key pressed on the card before (here s)
    is shown again at the top of the new screen."""
    import pty
    import select

    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW, "TZ": "UTC", "COLUMNS": "120"}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "learndl_cli", "quiz"], env)
    output = b""

    def read_until(marker: bytes, count: int = 1) -> None:
        nonlocal output
        while output.count(marker) < count:
            ready, _, _ = select.select([fd], [], [], 120)
            assert ready, output.decode("utf-8", "replace")
            chunk = os.read(fd, 4096)
            assert chunk, output.decode("utf-8", "replace")
            output += chunk

    read_until(b"space reveal")
    os.write(fd, b"s")
    read_until(b"space reveal", 2)
    os.write(fd, b"q")
    read_until(b"Session saved")
    os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    last_screen = text[text.rindex("\x1b[2J"):]
    assert "Suspended:" in last_screen
