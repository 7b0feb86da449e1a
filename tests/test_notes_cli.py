"""``learndl notes import`` end to end: bad files, dry runs that exit as real imports do, deck ids
that keep Chinese file names apart, ``--explain``, and the chapter a deck is filed under."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import FIXTURES
from learndl_cli.deckparse import DECK_ID_RE, parse_deck
from learndl_cli.notes import deck_id_for

NOTES = FIXTURES / "notes"


@pytest.fixture
def notes_home(home) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\nfuzz = false\n", encoding="utf-8")
    return home


def _sqlite_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table notes (front text, back text)")
    conn.execute("insert into notes values ('线性回归：', '一种回归模型')")
    conn.commit()
    conn.close()


BAD_FILES = {
    "notes.db": (_sqlite_file, "an SQLite database, not a Markdown notes file; nothing imported"),
    "figure.png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))), "a PNG picture, not a Markdown notes file"),
    "a.out": (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200), "an ELF program, not a Markdown notes file"),
    "empty.md": (lambda p: p.write_bytes(b""), "the file is empty; nothing to import"),
    "blank.md": (lambda p: p.write_bytes(b"\xef\xbb\xbf \n\n\t\n"), "the file is empty; nothing to import"),
    "noise.md": (lambda p: p.write_bytes(bytes(range(1, 32)) * 50), "a binary file, not a Markdown notes file"),
    "lesson.ipynb": (lambda p: p.write_text('{"cells": [{"cell_type": "markdown", "source": ["# 线性回归"]}], "nbformat": 4}', encoding="utf-8"),
                     "a Jupyter notebook, not a Markdown notes file; export it first: jupyter nbconvert --to markdown lesson.ipynb"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_refused_with_one_line_alike_in_dry_and_real_runs(cli, notes_home, tmp_path, name):
    make, message = BAD_FILES[name]
    path = tmp_path / name
    make(path)
    before = sorted(p.name for p in notes_home.iterdir())
    dry = cli("notes", "import", str(path), "--dry-run")
    real = cli("notes", "import", str(path))
    assert dry.exit_code == real.exit_code == 1, (dry.output, real.output)
    assert dry.stderr == real.stderr
    assert dry.stderr.count("\n") == 1 and message in dry.stderr and str(path) in dry.stderr
    assert "Traceback" not in dry.output + real.output
    assert not (notes_home / "decks").exists()
    assert sorted(p.name for p in notes_home.iterdir() if p.name != "learndl.db") == before


def test_one_bad_file_among_good_ones_writes_nothing(cli, notes_home, tmp_path):
    png = tmp_path / "fig.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = cli("notes", "import", str(NOTES / "structure.md"), str(png))
    assert result.exit_code == 1 and "a PNG picture" in result.stderr
    assert not (notes_home / "decks").exists()


def test_dry_run_exits_as_the_real_import_when_there_are_no_cards(cli, notes_home, tmp_path):
    only = tmp_path / "only-a-title.md"
    only.write_text("# 只有标题\n\n## 代码实现\n\n- 定义网络\n", encoding="utf-8")
    dry = cli("notes", "import", str(only), "--dry-run")
    real = cli("notes", "import", str(only))
    assert dry.exit_code == real.exit_code == 1
    assert "no cards found" in dry.stderr and "no cards found" in real.stderr


def test_utf16_notes_are_read(cli, notes_home, tmp_path):
    path = tmp_path / "utf16.md"
    path.write_bytes("# 线性回归\n\n- 损失函数：均方误差\n".encode("utf-16"))
    result = cli("notes", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "均方误差" in result.stdout


# ---------------------------------------------------------------- deck ids


def test_deck_ids_keep_chinese_names_apart_and_are_valid():
    names = ["线性回归", "多层感知机", "第3章 笔记", "第3章-笔记", "notes", "my notes", "my-notes", "d2l笔记", "d2l笔记2"]
    ids = [deck_id_for(n) for n in names]
    assert len(set(ids)) == len(ids), ids
    assert all(DECK_ID_RE.match(i) for i in ids)
    assert deck_id_for("structure") == "notes-structure"  # a plain name keeps its readable id
    assert deck_id_for("线性回归") == deck_id_for("线性回归")  # stable: a re-import finds the same deck
    assert deck_id_for("d2l笔记").startswith("notes-d2l-")


def test_two_chinese_notes_become_two_decks_and_the_first_is_kept(cli, notes_home, db, tmp_path):
    a, b = tmp_path / "线性回归.md", tmp_path / "多层感知机.md"
    shutil.copy(NOTES / "线性回归.md", a)
    shutil.copy(NOTES / "多层感知机.md", b)
    assert cli("notes", "import", str(a)).exit_code == 0
    quiz = cli("quiz", "--limit", "3", input="\n3\n" * 3 + "q\n")
    assert quiz.exit_code == 0, quiz.output
    reviewed = {r["deck_id"] for r in db().query("select deck_id from cards where reps > 0")}
    assert reviewed == {deck_id_for("线性回归")}
    second = cli("notes", "import", str(b))
    assert second.exit_code == 0, second.output
    decks = {d["id"]: d for d in json.loads(cli("decks", "list", "--json").stdout)}
    assert {deck_id_for("线性回归"), deck_id_for("多层感知机")} <= set(decks)
    assert next(db().query("select count(*) as n from cards where reps > 0 and active = 1"))["n"] >= 1


def test_an_id_collision_never_replaces_a_deck(cli, notes_home, tmp_path):
    first = tmp_path / "a" / "笔记.md"
    other = tmp_path / "b" / "学习.md"
    first.parent.mkdir()
    other.parent.mkdir()
    shutil.copy(NOTES / "线性回归.md", first)
    shutil.copy(NOTES / "问答合集.md", other)
    assert cli("notes", "import", str(first), "--deck", "mine").exit_code == 0
    deck = notes_home / "decks" / "mine.md"
    kept = deck.read_text(encoding="utf-8")
    for extra in ([], ["--dry-run"], ["--force"]):
        clash = cli("notes", "import", str(other), "--deck", "mine", *extra)
        assert clash.exit_code == 2, clash.output
        assert clash.stderr.strip() == f"learndl: deck id 'mine' already holds the cards of 笔记.md, not 学习.md; choose another with --deck NAME (or delete {deck} first)"
        assert deck.read_text(encoding="utf-8") == kept
    # the same notes again (edited) are not a collision; a file of the same name elsewhere may be
    # other notes: the import asks for --force (the learner moved it) before replacing the deck
    assert cli("notes", "import", str(first), "--deck", "mine").exit_code == 0
    moved = tmp_path / "笔记.md"
    shutil.copy(first, moved)
    unsure = cli("notes", "import", str(moved), "--deck", "mine")
    assert unsure.exit_code == 2 and "another file of the same name; pass --force if you moved it" in unsure.stderr
    assert deck.read_text(encoding="utf-8") == kept
    assert cli("notes", "import", str(moved), "--deck", "mine", "--force").exit_code == 0
    # the deck of two notes files, imported again with one more or one less, is the same deck
    third = tmp_path / "b" / "补充.md"
    shutil.copy(NOTES / "softmax回归.md", third)
    assert cli("notes", "import", str(moved), str(third), "--deck", "mine").exit_code == 0
    assert cli("notes", "import", str(third), "--deck", "mine").exit_code == 0
    # two files that would take the same id in one run
    twin = tmp_path / "b" / "笔记.md"
    shutil.copy(first, twin)
    same = cli("notes", "import", str(first), str(twin))
    assert same.exit_code == 2 and "same deck id" in same.stderr


def test_a_deck_id_used_by_another_registered_deck_is_refused_in_dry_runs_too(cli, deck_dir):
    for extra in ([], ["--dry-run"]):
        taken = cli("notes", "import", str(NOTES / "explicit.md"), "--deck", "basics", *extra)
        assert taken.exit_code == 2
        assert "deck id 'basics' is already used by" in taken.stderr


# ---------------------------------------------------------------- --explain


def test_explain_names_the_rule_and_the_notes_line_of_every_card(cli, notes_home):
    path = NOTES / "多层感知机.md"
    result = cli("notes", "import", str(path), "--dry-run", "--explain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "多层感知机.md:16  rule list-explained" in out
    assert "from line 16: - VS 线性回归" in out
    assert "rule term-definition" in out and "from line 59: - 权重衰减（weight decay）" in out
    assert "Rules:" in out and "list-explained: a bullet explained by its sub-bullets" in out
    # what was not made, and why
    assert "proposals not made" in out and "the front is a picture caption" in out
    lines = path.read_text(encoding="utf-8").split("\n")
    shown = [ln for ln in out.split("\n") if ln.startswith("多层感知机.md:")]
    assert shown and all("rule " in ln for ln in shown)
    for ln in out.split("\n"):
        if ln.strip().startswith("from line "):
            number, source = ln.strip()[len("from line "):].split(": ", 1)
            assert lines[int(number) - 1].strip().startswith(source.rstrip("…")[:20])


def test_explain_needs_dry_run(cli, notes_home):
    result = cli("notes", "import", str(NOTES / "structure.md"), "--explain")
    assert result.exit_code == 2 and "--explain goes with --dry-run" in result.stderr


# ---------------------------------------------------------------- chapters


def test_a_deck_takes_the_chapter_its_notes_are_about(cli, notes_home, db):
    result = cli("notes", "import", str(NOTES / "obsidian-卷积.md"))
    assert result.exit_code == 0, result.output
    assert "chapter 6 (a heading names chapter 6)" in result.stdout
    assert {r["chapter"] for r in db().query("select distinct chapter from cards where active = 1")} == {6}


def test_notes_about_no_single_chapter_are_your_notes_not_set_up(cli, notes_home, db, tmp_path):
    mixed = tmp_path / "复习.md"
    mixed.write_text("# 复习\n\n- 张量：多维数组\n- 卷积层：用卷积核提取局部特征\n- 注意力：按相似度给值加权\n", encoding="utf-8")
    result = cli("notes", "import", str(mixed))
    assert result.exit_code == 0, result.output
    assert "no chapter: your own notes" in result.stdout
    deck = parse_deck((notes_home / "decks" / f"{deck_id_for('复习')}.md").read_text(encoding="utf-8"), "d.md")
    assert deck.problems == [] and deck.chapter is None
    assert {r["chapter"] for r in db().query("select chapter from cards where active = 1")} == {None}
    quiz = cli("quiz", "--limit", "1", input="\nq\n")
    assert "your notes" in quiz.stdout and "set-up" not in quiz.stdout
    # --chapter still files them where the learner says
    again = cli("notes", "import", str(mixed), "--chapter", "2")
    assert again.exit_code == 0 and "chapter 2 (--chapter)" in again.stdout
    assert {r["chapter"] for r in db().query("select chapter from cards where active = 1")} == {2}


def test_the_deck_ids_in_the_docs_are_the_ones_made():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "interop.md").read_text(encoding="utf-8")
    for stem in ("线性回归", "多层感知机", "d2l笔记"):
        assert f"`{stem}.md` → `{deck_id_for(stem)}`" in doc
