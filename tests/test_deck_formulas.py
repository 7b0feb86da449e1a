"""Every formula of the bundled decks renders whole, with no LaTeX left and one script style.

The decks are read with the project's own deck parser; every ``$…$`` and ``$$…$$`` of every
card side is rendered.  The check on styles reads the *output*: a formula that shows a Unicode
script character (``ᵢ``, ``²``, ``ᵀ``) and also a ``_``/``^`` fallback mixes styles.  The
fallbacks used are printed (``pytest -s``), with the scripts that had no Unicode form.
"""

from __future__ import annotations

from pathlib import Path

from learndl_cli.deckparse import parse_deck
from learndl_cli.mathtext import find_formulas, leftover_latex, render_formula
from learndl_cli.mathtext.symbols import SUB, SUP

REPO = Path(__file__).resolve().parent.parent
# Unicode script characters; marks like ′ ∗ † and the comma are the same in both styles.
SCRIPT_CHARS = (set(SUB.values()) | set(SUP.values())) - set(",′″∗†°")


def bundled_formulas() -> list[tuple[str, str, bool]]:
    """(``file:line``, formula body, display) for every distinct formula of the bundled decks."""
    found, seen = [], set()
    for path in sorted((REPO / "decks").glob("*.md")):
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
        for card in deck.cards:
            for side in (card.front, card.back):
                for body, display in find_formulas(side):
                    if (body, display) not in seen:
                        seen.add((body, display))
                        found.append((f"{path.name}:{card.line}", body, display))
    return found


def mixed_styles(text: str) -> bool:
    unicode_scripts = any(ch in SCRIPT_CHARS for ch in text)
    fallback = "_" in text or "^" in text
    return unicode_scripts and fallback


def test_style_checker_sees_a_mixed_formula():
    assert mixed_styles("𝐖_q ∈ ℝ^(h×q), 𝐖ₖ")
    assert not mixed_styles("𝐖_q ∈ ℝ^(h×q), 𝐖_k")
    assert not mixed_styles("𝐖ₖ ∈ ℝᵈ")


def test_every_bundled_formula_renders_in_one_style():
    formulas = bundled_formulas()
    assert len(formulas) > 300, "the bundled decks should hold hundreds of formulas"
    leftovers, mixed, fallbacks = [], [], []
    for where, body, display in formulas:
        rendered = render_formula(body, display=display)
        if leftover_latex(rendered.text) or "\\" in rendered.text:
            leftovers.append(f"{where}: {body!r} -> {rendered.text!r}")
        if mixed_styles(rendered.text):
            mixed.append(f"{where}: {body!r} -> {rendered.text!r}")
        if rendered.style == "fallback":
            assert not any(ch in SCRIPT_CHARS for ch in rendered.text), (where, rendered)
            fallbacks.append(f"{where}: {rendered.text}   (no Unicode form: {', '.join(rendered.missing)})")
        elif rendered.style == "unicode":
            assert "_" not in rendered.text and "^" not in rendered.text, (where, rendered)
    print(f"\n{len(formulas)} formulas; {len(fallbacks)} use the _(…)/^(…) fallback:")
    print("\n".join(fallbacks))
    assert not leftovers, "LaTeX left over:\n" + "\n".join(leftovers)
    assert not mixed, "mixed script styles:\n" + "\n".join(mixed)


def test_same_latex_renders_the_same_everywhere():
    """A formula's text depends on the formula only, not on the card or what came before it."""
    by_body: dict[tuple[str, bool], str] = {}
    for _, body, display in bundled_formulas():
        by_body[(body, display)] = render_formula(body, display=display).text
    for (body, display), text in reversed(list(by_body.items())):
        assert render_formula(body, display=display).text == text
