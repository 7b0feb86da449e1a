"""Reading Anki's ``.apkg`` packages: ``learndl import --anki FILE.apkg``.

An ``.apkg`` is a zip holding an SQLite collection. Anki 2.1 writes ``collection.anki21`` (and an
old-format ``collection.anki2`` beside it); Anki 2.1.50 and later write ``collection.anki21b``,
the same database compressed with zstd, next to a ``collection.anki2`` that only says to update
Anki. The newest readable one is used.

Two layouts are read: the legacy one (note types and decks as JSON in the ``col`` row) and schema
18 (tables ``notetypes``, ``fields``, ``templates`` and ``decks``, deck levels separated by 0x1f).
Every note becomes an ``ImportedNote`` (as a plain-text export would give), so the deck is written
by the same code as ``import --csv``: the GUID pins each note's identity, so importing a newer
package of the same deck keeps the cards' progress. Each card's schedule and review log are read
too (``anki_tables.read_history``). Media is not read; a note that shows an image keeps a ``[图片]``
placeholder, and the count is reported.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from ..deckparse import CLOZE_RE, Problem
from ..errors import UserError
from .csvio import CsvResult, ImportedNote
from .anki_tables import read_history
from .fields import from_anki

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
IMAGE_RE = re.compile(r"<img\b", re.I)


def _decompress(data: bytes, name: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise UserError(
            f"{name}: this package was written by Anki 2.1.50 or later in its compressed format; export it again "
            "with 'Support older Anki versions' ticked, or pip install zstandard"
        ) from None
    try:
        return zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 31)
    except zstandard.ZstdError as exc:
        raise UserError(f"{name}: collection.anki21b is damaged ({exc})") from None


def _collection_bytes(path: Path) -> bytes:
    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for member in COLLECTIONS:
                if member in names:
                    data = zf.read(member)
                    break
            else:
                raise UserError(f"{name}: not an Anki package (no collection.anki2 inside)")
    except zipfile.BadZipFile:
        raise UserError(f"{name}: not an Anki package (not a zip file)") from None
    except OSError as exc:
        raise UserError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if data.startswith(ZSTD_MAGIC):
        data = _decompress(data, name)
    return data


def _note_types(conn: sqlite3.Connection) -> dict[int, tuple[str, bool, int]]:
    """``{id: (name, is_cloze, number of card templates)}``."""
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    if "notetypes" in tables:  # schema 18: the cloze flag sits in a protobuf blob; the fields tell instead
        templates = dict(conn.execute("select ntid, count(*) from templates group by ntid"))
        return {
            ntid: (name, "cloze" in name.lower(), templates.get(ntid, 1))
            for ntid, name in conn.execute("select id, name from notetypes")
        }
    models = json.loads(conn.execute("select models from col").fetchone()[0] or "{}")
    return {int(mid): (m.get("name", ""), m.get("type") == 1, len(m.get("tmpls") or [1])) for mid, m in models.items()}


def _decks(conn: sqlite3.Connection) -> dict[int, str]:
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    if "decks" in tables:
        return {did: name.replace("\x1f", "::") for did, name in conn.execute("select id, name from decks")}
    decks = json.loads(conn.execute("select decks from col").fetchone()[0] or "{}")
    return {int(did): d.get("name", "") for did, d in decks.items()}


def read_apkg(path: Path) -> CsvResult:
    """The notes of an Anki package, in the order Anki created them; never raises on a bad note."""
    name = str(path)
    data = _collection_bytes(path)
    result = CsvResult()
    with tempfile.TemporaryDirectory(prefix="learndl-apkg-") as tmp:
        db_file = Path(tmp) / "collection.sqlite"
        db_file.write_bytes(data)
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            types = _note_types(conn)
            decks = _decks(conn)
            deck_of = {nid: did for nid, did, _ord in conn.execute("select nid, did, min(ord) from cards group by nid")}
            rows = conn.execute("select id, guid, mid, tags, flds from notes order by id").fetchall()
            try:
                result.history = read_history(conn)
            except sqlite3.DatabaseError:  # a stripped-down collection: the notes alone still make a deck
                result.history = None
        except (sqlite3.DatabaseError, json.JSONDecodeError, TypeError) as exc:
            raise UserError(f"{name}: not a readable Anki collection ({exc})") from None
        finally:
            conn.close()
    images = 0
    for n, (nid, guid, mid, tags, flds) in enumerate(rows, 1):
        fields = (flds or "").split("\x1f")
        nt_name, is_cloze, n_templates = types.get(mid, ("", False, 1))
        if len(rows) == 1 and "Please update to the latest Anki version" in fields[0]:
            raise UserError(f"{name}: this package holds only Anki's 'please update' note; export it again with 'Support older Anki versions' ticked")
        images += any(IMAGE_RE.search(f) for f in fields[:2])
        front = from_anki(fields[0], is_html=True)
        back = from_anki(fields[1], is_html=True) if len(fields) > 1 else ""
        if not front:
            result.problems.append(Problem(name, n, f"note {n} ({nt_name or 'unknown type'}) has an empty first field; skipped"))
            continue
        if is_cloze or CLOZE_RE.search(front):
            notetype = "Cloze"
        elif n_templates >= 2:
            notetype = "Basic (and reversed card)"
        else:
            notetype = "Basic"
        deck = decks.get(deck_of.get(nid), "")
        result.notes.append(ImportedNote(n, notetype, front, back, deck, (tags or "").split(), guid or ""))
    if images:
        result.problems.append(Problem(name, 1, f"{images} note(s) show an image; media is not imported, so they read [图片]"))
    return result
