"""Turning a card into something readable in a terminal.

- :mod:`.blocks` — a card side's Markdown (maths rendered by :mod:`learndl_cli.mathtext`) as blocks;
- :mod:`.wrap` — breaking text into lines: formulas whole, Chinese kinsoku, East Asian widths;
- :mod:`.layout` — blocks laid out at the drawn width (:class:`~.layout.CardText`).

Used by the quiz and the exam (:func:`card_panel`) and by reports and JSON (:func:`plain_text`).
"""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from .layout import CardText


def card_markdown(text: str) -> CardText:
    """One card side as a renderable: Markdown and maths, laid out at the width it is drawn."""
    return CardText(text)


def card_header(card: dict, deck_titles: dict[str, str]) -> str:
    title = deck_titles.get(card["deck_id"], card["deck_id"])
    parts = [title]
    if card.get("chapter") is not None:
        parts.append(f"ch{card['chapter']}" if card["chapter"] else "set-up")
    elif "chapter" in card:
        parts.append("your notes")  # a deck with "chapter: none": the learner's own notes
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
    from ..mathtext import render_math

    return render_math(text)
