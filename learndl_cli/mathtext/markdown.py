"""Finding the formulas of a Markdown text (code spans and fences left alone) and replacing them."""

from __future__ import annotations

import re

from .parser import latex_to_unicode
from .symbols import CMD_RE

# A zero-width space first, because Markdown strips leading (even non-breaking) whitespace.
_DISPLAY_INDENT = "\u200b" + "\u00a0" * 4


def _render_display(body: str) -> str:
    rendered = latex_to_unicode(body, display=True)
    lines = [line for line in rendered.split("\n") if line.strip()]
    # Non-breaking spaces keep the indentation and column alignment through Markdown; two
    # trailing spaces are a Markdown hard line break, so multi-line formulas stay multi-line.
    return "  \n".join(_DISPLAY_INDENT + _RUN_OF_SPACES.sub(_to_nbsp, line) for line in lines)


_RUN_OF_SPACES = re.compile(r"^ +| {2,}")


def _to_nbsp(m: re.Match) -> str:
    return "\u00a0" * len(m.group(0))


def _inline_end(text: str, start: int) -> int:
    """Index of the ``$`` closing an inline formula opened at ``start``, or -1."""
    n = len(text)
    if start + 1 >= n or text[start + 1].isspace():
        return -1
    j = start + 1
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n" and text.startswith("\n", j + 1):
            return -1  # a blank line ends the paragraph
        if ch == "$":
            if text[j - 1].isspace() or (j + 1 < n and text[j + 1].isdigit()):
                return -1
            return j
        if ch == "`":
            return -1
        j += 1
    return -1


def _code_fence(text: str, i: int) -> int:
    """If a fenced code block starts at line start ``i``, the index just past its end."""
    j = i
    n = len(text)
    while j < n and j - i < 3 and text[j] == " ":
        j += 1
    fence_char = text[j] if j < n else ""
    if fence_char not in ("`", "~"):
        return -1
    k = j
    while k < n and text[k] == fence_char:
        k += 1
    if k - j < 3:
        return -1
    fence = text[j:k]
    end = text.find("\n", k)
    if end == -1:
        return n
    pos = end + 1
    while pos < n:
        line_end = text.find("\n", pos)
        line = text[pos:line_end if line_end != -1 else n]
        if line.strip().startswith(fence) and set(line.strip()) == {fence_char}:
            return line_end + 1 if line_end != -1 else n
        if line_end == -1:
            return n
        pos = line_end + 1
    return n


def render_math(text: str) -> str:
    """``text`` (Markdown) with every ``$…$`` and ``$$…$$`` rendered as Unicode.

    Fenced code blocks and inline code spans are left untouched, ``\\$`` becomes ``$``, and an
    unbalanced ``$`` stays as it is.  Display maths goes on its own indented line(s).
    """
    if "$" not in text:
        return text
    return _scan(text, latex_to_unicode, _render_display)


# Placeholders of :func:`split_math`: private-use characters that Markdown treats as letters.
INLINE_MARK, DISPLAY_MARK, END_MARK = "\ue000", "\ue001", "\ue002"
PLACEHOLDER_RE = re.compile("([\ue000\ue001])([0-9]+)\ue002")


def split_math(text: str) -> tuple[str, list[str]]:
    """``text`` with each formula replaced by a placeholder, and the rendered formulas.

    A formula ``k`` becomes ``INLINE_MARK k END_MARK`` (``DISPLAY_MARK`` for ``$$…$$``, which
    also gets a paragraph of its own), so a layout can parse the Markdown without reading the
    maths as Markdown and then keep each formula whole.  Display formulas may hold several lines.
    """
    formulas: list[str] = []

    def keep(mark: str, rendered: str) -> str:
        formulas.append(rendered)
        return f"{mark}{len(formulas) - 1}{END_MARK}"

    if "$" not in text:
        return text, formulas
    masked = _scan(text, lambda body: keep(INLINE_MARK, latex_to_unicode(body)),
                   lambda body: keep(DISPLAY_MARK, latex_to_unicode(body, display=True)))
    return masked, formulas


def find_formulas(text: str) -> list[tuple[str, bool]]:
    """The formula bodies of a Markdown text, in order, each with whether it is display maths."""
    found: list[tuple[str, bool]] = []
    if "$" in text:
        _scan(text, lambda body: found.append((body, False)) or "",
              lambda body: found.append((body, True)) or "")
    return found


def _scan(text: str, inline, display) -> str:
    """``text`` with ``inline(body)`` and ``display(body)`` in place of each formula."""
    out: list[str] = []
    i, n = 0, len(text)
    plain_start = 0
    at_line_start = True
    while i < n:
        ch = text[i]
        if at_line_start:
            end = _code_fence(text, i)
            if end != -1:
                i = end
                at_line_start = True
                continue
        at_line_start = ch == "\n"
        if ch == "`":
            k = i
            while k < n and text[k] == "`":
                k += 1
            ticks = text[i:k]
            close = text.find(ticks, k)
            while close != -1 and close + len(ticks) < n and text[close + len(ticks)] == "`":
                close = text.find(ticks, close + len(ticks) + 1)
            i = close + len(ticks) if close != -1 else k
            continue
        if ch == "\\" and i + 1 < n:
            if text[i + 1] == "$":
                out.append(text[plain_start:i])
                out.append("$")
                i += 2
                plain_start = i
                continue
            i += 2
            continue
        if ch != "$":
            i += 1
            continue
        if text.startswith("$$", i):
            close = text.find("$$", i + 2)
            while close != -1 and text[close - 1] == "\\":
                close = text.find("$$", close + 1)
            if close == -1:
                i += 2
                continue
            out.append(text[plain_start:i].rstrip(" \t"))
            before = "".join(out)
            if before.strip():
                out.append("" if before.endswith("\n\n") else
                           ("\n" if before.endswith("\n") else "\n\n"))
            out.append(display(text[i + 2:close]))
            i = close + 2
            if text[i:].strip():
                newlines = 0
                while i < n and text[i] in " \t\n" and (text[i] != "\n" or newlines < 2):
                    newlines += text[i] == "\n"
                    i += 1
                out.append("\n\n")
            plain_start = i
            at_line_start = True
            continue
        close = _inline_end(text, i)
        if close == -1:
            i += 1
            continue
        out.append(text[plain_start:i])
        out.append(inline(text[i + 1:close]))
        i = close + 1
        plain_start = i
    out.append(text[plain_start:])
    return "".join(out)


def _strip_code(text: str) -> str:
    """``text`` with fenced code blocks and inline code spans blanked out."""
    out: list[str] = []
    i, n = 0, len(text)
    start = 0
    at_line_start = True
    while i < n:
        if at_line_start:
            end = _code_fence(text, i)
            if end != -1:
                out.append(text[start:i])
                out.append("\n")
                i = start = end
                continue
        ch = text[i]
        at_line_start = ch == "\n"
        if ch == "`":
            k = i
            while k < n and text[k] == "`":
                k += 1
            close = text.find(text[i:k], k)
            if close != -1:
                out.append(text[start:i])
                out.append(" ")
                i = start = close + (k - i)
                continue
            i = k
            continue
        i += 1
    out.append(text[start:])
    return "".join(out)


def leftover_latex(text: str) -> list[str]:
    """The LaTeX commands (like ``\\frac``) still present in ``text`` outside code."""
    if "\\" not in text:
        return []
    return CMD_RE.findall(_strip_code(text))
