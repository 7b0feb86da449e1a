"""Breaking a run of card text into lines of a given width (in terminal cells).

What may break, and where (the rules of a careful typesetter, in a terminal):

- Latin text breaks at spaces; the spaces at a break are dropped.
- Chinese (and other East Asian wide) text breaks between any two characters, and next to a
  formula or a word, but never before closing punctuation (``）``, ``，``, ``。``, ``：``, ``、``,
  ``」`` …) and never after an opening bracket (``（``, ``「``, ``《`` …): *kinsoku*.
- An *atom* (a formula, a code span) is one unbreakable unit when it fits the width.  A wider
  formula breaks only after a top-level ``=``, ``+`` or ``,`` (outside brackets); a piece that
  is still too wide, or a word longer than the line, is cut where it must be, kinsoku permitting.
- A ``\\n`` in a run is a line break that always stays.

Widths are terminal cells (``rich.cells.cell_len``): a CJK character takes two.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rich.cells import cell_len

# Never at the start of a line (closing brackets, punctuation, small kana, iteration marks).
NO_START = frozenset(
    "）)]｝}〕〉》」』】〙〗〟’”｠»›"
    "，,、。.．：:；;！!？?‼⁇⁈⁉・…‥〜～ー–—"
    "ヽヾゝゞ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "%％‰℃°′″"
)
# Never at the end of a line (opening brackets and quotes).
NO_END = frozenset("（([｛{〔〈《「『【〘〖〝‘“｟«‹")
# Where a formula too wide for the line may break: after these, outside brackets.
FORMULA_BREAKS = frozenset("=+,")
_OPEN = frozenset("([{⟨⌊⌈")
_CLOSE = frozenset(")]}⟩⌋⌉")


@dataclass(frozen=True)
class Run:
    """Some text with one style; ``atom`` runs (formulas, code spans) are kept whole."""

    text: str
    style: str | None = None
    atom: bool = False


class _Cluster:
    """One unit of layout: a character with its combining marks, a space, or an atom piece."""

    __slots__ = ("text", "style", "width", "space", "wide", "brk")

    def __init__(self, text: str, style: str | None, width: int, *, space: bool = False,
                 wide: bool = False, brk: bool = False) -> None:
        self.text = text
        self.style = style
        self.width = width
        self.space = space
        self.wide = wide  # East Asian wide: a break may fall on either side
        self.brk = brk  # a break is allowed just before it (a formula's top-level operator)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def formula_pieces(text: str) -> list[str]:
    """``text`` cut after each top-level ``=``, ``+`` or ``,`` (with the spaces after it)."""
    pieces: list[str] = []
    depth = 0
    start = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in FORMULA_BREAKS and i > start:
            j = i + 1
            while j < n and text[j] == " ":
                j += 1
            if j < n:
                pieces.append(text[start:j])
                start = j
            i = j
            continue
        i += 1
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _char_clusters(text: str, style: str | None, out: list[_Cluster]) -> None:
    for ch in text:
        if ch in "\t\u00a0" or (ch == " "):
            out.append(_Cluster(" " if ch == "\t" else ch, style, 1, space=ch != "\u00a0"))
            continue
        w = cell_len(ch)
        if out and (w == 0 or unicodedata.combining(ch)) and not out[-1].space:
            last = out[-1]
            last.text += ch
            continue
        out.append(_Cluster(ch, style, w, wide=_is_wide(ch)))


def _clusters(runs: list[Run], width: int) -> list[_Cluster | None]:
    """The clusters of ``runs``; ``None`` stands for a line break."""
    out: list = []
    for run in runs:
        parts = run.text.split("\n")
        for k, part in enumerate(parts):
            if k:
                out.append(None)
            if not part:
                continue
            if not run.atom:
                _char_clusters(part, run.style, out)
                continue
            if cell_len(part) <= width:
                out.append(_Cluster(part, run.style, cell_len(part)))
                continue
            # Too wide for any line: its pieces, and pieces still too wide as characters.
            for p, piece in enumerate(formula_pieces(part)):
                body = piece.rstrip(" ")  # the spaces after its operator: where it may break
                if cell_len(body) <= width:
                    out.append(_Cluster(body, run.style, cell_len(body), brk=p > 0))
                else:
                    first = len(out)
                    _char_clusters(body, run.style, out)
                    for c in out[first:]:
                        c.space = False  # spaces inside a formula are part of it
                    if p > 0 and len(out) > first:
                        out[first].brk = True
                _char_clusters(piece[len(body):], run.style, out)
    return out


def _kinsoku_ok(before: _Cluster, after: _Cluster) -> bool:
    return after.text[:1] not in NO_START and before.text.rstrip()[-1:] not in NO_END


def _may_break(cl: list[_Cluster], j: int) -> bool:
    """Whether a line may end just before ``cl[j]``."""
    a, b = cl[j - 1], cl[j]
    if b.space:
        if a.space:
            return False  # break once, at the start of a run of spaces
        k = j
        while k < len(cl) and cl[k].space:
            k += 1
        return k == len(cl) or _kinsoku_ok(a, cl[k])
    if a.space:
        return False
    if not (b.brk or a.wide or b.wide):
        return False
    return _kinsoku_ok(a, b)


def _forced(cl: list[_Cluster], start: int, i: int) -> int:
    """Where to cut a line that has no break: at ``i`` or before, kinsoku permitting."""
    for k in range(i, start, -1):
        if not cl[k].space and not cl[k - 1].space and _kinsoku_ok(cl[k - 1], cl[k]):
            return k
    return i


def _wrap_segment(cl: list[_Cluster], width: int) -> list[list[_Cluster]]:
    lines: list[list[_Cluster]] = []
    n = len(cl)
    start = 0
    while start < n:
        w = 0
        i = start
        last_break = -1
        while i < n:
            c = cl[i]
            if i > start and _may_break(cl, i):
                last_break = i
            if not c.space and i > start and w + c.width > width:
                break
            w += c.width
            i += 1
        j = n if i >= n else (last_break if last_break > start else _forced(cl, start, i))
        line = cl[start:j]
        while line and line[-1].space:
            line.pop()
        lines.append(line)
        start = j
        while start < n and cl[start].space:
            start += 1
    if not lines:
        lines.append([])
    return lines


def _merge(line: list[_Cluster]) -> list[Run]:
    runs: list[Run] = []
    for c in line:
        if runs and runs[-1].style == c.style:
            runs[-1] = Run(runs[-1].text + c.text, c.style)
        else:
            runs.append(Run(c.text, c.style))
    return runs


def wrap(runs: list[Run], width: int) -> list[list[Run]]:
    """``runs`` as lines no wider than ``width`` cells (see the module's rules).

    A line is wider only when it holds one character wider than ``width``.  Every character
    is kept, in order, except the spaces at a break.
    """
    width = max(1, width)
    lines: list[list[Run]] = []
    segment: list[_Cluster] = []
    for c in _clusters(runs, width) + [None]:
        if c is None:
            lines.extend(_merge(line) for line in _wrap_segment(segment, width))
            segment = []
        else:
            segment.append(c)
    return lines
