"""``learndl quiz``: the daily review, one key at a time.

With a terminal, keys are read one at a time (no Enter needed). Without one (a pipe, a script), one
key per line is read from stdin: an empty line reveals, then ``1``-``4``, ``u``, ``s``, ``b`` or
``q``; the end of input quits (``keys.py``). Every answer is committed before the next card is
shown, and only if no other session answered the card meanwhile (``store.cards.record_review``).

The header counts what is left *today* within the filters (``store/due.py``): learning cards that
come back later today count, so the progress bar is full only when nothing is left.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from ..context import get_app
from ..errors import UserError
from ..keys import REVEAL, Keys

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLES = {1: "red", 2: "yellow", 3: "green", 4: "blue"}
NOTICE = "magenta"
HINT = " space reveal · u undo · s suspend · b bury · e edit · q quit"
TYPE_HINT = " type the answer, then Enter · empty line reveals · a lone u/s/b/e/q is that key"
COMMAND_KEYS = ("u", "s", "b", "e", "q")


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
    """Done against done + left today (learning cards coming back later today count as left), so
    the bar is full only when nothing is left."""
    left = session.remaining()
    todo = left["learning"] + left["review"] + left["new"]
    total = session.answered + todo
    grid = Table.grid(padding=(0, 1))
    grid.add_row(
        ProgressBar(total=max(total, 1), completed=session.answered if total else 1, width=24),
        Text(f"{session.answered}/{total}", style="bold"),
        Text(f"left today: new {left['new']} · learning {left['learning']} · review {left['review']}", style="dim"),
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


class Screen:
    """The quiz's console. In a terminal every card starts on a cleared screen, so what a key did
    (a notice: "Suspended: …", "→ Good: next in 10m") is printed at once and shown again at the top
    of the next screen; without a terminal nothing is cleared and a notice is printed once."""

    def __init__(self, console: Console, tty: bool):
        self.console = console
        self.tty = tty
        self.carried: list[Text] = []

    def print(self, *args, **kwargs) -> None:
        self.console.print(*args, **kwargs)

    def say(self, text: str, style: str = NOTICE) -> None:
        line = Text(text, style=style)
        self.console.print(line)
        if self.tty:
            self.carried.append(line)

    def clear(self, carry: bool = True) -> None:
        """Start a new screen (in a terminal), with the notices carried over when ``carry``."""
        if not self.tty:
            return
        self.console.clear()
        if carry:
            for line in self.carried:
                self.console.print(line)
            self.carried.clear()


def _front(console: Screen, keys: Keys, session, card, titles, type_in: bool) -> Table:
    """Show the card's front under the progress line; returns the progress line (nothing is saved
    until the answer, so the reveal screen shows it again as it is)."""
    from ..render import card_panel

    console.clear()
    header = _progress(session)
    console.print(header)
    console.print(card_panel(card, titles, revealed=False))
    console.print(Text(TYPE_HINT if type_in else HINT, style="dim"))
    return header


def _read_front(keys: Keys, accepted) -> tuple[str, str | None]:
    """The learner's first input on a card: ``(action, detail)`` where action is ``reveal`` (detail:
    a rating key pressed at once, or the typed answer) or one of ``COMMAND_KEYS``."""
    if accepted:
        reply = keys.line()
        if reply is None:
            return "q", None
        word = reply.strip()
        if word.lower() in COMMAND_KEYS:
            return word.lower(), None
        return REVEAL, word or None
    while True:
        key = keys.read()
        if key in (REVEAL, "1", "2", "3", "4"):
            return REVEAL, key if key != REVEAL else None
        if key in COMMAND_KEYS:
            return key, None


def _show_diff(console: Screen, typed: str, accepted) -> None:
    from ..typein import diff

    d = diff(typed, accepted)
    mine = Text(" you typed  ", style="dim")
    for text, ok in d.typed:
        mine.append(text, style="green" if ok else "bold red strike")
    console.print(mine)
    if d.correct:
        console.print(Text(" ✓ right", style="bold green"))
        return
    answer = Text(" the answer ", style="dim")
    for text, ok in d.expected:
        answer.append(text, style="green" if ok else "bold black on yellow")
    console.print(answer)


def _key_action(key: str, app, session, card, console: Screen, keys: Keys):
    """Carry out u, s, b or e on ``card``; one line says what happened. Returns ``(quit, next card)``."""
    from ..store.cards import StaleCard

    if key == "q":
        return True, None
    if key == "u":
        what = session.undo_label()
        try:
            back = session.undo()
        except StaleCard:
            console.say("Cannot undo: that card was answered in another session since; its answers stand.")
            return False, card
        if back is None:
            console.say("Nothing to undo yet: no answer, suspend or bury in this session.")
            return False, card
        console.say(f"Undone: {what}. The card is shown again.")
        return False, back
    if key == "s":
        session.suspend(card)
        console.say("Suspended: this card is not shown until learndl decks unsuspend (u undoes).")
        return False, None
    if key == "b":
        session.bury(card)
        console.say("Buried: this card comes back tomorrow (u undoes).")
        return False, None
    if key == "e":
        return False, _edit(app, app.db, card, console, keys)
    return False, card


def run_quiz(app, options, console: Console, type_in: bool = False) -> int:
    from ..decks import acknowledge, sync
    from ..render import card_panel
    from ..review import Session, check_options
    from ..typein import accepted_answers

    db = app.db
    result = sync(db, app.settings, app.now())
    err = Console(stderr=True)
    if result.problems:
        for problem in result.problems[:3]:
            err.print(Text(f"warning: {problem}", style="yellow"))
        if len(result.problems) > 3:
            err.print(Text(f"… and {len(result.problems) - 3} more problems (learndl decks validate)", style="yellow"))
    for notice in result.notices:
        err.print(Text(notice, style="yellow"))
    acknowledge(db, result)
    check_options(db, options)
    titles = {row["id"]: row["title"] for row in result.decks}
    session = Session(db, app.settings, app.now, options)
    keys = Keys()
    screen = Screen(console, keys.tty)
    pending = None
    quit_early = False
    try:
        with keys.active():
            while True:
                card = pending or session.next_card()
                pending = None
                if card is None:
                    break
                session.shown(card)
                started = time.monotonic()
                accepted = accepted_answers(card) if type_in else None
                header = _front(screen, keys, session, card, titles, bool(accepted))
                action, detail = _read_front(keys, accepted)
                if action != REVEAL:
                    quit_early, pending = _key_action(action, app, session, card, screen, keys)
                    if quit_early:
                        break
                    continue
                intervals = session.intervals(card)
                if keys.tty:
                    screen.clear(carry=False)
                    screen.print(header)
                screen.print(card_panel(card, titles, revealed=True))
                if accepted and detail:
                    _show_diff(screen, detail, accepted)
                screen.print(_intervals_line(intervals))
                rating = int(detail) if detail in ("1", "2", "3", "4") else None
                key = None
                while rating is None:
                    key = keys.read()
                    if key in ("1", "2", "3", "4"):
                        rating = int(key)
                    elif key in COMMAND_KEYS:
                        break
                if rating is None:
                    quit_early, pending = _key_action(key, app, session, card, screen, keys)
                    if quit_early:
                        break
                    continue
                duration_ms = int((time.monotonic() - started) * 1000)
                outcome = session.answer(card, rating, duration_ms)
                if outcome.stale:
                    what = "Answered" if outcome.answered_elsewhere else "Changed (suspended or edited)"
                    screen.say(f"{what} in another session: this answer was not saved; moving on.")
                    continue
                screen.say(f"→ {RATING_NAMES[rating]}: next in {intervals[rating]}", style=RATING_STYLES[rating])
                if outcome.leech:
                    screen.say(
                        f"Leech: this card has lapsed {outcome.memory.lapses} times, so it is suspended. "
                        f"Rewrite it ({card['path']}:{card['line']}) and unsuspend it with learndl decks unsuspend.",
                        style="bold red",
                    )
    except KeyboardInterrupt:  # Ctrl-C: every answer given is already committed
        quit_early = True
    _summary(app, session, console, quit_early)
    return 0


def _edit(app, db, card, console: Screen, keys: Keys):
    """Open the card's line in ``$EDITOR``. A card of a bundled deck is first copied (with its whole
    deck) into the user's decks folder, if the learner agrees: the copy overrides the bundled deck
    and keeps every card's progress, and a newer learndl never overwrites it."""
    from ..decks import bundled_deck_of, copy_bundled_deck, sync
    from ..store import cards as store

    path, line = card["path"], card["line"]
    deck_id = bundled_deck_of(card)
    if deck_id is not None:
        target = app.home / "decks"
        console.print(
            Text(
                f"This card is in the bundled deck {deck_id}, part of the installed learndl. "
                f"Copy the deck to {target} and edit the copy? It replaces the bundled one, keeps your "
                f"progress, and updates never overwrite it. y/n",
                style=NOTICE,
            )
        )
        answer = keys.read()
        if answer != "y":
            console.say("Not copied; nothing was edited.")
            return card
        copy = copy_bundled_deck(app, deck_id)
        console.say(f"Copied to {copy}.")
        sync(db, app.reload_settings(), app.now())
        fresh = store.get_card(db, card["id"])
        if fresh is None or not fresh["active"]:
            console.say("The copy does not hold this card; moving on.")
            return None
        path, line = fresh["path"], fresh["line"]
    open_in_editor(app.settings, path, line)
    sync(db, app.settings, app.now())
    fresh = store.get_card(db, card["id"])
    if fresh and fresh["active"]:
        console.say("Card reloaded from the file.")
        return fresh
    console.say("The card changed identity or was removed; moving on.")
    return None


def _summary(app, session, console: Console, quit_early: bool) -> None:
    from ..store import exercises_due

    info = session.summary()
    due = info["due"]
    now = app.now()
    flags = session.options.flags()
    scope = f" ({flags})" if flags else ""
    console.print()
    if info["cards"] == 0 and not quit_early and due.now.total == 0:
        console.print(Text(f"Nothing due now{scope}.", style="bold green"))
    else:
        head = "Session saved" if quit_early else "Done for now"
        cards = f"{info['cards']} card{'s' if info['cards'] != 1 else ''}"
        console.print(
            Text.assemble(
                (f"{head}: ", "bold green"),
                f"{cards} · again {info['again_rate']:.0%} · {_duration(info['seconds'])}",
            )
        )
    today = due.today
    if today.total:
        later = f", {due.later_today} of them coming back later today" if due.later_today else ""
        console.print(
            f"Left today{scope}: {today.total} (new {today.new} · learning {today.learning} · review {today.review}{later})"
        )
    if due.now.total == 0 and not quit_early:
        from ..store.due import held_aside

        aside = held_aside(app.db, app.settings, now, session.filters)
        from ..store.due import raised_today

        raised = raised_today(app.db, session.day(now))
        for line in why_nothing_due(app.settings, session.options, due, aside, raised=raised):
            console.print(Text(line, style="yellow"))
    console.print(f"Next card{scope}: {_when(info['next_due'], now)}")
    exercises = exercises_due(app.db, now)
    if exercises:
        console.print(
            Text.assemble(
                ("Exercises due for re-drill: ", "bold yellow"), ", ".join(exercises) + f"  (learndl exercise {exercises[0]})"
            )
        )


def why_nothing_due(settings, options, due, aside: dict | None = None, raised: int = 0) -> list[str]:
    """Why nothing is left: the day's limits (and how to study more), then the cards set aside
    (waiting siblings, buried and suspended cards)."""
    lines = []
    flags = options.flags()
    where = options.scope()
    if due.new_held:
        more = min(due.new_held, settings.new_per_day)
        limit = settings.new_per_day + raised + options.extra_new
        lines.append(
            f"Today's new-card limit is used up ({limit} today: new_per_day in settings.toml"
            f"{f' + {raised} more with --new' if raised else ''}); "
            f"{due.new_held} unseen card{'s' if due.new_held != 1 else ''}{where} wait."
        )
        lines.append(f"To study more now: learndl quiz{' ' + flags if flags else ''} --new {more}")
    if due.review_held:
        lines.append(
            f"Today's review limit is reached (max_reviews_per_day = {settings.max_reviews_per_day} in settings.toml): "
            f"{due.review_held} due review{'s' if due.review_held != 1 else ''}{where} wait for tomorrow."
        )
    aside = aside or {}
    parts = []
    if aside.get("siblings"):
        parts.append(f"{aside['siblings']} wait for tomorrow because a sibling card was answered today")
    if aside.get("buried"):
        parts.append(f"{aside['buried']} buried until tomorrow")
    if aside.get("suspended"):
        parts.append(f"{aside['suspended']} suspended (learndl decks unsuspend)")
    if parts:
        lines.append(f"Set aside{where}: " + "; ".join(parts) + ".")
    return lines


KEYS_HELP = """Review the cards due today.

\b
Keys:
  Space, Enter  reveal the answer
  1 Again · 2 Hard · 3 Good · 4 Easy   rate it
  u undo        take back the last answer, suspend or bury (repeatable)
  s suspend     never show the card again (learndl decks unsuspend)
  b bury        show it tomorrow
  e edit        open its source in $EDITOR (a bundled deck is copied first)
  q quit        every answer is already saved
With --type, type the answer and press Enter. Without a terminal, one key per
line from stdin (an empty line reveals).
"""


def register(app: typer.Typer) -> None:
    @app.command(help=KEYS_HELP)
    def quiz(
        ctx: typer.Context,
        deck: Annotated[Optional[list[str]], typer.Option("--deck", "-d", help="Only this deck id (repeatable).")] = None,
        chapter: Annotated[Optional[list[int]], typer.Option("--chapter", "-c", help="Only this chapter (repeatable).")] = None,
        tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).")] = None,
        limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="Stop after this many answers.")] = None,
        ahead: Annotated[float, typer.Option("--ahead", help="Review cards due within this many days early.")] = 0.0,
        new: Annotated[int, typer.Option("--new", help="Raise today's new-card limit by N (Anki's 'increase today's new card limit'); kept for the rest of the study day.")] = 0,
        type_in: Annotated[bool, typer.Option("--type", help="Type the answer of cloze and short-answer cards; see a character diff.")] = False,
    ) -> None:
        from ..review import QueueOptions

        app_ = get_app(ctx)
        options = QueueOptions(
            decks=deck or [], chapters=chapter or [], tags=tag or [], limit=limit, ahead_days=ahead, extra_new=new
        )
        console = Console(highlight=False)
        raise typer.Exit(run_quiz(app_, options, console, type_in=type_in))
