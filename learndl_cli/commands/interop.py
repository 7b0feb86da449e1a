"""``learndl export``, ``import``, ``optimize``, ``backup``, ``restore`` and ``doctor``.

Thin: the formats live in ``learndl_cli/interop/``, the SQL in ``store/interop.py``. genanki and
fsrs-rs are imported inside the commands that use them, never at start-up; none of them needs torch.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import get_app
from ..errors import UserError


def _synced(app):
    from ..decks import sync

    sync(app.db, app.settings, app.now())
    return app.db


def _check_decks(db, deck_ids: list[str]) -> None:
    from ..store import cards as store_cards

    known = store_cards.deck_ids(db)
    missing = [d for d in deck_ids if d not in known]
    if missing:
        raise UserError(f"no deck {', '.join(missing)} (learndl decks list shows the ids)")


def export(
    ctx: typer.Context,
    anki: Annotated[Optional[Path], typer.Option("--anki", help="Write an Anki package (.apkg).", show_default=False)] = None,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Write Anki's plain-text notes layout ('-' for stdout).", show_default=False)] = None,
    progress: Annotated[Optional[Path], typer.Option("--progress", help="Write your progress (reviews, FSRS state and exercise attempts) as JSON.", show_default=False)] = None,
    deck: Annotated[Optional[list[str]], typer.Option("--deck", help="Only this deck (repeatable).", show_default=False)] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="--anki: every card new, no review history (to share a deck).")] = False,
) -> None:
    """Export cards to Anki (.apkg, with each card's schedule and review history, or plain text), or
    your progress as JSON."""
    chosen = [x for x in (anki, csv_file, progress) if x is not None]
    if len(chosen) != 1:
        raise UserError("give exactly one of --anki FILE.apkg, --csv FILE or --progress FILE.json")
    if no_progress and anki is None:
        raise UserError("--no-progress goes with --anki (--csv never carries progress)")
    app = get_app(ctx)
    db = _synced(app)
    deck_ids = list(deck or [])
    _check_decks(db, deck_ids)
    if progress is not None:
        from ..interop.progress import export_progress

        data = export_progress(db, app.now(), deck_ids or None)
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        _write_text(progress, text)
        reviews = sum(len(c["reviews"]) for c in data["cards"])
        attempts = len(data["exercises"]["attempts"])
        typer.echo(f"Wrote {progress}: {len(data['cards'])} cards with progress, {reviews} reviews, {attempts} exercise attempts.")
        return
    from ..interop.fields import anki_notes
    from ..store.interop import cards_for_export

    cards = cards_for_export(db, deck_ids or None)
    if not cards:
        raise UserError("no cards to export", code=1)
    notes, fallback = anki_notes(cards)
    if fallback:
        typer.echo(f"{fallback} cloze note(s) whose deck file is gone were written as Basic notes.", err=True)
    if anki is not None:
        if anki.suffix.lower() != ".apkg":
            raise UserError(f"{anki}: an Anki package ends in .apkg")
        from ..interop.anki import write_apkg

        history, written = None, None
        if not no_progress:
            from ..interop.anki import exporter
            from ..store.interop import reviews_by_card

            history, written = exporter(reviews_by_card(db), app.now(), app.settings)
        try:
            counts = write_apkg(notes, anki.expanduser(), history)
        except OSError as exc:
            raise UserError(f"{anki}: cannot write: {exc.strerror or exc}") from None
        detail = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
        carried = (
            f", {written[0]} with their schedule and {written[1]} reviews" if written and written[0]
            else ", every card new" + (" (--no-progress)" if no_progress else "")
        )
        typer.echo(f"Wrote {anki}: {len(notes)} notes ({detail}), {len(cards)} cards{carried}. In Anki: File › Import.")
        return
    from ..interop.csvio import write_csv

    text = write_csv(notes)
    if str(csv_file) == "-":
        sys.stdout.write(text)
        return
    _write_text(csv_file, text)
    typer.echo(f"Wrote {csv_file}: {len(notes)} notes, {len(cards)} cards, in Anki's plain-text layout. In Anki: File › Import.")


def _write_text(path: Path, text: str) -> None:
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


def import_(
    ctx: typer.Context,
    anki: Annotated[Optional[Path], typer.Option("--anki", help="An Anki package (.apkg) to turn into a deck.", show_default=False)] = None,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Anki plain-text notes (.txt/.csv/.tsv) to turn into a deck.", show_default=False)] = None,
    progress: Annotated[Optional[Path], typer.Option("--progress", help="A progress file from learndl export --progress.", show_default=False)] = None,
    deck: Annotated[Optional[str], typer.Option("--deck", help="Deck id for --anki/--csv (default: anki-<file name>).", show_default=False)] = None,
    chapter: Annotated[int, typer.Option("--chapter", min=0, help="d2l chapter of the deck made by --anki/--csv.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a deck file edited by hand since the last import.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="--anki: the notes only, not the review history and schedules.")] = False,
) -> None:
    """Import an Anki package (its notes, review history and schedules) or Anki plain-text notes as a
    deck, or progress exported from learndl."""
    if sum(x is not None for x in (anki, csv_file, progress)) != 1:
        raise UserError("give exactly one of --anki FILE.apkg, --csv FILE or --progress FILE.json")
    if no_progress and anki is None:
        raise UserError("--no-progress goes with --anki (--csv never carries progress)")
    app = get_app(ctx)
    if anki is not None:
        _import_anki(app, anki, deck, chapter, force, no_progress)
        return
    if progress is not None:
        from ..interop.progress import import_progress, load

        try:
            text = progress.expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{progress}: cannot read: {exc.strerror or exc}") from None
        data = load(text, str(progress))
        db = _synced(app)
        summary = import_progress(db, data, app.now(), str(progress))
        if not summary.changed:
            typer.echo(f"{progress}: all {summary.cards} cards' progress and all exercise progress is already here; nothing changed.")
            return
        typer.echo(
            f"Imported {progress}: {summary.reviews_added} reviews added, {summary.states_updated} cards' schedule updated, "
            f"{summary.matched} cards matched"
            + (f", {summary.kept_aside} not in your decks (kept with their history; they return if a deck holds them)" if summary.kept_aside else "")
            + f"; {summary.attempts_added} exercise attempts and {summary.views_added} hint or solution views added,"
            f" {summary.schedules_updated} exercises' re-drill schedule updated."
        )
        return
    _import_csv(app, csv_file, deck, chapter, force)


def _import_anki(app, package: Path, deck: Optional[str], chapter: int, force: bool, no_progress: bool) -> None:
    from ..interop.apkg import read_apkg

    if package.suffix.lower() != ".apkg":
        raise UserError(f"{package}: --anki reads an Anki package (.apkg); for plain text use --csv")
    if not package.expanduser().is_file():
        raise UserError(f"{package}: no such file")
    parsed = read_apkg(package.expanduser())
    deck_id = _write_anki_deck(app, package, parsed, deck, chapter, force, "learndl import --anki")
    if no_progress or parsed.history is None:
        return
    from ..interop.anki_history import import_history

    summary = import_history(app.db, deck_id, parsed.history, app.settings, app.now())
    if not summary.changed and not parsed.history.reviews:
        typer.echo(f"{package}: no review history inside (in Anki, export with 'Include scheduling information' to bring it).")
        return
    if not summary.changed:
        typer.echo(f"{package}: all {summary.cards} cards' review history and schedules are already here; nothing changed.")
        return
    sources = {"anki": "Anki's FSRS state", "history": "recomputed from the reviews", "sm2": "converted from SM-2", "new": "new"}
    memory = ", ".join(f"{n} {sources[k]}" for k, n in sorted(summary.memory.items()))
    typer.echo(
        f"Review history: {summary.reviews_added} reviews added, {summary.states_updated} cards' schedule taken from Anki"
        + (f" (memory state: {memory})" if memory else "") + "."
    )


def _import_csv(app, csv_file: Path, deck: Optional[str], chapter: int, force: bool) -> None:
    from ..interop.csvio import read_csv
    from .notes import read_notes

    text, warning = read_notes(csv_file)
    if warning:
        typer.echo(warning, err=True)
    _write_anki_deck(app, csv_file, read_csv(text, str(csv_file)), deck, chapter, force, "learndl import --csv")


def _write_anki_deck(app, source: Path, parsed, deck: Optional[str], chapter: int, force: bool, tool: str) -> str:
    """Turn the notes read from an Anki file into a deck file under the data dir, and load it; its id."""
    from ..deckparse import DECK_ID_RE, parse_deck
    from ..interop.csvio import to_proposals
    from ..notes import NotesResult, edited_since_import, render_deck, slug, unique_cards
    from .notes import NOTES_DECKS, _write

    if deck is not None and not DECK_ID_RE.match(deck):
        raise UserError(f"--deck {deck!r}: a deck id may hold only letters, digits, '-', '_' and '.'")
    name = str(source)
    proposals = unique_cards(to_proposals(parsed, name), parsed.problems)
    for problem in parsed.problems:
        typer.echo(str(problem), err=True)
    if not proposals:
        raise UserError(f"{source}: no notes found", code=1)
    deck_id = deck or "anki-" + slug(source.stem)
    target = app.home / NOTES_DECKS / f"{deck_id}.md"
    result = NotesResult(path=name, title=source.stem, proposals=proposals)
    body = render_deck([result], deck_id=deck_id, title=deck or source.stem, chapter=chapter, tags=("anki",),
                       origin=str(source.resolve()), tool=tool)
    if target.exists() and not force:
        edited = edited_since_import(target.read_text(encoding="utf-8", errors="replace"))
        if edited is None or edited:
            raise UserError(f"{target}: {'edited by hand since the last import' if edited else 'exists and was not written by an import'}; pass --force to overwrite it, or --deck OTHER")
    db = _synced(app)  # the decks table knows every deck id in use
    from ..store.cards import deck_path

    owner = deck_path(db, deck_id)
    if owner and Path(owner) != target.resolve():
        raise UserError(f"deck id '{deck_id}' is already used by {owner}; choose another with --deck NAME")
    cards = len(parse_deck(body, str(target)).cards)
    _write(app, [(deck_id, target, body, cards)])
    return deck_id


def optimize(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Save without asking.")] = False,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Simulate a year of study at each desired retention from 0.70 to 0.97 and suggest one.")
    ] = False,
) -> None:
    """Fit the FSRS parameters to your whole review history (fsrs-rs, as Anki does), and save them
    if they predict it better.

    Shows the log loss and RMSE (lower is better) of the current and the fitted parameters on your
    reviews, then asks before saving (without a terminal, only --yes saves). With --simulate, shows
    the reviews a day and the cards remembered after a year for each desired retention, and offers
    to set the one with the least work per card remembered.
    """
    from rich.console import Console

    from ..interop import optimize as opt
    from ..store.interop import review_history

    app = get_app(ctx)
    console = Console(highlight=False)
    rows = review_history(app.db)
    current = tuple(app.settings.fsrs_parameters)
    which = "your saved"
    if len(current) != len(opt.default_parameters()):  # none saved, or FSRS-5's 19, which fsrs 6 refuses
        current, which = opt.default_parameters(), "the default"
    with _fsrs_errors(app, which):
        opt.check(current)  # before anything runs on them: fsrs-rs's simulator would panic
    if simulate:
        _simulate(app, console, rows, current, which, yes)
        return
    cards = opt.histories(rows)
    items, train = opt.measured_and_trainable(cards)
    if len(items) < opt.MIN_REVIEWS:
        raise UserError(
            f"not enough reviews to fit your parameters: {len(items)} of the {opt.MIN_REVIEWS} needed "
            f"({opt.MIN_REVIEWS - len(items)} more; only reviews a day or more after the card's previous one count). "
            f"Keep reviewing and try again.",
            code=1,
        )
    console.print(f"{sum(map(len, cards))} reviews of {len(cards)} cards; {len(items)} count for fitting.")
    if len(train) < len(items):
        console.print(f"{len(items) - len(train)} of them come after their card's 64th review: measured, not trained on (as in Anki).")
    with console.status("Measuring the current parameters…"):
        before = opt.evaluate(items, current)
    with console.status(f"Fitting on {len(train)} of them (fsrs-rs)…"), _fsrs_errors(app, "the fitted"):
        fitted = opt.fit(train)
        after = opt.evaluate(items, fitted)
    console.print(f"Log loss with {which} parameters: {before.log_loss:.4f} · RMSE {before.rmse:.2%}")
    console.print(f"Log loss with the fitted parameters: {after.log_loss:.4f} · RMSE {after.rmse:.2%} (lower is better)")
    if not after.log_loss < before.log_loss:
        console.print("The fitted parameters do not predict your reviews better; keeping the current ones.")
        return
    if _confirmed(console, yes, "Save the fitted parameters (setting fsrs_parameters)?", "learndl optimize --yes"):
        from ..config import save_setting

        save_setting(app.home, "fsrs_parameters", tuple(round(x, 4) for x in fitted))
        console.print(f"Saved {len(fitted)} parameters to {app.home / 'settings.toml'} (fsrs_parameters). New reviews use them.")


@contextmanager
def _fsrs_errors(app, which: str):
    """fsrs-rs refuses parameters it cannot use (NaN, say) with a bare ValueError: say which, and where."""
    try:
        yield
    except ValueError as exc:
        where = f"{app.home / 'settings.toml'}: fsrs_parameters" if which == "your saved" else f"{which} parameters"
        raise UserError(f"{where}: fsrs-rs cannot use them ({exc}); delete the setting to start again from the defaults") from None


def _confirmed(console, yes: bool, question: str, command: str) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        console.print(f"Not saved: there is no terminal to ask. Run {command} to save.")
        return False
    if typer.confirm(question, default=True):
        return True
    console.print("Not saved.")
    return False


def _simulate(app, console, rows, parameters, which: str, yes: bool) -> None:
    from rich.table import Table

    from ..interop import simulate as sim
    from ..store.interop import studied_cards

    deck_size = studied_cards(_synced(app))
    if not deck_size:
        raise UserError("no cards to simulate: add a deck first (learndl decks add PATH)", code=1)
    found = sim.habits(rows)
    with console.status("Simulating a year at each retention (fsrs-rs)…"):
        table_rows = sim.simulate(parameters, deck_size, app.settings.new_per_day, found, app.settings.maximum_interval_days)
    chosen = sim.best(table_rows)
    habits = f"your {', '.join(found.measured)}" if found.measured else "typical answers (too little history for yours)"
    console.print(
        f"A year of study of your {deck_size} cards, {app.settings.new_per_day} new a day, with {which} parameters "
        f"and {habits}:"
    )
    table = Table(box=None, pad_edge=False)
    for name in ("retention", "reviews/day", "min/day", "remembered after 1 y", "s/card remembered", ""):
        table.add_column(name, justify="right" if name else "left")
    for r in table_rows:
        table.add_row(
            f"{r.retention:.2f}", f"{r.reviews_per_day:.1f}", f"{r.minutes_per_day:.1f}",
            f"{r.remembered:,.0f} ({r.remembered / deck_size:.0%})", f"{r.seconds_per_card:.0f}",
            "◀ best" if r is chosen else "", style="bold" if r is chosen else None,
        )
    console.print(table)
    console.print("\nSeconds of study per card remembered:")
    for line in sim.chart(table_rows):
        console.print(line)
    now = app.settings.desired_retention
    if abs(chosen.retention - now) < 1e-9:
        console.print(f"Your desired retention is already {now:.2f}.")
        return
    question = f"Set desired retention to {chosen.retention:.2f} (now {now:.2f})?"
    if _confirmed(console, yes, question, "learndl optimize --simulate --yes"):
        from ..config import save_setting

        save_setting(app.home, "desired_retention", chosen.retention)
        console.print(f"Desired retention set to {chosen.retention:.2f} in {app.home / 'settings.toml'}.")


def backup(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(help="Where to write the copy (default: backups/manual-<time>.db in the data dir).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Copy the database, consistently, with SQLite's VACUUM INTO."""
    from ..interop.backup import backup as do_backup
    from ..interop.backup import check_learndl_db

    app = get_app(ctx)
    target = do_backup(app.home, app.now(), file, force)
    info = check_learndl_db(target)
    typer.echo(f"Backed up to {target}: {info['cards']} cards, {info['reviews']} reviews. Restore with: learndl restore {target}")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by learndl backup (or an automatic one in backups/).", show_default=False)],
) -> None:
    """Replace the database with a backup, after checking it; the current one is kept in backups/."""
    from ..interop.backup import restore as do_restore

    app = get_app(ctx)
    app.close()
    info, kept = do_restore(app.home, file, app.now())
    from ..store.db import open_db

    db = open_db(app.home)  # upgrades an older backup's schema
    db.conn.close()
    kept_note = f" The database it replaced is kept as {kept}." if kept else ""
    typer.echo(f"Restored {file}: {info['cards']} cards, {info['reviews']} reviews.{kept_note}")


def doctor(
    ctx: typer.Context,
    fix: Annotated[
        bool, typer.Option("--fix", help="Delete reviews that point to no card; have the next report recount its per-day table if it disagrees.")
    ] = False,
) -> None:
    """Check the database, its schema, orphans, deck paths and backups; say how to fix each problem."""
    from rich.console import Console
    from rich.text import Text

    from ..interop.doctor import run_checks

    app = get_app(ctx)
    if fix:
        from ..store.db import open_db
        from ..store.interop import delete_orphaned_reviews
        from ..store.reports import mark_days_stale, report_days_drift

        db = open_db(app.home, migrate=False)
        try:
            n = delete_orphaned_reviews(db)
            drift = report_days_drift(db)
            if drift:
                mark_days_stale(db)
        finally:
            db.conn.close()
        typer.echo(f"Deleted {n} review(s) that pointed to no card.")
        if drift:
            typer.echo(f"The report's per-day table had {drift} row(s) that disagree with the reviews; the next report recounts it.")
    checks = run_checks(app.home, app.now())
    console = Console(highlight=False, soft_wrap=True)  # whole lines: the fixes are commands to copy
    for check in checks:
        line = Text("✓ " if check.ok else "✗ ", style="green" if check.ok else "red bold")
        line.append(f"{check.name}: ", style="bold")
        line.append(check.detail)
        if check.fix:
            line.append(f"  → fix: {check.fix}", style="yellow")
        console.print(line)
    bad = [c for c in checks if not c.ok]
    if bad:
        console.print(f"{len(bad)} problem(s).")
        raise typer.Exit(1)
    console.print("No problems found.")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
    app.command("optimize")(optimize)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("doctor")(doctor)
