"""``learndl check NAME --batch DIR``: a folder of submissions, one row per file."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = Path(__file__).parent / "variants"


@pytest.fixture
def classroom(tmp_path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text((ROOT / "solutions" / "softmax.py").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bob").mkdir()
    (folder / "bob" / "softmax.py").write_text((VARIANTS / "softmax" / "naive_overflow.py").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "carol.py").write_text("def softmax(X, dim=-1):\n    raise ValueError(\"dim went missing\")\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a submission", encoding="utf-8")
    return folder


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_folder_is_graded_into_a_csv_with_one_row_per_file(cli, classroom, tmp_path):
    out = tmp_path / "results.csv"
    result = cli("check", "softmax", "--batch", str(classroom), "--out", str(out), "-j", "2", "--seed", "5")
    assert result.exit_code == 0, result.output  # wrong answers are grades, not errors
    rows = _rows(out)
    assert [r["file"] for r in rows] == ["alice.py", "bob/softmax.py", "carol.py"]
    assert [r["verdict"] for r in rows] == ["pass", "fail", "error"]
    assert rows[1]["check"] == "large_logits" and "subtract each slice's max" in rows[1]["message"]
    assert "ValueError: dim went missing" in rows[2]["message"]
    assert all(r["seed"] == "5" and float(r["seconds"]) >= 0 for r in rows)
    assert "3 files" in result.output and str(out) in result.output


def test_a_file_that_cannot_be_graded_makes_the_exit_status_non_zero(cli, classroom, tmp_path):
    (classroom / "dave.py").write_bytes(b"\xff\xfe not utf-8")
    os.symlink(ROOT / "solutions" / "softmax.py", classroom / "eve.py")
    result = cli("check", "softmax", "--batch", str(classroom), "--json", "-j", "1")
    assert result.exit_code == 2
    rows = {r["file"]: r for r in json.loads(result.stdout)}
    assert rows["dave.py"]["verdict"] == "unreadable" and "cannot read" in rows["dave.py"]["message"]
    assert rows["eve.py"]["verdict"] == "unreadable" and "symlink" in rows["eve.py"]["message"]
    assert rows["alice.py"]["verdict"] == "pass"


def test_nothing_is_recorded_in_the_learners_database(cli, classroom, home):
    cli("check", "softmax", "--batch", str(classroom), "-j", "1")
    from learndl_cli.store.db import open_db

    assert not (home / "learndl.db").exists() or open_db(home)["attempts"].count == 0


@pytest.mark.parametrize("args, words", [
    (["check", "softmax", "--batch", "/no/such/folder"], "not a folder"),
    (["check", "softmax", "--out", "x.csv"], "--out goes with --batch"),
    (["check", "--batch", "."], "which exercise"),
    (["check", "softmax", "--batch", ".", "--out", "x.txt"], ".csv or .json"),
])
def test_bad_batch_arguments_get_one_line(cli, args, words):
    result = cli(*args)
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output
