"""Sub- and superscripts: one style per formula.

A formula's scripts are all Unicode (``xᵢ²``, ``∑ᵢ₌₁ⁿ``, ``𝐗ᵀ``) when every character of every
script in it has a Unicode script form.  Otherwise the whole formula uses the one fallback,
the ASCII-maths convention: ``_`` or ``^`` followed by the script, in parentheses unless it is a
single symbol or already bracketed (``𝐖_q``, ``ℝ^(h×q)``, ``𝐖^(q)``, ``∑_(i=1)^n``, ``𝐗^T``).

The parser renders a formula with a :class:`Scripts` in Unicode mode; if any script had no
Unicode form (``missing``), it renders it again with a :class:`Scripts` in fallback mode.  So the
same LaTeX always gives the same text, and no formula mixes the two styles.

Marks that are glyphs of their own (``x^*`` → ``x∗``, ``x^\\prime`` → ``x′``, ``†``, ``″``) are not
scripts: they look the same in both styles and never force the fallback.
"""

from __future__ import annotations

from .layout import single_symbol, wrapped
from .symbols import SUB, SUP

# Superscripts that are glyphs of their own, the same in both styles.
MARKS = {"∗": "∗", "*": "∗", "′": "′", "″": "″", "†": "†"}
# In the fallback style, transposes read as the ASCII convention ``X^T``.
_FALLBACK_SUP = {"⊤": "T", "⊺": "T"}


def script_chars(content: str, table: dict[str, str]) -> str | None:
    """``content`` in Unicode sub/superscript characters, or None if any character has none."""
    if not content:
        return ""
    out = []
    for ch in content:
        m = table.get(ch)
        if m is None:
            return None
        out.append(m)
    return "".join(out)


def fallback_script(content: str, mark: str) -> str:
    """The fallback form: ``_q`` / ``^T`` for one symbol or a bracketed group, else ``_(hq)``."""
    if len(content) == 1 or wrapped(content) or (single_symbol(content) and not content.isdigit()):
        return mark + content
    return f"{mark}({content})"


class Scripts:
    """The script style of one formula, and what it met while rendering.

    ``fallback`` chooses the style; ``count`` is how many scripts were rendered and ``missing``
    the scripts (as text) that have no Unicode form, which is why a formula falls back.
    """

    __slots__ = ("fallback", "count", "missing")

    def __init__(self, fallback: bool = False) -> None:
        self.fallback = fallback
        self.count = 0
        self.missing: list[str] = []

    def _unicode(self, content: str, table: dict[str, str]) -> str | None:
        if self.fallback:
            return None
        mapped = script_chars(content, table)
        if mapped is not None and table is SUB and (content.startswith(",") or content.endswith(",")):
            mapped = None  # a comma at the edge of a subscript would read as punctuation
        if mapped is None:
            self.missing.append(content)
        return mapped

    def sub(self, content: str) -> str:
        if not content:
            return ""
        self.count += 1
        mapped = self._unicode(content, SUB)
        return mapped if mapped is not None else fallback_script(content, "_")

    def sup(self, content: str) -> str:
        if not content:
            return ""
        if content in MARKS:
            return MARKS[content]
        self.count += 1
        if self.fallback and content in _FALLBACK_SUP:
            return "^" + _FALLBACK_SUP[content]
        if content in ("⊤", "⊺"):
            return "ᵀ"
        mapped = self._unicode(content, SUP)
        return mapped if mapped is not None else fallback_script(content, "^")

    def limits(self, op: str, sub: str | None, sup: str | None) -> str:
        """A big operator or a named one with its limits: ``∑ᵢ₌₁ⁿ`` or ``∑_(i=1)^n``."""
        return op + self.sub(sub or "") + self.sup(sup or "")

    def root(self, index: str, body: str) -> str:
        """``\\sqrt[index]{body}``: ``³√x``, or ``x^(1/3)`` in the fallback style."""
        self.count += 1
        mapped = self._unicode(index, SUP)
        if mapped is not None:
            return f"{mapped}√{body}"
        return f"{body}^(1/{index})"
