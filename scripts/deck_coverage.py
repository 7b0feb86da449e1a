#!/usr/bin/env python3
"""Which sections of the learners' notes have flashcards, and how many.

Reads every notes file (``*.txt`` listed in the notes folder, default ``<repo>/../shared/notes``),
lists every section that has content, counts the cards in ``decks/*.md`` whose ``source:`` names that
file and heading, and writes ``docs/coverage.md``. With ``--check`` it exits 1 and lists every section
with content but no card.

This is deliberately regex-level: it follows the block structure of docs/decks.md closely enough to
attribute cards to sources, without depending on learndl's own deck parser.

Rules (repeated in the header of docs/coverage.md):

* A *section* is a Markdown heading (``#`` … ``######`` at the start of a line, outside fenced code)
  and the lines under it up to the next heading of any level.  Sub-headings are their own sections.
* A section *has content* if at least one line under it still holds text after removing images
  (``![..](..)``, ``<img>``), HTML tags, bare image names (``image-2025…``), ``[toc]``, horizontal
  rules, and list/quote markers.  A section whose remaining lines are mostly links (more than half
  of them hold a URL or "(opens new window)") is a link list and counts as navigation, not content.
  A handful of sections are personal boilerplate (reading progress, a to-do list, a copyright notice,
  a call for contributions); they are listed in ``BOILERPLATE`` below with the reason, and shown in
  the table as excluded.
* *Heading matching*: the heading in ``source: FILE § HEADING`` and the heading in the notes are both
  normalised — NFKC, leading ``#`` marks dropped, Markdown links reduced to their text, backticks,
  ``*`` and ``=`` emphasis marks dropped, emoji and other symbol characters dropped, whitespace
  collapsed, case folded — and compared for equality.  A source names a section only if the file name
  matches exactly.
* *Counting cards*: a ``Q:``/``A:`` note or a ``front :: back`` note is one card, a ``front ::: back``
  note is two, a cloze note is one card per distinct ``{{cN::…}}`` number plus one per ``==…==``.
* *The book*: the notes stop at chapter 12, so the decks for the later chapters cite the book itself,
  ``source: 动手学深度学习 § 13.4 锚框``.  ``BOOK_SECTIONS`` lists the sections of those chapters (2nd
  Chinese edition, PyTorch); a book source names a section when its number is one of them and the
  title after the number matches (normalised as above, and with all spaces dropped).  Every listed
  section counts as content: a section with no card is a gap.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = Path(os.environ.get("LEARNDL_NOTES") or REPO.parent / "shared" / "notes")
DEFAULT_DECKS = REPO / "decks"
DEFAULT_OUT = REPO / "docs" / "coverage.md"

# (file, normalised-or-raw heading) -> why it is not counted as content.
BOILERPLATE: dict[tuple[str, str], str] = {
    ("000_002ad2f2ec058204.txt", "LearnDL 学习记录"): "title and personal motivation only",
    ("001_be39f49007e94a70.txt", "深度学习系统学习记录"): "title banner only",
    ("001_be39f49007e94a70.txt", "详细项目结构"): "one-line lead-in to its sub-sections",
    ("001_be39f49007e94a70.txt", "项目特色与优势"): "the project's own selling points",
    ("001_be39f49007e94a70.txt", "数据集相关"): "download link and password for that project's data",
    ("001_be39f49007e94a70.txt", "贡献与反馈"): "call for contributions",
    ("001_be39f49007e94a70.txt", "更新计划"): "the project's own road map",
    ("003_816abda704e3b2e3.txt", "版权声明"): "copyright notice",
    ("003_816abda704e3b2e3.txt", "TODO"): "personal reading schedule",
    ("003_816abda704e3b2e3.txt", "References"): "bibliography entry",
    ("004_7e95ace3688a3220.txt", "阅读进度"): "personal reading progress",
}

BOOK = "动手学深度学习"
# The book's sections that no notes file reaches: (number, title), 2nd Chinese edition.
BOOK_SECTIONS: list[tuple[str, str]] = [
    ("13", "计算机视觉"),
    ("13.1", "图像增广"),
    ("13.2", "微调"),
    ("13.3", "目标检测和边界框"),
    ("13.4", "锚框"),
    ("13.5", "多尺度目标检测"),
    ("13.6", "目标检测数据集"),
    ("13.7", "单发多框检测（SSD）"),
    ("13.8", "区域卷积神经网络（R-CNN）系列"),
    ("13.9", "语义分割和数据集"),
    ("13.10", "转置卷积"),
    ("13.11", "全卷积网络"),
    ("13.12", "风格迁移"),
    ("13.13", "实战 Kaggle 比赛：图像分类 (CIFAR-10)"),
    ("13.14", "实战 Kaggle 比赛：狗的品种识别（ImageNet Dogs）"),
    ("14", "自然语言处理：预训练"),
    ("14.1", "词嵌入（word2vec）"),
    ("14.2", "近似训练"),
    ("14.3", "用于预训练词嵌入的数据集"),
    ("14.4", "预训练word2vec"),
    ("14.5", "全局向量的词嵌入（GloVe）"),
    ("14.6", "子词嵌入"),
    ("14.7", "词的相似性和类比任务"),
    ("14.8", "来自Transformers的双向编码器表示（BERT）"),
    ("14.9", "用于预训练BERT的数据集"),
    ("14.10", "预训练BERT"),
    ("15", "自然语言处理：应用"),
    ("15.1", "情感分析及数据集"),
    ("15.2", "情感分析：使用循环神经网络"),
    ("15.3", "情感分析：使用卷积神经网络"),
    ("15.4", "自然语言推断与数据集"),
    ("15.5", "自然语言推断：使用注意力"),
    ("15.6", "针对序列级和词元级应用微调BERT"),
    ("15.7", "自然语言推断：微调BERT"),
]
_BOOK_NUM_RE = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s*(.*)$")


def book_key(heading: str) -> str | None:
    """The section number a book heading names, or None if it names no listed section."""
    m = _BOOK_NUM_RE.match(heading)
    if not m:
        return None
    titles = dict(BOOK_SECTIONS)
    num, title = m.group(1), m.group(2)
    if num not in titles:
        return None
    squash = lambda t: normalise_heading(t).replace(" ", "")
    return num if squash(title) == squash(titles[num]) else None


HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
URL_RE = re.compile(r"https?://|\(opens new window\)|www\.")
SOURCE_RE = re.compile(r"^source\s*[:：]\s*(.+?)\s*$")
FIELD_RE = re.compile(r"^(tags|id|source)\s*[:：]")


def normalise_heading(text: str) -> str:
    """The comparison form of a heading (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"^#+\s*", "", t)
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)  # [text](url) -> text
    t = t.replace("`", "").replace("*", "").replace("==", "")
    kept = []
    for ch in t:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cf", "Mn") and not ch.isalnum():
            continue  # emoji, variation selectors, zero-width joiners
        kept.append(ch)
    t = re.sub(r"\s+", " ", "".join(kept)).strip()
    return t.casefold()


_BOILER_NORM = {(f, normalise_heading(h)): why for (f, h), why in BOILERPLATE.items()}


# --------------------------------------------------------------------------- notes


@dataclass
class Section:
    file: str
    heading: str  # as written, without the # marks
    level: int
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return normalise_heading(self.heading)


_IMG_MD = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
_BARE_IMG = re.compile(r"\bimage-\d{8,}\b")


def _strip_line(line: str) -> str:
    s = _IMG_MD.sub("", line)
    s = _HTML.sub("", s)
    s = _BARE_IMG.sub("", s)
    s = s.strip()
    if s.lower() == "[toc]" or re.fullmatch(r"[-*_=]{3,}", s):
        return ""
    s = re.sub(r"^(?:>\s*)+", "", s)
    s = re.sub(r"^(?:[-*+•]|\d+[.)])\s*", "", s)
    return s.strip()


def content_lines(section: Section) -> list[str]:
    return [s for s in (_strip_line(x) for x in section.lines) if s]


def classify(section: Section) -> str:
    """'content', 'empty', 'links' or 'boilerplate'."""
    if (section.file, section.key) in _BOILER_NORM:
        return "boilerplate"
    lines = content_lines(section)
    if not lines:
        return "empty"
    links = sum(1 for x in lines if URL_RE.search(x))
    if links * 2 > len(lines):
        return "links"
    return "content"


def parse_notes_file(path: Path) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    in_fence = False
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter (typora settings)
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
    for no, line in enumerate(lines[start:], start=start + 1):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            m = HEADING_RE.match(line)
            if m:
                current = Section(path.name, m.group(2).strip(), len(m.group(1)), no)
                sections.append(current)
                continue
        if current is not None:
            current.lines.append(line)
    return sections


def notes_files(notes_dir: Path) -> list[Path]:
    return sorted(p for p in notes_dir.glob("*.txt") if p.is_file())


# --------------------------------------------------------------------------- decks


@dataclass
class Note:
    deck: Path
    line: int
    text: str
    source: str | None
    cards: int
    fronts: list[str]


def _split_blocks(body: list[str], first_line: int) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    cur_start = first_line
    in_fence = False
    in_math = False
    for no, line in enumerate(body, start=first_line):
        stripped = line.strip()
        if FENCE_RE.match(line) and not in_math:
            in_fence = not in_fence
        elif not in_fence and stripped.count("$$") % 2 == 1:
            in_math = not in_math
        if not stripped and not in_fence and not in_math:
            if cur:
                blocks.append((cur_start, cur))
                cur = []
            continue
        if not cur:
            cur_start = no
        cur.append(line)
    if cur:
        blocks.append((cur_start, cur))
    return blocks


def split_front_matter(text: str) -> tuple[dict[str, str], list[str], int]:
    """(front-matter fields, body lines, line number of the first body line)."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    if not lines or lines[0].strip() != "---":
        return meta, lines, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            for raw in lines[1:i]:
                if ":" in raw:
                    k, v = raw.split(":", 1)
                    meta[k.strip()] = v.strip()
            return meta, lines[i + 1 :], i + 2
    return meta, lines, 1


# Code and maths: `::`, `:::` and cloze markers inside them are not syntax (docs/decks.md).
_CODE_OR_MATH = re.compile(
    r"```.*?```|~~~.*?~~~|`[^`\n]*`|\$\$.*?\$\$|(?<!\\)\$[^$\n]*?(?<!\\)\$", re.S
)
_CLOZE_SPAN = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_HIGHLIGHT_SPAN = re.compile(r"==(?=\S)(.+?)(?<=\S)==", re.S)


def _mask(text: str) -> str:
    """Text with code and maths blanked out (same length)."""
    return _CODE_OR_MATH.sub(lambda m: " " * len(m.group(0)), text)


def _norm_front(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _cloze_fronts(text: str) -> list[str]:
    """The front of each sibling of a cloze note: that cloze hidden, the others shown."""
    masked = _mask(text)
    spans = []  # (start, end, number, answer)
    used = {int(m.group(1)) for m in _CLOZE_SPAN.finditer(masked)}
    for m in _CLOZE_SPAN.finditer(masked):
        spans.append((m.start(), m.end(), int(m.group(1)), text[m.start(2) : m.end(2)]))
    n = 0
    for m in _HIGHLIGHT_SPAN.finditer(masked):
        if "{{" in m.group(0):
            continue
        n += 1
        while n in used:
            n += 1
        spans.append((m.start(), m.end(), n, text[m.start() + 2 : m.end() - 2]))
    spans.sort()
    fronts = []
    for num in sorted({s[2] for s in spans}):
        out, last = [], 0
        for a, b, k, answer in spans:
            out.append(text[last:a])
            out.append("[…]" if k == num else answer)
            last = b
        out.append(text[last:])
        fronts.append("".join(out))
    return fronts


def note_cards(text: str) -> tuple[int, list[str]]:
    """Number of cards a note makes and their normalised fronts.

    Same precedence as docs/decks.md: ``Q:`` first, then ``:::``, then ``::`` (both looked for
    outside code, maths and cloze markers), then cloze.
    """
    if re.match(r"^\s*Q\s*[:：]", text):
        m = re.search(r"^\s*A\s*[:：]", text, flags=re.M)
        front = text[: m.start()] if m else text
        front = re.sub(r"^\s*Q\s*[:：]\s?", "", front, count=1)
        return 1, [_norm_front(front)]
    masked = _mask(text)
    outside = _CLOZE_SPAN.sub(lambda m: " " * len(m.group(0)), masked)
    if ":::" in outside:
        i = outside.index(":::")
        return 2, [_norm_front(text[:i]), _norm_front(text[i + 3 :])]
    if "::" in outside:
        i = outside.index("::")
        return 1, [_norm_front(text[:i])]
    if _CLOZE_SPAN.search(masked) or _HIGHLIGHT_SPAN.search(masked):
        fronts = _cloze_fronts(text)
        return len(fronts), [_norm_front(f) for f in fronts]
    return 0, []


def parse_deck(path: Path) -> tuple[dict[str, str], list[Note]]:
    meta, body, first = split_front_matter(path.read_text(encoding="utf-8"))
    default_source = meta.get("source") or None
    current_source = default_source
    notes: list[Note] = []
    for start, block in _split_blocks(body, first):
        text = "\n".join(block)
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S).strip()
        if not text:
            continue
        lines = text.splitlines()
        while lines and re.match(r"^#{1,6}\s", lines[0]):
            lines.pop(0)
        if not lines:
            continue
        if len(lines) == 1 and SOURCE_RE.match(lines[0].strip()):
            current_source = SOURCE_RE.match(lines[0].strip()).group(1)
            continue
        source = current_source
        while lines and FIELD_RE.match(lines[-1]):  # field lines start at column 0
            f = lines.pop().strip()
            m = SOURCE_RE.match(f)
            if m:
                source = m.group(1)
        body_text = "\n".join(lines).strip()
        n, fronts = note_cards(body_text)
        notes.append(Note(path, start, body_text, source, n, fronts))
    return meta, notes


def split_source(source: str | None) -> tuple[str | None, str | None]:
    if not source:
        return None, None
    if "§" in source:
        f, h = source.split("§", 1)
        return f.strip(), h.strip()
    return source.strip(), None


def deck_files(decks_dir: Path) -> list[Path]:
    return sorted(decks_dir.glob("**/*.md"))


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    section: Section
    status: str
    cards: int


def coverage(
    notes_dir: Path, decks_dir: Path, book: bool = True
) -> tuple[dict[str, list[Row]], list[tuple[Note, str]]]:
    """Rows per notes file (and for the book's sections, unless ``book`` is false), and the notes
    whose source names no known section."""
    counts: Counter[tuple[str, str]] = Counter()
    unmatched: list[tuple[Note, str]] = []
    files = {p.name: parse_notes_file(p) for p in notes_files(notes_dir)}
    known = {(f, s.key) for f, secs in files.items() for s in secs}
    book_rows = [Section(BOOK, f"{num} {title}", num.count(".") + 1, 0) for num, title in BOOK_SECTIONS]
    for deck in deck_files(decks_dir):
        _, notes = parse_deck(deck)
        for note in notes:
            f, h = split_source(note.source)
            if f is None:
                unmatched.append((note, "no source"))
                continue
            if h is None:
                continue
            if f == BOOK:
                num = book_key(h)
                if num is None:
                    unmatched.append((note, f"unknown book section {h!r}"))
                else:
                    counts[(BOOK, num)] += note.cards
                continue
            key = (f, normalise_heading(h))
            if key not in known:
                unmatched.append((note, f"unknown source {note.source!r}"))
                continue
            counts[key] += note.cards
    table = {
        f: [Row(s, classify(s), counts[(f, s.key)]) for s in secs] for f, secs in files.items()
    }
    # A chapter heading needs no card of its own; its sections do.
    if book:
        table[BOOK] = [
            Row(s, "content" if "." in num else "empty", counts[(BOOK, num)])
            for s, (num, _) in zip(book_rows, BOOK_SECTIONS)
        ]
    return table, unmatched


def gaps(table: dict[str, list[Row]]) -> list[Row]:
    return [r for rows in table.values() for r in rows if r.status == "content" and r.cards == 0]


HEADER = """# Notes coverage

Generated by `python scripts/deck_coverage.py`; do not edit by hand. `--check` fails when a section
with content has no card.

How to read it:

- A **section** is a heading in a notes file and the lines under it up to the next heading of any
  level (so sub-headings are separate sections).
- **Has content**: at least one line that is more than an image, an HTML tag, an image name, `[toc]`,
  a horizontal rule or a bare list/quote marker. Sections that are pure navigation — empty,
  images only, or a link list (more than half of the lines hold a URL) — count as *no content*
  and need no card; so do the few personal-boilerplate sections listed in `BOILERPLATE` in the
  script (reading progress, to-do list, copyright notice, call for contributions).
- **Cards** counts the cards whose `source: FILE § HEADING` names that file and heading. Headings
  are compared after normalising both sides: NFKC, `#` marks dropped, `[text](url)` reduced to its
  text, backticks/`*`/`==` dropped, emoji dropped, whitespace collapsed, case folded.
- Card counting: basic and `::` notes make 1 card, `:::` notes 2, cloze notes one per distinct
  `cN` plus one per `==…==`.
- The notes stop at chapter 12, so chapters 13–15 are checked against the book itself: the last
  table lists their sections (动手学深度学习, 2nd edition), and a card counts for a section when its
  `source: 动手学深度学习 § 13.4 锚框` names the section's number and title.
"""

STATUS_TEXT = {
    "content": "",
    "empty": "no content",
    "links": "no content (link list)",
}


def render(table: dict[str, list[Row]], unmatched: list[tuple[Note, str]]) -> str:
    out = [HEADER]
    total_content = sum(1 for rows in table.values() for r in rows if r.status == "content")
    missing = gaps(table)
    out.append(
        f"Sections with content: {total_content}; without a card: {len(missing)}.\n"
    )
    for f, rows in table.items():
        if f == BOOK:
            out.append(f"## {BOOK} (the book: chapters 13–15)\n")
            out.append("| § | section | cards | note |")
            out.append("| ---: | --- | ---: | --- |")
            for r in rows:
                num, _, title = r.section.heading.partition(" ")
                indent = "&nbsp;&nbsp;" * (r.section.level - 1)
                note = "**GAP**" if r.status == "content" and r.cards == 0 else STATUS_TEXT[r.status]
                if r.status == "empty":
                    note = "chapter"
                out.append(f"| {num} | {indent}{title.replace('|', chr(92) + '|')} | {r.cards} | {note} |")
            out.append("")
            continue
        out.append(f"## {f}\n")
        out.append("| line | section | cards | note |")
        out.append("| ---: | --- | ---: | --- |")
        for r in rows:
            indent = "&nbsp;&nbsp;" * (r.section.level - 1)
            heading = r.section.heading.replace("|", "\\|")
            if r.status == "boilerplate":
                note = "boilerplate: " + _BOILER_NORM[(f, r.section.key)]
            elif r.status == "content" and r.cards == 0:
                note = "**GAP**"
            else:
                note = STATUS_TEXT[r.status]
            out.append(f"| {r.section.line} | {indent}{heading} | {r.cards} | {note} |")
        out.append("")
    if unmatched:
        out.append("## Sources that name no section\n")
        for note, why in unmatched:
            rel = note.deck.relative_to(REPO) if note.deck.is_relative_to(REPO) else note.deck
            out.append(f"- `{rel}:{note.line}`: {why}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notes", type=Path, default=DEFAULT_NOTES, help="notes folder (default: $LEARNDL_NOTES or <repo>/../shared/notes)")
    ap.add_argument("--decks", type=Path, default=DEFAULT_DECKS, help="decks folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown table to write")
    ap.add_argument("--check", action="store_true", help="exit 1 if a section has no card")
    ap.add_argument("--no-write", action="store_true", help="do not write the table")
    ap.add_argument("--no-book", action="store_true", help="leave out the book's sections (chapters 13-15)")
    args = ap.parse_args(argv)
    if not args.notes.is_dir():
        print(f"notes folder not found: {args.notes}", file=sys.stderr)
        return 2
    table, unmatched = coverage(args.notes, args.decks, book=not args.no_book)
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(table, unmatched), encoding="utf-8")
    missing = gaps(table)
    if args.check:
        for r in missing:
            where = r.section.file if r.section.file == BOOK else f"{r.section.file}:{r.section.line}"
            print(f"gap: {where}: {r.section.heading}")
        for note, why in unmatched:
            print(f"source: {note.deck.name}:{note.line}: {why}")
        if missing or unmatched:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
