"""Laying out a card side's blocks at a width: paragraphs wrapped, lists with hanging indents.

:class:`CardText` is the rich renderable of one card side.  It is laid out when rich draws it,
at the width rich gives it (inside the card's panel), so it fits any terminal:

- paragraphs wrap by the rules of :mod:`.wrap` (formulas whole, Chinese kinsoku), and keep
  the line breaks written in the card;
- list items start with ``•`` (``◦``, ``▪`` when nested) or their number, and their wrapped
  lines hang under the item's text;
- display formulas are indented by four cells; code blocks stay code (highlighted, not
  re-wrapped as prose); quotes get a ``│`` bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.measure import Measurement
from rich.text import Text

from .blocks import Code, Display, ListBlock, Para, Quote, Rule, Table, parse_blocks
from .wrap import Run, wrap

DISPLAY_INDENT = 4
_BULLETS = ("• ", "◦ ", "▪ ")


@dataclass
class CodeRow:
    code: Code
    indent: int


def lay_out(blocks: list, width: int, *, tight: bool = False, depth: int = 0) -> list:
    """Rows for ``blocks`` at ``width`` cells: each a list of runs (one line) or a CodeRow."""
    rows: list = []
    for k, block in enumerate(blocks):
        if k and not tight and block.gap:
            rows.append([])
        rows.extend(_block(block, width, depth))
    return rows


def _block(block, width: int, depth: int) -> list:
    if isinstance(block, Para):
        lines = wrap(block.runs, width)
        if block.style:
            lines = [[Run(r.text, f"{block.style} {r.style}" if r.style else block.style) for r in line]
                     for line in lines]
        return lines
    if isinstance(block, Display):
        rows = []
        pad = Run(" " * DISPLAY_INDENT)
        for line in block.lines:
            for part in wrap([Run(line, atom=True)], width - DISPLAY_INDENT):
                rows.append([pad, *part])
        return rows
    if isinstance(block, Code):
        return [CodeRow(block, 0)]
    if isinstance(block, ListBlock):
        return _list(block, width, depth)
    if isinstance(block, Quote):
        bar = Run("│ ", "dim")
        return [_indent(row, bar, 2) for row in lay_out(block.blocks, width - 2, depth=depth)]
    if isinstance(block, Rule):
        return [[Run("─" * max(1, min(width, 40)), "dim")]]
    if isinstance(block, Table):
        return _table(block, width)
    return []


def _table(block: Table, width: int) -> list:
    """Columns lined up when the table fits the width; otherwise each row wrapped as text."""
    texts = [["".join(run.text for run in cell) for cell in cells] for cells in block.rows]
    ncols = max((len(cells) for cells in texts), default=0)
    widths = [max((cell_len(cells[c]) for cells in texts if c < len(cells)), default=0)
              for c in range(ncols)]
    aligned = not any("\n" in cell for cells in texts for cell in cells)
    aligned = aligned and sum(widths) + 3 * (ncols - 1) <= width
    rows = []
    for r, cells in enumerate(block.rows):
        runs: list[Run] = []
        for c, cell in enumerate(cells):
            if c:
                runs.append(Run(" │ ", "dim"))
            runs.extend(cell)
            if aligned and c < ncols - 1:
                runs.append(Run(" " * (widths[c] - cell_len(texts[r][c]))))
        rows.extend([runs] if aligned else wrap(runs, width))
        if r == 0 and aligned and len(block.rows) > 1:
            rows.append([Run("─┼─".join("─" * w for w in widths), "dim")])
    return rows


def _indent(row, first: Run, width: int):
    if isinstance(row, CodeRow):
        return CodeRow(row.code, row.indent + width)
    return [first, *row]


def _list(block: ListBlock, width: int, depth: int) -> list:
    if block.ordered:
        numbers = [f"{block.start + k}. " for k in range(len(block.items))]
        size = max(cell_len(n) for n in numbers) if numbers else 3
        markers = [n.rjust(size) for n in numbers]
    else:
        markers = [_BULLETS[depth % len(_BULLETS)]] * len(block.items)
        size = cell_len(markers[0]) if markers else 2
    rows: list = []
    hang = Run(" " * size)
    for k, item in enumerate(block.items):
        if k and not block.tight:
            rows.append([])
        inner = lay_out(item, width - size, tight=block.tight, depth=depth + 1)
        if not inner:
            inner = [[]]
        marker = Run(markers[k], "bold" if block.ordered else "cyan")
        for r, row in enumerate(inner):
            if isinstance(row, CodeRow):
                if r == 0:
                    rows.append([marker])
                rows.append(CodeRow(row.code, row.indent + size))
            else:
                rows.append([marker if r == 0 else hang, *row])
    return rows


class CardText:
    """One card side (Markdown with maths) as a rich renderable laid out at the drawn width."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks = parse_blocks(text)

    def rows(self, width: int) -> list:
        return lay_out(self.blocks, width)

    def lines(self, width: int) -> list[str]:
        """The side as plain lines at ``width`` (code blocks as their source lines)."""
        out = []
        for row in self.rows(width):
            if isinstance(row, CodeRow):
                out.extend(" " * row.indent + line for line in row.code.text.split("\n"))
            else:
                out.append("".join(run.text for run in row).rstrip())
        return out

    def __rich_console__(self, console, options):
        for row in self.rows(options.max_width):
            if isinstance(row, CodeRow):
                yield _code(row)
                continue
            text = Text(no_wrap=True, overflow="fold", end="\n")
            for run in row:
                text.append(run.text, run.style)
            text.rstrip()
            yield text

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(1, options.max_width)


def _code(row: CodeRow):
    from rich.padding import Padding
    from rich.syntax import Syntax

    syntax = Syntax(row.code.text, row.code.lang or "text", theme="monokai", word_wrap=True,
                    padding=(0, 1))
    return Padding(syntax, (0, 0, 0, row.indent)) if row.indent else syntax
