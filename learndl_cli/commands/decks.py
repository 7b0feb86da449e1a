"""``learndl decks``: list, add, remove and validate deck files; unsuspend cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..context import get_app
from ..errors import UserError

decks_app = typer.Typer(help="List, register and check deck files.", no_args_is_help=True)


@decks_app.command("list")
def list_decks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decks as a JSON list.")] = False,
) -> None:
    """List every deck with its chapter, card count and cards due today."""
    from ..decks import sync
    from ..scheduler import next_day_start, study_day
    from ..store import cards as store

    app = get_app(ctx)
    now = app.now()
    result = sync(app.db, app.settings, now)
    day = study_day(now, app.settings.day_starts_hour)
    due = store.due_by_deck(app.db, now, next_day_start(now, app.settings.day_starts_hour), day)
    rows = []
    for deck in result.decks:
        d = due.get(deck["id"], {"learning": 0, "review": 0, "new": 0})
        rows.append(
            {
                "id": deck["id"],
                "title": deck["title"],
                "chapter": deck["chapter"],
                "path": deck["path"],
                "cards": deck["cards"],
                "due": d["learning"] + d["review"],
                "new": d["new"],
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col, justify in (("id", "left"), ("title", "left"), ("ch", "right"), ("cards", "right"), ("due", "right"), ("new", "right"), ("path", "left")):
        table.add_column(
            col,
            justify=justify,
            style="dim" if col == "path" else None,
            no_wrap=col in ("id", "title", "path"),
            overflow="ellipsis",
            max_width=34 if col == "title" else None,
        )
    for row in rows:
        table.add_row(row["id"], row["title"], str(row["chapter"]), str(row["cards"]), str(row["due"]), str(row["new"]), _short(row["path"]))
    console = Console(highlight=False)
    console.print(table)
    console.print(f"{len(rows)} decks, {sum(r['cards'] for r in rows)} cards")
    if result.problems:
        Console(stderr=True).print(f"[yellow]{len(result.problems)} problem(s) in the deck files: learndl decks validate[/yellow]")


def _short(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path.replace(str(Path.home()), "~", 1)


@decks_app.command("add")
def add(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="A deck file (.md) or a folder of them.")]) -> None:
    """Register a deck file or folder; it is re-read on every run."""
    from ..config import save_setting
    from ..decks import check_registrable, sync

    app = get_app(ctx)
    resolved = check_registrable(path)
    current = list(app.settings.deck_paths)
    if str(resolved) in current:
        typer.echo(f"Already registered: {resolved}")
        return
    save_setting(app.home, "deck_paths", tuple(current + [str(resolved)]))
    settings = app.reload_settings()
    result = sync(app.db, settings, app.now())
    mine = [d for d in result.decks if Path(d["path"]).is_relative_to(resolved) or Path(d["path"]) == resolved]
    typer.echo(f"Registered {resolved}: {len(mine)} deck(s), {sum(d['cards'] for d in mine)} cards.")
    problems = [p for p in result.problems if p.path.startswith(str(resolved))]
    for problem in problems:
        typer.echo(str(problem), err=True)


@decks_app.command("remove")
def remove(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="A registered deck file or folder.")]) -> None:
    """Forget a registered deck path. Its cards stop being shown; their history is kept."""
    from ..config import save_setting
    from ..decks import sync

    app = get_app(ctx)
    target = str(path.expanduser().resolve())
    current = list(app.settings.deck_paths)
    if target not in current:
        raise UserError(f"{target}: not a registered deck path (registered: {', '.join(current) or 'none'})")
    current.remove(target)
    save_setting(app.home, "deck_paths", tuple(current))
    sync(app.db, app.reload_settings(), app.now())
    typer.echo(f"Removed {target}. Its cards' history is kept.")


@decks_app.command("validate")
def validate_cmd(ctx: typer.Context) -> None:
    """Check every deck file and list each problem as path:line: message."""
    from ..decks import validate

    app = get_app(ctx)
    files, cards, problems = validate(app.settings)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {files} deck files ({cards} cards parsed).", err=True)
        raise typer.Exit(1)
    typer.echo(f"All {files} deck files are valid: {cards} cards.")


@decks_app.command("unsuspend")
def unsuspend(
    ctx: typer.Context,
    deck: Annotated[Optional[str], typer.Option("--deck", help="Only cards of this deck.")] = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Also unsuspend leeches (their lapse count stays).")] = False,
) -> None:
    """Unsuspend suspended cards."""
    from ..store import cards as store

    app = get_app(ctx)
    n = store.unsuspend(app.db, deck=deck, leeches=leeches)
    typer.echo(f"Unsuspended {n} card(s).")


def register(app: typer.Typer) -> None:
    app.add_typer(decks_app, name="decks")
