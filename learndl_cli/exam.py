"""``learndl exam``: a timed self-assessment over cards the learner has seen, and an exercise.

- **Drawing** (``draw_cards``): seen, unsuspended, active cards, one per note (a sibling would give
  the answer away), taken round-robin across chapters so the exam mixes them, then shuffled. The
  exercise (``pick_exercise``) comes from the exam's chapters, preferring one not passed yet.
- **Type-in or self-graded** (``accepted_answers``): a cloze card, or a card whose answer is one
  short line without maths or code, is typed in and compared after ``normalize`` (Unicode width,
  case, whitespace and punctuation do not matter; for ``X (Y)`` answers, X or Y alone is enough).
  Other cards are revealed and self-graded (y/n).
- **Timer**: ``clock`` is injected (``time.monotonic`` in the CLI); an answer given after the time
  is up does not count, and items not reached count as wrong.
- **Result**: a score per chapter, compared with the previous exam that covered the chapter; the
  exam is stored (``exams``, ``exam_items``). FSRS schedules change only with ``count_reviews``,
  and then through the quiz's own code path (``review.Session.answer``).

Input is one answer per line (a terminal or a script alike); the end of input ends the exam.
"""

from __future__ import annotations

import random
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import UserError
from .typein import accepted_answers, is_correct

MAX_EXERCISES = 3


# ---------------------------------------------------------------- drawing


@dataclass
class Item:
    kind: str  # card | exercise
    item: str  # card id or exercise name
    chapter: int | None
    mode: str  # typed | self | exercise
    card: dict | None = None
    accepted: list[str] | None = None
    exercise: object | None = None
    answer: str = ""
    correct: bool = False
    answered: bool = False
    duration_ms: int = 0

    def to_row(self) -> dict:
        return {
            "kind": self.kind, "item": self.item, "chapter": self.chapter, "mode": self.mode,
            "answer": self.answer, "correct": self.correct, "answered": self.answered, "duration_ms": self.duration_ms,
        }


def draw_cards(cards: list[dict], n: int, rng: random.Random) -> list[dict]:
    """Up to ``n`` cards, one per note, mixed across chapters (round-robin), in random order."""
    by_note: dict = {}
    shuffled = list(cards)
    rng.shuffle(shuffled)
    for card in shuffled:
        if card.get("suspended"):
            continue
        kept = by_note.get(card["note_id"])
        # Of a note's siblings, prefer one that can be typed in.
        if kept is None or (accepted_answers(card) and not accepted_answers(kept)):
            by_note[card["note_id"]] = card
    picked = list(by_note.values())
    rng.shuffle(picked)  # a note with siblings is met early in ``shuffled``: reshuffle, or it is rarely drawn
    by_chapter: dict = {}
    for card in picked:
        by_chapter.setdefault(card["chapter"], []).append(card)
    chapters = sorted(by_chapter, key=lambda c: (c is None, c or 0))
    rng.shuffle(chapters)
    drawn: list[dict] = []
    while len(drawn) < n and any(by_chapter.values()):
        for ch in chapters:
            if by_chapter[ch] and len(drawn) < n:
                drawn.append(by_chapter[ch].pop())
    rng.shuffle(drawn)
    return drawn


def pick_exercise(exercises: list, chapters: set, passed: set[str], rng: random.Random):
    """An exercise from the exam's chapters (any chapter when none has one), not passed yet if any."""
    pool = [e for e in exercises if e.chapter in chapters] or list(exercises)
    if not pool:
        return None
    fresh = [e for e in pool if e.name not in passed]
    return rng.choice(fresh or pool)


def make_items(cards: list[dict], exercises: list) -> list[Item]:
    items = []
    for card in cards:
        accepted = accepted_answers(card)
        items.append(Item("card", card["id"], card["chapter"], "typed" if accepted else "self", card=card, accepted=accepted))
    for ex in exercises:
        items.append(Item("exercise", ex.name, ex.chapter, "exercise", exercise=ex))
    return items


def score(items: list[Item]) -> dict:
    """Overall and per-chapter ``{"items", "correct", "score"}``; unanswered items count as wrong."""
    per: dict = {}
    for it in items:
        s = per.setdefault(it.chapter, {"items": 0, "correct": 0})
        s["items"] += 1
        s["correct"] += int(it.correct)
    for s in per.values():
        s["score"] = s["correct"] / s["items"]
    total = len(items)
    correct = sum(int(it.correct) for it in items)
    return {"items": total, "correct": correct, "score": correct / total if total else 0.0, "chapters": per}


# ---------------------------------------------------------------- running it


@dataclass
class ExamOptions:
    chapter: int | None = None
    cards: int = 20
    exercises: int = 1
    minutes: float = 30.0
    count_reviews: bool = False
    seed: int | None = None


def check_options(opts: ExamOptions) -> None:
    if opts.cards < 0:
        raise UserError("--cards must be 0 or more")
    if not 0 <= opts.exercises <= MAX_EXERCISES:
        raise UserError(f"--exercises must be from 0 to {MAX_EXERCISES}")
    if opts.cards == 0 and opts.exercises == 0:
        raise UserError("an exam needs something to ask: --cards or --exercises must be more than 0")
    if not 0 < opts.minutes <= 600:
        raise UserError("--minutes must be more than 0 and at most 600")


class ScriptedKeys:
    """Keys from a function that returns one line per call (tests): the same rules as ``keys.Keys``
    without a terminal (an empty line is Enter, else the line's first character is the key)."""

    tty = False

    def __init__(self, read_line: Callable[[], str | None]):
        self._read_line = read_line

    @contextmanager
    def active(self):
        yield self

    def read(self) -> str:
        from .keys import REVEAL

        line = self._read_line()
        if line is None:
            return "q"
        line = line.strip()
        return REVEAL if not line else line[:1].lower()

    def line(self) -> str | None:
        return self._read_line()


@dataclass
class Exam:
    """One exam in progress: its items, its clock and its deadline."""

    items: list[Item]
    minutes: float
    clock: Callable[[], float] = time.monotonic
    started_at: float = field(default=0.0)
    timed_out: bool = False

    def __post_init__(self):
        self.started_at = self.clock()

    @property
    def deadline(self) -> float:
        return self.started_at + self.minutes * 60

    def left(self) -> float:
        return self.deadline - self.clock()

    def out_of_time(self) -> bool:
        if self.left() <= 0:
            self.timed_out = True
        return self.timed_out

    def record(self, item: Item, answer: str, correct: bool, t0: float) -> bool:
        """Record an answer; one given after the deadline does not count. Returns whether it counted."""
        item.duration_ms = int((self.clock() - t0) * 1000)
        if self.out_of_time():
            return False
        item.answer, item.correct, item.answered = answer, correct, True
        return True


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass
class Plan:
    """What an exam will ask: drawn from a seed, so the same seed draws the same exam."""

    items: list[Item]
    seed: int
    exercises: list


def plan_exam(db, opts: ExamOptions, now, exercises_all: list) -> Plan:
    """Draw the exam's cards and exercises (or one clear error when there is nothing to ask)."""
    from .store import reports as store
    from .store.cards import known_chapters

    check_options(opts)
    if opts.chapter is not None and opts.chapter not in known_chapters(db) | {e.chapter for e in exercises_all}:
        raise UserError(f"unknown chapter {opts.chapter} (see learndl decks list)")
    seed = opts.seed if opts.seed is not None else int(now.timestamp()) % (2**31)
    rng = random.Random(seed)
    seen = store.seen_cards(db, opts.chapter)
    if opts.cards and not seen:
        where = f" in chapter {opts.chapter}" if opts.chapter is not None else ""
        hint = f"learndl quiz --chapter {opts.chapter}" if opts.chapter is not None else "learndl quiz"
        raise UserError(f"no cards seen{where} yet: an exam draws from cards you have reviewed (start with {hint})")
    cards = draw_cards(seen, opts.cards, rng)
    chapters = {c["chapter"] for c in cards} if opts.chapter is None else {opts.chapter}
    passed = set(store.passed_exercises(db))
    picked: list = []
    pool = [e for e in exercises_all if opts.chapter is None or e.chapter == opts.chapter]
    for _ in range(opts.exercises):
        ex = pick_exercise([e for e in pool if e not in picked], chapters, passed, rng)
        if ex is not None:
            picked.append(ex)
    items = make_items(cards, picked)
    if not items:
        raise UserError("nothing to ask: no seen cards and no exercise for this exam")
    return Plan(items, seed, picked)


def run_exam(app, opts: ExamOptions, console, read_line=None, clock: Callable[[], float] = time.monotonic) -> dict | None:
    """Draw, ask, score, store and show an exam; returns the stored exam's summary, or None when
    the exam ended before any answer (then nothing is recorded).

    Keys work as in the quiz (``keys.Keys``): single keys with a terminal, one per line without;
    typed answers are read as a whole line. ``read_line`` replaces stdin (tests)."""
    from rich.panel import Panel
    from rich.text import Text

    from .keys import Keys
    from .render import card_panel, plain_text
    from .report.data import exam_history, load_exercises
    from .scheduler import iso
    from .store import reports as store
    from .store.cards import deck_rows

    keys = ScriptedKeys(read_line) if read_line is not None else Keys()
    db = app.db
    now = app.now()
    plan = plan_exam(db, opts, now, load_exercises())
    items, seed, picked = plan.items, plan.seed, plan.exercises
    exam_id = store.next_exam_id(db)
    titles = {row["id"]: row["title"] for row in deck_rows(db)}
    exam = Exam(items, opts.minutes, clock)
    session = None
    if opts.count_reviews:
        from .review import Session

        session = Session(db, app.settings, app.now)

    typed = sum(1 for it in items if it.mode == "typed")
    console.print(
        Panel(
            Text.assemble(
                (f"Exam {exam_id}", "bold"),
                f": {len([i for i in items if i.kind == 'card'])} cards ({typed} typed in, the rest self-graded)"
                f"{f', {len(picked)} exercise' + ('s' if len(picked) != 1 else '') if picked else ''} · "
                f"{opts.minutes:g} minutes\n",
                ("Type the answer and press Enter; for self-graded cards Space or Enter reveals, then y or n. "
                 "q ends the exam (before any answer, nothing is recorded).", "dim"),
                ("\nFSRS schedules are not changed." if not opts.count_reviews else "\nAnswers are recorded as reviews (--count-reviews)."),
            ),
            border_style="magenta",
            expand=False,
        )
    )
    quit_early = False
    with keys.active():
        for n, item in enumerate(items, 1):
            if exam.out_of_time():
                break
            console.print()
            console.print(Text(f"{n}/{len(items)} · time left {_clock_text(exam.left())}", style="bold magenta"))
            t0 = clock()
            if item.kind == "card":
                console.print(card_panel(item.card, titles, revealed=False))
                if item.mode == "typed":
                    reply = keys.line()
                    if reply is None or reply.strip().lower() == "q":
                        quit_early = True
                        break
                    ok = is_correct(reply, item.accepted)
                    if exam.record(item, reply, ok, t0):
                        if ok:
                            console.print(Text("✓ correct", style="bold green"))
                        else:
                            console.print(Text("✗ ", style="bold red"), Text(f"the answer: {plain_text(item.accepted[0]).replace('`', '')}"))
                else:
                    console.print(Text("Space or Enter reveals · q ends the exam", style="dim"))
                    key = keys.read()  # any key but q reveals
                    if key == "q":
                        quit_early = True
                        break
                    console.print(card_panel(item.card, titles, revealed=True))
                    console.print(Text("Did you know it? y/n", style="dim"))
                    verdict = None
                    while verdict is None:
                        key = keys.read()
                        if key == "q":
                            break
                        if key in ("y", "n"):
                            verdict = key == "y"
                    if verdict is None:
                        quit_early = True
                        break
                    exam.record(item, "y" if verdict else "n", verdict, t0)
                if item.answered and session is not None:
                    session.answer(item.card, 3 if item.correct else 1, item.duration_ms)
            else:
                outcome = _exercise_item(app, item, exam, exam_id, console, keys, t0)
                if outcome == "quit":
                    quit_early = True
                    break
            if exam.timed_out:
                break
    if not any(it.answered for it in items) and not exam.timed_out:
        console.print(Text("\nExam ended before any answer: nothing is recorded.", style="yellow"))
        _show_due(app, opts, console)
        return None
    if exam.timed_out:
        console.print(Text("\nTime is up.", style="bold red"))
    elif quit_early:
        console.print(Text("\nExam ended early; the items not answered count as wrong.", style="yellow"))

    result = score(items)
    finished = app.now()
    seconds = int(max(0.0, min(clock() - exam.started_at, opts.minutes * 60)))
    exam_row = {
        "started": iso(now), "finished": iso(finished), "chapter": opts.chapter, "minutes": opts.minutes,
        "seconds": seconds, "timed_out": exam.timed_out, "count_reviews": opts.count_reviews, "seed": seed,
        "items": result["items"], "correct": result["correct"], "score": round(result["score"], 4),
    }
    stored_id = store.save_exam(db, exam_row, [it.to_row() for it in items])
    history = exam_history(db, limit=1)
    summary = history[0] if history and history[0]["id"] == stored_id else {"id": stored_id, **exam_row, "chapters": []}
    _show_result(summary, console)
    _show_due(app, opts, console)
    return summary


def _show_due(app, opts: ExamOptions, console) -> None:
    """What is due today in the exam's chapters, as every command counts it (``store/due.py``)."""
    from rich.text import Text

    from .store.cards import queue_filters
    from .store.due import due

    d = due(app.db, app.settings, app.now(), queue_filters(None, [opts.chapter] if opts.chapter is not None else None, None))
    t = d.today
    if t.total:
        chapter = f" --chapter {opts.chapter}" if opts.chapter is not None else ""
        console.print(
            Text(
                f"Due today{f' in chapter {opts.chapter}' if chapter else ''}: {t.total} cards "
                f"(learning {t.learning} · review {t.review} · new {t.new}): learndl quiz{chapter}",
                style="cyan",
            )
        )


def _exercise_item(app, item: Item, exam: Exam, exam_id: int, console, keys, t0: float) -> str:
    """Copy the starter into the exam's workspace, show the statement, then grade the file each
    time the learner presses Enter."""
    from rich.markdown import Markdown
    from rich.text import Text

    from .keys import REVEAL

    ex = item.exercise
    folder = app.settings.workspace_dir(app.home) / "exams" / f"exam-{exam_id}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ex.file
    shutil.copyfile(ex.starter_path, path)
    console.print(Text(f"Exercise: {ex.title} (chapter {ex.chapter}, {ex.name})", style="bold"))
    console.print(Markdown(ex.statement(), code_theme="ansi_dark"))
    console.print(Text(f"Solve it in {path}", style="bold cyan"))
    while True:
        console.print(Text("Enter grades it · s gives up on it · q ends the exam", style="dim"))
        key = keys.read()
        if key == "q":
            return "quit"
        if key == "s":
            exam.record(item, "skipped", False, t0)
            return "skipped"
        if key != REVEAL:
            continue
        if exam.out_of_time():
            return "timeout"
        result = grade_file(ex, path)
        verdict = result.status
        if exam.record(item, verdict, result.passed, t0):
            if result.passed:
                console.print(Text("✓ passed", style="bold green"))
                return "passed"
            problem = result.first_problem()
            console.print(Text(f"✗ {verdict}: {problem.message if problem else ''}", style="red"))
            item.answered = True
        else:
            return "timeout"


def grade_file(exercise, path: Path):
    """Grade with the grader's public entry point (imports torch: only here)."""
    from .grader.runner import grade

    return grade(exercise, path, device="cpu")


def _show_result(summary: dict, console) -> None:
    from rich.table import Table
    from rich.text import Text

    def pct(x):
        return "–" if x is None else f"{x * 100:.0f}%"

    console.print()
    console.print(Text(f"Exam {summary['id']}: {summary['correct']}/{summary['items']} · {pct(summary['score'])}", style="bold"))
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("chapter", justify="right")
    table.add_column("correct", justify="right")
    table.add_column("score", justify="right")
    table.add_column("previous", justify="right")
    table.add_column("change", justify="right")
    for c in summary.get("chapters", []):
        delta = c["delta"]
        change = Text("–", style="dim") if delta is None else Text(
            f"{'+' if delta > 0 else ''}{delta * 100:.0f}", style="green" if delta > 0 else "red" if delta < 0 else ""
        )
        table.add_row(str(c["chapter"]), f"{c['correct']}/{c['items']}", pct(c["score"]), pct(c["previous"]), change)
    console.print(table)
    console.print(Text("Stored; learndl report shows your exams.", style="dim"))


__all__ = ["Exam", "ExamOptions", "Item", "draw_cards", "pick_exercise", "run_exam", "score"]
