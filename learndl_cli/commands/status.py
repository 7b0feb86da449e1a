"""``learndl status``: what is due today, the streak, today's study and the next due card."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Annotated

import typer

from ..context import get_app

if TYPE_CHECKING:
    from rich.console import Console


def gather(app) -> dict:
    """Everything ``status`` shows, as plain data (the ``--json`` document). ``due`` is due now and
    ``due_today`` adds the learning cards coming back later today (``store/due.py``)."""
    from ..decks import acknowledge, sync
    from ..scheduler import iso, next_day_start, study_day
    from ..stats import streaks
    from ..store import cards as store
    from ..store import due as due_store
    from ..store import exercises_due

    db = app.db
    now = app.now()
    settings = app.settings
    result = sync(db, settings, now)
    day = study_day(now, settings.day_starts_hour)
    per_deck = due_store.due_by_deck(db, settings, now)
    total = due_store.due(db, settings, now)
    today = store.day_totals(db, day)
    decks = []
    for row in result.decks:
        due = per_deck.get(row["id"])
        entry = {
            "id": row["id"],
            "title": row["title"],
            "chapter": row["chapter"],
            "cards": row["cards"],
            **(due.now.to_dict() if due else {"learning": 0, "review": 0, "new": 0}),
            "due_today": due.today.to_dict() if due else {"learning": 0, "review": 0, "new": 0},
        }
        decks.append(entry)
    acknowledge(db, result)  # the notices are in the document (and shown by ``render``)
    current, longest = streaks(store.study_days(db), day)
    next_due = due_store.next_due_after(db, now, day=day, day_end=next_day_start(now, settings.day_starts_hour))
    return {
        "now": iso(now),
        "day": day,
        "decks": decks,
        "due": total.now.to_dict(),
        "due_today": total.today.to_dict(),
        "held_back": {"new": total.new_held, "review": total.review_held},
        "limits": {"new_per_day": settings.new_per_day, "max_reviews_per_day": settings.max_reviews_per_day},
        "studied_today": {k: today[k] for k in ("reviews", "cards", "seconds", "again")},
        "streak": {"current": current, "longest": longest},
        "next_due": iso(next_due),
        "redrills": exercises_due(db, now),
        "problems": [str(p) for p in result.problems],
        "notices": result.notices,
    }


MAX_ROWS = 20  # decks listed before the rest are folded into one line (--all lists every deck)

# Two colons with no space between: what rich's emoji codes (":smile:") need. A string without
# this can be printed with emoji codes off and looks the same (rich then skips its emoji table).
_EMOJI_CODE = re.compile(r":\S*:")


def _plain(value):
    """A table cell as rich would draw the string ``value``: a ``Text`` when neither markup nor an
    emoji code can change it (rich would parse the string twice, to measure and to draw it)."""
    from rich.text import Text

    if not isinstance(value, str) or "[" in value or _EMOJI_CODE.search(value):
        return value
    return Text(value)


def _markup(value: str):
    """Our own markup (``[bold]…``), parsed once, emoji codes only where ``value`` may hold one."""
    from rich.text import Text

    return Text.from_markup(value, emoji=bool(_EMOJI_CODE.search(value)))


def _print(console: Console, value: str) -> None:
    console.print(value, emoji=bool(_EMOJI_CODE.search(value)))


def render(data: dict, console: Console, *, all_decks: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..scheduler import format_interval, parse_ts

    streak = data["streak"]
    console.print(
        Text(f"Today {data['day']}", style="bold"),
        Text(f" · streak {streak['current']} day{'s' if streak['current'] != 1 else ''} (longest {streak['longest']})", style="cyan"),
    )
    # The deck id (what --deck takes) and the numbers are never cut; the title gets what is left.
    id_width = max([len(d["id"]) for d in data["decks"]] + [len("due today")])
    fixed = id_width + len("ch") + len("cards") + len("learning") + len("review") + len("new") + 2 * 6
    title_width = max(0, min(34, console.width - fixed - 2))
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(Text("deck"), no_wrap=True, min_width=id_width)
    table.add_column(Text("title"), no_wrap=True, overflow="ellipsis", max_width=title_width, style="dim")
    table.add_column(Text("ch"), justify="right", no_wrap=True)
    table.add_column(Text("cards"), justify="right", style="dim", no_wrap=True, min_width=5)
    table.add_column(Text("learning"), justify="right", style="red", no_wrap=True, min_width=8)
    table.add_column(Text("review"), justify="right", style="green", no_wrap=True, min_width=6)
    table.add_column(Text("new"), justify="right", style="blue", no_wrap=True, min_width=3)
    due_decks = [d for d in data["decks"] if sum(d["due_today"].values())]
    shown = data["decks"] if all_decks else due_decks[:MAX_ROWS]
    for deck in shown:
        table.add_row(
            _plain(deck["id"]),
            _plain(deck["title"]),
            Text(str(deck["chapter"] if deck["chapter"] is not None else "-")),
            Text(str(deck["cards"])),
            Text(str(deck["learning"] or "·")),
            Text(str(deck["review"] or "·")),
            Text(str(deck["new"] or "·")),
        )
    folded = [d for d in data["decks"] if d not in shown]
    if folded:
        waiting = sum(sum(d["due_today"].values()) for d in folded)
        what = f"{waiting} due" if waiting else "nothing due"
        table.add_row(
            _markup(f"[dim]+ {len(folded)} more decks[/dim]"), _markup(f"[dim]{what} (--all lists them)[/dim]"),
            *(Text() for _ in range(5)),
        )
    for label, due in (("due now", data["due"]), ("due today", data["due_today"])):
        table.add_row(
            _markup(f"[bold]{label}[/bold]"), Text(), Text(), Text(),
            _markup(f"[bold]{due['learning']}"), _markup(f"[bold]{due['review']}"), _markup(f"[bold]{due['new']}"),
        )
    console.print(table)
    later = data["due_today"]["learning"] - data["due"]["learning"]
    if later:
        _print(console, f"[dim]due today adds {later} learning card{'s' if later != 1 else ''} coming back later today[/dim]")
    held = data["held_back"]
    if held["new"] and not data["due"]["new"]:
        limit = data["limits"]["new_per_day"]
        _print(
            console,
            f"[yellow]Today's {limit} new cards are done (new_per_day); {held['new']} unseen cards wait. "
            f"To study more now: learndl quiz --new {min(held['new'], limit)}[/yellow]",
        )
    today = data["studied_today"]
    if today["reviews"]:
        minutes, seconds = divmod(today["seconds"], 60)
        _print(
            console,
            f"Studied today: {today['reviews']} reviews of {today['cards']} cards in {minutes}m {seconds:02d}s, "
            f"again {today['again'] / today['reviews']:.0%}",
        )
    else:
        _print(console, "Studied today: nothing yet.")
    due_now = sum(data["due"].values())
    if due_now:
        _print(console, f"Ready now: {due_now} card{'s' if due_now != 1 else ''} (learndl quiz)")
    if data["next_due"]:
        now = parse_ts(data["now"])
        nd = parse_ts(data["next_due"])
        _print(console, f"Next card due: in {format_interval(nd - now)} ({nd.astimezone():%Y-%m-%d %H:%M})")
    if data["redrills"]:
        _print(console, f"[yellow]Exercises due for re-drill:[/yellow] {', '.join(data['redrills'])}")
    for notice in data.get("notices", []):
        _print(console, f"[yellow]{notice}[/yellow]")
    if data["problems"]:
        _print(console, f"[yellow]{len(data['problems'])} deck problem(s): learndl decks validate[/yellow]")


def register(app: typer.Typer) -> None:
    @app.command()
    def status(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print the status as a JSON document.")] = False,
        all_decks: Annotated[bool, typer.Option("--all", help="List every deck, also those with nothing due.")] = False,
    ) -> None:
        """Show what is due now and today per deck, the streak, today's study and the next due card."""
        data = gather(get_app(ctx))
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            from rich.console import Console

            render(data, Console(highlight=False), all_decks=all_decks)
