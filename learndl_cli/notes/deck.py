"""Writing proposals as a deck file (docs/decks.md), and naming the deck.

``render_deck`` writes the proposals so that ``parse_deck`` reads back exactly these cards;
re-rendering unchanged notes gives the same text, so a re-import keeps every unchanged card's
identity and progress. The file opens with a comment holding a hash of what was written (to tell a
hand-edited deck) and the notes files it was written from (to tell a deck id that belongs to other
notes: an id collision must never replace a deck).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePath

from .model import NotesResult
from .text import one_line as _one_line
from .text import safe_block as _safe_block

HASH_MARK = "learndl-notes-import"


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return text or "notes"



def deck_id_for(stem: str) -> str:
    """The deck id for a notes file named ``stem``: ``notes-<stem>`` when the stem is a valid id as
    it is, else the ASCII left of it plus a short hash of the whole name, so that names the slug
    cannot tell apart (``线性回归`` and ``多层感知机``, ``a b`` and ``a-b``) get different ids."""
    stem = unicodedata.normalize("NFC", stem)
    s = slug(stem)
    if s == stem:
        return "notes-" + s
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]
    return f"notes-{digest}" if s == "notes" else f"notes-{s}-{digest}"


def render_deck(
    results: list[NotesResult],
    *,
    deck_id: str,
    title: str,
    chapter: int | None = 0,
    tags: tuple[str, ...] = ("notes",),
    origin: str = "",
    tool: str = "learndl notes import",
) -> str:
    """The deck file for ``results`` (one or more notes files), in the deck format. ``chapter``
    None writes ``chapter: none``: the learner's own notes, in no chapter of the book."""
    body: list[str] = []
    for result in results:
        name = result.path.replace("\\", "/").rsplit("/", 1)[-1]
        shown: tuple[tuple[int, str], ...] = ()
        source = None
        if len(results) > 1:
            shown = ((1, name),)
            body.append(f"# {name}")
        for p in result.proposals:
            path = (((1, name),) + tuple((lv + 1, t) for lv, t in p.headings)) if len(results) > 1 else p.headings
            common = 0
            while common < min(len(shown), len(path)) and shown[common] == path[common]:
                common += 1
            for lv, t in path[common:]:
                body.append(f"{'#' * min(lv, 6)} {_safe_block(_one_line(t))}")
            shown = path
            src = f"{name} § {_safe_block(_one_line(p.heading_raw))}" if p.heading_raw else name
            if src != source:
                body.append(f"source: {src}")
                source = src
            body.append(f"<!-- {name}:{p.line} -->\n{p.note_text()}")
    text_body = "\n\n".join(body) + "\n"
    head = (
        "---\n"
        f"id: {deck_id}\n"
        f"title: {_one_line(title)}\n"
        f"chapter: {'none' if chapter is None else chapter}\n"
        f"tags: [{', '.join(tags)}]\n"
        "---\n\n"
    )
    digest = hashlib.sha1(text_body.encode("utf-8")).hexdigest()[:16]
    note = (
        f"<!-- {HASH_MARK} {digest}: written by `{tool}`{(' from ' + _one_line(origin)) if origin else ''}. "
        "Edit freely; a later import of the same notes into this deck refuses to overwrite your edits unless you pass --force. -->\n\n"
    )
    return head + note + text_body


def edited_since_import(text: str) -> bool | None:
    """None: not written by notes import; False: unchanged since; True: edited by hand."""
    m = re.search(r"<!-- " + HASH_MARK + r" ([0-9a-f]{16}):.*?-->\n\n", text, re.S)
    if not m:
        return None
    rest = text[m.end() :]
    return hashlib.sha1(rest.encode("utf-8")).hexdigest()[:16] != m.group(1)


def written_from(text: str) -> list[str] | None:
    """The paths of the notes a deck was written from, as recorded (None: not written by an import)."""
    m = re.search(r"<!-- " + HASH_MARK + r" [0-9a-f]{16}: written by `[^`]*`(?: from (.*?))?\. Edit freely", text[:20000], re.S)
    if not m:
        return None
    return sorted(p.strip() for p in (m.group(1) or "").split(", ") if p.strip())


def collision(before: list[str], now: list[str]) -> str:
    """How the notes ``now`` relate to the notes ``before`` a deck was written from: "" (the same
    notes: a path in common), "moved" (no path in common, a file name in common: the same notes
    moved, or other notes of the same name) or "other" (other notes)."""
    if not before or set(before) & set(now):
        return ""
    if {PurePath(p).name for p in before} & {PurePath(p).name for p in now}:
        return "moved"
    return "other"
