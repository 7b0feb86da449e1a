"""``learndl report`` (where you stand) and ``learndl exam`` (a timed self-assessment).

Thin on purpose: the numbers come from ``report/data.py`` (SQL in ``store/reports.py``), the
formats from ``report/terminal.py``, ``markdown.py`` and ``html.py``, and the exam from ``exam.py``.
Nothing heavy is imported at the top; torch only in the exam's grading step.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import get_app
from ..errors import UserError

FORMAT_HELP = "terminal (default), markdown, html or json."


def parse_since(value: str | None, today: date) -> date | None:
    if value is None:
        return None
    try:
        since = date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"--since: not a date: {value!r} (use YYYY-MM-DD, e.g. {today.isoformat()})") from None
    if since > today:
        raise UserError(f"--since {since.isoformat()} is in the future (today is {today.isoformat()})")
    return since


def check_chapter(db, chapter: int | None, exercises: list) -> None:
    if chapter is None:
        return
    from ..store.cards import known_chapters

    known = known_chapters(db) | {e.chapter for e in exercises}
    if chapter not in known:
        listed = ", ".join(map(str, sorted(known))) or "none yet (learndl quiz syncs the decks)"
        raise UserError(f"unknown chapter {chapter} (chapters with cards or exercises: {listed})")


def write_out(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    if out.is_dir():
        raise UserError(f"--out {out}: is a folder; give a file name")
    if not out.parent.is_dir():
        raise UserError(f"--out {out}: the folder {out.parent} does not exist")
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {out.resolve()}")


def run_report(app, chapter: int | None, since: str | None, fmt: str, out: Path | None) -> None:
    from ..report import FORMATS
    from ..report.data import Options, gather, load_exercises
    from ..scheduler import study_day

    fmt = (fmt or "terminal").lower()
    if fmt not in FORMATS:
        raise UserError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    now = app.now()
    today = date.fromisoformat(study_day(now, app.settings.day_starts_hour))
    since_d = parse_since(since, today)
    db = app.db
    exercises = load_exercises()
    check_chapter(db, chapter, exercises)
    data = gather(db, app.settings, now, Options(chapter=chapter, since=since_d), exercises)
    if fmt == "json":
        import json

        write_out(json.dumps(data, ensure_ascii=False, indent=2) + "\n", out)
    elif fmt == "markdown":
        from ..report.markdown import render

        write_out(render(data), out)
    elif fmt == "html":
        from ..report.html import render

        write_out(render(data), out)
    else:
        from rich.console import Console

        from ..report.terminal import render

        if out is None:
            render(data, Console(highlight=False))
        else:
            import io

            console = Console(record=True, width=120, highlight=False, file=io.StringIO())
            render(data, console)
            write_out(console.export_text(), out)


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        ctx: typer.Context,
        chapter: Annotated[Optional[int], typer.Option("--chapter", "-c", help="Only this chapter.")] = None,
        since: Annotated[Optional[str], typer.Option("--since", help="Count activity from this study day (YYYY-MM-DD).")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "terminal",
        out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the report to this file.")] = None,
    ) -> None:
        """Where you stand: cards per chapter, true retention, forecast, heatmap, weakest items, next steps."""
        run_report(get_app(ctx), chapter, since, fmt, out)

    @app.command()
    def exam(
        ctx: typer.Context,
        chapter: Annotated[Optional[int], typer.Option("--chapter", "-c", help="Only this chapter.")] = None,
        cards: Annotated[int, typer.Option("--cards", help="How many cards to draw.")] = 20,
        exercises: Annotated[int, typer.Option("--exercises", help="How many exercises to solve (0 to 3).")] = 1,
        minutes: Annotated[float, typer.Option("--minutes", help="Time allowed.")] = 30.0,
        count_reviews: Annotated[
            bool, typer.Option("--count-reviews", help="Also record the answers as reviews (changes FSRS schedules).")
        ] = False,
        seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for drawing the items (repeatable exams).", hidden=True)] = None,
    ) -> None:
        """A timed self-assessment: type-in and self-graded cards, and an exercise; scored per chapter."""
        run_exam(get_app(ctx), chapter=chapter, cards=cards, exercises=exercises, minutes=minutes,
                 count_reviews=count_reviews, seed=seed)


def run_exam(app, **options) -> None:
    from rich.console import Console

    from ..exam import ExamOptions
    from ..exam import run_exam as run

    run(app, ExamOptions(**options), Console(highlight=False))
