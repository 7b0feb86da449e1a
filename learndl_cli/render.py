"""Turning a card into something readable in a terminal: Markdown, highlighted code, maths as Unicode."""

from __future__ import annotations

from rich.console import Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text


def card_markdown(text: str) -> Markdown:
    from .mathtext import render_math

    return Markdown(render_math(text), code_theme="monokai", hyperlinks=False)


def card_header(card: dict, deck_titles: dict[str, str]) -> str:
    title = deck_titles.get(card["deck_id"], card["deck_id"])
    parts = [title]
    if card.get("chapter") is not None:
        parts.append(f"ch{card['chapter']}" if card["chapter"] else "set-up")
    if card.get("context"):
        parts.append(card["context"])
    return " · ".join(parts)


def card_panel(card: dict, deck_titles: dict[str, str], *, revealed: bool) -> Panel:
    body = [card_markdown(card["front"])]
    if revealed:
        body.append(Text("─" * 20, style="dim"))
        body.append(card_markdown(card["back"]))
    subtitle = None
    if card.get("kind") == "cloze":
        subtitle = "cloze"
    elif card.get("kind") == "reversed":
        subtitle = "reversed" if card.get("ordinal") == "rev" else None
    return Panel(
        Group(*body),
        title=Text(card_header(card, deck_titles), style="bold cyan"),
        title_align="left",
        subtitle=subtitle,
        subtitle_align="right",
        border_style="cyan" if not revealed else "green",
        padding=(1, 2),
    )


def plain_text(text: str) -> str:
    """A card side as plain Unicode text (maths rendered), for JSON, exams and tests."""
    from .mathtext import render_math

    return render_math(text)
