"""Anki's plain-text notes layout: ``learndl export --csv`` and ``learndl import --csv``.

Export writes the file headers Anki reads (``#separator:tab``, ``#html:false``, ``#guid column:1``,
``#notetype column:2``, ``#deck column:3``, ``#tags column:6``), then one note a row: GUID, note
type (Basic, Basic (and reversed card), Cloze), deck, the two fields and the tags. Maths is MathJax.
Fields with a tab, a quote or a line break are quoted, as Anki expects.

Import reads such a file (from learndl, or exported from Anki with *Notes in Plain Text*): any
separator Anki names (tab, comma, semicolon, pipe, colon, space), ``#html:true`` or false, the
column headers, or without headers: front, back, then tags. It writes a deck file that
``parse_deck`` reads: one heading per Anki deck; the GUID, when there is one, pins each note's
identity (``id: anki-…``), so importing an edited export again keeps the cards' progress.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from ..deckparse import CLOZE_RE, Problem
from .fields import AnkiNote, anki_tags, from_anki, to_anki

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "colon": ":", "space": " "}


def write_csv(notes: list[AnkiNote]) -> str:
    buf = io.StringIO()
    buf.write("#separator:tab\n#html:false\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n")
    writer = csv.writer(buf, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    for note in notes:
        cloze = note.notetype == "Cloze"
        writer.writerow(
            [
                f"learndl-{note.note_id}",
                note.notetype,
                f"learndl::{note.deck_title}",
                to_anki(note.fields[0], as_html=False, cloze=cloze),
                to_anki(note.fields[1], as_html=False, cloze=cloze),
                " ".join(anki_tags(note)),
            ]
        )
    return buf.getvalue()


@dataclass
class ImportedNote:
    line: int
    notetype: str
    front: str
    back: str
    deck: str = ""
    tags: list[str] = field(default_factory=list)
    guid: str = ""


@dataclass
class CsvResult:
    notes: list[ImportedNote] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    history: object | None = None  # an .apkg's schedules and review log (anki_tables.AnkiHistory)


def read_csv(text: str, name: str) -> CsvResult:
    """Parse Anki plain text; never raises on bad rows (they become problems)."""
    result = CsvResult()
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    first = 0
    while first < len(lines) and lines[first].startswith("#") and ":" in lines[first]:
        key, _, value = lines[first][1:].partition(":")
        headers[key.strip().lower()] = value.strip()
        first += 1
    sep_name = headers.get("separator", "tab").lower()
    sep = SEPARATORS.get(sep_name, sep_name if len(sep_name) == 1 else None)
    if sep is None:
        result.problems.append(Problem(name, 1, f"unknown separator {sep_name!r}; reading as tab"))
        sep = "\t"
    is_html = headers.get("html", "false").lower() == "true"

    def column(key: str) -> int | None:
        try:
            return int(headers[key]) - 1 if key in headers else None
        except ValueError:
            result.problems.append(Problem(name, 1, f"'#{key}' must be a column number"))
            return None

    special = {k: column(f"{k} column") for k in ("guid", "notetype", "deck", "tags")}
    body = "\n".join(lines[first:])
    reader = csv.reader(io.StringIO(body), delimiter=sep, quotechar='"')
    line_of_row = first + 1
    while True:
        start = first + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append(Problem(name, start, f"unreadable row: {exc}"))
            break
        line_of_row = start
        if not row or all(not c.strip() for c in row):
            continue
        taken = {i for i in special.values() if i is not None}
        fields_ = [c for i, c in enumerate(row) if i not in taken]
        tags_col = special["tags"]
        if tags_col is None and "tags column" not in headers and len(fields_) >= 3 and not headers:
            tags_col = None
            tags = fields_[2].split()
        else:
            tags = row[tags_col].split() if tags_col is not None and tags_col < len(row) else []

        def get(key: str) -> str:
            i = special[key]
            return row[i].strip() if i is not None and i < len(row) else ""

        if len(fields_) < 1 or not fields_[0].strip():
            result.problems.append(Problem(name, line_of_row, "a row without a first field; skipped"))
            continue
        front = from_anki(fields_[0], is_html=is_html)
        back = from_anki(fields_[1], is_html=is_html) if len(fields_) > 1 else ""
        notetype = get("notetype") or ("Cloze" if CLOZE_RE.search(front) else "Basic")
        result.notes.append(ImportedNote(line_of_row, notetype, front, back, get("deck"), tags, get("guid")))
    return result


def note_id_for_guid(guid: str) -> str:
    """The ``id:`` of the deck note made from the Anki note with this GUID (the same on every import)."""
    return "anki-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:12]


def to_proposals(result: CsvResult, name: str):
    """The imported notes as notes-import proposals (one heading per Anki deck)."""
    from ..notes import Proposal, heading_shown

    out = []
    for note in result.notes:
        deck = note.deck.split("::")[-1].strip() if note.deck else ""
        headings = ((1, heading_shown(deck)),) if deck else ()
        kind = "cloze" if "cloze" in note.notetype.lower() else "reversed" if "revers" in note.notetype.lower() else "basic"
        if kind == "cloze":
            extra = f"\n{note.back}" if note.back.strip() else ""
            front, back = "", note.front + extra
        else:
            if not note.back.strip():
                result.problems.append(Problem(name, note.line, "a card without a back; skipped"))
                continue
            front, back = note.front, note.back
        note_id = note_id_for_guid(note.guid) if note.guid else ""
        tags = tuple(t for t in note.tags if not t.startswith(("learndl::", "d2l::")) and re.match(r"^[\w.:-]+$", t))
        out.append(Proposal(kind, "anki", front, back, name, note.line, headings, deck, True, tags=tags, note_id=note_id))
    return out
