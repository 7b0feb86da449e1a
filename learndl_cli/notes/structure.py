"""Reading a notes file into sections and blocks: the shape of the notes, not yet any card.

``read_sections`` splits the text into ``Section``s, one per heading, each a list of ``Node``s
(``item`` bullets with their sub-bullets as ``children``, ``para`` paragraphs, and ``code``,
``math``, ``table`` blocks that belong to no bullet or paragraph). What notes really look like:

- **Headings** are ``#`` lines, and also lines that are nothing but bold text (``**VGG块**``),
  an Obsidian callout title (``> [!tip] 为什么要标准化``) or a Chinese ordinal (``一、线性回归``):
  learners use them as headings. Such a *soft* heading sits one level under the last ``#`` heading.
- **Lists** keep their nesting, so a sub-bullet knows its parent.
- **Blocks**: fenced code and ``$$`` formulas are part of the bullet or sentence they follow; a
  formula after a sentence that introduces it (ending in ``：``, ``如下``) is part of that sentence
  even across a blank line.
- **Tables** are their own blocks, never read as ``term：definition``.
- Front matter, HTML and Obsidian comments, ``[toc]`` and quote markers are removed, line numbers
  kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..deckparse import Problem
from .text import FENCE_RE, LOST_IMAGE_RE, PICTURE, heading_shown, mask

HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_RE = re.compile(r"^(\s*)([-*+•·]|\d{1,3}[.)]|\d{1,3}、|[（(]\d{1,3}[)）])(\s+|(?<=、))(.*)$")
QUOTE_RE = re.compile(r"^(\s*)((?:>[ \t]?)+)")
TOC_RE = re.compile(r"^\s*\[toc\]\s*$", re.I)
CALLOUT_RE = re.compile(r"^(\s*)\[!([A-Za-z-]+)\][+-]?\s*(.*)$")
# A line that is only bold text (a colon after it allowed): a heading in all but name.
BOLD_LINE_RE = re.compile(r"^\s{0,3}(?:\*\*|__)([^*_\n]{1,40}?)(?:\*\*|__)\s*[：:]?\s*$")
# "一、线性回归", "二. 多层感知机": a Chinese ordinal heading (short, no sentence punctuation).
ORDINAL_HEADING_RE = re.compile(r"^\s{0,3}([一二三四五六七八九十]{1,3})\s*[、.．]\s*([^，。；！？,;!?]{1,30})$")
QA_LINE_RE = re.compile(r"^\s*(?:Q|A|问|答|提问|回答)\s*\d{0,3}\s*[:：]", re.I)
LINK_HEADING_RE = re.compile(r"视频|video|bilibili|b站|youtube|地址|链接|link", re.I)
TABLE_RE = re.compile(r"^\s*\|.*\|\s*$")
INTRO_END_RE = re.compile(r"(?:[：:]|如下|如下所示|如下式|公式为|表示为|定义为|写成|为)\s*$")
CALLOUT_END = "\x01"
MAX_DEPTH = 30  # bullets nested deeper are read as text of the bullet above


@dataclass
class Node:
    kind: str  # item | para | code | math | table
    line: int
    indent: int
    lines: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    used: bool = False
    in_back: bool = False  # its children were written into its card's answer
    parent: "Node | None" = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Section:
    level: int
    raw: str  # heading as written (without #)
    shown: str
    line: int
    path: tuple[tuple[int, str], ...]
    nodes: list[Node] = field(default_factory=list)
    soft: bool = False  # a bold line, callout title or "一、" line read as a heading


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def prepare(text: str, path: str, problems: list[Problem]) -> list[str]:
    """Lines with front matter, comments, [toc] and quote markers removed; line numbers kept."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].strip() == "---":  # YAML front matter (Typora, Obsidian)
        for j in range(first + 1, min(len(lines), first + 40)):
            if lines[j].strip() in ("---", "..."):
                for k in range(first, j + 1):
                    lines[k] = ""
                break
    joined = "\n".join(lines)
    for opener, closer, name in (("<!--", "-->", "HTML comment '<!--'"), ("%%", "%%", "Obsidian comment '%%'")):
        start = joined.find(opener)
        while start != -1:
            end = joined.find(closer, start + len(opener))
            if end == -1:
                problems.append(Problem(path, joined.count("\n", 0, start) + 1, f"{name} is never closed; read as text"))
                joined = joined[:start] + joined[start + len(opener) :]
                break
            chunk = joined[start : end + len(closer)]
            joined = joined[:start] + "\n" * chunk.count("\n") + joined[end + len(closer) :]
            start = joined.find(opener, start)
    out = []
    in_callout = False
    for ln in joined.split("\n"):
        if TOC_RE.match(ln):
            ln = ""
        quoted = bool(QUOTE_RE.match(ln))
        if in_callout and not quoted:
            in_callout = False
            if not ln.strip():
                ln = CALLOUT_END  # the titled callout is over: back to the heading above it
        # quote markers become spaces: "    >   `pd.read_csv`" stays inside the bullet above it
        ln = QUOTE_RE.sub(lambda m: m.group(1) + " " * len(m.group(2)), ln)
        cm = CALLOUT_RE.match(ln) if quoted else None
        if cm:  # "> [!tip] 标题" → a bold line (a soft heading); "> [!note]" alone → nothing
            title = cm.group(3).strip()
            ln = f"{cm.group(1).lstrip()}**{title}**" if title else ""
            in_callout = bool(title)
        ln = re.sub(r"\s\^[A-Za-z0-9-]{4,}\s*$", "", ln)  # Obsidian block id
        out.append(ln)
    return out


def _in_text(lines: list[str], i: int) -> bool:
    """A '#' line with text (not headings) right above and below it is not a heading."""
    if i == 0 or i + 1 >= len(lines):
        return False
    above, below = lines[i - 1], lines[i + 1]
    return bool(above.strip() and below.strip() and not HEADING_RE.match(above) and not HEADING_RE.match(below))


def soft_heading(lines: list[str], i: int, in_list: bool) -> str | None:
    """The heading text of line ``i`` when it is a bold line or "一、…" line used as a heading."""
    raw = lines[i]
    if in_list and _indent(raw) > 0:
        return None
    m = BOLD_LINE_RE.match(raw)
    if m is None:
        m2 = ORDINAL_HEADING_RE.match(raw)
        if m2 is None:
            return None
        text = m2.group(2).strip()
    else:
        text = m.group(1).strip()
    text = text.rstrip("：: ")
    if not text or not any(ch.isalnum() for ch in text) or mask(text).count("$") or QA_LINE_RE.match(text):
        return None  # a question or answer in bold is a card's side, not a heading
    below = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
    if not below or HEADING_RE.match(below):
        return None  # nothing under it: a bold remark, not a heading
    return text


def read_sections(text: str, path: str, problems: list[Problem]) -> list[Section]:
    """Split the notes into sections (one per heading), each a list of block nodes."""
    lines = prepare(text, path, problems)
    sections = [Section(0, "", "", 0, ())]
    hard_level = 0  # level of the last '#' heading
    stack: list[Node] = []  # open list items, outermost first
    prev_blank = True
    i = 0
    n = len(lines)

    def add_section(level: int, heading: str, lineno: int, soft: bool) -> None:
        parent = [(lv, t) for lv, t in sections[-1].path if lv < level]
        shown = heading_shown(heading)
        sections.append(Section(level, heading, shown, lineno, tuple(parent + [(level, shown)]), soft=soft))

    def attach(node: Node) -> None:
        """A code block or formula: part of the bullet or sentence it follows, else its own node."""
        nonlocal stack
        if stack and (not prev_blank or node.indent > stack[0].indent or INTRO_END_RE.search(stack[-1].lines[-1])):
            owner = next((it for it in reversed(stack) if it.indent < node.indent), stack[-1])
            owner.lines.extend(node.lines)
            return
        last = sections[-1].nodes[-1] if sections[-1].nodes else None
        if last is not None and last.kind == "para" and (not prev_blank or (node.kind == "math" and INTRO_END_RE.search(last.lines[-1]))):
            last.lines.extend(node.lines)
            return
        stack = []
        sections[-1].nodes.append(node)

    while i < n:
        raw = lines[i]
        lineno = i + 1
        if raw == CALLOUT_END:
            above = next((s for s in reversed(sections) if not s.soft), sections[0])
            if sections[-1].soft and above is not sections[-1]:
                sections.append(Section(above.level, above.raw, above.shown, lineno, above.path))
            stack = []
            prev_blank = True
            i += 1
            continue
        if not raw.strip():
            prev_blank = True
            i += 1
            continue
        ind = _indent(raw)
        fm = FENCE_RE.match(raw)
        if fm:
            marker = fm.group(2)
            body = [raw.strip()]
            j = i + 1
            while j < n and not (lines[j].strip().startswith(marker[0] * 3) and lines[j].strip().strip(marker[0]) == ""):
                body.append(lines[j][min(ind, _indent(lines[j])) :] if lines[j].strip() else "")
                j += 1
            if j >= n:
                problems.append(Problem(path, lineno, f"code block opened with {marker} is never closed; read to the end of the file"))
            body.append(marker)
            attach(Node("code", lineno, ind, [b for b in body if b.strip()]))
            prev_blank = False
            i = j + 1
            continue
        stripped = raw.strip()
        if stripped.startswith("$$") and mask(stripped).count("$") == 0 and stripped.count("$$") % 2 == 1:
            body = [stripped]
            j = i + 1
            while j < n and "$$" not in lines[j]:
                if lines[j].strip():
                    body.append(lines[j].strip())
                j += 1
            if j >= n:
                problems.append(Problem(path, lineno, "display formula '$$' is never closed; read as text"))
                body.append("$$")
            else:
                body.append(lines[j].strip())
            attach(Node("math", lineno, ind, body))
            prev_blank = False
            i = j + 1
            continue
        if stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4 and mask(stripped).strip() == "":
            attach(Node("math", lineno, ind, [stripped]))  # a one-line display formula
            prev_blank = False
            i += 1
            continue
        hm = HEADING_RE.match(raw)
        if hm and ind <= 3 and _in_text(lines, i):
            hm = None  # "jupyter lab  # 功能更丰富" / "# 或者" / "jupyter notebook": a comment in unfenced code
        if hm and ind <= 3:
            level = len(hm.group(1))
            hard_level = level
            add_section(level, hm.group(2).strip(), lineno, False)
            stack = []
            prev_blank = True
            i += 1
            continue
        soft = soft_heading(lines, i, bool(stack)) if (prev_blank or not stack) and ind <= 3 else None
        if soft is not None and (prev_blank or i == 0 or not lines[i - 1].strip() or HEADING_RE.match(lines[i - 1])):
            # under "### 🎦 本节课程视频地址" a bold line starts the lesson: a sibling, not a child, of it
            under_link = sections[-1].level == hard_level and LINK_HEADING_RE.search(sections[-1].raw)
            add_section(max(hard_level, 1) if under_link else min(hard_level + 1, 7), soft, lineno, True)
            stack = []
            prev_blank = True
            i += 1
            continue
        if TABLE_RE.match(raw):
            j = i
            body = []
            while j < n and TABLE_RE.match(lines[j]):
                body.append(lines[j].strip())
                j += 1
            stack = []
            sections[-1].nodes.append(Node("table", lineno, ind, body))
            prev_blank = False
            i = j
            continue
        if LOST_IMAGE_RE.match(raw):
            raw = raw.replace(raw.strip(), PICTURE)
        im = ITEM_RE.match(raw)
        if im and im.group(4).strip() and not re.match(r"^\s*[-*_](\s*[-*_]){2,}\s*$", raw) and len(stack) < MAX_DEPTH:
            node = Node("item", lineno, ind, [im.group(4).rstrip()])
            while stack and stack[-1].indent >= ind:
                stack.pop()
            if stack:
                node.parent = stack[-1]
                stack[-1].children.append(node)
            else:
                sections[-1].nodes.append(node)
            stack.append(node)
        elif re.match(r"^\s*([-*_]\s*){3,}$", raw) or re.match(r"^\s*={3,}\s*$", raw):
            stack = []  # a rule
        elif stack and (not prev_blank or ind > stack[0].indent):
            owner = stack[-1]
            while len(stack) > 1 and ind <= owner.indent and prev_blank:
                stack.pop()
                owner = stack[-1]
            owner.lines.append(raw.strip())
        else:
            stack = []
            last = sections[-1].nodes[-1] if sections[-1].nodes else None
            if last is not None and last.kind == "para" and not prev_blank:
                last.lines.append(raw.strip())
            else:
                sections[-1].nodes.append(Node("para", lineno, ind, [raw.strip()]))
        prev_blank = False
        i += 1
    return sections
