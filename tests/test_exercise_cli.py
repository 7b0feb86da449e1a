"""The exercise commands, driven the way a learner drives them (CliRunner, a temp home, a fixed clock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "softmax.py"
LATER = "2026-04-30T09:00:00+00:00"  # well past any first re-drill interval


@pytest.fixture(scope="module", autouse=True)
def warm_grader():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)


def work_file(home: Path, name="softmax", file="softmax.py") -> Path:
    return home / "workspace" / name / file


def test_list_as_json(cli):
    result = cli("exercise", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    names = [r["name"] for r in rows]
    assert {"softmax", "dropout", "attention"} <= set(names)
    softmax = next(r for r in rows if r["name"] == "softmax")
    assert softmax["status"] == "new" and softmax["chapter"] == 3 and softmax["section"] == "3.6"
    chapters = [r["chapter"] for r in rows]
    assert chapters == sorted(chapters)


def test_exercise_sets_up_the_workspace_and_never_overwrites(cli, home):
    result = cli("exercise", "softmax")
    assert result.exit_code == 0
    path = work_file(home)
    assert str(path) in result.stdout and "learndl check softmax" in result.stdout
    assert "NotImplementedError" in path.read_text()
    path.write_text("# my work\n")
    assert cli("exercise", "softmax").exit_code == 0
    assert path.read_text() == "# my work\n"


def test_reset_keeps_a_backup(cli, home):
    cli("exercise", "softmax")
    path = work_file(home)
    path.write_text("# my work\n")
    result = cli("exercise", "softmax", "--reset")
    assert result.exit_code == 0 and "kept as" in result.stdout
    backups = list(path.parent.glob("softmax.py.*.bak"))
    assert len(backups) == 1 and backups[0].read_text() == "# my work\n"
    assert "NotImplementedError" in path.read_text()


def test_check_starter_fails_and_is_recorded(cli, home, db):
    cli("exercise", "softmax")
    result = cli("check", "softmax", "--json", "--seed", "5")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {"exercise", "status", "seed", "device", "duration_ms", "checks"} <= set(data)
    assert data["status"] == "fail" and data["seed"] == 5 and data["device"] == "cpu"
    assert data["checks"][0]["message"].startswith("not implemented yet: softmax.py:")
    assert {"id", "status", "message", "duration_ms"} <= set(data["checks"][0])
    rows = list(db().query("SELECT * FROM attempts"))
    assert len(rows) == 1 and rows[0]["verdict"] == "fail" and rows[0]["seed"] == 5
    assert rows[0]["ts"] == NOW and rows[0]["mode"] == "check" and len(rows[0]["code_hash"]) == 16
    assert json.loads(rows[0]["checks"])[0]["id"] == "rows_sum_to_one"


def test_check_renders_the_first_failure(cli):
    cli("exercise", "softmax")
    result = cli("check", "softmax")
    assert result.exit_code == 1
    assert "✗ fail" in result.stdout and "not implemented yet" in result.stdout and "more checks not run" in result.stdout


def test_pass_schedules_a_redrill_and_the_redrill_starts_from_the_starter(cli, home, db):
    cli("exercise", "softmax")
    path = work_file(home)
    assert cli("check", "softmax").exit_code == 1
    path.write_text(SOLUTION.read_text())
    result = cli("check", "softmax")
    assert result.exit_code == 0, result.stdout
    assert "✓ pass" in result.stdout and "next re-drill in" in result.stdout
    schedule = list(db().query("SELECT * FROM exercise_schedule"))
    assert len(schedule) == 1 and schedule[0]["reps"] == 1 and schedule[0]["due"] > NOW
    # A second pass in the same round does not move the schedule.
    assert cli("check", "softmax").exit_code == 0
    assert list(db().query("SELECT reps FROM exercise_schedule"))[0]["reps"] == 1

    from datetime import datetime

    from learndl_cli.store.exercises import due_redrills

    assert due_redrills(db(), datetime.fromisoformat(NOW)) == []
    assert due_redrills(db(), datetime.fromisoformat(LATER)) == ["softmax"]
    listing = json.loads(cli("exercise", "--json", now=LATER).stdout)
    assert next(r for r in listing if r["name"] == "softmax")["status"] == "due"

    result = cli("exercise", "softmax", now=LATER)
    assert result.exit_code == 0 and "Re-drill" in result.stdout
    assert "NotImplementedError" in path.read_text()
    backups = list(path.parent.glob("softmax.py.*.bak"))
    assert len(backups) == 1 and "torch.exp" in backups[0].read_text()
    # Opening it again in the same round does not reset the new work.
    path.write_text(SOLUTION.read_text())
    cli("exercise", "softmax", now=LATER)
    assert "torch.exp" in path.read_text()
    assert cli("check", "softmax", now=LATER).exit_code == 0
    row = list(db().query("SELECT * FROM exercise_schedule"))[0]
    assert row["reps"] == 2 and row["due"] > LATER


def test_rating_uses_attempts_hints_and_solution_views():
    from learndl_cli.scheduler import Rating
    from learndl_cli.store.exercises import rating_for

    assert rating_for(0, 0, False) == Rating.EASY
    assert rating_for(1, 0, False) == Rating.GOOD
    assert rating_for(0, 1, False) == Rating.GOOD
    assert rating_for(3, 0, False) == Rating.HARD
    assert rating_for(0, 2, False) == Rating.HARD
    assert rating_for(0, 0, True) == Rating.AGAIN


def test_hints_go_up_one_level_at_a_time_and_are_recorded(cli, db):
    from learndl_cli import catalog

    hints = catalog.get("softmax").hints
    for level in (1, 2, 3):
        result = cli("hint", "softmax")
        assert result.exit_code == 0 and f"Hint {level}/3" in result.stdout
        assert hints[level - 1].split()[0] in result.stdout
    result = cli("hint", "softmax")
    assert "No more hints" in result.stdout
    assert [r["level"] for r in db().query("SELECT level FROM hint_views ORDER BY id")] == [1, 2, 3]


def test_solution_only_after_a_pass_or_with_force(cli, home, db):
    result = cli("solution", "softmax")
    assert result.exit_code == 2 and "pass 'softmax' first" in result.stderr
    result = cli("solution", "softmax", "--force")
    assert result.exit_code == 0 and "def softmax" in result.stdout
    assert [r["forced"] for r in db().query("SELECT forced FROM solution_views")] == [1]
    assert cli("check", "softmax", "--file", str(SOLUTION)).exit_code == 0
    # the solution was seen before this pass: the round is rated Again (due soonest)
    row = list(db().query("SELECT * FROM exercise_schedule"))[0]
    assert row["reps"] == 1
    result = cli("solution", "softmax")
    assert result.exit_code == 0 and "for comparison" in result.stdout


def test_check_a_file_and_errors_are_one_line(cli, tmp_path):
    assert cli("check", "softmax", "--file", str(SOLUTION)).exit_code == 0
    result = cli("check", "softmax")
    assert result.exit_code == 2 and "learndl exercise softmax" in result.stderr
    result = cli("check", "nope")
    assert result.exit_code == 2 and "no exercise named 'nope'" in result.stderr
    result = cli("check", "softmax", "--file", str(tmp_path / "missing.py"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_cuda_without_a_gpu_is_one_clear_line(cli, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = cli("check", "softmax", "--file", str(SOLUTION), "--device", "cuda")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no CUDA GPU" in result.stderr


def test_notebook_is_valid_and_round_trips(cli, home):
    import warnings

    import nbformat

    result = cli("exercise", "softmax", "--notebook")
    assert result.exit_code == 0
    nb_path = work_file(home, file="softmax.ipynb")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing cell id or schema problem would warn
        nb = nbformat.read(nb_path, as_version=4)
        nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code", "code"]
    assert all(c.get("id") for c in nb.cells)
    statement = nb.cells[0].source
    assert "in the code cell below" in statement and "softmax.py" not in statement
    assert nb.cells[2].source == "%load_ext learndl"
    assert nb.cells[3].source.startswith("%%learndl check softmax\n")
    assert not work_file(home).exists()  # notebook mode: the notebook is the learner's copy
    result = cli("check", "softmax", "--json")
    assert result.exit_code == 1
    message = json.loads(result.stdout)["checks"][0]["message"]
    assert message.startswith("not implemented yet: softmax.ipynb cell 2, line 14 raises"), message
    nb.cells[3].source = "%%learndl check softmax\n" + SOLUTION.read_text()
    nb.cells.append(nbformat.v4.new_code_cell("%timeit softmax(torch.ones(3))"))
    nbformat.write(nb, nb_path)
    assert cli("check", "softmax").exit_code == 0


def test_a_broken_notebook_is_one_line(cli, home):
    cli("exercise", "softmax", "--notebook")
    work_file(home, file="softmax.ipynb").write_text("{not json")
    result = cli("check", "softmax")
    assert result.exit_code == 2 and "softmax.ipynb: not a Jupyter notebook" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_check_all_solutions(cli):
    result = cli("check", "--all", "--solutions", "--json", "-j", "1")
    data = json.loads(result.stdout)
    mine = {r["exercise"]: r["status"] for r in data}
    assert mine["softmax"] == mine["dropout"] == mine["attention"] == "pass"


def test_listing_does_not_import_torch(home):
    code = (
        "import sys\nfrom learndl_cli.__main__ import main\n"
        "rc = main(['exercise', '--json'])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('OK', rc)\n"
    )
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "OK 0" in proc.stdout, proc.stdout + proc.stderr


def test_check_through_the_real_entry_point(home):
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    proc = subprocess.run(
        [sys.executable, "-m", "learndl_cli", "check", "dropout", "--file", str(ROOT / "exercises" / "dropout" / "dropout.py")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 1 and "not implemented yet: dropout.py:" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_grading_the_same_code_twice_is_one_failed_attempt(cli, home, db):
    from learndl_cli.store.exercises import failed_attempts

    cli("exercise", "softmax")
    work_file(home).write_text("def softmax(X, dim=-1):\n    return X\n")
    assert cli("check", "softmax").exit_code == 1
    assert cli("check", "softmax").exit_code == 1
    assert failed_attempts(db(), "softmax") == 1
    work_file(home).write_text("def softmax(X, dim=-1):\n    return X * 2\n")
    assert cli("check", "softmax").exit_code == 1
    assert failed_attempts(db(), "softmax") == 2


def test_solution_diff_against_your_file(cli, home):
    cli("exercise", "softmax")
    result = cli("solution", "softmax", "--force", "--diff")
    assert result.exit_code == 0
    assert "--- your softmax.py" in result.stdout and "+++ solutions/softmax.py" in result.stdout
    assert "-    raise NotImplementedError" in result.stdout
    work_file(home).write_text(SOLUTION.read_text())
    result = cli("solution", "softmax", "--force", "--diff")
    assert "No differences" in result.stdout
