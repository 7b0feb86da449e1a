"""Parse one deck file (Markdown) into cards. Pure: text in, cards and problems out.

The format is documented in docs/decks.md. In short: front matter, then blocks separated by blank
lines (a blank line inside a fenced code block or a ``$$`` formula does not end a block). A block is
a heading, a ``source:`` line, a comment, or a note: ``Q:``/``A:``, ``front :: back``,
``front ::: back`` (two sibling cards) or a cloze note (``{{c1::…}}`` or ``==…==``, one sibling per
cloze number). Problems never stop the parse: each one is reported as ``path:line: message`` and the
rest of the file still loads.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

FRONT_MATTER_KEYS = {"id", "title", "chapter", "tags", "source", "description"}
FIELD_RE = re.compile(r"^(tags|id|source)\s*[:：]\s*(.*)$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```+|~~~+)")
DECK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
NOTE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
HIGHLIGHT_RE = re.compile(r"==(?=\S)(.+?)(?<=\S)==", re.S)
FIELD_STARTS = frozenset("tisTIS")
TAG_SPLIT_RE = re.compile(r"[,\s]+")
FM_LINE_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
INLINE_CODE_RE = re.compile(r"`[^`\n]*`")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
Q_RE = re.compile(r"^\s*Q\s*[:：]")
A_RE = re.compile(r"^\s*A\s*[:：]")
Q_PREFIX_RE = re.compile(r"^\s*Q\s*[:：]\s?")
A_PREFIX_RE = re.compile(r"^\s*A\s*[:：]\s?")
# Spans inside which `::` and cloze markers are not syntax: code and maths.
CODE_OR_MATH_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|\$\$.*?\$\$|(?<!\\)\$[^$\n]*?(?<!\\)\$", re.S)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(eq=False)
class Card:
    """One reviewable card. Siblings (the cards of one note) share ``line``."""

    kind: str  # basic | reversed | cloze
    ordinal: str  # "" for basic, "fwd"/"rev" for reversed, "c1"… for cloze
    front: str
    back: str
    line: int
    context: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    explicit_id: str = ""

    @functools.cached_property
    def front_key(self) -> str:
        return normalize(self.front)

    @functools.cached_property
    def back_key(self) -> str:
        return normalize(self.back)

    @functools.cached_property
    def fingerprint(self) -> str:
        raw = "\x1f".join((self.kind, self.ordinal, self.front_key, self.back_key))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


@dataclass
class Deck:
    path: str
    id: str = ""
    title: str = ""
    chapter: int | None = None
    tags: tuple[str, ...] = ()
    source: str = ""
    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.id) and not any(p.line == 1 and "front matter" in p.message for p in self.problems)


def normalize(text: str) -> str:
    """The identity key of a side: case, width and whitespace do not matter."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    return " ".join(text.split())


def _split_tags(value: str) -> tuple[str, ...]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    parts = TAG_SPLIT_RE.split(value)
    return tuple(p.lstrip("#") for p in parts if p.strip().lstrip("#"))


def _mask(text: str) -> str:
    """Blank out code and maths (same length), so syntax inside them is not seen."""
    if "`" not in text and "$" not in text and "~~~" not in text:
        return text
    return CODE_OR_MATH_RE.sub(lambda m: " " * len(m.group(0)), text)


def _parse_front_matter(lines: list[str], deck: Deck) -> int:
    """Fill ``deck`` from the front matter; returns the index of the first body line."""
    path = deck.path
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        deck.problems.append(Problem(path, i + 1 if i < len(lines) else 1, "missing front matter: the file must start with '---', then id, title and chapter"))
        return i
    start = i
    i += 1
    values: dict[str, tuple[str, int]] = {}
    while i < len(lines) and lines[i].strip() != "---":
        raw = lines[i]
        if raw.strip() and not raw.lstrip().startswith("#"):
            m = FM_LINE_RE.match(raw)
            if not m:
                deck.problems.append(Problem(path, i + 1, f"front matter: expected 'key: value', got {raw.strip()[:40]!r}"))
            else:
                values[m.group(1).lower()] = (m.group(2).strip().strip('"').strip("'"), i + 1)
        i += 1
    if i >= len(lines):
        deck.problems.append(Problem(path, start + 1, "front matter: no closing '---'"))
        return len(lines)
    for key, (value, line) in values.items():
        if key not in FRONT_MATTER_KEYS:
            deck.problems.append(Problem(path, line, f"front matter: unknown key '{key}' (known: {', '.join(sorted(FRONT_MATTER_KEYS))})"))
    if "id" not in values or not values["id"][0]:
        deck.problems.append(Problem(path, start + 1, "front matter: missing 'id'"))
    elif not DECK_ID_RE.match(values["id"][0]):
        deck.problems.append(Problem(path, values["id"][1], f"front matter: id {values['id'][0]!r} may hold only letters, digits, '-', '_' and '.'"))
    else:
        deck.id = values["id"][0]
    if "title" not in values or not values["title"][0]:
        deck.problems.append(Problem(path, start + 1, "front matter: missing 'title'"))
        deck.title = deck.id
    else:
        deck.title = values["title"][0]
    if "chapter" in values:
        value, line = values["chapter"]
        try:
            # "none": in no chapter of the book (a learner's own notes); 0 is the set-up material
            deck.chapter = None if value.strip().lower() == "none" else int(value)
            if deck.chapter is not None and deck.chapter < 0:
                raise ValueError
        except ValueError:
            deck.problems.append(Problem(path, line, f"front matter: chapter must be a whole number, got {value!r}"))
    else:
        deck.problems.append(Problem(path, start + 1, "front matter: missing 'chapter' (use 0 for material outside the book's chapters)"))
    if "tags" in values:
        deck.tags = _split_tags(values["tags"][0])
    if "source" in values:
        deck.source = values["source"][0]
    return i + 1


def _blocks(lines: list[str], first: int):
    """Yield (start_line_number, [lines]) for each block of the body."""
    block: list[str] = []
    start = 0
    fence = None
    in_math = False
    in_comment = False
    for idx in range(first, len(lines)):
        line = lines[idx]
        stripped = line.strip()
        if fence is None and not in_math and not in_comment:
            if not stripped:
                if block:
                    yield start, block
                    block = []
                continue
            if HEADING_RE.match(line) and not block:
                yield idx + 1, [line]
                continue
        if not block:
            start = idx + 1
        block.append(line)
        m = FENCE_RE.match(line)
        if fence is None and not in_comment:
            if m:
                fence = m.group(1)[0] * 3
            else:
                masked = INLINE_CODE_RE.sub("", line) if "`" in line else line
                if masked.count("$$") % 2 == 1:
                    in_math = not in_math
                if "<!--" in masked and "-->" not in masked.split("<!--", 1)[1]:
                    in_comment = True
        elif fence is not None and m and stripped.startswith(fence):
            fence = None
        elif in_comment and "-->" in line:
            in_comment = False
    if block:
        yield start, block


def _merge_code_blocks(blocks):
    """A block that is only a fenced code block belongs to the note above it (a blank line before a
    code fence is ordinary Markdown, not the end of the answer)."""
    previous = None
    for start, block in blocks:
        is_code = FENCE_RE.match(block[0]) is not None and len(block) > 1
        if is_code and previous is not None and not HEADING_RE.match(previous[1][0]):
            previous = (previous[0], previous[1] + [""] + block)
            continue
        if previous is not None:
            yield previous
        previous = (start, block)
    if previous is not None:
        yield previous


def _strip_comments(text: str) -> str:
    return COMMENT_RE.sub("", text) if "<!--" in text else text


def _cloze_cards(text: str, line: int, common: dict, path: str, problems: list[Problem]) -> list[Card]:
    """Expand a cloze note into one card per cloze number."""
    masked = _mask(text)
    # Convert ==x== to numbered clozes, in order, skipping the numbers already used.
    used = {int(m.group(1)) for m in CLOZE_RE.finditer(masked)}
    spans = [m.span() for m in HIGHLIGHT_RE.finditer(masked) if "{{" not in m.group(0)]
    if spans:
        out = []
        last = 0
        n = 0
        for a, b in spans:
            n += 1
            while n in used:
                n += 1
            out.append(text[last:a])
            out.append("{{c%d::%s}}" % (n, text[a + 2 : b - 2]))
            last = b
        out.append(text[last:])
        text = "".join(out)
        masked = _mask(text)
    # Find clozes in the masked text (so a `}}` inside maths does not end one), read them from the text.
    found = []
    for m in CLOZE_RE.finditer(masked):
        num = int(m.group(1))
        answer = text[m.start(2) : m.end(2)]
        hint = text[m.start(3) : m.end(3)] if m.group(3) is not None else ""
        found.append((m.start(), m.end(), num, answer, hint))
    if not found:
        problems.append(Problem(path, line, "cloze note without a cloze"))
        return []
    cards = []
    for num in sorted({f[2] for f in found}):
        front_parts, back_parts = [], []
        last = 0
        for a, b, n, answer, hint in found:
            front_parts.append(text[last:a])
            back_parts.append(text[last:a])
            if n == num:
                front_parts.append(f"[{hint}…]" if hint else "[…]")
                back_parts.append(f"**{answer.strip()}**")
            else:
                front_parts.append(answer)
                back_parts.append(answer)
            last = b
        front_parts.append(text[last:])
        back_parts.append(text[last:])
        front = "".join(front_parts).strip()
        back = "".join(back_parts).strip()
        if not answer_nonempty(found, num):
            problems.append(Problem(path, line, f"cloze c{num} is empty"))
            continue
        cards.append(Card(kind="cloze", ordinal=f"c{num}", front=front, back=back, line=line, **common))
    return cards


def answer_nonempty(found, num) -> bool:
    return any(f[3].strip() for f in found if f[2] == num)


def parse_deck(text: str, path: str = "<deck>") -> Deck:
    """Parse one deck file's text. Never raises on bad input: problems are collected."""
    deck = Deck(path=path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = _parse_front_matter(lines, deck)
    if not deck.id:
        return deck
    headings: list[tuple[int, str]] = []
    context = ""
    deck_tags = tuple(dict.fromkeys(deck.tags))
    sticky_source = deck.source
    seen_ids: dict[str, int] = {}
    seen_fronts: dict[tuple[str, str], int] = {}
    for start, block in _merge_code_blocks(_blocks(lines, first)):
        m = HEADING_RE.match(block[0]) if len(block) == 1 else None
        if m:
            level = len(m.group(1))
            headings = [(lvl, t) for lvl, t in headings if lvl < level] + [(level, m.group(2).strip())]
            context = " › ".join(t for _, t in headings)
            continue
        raw = _strip_comments("\n".join(block)).strip("\n")
        if not raw.strip():
            continue
        body_lines = raw.split("\n")
        # Trailing field lines (tags:, id:, source:), outside code.
        fields: dict[str, str] = {}
        while body_lines and body_lines[-1][:1] in FIELD_STARTS:
            fm = FIELD_RE.match(body_lines[-1].strip())
            if not fm or body_lines[-1].startswith((" ", "\t")):
                break
            key = fm.group(1)
            if key in fields:
                problems_line = start + len(body_lines) - 1
                deck.problems.append(Problem(path, problems_line, f"field '{key}' given twice"))
            fields[key] = fm.group(2).strip()
            body_lines.pop()
        body = "\n".join(body_lines).strip()
        if not body:
            if set(fields) == {"source"}:
                sticky_source = fields["source"]
            else:
                deck.problems.append(Problem(path, start, "field lines without a card (only a lone 'source:' line may stand alone)"))
            continue
        explicit_id = fields.get("id", "")
        if explicit_id and not NOTE_ID_RE.match(explicit_id):
            deck.problems.append(Problem(path, start, f"id {explicit_id!r} may hold only letters, digits, '-', '_', '.' and ':'"))
            explicit_id = ""
        if explicit_id:
            if explicit_id in seen_ids:
                deck.problems.append(Problem(path, start, f"id {explicit_id!r} is already used on line {seen_ids[explicit_id]}"))
                continue
            seen_ids[explicit_id] = start
        tags = tuple(dict.fromkeys(deck_tags + _split_tags(fields["tags"]))) if "tags" in fields else deck_tags
        common = dict(
            context=context,
            tags=tags,
            source=fields.get("source", sticky_source),
            explicit_id=explicit_id,
        )
        cards = _parse_note(body, start, common, path, deck.problems)
        for card in cards:
            key = (card.ordinal, card.front_key)
            if key in seen_fronts:
                deck.problems.append(Problem(path, start, f"duplicate card: the same front is on line {seen_fronts[key]}"))
                continue
            seen_fronts[key] = start
            deck.cards.append(card)
    return deck


def _parse_note(body: str, line: int, common: dict, path: str, problems: list[Problem]) -> list[Card]:
    first = body.split("\n", 1)[0]
    if Q_RE.match(first):
        return _basic_qa(body, line, common, path, problems)
    if "{{" not in body and "```" not in body and "~~~" not in body:
        at = _first_separator(body)
        if at >= 0:
            return _one_liner(body, at, line, common, path, problems)
        masked = cloze_masked = _mask(body)
    else:
        masked = _mask(body)
        cloze_masked = CLOZE_RE.sub(lambda m: " " * len(m.group(0)), masked) if "{{" in masked else masked
    if "::" in cloze_masked:
        return _one_liner(body, cloze_masked.index("::"), line, common, path, problems)
    if CLOZE_RE.search(masked) or HIGHLIGHT_RE.search(masked):
        return _cloze_cards(body, line, common, path, problems)
    if A_RE.match(first):
        problems.append(Problem(path, line, "'A:' without a 'Q:' before it"))
        return []
    problems.append(
        Problem(path, line, "not a card: expected 'Q:'/'A:', 'front :: back', 'front ::: back' or a cloze ({{c1::…}} or ==…==)")
    )
    return []


def _first_separator(body: str) -> int:
    """Index of the first ``::`` when nothing before it could open code or maths, else -1.

    A fast path for the common one-line card; anything less clear goes through ``_mask``.
    """
    at = body.find("::")
    if at >= 0 and "$" not in body[:at] and "`" not in body[:at]:
        return at
    return -1


def _one_liner(body: str, at: int, line: int, common: dict, path: str, problems: list[Problem]) -> list[Card]:
    if body.startswith(":::", at):
        front, back = body[:at].strip(), body[at + 3 :].strip()
        if not front or not back:
            problems.append(Problem(path, line, "reversed card needs text on both sides of ':::'"))
            return []
        return [
            Card(kind="reversed", ordinal="fwd", front=front, back=back, line=line, **common),
            Card(kind="reversed", ordinal="rev", front=back, back=front, line=line, **common),
        ]
    front, back = body[:at].strip(), body[at + 2 :].strip()
    if not front or not back:
        problems.append(Problem(path, line, "card needs text on both sides of '::'"))
        return []
    return [Card(kind="basic", ordinal="", front=front, back=back, line=line, **common)]


def _basic_qa(body: str, line: int, common: dict, path: str, problems: list[Problem]) -> list[Card]:
    lines = body.split("\n")
    fence = None
    answer_at = None
    for i, text in enumerate(lines):
        m = FENCE_RE.match(text)
        if m:
            fence = None if fence else m.group(1)[0]
            continue
        if fence is None and i > 0 and A_RE.match(text):
            answer_at = i
            break
    if answer_at is None:
        problems.append(Problem(path, line, "'Q:' without an 'A:'"))
        return []
    q = "\n".join(lines[:answer_at])
    a = "\n".join(lines[answer_at:])
    q = Q_PREFIX_RE.sub("", q, count=1).strip()
    a = A_PREFIX_RE.sub("", a, count=1).strip()
    if not q:
        problems.append(Problem(path, line, "empty question after 'Q:'"))
        return []
    if not a:
        problems.append(Problem(path, line + answer_at, "empty answer after 'A:'"))
        return []
    return [Card(kind="basic", ordinal="", front=q, back=a, line=line, **common)]
