"""``learndl exam``: drawing, type-in answers, self-grading, the timer, scoring per chapter, storage,
comparison with earlier exams, and FSRS untouched unless ``--count-reviews``."""

from __future__ import annotations

import io
import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from learndl_cli.exam import Exam, Item, draw_cards, score
from learndl_cli.typein import accepted_answers, cloze_answer, is_correct, normalize

ROOT = Path(__file__).resolve().parent.parent

def fixture_cards() -> list[dict]:
    from learndl_cli.deckparse import parse_deck

    deck = parse_deck((ROOT / "tests/fixtures/decks/basics.md").read_text(encoding="utf-8"))
    return [{"kind": c.kind, "ordinal": c.ordinal, "front": c.front, "back": c.back} for c in deck.cards]


def rows(home: Path, sql: str, args=()) -> list[dict]:
    conn = sqlite3.connect(home / "learndl.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    "a, b",
    [
        ("Number of Elements。", "number of elements"),
        ("ｎｕｍｂｅｒ ｏｆ ｅｌｅｍｅｎｔｓ", "number of elements"),
        ("  number   of\telements!", "number of elements"),
        ("暂退法。", "暂退法"),
        ("`numel()`", "numel"),
    ],
)
def test_normalize_ignores_case_width_whitespace_punctuation(a, b):
    assert normalize(a) == normalize(b)


def test_normalize_keeps_what_matters():
    assert normalize("1") != normalize("l")
    assert normalize("x+y") != normalize("xy")


def test_which_fixture_cards_are_typed_in():
    cards = {(c["kind"], c["ordinal"], c["front"][:12]): c for c in fixture_cards()}
    typed = {key: accepted_answers(c) for key, c in cards.items() if accepted_answers(c)}
    by_answer = {tuple(v) for v in typed.values()}
    # numel (a short Q/A), the reverse of dropout, and the cloze "1" are typed in;
    # the maths cloze, a sentence-long answer and the code answer are self-graded.
    assert ("元素的总数 (number of elements)。", "元素的总数", "number of elements") in by_answer
    assert ("暂退法 (dropout)", "暂退法", "dropout") in by_answer
    assert ("1",) in by_answer
    assert len(typed) == 3


def test_cloze_answer_is_the_hidden_text():
    clozes = [c for c in fixture_cards() if c["kind"] == "cloze"]
    answers = {c["ordinal"]: cloze_answer(c) for c in clozes}
    assert answers["c2"] == "1"
    assert answers["c1"].startswith("$\\frac")
    assert accepted_answers(next(c for c in clozes if c["ordinal"] == "c1")) is None  # maths: self-graded


def test_is_correct_accepts_either_half_of_a_bilingual_answer():
    accepted = ["元素的总数 (number of elements)。", "元素的总数", "number of elements"]
    assert is_correct("Number of elements", accepted)
    assert is_correct("元素的总数", accepted)
    assert is_correct("元素的总数（number of elements）", accepted)
    assert not is_correct("elements", accepted)
    assert not is_correct("", accepted)


# ---------------------------------------------------------------- drawing and scoring


def synthetic_cards() -> list[dict]:
    cards = []
    for ch, n in ((2, 12), (3, 3), (4, 1)):
        for i in range(n):
            cards.append({"id": f"{ch}-{i}", "note_id": f"{ch}-{i // 2}", "chapter": ch, "suspended": 0})
    cards.append({"id": "s", "note_id": "s", "chapter": 4, "suspended": 1})
    return cards


def test_draw_one_card_per_note_mixed_across_chapters():
    drawn = draw_cards(synthetic_cards(), 6, random.Random(7))
    assert len(drawn) == 6
    assert len({c["note_id"] for c in drawn}) == 6
    chapters = [c["chapter"] for c in drawn]
    # Round-robin: chapter 4 (one card) and chapter 3 (two notes) are both in, not just chapter 2.
    assert chapters.count(4) == 1 and chapters.count(3) == 2 and chapters.count(2) == 3
    assert all(not c["suspended"] for c in drawn)
    assert draw_cards(synthetic_cards(), 6, random.Random(7)) == drawn  # a seed repeats an exam


def test_draw_never_more_than_there_is():
    assert len(draw_cards(synthetic_cards(), 50, random.Random(1))) == 6 + 2 + 1


def test_score_per_chapter_counts_unanswered_as_wrong():
    items = [
        Item("card", "a", 2, "typed", correct=True, answered=True),
        Item("card", "b", 2, "self", correct=False, answered=True),
        Item("card", "c", 3, "self", correct=True, answered=True),
        Item("exercise", "softmax", 3, "exercise"),  # never reached
    ]
    s = score(items)
    assert (s["items"], s["correct"]) == (4, 2)
    assert s["chapters"][2] == {"items": 2, "correct": 1, "score": 0.5}
    assert s["chapters"][3] == {"items": 2, "correct": 1, "score": 0.5}


def test_timer_refuses_answers_after_the_deadline():
    t = [0.0]
    exam = Exam([Item("card", "a", 2, "typed"), Item("card", "b", 2, "typed")], minutes=1, clock=lambda: t[0])
    first, second = exam.items
    t[0] = 30
    assert exam.record(first, "x", True, 0.0) and first.answered
    t[0] = 61
    assert not exam.record(second, "x", True, 30.0)
    assert not second.answered and not second.correct and exam.timed_out


# ---------------------------------------------------------------- end to end


@pytest.fixture
def studied(cli, deck_dir, db):
    """One day of quiz: every card answered Good (siblings wait, so 5 cards are seen)."""
    result = cli("quiz", input="\n3\n" * 20 + "q\n", now="2026-03-01T09:00:00+00:00")
    assert result.exit_code == 0
    return db


def planned(home: Path, **options) -> list:
    """The items an exam with these options (and its ``seed``) will ask, drawn as ``learndl exam`` does."""
    from learndl_cli.context import App
    from learndl_cli.exam import ExamOptions, plan_exam
    from learndl_cli.report.data import load_exercises

    app = App(home=home)
    try:
        return plan_exam(app.db, ExamOptions(**options), app.now(), load_exercises()).items
    finally:
        app.close()


def script_for(home: Path, wrong: set[int] = frozenset(), **options) -> str:
    """Answer every item of the exam these options draw: the right typed answer (or a wrong one at
    positions in ``wrong``, counted from 1); Enter then y (or n) for self-graded cards."""
    lines = []
    for position, it in enumerate(planned(home, **options), 1):
        if it.mode == "typed":
            front = it.card["front"]
            if "numel" in front:
                answer = "Number of elements"
            elif "{{" in front or "[…]" in front:
                answer = "1"
            else:
                answer = "Dropout"
            lines.append("nonsense" if position in wrong else answer)
        else:
            lines += ["", "n" if position in wrong else "y"]
    return "\n".join(lines) + "\n"


EXAM = dict(cards=5, exercises=0, seed=3)
EXAM_ARGS = ["--cards", "5", "--exercises", "0", "--seed", "3"]
ALL = set(range(1, 6))


def test_quitting_before_any_answer_records_nothing(cli, studied, home):
    for script in ("", "q\n"):
        result = cli("exam", *EXAM_ARGS, input=script)
        assert result.exit_code == 0, result.output
        assert "nothing is recorded" in result.output
    assert rows(home, "select * from exams") == [] and rows(home, "select * from exam_items") == []
    assert "Exams" not in cli("report").output


def test_exam_end_to_end_scores_stores_and_leaves_fsrs_alone(cli, studied, home):
    before_cards = rows(home, "select id, state, due, stability, reps from cards order by id")
    before_reviews = len(rows(home, "select id from reviews"))
    drawn = planned(home, **EXAM)
    assert len(drawn) == 5 and {d.mode for d in drawn} == {"typed", "self"}
    assert len({d.item for d in drawn}) == 5
    first = cli("exam", *EXAM_ARGS, input=script_for(home, wrong=ALL, **EXAM))
    assert first.exit_code == 0, first.output
    assert rows(home, "select correct, score from exams where id = 1") == [{"correct": 0, "score": 0.0}]

    result = cli("exam", *EXAM_ARGS, input=script_for(home, **EXAM))
    assert result.exit_code == 0, result.output
    assert "✓ correct" in result.output
    again = rows(home, "select * from exam_items where exam_id = 2 order by position")
    assert [a["item"] for a in again] == [d.item for d in drawn]
    assert all(a["correct"] == 1 and a["answered"] == 1 for a in again)
    exam = rows(home, "select * from exams where id = 2")[0]
    assert (exam["items"], exam["correct"], exam["score"], exam["timed_out"]) == (5, 5, 1.0, 0)
    # Per chapter, compared with the previous exam (0% on chapter 2): +100.
    assert "+100" in result.output
    # FSRS untouched.
    assert rows(home, "select id, state, due, stability, reps from cards order by id") == before_cards
    assert len(rows(home, "select id from reviews")) == before_reviews


def test_count_reviews_records_through_the_quiz_path(cli, studied, home):
    before = len(rows(home, "select id from reviews"))
    reps = {c["id"]: c["reps"] for c in rows(home, "select id, reps from cards")}
    exam = dict(cards=5, exercises=0, seed=4)
    result = cli(
        "exam", "--cards", "5", "--exercises", "0", "--seed", "4", "--count-reviews",
        input=script_for(home, wrong={1, 2}, **exam),
    )
    assert result.exit_code == 0, result.output
    items = rows(home, "select * from exam_items where exam_id = 1 order by position")
    new = rows(home, "select * from reviews order by id")[before:]
    assert [r["card_id"] for r in new] == [i["item"] for i in items]
    assert [r["rating"] for r in new] == [3 if i["correct"] else 1 for i in items]
    assert all(r["kind"] == "review" and r["day"] == "2026-03-02" for r in new)
    assert sum(i["correct"] for i in items) == 3
    after = {c["id"]: c["reps"] for c in rows(home, "select id, reps from cards")}
    assert all(after[i["item"]] == reps[i["item"]] + 1 for i in items)  # one review each, like the quiz
    # Two wrong answers are learning cards again: the exam says what is due today, as status does.
    status = json.loads(cli("status", "--json").output)
    due_today = sum(status["due_today"].values())
    assert f"Due today: {due_today} cards" in result.output


def test_exam_shows_in_the_report(cli, studied, home):
    cli("exam", *EXAM_ARGS, input=script_for(home, wrong=ALL, **EXAM))
    cli("exam", *EXAM_ARGS, input=script_for(home, wrong={1}, **EXAM))
    data = json.loads(cli("report", "--format", "json").output)
    assert [e["id"] for e in data["exams"]] == [2, 1]
    latest = data["exams"][0]
    assert (latest["items"], latest["correct"]) == (5, 4)
    ch2 = latest["chapters"][0]
    assert ch2["chapter"] == 2 and ch2["score"] == 0.8 and ch2["previous"] == 0.0 and ch2["delta"] == 0.8
    assert "Exams" in cli("report").output


def test_timer_ends_the_exam_and_unreached_items_count_as_wrong(cli, studied, home):
    from rich.console import Console

    from learndl_cli.context import App
    from learndl_cli.exam import ExamOptions, run_exam

    t = [0.0]

    def read_line():  # the learner takes 20 s over every line they type
        t[0] += 20
        return "y"

    app = App(home=home)
    try:
        summary = run_exam(
            app, ExamOptions(cards=5, exercises=0, minutes=1.5, seed=3), Console(file=io.StringIO()),
            read_line=read_line, clock=lambda: t[0],
        )
    finally:
        app.close()
    exam = rows(home, "select * from exams")[0]
    items = rows(home, "select * from exam_items order by position")
    assert exam["timed_out"] == 1 and exam["seconds"] == 90
    assert 0 < sum(i["answered"] for i in items) < 5
    assert exam["correct"] == sum(i["correct"] for i in items) == summary["correct"]
    assert exam["items"] == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cards", "-1"], "--cards must be 0 or more"),
        (["--exercises", "9"], "--exercises must be from 0 to 3"),
        (["--minutes", "0"], "--minutes must be more than 0"),
        (["--cards", "0", "--exercises", "0"], "needs something to ask"),
        (["--chapter", "42"], "unknown chapter 42"),
    ],
)
def test_bad_exam_options(cli, deck_dir, args, message):
    cli("status")
    result = cli("exam", *args, input="")
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_exam_before_any_study_says_how_to_start(cli, deck_dir):
    cli("status")
    result = cli("exam", "--exercises", "0", input="")
    assert result.exit_code == 2
    assert "no cards seen yet" in result.output and "learndl quiz" in result.output


def test_exercise_is_solved_from_the_starter_and_graded(cli, deck_dir, home):
    """The exercise part, with the real grader: the untouched starter fails, the solution passes."""
    from rich.console import Console

    from learndl_cli.context import App
    from learndl_cli.exam import ExamOptions, run_exam
    from learndl_cli.report.data import load_exercises

    pytest.importorskip("torch")
    cli("status")
    folder = home / "workspace" / "exams" / "exam-1"
    calls = []

    def read_line():
        calls.append(1)
        if len(calls) == 2:  # after the starter failed: put the reference solution in place
            [path] = folder.glob("*.py")
            ex = next(e for e in load_exercises() if e.chapter == 3 and e.file == path.name)
            shutil.copyfile(ex.solution_path, path)
        return ""

    app = App(home=home)
    try:
        summary = run_exam(
            app, ExamOptions(chapter=3, cards=0, exercises=1, seed=1), Console(file=io.StringIO()),
            read_line=read_line,
        )
    finally:
        app.close()
    items = rows(home, "select * from exam_items")
    assert len(items) == 1 and items[0]["kind"] == "exercise" and items[0]["chapter"] == 3
    assert items[0]["answer"] == "pass" and items[0]["correct"] == 1
    assert len(calls) == 2
    assert summary["correct"] == 1


def test_draw_is_fair_to_notes_with_siblings():
    """A note with two cards must be drawn as often as a note with one (no bias from shuffling)."""
    cards = []
    for i in range(100):
        cards.append({"id": f"s{i}", "note_id": f"single{i}", "chapter": 2, "suspended": 0, "kind": "basic", "front": "q", "back": "a long answer, not typed"})
    for i in range(100):
        for side in ("fwd", "rev"):
            cards.append({"id": f"p{i}{side}", "note_id": f"pair{i}", "chapter": 2, "suspended": 0, "kind": "basic", "front": "q", "back": "a long answer, not typed"})
    drawn = [c for seed in range(300) for c in draw_cards(cards, 10, random.Random(seed))]
    share = sum(1 for c in drawn if c["note_id"].startswith("pair")) / len(drawn)
    assert 0.44 < share < 0.56


def test_quitting_early_stores_the_exam_with_the_rest_wrong(cli, studied, home):
    exam = dict(chapter=2, cards=3, exercises=0, seed=5)
    first = planned(home, **exam)[0]
    answer = script_for(home, **exam).splitlines()[: 1 if first.mode == "typed" else 2]
    result = cli("exam", "--chapter", "2", "--cards", "3", "--exercises", "0", "--seed", "5", input="\n".join(answer) + "\nq\n")
    assert result.exit_code == 0, result.output
    assert "ended early" in result.output
    stored = rows(home, "select * from exams")[0]
    assert (stored["chapter"], stored["items"], stored["correct"], stored["timed_out"]) == (2, 3, 1, 0)
    items = rows(home, "select * from exam_items order by position")
    assert [i["answered"] for i in items] == [1, 0, 0] and all(i["chapter"] == 2 for i in items)


def test_wrong_typed_answer_shows_the_answer(cli, studied, home):
    typed = {i for i, it in enumerate(planned(home, **EXAM), 1) if it.mode == "typed"}
    result = cli("exam", *EXAM_ARGS, input=script_for(home, wrong=typed, **EXAM))
    assert "✗" in result.output and "the answer:" in result.output
    stored = rows(home, "select * from exam_items where exam_id = 1 and mode = 'typed'")
    assert stored and all(i["correct"] == 0 and i["answer"] == "nonsense" for i in stored)


def test_exercise_step_shows_the_statement_in_the_terminal(cli, deck_dir, home):
    """The exam's exercise step renders the README (Markdown) on screen, not a path to it."""
    from learndl_cli.report.data import load_exercises

    cli("status")
    result = cli("exam", "--chapter", "3", "--cards", "0", "--exercises", "1", "--seed", "1", input="q\n")
    assert result.exit_code == 0, result.output
    [item] = planned(home, chapter=3, cards=0, exercises=1, seed=1)
    ex = next(e for e in load_exercises() if e.name == item.item)
    heading = next(line.lstrip("# ").strip() for line in ex.statement().splitlines() if line.startswith("#"))
    assert heading in result.output
    assert "README.md" not in result.output
    assert "nothing is recorded" in result.output


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_normalize_is_idempotent_and_ignores_spacing_and_case(text):
    once = normalize(text)
    assert normalize(once) == once
    assert normalize(" " + text.upper() + "。") == normalize(text.upper())
    assert not any(ch.isspace() for ch in once)
