"""``learndl quiz``: the daily review, one key at a time.

With a terminal, keys are read one at a time (no Enter needed). Without one (a pipe, a script), one
key per line is read from stdin: an empty line reveals, then ``1``-``4``, ``u``, ``s``, ``b`` or
``q``; the end of input quits. Every answer is committed before the next card is shown.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from ..context import get_app
from ..errors import UserError

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLES = {1: "red", 2: "yellow", 3: "green", 4: "blue"}


class Keys:
    """Single keys from a terminal, or one key per line from a pipe."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty()

    @contextmanager
    def active(self):
        if not self.tty:
            yield self
            return
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield self
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def read(self) -> str:
        if self.tty:
            ch = os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")
            if ch in ("", "\x04"):
                return "q"
            if ch == "\x1b":  # an escape sequence (arrow keys): ignore it
                return ""
            if ch in (" ", "\r", "\n"):
                return "reveal"
            return ch.lower()
        line = sys.stdin.readline()
        if line == "":
            return "q"
        line = line.strip()
        return "reveal" if line in ("", " ") else line[:1].lower()


def _editor(settings) -> list[str]:
    command = settings.editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def open_in_editor(settings, path: str, line: int) -> None:
    cmd = _editor(settings)
    try:
        subprocess.call([*cmd, f"+{line}", path])
    except OSError as exc:
        raise UserError(f"cannot start the editor {cmd[0]!r}: {exc.strerror or exc} (set $EDITOR)") from None


def _intervals_line(intervals) -> Text:
    text = Text()
    for rating, label in RATING_NAMES.items():
        text.append(f" {rating} ", style=f"bold reverse {RATING_STYLES[rating]}")
        text.append(f" {label} ", style=RATING_STYLES[rating])
        text.append(f"{intervals[rating]}   ", style="dim")
    return text


def _progress(session) -> Table:
    left = session.remaining()
    todo = left["learning"] + left["review"] + left["new"]
    total = session.answered + todo
    grid = Table.grid(padding=(0, 1))
    grid.add_row(
        ProgressBar(total=max(total, 1), completed=session.answered, width=30),
        Text(f"{session.answered}/{total}", style="bold"),
        Text(f"new {left['new']} · learning {left['learning']} · review {left['review']}", style="dim"),
    )
    return grid


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _when(ts, now) -> str:
    from ..scheduler import format_interval

    if ts is None:
        return "nothing scheduled"
    local = ts.astimezone()
    return f"in {format_interval(ts - now)} ({local:%Y-%m-%d %H:%M})"


def run_quiz(app, options, console: Console) -> int:
    from ..decks import sync
    from ..review import Session, check_options

    db = app.db
    result = sync(db, app.settings, app.now())
    err = Console(stderr=True)
    if result.problems:
        for problem in result.problems[:3]:
            err.print(Text(f"warning: {problem}", style="yellow"))
        if len(result.problems) > 3:
            err.print(Text(f"… and {len(result.problems) - 3} more problems (learndl decks validate)", style="yellow"))
    check_options(db, options)
    titles = {row["id"]: row["title"] for row in result.decks}
    session = Session(db, app.settings, app.now, options)
    keys = Keys()
    pending = None
    quit_early = False
    from ..render import card_panel

    try:
        with keys.active():
            while True:
                card = pending or session.next_card()
                pending = None
                if card is None:
                    break
                session.shown(card)
                started = time.monotonic()
                if keys.tty:
                    console.clear()
                console.print(_progress(session))
                console.print(card_panel(card, titles, revealed=False))
                console.print(Text(" space reveal · u undo · s suspend · b bury · e edit · q quit", style="dim"))
                action = None
                while action is None:
                    key = keys.read()
                    if key in ("reveal", "1", "2", "3", "4"):
                        action = "reveal"
                        preset = key if key != "reveal" else None
                    elif key in ("u", "s", "b", "e", "q"):
                        action = key
                if action == "q":
                    quit_early = True
                    break
                if action == "u":
                    pending = session.undo()
                    if pending is None:
                        console.print(Text("Nothing to undo.", style="dim"))
                        pending = card
                    else:
                        console.print(Text("Undone: the last answer is taken back.", style="magenta"))
                    continue
                if action == "s":
                    session.suspend(card)
                    console.print(Text("Suspended. (u to undo)", style="magenta"))
                    continue
                if action == "b":
                    session.bury(card)
                    console.print(Text("Buried until tomorrow. (u to undo)", style="magenta"))
                    continue
                if action == "e":
                    pending = _edit(app, db, card, console)
                    continue
                intervals = session.intervals(card)
                if keys.tty:
                    console.clear()
                    console.print(_progress(session))
                console.print(card_panel(card, titles, revealed=True))
                console.print(_intervals_line(intervals))
                rating = int(preset) if preset else None
                while rating is None:
                    key = keys.read()
                    if key in ("1", "2", "3", "4"):
                        rating = int(key)
                    elif key in ("u", "s", "b", "e", "q"):
                        break
                if rating is None:
                    if key == "q":
                        quit_early = True
                        break
                    if key == "u":
                        pending = session.undo() or card
                        console.print(Text("Undone: the last answer is taken back.", style="magenta"))
                    elif key == "s":
                        session.suspend(card)
                        console.print(Text("Suspended. (u to undo)", style="magenta"))
                    elif key == "b":
                        session.bury(card)
                        console.print(Text("Buried until tomorrow. (u to undo)", style="magenta"))
                    elif key == "e":
                        pending = _edit(app, db, card, console)
                    continue
                duration_ms = int((time.monotonic() - started) * 1000)
                outcome = session.answer(card, rating, duration_ms)
                console.print(
                    Text(f"→ {RATING_NAMES[rating]}: next in {intervals[rating]}", style=RATING_STYLES[rating])
                )
                if outcome.leech:
                    console.print(
                        Text(
                            f"Leech: this card has lapsed {outcome.memory.lapses} times, so it is suspended. "
                            f"Rewrite it ({card['path']}:{card['line']}) and unsuspend it with learndl decks unsuspend.",
                            style="bold red",
                        )
                    )
    except KeyboardInterrupt:  # Ctrl-C: every answer given is already committed
        quit_early = True
    _summary(app, session, console, quit_early)
    return 0


def _edit(app, db, card, console):
    from ..decks import sync
    from ..store import cards as store

    open_in_editor(app.settings, card["path"], card["line"])
    sync(db, app.settings, app.now())
    fresh = store.get_card(db, card["id"])
    if fresh and fresh["active"]:
        console.print(Text("Card reloaded from the file.", style="magenta"))
        return fresh
    console.print(Text("The card changed identity or was removed; moving on.", style="magenta"))
    return None


def _summary(app, session, console: Console, quit_early: bool) -> None:
    from ..store import exercises_due

    info = session.summary()
    now = app.now()
    console.print()
    if info["cards"] == 0 and not quit_early:
        console.print(Text.assemble(("Nothing due now. ", "bold green"), f"Next card {_when(info['next_due'], now)}."))
    else:
        head = "Session saved" if quit_early else "Done for now"
        cards = f"{info['cards']} card{'s' if info['cards'] != 1 else ''}"
        console.print(
            Text.assemble(
                (f"{head}: ", "bold green"),
                f"{cards} · again {info['again_rate']:.0%} · {_duration(info['seconds'])} · "
                f"next due {_when(info['next_due'], now)}",
            )
        )
    due = exercises_due(app.db, now)
    if due:
        console.print(
            Text.assemble(("Exercises due for re-drill: ", "bold yellow"), ", ".join(due) + f"  (learndl exercise {due[0]})")
        )


def register(app: typer.Typer) -> None:
    @app.command()
    def quiz(
        ctx: typer.Context,
        deck: Annotated[Optional[list[str]], typer.Option("--deck", "-d", help="Only this deck id (repeatable).")] = None,
        chapter: Annotated[Optional[list[int]], typer.Option("--chapter", "-c", help="Only this chapter (repeatable).")] = None,
        tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).")] = None,
        limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="Stop after this many answers.")] = None,
        ahead: Annotated[float, typer.Option("--ahead", help="Review cards due within this many days early.")] = 0.0,
    ) -> None:
        """Review the cards due today: space reveals, 1-4 rate, u undoes, q quits."""
        from ..review import QueueOptions

        app_ = get_app(ctx)
        options = QueueOptions(decks=deck or [], chapters=chapter or [], tags=tag or [], limit=limit, ahead_days=ahead)
        console = Console(highlight=False)
        raise typer.Exit(run_quiz(app_, options, console))
