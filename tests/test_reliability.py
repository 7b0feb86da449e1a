"""Nothing lost, nothing corrupted: kills, lost files, old databases and fuzzed input.

The kill test forks a scripted `learndl quiz` from this process (so each run costs milliseconds, not
an interpreter start) and SIGKILLs it at random points. ``LEARNDL_KILLS`` sets how many times
(default 200).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, NOW

KILLS = int(os.environ.get("LEARNDL_KILLS", "200"))


def _fork_quiz(home: Path):
    """Fork a child running `learndl quiz` in line mode; returns (pid, stdin writer, stdout reader)."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.dup2(in_r, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            for fd in (in_r, in_w, out_r, out_w):
                os.close(fd)
            sys.stdin = open(0, "r", closefd=False)
            sys.stdout = open(1, "w", buffering=1, closefd=False)
            sys.stderr = sys.stdout
            os.environ["LEARNDL_HOME"] = str(home)
            os.environ["COLUMNS"] = "100"
            from learndl_cli.__main__ import main

            code = main(["quiz"])
            sys.stdout.flush()
            os._exit(code)
        except BaseException:  # pragma: no cover - the child must never run the parent's tests
            os._exit(99)
    os.close(in_r)
    os.close(out_w)
    return pid, os.fdopen(in_w, "w", buffering=1), os.fdopen(out_r, "r")


def _integrity(home: Path) -> str:
    conn = sqlite3.connect(home / "learndl.db")
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


def _review_count(home: Path) -> int:
    conn = sqlite3.connect(home / "learndl.db")
    try:
        return conn.execute("select count(*) from reviews").fetchone()[0]
    finally:
        conn.close()


def test_sigkill_at_random_points_loses_no_acknowledged_answer(home, tmp_path, cli):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("new_per_day = 100000\nmax_reviews_per_day = 100000\nfuzz = false\n")
    assert cli("status").exit_code == 0  # create the database and load the bundled decks
    # Import what the quiz imports lazily, so each forked child starts in milliseconds.
    import learndl_cli.commands.quiz  # noqa: F401
    import learndl_cli.render  # noqa: F401
    import learndl_cli.review  # noqa: F401
    from learndl_cli.mathtext import render_math
    from rich.console import Console
    from rich.markdown import Markdown

    Console(file=open(os.devnull, "w")).print(Markdown(render_math("warm $x^2$ up")))
    rng = random.Random(20261122)
    acknowledged_total = 0
    for run in range(KILLS):
        pid, stdin, stdout = _fork_quiz(home)
        # The quiz starts normally: wait for the first card.
        started = False
        for line in stdout:
            if line.startswith("╰"):
                started = True
                break
        assert started, f"run {run}: the quiz did not show a card after the previous kill"
        answers = rng.randint(1, 4)
        kill_after = rng.randint(0, answers)  # acknowledgements to see before the kill
        stdin.write("".join(f"\n{rng.choice('1234')}\n" for _ in range(answers)))
        stdin.flush()
        acks = 0
        if kill_after:
            for line in stdout:
                if line.startswith("→ "):
                    acks += 1
                    if acks == kill_after:
                        break
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks += sum(1 for line in stdout.read().splitlines() if line.startswith("→ "))  # printed before the kill
        stdin.close()
        stdout.close()
        acknowledged_total += acks
        saved = _review_count(home)
        assert acknowledged_total <= saved <= acknowledged_total + 1, (run, acknowledged_total, saved)
        acknowledged_total = saved  # an answer committed just before the kill counts from now on
        assert _integrity(home) == "ok", f"run {run}"
    assert acknowledged_total >= KILLS // 2
    (tmp_path / "kills.json").write_text(json.dumps({"kills": KILLS, "reviews": acknowledged_total}))


def test_deleted_database_next_to_backups_is_reported_not_recreated(cli, home, deck_dir):
    cli("quiz", "--limit", "1", input="\n3\n")
    cli("status")
    (home / "learndl.db").unlink()
    for suffix in ("-wal", "-shm"):
        (home / f"learndl.db{suffix}").unlink(missing_ok=True)
    result = cli("status")
    assert result.exit_code == 2
    assert "the database is missing, but backups exist" in result.output and "learndl restore" in result.output
    assert not (home / "learndl.db").exists()


def test_truncated_database_is_reported(cli, home, deck_dir):
    cli("quiz", "--limit", "1", input="\n3\n")
    cli("status")
    for suffix in ("-wal", "-shm"):
        (home / f"learndl.db{suffix}").unlink(missing_ok=True)
    (home / "learndl.db").write_bytes(b"")
    result = cli("quiz")
    assert result.exit_code == 2 and "is empty (truncated)" in result.output


def test_deck_file_removed_while_a_quiz_runs(home, deck_dir, cli):
    """The quiz keeps going on what it loaded; the answer is saved; the next run hides the cards."""
    (deck_dir / "basics.md").rename(deck_dir / "basics.keep")
    shutil.copy(deck_dir / "basics.keep", deck_dir / "basics.md")
    assert cli("status").exit_code == 0
    pid, stdin, stdout = _fork_quiz(home)
    for line in stdout:
        if line.startswith("╰"):
            break
    (deck_dir / "basics.md").unlink()
    stdin.write("\n3\nq\n")
    stdin.flush()
    out = stdout.read()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0, out
    assert "→ Good" in out
    assert _review_count(home) == 1
    data = json.loads(cli("status", "--json").stdout)
    assert data["decks"] == []
    conn = sqlite3.connect(home / "learndl.db")
    assert conn.execute("select count(*) from cards where active = 0").fetchone()[0] == 7
    conn.close()


def test_schema_1_database_upgrades_in_place(tmp_path):
    """A database written by the first released schema opens with the current code, nothing lost."""
    from learndl_cli.store.db import open_db
    from learndl_cli.store.migrations import SCHEMA_VERSION, migrations

    home = tmp_path / "old"
    shutil.copytree(FIXTURES / "db" / "schema-1", home)
    before = sqlite3.connect(home / "learndl.db")
    cards_before = before.execute("select id, state, stability, difficulty, due, reps, lapses from cards order by id").fetchall()
    reviews_before = before.execute("select * from reviews order by id").fetchall()
    attempts_before = before.execute("select * from attempts order by id").fetchall()
    schedule_before = before.execute("select * from exercise_schedule").fetchall()
    before.close()
    assert len(reviews_before) > 10 and attempts_before

    db = open_db(home)
    assert len(migrations.applied(db)) == SCHEMA_VERSION
    from learndl_cli.store.db import applied_migrations

    assert applied_migrations(db.conn) == [m.name for m in migrations.applied(db)]
    assert [tuple(r.values()) for r in db.query("select id, state, stability, difficulty, due, reps, lapses from cards order by id")] == cards_before
    assert [tuple(r.values()) for r in db.query("select * from reviews order by id")] == reviews_before
    assert [tuple(r.values())[: len(attempts_before[0])] for r in db.query("select * from attempts order by id")] == attempts_before
    assert [tuple(r.values())[: len(schedule_before[0])] for r in db.query("select * from exercise_schedule")] == schedule_before
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.conn.close()
    # and the settings file of that version still loads
    from learndl_cli.config import load_settings

    assert load_settings(home).new_per_day == 15


# ---------------------------------------------------------------- fuzzing


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_settings_file_loads_or_fails_with_one_line(text, tmp_path):
    from learndl_cli.config import load_settings
    from learndl_cli.errors import UserError

    home = tmp_path / "fuzzhome"
    home.mkdir(exist_ok=True)
    (home / "settings.toml").write_text(text, encoding="utf-8")
    try:
        load_settings(home)
    except UserError as err:
        message = str(err)
        assert "\n" not in message and message.startswith(str(home / "settings.toml"))


ARGS = st.lists(
    st.one_of(
        st.sampled_from(["quiz", "status", "decks", "list", "validate", "--json", "--deck", "--chapter", "--tag",
                         "--limit", "--ahead", "--help", "-n", "-c", "x", "-1", "0", "3", "1e9", "☃", "--home"]),
        st.text(max_size=8),
    ),
    max_size=5,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=ARGS)
def test_any_command_line_gives_a_result_or_one_error_line(args, cli, deck_dir, tmp_path):
    if "--home" in args:
        return  # a fuzzed --home would write outside the test's directory
    result = cli(*args, input="q\n")
    assert "Traceback" not in result.output
    if result.exit_code not in (0, 1):
        lines = [line for line in result.stderr.splitlines() if line.strip()] if hasattr(result, "stderr") else []
        assert result.exit_code == 2, (args, result.exit_code, result.output)
        assert len(lines) <= 1, (args, result.output)


def test_quiz_check_and_status_at_once_on_one_data_dir(home, cli):
    """Three terminals on one data dir: nothing locked, nothing lost, and the counts add up.

    Runs for ``LEARNDL_SOAK_SECONDS`` (default 20; CI runs it for 60).
    """
    import subprocess
    import threading
    import time as _time

    seconds = float(os.environ.get("LEARNDL_SOAK_SECONDS", "20"))
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("new_per_day = 100000\nmax_reviews_per_day = 100000\nfuzz = false\n")
    assert cli("status").exit_code == 0
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
    deadline = _time.monotonic() + seconds
    errors: list[str] = []
    counts = {"acks": 0, "checks": 0, "status": 0}

    def quiz():
        proc = subprocess.Popen([sys.executable, "-m", "learndl_cli", "quiz"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, bufsize=1)
        while _time.monotonic() < deadline:
            proc.stdin.write("\n3\n")
            proc.stdin.flush()
            for line in proc.stdout:
                if "locked" in line or "Traceback" in line:
                    errors.append(f"quiz: {line.strip()}")
                if line.startswith("→ "):
                    counts["acks"] += 1
                    break
            else:
                errors.append("quiz ended early")
                return
        proc.stdin.write("q\n")
        proc.stdin.flush()
        rest, _ = proc.communicate(timeout=60)
        if proc.returncode != 0 or "locked" in rest:
            errors.append(f"quiz exit {proc.returncode}: {rest[-300:]}")

    def loop(args, key):
        while _time.monotonic() < deadline:
            proc = subprocess.run([sys.executable, "-m", "learndl_cli", *args], env=env, capture_output=True, text=True, timeout=120)
            if proc.returncode != 0 or "locked" in proc.stderr + proc.stdout:
                errors.append(f"{' '.join(args)} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                return
            counts[key] += 1

    threads = [
        threading.Thread(target=quiz),
        threading.Thread(target=loop, args=(["check", "softmax", "--file", str(root / "solutions" / "softmax.py")], "checks")),
        threading.Thread(target=loop, args=(["status", "--json"], "status")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = sqlite3.connect(home / "learndl.db")
    reviews = conn.execute("select count(*) from reviews").fetchone()[0]
    attempts = conn.execute("select count(*) from attempts where verdict = 'pass'").fetchone()[0]
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert reviews == counts["acks"] > 0
    assert attempts == counts["checks"] > 0
    assert counts["status"] > 0
    print(f"soak {seconds:.0f}s: {counts}")


# ---------------------------------------------------------------- faults on disk


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root and mount rights; skipped where there are none)."""
    import subprocess

    mnt = tmp_path / "disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _setup_home_on(disk: Path) -> Path:
    home = disk / "home"
    decks = disk / "decks"
    shutil.copytree(FIXTURES / "decks", decks)
    home.mkdir()
    (home / "settings.toml").write_text(f'bundled_decks = false\ndeck_paths = ["{decks}"]\nfuzz = false\n')
    return home


def _run(home: Path, *args: str, input_text: str = ""):
    import subprocess

    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    return subprocess.run([sys.executable, "-m", "learndl_cli", *args], input=input_text, capture_output=True, text=True, env=env, timeout=120)


def test_full_disk_gives_one_line_and_loses_nothing(small_disk):
    home = _setup_home_on(small_disk)
    first = _run(home, "quiz", "--limit", "1", input_text="\n3\n")
    assert first.returncode == 0, first.stderr
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError:
                pass
    full = _run(home, "quiz", "--limit", "3", input_text="\n3\n" * 3)
    assert full.returncode != 0
    lines = [l for l in full.stderr.splitlines() if l.startswith("learndl:") and "warning" not in l]
    assert len(lines) == 1 and "disk is full" in lines[0], full.stderr
    assert "Traceback" not in full.stderr + full.stdout
    filler.unlink()
    again = _run(home, "status", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["studied_today"]["reviews"] >= 1
    assert _integrity(home) == "ok"


def test_read_only_data_dir_gives_one_line(small_disk):
    import subprocess

    home = _setup_home_on(small_disk)
    assert _run(home, "quiz", "--limit", "1", input_text="\n3\n").returncode == 0
    proc = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot remount read-only: {proc.stderr.strip()}")
    try:
        result = _run(home, "quiz", input_text="\n3\n")
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = [l for l in result.stderr.splitlines() if l.startswith("learndl:")]
        assert len(lines) == 1 and ("read-only" in lines[0] or "cannot" in lines[0]), result.stderr
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], capture_output=True)
    assert _run(home, "status").returncode == 0


def test_a_grade_killed_mid_attempt_is_never_shown_as_a_pass(home, cli, tmp_path):
    """SIGKILL `learndl check` at random points: each attempt on record is whole, and a pass is
    on record only for a grade that finished."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    starter = tmp_path / "mine.py"
    shutil.copy(root / "exercises" / "softmax" / "softmax.py", starter)
    solution = root / "solutions" / "softmax.py"
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    assert cli("status").exit_code == 0
    rng = random.Random(7)
    finished_passes = 0
    kills = int(os.environ.get("LEARNDL_GRADE_KILLS", "12"))
    for run in range(kills):
        target = solution if run % 2 else starter
        proc = subprocess.Popen([sys.executable, "-m", "learndl_cli", "check", "softmax", "--file", str(target)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            # fault injection: the kill lands anywhere from start-up to the end of grading
            code = proc.wait(timeout=rng.uniform(0.05, 3.0))
            finished_passes += code == 0
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    conn = sqlite3.connect(home / "learndl.db")
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("select verdict, checks from attempts").fetchall()
    conn.close()
    for verdict, checks in rows:
        assert verdict in ("pass", "fail", "error", "timeout")
        results = json.loads(checks)
        if verdict == "pass":
            assert results and all(c["status"] == "pass" for c in results)
    passes = sum(1 for v, _ in rows if v == "pass")
    # A kill can land after the attempt is committed but before the process exits: that pass is
    # whole and may stand. A pass is never recorded for a starter, nor more often than graded.
    assert finished_passes <= passes <= (kills + 1) // 2
    listed = json.loads(cli("exercise", "--json").stdout)
    entry = next(e for e in (listed["exercises"] if isinstance(listed, dict) else listed) if e["name"] == "softmax")
    assert (entry["status"] in ("passed", "due")) == (passes > 0)
