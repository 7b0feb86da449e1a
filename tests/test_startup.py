"""Start-up and bad input: no torch on the fast paths, one clear line for every user error."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from conftest import NOW


def run(args, home, input_text="", env=None):
    full_env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "learndl_cli", *args], input=input_text, capture_output=True, text=True, env=full_env, timeout=120
    )


@pytest.mark.parametrize("args", [["--help"], ["status"], ["status", "--json"], ["quiz"], ["decks", "list"]])
def test_fast_paths_never_import_torch(args, home):
    code = (
        "import sys\n"
        "from learndl_cli.__main__ import main\n"
        f"rc = main({args!r})\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert not any(m.startswith('learndl_cli.grader') for m in sys.modules), 'the grader was imported'\n"
        "print('OK', rc)\n"
    )
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    proc = subprocess.run([sys.executable, "-c", code], input="q\n", capture_output=True, text=True, env=env, timeout=120)
    assert "OK 0" in proc.stdout, proc.stdout + proc.stderr


def test_home_that_is_a_file(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    proc = run(["status"], target)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"learndl: {target}: the data directory is a file, not a folder (check --home or $LEARNDL_HOME)"]


def test_home_that_cannot_be_created(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    proc = run(["status"], target / "sub")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "cannot create the data directory" in proc.stderr


def test_database_from_a_newer_learndl_is_refused_and_untouched(cli, home, deck_dir):
    assert cli("status").exit_code == 0
    db_file = home / "learndl.db"
    import sqlite3

    conn = sqlite3.connect(db_file)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('learndl', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    before = hashlib.sha1(db_file.read_bytes()).hexdigest()
    proc = run(["status"], home)
    assert proc.returncode == 2
    assert "written by a newer learndl" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert hashlib.sha1(db_file.read_bytes()).hexdigest() == before


def test_corrupt_database_names_the_newest_backup(cli, home, deck_dir):
    cli("quiz", "--limit", "1", input="\n3\n")
    cli("status")  # the day's backup exists once there is a review
    backups = sorted((home / "backups").glob("learndl-*.db"))
    assert backups, "no automatic backup was made"
    for suffix in ("-wal", "-shm"):
        (home / f"learndl.db{suffix}").unlink(missing_ok=True)
    (home / "learndl.db").write_bytes(b"this is not a database" * 100)
    proc = run(["status"], home)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "the database is damaged" in line and str(backups[-1]) in line and "\n" not in line
    # the backup is a real, readable copy
    import sqlite3

    conn = sqlite3.connect(backups[-1])
    assert conn.execute("select count(*) from reviews").fetchone()[0] == 1
    conn.close()


def test_backups_keep_the_last_seven_days(cli, home, deck_dir):
    for day in range(1, 11):
        cli("quiz", "--limit", "1", input="\n3\n", now=f"2026-03-{day:02d}T09:00:00+00:00")
    names = sorted(p.name for p in (home / "backups").glob("learndl-*.db"))
    assert len(names) == 7
    assert names[-1] == "learndl-2026-03-10.db"


def test_bad_settings_give_path_and_line(cli, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("new_per_day = 10\ndesired_retention = 2\n", encoding="utf-8")
    result = cli("status")
    assert result.exit_code == 2
    assert f"{home / 'settings.toml'}:2: setting 'desired_retention'" in result.output
    (home / "settings.toml").write_text("new_per_day = [\n", encoding="utf-8")
    result = cli("status")
    assert result.exit_code == 2 and "invalid TOML" in result.output
    (home / "settings.toml").write_text("colour = 'red'\n", encoding="utf-8")
    assert "unknown setting 'colour'" in cli("status").output


def test_status_json_document(cli, deck_dir):
    cli("quiz", "--limit", "2", input="\n3\n\n1\n")
    data = json.loads(cli("status", "--json").stdout)
    assert {"decks", "studied_today", "streak", "next_due", "due"} <= set(data)
    assert data["studied_today"]["reviews"] == 2 and data["studied_today"]["again"] == 1
    assert data["streak"] == {"current": 1, "longest": 1}
    assert data["next_due"] == "2026-03-02T09:01:00+00:00"
    deck = data["decks"][0]
    # Both answered cards are back in 1m and 10m, inside the quiz's 20-minute learn-ahead: due now.
    assert deck["id"] == "basics" and deck["learning"] == 2 and deck["new"] == 5
    assert data["due_today"] == data["due"] == {"learning": 2, "review": 0, "new": 5}


def test_status_text(cli, deck_dir):
    cli("quiz", "--limit", "1", input="\n3\n")
    out = cli("status").stdout
    assert "streak 1 day" in out and "Studied today: 1 reviews of 1 cards" in out and "Next card due: in 10m" in out


def test_status_folds_decks_with_nothing_due_and_all_lists_them(cli, deck_dir):
    (deck_dir / "later.md").write_text("---\nid: later\ntitle: Later\nchapter: 3\n---\n\nx :: y\n", encoding="utf-8")
    cli("quiz", "--deck", "later", "--limit", "1", input="\n4\n")  # its only card goes days away
    out = cli("status").stdout
    assert "basics" in out and "later" not in out and "+ 1 more decks" in out and "nothing due" in out
    assert "later" in cli("status", "--all").stdout


def test_each_command_is_built_from_the_module_the_table_names():
    """``learndl CMD`` builds only CMD's module (cli.COMMANDS): the table must name every command
    of the whole app, each with its own module, or that command would run from the whole app."""
    from learndl_cli import cli

    whole = cli._command_names(cli.build())
    assert set(cli.COMMANDS) == whole
    for name, module in cli.COMMANDS.items():
        assert name in cli._command_names(cli.build((module,))), name
        assert cli.app_for(["--home", "/tmp/x", name, "--help"]) is not cli.app
    assert cli.app_for(["--help"]) is cli.app and cli.app_for(["nonsense"]) is cli.app
