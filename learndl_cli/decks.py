"""Deck files: where they are, and keeping the card table in step with them.

Every run calls ``sync``. A file whose size and modification time are unchanged is not read at all;
a file whose content hash is unchanged is not parsed; only changed files are parsed and reconciled.

Reconciling keeps a card's identity (and so its review history) through edits. A parsed card is
matched to a stored card, in this order:

1. the same explicit ``id:`` (and sibling ordinal);
2. the same fingerprint (kind, ordinal, normalised front and back): unchanged, or moved;
3. the same normalised front (the answer was edited);
4. a sibling of an already matched card, by ordinal (one side of a reversed card was edited);
5. a front that differs only a little (a typo fixed): difflib ratio of at least 0.8.

Candidates are the active cards of the changed files plus every inactive card, so a card moved
between two edited files, or removed and later restored, keeps its history. Stored cards left
unmatched become inactive: never shown, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from .errors import UserError
from .paths import decks_dir
from .scheduler import iso
from .store import cards as store

if TYPE_CHECKING:
    from .deckparse import Card, Deck, Problem

FUZZY_MIN = 0.8
FUZZY_BUDGET = 250_000  # pairs compared at most, so a rewrite of a big file stays fast


@dataclass
class SyncResult:
    decks: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # things to say once (a bundled deck you copied changed)
    pending: dict[str, dict] = field(default_factory=dict)  # what ``acknowledge`` records once they are shown
    parsed_files: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0


def deck_sources(settings) -> list[Path]:
    """The bundled deck folder, then each registered path, in order."""
    bundled = [decks_dir()] if settings.bundled_decks else []
    return bundled + [Path(p).expanduser() for p in settings.deck_paths]


def _problem(path: str, line: int, message: str) -> Problem:
    """A ``deckparse.Problem``; deckparse is imported only when a file is parsed or has a problem,
    so a run where every deck file is unchanged never pays for it."""
    from .deckparse import Problem

    return Problem(path, line, message)


def _deck_files_in(folder: Path) -> list[tuple[Path, Path]]:
    """The deck files under ``folder`` (``*.md`` but README.md), sorted, each with its resolved path.

    A file that is not a link resolves to its resolved folder joined with its name: one
    ``Path.resolve()`` per folder instead of one per file (each an lstat of every component).
    """
    folders: dict[Path, Path] = {}
    out = []
    for path in sorted(folder.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = 0
        if stat.S_ISREG(mode):
            parent = path.parent
            real = folders.get(parent)
            if real is None:
                real = folders[parent] = parent.resolve()
            out.append((path, real / path.name))
        elif path.is_file():
            out.append((path, path.resolve()))
    return out


def deck_files(settings) -> tuple[list[Path], list[Problem]]:
    """Every deck file, and a problem for each registered path that is gone."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for source in deck_sources(settings):
        if source.is_dir():
            found = _deck_files_in(source)
        elif source.is_file():
            found = [(source, source.resolve())]
        else:
            problems.append(_problem(str(source), 0, "registered deck path not found (learndl decks remove to forget it)"))
            continue
        for path, resolved in found:
            if resolved not in seen:
                seen.add(resolved)
                files.append(resolved)
    return files, problems


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _problems_json(problems: list[Problem]) -> list[list]:
    return [[p.line, p.message] for p in problems]


def sync(db: Database, settings, now: datetime) -> SyncResult:
    """Bring the card table in step with the deck files."""
    files, problems = deck_files(settings)
    result = SyncResult(problems=list(problems))
    files = _apply_overrides(db, files, result)
    known = store.deck_file_rows(db)
    changed: dict[str, Deck] = {}
    file_rows: list[dict] = []
    stat_only: list[tuple[str, int, int]] = []
    unchanged_meta: dict[str, dict] = {}
    for path in files:
        key = str(path)
        try:
            st = path.stat()
        except OSError as exc:
            result.problems.append(_problem(key, 0, f"cannot read: {exc.strerror or exc}"))
            continue
        row = known.get(key)
        if row and row["size"] == st.st_size and row["mtime_ns"] == st.st_mtime_ns:
            unchanged_meta[key] = row
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.problems.append(_problem(key, 0, f"cannot read: {exc.strerror or exc}"))
            if row:
                unchanged_meta[key] = row
            continue
        digest = _digest(data)
        if row and row["hash"] == digest:
            stat_only.append((key, st.st_size, st.st_mtime_ns))
            unchanged_meta[key] = row
            continue
        from .deckparse import Deck, parse_deck

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            deck = Deck(path=key)
            line = data[: exc.start].count(b"\n") + 1
            deck.problems.append(_problem(key, line, "not valid UTF-8 text"))
        else:
            deck = parse_deck(text, key)
        result.parsed_files += 1
        changed[key] = deck
        file_rows.append(
            {
                "path": key,
                "hash": digest,
                "size": st.st_size,
                "mtime_ns": st.st_mtime_ns,
                "deck_id": deck.id,
                "parsed": json.dumps(
                    {"title": deck.title, "chapter": deck.chapter, "problems": _problems_json(deck.problems)},
                    ensure_ascii=False,
                ),
            }
        )
    current = {str(p) for p in files}
    removed_files = [p for p in known if p not in current]

    # Deck ids must be unique: the first file (in source order) keeps the id.
    owner: dict[str, str] = {}
    skipped: set[str] = set()
    for path in files:
        key = str(path)
        deck_id = changed[key].id if key in changed else (unchanged_meta.get(key) or {}).get("deck_id")
        if not deck_id:
            continue
        if deck_id in owner:
            skipped.add(key)
            result.problems.append(_problem(key, 1, f"deck id '{deck_id}' is already used by {owner[deck_id]}; this file is skipped"))
        else:
            owner[deck_id] = key

    for key, row in unchanged_meta.items():
        meta = json.loads(row["parsed"] or "{}")
        result.problems.extend(_problem(key, line, msg) for line, msg in meta.get("problems", []))
    for key, deck in changed.items():
        result.problems.extend(deck.problems)

    if changed or removed_files:
        _reconcile(db, changed, skipped, removed_files, file_rows, owner, now, result)
    for key, size, mtime in stat_only:
        store.touch_deck_file(db, key, size, mtime)
    result.decks = store.deck_rows(db)
    return result


def _reconcile(db, changed, skipped, removed_files, file_rows, owner, now, result) -> None:
    from difflib import SequenceMatcher

    paths = list(changed) + removed_files
    candidates = store.cards_at_paths(db, paths) + store.inactive_cards(db)
    by_id = {c["id"]: c for c in candidates}
    unclaimed = dict(by_id)
    by_explicit: dict[tuple[str, str], str] = {}
    by_fp: dict[str, list[str]] = {}
    by_front: dict[tuple[str, str, str], list[str]] = {}
    for c in candidates:
        if c["explicit_id"]:
            by_explicit[(c["explicit_id"], c["ordinal"] or "")] = c["id"]
        by_fp.setdefault(c["fingerprint"], []).append(c["id"])
        by_front.setdefault((c["kind"], c["ordinal"] or "", c["front_key"]), []).append(c["id"])

    parsed: list[tuple[Deck, Card]] = []
    for key, deck in changed.items():
        if key in skipped or not deck.id:
            continue
        parsed.extend((deck, card) for card in deck.cards)
    match: dict[int, str] = {}

    def claim(i: int, cid: str | None) -> bool:
        if cid and cid in unclaimed:
            match[i] = cid
            del unclaimed[cid]
            return True
        return False

    for i, (deck, card) in enumerate(parsed):
        if card.explicit_id:
            claim(i, by_explicit.get((card.explicit_id, card.ordinal)))
    for i, (deck, card) in enumerate(parsed):
        if i not in match and not card.explicit_id:
            for cid in by_fp.get(card.fingerprint, []):
                if claim(i, cid):
                    break
    for i, (deck, card) in enumerate(parsed):
        if i not in match and not card.explicit_id:
            for cid in by_front.get((card.kind, card.ordinal, card.front_key), []):
                if claim(i, cid):
                    break
    # Siblings: a note whose other card matched brings its note id; match the rest by ordinal.
    note_of: dict[tuple[str, int], str] = {}
    for i, cid in match.items():
        deck, card = parsed[i]
        note_of[(deck.path, card.line)] = by_id[cid]["note_id"]
    sibling_index: dict[tuple[str, str], str] = {}
    for cid, c in unclaimed.items():
        sibling_index[(c["note_id"], c["ordinal"] or "")] = cid
    for i, (deck, card) in enumerate(parsed):
        if i in match or card.explicit_id:
            continue
        note = note_of.get((deck.path, card.line))
        if note:
            claim(i, sibling_index.get((note, card.ordinal)))
    # Typos: fuzzy match on the front, same kind and ordinal.
    left = [i for i in range(len(parsed)) if i not in match and not parsed[i][1].explicit_id]
    if left and unclaimed and len(left) * len(unclaimed) <= FUZZY_BUDGET:
        for i in left:
            card = parsed[i][1]
            best, best_score = None, FUZZY_MIN
            for cid, c in unclaimed.items():
                if c["kind"] != card.kind or (c["ordinal"] or "") != card.ordinal or c["explicit_id"]:
                    continue
                sm = SequenceMatcher(None, card.front_key, c["front_key"], autojunk=False)
                if sm.real_quick_ratio() < best_score or sm.quick_ratio() < best_score:
                    continue
                score = sm.ratio()
                if score >= best_score:
                    best, best_score = cid, score
            if best:
                claim(i, best)
    for i, cid in match.items():
        deck, card = parsed[i]
        note_of.setdefault((deck.path, card.line), by_id[cid]["note_id"])

    created = iso(now)
    inserts, updates = [], []
    for i, (deck, card) in enumerate(parsed):
        note_id = note_of.get((deck.path, card.line))
        if note_id is None:
            note_id = note_of[(deck.path, card.line)] = uuid.uuid4().hex[:16]
        cols = {
            "note_id": note_id,
            "ordinal": card.ordinal,
            "explicit_id": card.explicit_id,
            "kind": card.kind,
            "deck_id": deck.id,
            "chapter": deck.chapter,
            "front": card.front,
            "back": card.back,
            "context": card.context,
            "tags": (" " + " ".join(card.tags) + " ") if card.tags else "",
            "source": card.source,
            "path": deck.path,
            "line": card.line,
            "fingerprint": card.fingerprint,
            "front_key": card.front_key,
            "back_key": card.back_key,
            "active": 1,
        }
        if i in match:
            old = by_id[match[i]]
            if any(old.get(k) != v for k, v in cols.items()):
                updates.append({"id": old["id"], **cols})
        else:
            inserts.append({"id": uuid.uuid4().hex[:16], **cols, "created": created, "state": 0, "reps": 0, "lapses": 0})
    deactivate = [cid for cid, c in unclaimed.items() if c["active"]]
    decks = []
    for key, deck in changed.items():
        if key in skipped or not deck.id:
            continue
        decks.append({"id": deck.id, "title": deck.title, "chapter": deck.chapter, "path": key, "updated": created})
    live_ids = set(owner)
    removed_decks = [row["id"] for row in store.deck_rows(db) if row["id"] not in live_ids]
    store.apply_sync(
        db,
        file_rows=file_rows,
        removed_files=removed_files,
        inserts=inserts,
        updates=updates,
        deactivate=deactivate,
        decks=decks,
        removed_decks=removed_decks,
    )
    result.added += len(inserts)
    result.updated += len(updates)
    result.removed += len(deactivate)


def _apply_overrides(db: Database, files: list[Path], result: SyncResult) -> list[Path]:
    """Leave out each bundled deck file the learner has copied (while the copy exists), and say
    once when a newer learndl ships a changed version of it: the copy is kept."""
    overrides = store.deck_overrides(db)
    if not overrides:
        return files
    hidden: set[str] = set()
    for deck_id, info in overrides.items():
        if not Path(info["copy"]).is_file():
            continue  # the copy was deleted: the bundled deck comes back
        hidden.add(info["bundled"])
        bundled = Path(info["bundled"])
        try:
            st = bundled.stat()
        except OSError:
            continue
        if (st.st_size, st.st_mtime_ns) == (info.get("size"), info.get("mtime_ns")):
            continue
        digest = _digest(bundled.read_bytes())
        seen = {**info, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        if digest != info["hash"] and digest != info.get("noticed"):
            # Told once: ``acknowledge`` records it when a command has shown the notice.
            result.notices.append(
                f"The bundled deck {deck_id} changed in this version of learndl; your copy {info['copy']} is kept "
                f"(compare: diff {info['copy']} {bundled})"
            )
            result.pending[deck_id] = {**seen, "noticed": digest}
        else:
            store.save_deck_override(db, deck_id, seen)
    return [f for f in files if str(f) not in hidden]


def acknowledge(db: Database, result: SyncResult) -> None:
    """Record that ``result.notices`` were shown, so each is said once."""
    for deck_id, info in result.pending.items():
        store.save_deck_override(db, deck_id, info)


def bundled_deck_of(card: dict) -> str | None:
    """The deck id when ``card`` comes from a bundled deck file (inside the installed learndl)."""
    try:
        if Path(card["path"]).resolve().is_relative_to(decks_dir().resolve()):
            return card["deck_id"]
    except OSError:
        return None
    return None


def copy_bundled_deck(app, deck_id: str) -> Path:
    """Copy a bundled deck file into ``<data dir>/decks`` (registered as a deck path) and record the
    override; the next sync reads the copy instead, and every card keeps its identity and history."""
    from .config import save_setting

    db = app.db
    source = Path(store.deck_path(db, deck_id) or "")
    if not source.is_file():
        raise UserError(f"{source}: the bundled deck file of {deck_id} is missing")
    folder = app.home / "decks"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / source.name
        n = 2
        while target.exists():
            target = folder / f"{source.stem}-{n}{source.suffix}"
            n += 1
        data = source.read_bytes()
        target.write_bytes(data)
    except OSError as exc:
        raise UserError(f"{folder}: cannot copy the deck there: {exc.strerror or exc}") from None
    st = source.stat()
    store.save_deck_override(
        db,
        deck_id,
        {"bundled": str(source.resolve()), "copy": str(target.resolve()), "hash": _digest(data),
         "size": st.st_size, "mtime_ns": st.st_mtime_ns, "noticed": None},
    )
    registered = list(app.settings.deck_paths)
    if str(folder.resolve()) not in registered:
        save_setting(app.home, "deck_paths", tuple(registered + [str(folder.resolve())]))
    return target


def overridden_files(db: Database) -> set[str]:
    """Bundled deck files replaced by the learner's copy (while the copy exists)."""
    return {info["bundled"] for info in store.deck_overrides(db).values() if Path(info["copy"]).is_file()}


def validate(settings, hidden: set[str] = frozenset()) -> tuple[int, int, list[Problem]]:
    """Parse every deck file from scratch (no cache): (files, cards, problems). Files in ``hidden``
    (bundled decks the learner copied, ``overridden_files``) are left out."""
    from .deckparse import Problem, parse_deck

    files, problems = deck_files(settings)
    files = [f for f in files if str(f) not in hidden]
    problems = list(problems)
    cards = 0
    owner: dict[str, str] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), 1, f"not valid UTF-8 text ({exc.reason})"))
            continue
        except OSError as exc:
            problems.append(Problem(str(path), 0, f"cannot read: {exc.strerror or exc}"))
            continue
        deck = parse_deck(text, str(path))
        problems.extend(deck.problems)
        if deck.id:
            if deck.id in owner:
                problems.append(Problem(str(path), 1, f"deck id '{deck.id}' is already used by {owner[deck.id]}"))
            else:
                owner[deck.id] = str(path)
        cards += len(deck.cards)
    return len(files), cards, problems


def check_registrable(path: Path) -> Path:
    path = path.expanduser().resolve()
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() != ".md":
        raise UserError(f"{path}: a deck is a Markdown file (.md)")
    if path.is_dir() and not any(path.rglob("*.md")):
        raise UserError(f"{path}: the folder holds no .md deck files")
    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: not readable")
    return path
