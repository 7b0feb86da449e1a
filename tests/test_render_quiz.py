"""The real `learndl quiz` at 80 columns on the bundled decks: formulas whole, lines that fit.

A learner without a TTY (one key per line on stdin) reviews every new card of the bundled decks
richest in maths, with ``COLUMNS=80``.  Then, for every card the quiz showed (read back from the
database), every formula that fits inside the card's panel must be on one line of the output,
no line is wider than 80 cells, no line in a panel starts with closing punctuation, and an
answer written on several lines shows on several lines.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from learndl_cli.deckparse import parse_deck
from learndl_cli.mathtext import find_formulas, latex_to_unicode
from learndl_cli.render.wrap import NO_START

REPO = Path(__file__).resolve().parent.parent
COLUMNS = 80
PANEL_TEXT_WIDTH = COLUMNS - 2 - 4  # the panel's border and padding


def _maths_richest_decks(count: int) -> list[str]:
    scored = []
    for path in sorted((REPO / "decks").glob("*.md")):
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path))
        formulas = sum(len(find_formulas(c.front)) + len(find_formulas(c.back)) for c in deck.cards)
        scored.append((formulas, deck.id))
    return [deck_id for _, deck_id in sorted(scored, reverse=True)[:count]]


def _panel_lines(output: str) -> list[str]:
    """The text inside the cards' panels: border and padding taken off."""
    inside = []
    for line in output.splitlines():
        if line.startswith("│") and line.rstrip().endswith("│"):
            inside.append(line.rstrip()[1:-1][2:].rstrip())
    return inside


@pytest.mark.parametrize("deck_id", _maths_richest_decks(3))
def test_quiz_at_80_columns_keeps_formulas_whole(home, deck_id):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("new_per_day = 1000\nmax_reviews_per_day = 1000\nfuzz = false\n")
    env = {**os.environ, "LEARNDL_HOME": str(home), "COLUMNS": str(COLUMNS), "PYTHONIOENCODING": "utf-8"}
    env.pop("LINES", None)
    result = subprocess.run(
        [sys.executable, "-m", "learndl_cli", "quiz", "--deck", deck_id],
        input="\n3\n" * 200 + "q\n", capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\\frac" not in out and "\\mathbf" not in out

    lines = out.splitlines()
    too_wide = [line for line in lines if cell_len(line) > COLUMNS]
    assert not too_wide, "\n".join(too_wide)
    inside = _panel_lines(out)
    assert inside, out[:2000]
    bad_start = [line for line in inside if line.strip()[:1] in NO_START]
    assert not bad_start, "\n".join(bad_start)

    conn = sqlite3.connect(home / "learndl.db")
    shown = conn.execute(
        "select distinct c.front, c.back from reviews r join cards c on c.id = r.card_id"
    ).fetchall()
    conn.close()
    assert len(shown) >= 10

    checked = 0
    broken = []
    for front, back in shown:
        for side in (front, back):
            for body, display in find_formulas(side):
                if display:
                    continue
                text = latex_to_unicode(body)
                if cell_len(text) <= PANEL_TEXT_WIDTH:
                    checked += 1
                    if not any(text in line for line in inside):
                        broken.append(text)
    assert checked >= 20
    assert not broken, "formulas split across lines:\n" + "\n".join(broken)

    # Answers written on several lines keep them: each plain line of such an answer starts a
    # line of the output.
    for _, back in shown:
        written = [ln.strip() for ln in back.split("\n") if ln.strip()]
        if len(written) < 2 or any(re.search(r"[$`*_|#>\[]|^\s*([-+]|\d+\.)\s", ln) for ln in written):
            continue
        for ln in written:
            head = ln[:6]
            assert any(line.startswith(head) for line in inside), (ln, back)
