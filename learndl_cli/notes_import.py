"""Turn a learner's own Markdown notes into proposed cards. Pure: text in, proposals and problems out.

Two passes over one notes file:

1. **Explicit cards**, in the syntaxes learners already use: the deck format's ``Q:``/``A:``,
   Obsidian spaced repetition's ``front :: back``, ``front ::: back``, multi-line ``?`` / ``??``
   blocks and ``==cloze==``, and Anki's ``{{c1::…}}``.
2. **Proposals from structure**, only for a file with no explicit card (a learner who writes cards
   by hand chose them): a bold term with its explanation, ``term：definition`` and
   ``term: definition`` bullets (or one-line paragraphs), a bullet whose sub-bullets explain it,
   and a heading whose remaining bullets or short paragraphs explain it.

Every proposal keeps its heading path (the context shown above the question), the heading as
written (for ``source: FILE § HEADING``) and its line. Notes as they really are: full-width
punctuation, ``<img>`` tags and image links (kept as "[图片]", a note that a picture was there),
``[toc]``, LaTeX, fenced and unfenced code, tables, broken Markdown. Nothing here raises on any
text; what cannot be read well is reported as a ``Problem`` (``file:line: message``).

``render_deck`` writes the proposals as a deck file (docs/decks.md) that ``parse_deck`` reads back
into exactly these cards; re-rendering unchanged notes gives the same text, so a re-import keeps
every unchanged card's identity and progress.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from .deckparse import CLOZE_RE, CODE_OR_MATH_RE, FIELD_RE, HIGHLIGHT_RE, Problem, normalize

PICTURE = "[图片]"
CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})")
HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_RE = re.compile(r"^(\s*)([-*+•·]|\d{1,3}[.)]|\d{1,3}、|[（(]\d{1,3}[)）])(\s+|(?<=、))(.*)$")
QUOTE_RE = re.compile(r"^(\s*)((?:>[ \t]?)+)")
IMG_TAG_RE = re.compile(r"<img\b[^>]*?(?:alt\s*=\s*[\"']([^\"']*)[\"'])?[^>]*>", re.I)
MD_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
LOST_IMAGE_RE = re.compile(r"^\s*image-\d{8,}\s*$")  # an image link that lost its markup
MD_LINK_RE = re.compile(r"(?<!!)\[([^\]]+)\]\((?:[^)]*)\)")
HTML_TAG_RE = re.compile(r"</?(?:div|span|p|br|strong|b|em|i|u|font|center|sup|sub|a)\b[^>]*>", re.I)
URL_RE = re.compile(r"https?://\S+")
TOC_RE = re.compile(r"^\s*\[toc\]\s*$", re.I)
Q_RE = re.compile(r"^\s*Q\s*[:：]")
A_RE = re.compile(r"^\s*A\s*[:：]")
# Headings whose sections hold no facts to learn: structure proposals are not made there.
SKIP_SECTION_RE = re.compile(
    r"todo|to do|reference|参考|版权|目录|进度|计划|资源|链接|贡献|反馈|致谢|licen[cs]e|copyright|前言|引言|"
    r"项目|注意事项|常见问题|更新|阅读|contents|练习|习题|exercise",
    re.I,
)
# Terms that mean little without the term above them: "用途" becomes "小批量随机梯度下降 › 用途".
GENERIC_TERMS = {
    "用途", "作用", "实现方式", "实现", "原因", "核心原因", "注意", "特点", "定义", "示例", "例子", "方法",
    "优点", "缺点", "总结", "解决方案", "解决方法", "原理", "动机", "问题", "应对方案", "使用方法", "具体表现",
    "具体形式", "影响", "目的", "步骤", "结论", "公式", "代码", "思路", "说明", "备注", "例如", "比如",
    "评估指标", "指标", "衡量指标", "损失函数", "优化算法", "应用",
}
# Lines about the notes themselves, not facts: references, reading progress.
REFERENCE_RE = re.compile(r"^(具体)?可?参考|(介绍)?文章$|^see also|^(目前)?(看|读|学)到了?.{0,12}(页|节|章)|下次看", re.I)
NOTE_TO_SELF_RE = re.compile(r"\s*[(（][^()（）]{0,8}(看|TODO|todo|待|未完|补充)[^()（）]{0,8}[)）]\s*$")
SENTENCE_PUNCT = set("，。；！？,;!?")
MAX_TERM = 40
MAX_BACK = 600
MAX_DEPTH = 30  # bullets nested deeper are read as text of the bullet above
MAX_NODE = 20_000  # characters: a longer paragraph is not read for cards (and regexes stay fast)
MAX_BACK_LINES = 10


@dataclass(frozen=True)
class Proposal:
    """One note to write into the deck: ``kind`` is basic, reversed or cloze (deck format kinds)."""

    kind: str
    origin: str  # how it was found (see ORIGINS)
    front: str
    back: str  # for a cloze, the whole text with its cloze markers; ``front`` is empty
    path: str
    line: int
    headings: tuple[tuple[int, str], ...] = ()  # (level, heading as shown) from the top
    heading_raw: str = ""  # the deepest heading as written in the notes
    explicit: bool = False
    tags: tuple[str, ...] = ()  # written as a ``tags:`` field line
    note_id: str = ""  # written as an ``id:`` field line (pins identity through any rewrite)

    @property
    def context(self) -> str:
        return " › ".join(t for _, t in self.headings)

    @property
    def key(self) -> str:
        return normalize(self.front if self.kind != "cloze" else self.back)

    def note_text(self) -> str:
        """The note as deck-format text (no blank line inside, no trailing field line)."""
        if self.kind == "cloze":
            text = self.back
        elif self.kind == "reversed":
            text = f"{self.front} ::: {self.back}" if "\n" not in self.front + self.back else f"{self.front}\n:::\n{self.back}"
        elif self.origin == "oneline" and "\n" not in self.front + self.back:
            text = f"{self.front} :: {self.back}"  # as the learner wrote it
        else:
            text = f"Q: {self.front}\nA: {self.back}"
        text = _safe_block(text)
        if self.tags:
            text += "\ntags: " + " ".join(self.tags)
        if self.note_id:
            text += "\nid: " + self.note_id
        return text


ORIGINS = {
    "qa": "Q:/A: card",
    "oneline": "front :: back",
    "reversed": "front ::: back",
    "multiline": "? block",
    "multiline-reversed": "?? block",
    "cloze": "cloze",
    "bold-term": "bold term and its explanation",
    "term-definition": "term：definition",
    "list-explained": "bullet explained by its sub-bullets",
    "heading-explained": "heading explained by its bullets",
}


@dataclass
class NotesResult:
    path: str
    title: str = ""
    proposals: list[Proposal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def explicit(self) -> bool:
        return any(p.explicit for p in self.proposals)

    def by_origin(self) -> Counter:
        return Counter(p.origin for p in self.proposals)


# ---------------------------------------------------------------- text clean-up


def clean_inline(text: str) -> str:
    """Markdown/HTML noise out, facts in: pictures become "[图片]", links their text."""
    text = IMG_TAG_RE.sub(lambda m: _picture(m.group(1)), text)
    text = MD_IMAGE_RE.sub(lambda m: _picture(m.group(1)), text)
    text = MD_LINK_RE.sub(lambda m: m.group(1), text)
    text = HTML_TAG_RE.sub(" ", text)
    text = re.sub(r"&nbsp;", " ", text)
    text = re.sub(r"\s*\(opens new window\)", "", text)  # a link that lost its address
    text = re.sub(r"[ \t]+$", "", text, flags=re.M)
    text = re.sub(r"\n[ \t]*(\[图片(?:: [^\]\n]*)?\])(?=\n|$)", r" \1", text)
    return text.strip()


def _picture(alt: str | None) -> str:
    alt = (alt or "").strip()
    if not alt or re.match(r"^(image|img|截图|屏幕截图|pasted)[-_ ]?[\w.-]*$", alt, re.I) or re.match(r"^[\w.-]+\.(png|jpe?g|gif|svg)$", alt, re.I):
        return PICTURE
    return f"[图片: {alt}]"


def heading_shown(raw: str) -> str:
    """A heading as a context line: link markup and leading emoji or check marks removed."""
    text = clean_inline(raw)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"==(.+?)==", r"\1", text)
    i = 0
    while i < len(text) and (unicodedata.category(text[i]) in ("So", "Zs", "Cf", "Cc", "Mn") or text[i] in "\ufe0f\u200d"):
        i += 1
    text = NOTE_TO_SELF_RE.sub("", text[i:])  # "循环神经网络(下次看)" → "循环神经网络"
    return text.strip() or raw.strip()


def _unbold(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)


def _has_text(text: str) -> bool:
    """True when ``text`` says something besides pictures, URLs and punctuation."""
    rest = text.replace(PICTURE, "")
    rest = re.sub(r"\[图片: [^\]]*\]", "", rest)
    rest = URL_RE.sub("", rest)
    return any(ch.isalnum() for ch in rest)


def _safe_block(text: str) -> str:
    """Make ``text`` exactly one deck block: no blank line, no code fence or ``$$`` left open (either
    would swallow the notes after it), no comment opener, no last line a field line would eat."""
    raw = [ln.replace("<!--", "<!ー-") for ln in text.split("\n")]
    lines: list[str] = []
    fence = None
    for k, ln in enumerate(raw):
        if not ln.strip():
            following = next((x for x in raw[k + 1 :] if x.strip()), "")
            # Blank lines stay inside code, and one may stand before a code fence (the deck parser
            # keeps a fenced block after a blank line with its note); anywhere else one would end it.
            if fence is not None or (lines and lines[-1] and FENCE_RE.match(following)):
                lines.append("")
            continue
        m = FENCE_RE.match(ln)
        if fence is None and m:
            fence = m.group(2)[0] * 3
        elif fence is not None and ln.strip().startswith(fence):
            fence = None
        lines.append(ln)
    fence, math_line = None, None
    for k, ln in enumerate(lines):
        m = FENCE_RE.match(ln)
        if fence is None and m:
            fence = m.group(2)[0] * 3
        elif fence is not None:
            if ln.strip().startswith(fence):
                fence = None
        elif re.sub(r"`[^`\n]*`", "", ln).count("$$") % 2 == 1:
            math_line = None if math_line is not None else k
    if fence is not None:
        lines.append(fence)
    if math_line is not None:  # an unpaired "$$": written as text
        ln = lines[math_line]
        at = ln.rfind("$$")
        lines[math_line] = ln[:at] + "\\$\\$" + ln[at + 2 :]
    if lines and FIELD_RE.match(lines[-1].strip()) and not lines[-1].startswith((" ", "\t")):
        lines[-1] = " " + lines[-1]
    return "\n".join(lines)


def _mask(text: str) -> str:
    return CODE_OR_MATH_RE.sub(lambda m: " " * len(m.group(0)), text)


def _strip_end(text: str) -> str:
    return re.sub(r"[；;。，,、\s]+$", "", text).strip()


# ---------------------------------------------------------------- reading the file into nodes


@dataclass
class Node:
    kind: str  # item | para | code | math
    line: int
    indent: int
    lines: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    used: bool = False

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


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def _prepare(text: str, path: str, problems: list[Problem]) -> list[str]:
    """Lines with front matter, comments, [toc] and quote markers removed; line numbers kept."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = text.split("\n")
    # YAML front matter (Typora, Obsidian)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].strip() == "---":
        for j in range(first + 1, min(len(lines), first + 40)):
            if lines[j].strip() == "---":
                for k in range(first, j + 1):
                    lines[k] = ""
                break
    # HTML comments, possibly over several lines
    joined = "\n".join(lines)
    start = joined.find("<!--")
    while start != -1:
        end = joined.find("-->", start + 4)
        if end == -1:
            problems.append(Problem(path, joined.count("\n", 0, start) + 1, "HTML comment '<!--' is never closed; read as text"))
            joined = joined[:start] + joined[start + 4 :]
            break
        chunk = joined[start : end + 3]
        joined = joined[:start] + "\n" * chunk.count("\n") + joined[end + 3 :]
        start = joined.find("<!--", start)
    lines = joined.split("\n")
    out = []
    for ln in lines:
        if TOC_RE.match(ln):
            ln = ""
        # quote markers become spaces: "    >   `pd.read_csv`" stays inside the bullet above it
        out.append(QUOTE_RE.sub(lambda m: m.group(1) + " " * len(m.group(2)), ln))
    return out


def _in_text(lines: list[str], i: int) -> bool:
    """A '#' line with text (not headings) right above and below it is not a heading."""
    if i == 0 or i + 1 >= len(lines):
        return False
    above, below = lines[i - 1], lines[i + 1]
    return bool(above.strip() and below.strip() and not HEADING_RE.match(above) and not HEADING_RE.match(below))


def read_sections(text: str, path: str, problems: list[Problem]) -> list[Section]:
    """Split the notes into sections (one per heading), each a list of block nodes."""
    lines = _prepare(text, path, problems)
    sections = [Section(0, "", "", 0, ())]
    stack: list[Node] = []  # open list items, outermost first
    prev_blank = True
    i = 0
    n = len(lines)

    def attach(node: Node) -> None:
        """A code block or formula: part of the bullet or paragraph it follows, else its own node."""
        nonlocal stack
        if stack and (not prev_blank or node.indent > stack[0].indent):
            owner = next((it for it in reversed(stack) if it.indent < node.indent), stack[-1])
            owner.lines.extend(node.lines)
            return
        last = sections[-1].nodes[-1] if sections[-1].nodes else None
        if last is not None and last.kind == "para" and not prev_blank:
            last.lines.extend(node.lines)
            return
        stack = []
        sections[-1].nodes.append(node)

    while i < n:
        raw = lines[i]
        lineno = i + 1
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
            else:
                body.append(marker)
            attach(Node("code", lineno, ind, [b for b in body if b.strip()]))
            prev_blank = False
            i = j + 1
            continue
        stripped = raw.strip()
        if stripped.startswith("$$") and _mask(stripped).count("$") == 0 and stripped.count("$$") % 2 == 1:
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
        hm = HEADING_RE.match(raw)
        if hm and ind <= 3 and _in_text(lines, i):
            hm = None  # "jupyter lab  # 功能更丰富" / "# 或者" / "jupyter notebook": a comment in unfenced code
        if hm and ind <= 3:
            level = len(hm.group(1))
            heading = hm.group(2).strip()
            parent = [(lv, t) for lv, t in sections[-1].path if lv < level]
            shown = heading_shown(heading)
            sections.append(Section(level, heading, shown, lineno, tuple(parent + [(level, shown)])))
            stack = []
            prev_blank = True
            i += 1
            continue
        if LOST_IMAGE_RE.match(raw):
            raw = raw.replace(raw.strip(), PICTURE)
        im = ITEM_RE.match(raw)
        if im and im.group(4).strip() and not re.match(r"^\s*[-*_](\s*[-*_]){2,}\s*$", raw) and len(stack) < MAX_DEPTH:
            node = Node("item", lineno, ind, [im.group(4).rstrip()])
            while stack and stack[-1].indent >= ind:
                stack.pop()
            if stack:
                stack[-1].children.append(node)
            else:
                sections[-1].nodes.append(node)
            stack.append(node)
        elif re.match(r"^\s*([-*_]\s*){3,}$", raw):
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


# ---------------------------------------------------------------- explicit cards


def _explicit_from_text(text: str, node: Node, sec: Section, path: str, problems: list[Problem]) -> list[Proposal]:
    common = dict(path=path, line=node.line, headings=sec.path, heading_raw=sec.raw, explicit=True)
    lines = text.split("\n")
    if Q_RE.match(lines[0]):
        at = next((k for k in range(1, len(lines)) if A_RE.match(lines[k])), None)
        if at is None:
            problems.append(Problem(path, node.line, "'Q:' without an 'A:' line; skipped"))
            return []
        q = re.sub(r"^\s*Q\s*[:：]\s?", "", "\n".join(lines[:at])).strip()
        a = re.sub(r"^\s*A\s*[:：]\s?", "", "\n".join(lines[at:])).strip()
        if not q or not a:
            problems.append(Problem(path, node.line, "'Q:'/'A:' card with an empty side; skipped"))
            return []
        return [Proposal("basic", "qa", clean_inline(q), clean_inline(a), **common)]
    marks = [k for k, ln in enumerate(lines) if ln.strip() in ("?", "??")]
    if marks:
        k = marks[0]
        q, a = "\n".join(lines[:k]).strip(), "\n".join(lines[k + 1 :]).strip()
        if not q or not a:
            problems.append(Problem(path, node.line, f"'{lines[k].strip()}' card needs text above and below the '{lines[k].strip()}' line; skipped"))
            return []
        if lines[k].strip() == "??":
            return [Proposal("reversed", "multiline-reversed", clean_inline(q), clean_inline(a), **common)]
        return [Proposal("basic", "multiline", clean_inline(q), clean_inline(a), **common)]
    masked = _mask(text)
    cloze_masked = CLOZE_RE.sub(lambda m: " " * len(m.group(0)), masked)
    for sep, kind, origin in ((":::", "reversed", "reversed"), ("::", "basic", "oneline")):
        if sep in cloze_masked:
            at = cloze_masked.index(sep)
            front, back = clean_inline(text[:at]), clean_inline(text[at + len(sep) :])
            if not _has_text(front) or not back:
                problems.append(Problem(path, node.line, f"'{sep}' card needs text on both sides; skipped"))
                return []
            return [Proposal(kind, origin, front, back, **common)]
    code_masked = CODE_RE.sub(lambda m: " " * len(m.group(0)), text)
    if CLOZE_RE.search(masked) or HIGHLIGHT_RE.search(code_masked):
        body = _numbered_clozes(clean_inline(text))
        rest = CLOZE_RE.sub("", CODE_RE.sub("", body))
        if sum(ch.isalnum() for ch in rest) < 2:
            problems.append(Problem(path, node.line, "cloze would hide the whole text (nothing left to recall it from); skipped"))
            return []
        return [Proposal("cloze", "cloze", "", body, **common)]
    return []


def _numbered_clozes(text: str) -> str:
    """``==x==`` → ``{{cN::x}}`` (numbers in order, skipping those used), so maths inside works."""
    used = {int(m.group(1)) for m in CLOZE_RE.finditer(text)}
    masked = CODE_RE.sub(lambda m: " " * len(m.group(0)), text)
    out, last, n = [], 0, 0
    for m in HIGHLIGHT_RE.finditer(masked):
        if "{{" in m.group(0):
            continue
        n += 1
        while n in used:
            n += 1
        out.append(text[last : m.start()])
        out.append("{{c%d::%s}}" % (n, text[m.start() + 2 : m.end() - 2]))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _explicit(sections: list[Section], path: str, problems: list[Problem]) -> list[Proposal]:
    found: list[Proposal] = []

    def visit(node: Node, sec: Section) -> None:
        if node.kind in ("item", "para") and len(node.text) > MAX_NODE:
            problems.append(Problem(path, node.line, f"a paragraph of {len(node.text)} characters; too long to read for cards"))
            node.used = True
        elif node.kind in ("item", "para"):
            got = _explicit_from_text(node.text, node, sec, path, problems)
            if got:
                node.used = True
                found.extend(got)
        for child in node.children:
            visit(child, sec)

    for sec in sections:
        for node in sec.nodes:
            visit(node, sec)
    return found


# ---------------------------------------------------------------- proposals from structure


BOLD_HEAD_RE = re.compile(r"^\*\*(.+?)\*\*\s*((?:[（(][^）)\n]{0,40}[）)])?)\s*(?:[：:]|——|—|--|\s-\s)\s*(.*)$", re.S)


def _bold_head(text: str):
    """``**term**：explanation`` at the start of ``text`` (the first 300 characters are searched)."""
    text = text.strip()
    m = BOLD_HEAD_RE.match(text[:300])
    if m is None:
        return None
    return m if len(text) <= 300 else BOLD_HEAD_RE.match(text)


def _split_term(text: str) -> tuple[str, str] | None:
    """``term：definition`` or ``term: definition`` → (term, definition), else None."""
    first = _unbold(text.split("\n", 1)[0])
    masked = _mask(URL_RE.sub(lambda m: "x" * len(m.group(0)), first))
    for k, ch in enumerate(masked):
        if ch == "：" or (ch == ":" and (k + 1 == len(masked) or masked[k + 1] in " \t" or _is_cjk(masked[k + 1]) or masked[k + 1] in "`$*")):
            term = first[:k].strip()
            rest = first[k + 1 :] + ("\n" + text.split("\n", 1)[1] if "\n" in text else "")
            return term, rest.strip()
        if ch in "，。；！？,;" and k > MAX_TERM:
            return None
    return None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _term_ok(term: str) -> bool:
    plain = _unbold(clean_inline(term)).strip()
    core = re.sub(r"[（(][^）)]*[）)]", "", plain)
    if not plain or len(core) > MAX_TERM or len(plain) > 2 * MAX_TERM or not _has_text(plain):
        return False
    if any(ch in SENTENCE_PUNCT for ch in _mask(plain)):
        return False
    if re.match(r"^(https?|ftp|mailto|file|[A-Za-z])$", plain):  # a URL scheme or a drive letter
        return False
    return True


def _clean_term(term: str) -> str:
    term = _unbold(clean_inline(term)).strip()
    term = re.sub(r"^\d{1,3}[、.．)]\s*", "", term)  # "1、梯度爆炸" → "梯度爆炸"
    return _strip_end(term)


def _clean_back(text: str) -> str:
    return _strip_end(clean_inline(text))


def _children_back(node: Node, unused_only: bool = False) -> str:
    rows = []

    def add(n: Node, depth: int) -> None:
        text = clean_inline(n.text)
        if not text or (unused_only and n.used):
            return
        kids = [c for c in n.children if not (unused_only and c.used)]
        if unused_only and n.children and not kids and (re.search(r"[：:]\**\s*$", text) or _term_ok(text)):
            return  # "term：" or "**term**" whose bullets all made cards of their own
        lines = text.split("\n")
        bullet = n.kind == "item"
        prefix = "  " * depth + ("- " if bullet else "")
        rows.append(prefix + _strip_end(lines[0]) if len(lines) == 1 else prefix + lines[0])
        rows.extend(("  " * depth + ("  " if bullet else "") + ln) for ln in lines[1:])
        for c in kids:
            add(c, depth + 1)

    for child in node.children:
        add(child, 0)
    return "\n".join(rows)


def _fits(back: str) -> bool:
    return _has_text(back) and len(back) <= MAX_BACK and back.count("\n") < MAX_BACK_LINES


def _structure(sections: list[Section], path: str, skipped: Counter) -> list[Proposal]:
    found: list[Proposal] = []
    first_heading = next((s for s in sections if s.level), None)

    def propose(kind_origin: str, term: str, back: str, node: Node, sec: Section, parent_term: str) -> bool:
        front = _clean_term(term)
        if not _has_text(front):
            return False
        if not _fits(back):
            skipped["answer too long or only a picture"] += 1
            return False
        if front in GENERIC_TERMS or _strip_end(front) in GENERIC_TERMS:
            qualifier = parent_term or sec.shown
            if qualifier:
                front = f"{qualifier} › {front}"
        found.append(Proposal("basic", kind_origin, front, back, path, node.line, sec.path, sec.raw))
        node.used = True
        return True

    def visit(node: Node, sec: Section, parent_term: str, lead_children: list[Node] | None = None) -> str:
        text = node.text
        children = node.children if lead_children is None else lead_children
        term = ""
        if node.kind in ("item", "para") and not node.used:
            bm = _bold_head(text)
            split = _split_term(text)
            if bm and _term_ok(bm.group(1)) and bm.group(3).strip():
                term = bm.group(1) + (bm.group(2) or "")
                propose("bold-term", term, _clean_back(bm.group(3)), node, sec, parent_term)
            elif split and _term_ok(split[0]) and split[1].strip() and (node.kind == "item" or "\n" not in text.strip() or text.lstrip().startswith("**")):
                term = split[0]
                back = _clean_back(split[1])
                if children and not all(_would_card(c) for c in children):
                    back = (back + "\n" + _children_back(Node("item", 0, 0, children=children))).strip()
                propose("term-definition", term, back, node, sec, parent_term)
            elif children and node.kind in ("item", "para"):
                head = text.strip()
                if split and _term_ok(split[0]) and not split[1].strip():
                    head = split[0]
                elif bm is None and re.match(r"^\*\*(.+?)\*\*[：:]?$", head):
                    head = re.sub(r"[：:]$", "", _unbold(head))
                head = re.sub(r"[：:]\s*$", "", _unbold(head))
                if "\n" not in head and _term_ok(head) and _mostly_plain(children):
                    term = head
                    propose("list-explained", term, _children_back(Node("item", 0, 0, children=children)), node, sec, parent_term)
                elif "\n" not in head and _term_ok(head):
                    term = head
        for child in children:
            visit(child, sec, _clean_term(term) if term else parent_term)
        return _clean_term(term) if term else ""

    for sec in sections:
        skip = bool(SKIP_SECTION_RE.search(sec.raw)) or any(SKIP_SECTION_RE.search(t) for _, t in sec.path[:-1])
        if skip:
            skipped["in a section that holds no facts (TODO, references, outline…)"] += 1
            continue
        nodes = sec.nodes
        k = 0
        last_term = ""  # "梯度爆炸:…" then "核心原因:…": the paragraph term above qualifies it
        while k < len(nodes):
            node = nodes[k]
            lead = None
            # "解决方案:" followed by bullets: the bullets explain the line above them.
            if node.kind == "para" and "\n" not in node.text and re.search(r"[：:]\s*$", node.text) and not node.children:
                j = k + 1
                while j < len(nodes) and nodes[j].kind == "item":
                    j += 1
                if j > k + 1:
                    lead = nodes[k + 1 : j]
                    visit(node, sec, last_term, lead)
                    for n in lead:
                        n.used = n.used or node.used
                    k = j
                    continue
            got = visit(node, sec, last_term if node.kind == "para" or not node.children else "")
            if got and got not in GENERIC_TERMS and _clean_term(got) not in GENERIC_TERMS:
                last_term = got
            k += 1
        # A heading explained by what is left under it (bullets and short paragraphs).
        if not sec.level or (sec is first_heading and sec.level == 1):
            continue
        left = [
            n for n in sec.nodes
            if not n.used and n.kind in ("item", "para") and _has_text(clean_inline(n.text)) and not REFERENCE_RE.search(clean_inline(n.text))
        ]
        if not left or len(left) > 8 or any(len(clean_inline(n.text)) > 300 for n in left):
            if left:
                skipped["heading with too much or too long text under it"] += 1
            continue
        if not _term_ok(sec.shown):
            continue
        back = _children_back(Node("item", 0, 0, children=left), unused_only=True)
        if not _has_text(back):
            continue
        if _fits(back):
            front = _strip_end(re.sub(r"^\d+(\.\d+)*[.、]?\s+", "", sec.shown)) or sec.shown
            found.append(Proposal("basic", "heading-explained", front, back, path, left[0].line, sec.path, sec.raw))
            for n in left:
                n.used = True
        else:
            skipped["answer too long or only a picture"] += 1
    return found


def _mostly_plain(children: list[Node]) -> bool:
    """A bullet list earns its own card when most of its bullets are not cards already."""
    cards = sum(_would_card(c) for c in children)
    return cards * 2 <= len(children)


def _would_card(node: Node) -> bool:
    """Whether a child bullet makes a card of its own (so its parent needs no card for it)."""
    text = node.text.strip()
    bm = _bold_head(text)
    if bm and _term_ok(bm.group(1)) and bm.group(3).strip():
        return True
    split = _split_term(text)
    return bool(split and _term_ok(split[0]) and split[1].strip())


# ---------------------------------------------------------------- the whole file


def import_notes(text: str, path: str = "<notes>") -> NotesResult:
    """Proposed cards for one notes file. Never raises on any text."""
    result = NotesResult(path=path)
    if not text.strip():
        result.problems.append(Problem(path, 1, "the file is empty"))
        return result
    sections = read_sections(text, path, result.problems)
    titled = next((s for s in sections if s.level == 1 and not SKIP_SECTION_RE.search(s.raw)), None)
    result.title = titled.shown if titled else ""
    proposals = _explicit(sections, path, result.problems)
    if not proposals:
        proposals = sorted(_structure(sections, path, result.skipped), key=lambda p: p.line)
    h1 = [s for s in sections if s.level == 1]
    if len(h1) == 1 and h1[0] is titled:
        # A file with one top heading: that heading is its title (the deck's), not context.
        top = h1[0].path[0]
        proposals = [replace(p, headings=p.headings[1:]) if p.headings[:1] == (top,) else p for p in proposals]
    result.proposals = unique_cards(proposals, result.problems)
    return result


def unique_cards(proposals: list[Proposal], problems: list[Problem], seen: dict | None = None) -> list[Proposal]:
    """Proposals the deck parser reads as intended, one card per question in a deck.

    A question already asked (the deck parser's key: ordinal and normalised front) is qualified with
    its heading, else skipped and reported; so is a note the parser would read otherwise.
    """
    seen = {} if seen is None else seen
    kept = []
    for p in proposals:
        trouble, keys = _deck_check(p)
        if not trouble and any(k in seen for k in keys) and p.kind != "cloze" and p.headings:
            qualified = replace(p, front=f"{p.headings[-1][1]} › {p.front}")
            trouble2, keys2 = _deck_check(qualified)
            if not trouble2 and not any(k in seen for k in keys2):
                p, keys = qualified, keys2
        if not trouble and len(set(keys)) < len(keys):
            trouble = "both sides are the same"
        if trouble:
            problems.append(Problem(p.path, p.line, f"{trouble}; skipped"))
            continue
        clash = next((seen[k] for k in keys if k in seen), None)
        if clash:
            where = f"line {clash[1]}" if clash[0] == p.path else f"{clash[0]}:{clash[1]}"
            problems.append(Problem(p.path, p.line, f"the same question as {where}; skipped"))
            continue
        for k in keys:
            seen[k] = (p.path, p.line)
        kept.append(p)
    return kept


def _deck_check(p: Proposal) -> tuple[str, list[tuple[str, str]]]:
    """What the deck parser says about this note (empty when it reads it as intended), and the
    keys its cards take in a deck (ordinal and normalised front)."""
    from .deckparse import parse_deck

    deck = parse_deck("---\nid: check\ntitle: check\nchapter: 0\n---\n\n" + p.note_text() + "\n", "check")
    if deck.problems:
        return deck.problems[0].message, []
    kinds = {c.kind for c in deck.cards}
    if kinds != {p.kind}:
        return f"would be read as a {'/'.join(sorted(kinds)) or 'nothing'} card, not {p.kind}", []
    return "", [(c.ordinal, c.front_key) for c in deck.cards]


# ---------------------------------------------------------------- writing a deck file

HASH_MARK = "learndl-notes-import"


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return text or "notes"


def render_deck(
    results: list[NotesResult],
    *,
    deck_id: str,
    title: str,
    chapter: int = 0,
    tags: tuple[str, ...] = ("notes",),
    origin: str = "",
    tool: str = "learndl notes import",
) -> str:
    """The deck file for ``results`` (one or more notes files), in the deck format."""
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
        f"chapter: {chapter}\n"
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


def _one_line(text: str) -> str:
    return " ".join(text.split())
