"""``learndl notes import``: turn the learner's own Markdown notes into an editable, registered deck.

The reading of the notes is ``notes_import`` (pure); this module reads files, previews, writes the
deck file under ``<data dir>/decks/`` and registers it, then syncs so the cards exist at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import get_app
from ..errors import UserError
from ..store import cards as store

notes_app = typer.Typer(help="Turn your own Markdown notes into cards.", no_args_is_help=True)

NOTES_DECKS = "decks"  # under the data directory


def read_notes(path: Path) -> tuple[str, str]:
    """The text of a notes file, and a warning when it was not UTF-8 (read as GB18030 then)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: a folder; give the notes files (for example {path}/*.md)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            return data.decode("gb18030"), f"{path}:{line}: not UTF-8; read as GB18030 (Chinese Windows encoding)"
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), f"{path}:{line}: not UTF-8; unreadable bytes replaced by �"


@notes_app.command("import")
def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Markdown notes files (.md, .txt).", show_default=False)],
    deck: Annotated[
        Optional[str],
        typer.Option("--deck", help="Deck id to write all the files into (default: one deck per file, notes-<file name>)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview the cards; write nothing.")] = False,
    chapter: Annotated[int, typer.Option("--chapter", min=0, help="d2l chapter of the deck (0: no single chapter).")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a deck file you edited by hand since the last import.")] = False,
) -> None:
    """Read your notes, find the cards in them, and write them as a deck you can edit.

    Explicit cards (Q:/A:, front :: back, front ::: back, ? and ?? blocks, ==cloze==, {{c1::…}})
    are taken as written. A file without any is read for its structure: bold terms with their
    explanation, "term：definition" bullets, bullets explained by sub-bullets, headings explained by
    their bullets. Re-importing after the notes change keeps the progress of unchanged cards.
    """
    from ..deckparse import DECK_ID_RE, parse_deck
    from ..decks import sync
    from ..notes_import import edited_since_import, import_notes, render_deck, slug, unique_cards

    app = get_app(ctx)
    if deck is not None and not DECK_ID_RE.match(deck):
        raise UserError(f"--deck {deck!r}: a deck id may hold only letters, digits, '-', '_' and '.'")
    results = []
    for path in files:
        text, warning = read_notes(path)
        if warning:
            typer.echo(warning, err=True)
        results.append(import_notes(text, str(path)))
    groups: list[tuple[str, str, list]] = []
    if deck:
        groups.append((deck, deck, results))
    else:
        ids: set[str] = set()
        for path, result in zip(files, results):
            deck_id = "notes-" + slug(path.stem)
            if deck_id in ids:
                raise UserError(f"{path}: two notes files named {path.stem}; import them with --deck NAME")
            ids.add(deck_id)
            groups.append((deck_id, result.title or path.stem, [result]))

    for _, _, group in groups:
        if len(group) > 1:  # one question once per deck, across the files too
            asked: dict = {}
            for result in group:
                result.proposals = unique_cards(result.proposals, result.problems, asked)
    for result in results:
        for problem in result.problems:
            typer.echo(str(problem), err=True)

    if dry_run:
        _preview(groups, app.home)
        return

    target_dir = app.home / NOTES_DECKS
    sync(app.db, app.settings, app.now())  # the decks table knows every deck id in use
    plans = []
    for deck_id, title, group in groups:
        cards = sum(len(r.proposals) for r in group)
        target = target_dir / f"{deck_id}.md"
        if not cards:
            typer.echo(f"{', '.join(r.path for r in group)}: no cards found; nothing written for deck {deck_id}.", err=True)
            continue
        origin = ", ".join(str(Path(r.path).resolve()) for r in group)
        text = render_deck(group, deck_id=deck_id, title=title, chapter=chapter, origin=origin)
        if target.exists():
            old = target.read_text(encoding="utf-8", errors="replace")
            edited = edited_since_import(old)
            if edited is None and not force:
                raise UserError(f"{target}: exists and was not written by notes import; pass --force to overwrite it, or --deck OTHER")
            if edited and not force:
                raise UserError(f"{target}: edited by hand since the last import; pass --force to overwrite your edits, or --deck OTHER")
        owner = store.deck_path(app.db, deck_id)
        if owner and Path(owner) != target.resolve():
            raise UserError(f"deck id '{deck_id}' is already used by {owner}; choose another with --deck NAME")
        plans.append((deck_id, target, text, len(parse_deck(text, str(target)).cards)))
    if not plans:
        raise UserError("no cards found in the notes; see docs/interop.md for the syntaxes learndl reads", code=1)
    _write(app, plans)


def _write(app, plans) -> None:
    from ..config import save_setting
    from ..decks import check_registrable, sync

    for deck_id, target, text, _ in plans:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".md.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
        except OSError as exc:
            raise UserError(f"{target}: cannot write the deck: {exc.strerror or exc}") from None
    registered = [Path(p).expanduser().resolve() for p in app.settings.deck_paths]
    new_paths = list(app.settings.deck_paths)
    for _, target, _, _ in plans:
        resolved = check_registrable(target)
        if not any(resolved == r or (r.is_dir() and resolved.is_relative_to(r)) for r in registered):
            new_paths.append(str(resolved))
            registered.append(resolved)
    if len(new_paths) != len(app.settings.deck_paths):
        save_setting(app.home, "deck_paths", tuple(new_paths))
    settings = app.reload_settings()
    before = store.active_cards_by_deck(app.db)
    result = sync(app.db, settings, app.now())
    counts = {d["id"]: d["cards"] for d in result.decks}
    for deck_id, target, _, cards in plans:
        reviewed = store.reviewed_cards_in_deck(app.db, deck_id)
        note = f"; {reviewed} of them keep their progress" if reviewed else ""
        was = before.get(deck_id)
        change = f" (was {was})" if was is not None and was != counts.get(deck_id, 0) else ""
        typer.echo(f"Wrote {target}: deck {deck_id}, {counts.get(deck_id, cards)} cards{change}{note}.")
    for problem in result.problems:
        if any(problem.path == str(p[1].resolve()) for p in plans):
            typer.echo(str(problem), err=True)
    typer.echo("Edit the deck file freely; review with: learndl quiz")


def _preview(groups, home: Path) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..notes_import import ORIGINS

    console = Console(highlight=False)
    for deck_id, title, group in groups:
        console.print(Text(f"deck {deck_id} ({title}) → {home / NOTES_DECKS / (deck_id + '.md')} (dry run: not written)", style="bold"))
        for result in group:
            name = Path(result.path).name
            for p in result.proposals:
                head = Text(f"{name}:{p.line}", style="cyan")
                head.append(f"  {ORIGINS.get(p.origin, p.origin)}", style="dim")
                if p.context:
                    head.append(f"  {p.context}", style="dim")
                console.print(head)
                if p.kind == "cloze":
                    console.print(Text("  ") + Text(_short(p.back)))
                else:
                    console.print(Text("  Q ", style="bold") + Text(_short(p.front)))
                    console.print(Text("  A ", style="bold") + Text(_short(p.back)))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("file", "cards", "how they were found"):
        table.add_column(col, justify="right" if col == "cards" else "left")
    total = 0
    for _, _, group in groups:
        for result in group:
            total += len(result.proposals)
            how = Counter(p.origin for p in result.proposals)
            table.add_row(Path(result.path).name, str(len(result.proposals)), ", ".join(f"{n} {o}" for o, n in how.most_common()))
    console.print(table)
    console.print(f"{total} cards in {sum(len(g) for _, _, g in groups)} file(s). Nothing was written (--dry-run).")


def _short(text: str, limit: int = 240) -> str:
    lines = text.split("\n")
    shown = "\n    ".join(lines[:6]) + ("\n    …" if len(lines) > 6 else "")
    return shown if len(shown) <= limit else shown[:limit] + "…"


def register(app: typer.Typer) -> None:
    app.add_typer(notes_app, name="notes")
