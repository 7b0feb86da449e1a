r"""LaTeX maths as readable Unicode, for cards shown in a terminal.

A terminal cannot typeset LaTeX, so every ``$…$`` / ``$$…$$`` formula of a card is turned into
plain Unicode.  Nothing here may raise on any input, and no ``\command`` may survive: an unknown
command ``\foo`` renders as ``foo``.

The package, by concern:

- :mod:`.symbols` — the tables: Greek, operators, relations, fonts, script characters;
- :mod:`.scripts` — sub/superscripts, one style per formula (Unicode, or the one fallback);
- :mod:`.parser` — the recursive-descent walk over one formula body;
- :mod:`.layout` — widths, columns and boxes for matrices and multi-line formulas;
- :mod:`.markdown` — finding the formulas of a Markdown text, code left untouched.

Public API: :func:`latex_to_unicode` (one formula body), :func:`render_formula` (the same, with
its script style), :func:`render_math` (a Markdown text, every formula replaced),
:func:`split_math` (a Markdown text with formulas as placeholders, for the card layout) and
:func:`find_formulas` (the formula bodies of a text) and
:func:`leftover_latex` (the ``\commands`` still present outside code).

Decisions and fallbacks (chosen to be consistent and unambiguous):

- **scripts**: a formula's sub/superscripts are all Unicode when every one of them has Unicode
  script characters (``x_{t-1}`` → ``xₜ₋₁``, ``x^{(i)}`` → ``x⁽ⁱ⁾``, ``\sum_{i=1}^n`` → ``∑ᵢ₌₁ⁿ``);
  if any script in the formula has none, *every* script of that formula uses the one fallback,
  ``_``/``^`` then the script, parenthesised unless it is one symbol or already bracketed
  (``\mathbf{W}_q \in \mathbb{R}^{h\times q}`` → ``𝐖_q ∈ ℝ^(h×q)``, ``W^{(q)}`` → ``W^(q)``,
  ``X^\top`` → ``X^T``).  ``x^*``, ``x'`` and ``x^\dagger`` are marks (``x∗``, ``x′``, ``x†``) in
  both styles.  Scripts inside scripts always fall back (``2^{2^n}`` → ``2^(2^n)``);
- ``\frac``, ``\dfrac``, ``\tfrac``, ``\cfrac`` and TeX's ``{a \over b}`` → ``a/b``, each side
  parenthesised when compound (``(a+b)/(c+d)``, ``1/(2σ²)``), and the whole fraction
  parenthesised when it multiplies a neighbour (``(λ/2)‖𝐰‖²``); ``{n \choose k}`` → ``C(n, k)``;
- accents are combining marks after the base (``\hat{y}_j`` → ``ŷⱼ``); over several
  characters bars repeat (``x̅y̅``) and other accents spell out (``hat(xy)``);
- ``\mathbf``/``\boldsymbol``/``\bm`` use Mathematical Bold (𝐱 𝐖 𝟏 𝛉), ``\mathbb``
  double-struck (ℝ 𝔼), ``\mathcal`` script (ℒ); ``\text``/``\mathrm``/``\operatorname`` are
  upright text, and ``\operatorname{f}`` spaces like ``\sin``;
- as in LaTeX a space after ``\partial``/Greek only ends the name (``\partial L`` → ``∂L``);
  relations and binary operators are spaced (``a ≤ b``, ``𝐀 ⊙ 𝐁``) except inside scripts;
- matrices/cases/aligned: multi-line boxes in display maths, one line inline
  (``[a b; c d]``, ``{x, x > 0; 0, otherwise}``, rows joined by ``; ``);
- unknown ``\foo`` → ``foo``, ``\foo{x}`` → ``foo(x)``; malformed input is rendered best effort;
- ``*`` in maths becomes ``∗`` so that Markdown never reads it as emphasis.
"""

from __future__ import annotations

from .markdown import find_formulas, leftover_latex, render_math, split_math
from .parser import Formula, latex_to_unicode, render_formula

__all__ = [
    "Formula", "find_formulas", "latex_to_unicode", "leftover_latex", "render_formula", "render_math", "split_math"]
