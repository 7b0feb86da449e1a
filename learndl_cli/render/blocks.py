"""A card side (Markdown with maths) as a small tree of blocks, ready to lay out.

The maths is rendered first (:func:`learndl_cli.mathtext.split_math`) and stands in the Markdown
as placeholders, so that Markdown never reads ``_`` or ``*`` inside a formula; each inline formula
comes back as one *atom* :class:`~.wrap.Run`, kept whole by the line breaker.  markdown-it (which
rich already uses) parses the rest.

Blocks: :class:`Para` (lines of runs), :class:`Display` (a display formula's lines),
:class:`Code`, :class:`ListBlock`, :class:`Quote`, :class:`Rule` and :class:`Table`.  A line
break inside a paragraph is kept: a card's answer written on several lines shows on several.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..mathtext import split_math
from ..mathtext.markdown import DISPLAY_MARK, PLACEHOLDER_RE
from .wrap import Run

CODE_STYLE = "markdown.code"
_DISPLAY = "\x00display"  # marks a display formula among a paragraph's runs
_STYLES = {"strong": "bold", "em": "italic", "s": "strike", "link": "underline"}


@dataclass
class Para:
    runs: list[Run]
    style: str | None = None  # headings are bold paragraphs
    gap: bool = True  # a blank line before it (as written: a heading or list right under a line has none)


@dataclass
class Display:
    lines: list[str]
    gap: bool = True


@dataclass
class Code:
    text: str
    lang: str
    gap: bool = True


@dataclass
class ListBlock:
    ordered: bool
    start: int
    items: list[list] = field(default_factory=list)
    tight: bool = True
    gap: bool = True


@dataclass
class Quote:
    blocks: list
    gap: bool = True


@dataclass
class Rule:
    gap: bool = True


@dataclass
class Table:
    rows: list[list[list[Run]]]
    gap: bool = True


_parser = None


def _md():
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    return _parser


def parse_blocks(text: str) -> list:
    """The blocks of one card side."""
    from markdown_it.tree import SyntaxTreeNode

    masked, formulas = split_math(text)
    tree = SyntaxTreeNode(_md().parse(masked))
    return _blocks(tree.children, formulas, masked.split("\n"))


def _blocks(nodes, formulas: list[str], lines: list[str]) -> list:
    out: list = []
    for node in nodes:
        kind = node.type
        first = len(out)
        # A blank line before it in the source (a quote's blank lines are a bare ">").
        gap = node.map is None or node.map[0] == 0 or not lines[node.map[0] - 1].strip(" \t>")
        if kind == "paragraph":
            out.extend(_paragraph(_inline_runs(node, formulas), formulas))
        elif kind == "heading":
            out.append(Para(_inline_runs(node, formulas), style="bold"))
        elif kind in ("fence", "code_block"):
            lang = (node.info or "").strip().split()[0] if kind == "fence" and node.info else ""
            out.append(Code(node.content.rstrip("\n"), lang))
        elif kind in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1) or 1) if kind == "ordered_list" else 1
            block = ListBlock(kind == "ordered_list", start)
            for item in node.children:
                block.items.append(_blocks(item.children, formulas, lines))
                if any(not _hidden(child) for child in item.children if child.type == "paragraph"):
                    block.tight = False
            out.append(block)
        elif kind == "blockquote":
            out.append(Quote(_blocks(node.children, formulas, lines)))
        elif kind == "hr":
            out.append(Rule())
        elif kind == "table":
            rows = []
            for section in node.children:
                for tr in section.children:
                    rows.append([_inline_runs(cell, formulas) for cell in tr.children])
            out.append(Table(rows))
        elif kind == "html_block":
            out.append(Para([Run(node.content.rstrip("\n"))]))
        elif node.children:
            out.extend(_blocks(node.children, formulas, lines))
        if len(out) > first and first > 0:
            out[first].gap = gap
    return out


def _hidden(node) -> bool:
    token = node.nester_tokens.opening if node.nester_tokens else node.token
    return bool(getattr(token, "hidden", False))


def _inline_runs(node, formulas: list[str]) -> list[Run]:
    runs: list[Run] = []
    for child in node.children:
        if child.type == "inline":
            _inline(child.children, None, runs, formulas)
    return runs


def _inline(nodes, style: str | None, runs: list[Run], formulas: list[str]) -> None:
    for node in nodes:
        kind = node.type
        if kind == "text":
            _text(node.content, style, runs, formulas)
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run("\n"))
        elif kind == "code_inline":
            runs.append(Run(node.content, _join(style, CODE_STYLE), atom=True))
        elif kind in _STYLES:
            before = len(runs)
            _inline(node.children, _join(style, _STYLES[kind]), runs, formulas)
            href = node.attrs.get("href") if kind == "link" else None
            if href and href != "".join(run.text for run in runs[before:]):
                runs.append(Run(f" ({href})", _join(style, "dim")))  # a terminal shows no link
        elif kind == "image":
            runs.append(Run(f"[{node.attrs.get('alt') or node.content or 'image'}]", style))
        elif kind == "html_inline":
            runs.append(Run(node.content, style))
        elif node.children:
            _inline(node.children, style, runs, formulas)


def _join(outer: str | None, inner: str) -> str:
    return f"{outer} {inner}" if outer else inner


def _text(text: str, style: str | None, runs: list[Run], formulas: list[str]) -> None:
    pos = 0
    for m in PLACEHOLDER_RE.finditer(text):
        if m.start() > pos:
            runs.append(Run(text[pos:m.start()], style))
        formula = formulas[int(m.group(2))]
        if m.group(1) == DISPLAY_MARK:
            runs.append(Run(formula, _DISPLAY))  # split out by _paragraph
        else:
            runs.append(Run(formula, style, atom=True))
        pos = m.end()
    if pos < len(text):
        runs.append(Run(text[pos:], style))


def _paragraph(runs: list[Run], formulas: list[str]) -> list:
    """A paragraph's runs as blocks: display formulas inside it become blocks of their own."""
    out: list = []
    current: list[Run] = []

    def flush() -> None:
        while current and current[-1].text == "\n":
            current.pop()
        while current and current[0].text == "\n":
            current.pop(0)
        if current:
            out.append(Para(list(current)))
        current.clear()

    for run in runs:
        if run.style == _DISPLAY:
            flush()
            out.append(Display([line for line in run.text.split("\n") if line.strip()]))
        else:
            current.append(run)
    flush()
    return out
