"""``learndl export --anki FILE.apkg``: an Anki package through genanki.

One Anki deck per learndl deck (``learndl::<title>``), three note types with fixed ids (so a second
export updates the notes Anki already has instead of duplicating them): Basic, Basic (and reversed
card) and Cloze, each with Context and Source fields. Note GUIDs come from learndl's note ids. Maths
is MathJax; tags carry the chapter (``d2l::ch03``) and the deck (``learndl::ch03-linear-networks``).
genanki writes every card new; with progress, the collection inside the package is then given each
card's schedule, FSRS memory state and review log (``export_history``; what Anki's columns mean is in
``anki_tables``) before the package is closed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..scheduler import State, parse_ts, study_day
from .anki_tables import (
    QUEUE_DAY_LEARN,
    QUEUE_LEARN,
    QUEUE_NEW,
    QUEUE_REVIEW,
    QUEUE_SUSPENDED,
    QUEUE_USER_BURIED,
    REVLOG_LEARN,
    REVLOG_RELEARN,
    REVLOG_REVIEW,
    day_start,
    ease_from_difficulty,
)
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


# ---------------------------------------------------------------- schedules and review log


def _ms(ts: datetime) -> int:
    return int(round(ts.timestamp() * 1000))


@dataclass
class ExportCard:
    """A learndl card as it goes to Anki: where it sits in the package, its schedule and its reviews."""

    guid: str
    ord: int
    row: dict  # the learndl card row (state, step, stability, difficulty, due, last_review, reps, …)
    reviews: list[dict] = field(default_factory=list)  # learndl review rows, oldest first


def export_history(
    conn: sqlite3.Connection, cards: list[ExportCard], now: datetime, *, day_starts_hour: int,
    desired_retention: float, learning_steps: int, relearning_steps: int, decay: float, tz=None,
) -> tuple[int, int]:
    """Give the cards of a genanki collection learndl's schedules and review log; (cards, reviews) written.

    The collection's creation day becomes the first study day with a review (or today), at learndl's
    day start, so every due day is a positive day number; Anki converts them when it imports.
    """
    reviewed = [parse_ts(r["ts"]) for c in cards for r in c.reviews[:1]]
    first = min(reviewed + [now])
    first_day = date.fromisoformat(study_day(first, day_starts_hour, tz))
    crt_start = day_start(first_day, day_starts_hour, tz)
    conn.execute("update col set crt = ?", [int(crt_start.timestamp())])
    conf = json.loads(conn.execute("select conf from col").fetchone()[0] or "{}")
    conf["rollover"] = day_starts_hour
    # Without it Anki takes the package for one from its first scheduler, whose learning cards had
    # three buttons, and raises every learning answer's rating by one when it imports the review log.
    conf["schedVer"] = 2
    conn.execute("update col set conf = ?", [json.dumps(conf)])
    anki_ids = {(guid, ord_): cid for cid, guid, ord_ in conn.execute("select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid")}
    taken: set[int] = set()
    today = date.fromisoformat(study_day(now, day_starts_hour, tz))

    def day_number(ts: datetime) -> int:
        return (date.fromisoformat(study_day(ts, day_starts_hour, tz)) - first_day).days

    n_cards = n_reviews = 0
    for card in cards:
        cid = anki_ids.get((card.guid, card.ord))
        if cid is None:
            continue
        row = card.row
        state = int(row.get("state") or 0)
        due, last = parse_ts(row.get("due")), parse_ts(row.get("last_review"))
        if due is None or last is None:  # never reviewed (or a state without times): Anki gets it new
            state = State.NEW
        if state == State.NEW and not row.get("suspended"):
            continue  # genanki wrote it new; nothing to add
        values = {"mod": int(now.timestamp()), "usn": -1, "reps": int(row.get("reps") or 0), "lapses": int(row.get("lapses") or 0)}
        if state == State.NEW:
            values.update(type=0, queue=QUEUE_NEW)
        else:
            data = {"s": round(row["stability"], 4), "d": round(row["difficulty"], 3), "dr": desired_retention,
                    "decay": round(decay, 4), "lrt": int(last.timestamp())} if row.get("stability") and last else {}
            values.update(type=state, factor=2500, data=json.dumps(data, separators=(",", ":")) if data else "")
            if state == State.REVIEW:
                values.update(queue=QUEUE_REVIEW, due=day_number(due), ivl=max(1, day_number(due) - day_number(last)), left=0)
            else:
                steps = learning_steps if state == State.LEARNING else relearning_steps
                left = max(1, steps - int(row.get("step") or 0))
                if due - last < timedelta(days=1):
                    values.update(queue=QUEUE_LEARN, due=int(due.timestamp()), left=left)
                else:
                    values.update(queue=QUEUE_DAY_LEARN, due=day_number(due), left=left)
                values["ivl"] = 0 if state == State.LEARNING else max(1, round((due - last).total_seconds() / 86400))
        buried = (row.get("buried_until") or "") >= today.isoformat()
        if row.get("suspended"):
            values["queue"] = QUEUE_SUSPENDED
        elif buried:
            values["queue"] = QUEUE_USER_BURIED
        conn.execute(f"update cards set {', '.join(f'{k} = ?' for k in values)} where id = ?", [*values.values(), cid])
        n_cards += 1
        last_ivl = 0
        for review in card.reviews:
            ts = parse_ts(review["ts"])
            rid = _ms(ts)
            while rid in taken:
                rid += 1
            taken.add(rid)
            after = parse_ts(review.get("due"))
            if after is None:
                ivl = 0
            elif review.get("state") == State.REVIEW:
                ivl = max(1, round((after - ts).total_seconds() / 86400))
            else:
                ivl = -max(1, round((after - ts).total_seconds()))
            kind = {State.REVIEW: REVLOG_REVIEW, State.RELEARNING: REVLOG_RELEARN}.get(review.get("prev_state"), REVLOG_LEARN)
            conn.execute(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                [rid, cid, int(review["rating"]), ivl, last_ivl, ease_from_difficulty(review.get("difficulty")),
                 max(0, int(review.get("duration_ms") or 0)), kind],
            )
            last_ivl = ivl
            n_reviews += 1
    return n_cards, n_reviews


def exporter(reviews_by_card: dict[str, list[dict]], now: datetime, settings, tz=None):
    """The ``history`` step for ``anki.write_apkg``: a callable, and the (cards, reviews) it wrote."""
    import fsrs.scheduler

    parameters = tuple(settings.fsrs_parameters) or tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
    written = [0, 0]

    def step(conn: sqlite3.Connection, placed: list[tuple[str, int, dict]]) -> None:
        cards = [
            ExportCard(guid, ord_, row, [r for r in reviews_by_card.get(row["id"], []) if (r.get("kind") or "review") == "review"])
            for guid, ord_, row in placed
        ]
        written[:] = export_history(
            conn, cards, now, day_starts_hour=settings.day_starts_hour, desired_retention=settings.desired_retention,
            learning_steps=len(settings.learning_steps_minutes), relearning_steps=len(settings.relearning_steps_minutes),
            decay=parameters[20] if len(parameters) > 20 else 0.5, tz=tz,
        )

    return step, written
