"""``learndl export --anki FILE.apkg``: an Anki package through genanki.

One Anki deck per learndl deck (``learndl::<title>``), three note types with fixed ids (so a second
export updates the notes Anki already has instead of duplicating them): Basic, Basic (and reversed
card) and Cloze, each with Context and Source fields. Note GUIDs come from learndl's note ids. Maths
is MathJax; tags carry the chapter (``d2l::ch03``) and the deck (``learndl::ch03-linear-networks``).
genanki writes every card new; with progress, the collection inside the package is then given each
card's schedule and review log (``anki_history.export_history``) before the package is closed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .fields import AnkiNote, anki_tags, to_anki

# Fixed ids: Anki recognises the note types and decks again on the next import.
MODEL_IDS = {"Basic": 1607392319, "Basic (and reversed card)": 1607392320, "Cloze": 1607392321}
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.context { color: #888; font-size: 14px; margin-bottom: 8px; }
.source { color: #aaa; font-size: 12px; margin-top: 12px; }
code, pre { font-family: monospace; font-size: 16px; }
.cloze { font-weight: bold; color: blue; }"""
CONTEXT = "{{#Context}}<div class=context>{{Context}}</div>{{/Context}}"
SOURCE = "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"


def _models():
    import genanki

    basic_fields = [{"name": "Front"}, {"name": "Back"}, {"name": "Context"}, {"name": "Source"}]
    basic = genanki.Model(
        MODEL_IDS["Basic"],
        "learndl Basic",
        fields=basic_fields,
        templates=[{"name": "Card 1", "qfmt": CONTEXT + "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + SOURCE}],
        css=CSS,
    )
    reversed_ = genanki.Model(
        MODEL_IDS["Basic (and reversed card)"],
        "learndl Basic (and reversed card)",
        fields=basic_fields,
        templates=[
            {"name": "Card 1", "qfmt": CONTEXT + "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + SOURCE},
            {"name": "Card 2", "qfmt": CONTEXT + "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + SOURCE},
        ],
        css=CSS,
    )
    cloze = genanki.Model(
        MODEL_IDS["Cloze"],
        "learndl Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Context"}, {"name": "Source"}],
        templates=[{"name": "Cloze", "qfmt": CONTEXT + "{{cloze:Text}}", "afmt": CONTEXT + "{{cloze:Text}}<br>{{Back Extra}}" + SOURCE}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )
    return {"Basic": basic, "Basic (and reversed card)": reversed_, "Cloze": cloze}


def stable_id(text: str) -> int:
    """A 31-bit id that is the same for the same text on every run."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) & 0x7FFFFFFF | 1 << 30


def write_apkg(notes: list[AnkiNote], target: Path, history=None) -> dict[str, int]:
    """Write the package; returns counts of notes per note type.

    ``history`` (a callable taking the collection's sqlite connection and each card's (GUID, Anki
    ordinal, learndl card row)) adds the schedules and the review log before the package is closed.
    """
    import genanki

    models = _models()
    decks: dict[str, genanki.Deck] = {}
    counts: dict[str, int] = {}
    for note in notes:
        deck = decks.get(note.deck_id)
        if deck is None:
            deck = decks[note.deck_id] = genanki.Deck(stable_id("learndl-deck:" + note.deck_id), f"learndl::{note.deck_title}")
        cloze = note.notetype == "Cloze"
        fields = [to_anki(f, as_html=True, cloze=cloze) for f in note.fields]
        fields += [to_anki(note.context, as_html=True), to_anki(note.source, as_html=True)]
        deck.add_note(
            genanki.Note(
                model=models[note.notetype],
                fields=fields,
                tags=anki_tags(note),
                guid=genanki.guid_for("learndl", note.note_id),
            )
        )
        counts[note.notetype] = counts.get(note.notetype, 0) + 1
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    genanki.Package(list(decks.values())).write_to_file(str(tmp))
    if history is not None:
        placed = [(genanki.guid_for("learndl", n.note_id), ord_, card) for n in notes for ord_, card in n.cards]
        _rewrite_collection(tmp, lambda conn: history(conn, placed))
    tmp.replace(target)
    return counts


def _rewrite_collection(package: Path, change) -> None:
    """Open the package's collection.anki2, let ``change`` write to it, and put it back in the zip."""
    import sqlite3
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="learndl-apkg-") as tmp:
        db_file = Path(tmp) / "collection.anki2"
        with zipfile.ZipFile(package) as zf:
            members = {name: zf.read(name) for name in zf.namelist()}
        db_file.write_bytes(members["collection.anki2"])
        conn = sqlite3.connect(db_file)
        try:
            with conn:
                change(conn)
        finally:
            conn.close()
        members["collection.anki2"] = db_file.read_bytes()
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
