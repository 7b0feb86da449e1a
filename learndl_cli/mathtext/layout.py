"""Widths and two-dimensional layout for formulas: bracket tests, accents, boxes, columns."""

from __future__ import annotations

import unicodedata

from .symbols import CLOSE_CHARS, COMPOUND_CHARS, OPEN_CHARS, SCRIPT_CHARS, WIDE_ACCENTS


def wrapped(s: str) -> bool:
    """True when ``s`` is one parenthesised (or bracketed) group, like ``(a+b)`` or ``|x|``."""
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "|‖" and s.count(s[0]) == 2:
        return True
    if len(s) < 2 or s[0] not in "([" or s[-1] not in ")]":
        return False
    depth = 0
    for k, ch in enumerate(s):
        if ch in OPEN_CHARS:
            depth += 1
        elif ch in CLOSE_CHARS:
            depth -= 1
            if depth == 0 and k != len(s) - 1:
                return False
    return depth == 0


def compound(s: str) -> bool:
    """True when ``s`` needs parentheses as a fraction side: an operator at bracket depth 0."""
    if wrapped(s):
        return False
    depth = 0
    for ch in s:
        if ch in OPEN_CHARS:
            depth += 1
        elif ch in CLOSE_CHARS:
            depth -= 1
        elif depth <= 0 and ch in COMPOUND_CHARS:
            return True
    return False


def single_symbol(s: str) -> bool:
    """One symbol possibly carrying accents/scripts (``x``, ``ŷᵢ``, ``𝐱²``), or a plain number."""
    if s.isdigit() or s.replace(".", "", 1).isdigit():
        return True
    base = [ch for ch in s if not unicodedata.combining(ch) and ch not in SCRIPT_CHARS]
    return len(base) == 1


def accent(content: str, mark: str, name: str) -> str:
    if not content:
        return mark
    if single_symbol(content):
        # Put the mark right after the base character, before any scripts: ŷᵢ.
        k = 1
        while k < len(content) and unicodedata.combining(content[k]):
            k += 1
        return content[:k] + mark + content[k:]
    if name in WIDE_ACCENTS:
        return "".join(ch + mark if not ch.isspace() else ch for ch in content)
    return f"{name.replace('wide', '')}({content})"


def cell_width(s: str) -> int:
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def pad(s: str, width: int) -> str:
    return s + " " * (width - cell_width(s))


def hjoin(parts: list[str]) -> str:
    """Join strings side by side; multi-line parts become boxes centred on the middle line."""
    if not any("\n" in p for p in parts):
        return "".join(parts)
    boxes = [p.split("\n") for p in parts]
    height = max(len(b) for b in boxes)
    mid = (height - 1) // 2
    rows = [""] * height
    for box in boxes:
        w = max(cell_width(line) for line in box)
        top = mid - (len(box) - 1) // 2
        for r in range(height):
            k = r - top
            line = box[k] if 0 <= k < len(box) else ""
            rows[r] += line + "\x02" * (w - cell_width(line))
    return "\n".join(row.rstrip(" \x02") for row in rows)


def columns(rows: list[list[str]], gap: str) -> list[str]:
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    for row in rows:
        for c, cell in enumerate(row):
            widths[c] = max(widths[c], cell_width(cell))
    lines = []
    for row in rows:
        cells = [pad(cell, widths[c]) for c, cell in enumerate(row)]
        sep = gap
        if not gap:  # aligned: "a &= b" → cells meet with one space
            sep = " "
        lines.append(sep.join(cells).rstrip())
    return lines
