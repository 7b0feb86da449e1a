"""Drawing a drill for a terminal of any width (80 columns included).

- Failure text and hints wrap at word boundaries with a hanging indent: the continuation lines
  start under the text, not under the mark.
- Code never wraps. The statement's code blocks, and the expected/got rows of a failure, are
  cropped at the edge with a ``…`` marker, so what is shown is always real code.
- A re-drill interval is written in whole days ("2d") everywhere (``redrill_interval``).
"""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console, ConsoleOptions, RenderResult, Group
from rich.markdown import CodeBlock, Markdown
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"pass": "green", "fail": "red", "error": "red", "timeout": "yellow", "skipped": "dim"}
MARK = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⏱", "skipped": "·"}
CROP = "…"
MAX_DETAIL_LINES = 12
MAX_OUTPUT_LINES = 15


def redrill_interval(delta: timedelta) -> str:
    """Whole days, at least one: a re-drill is a day-level event ("2d", never "24h" or "1.9d")."""
    return f"{max(1, round(delta.total_seconds() / 86400))}d"


def hanging(prefix: str | Text, body: str | Text, style: str = "") -> Table:
    """``prefix`` then ``body``, whose wrapped lines start under the body's first character."""
    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")  # words wrap whole; only a word wider than the column folds
    grid.add_row(prefix if isinstance(prefix, Text) else Text(prefix, style=style),
                 body if isinstance(body, Text) else Text(body, style=style))
    return grid


def cropped(line: str, width: int) -> Text:
    """One line of code, cut at ``width`` cells with the marker: never wrapped."""
    text = Text(line.expandtabs(4), no_wrap=True, overflow="crop")
    if text.cell_len > width:
        text.truncate(max(1, width - 1), overflow="crop")
        text.append(CROP)
    return text


def crop_code(code: str, width: int) -> str:
    out = []
    for line in code.expandtabs(4).splitlines():
        out.append(cropped(line, width).plain)
    return "\n".join(out)


class _CroppedCodeBlock(CodeBlock):
    """A Markdown code block cropped at the terminal's edge instead of wrapped."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = crop_code(str(self.text).rstrip(), max(10, options.max_width - 2))
        yield Syntax(code, self.lexer_name, theme=self.theme, word_wrap=False, padding=(0, 1))


class Statement(Markdown):
    """The exercise statement: prose wraps at words, code is cropped with a marker."""

    elements = {**Markdown.elements, "fence": _CroppedCodeBlock, "code_block": _CroppedCodeBlock}


def statement(markdown: str) -> Statement:
    return Statement(markdown, code_theme="ansi_dark")


def hint(level: int, total: int, text: str) -> Table:
    return hanging(Text(f"Hint {level}/{total}: ", style="bold"), Text(text))


def result(grade, memory=None, now=None) -> Group:
    """One grade: the verdict line, each check (the first failure explained), what the code printed."""
    parts = []
    head = Text()
    head.append(f"{grade.exercise}  ")
    head.append(f"{MARK.get(grade.status, '?')} {grade.status}", style=f"bold {STATUS_STYLE.get(grade.status, '')}")
    head.append(f"   seed {grade.seed} · {grade.device} · {grade.duration_ms / 1000:.2f} s", style="dim")
    parts.append(head)
    skipped = 0
    for check in grade.checks:
        if check.status == "skipped":
            skipped += 1
            continue
        style = STATUS_STYLE.get(check.status, "")
        body = Text(check.id)
        if check.message:
            body.append(": ")
            body.append(check.message, style=style)
        parts.append(hanging(Text(f"  {MARK.get(check.status, '?')} ", style=style), body))
        if check.detail:
            parts.extend(_code_lines(check.detail.splitlines()[:MAX_DETAIL_LINES], indent=6))
    if skipped:
        parts.append(Text(f"  · {skipped} more check{'s' if skipped != 1 else ''} not run", style="dim"))
    if not grade.passed and grade.output.strip():
        parts.append(Text("  your code printed:", style="dim"))
        parts.extend(_code_lines(grade.output.strip().splitlines()[:MAX_OUTPUT_LINES], indent=4))
    if memory is not None and memory.due is not None:
        when = redrill_interval(memory.due - now) if now is not None else memory.due.date().isoformat()
        parts.append(Text(f"  passed: next re-drill in {when}", style="green"))
    return Group(*parts)


class _CodeLines:
    """Lines shown as they are (tensor rows, the learner's output): cropped at the edge."""

    def __init__(self, lines: list[str], indent: int):
        self.lines, self.indent = lines, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(10, options.max_width - self.indent)
        for line in self.lines:
            yield Text.assemble(" " * self.indent, (cropped(line, width).plain, "dim"), no_wrap=True)


def _code_lines(lines: list[str], indent: int) -> list:
    return [_CodeLines(lines, indent)]
