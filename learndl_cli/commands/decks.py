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
    """List every deck: its id (what --deck takes), chapter, cards, and what is due today."""
    from ..decks import acknowledge, sync
    from ..store import due as due_store

    app = get_app(ctx)
    now = app.now()
    result = sync(app.db, app.settings, now)
    due = due_store.due_by_deck(app.db, app.settings, now)
    rows = []
    for deck in result.decks:
        d = due.get(deck["id"])
        today = d.today if d else due_store.Counts()
        rows.append(
            {
                "id": deck["id"],
                "title": deck["title"],
                "chapter": deck["chapter"],
                "path": deck["path"],
                "cards": deck["cards"],
                "due": today.learning + today.review,
                "new": today.new,
                "due_today": today.to_dict(),
                "due_now": (d.now if d else due_store.Counts()).to_dict(),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    # The id is what --deck takes: always whole. The title and the path only when there is room.
    id_width = max([len(r["id"]) for r in rows] + [2])
    fixed = id_width + 2 + 5 + 9 + 3 + 2 * 4  # id, ch, cards, due today, new, and the gaps between
    title_width = min(34, console.width - fixed - 2)
    show_title = title_width >= 16
    show_path = console.width >= fixed + 2 + title_width + 2 + 30
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=id_width)
    if show_title:
        table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    table.add_column("ch", justify="right")
    table.add_column("cards", justify="right")
    table.add_column("due today", justify="right")
    table.add_column("new", justify="right")
    if show_path:
        table.add_column("path", style="dim", no_wrap=True, overflow="ellipsis")
    for row in rows:
        cells = [row["id"]] + ([row["title"]] if show_title else [])
        cells += [str(row["chapter"] if row["chapter"] is not None else "-"), str(row["cards"]), str(row["due"]), str(row["new"])]
        table.add_row(*cells, *([_short(row["path"])] if show_path else []))
    console.print(table)
    console.print(f"{len(rows)} decks, {sum(r['cards'] for r in rows)} cards · due today: learning + review · new: within today's limit")
    if not show_path:
        console.print("[dim]Deck files: learndl decks list --json (or a wider terminal)[/dim]")
    if result.problems:
        Console(stderr=True).print(f"[yellow]{len(result.problems)} problem(s) in the deck files: learndl decks validate[/yellow]")
    for notice in result.notices:
        Console(stderr=True, highlight=False).print(notice, style="yellow", markup=False)
    acknowledge(app.db, result)


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
    from ..decks import overridden_files, validate

    app = get_app(ctx)
    files, cards, problems = validate(app.settings, overridden_files(app.db))
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
