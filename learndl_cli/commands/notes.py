"""``learndl notes import``: turn the learner's own Markdown notes into an editable, registered deck.

The reading of the notes is ``learndl_cli.notes`` (pure); this module reads files, plans the decks,
previews them, writes the deck file under ``<data dir>/decks/`` and registers it, then syncs so the
cards exist at once. A dry run makes exactly the plan a real import makes, so it refuses and exits
exactly as the real import would; it only stops before writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import get_app
from ..errors import UserError

notes_app = typer.Typer(help="Turn your own Markdown notes into cards.", no_args_is_help=True)

NOTES_DECKS = "decks"  # under the data directory


@dataclass
class Plan:
    deck_id: str
    title: str
    results: list  # NotesResult, one per notes file
    chapter: int | None
    chapter_why: str
    target: Path
    text: str = ""
    cards: int = 0


def read_notes(path: Path) -> tuple[str, str]:
    """A notes (or CSV) file's text and a warning line; refuses empty and binary files (one line)."""
    from ..notes.reading import read_notes as read

    return read(path)


@notes_app.command("import")
def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Markdown notes files (.md, .txt).", show_default=False)],
    deck: Annotated[
        Optional[str],
        typer.Option("--deck", help="Deck id to write all the files into (default: one deck per file, notes-<file name>)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview the cards; write nothing.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="With the preview: the rule behind each card, its notes line, and what was skipped and why.")] = False,
    chapter: Annotated[
        Optional[int],
        typer.Option("--chapter", min=0, help="d2l chapter of the deck (default: told from the notes, else none: your own notes)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a deck file you edited by hand, one not written by notes import, or one written from a same-named file you moved.")] = False,
) -> None:
    """Read your notes, find the cards in them, and write them as a deck you can edit.

    Explicit cards (Q:/A:, 问：/答：, front :: back, front ::: back, ? and ?? blocks, ==cloze==,
    {{c1::…}}) are taken as written. A file without card syntax is read for its structure by a
    small set of named rules (--dry-run --explain shows which rule made each card). Re-importing
    after the notes change keeps the progress of unchanged cards.
    """
    from ..deckparse import DECK_ID_RE
    from ..notes import import_notes, unique_cards

    app = get_app(ctx)
    if deck is not None and not DECK_ID_RE.match(deck):
        raise UserError(f"--deck {deck!r}: a deck id may hold only letters, digits, '-', '_' and '.'")
    if explain and not dry_run:
        raise UserError("--explain goes with --dry-run (it explains the preview)")
    read = [(path, *read_notes(path)) for path in files]  # every file is checked before any is read for cards
    results = []
    for path, text, warning in read:
        if warning:
            typer.echo(warning, err=True)
        results.append(import_notes(text, str(path)))
    plans = _plan(app, files, results, deck, chapter)
    for plan in plans:
        if len(plan.results) > 1:  # one question once per deck, across the files too
            asked: dict = {}
            for result in plan.results:
                result.proposals = unique_cards(result.proposals, result.problems, asked)
    for result in results:
        for problem in result.problems:
            typer.echo(str(problem), err=True)
    writable = _check(app, plans, force)
    if dry_run:
        _preview(plans, explain, {path: text for path, text, _ in read})
    if not writable:
        raise UserError("no cards found in the notes; see docs/interop.md for the syntaxes learndl reads", code=1)
    if dry_run:
        return
    _write(app, writable)


def _plan(app, files: list[Path], results: list, deck: str | None, chapter: int | None) -> list[Plan]:
    from ..notes import deck_id_for

    target_dir = app.home / NOTES_DECKS
    plans: list[Plan] = []
    if deck:
        inferred = {r.chapter for r in results}
        ch, why = (chapter, "--chapter") if chapter is not None else (
            (results[0].chapter, results[0].chapter_why) if len(inferred) == 1 else (None, "the files are about different chapters")
        )
        plans.append(Plan(deck, deck, results, ch, why, target_dir / f"{deck}.md"))
        return plans
    ids: dict[str, Path] = {}
    for path, result in zip(files, results):
        deck_id = deck_id_for(path.stem)
        if deck_id in ids:
            raise UserError(f"{path}: same deck id '{deck_id}' as {ids[deck_id]}; import one of them with --deck NAME")
        ids[deck_id] = path
        ch, why = (chapter, "--chapter") if chapter is not None else (result.chapter, result.chapter_why)
        plans.append(Plan(deck_id, result.title or path.stem, [result], ch, why, target_dir / f"{deck_id}.md"))
    return plans


def _deck_ids_in_use(settings) -> dict[str, Path]:
    """Every deck id of the bundled and registered decks, with its file (read from the files, so a
    dry run needs no database)."""
    from ..deckparse import parse_deck
    from ..decks import deck_files

    found: dict[str, Path] = {}
    paths, _ = deck_files(settings)
    for path in paths:
        try:
            head = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        end = head.find("\n---", 3)
        deck = parse_deck(head[: end + 4] + "\n" if end != -1 else head, str(path))
        if deck.id:
            found.setdefault(deck.id, path)
    return found


def _check(app, plans: list[Plan], force: bool) -> list[Plan]:
    """The plans that have cards, each with its deck text; refuses (one line) what would replace a
    deck that is not this import's to replace. The same checks for a dry run and a real one."""
    from ..deckparse import parse_deck
    from ..notes import collision, edited_since_import, render_deck, written_from

    in_use = _deck_ids_in_use(app.settings)
    writable = []
    for plan in plans:
        cards = sum(len(r.proposals) for r in plan.results)
        if not cards:
            typer.echo(f"{', '.join(r.path for r in plan.results)}: no cards found; nothing written for deck {plan.deck_id}.", err=True)
            continue
        target = plan.target
        sources = [str(Path(r.path).resolve()) for r in plan.results]
        if target.exists():
            old = target.read_text(encoding="utf-8", errors="replace")
            edited = edited_since_import(old)
            if edited is None and not force:
                raise UserError(f"{target}: exists and was not written by notes import; pass --force to overwrite it, or --deck OTHER")
            before = written_from(old) or []
            clash = collision(before, sources)
            shown = ", ".join(Path(p).name for p in before)
            if clash == "other":  # other notes' deck: never replaced, not even with --force
                raise UserError(
                    f"deck id '{plan.deck_id}' already holds the cards of {shown}, not {', '.join(Path(p).name for p in sources)}; "
                    f"choose another with --deck NAME (or delete {target} first)"
                )
            if clash == "moved" and not force:
                raise UserError(
                    f"deck id '{plan.deck_id}' holds the cards of {', '.join(before)}, another file of the same name; "
                    "pass --force if you moved it, or choose another with --deck NAME"
                )
            if edited and not force:
                raise UserError(f"{target}: edited by hand since the last import; pass --force to overwrite your edits, or --deck OTHER")
        owner = in_use.get(plan.deck_id)
        if owner is not None and owner.resolve() != target.resolve():
            raise UserError(f"deck id '{plan.deck_id}' is already used by {owner}; choose another with --deck NAME")
        plan.text = render_deck(plan.results, deck_id=plan.deck_id, title=plan.title, chapter=plan.chapter, origin=", ".join(sources))
        plan.cards = len(parse_deck(plan.text, str(target)).cards)
        writable.append(plan)
    return writable


def _write(app, plans: list) -> None:
    """Write and register the decks: ``Plan``s, or ``(deck_id, target, text, cards)`` tuples (the
    Anki and CSV imports)."""
    from ..config import save_setting
    from ..decks import check_registrable, sync
    from ..store import cards as store

    plans = [p if isinstance(p, Plan) else Plan(p[0], p[0], [], 0, "", p[1], p[2], p[3]) for p in plans]
    sync(app.db, app.settings, app.now())  # so "was N cards" below compares with what the database had
    for plan in plans:
        try:
            plan.target.parent.mkdir(parents=True, exist_ok=True)
            tmp = plan.target.with_suffix(".md.tmp")
            tmp.write_text(plan.text, encoding="utf-8")
            tmp.replace(plan.target)
        except OSError as exc:
            raise UserError(f"{plan.target}: cannot write the deck: {exc.strerror or exc}") from None
    registered = [Path(p).expanduser().resolve() for p in app.settings.deck_paths]
    new_paths = list(app.settings.deck_paths)
    for plan in plans:
        resolved = check_registrable(plan.target)
        if not any(resolved == r or (r.is_dir() and resolved.is_relative_to(r)) for r in registered):
            new_paths.append(str(resolved))
            registered.append(resolved)
    if len(new_paths) != len(app.settings.deck_paths):
        save_setting(app.home, "deck_paths", tuple(new_paths))
    settings = app.reload_settings()
    before = store.active_cards_by_deck(app.db)
    result = sync(app.db, settings, app.now())
    counts = {d["id"]: d["cards"] for d in result.decks}
    for plan in plans:
        reviewed = store.reviewed_cards_in_deck(app.db, plan.deck_id)
        note = f"; {reviewed} of them keep their progress" if reviewed else ""
        was = before.get(plan.deck_id)
        change = f" (was {was})" if was is not None and was != counts.get(plan.deck_id, 0) else ""
        typer.echo(f"Wrote {plan.target}: deck {plan.deck_id}, {counts.get(plan.deck_id, plan.cards)} cards{change}{note}{'; ' + _chapter_words(plan) if plan.results else ''}.")
    for problem in result.problems:
        if any(problem.path == str(p.target.resolve()) for p in plans):
            typer.echo(str(problem), err=True)
    typer.echo("Edit the deck file freely; review with: learndl quiz")


def _chapter_words(plan: Plan) -> str:
    if plan.chapter is None:
        return f"no chapter: your own notes ({plan.chapter_why})" if plan.chapter_why else "no chapter: your own notes"
    return f"chapter {plan.chapter} ({plan.chapter_why})"


def _preview(plans: list[Plan], explain: bool, texts: dict) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..notes import EXPLAINS

    console = Console(highlight=False)
    used: set[str] = set()
    for plan in plans:
        console.print(Text(f"deck {plan.deck_id} ({plan.title}), {_chapter_words(plan)} → {plan.target} (dry run: not written)", style="bold"))
        for result in plan.results:
            name = Path(result.path).name
            lines = texts.get(Path(result.path), "").replace("\r\n", "\n").split("\n")
            for p in result.proposals:
                head = Text(f"{name}:{p.line}", style="cyan")
                head.append(f"  rule {p.origin}" if explain else f"  {EXPLAINS.get(p.origin, p.origin)}", style="dim")
                if p.context:
                    head.append(f"  {p.context}", style="dim")
                console.print(head)
                if explain:
                    used.add(p.origin)
                    source = lines[p.line - 1].strip() if 0 < p.line <= len(lines) else ""
                    console.print(Text(f"  from line {p.line}: {_short(source, 120)}", style="dim"))
                if p.kind == "cloze":
                    console.print(Text("  ") + Text(_short(p.back)))
                else:
                    console.print(Text("  Q ", style="bold") + Text(_short(p.front)))
                    console.print(Text("  A ", style="bold") + Text(_short(p.back)))
            if explain and result.skipped:
                console.print(Text(f"{name}: proposals not made (a rule that is unsure makes no card):", style="dim"))
                for why, n in result.skipped.most_common():
                    console.print(Text(f"  {n} × {why}", style="dim"))
    if used:
        console.print(Text("Rules:", style="bold"))
        for name in [n for n in EXPLAINS if n in used]:
            console.print(Text(f"  {name}: {EXPLAINS[name]}"))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("file", "cards", "rules that made them"):
        table.add_column(col, justify="right" if col == "cards" else "left")
    total = 0
    for plan in plans:
        for result in plan.results:
            total += len(result.proposals)
            how = Counter(p.origin for p in result.proposals)
            table.add_row(Path(result.path).name, str(len(result.proposals)), ", ".join(f"{n} {o}" for o, n in how.most_common()))
    console.print(table)
    console.print(f"{total} cards in {sum(len(p.results) for p in plans)} file(s). Nothing was written (--dry-run).")


def _short(text: str, limit: int = 240) -> str:
    lines = text.split("\n")
    shown = "\n    ".join(lines[:6]) + ("\n    …" if len(lines) > 6 else "")
    return shown if len(shown) <= limit else shown[:limit] + "…"


def register(app: typer.Typer) -> None:
    app.add_typer(notes_app, name="notes")
