"""Cards as Anki notes, and Anki fields as deck text.

learndl stores one row per card; Anki stores notes with fields. ``anki_notes`` groups the cards
back into notes: a basic card is a *Basic* note, the two siblings of a reversed card one *Basic (and
reversed card)* note, the siblings of a cloze note one *Cloze* note whose text is read from the deck
file (``{{c1::…}}``, with ``==…==`` numbered as the deck parser numbers them).

Maths becomes MathJax, which Anki renders: ``$…$`` → ``\\(…\\)`` and ``$$…$$`` → ``\\[…\\]``; inside a
cloze a ``}}`` in maths is written ``} }`` so it does not end the cloze (Anki's own advice), and
reading back undoes both.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..deckparse import CLOZE_RE, FIELD_RE

SEGMENT_RE = re.compile(
    r"(?P<fence>^[ \t]*(?P<ftick>```+|~~~+)[^\n]*\n.*?^[ \t]*(?P=ftick)[ \t]*$)"
    r"|(?P<code>`[^`\n]+`)"
    r"|(?P<dmath>\$\$.+?\$\$)"
    r"|(?P<imath>(?<![\\$])\$[^$\n]+?(?<!\\)\$)",
    re.S | re.M,
)
MATHJAX_RE = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\[\$\$\](.+?)\[/\$\$\]|\[\$\](.+?)\[/\$\]", re.S)


@dataclass
class AnkiNote:
    note_id: str
    notetype: str  # Basic | Basic (and reversed card) | Cloze
    fields: list[str]  # markdown: [front, back] or [cloze text, extra]
    deck_id: str
    deck_title: str
    chapter: int | None
    tags: list[str] = field(default_factory=list)
    context: str = ""
    source: str = ""
    cards: list[tuple[int, dict]] = field(default_factory=list)  # (Anki card ordinal, learndl card row)


def _math(body: str, display: bool, in_cloze: bool) -> str:
    if in_cloze:
        while "}}" in body:
            body = body.replace("}}", "} }")
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def to_anki(text: str, *, as_html: bool, cloze: bool = False) -> str:
    """Deck markdown → an Anki field: MathJax maths; HTML (code, bold, line breaks) when ``as_html``."""
    out = []
    last = 0
    for m in SEGMENT_RE.finditer(text):
        out.append(_plain(text[last : m.start()], as_html))
        last = m.end()
        if m.group("fence"):
            if as_html:
                body = m.group("fence").strip("\n").split("\n")
                lang = body[0].strip().lstrip("`~").strip()
                code = "\n".join(body[1:-1])
                cls = f' class="language-{html.escape(lang)}"' if lang else ""
                out.append(f"<pre><code{cls}>{html.escape(code)}</code></pre>")
            else:
                out.append(m.group("fence"))
        elif m.group("code"):
            out.append(f"<code>{html.escape(m.group('code')[1:-1])}</code>" if as_html else m.group("code"))
        elif m.group("dmath"):
            body = m.group("dmath")[2:-2].strip()
            out.append(_math(html.escape(body, quote=False) if as_html else body, True, cloze))
        else:
            body = m.group("imath")[1:-1]
            out.append(_math(html.escape(body, quote=False) if as_html else body, False, cloze))
    out.append(_plain(text[last:], as_html))
    return "".join(out)


def _plain(text: str, as_html: bool) -> str:
    if not as_html:
        return text
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text, flags=re.S)
    return text.replace("\n", "<br>")


def from_anki(text: str, *, is_html: bool) -> str:
    """An Anki field → deck markdown: MathJax and Anki LaTeX back to ``$``; HTML to text."""
    if is_html:
        text = re.sub(r"<pre><code(?: class=\"language-([\w+-]*)\")?>(.*?)</code></pre>", lambda m: f"\n```{m.group(1) or ''}\n{m.group(2)}\n```\n", text, flags=re.S)
        text = re.sub(r"<code>(.*?)</code>", r"`\1`", text, flags=re.S)
        text = re.sub(r"<br\s*/?>|</div>|</p>", "\n", text, flags=re.I)
        text = re.sub(r"<(b|strong)>(.*?)</\1>", r"**\2**", text, flags=re.S | re.I)
        text = re.sub(r"<img\b[^>]*>", "[图片]", text, flags=re.I)
        text = re.sub(r"<[^>]+>", "", text)
        text = html.unescape(text)
        text = re.sub(r"\n{2,}", "\n", text)  # the newlines the tag conversions above add

    def back(m: re.Match) -> str:
        inline = m.group(1) if m.group(1) is not None else m.group(4)
        body = inline if inline is not None else (m.group(2) if m.group(2) is not None else m.group(3))
        body = body.replace("} }", "}}")
        return f"${body}$" if inline is not None else f"$${body}$$"

    text = MATHJAX_RE.sub(back, text)
    return text.strip()  # blank lines are settled when the note is written (notes.text.safe_block)


# ---------------------------------------------------------------- cards → notes


def cloze_source(path: str, line: int) -> str | None:
    """The text of the cloze note that starts at ``path:line``, with numbered clozes; None if gone."""
    from ..notes.explicit import numbered_clozes as _numbered_clozes

    try:
        lines = Path(path).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if not 1 <= line <= len(lines):
        return None
    block = []
    fence = False
    for text in lines[line - 1 :]:
        if not text.strip() and not fence:
            break
        if re.match(r"^\s*(```|~~~)", text):
            fence = not fence
        block.append(text)
    body = re.sub(r"<!--.*?-->", "", "\n".join(block), flags=re.S).strip("\n").split("\n")
    while body and FIELD_RE.match(body[-1].strip()) and not body[-1].startswith((" ", "\t")):
        body.pop()
    text = _numbered_clozes("\n".join(body).strip())
    return text if CLOZE_RE.search(text) else None


def anki_notes(cards: list[dict]) -> tuple[list[AnkiNote], int]:
    """Group card rows into Anki notes; also the number of cloze notes written as Basic (file gone)."""
    groups: dict[str, list[dict]] = {}
    for card in cards:
        groups.setdefault(card["note_id"], []).append(card)
    notes, fallback = [], 0
    for note_id, siblings in groups.items():
        first = siblings[0]
        tags = [t for t in (first["tags"] or "").split() if t]
        common = dict(
            note_id=note_id, deck_id=first["deck_id"], deck_title=first.get("deck_title") or first["deck_id"],
            chapter=first["chapter"], tags=tags, context=first["context"] or "", source=first["source"] or "",
        )
        kind = first["kind"]
        if kind == "cloze":
            text = cloze_source(first["path"], first["line"]) if first.get("path") else None
            if text:
                cards = [(int(c["ordinal"][1:]) - 1, c) for c in siblings if c["ordinal"][1:].isdigit()]
                notes.append(AnkiNote(notetype="Cloze", fields=[text, ""], cards=cards, **common))
                continue
            fallback += 1
            for card in siblings:
                notes.append(AnkiNote(notetype="Basic", fields=[card["front"], card["back"]], cards=[(0, card)],
                                      **{**common, "note_id": card["id"]}))
            continue
        if kind == "reversed":
            cards = [(0 if c["ordinal"] == "fwd" else 1, c) for c in siblings]
            fwd = next((c for c in siblings if c["ordinal"] == "fwd"), None)
            if fwd is None:  # only the reverse side is left: its back is the note's front
                rev = siblings[0]
                notes.append(AnkiNote(notetype="Basic (and reversed card)", fields=[rev["back"], rev["front"]], cards=cards, **common))
            else:
                notes.append(AnkiNote(notetype="Basic (and reversed card)", fields=[fwd["front"], fwd["back"]], cards=cards, **common))
            continue
        notes.append(AnkiNote(notetype="Basic", fields=[first["front"], first["back"]], cards=[(0, first)], **common))
    return notes, fallback


def chapter_tag(chapter: int | None) -> str:
    return f"ch{chapter:02d}" if chapter is not None else "ch-none"


def anki_tags(note: AnkiNote) -> list[str]:
    """Anki tags: the chapter (``d2l::ch03``), the deck, and the card's own tags."""
    tags = [f"d2l::{chapter_tag(note.chapter)}", f"learndl::{note.deck_id}"] + note.tags
    return list(dict.fromkeys(re.sub(r"\s+", "_", t) for t in tags if t))
