r"""LaTeX maths as readable Unicode, for cards shown in a terminal.

A terminal cannot typeset LaTeX, so every ``$…$`` / ``$$…$$`` formula of a card is turned into
plain Unicode before rich renders the Markdown.  Nothing here may raise on any input, and no
``\command`` may survive: an unknown command ``\foo`` renders as ``foo``.

Public API:

- :func:`latex_to_unicode` — one formula body (without the dollars).
- :func:`render_math` — a Markdown string with every formula replaced, code left untouched.
- :func:`leftover_latex` — the ``\commands`` still present in a text outside code.

Decisions and fallbacks (chosen to be consistent and unambiguous):

- sub/superscripts use Unicode script characters only when *every* character has one
  (``x_{t-1}`` → ``xₜ₋₁``, ``x^{(i)}`` → ``x⁽ⁱ⁾``); otherwise ``x_q`` / ``W^T``-style for one
  symbol and ``𝐖_(hq)`` / ``x^(1/2)`` for several (never doubled: ``W^{(q)}`` → ``W^(q)``);
- big operators with limits: ``∑ᵢ₌₁ⁿ`` when all limit characters have script forms, else
  ``∑(j=1…q)``; a lone lower limit falls back like a subscript (``∑_(x∈𝒟)``, ``max_θ``);
- ``\frac{a}{b}`` → ``a/b``, each side parenthesised when compound (``(a+b)/(c+d)``,
  ``1/(2σ²)``), and the whole fraction parenthesised when it multiplies a neighbour
  (``(λ/2)‖𝐰‖²``, ``(1/n)∑ᵢ xᵢ``);
- accents are combining marks after the base (``\hat{y}_j`` → ``y`` U+0302 ``ⱼ``); over several
  characters bars repeat (``x̅y̅``) and other accents spell out (``hat(xy)``);
- ``\mathbf``/``\boldsymbol`` use Mathematical Bold (𝐱 𝐖 𝟏 𝛉), ``\mathbb`` double-struck (ℝ 𝔼),
  ``\mathcal`` script (ℒ); ``\text``/``\mathrm``/``\operatorname`` are plain text;
- as in LaTeX a space after ``\partial``/Greek only ends the name (``\partial L`` → ``∂L``);
  relations and binary operators are spaced (``a ≤ b``, ``𝐀 ⊙ 𝐁``) except inside scripts;
- matrices/cases/aligned: multi-line boxes in display maths (``latex_to_unicode(s, display=True)``),
  one line inline (``[a b; c d]``, ``{x, x > 0; 0, otherwise}``, rows joined by ``; ``);
- unknown ``\foo`` → ``foo``, ``\foo{x}`` → ``foo(x)``; malformed input is rendered best effort;
- ``*`` in maths becomes ``∗`` so that Markdown never reads it as emphasis;
- display maths becomes its own paragraph, each line indented by a zero-width space plus four
  no-break spaces (Markdown strips ordinary leading whitespace) and ended by a Markdown hard
  break, so multi-line formulas keep their layout under rich.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["latex_to_unicode", "render_math", "leftover_latex"]

# --------------------------------------------------------------------------------------------
# Tables (module-level dicts, built once at import).

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "Alpha": "Α", "Beta": "Β", "Epsilon": "Ε", "Zeta": "Ζ", "Eta": "Η", "Iota": "Ι",
    "Kappa": "Κ", "Mu": "Μ", "Nu": "Ν", "Omicron": "Ο", "Rho": "Ρ", "Tau": "Τ", "Chi": "Χ",
}

# Plain symbols (ordinary atoms).
_ORD = {
    "ell": "ℓ", "infty": "∞", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃",
    "nexists": "∄", "emptyset": "∅", "varnothing": "∅", "top": "⊤", "bot": "⊥",
    "intercal": "⊺", "ldots": "…", "cdots": "⋯", "dots": "…", "dotsc": "…", "dotsb": "⋯",
    "vdots": "⋮", "ddots": "⋱", "prime": "′", "hbar": "ℏ", "imath": "ı", "jmath": "ȷ",
    "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "angle": "∠", "triangle": "△", "neg": "¬",
    "lnot": "¬", "star": "⋆", "ast": "∗", "dagger": "†", "ddagger": "‡", "checkmark": "✓",
    "S": "§", "P": "¶", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}",
    "|": "‖", "lbrace": "{", "rbrace": "}", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "lVert": "‖", "rVert": "‖", "Vert": "‖",
    "lvert": "|", "rvert": "|", "vert": "|", "backslash": "\u29f5", "lbrack": "[",
    "rbrack": "]", "degree": "°", "bullet": "•", "diamond": "⋄", "square": "□",
    "Box": "□", "blacksquare": "■", "clubsuit": "♣", "spadesuit": "♠", "heartsuit": "♡",
    "colon": ":", "surd": "√", "uparrow": "↑", "downarrow": "↓", "Uparrow": "⇑",
    "Downarrow": "⇓", "updownarrow": "↕", "sharp": "♯", "flat": "♭", "natural": "♮",
    "textasciitilde": "~", "textbackslash": "\u29f5", "lgroup": "(",
    "rgroup": ")", "qed": "∎",
}

# Binary operators (spaced at top level).
_BIN = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "ominus": "⊖", "oslash": "⊘", "cup": "∪", "cap": "∩", "setminus": "∖",
    "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "bigcirc": "○", "cdotp": "·",
    "centerdot": "·", "ltimes": "⋉", "rtimes": "⋊", "sqcup": "⊔", "sqcap": "⊓", "uplus": "⊎",
    "amalg": "⨿", "wr": "≀", "bmod": "mod", "circ": "∘",
}

# Relations and arrows (spaced at top level).
_REL = {
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "leqslant": "≤", "geqslant": "≥", "ne": "≠",
    "neq": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝",
    "equiv": "≡", "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆",
    "supset": "⊃", "supseteq": "⊇", "subsetneq": "⊊", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "gets": "←", "leftrightarrow": "↔", "mapsto": "↦", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "Leftrightarrow": "⇔", "iff": "⟺", "implies": "⟹", "impliedby": "⟸",
    "longrightarrow": "⟶", "longleftarrow": "⟵", "Longrightarrow": "⟹", "longmapsto": "⟼",
    "ll": "≪", "gg": "≫", "mid": "|", "nmid": "∤", "parallel": "∥", "perp": "⊥",
    "models": "⊨", "vdash": "⊢", "coloneqq": "≔", "defeq": "≝", "doteq": "≐",
    "triangleq": "≜", "prec": "≺", "succ": "≻", "preceq": "⪯", "succeq": "⪰", "asymp": "≍",
    "lesssim": "≲", "gtrsim": "≳", "nearrow": "↗", "searrow": "↘", "hookrightarrow": "↪",
    "rightleftharpoons": "⇌", "leadsto": "⇝", "sqsubseteq": "⊑", "nsim": "≁", "ncong": "≇",
    "nleq": "≰", "ngeq": "≱", "nsubseteq": "⊈", "xrightarrow": "→", "xleftarrow": "←",
}
_REL_CHARS = frozenset(_REL.values()) | frozenset("=<>")

# Big operators (symbol with limits).
_BIG = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭",
    "oint": "∮", "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁", "bigotimes": "⨂",
    "bigodot": "⨀", "bigvee": "⋁", "bigwedge": "⋀", "bigsqcup": "⨆", "biguplus": "⨄",
}

# Named operators (upright words).  Those in _LIMOPS take limits below.
_FUNCS = frozenset(
    "exp log ln lg sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan arg deg "
    "dim hom ker gcd mod Pr det max min sup inf lim limsup liminf argmax argmin softmax "
    "sgn sign diag trace tr Var Cov var cov rank relu ReLU erf logit".split()
)

_SIZES = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm "
    "biggm Biggm middle".split()
)

# Commands that vanish (style switches, layout hints).
_IGNORE = frozenset(
    "displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits nonumber notag "
    "hline toprule midrule bottomrule cline centering noindent allowbreak relax nobreak "
    "protect strut mathstrut smash rm bf it sf tt cal normalsize small large Large".split()
)

# Commands whose (first) braced argument is dropped entirely.
_DROP_ARG = frozenset("label vspace color ref eqref cite phantom hphantom vphantom".split())

_SPACES = {
    ",": " ", ":": " ", ";": " ", ">": " ", " ": " ", "!": "", "quad": "\x01",
    "qquad": "\x01\x01", "thinspace": " ", "medspace": " ", "thickspace": " ", "enspace": " ",
    "negthinspace": "", "space": " ", "hfill": " ", "hspace": " ", "enskip": " ",
}

_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "overrightarrow": "\u20d7",
    "dot": "\u0307", "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
    "grave": "\u0300", "mathring": "\u030a", "underline": "\u0332", "overleftarrow": "\u20d6",
}
# Accents that stretch over several characters by repeating the mark on each one.
_WIDE_ACCENTS = frozenset("bar overline underline vec overrightarrow overleftarrow".split())

_SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxəβγρφχ,",
                "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₔᵦᵧᵨᵩᵪ,"))
_SUP = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ"))
_SUP.update({"⊤": "ᵀ", "⊺": "ᵀ", "′": "′", "″": "″", "∗": "∗", "*": "∗", "†": "†", "∘": "°",
             "ϵ": "ᵋ", "ϕ": "ᵠ"})
_SUP_SPECIAL = {"∗": "∗", "′": "′", "⊤": "ᵀ", "⊺": "ᵀ", "†": "†", "″": "″"}  # x^* → x∗
_SCRIPT_CHARS = frozenset(_SUB.values()) | frozenset(_SUP.values())


def _alpha_map(start_upper: int, start_lower: int, holes: dict[str, str]) -> dict[str, str]:
    table = {}
    for k in range(26):
        up, low = chr(65 + k), chr(97 + k)
        table[up] = holes.get(up) or chr(start_upper + k)
        table[low] = holes.get(low) or chr(start_lower + k)
    return table


_BOLD = _alpha_map(0x1D400, 0x1D41A, {})
_BOLD.update({chr(48 + k): chr(0x1D7CE + k) for k in range(10)})
for _k in range(25):  # Greek capitals Α..Ω (U+03A2 maps onto the theta symbol slot)
    if _k != 0x11:
        _BOLD[chr(0x391 + _k)] = chr(0x1D6A8 + _k)
    _BOLD[chr(0x3B1 + _k)] = chr(0x1D6C2 + _k)
_BOLD.update({"∇": "𝛁", "∂": "𝛛", "ϵ": "𝛜", "ϑ": "𝛝", "ϰ": "𝛞", "ϕ": "𝛟", "ϱ": "𝛠", "ϖ": "𝛡"})
_BB = _alpha_map(0x1D538, 0x1D552, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ",
                                     "R": "ℝ", "Z": "ℤ"})
_BB.update({chr(48 + k): chr(0x1D7D8 + k) for k in range(10)})
_CAL = _alpha_map(0x1D49C, 0x1D4B6, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ",
                                      "L": "ℒ", "M": "ℳ", "R": "ℛ", "e": "ℯ", "g": "ℊ",
                                      "o": "ℴ"})
_FRAK = _alpha_map(0x1D504, 0x1D51E, {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"})
_FONTS = {
    "symbf": _BOLD, "mathbfup": _BOLD, "vb": _BOLD,
    "mathbf": _BOLD, "boldsymbol": _BOLD, "bm": _BOLD, "textbf": _BOLD, "mathbfit": _BOLD,
    "pmb": _BOLD, "mathbb": _BB, "Bbb": _BB, "mathcal": _CAL, "mathscr": _CAL,
    "mathfrak": _FRAK,
}
_PLAIN_FONTS = frozenset("mathrm mathit mathsf mathtt mathnormal mathup emph boxed".split())
# Common user macros (d2l and friends): \norm{x} → ‖x‖, \R → ℝ.
_WRAP_MACROS = {"norm": ("‖", "‖"), "abs": ("|", "|"), "floor": ("⌊", "⌋"),
                "ceil": ("⌈", "⌉"), "set": ("{", "}"), "inner": ("⟨", "⟩")}
_LETTER_MACROS = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼"}
_TEXT_CMDS = frozenset(
    "text textrm textit textsf texttt textnormal textup textsc mbox hbox fbox textmd".split()
)

_DELIM_CHARS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", ".": "",
                "<": "⟨", ">": "⟩"}

_MATRIX_BRACKETS = {  # env: (inline open, inline close, top/mid/bottom left, top/mid/bottom right)
    "bmatrix": ("[", "]", "⎡⎢⎣", "⎤⎥⎦"), "pmatrix": ("(", ")", "⎛⎜⎝", "⎞⎟⎠"),
    "vmatrix": ("|", "|", "│││", "│││"), "Vmatrix": ("‖", "‖", "‖‖‖", "‖‖‖"),
    "Bmatrix": ("{", "}", "⎧⎨⎩", "⎫⎬⎭"), "smallmatrix": ("[", "]", "⎡⎢⎣", "⎤⎥⎦"),
    # No delimiters of their own: usually inside \left( … \right).
    "matrix": ("", "", "   ", "   "), "array": ("", "", "   ", "   "),
}

_OPEN_CHARS = frozenset("([{⟨⌊⌈")
_CLOSE_CHARS = frozenset(")]}⟩⌋⌉")
_COMPOUND_CHARS = frozenset(" +-−/±∓·×÷⊙⊗⊕∘,;:∣|") | _REL_CHARS

# Piece kinds.  Openers/closers are ordinary atoms that swallow the space inside them.
_ORDK, _OPK, _BIGK, _FRACK, _RELK, _BINK, _SPACEK, _NLK, _PMK, _OPENK, _CLOSEK = range(11)
_OPENERS = frozenset("lVert lvert langle lfloor lceil lbrace lbrack lgroup".split())
_CLOSERS = frozenset("rVert rvert rangle rfloor rceil rbrace rbrack rgroup".split())
# Symbols after which a space only ends the command name (`\partial L` is ∂L).
_PREFIX_SYMBOLS = frozenset(
    "partial nabla ell hbar forall exists nexists neg lnot imath jmath".split()
)

_CMD_RE = re.compile(r"\\[A-Za-z]+")


# --------------------------------------------------------------------------------------------
# Helpers.


def _script(content: str, table: dict[str, str]) -> str | None:
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


def _wrapped(s: str) -> bool:
    """True when ``s`` is one parenthesised (or bracketed) group, like ``(a+b)`` or ``|x|``."""
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "|‖" and s.count(s[0]) == 2:
        return True
    if len(s) < 2 or s[0] not in "([" or s[-1] not in ")]":
        return False
    depth = 0
    for k, ch in enumerate(s):
        if ch in _OPEN_CHARS:
            depth += 1
        elif ch in _CLOSE_CHARS:
            depth -= 1
            if depth == 0 and k != len(s) - 1:
                return False
    return depth == 0


def _compound(s: str) -> bool:
    """True when ``s`` needs parentheses as a fraction side: an operator at bracket depth 0."""
    if _wrapped(s):
        return False
    depth = 0
    for ch in s:
        if ch in _OPEN_CHARS:
            depth += 1
        elif ch in _CLOSE_CHARS:
            depth -= 1
        elif depth <= 0 and ch in _COMPOUND_CHARS:
            return True
    return False


def _single_symbol(s: str) -> bool:
    """One symbol possibly carrying accents/scripts (``x``, ``ŷᵢ``, ``𝐱²``), or a plain number."""
    if s.isdigit() or s.replace(".", "", 1).isdigit():
        return True
    base = [ch for ch in s if not unicodedata.combining(ch) and ch not in _SCRIPT_CHARS]
    return len(base) == 1


def _script_fallback(content: str, mark: str) -> str:
    if len(content) == 1 or _wrapped(content) or (
        _single_symbol(content) and not content.isdigit()
    ):
        return mark + content
    return f"{mark}({content})"


def _sub(content: str) -> str:
    mapped = _script(content, _SUB)
    if mapped is not None and not (content.startswith(",") or content.endswith(",")):
        return mapped
    return _script_fallback(content, "_")


def _sup(content: str) -> str:
    special = _SUP_SPECIAL.get(content)
    if special:
        return special
    mapped = _script(content, _SUP)
    if mapped is not None:
        return mapped
    return _script_fallback(content, "^")


def _accent(content: str, mark: str, name: str) -> str:
    if not content:
        return mark
    if _single_symbol(content):
        # Put the mark right after the base character, before any scripts: ŷᵢ.
        k = 1
        while k < len(content) and unicodedata.combining(content[k]):
            k += 1
        return content[:k] + mark + content[k:]
    if name in _WIDE_ACCENTS:
        return "".join(ch + mark if not ch.isspace() else ch for ch in content)
    return f"{name.replace('wide', '')}({content})"


def _width(s: str) -> int:
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _hjoin(parts: list[str]) -> str:
    """Join strings side by side; multi-line parts become boxes centred on the middle line."""
    if not any("\n" in p for p in parts):
        return "".join(parts)
    boxes = [p.split("\n") for p in parts]
    height = max(len(b) for b in boxes)
    mid = (height - 1) // 2
    rows = [""] * height
    for box in boxes:
        w = max(_width(line) for line in box)
        top = mid - (len(box) - 1) // 2
        for r in range(height):
            k = r - top
            line = box[k] if 0 <= k < len(box) else ""
            rows[r] += line + "\x02" * (w - _width(line))
    return "\n".join(row.rstrip(" \x02") for row in rows)


def _fallback_strip(src: str) -> str:
    """Last resort if the parser ever fails: drop backslashes and braces."""
    out = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), src)
    return out.replace("\\", "").replace("{", "").replace("}", "").replace("$", "")


# --------------------------------------------------------------------------------------------
# The parser: a small recursive-descent walk producing pieces [text, kind, sub, sup].


class _Parser:
    __slots__ = ("s", "i", "n")

    def __init__(self, src: str) -> None:
        self.s = src
        self.i = 0
        self.n = len(src)

    # -- low level ------------------------------------------------------------------------
    def _skip_ws(self) -> None:
        s, n = self.s, self.n
        while self.i < n and s[self.i].isspace():
            self.i += 1

    def _read_name(self) -> str:
        """After a backslash: the command name (letters, or one other character)."""
        s, n = self.s, self.n
        if self.i >= n:
            return ""
        j = self.i
        if s[j].isascii() and s[j].isalpha():
            while j < n and s[j].isascii() and s[j].isalpha():
                j += 1
            name = s[self.i:j]
            self.i = j
            return name
        self.i = j + 1
        return s[j]

    def _raw_group(self) -> str | None:
        """A balanced ``{…}`` group's raw text (or None if none follows)."""
        self._skip_ws()
        s, n = self.s, self.n
        if self.i >= n or s[self.i] != "{":
            return None
        depth, j = 0, self.i
        while j < n:
            ch = s[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    body = s[self.i + 1:j]
                    self.i = j + 1
                    return body
            j += 1
        body = s[self.i + 1:]
        self.i = n
        return body

    def _optional(self) -> str | None:
        """An optional ``[…]`` argument's raw text."""
        self._skip_ws()
        s = self.s
        if self.i < self.n and s[self.i] == "[":
            j = s.find("]", self.i)
            if j != -1:
                body = s[self.i + 1:j]
                self.i = j + 1
                return body
        return None

    def arg(self, script: bool = False) -> str:
        """One argument rendered: a ``{group}``, a command (with its own args) or one char."""
        self._skip_ws()
        if self.i >= self.n:
            return ""
        ch = self.s[self.i]
        if ch == "{":
            self.i += 1
            pieces, _ = self.seq("}", script=script)
            return self.join(pieces, script)
        if ch in "}^_":
            return ""
        if ch == "\\":
            pieces = []
            self.i += 1
            self.command(pieces, script, False, eat=False)
            return self.join(pieces, script)
        self.i += 1
        return self._char_piece(ch)[0]

    def text_arg(self) -> str:
        raw = self._raw_group()
        if raw is None:
            return self.arg()
        return _text_mode(raw)

    @staticmethod
    def _char_piece(ch: str) -> list:
        if ch in "=<>":
            return [ch, _RELK, None, None]
        if ch == "*":
            return ["∗", _BINK, None, None]
        if ch in "+-":
            return [ch, _PMK, None, None]
        if ch == "'":
            return ["′", _ORDK, None, None]
        return [ch, _ORDK, None, None]

    # -- sequences ------------------------------------------------------------------------
    def seq(self, stop: str | None, script: bool = False, block: bool = False,
            env: bool = False) -> tuple[list, str]:
        """Parse until ``stop`` ('}' / 'right'), or a cell/row end in an environment.

        Returns (pieces, terminator) with terminator in {'}', '&', '\\\\', 'end', ''}.
        """
        s, n = self.s, self.n
        pieces: list = []
        while self.i < n:
            ch = s[self.i]
            if ch == "}":
                self.i += 1
                if stop == "}":
                    return pieces, "}"
                continue  # stray brace
            if ch.isspace():
                self.i += 1
                if not script:
                    pieces.append([" ", _SPACEK, None, None])
                continue
            if ch in "^_":
                self.i += 1
                content = self.arg(script=True)
                self._attach(pieces, ch, content)
                continue
            if ch == "{":
                self.i += 1
                inner, _ = self.seq("}", script=script, block=False)
                pieces.append([self.join(inner, script), _ORDK, None, None])
                continue
            if ch == "&":
                self.i += 1
                if env:
                    return pieces, "&"
                pieces.append([" ", _SPACEK, None, None])
                continue
            if ch == "~":
                self.i += 1
                pieces.append([" ", _SPACEK, None, None])
                continue
            if ch == "\\":
                self.i += 1
                if self.i < n and s[self.i] == "\\":
                    self.i += 1
                    self._optional()
                    if env:
                        return pieces, "\\\\"
                    pieces.append(["\n", _NLK, None, None] if block else [" ", _SPACEK, None, None])
                    continue
                if s.startswith("end", self.i) and env:
                    save = self.i
                    self.i += 3
                    if self.i >= n or not s[self.i].isalpha():
                        self._raw_group()
                        return pieces, "end"
                    self.i = save
                self.command(pieces, script, block)
                continue
            self.i += 1
            pieces.append(self._char_piece(ch))
        return pieces, ""

    def _attach(self, pieces: list, mark: str, content: str) -> None:
        # Attach to the last non-space piece.
        k = len(pieces) - 1
        while k >= 0 and pieces[k][1] == _SPACEK:
            k -= 1
        if k >= 0 and pieces[k][1] in (_OPK, _BIGK):
            slot = 2 if mark == "_" else 3
            prev = pieces[k][slot]
            pieces[k][slot] = content if prev is None else prev + content
            del pieces[k + 1:]
            return
        text = _sub(content) if mark == "_" else _sup(content)
        if k >= 0:
            del pieces[k + 1:]
            piece = pieces[k]
            if piece[1] == _FRACK:
                piece[0] = f"({piece[0]})"
            elif piece[1] in (_RELK, _BINK, _PMK):
                pass
            elif piece[1] not in (_OPENK, _CLOSEK):
                piece[1] = _ORDK
            piece[0] += text
        else:
            pieces.append([text, _ORDK, None, None])

    # -- commands -------------------------------------------------------------------------
    def command(self, pieces: list, script: bool, block: bool, eat: bool = True) -> None:
        name = self._read_name()
        if not name:
            return
        add = pieces.append
        if eat and (name in _GREEK or name in _PREFIX_SYMBOLS):
            # The space after a letter command only ends its name (as in LaTeX): `\partial L`
            # is ∂L.  Kept before an operator or a bracket, where it reads better.
            j = self.i
            while j < self.n and self.s[j].isspace():
                j += 1
            if j < self.n and (
                (self.s[j].isascii() and self.s[j].isalnum())
                or (self.s[j] == "\\" and self.s[j + 1:j + 2].isalpha())
            ):
                self.i = j
        if name in _GREEK:
            add([_GREEK[name], _ORDK, None, None])
        elif name in _SPACES:
            text = _SPACES[name]
            if name == "hspace":
                self._raw_group()
            if text:
                add([text, _SPACEK if text == " " else _ORDK, None, None])
        elif name in _REL:
            add([_REL[name], _RELK, None, None])
        elif name in _BIN:
            add([_BIN[name], _BINK, None, None])
        elif name in _ORD:
            kind = _OPENK if name in _OPENERS else (_CLOSEK if name in _CLOSERS else _ORDK)
            add([_ORD[name], kind, None, None])
        elif name in _BIG:
            add([_BIG[name], _BIGK, None, None])
        elif name in _FUNCS:
            add([name, _OPK, None, None])
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            num = self.arg()
            den = self.arg()
            num = f"({num})" if _compound(num) else num
            if _compound(den) or (den[:1].isdigit() and den.lstrip("0123456789.")[:1].isalpha()):
                den = f"({den})"  # 1/(2σ²), never the ambiguous 1/2σ²
            add([f"{num}/{den}", _FRACK, None, None])
        elif name == "sqrt":
            index = self._optional()
            body = self.arg()
            body = body if not body or _single_symbol(body) or _wrapped(body) else f"({body})"
            if index is not None:
                idx = _Parser(index).render(False)
                mapped = _script(idx, _SUP)
                if mapped is None:
                    add([f"{body}^(1/{idx})", _ORDK, None, None])
                    return
                add([f"{mapped}√{body}", _ORDK, None, None])
            else:
                add([f"√{body}", _ORDK, None, None])
        elif name in _FONTS:
            table = _FONTS[name]
            body = self.text_arg() if name == "textbf" else self.arg(script)
            add(["".join(table.get(ch, ch) for ch in body), _ORDK, None, None])
        elif name in _PLAIN_FONTS:
            add([self.arg(script), _ORDK, None, None])
        elif name in _TEXT_CMDS:
            add([self.text_arg(), _ORDK, None, None])
        elif name in ("operatorname", "mathop", "operatornamewithlimits", "DeclareMathOperator"):
            if self.i < self.n and self.s[self.i] == "*":
                self.i += 1
            add([self.arg(True).replace(" ", ""), _OPK, None, None])
        elif name in _ACCENTS:
            add([_accent(self.arg(script), _ACCENTS[name], name), _ORDK, None, None])
        elif name in _SIZES:
            if name in ("left", "right", "middle"):
                self._skip_ws()
                delim = self._delimiter()
                if delim:
                    kind = {"left": _OPENK, "right": _CLOSEK}.get(name, _ORDK)
                    add([delim, kind, None, None])
        elif name in _IGNORE:
            pass
        elif name in _DROP_ARG:
            self._raw_group()
        elif name in ("textcolor", "colorbox"):
            self._raw_group()
            add([self.arg(script), _ORDK, None, None])
        elif name in ("underbrace", "overbrace", "underbracket", "overbracket"):
            body = self.arg(script)
            self._skip_ws()
            if self.i < self.n and self.s[self.i] in "_^":
                self.i += 1
                self.arg(True)  # the label under/over the brace is dropped
            add([body, _ORDK, None, None])
        elif name in ("overset", "stackrel", "underset"):
            over = self.arg(True)
            base_pieces: list = []
            self._skip_ws()
            if self.i < self.n and self.s[self.i] == "{":
                self.i += 1
                base_pieces, _ = self.seq("}", script=script)
            else:
                base = self.arg(script)
                base_pieces = [self._char_piece(base) if len(base) == 1
                               else [base, _ORDK, None, None]]
            if len(base_pieces) == 1 and base_pieces[0][1] == _RELK:
                kind = _RELK
            elif len(base_pieces) == 1 and base_pieces[0][1] in (_OPK, _BIGK):
                kind = base_pieces[0][1]
            else:
                kind = _ORDK
            base = self.join(base_pieces, script)
            if name != "underset" and base == "=" and over in ("def", "Δ", "∆"):
                add(["≝" if over == "def" else "≜", _RELK, None, None])
            elif kind in (_OPK, _BIGK):
                add([base, kind, over if name == "underset" else None,
                     None if name == "underset" else over])
            else:
                add([base + (_sub(over) if name == "underset" else _sup(over)), kind, None, None])
        elif name in ("binom", "dbinom", "tbinom", "choose"):
            top = self.arg()
            bottom = self.arg()
            add([f"C({top}, {bottom})", _ORDK, None, None])
        elif name == "not":
            nxt = self.arg(script)
            negated = {"=": "≠", "∈": "∉", "≡": "≢", "<": "≮", ">": "≯", "≤": "≰", "≥": "≱",
                       "⊂": "⊄", "⊆": "⊈", "∼": "≁", "|": "∤"}.get(nxt, nxt + "\u0338")
            add([negated, _RELK, None, None])
        elif name in ("pmod", "pod"):
            add([f" (mod {self.arg()})", _ORDK, None, None])
        elif name == "substack":
            body = self._raw_group() or ""
            rows = [_Parser(r).render(False) for r in body.split("\\\\")]
            add([",".join(r.replace(" ", "") for r in rows if r), _ORDK, None, None])
        elif name == "begin":
            env = (self._raw_group() or "").strip()
            body = self.environment(env.rstrip("*"), block)
            add([body.replace(" ", "\x02") if "\n" in body else body, _ORDK, None, None])
        elif name == "end":
            self._raw_group()
        elif name == "tag":
            add([f"  ({self.text_arg()})", _ORDK, None, None])
        elif name in ("xrightarrow", "xleftarrow"):
            self._optional()
            over = self.arg(True)
            add([_REL[name] + (_sup(over) if over else ""), _RELK, None, None])
        elif name in ("boxed", "fbox", "cancel", "bcancel", "xcancel", "cancelto"):
            add([self.arg(script), _ORDK, None, None])
        elif name == "\n" or name == "\t" or name == "\r":
            add([" ", _SPACEK, None, None])
        elif len(name) == 1 and not name.isalpha():
            # \| \{ \} \% … or an unknown one-character command: the character itself.
            add([{"|": "‖", "*": "∗"}.get(name, name), _ORDK, None, None])
        elif name in _WRAP_MACROS:
            left, right = _WRAP_MACROS[name]
            add([left + self.arg(script) + right, _ORDK, None, None])
        elif name in _LETTER_MACROS:
            add([_LETTER_MACROS[name], _ORDK, None, None])
        elif self.i < self.n and self.s[self.i] == "{":
            # Unknown command with an argument: name(argument), e.g. \vect{x} → vect(x).
            add([f"{name}({self.arg(script)})", _ORDK, None, None])
        else:
            # Unknown command: its name, never a backslash.
            add([name, _ORDK, None, None])

    def _delimiter(self) -> str:
        if self.i >= self.n:
            return ""
        ch = self.s[self.i]
        if ch == "\\":
            self.i += 1
            name = self._read_name()
            if name in _ORD:
                return _ORD[name]
            if name in _REL:
                return _REL[name]
            return {"|": "‖", "{": "{", "}": "}"}.get(name, name if len(name) == 1 else "")
        self.i += 1
        return _DELIM_CHARS.get(ch, ch)

    def environment(self, env: str, block: bool) -> str:
        if env in ("array", "tabular", "subarray"):
            self._raw_group()
        rows: list[list[str]] = []
        cells: list[str] = []
        guard = 0
        while True:
            guard += 1
            pieces, term = self.seq(None, block=False, env=True)
            cells.append(self.join(pieces, False).strip())
            if term == "&":
                continue
            if any(cells):
                rows.append(cells)
            cells = []
            if term != "\\\\" or guard > 10_000:
                break
        if not rows:
            return ""
        if env in _MATRIX_BRACKETS:
            return self._matrix(rows, env, block)
        if env in ("cases", "dcases", "rcases"):
            return self._cases(rows, block)
        # aligned / align / gather / split / eqnarray / unknown: rows of aligned columns.
        if block:
            return "\n".join(_columns(rows, "")).rstrip()
        return "; ".join(" ".join(c for c in row if c) for row in rows)

    @staticmethod
    def _matrix(rows: list[list[str]], env: str, block: bool) -> str:
        lo, lc, bl, br = _MATRIX_BRACKETS[env]
        if not block or len(rows) == 1:
            return lo + "; ".join(" ".join(row) for row in rows) + lc
        lines = _columns(rows, "  ")
        width = max(_width(line) for line in lines)
        out = []
        for k, line in enumerate(lines):
            pos = 0 if k == 0 else (2 if k == len(lines) - 1 else 1)
            out.append(f"{bl[pos]} {_pad(line, width)} {br[pos]}")
        return "\n".join(out)

    @staticmethod
    def _cases(rows: list[list[str]], block: bool) -> str:
        if not block or len(rows) == 1:
            return "{" + "; ".join(", ".join(c for c in row if c) for row in rows) + "}"
        lines = _columns(rows, "   ")
        out = []
        height = len(lines)
        mid = (height - 1) // 2
        for k, line in enumerate(lines):
            if k == 0:
                brace = "⎧"
            elif k == height - 1:
                brace = "⎩"
            elif k == mid and height % 2 == 1:
                brace = "⎨"
            else:
                brace = "⎪"
            out.append(f"{brace} {line}".rstrip())
        if height == 2:
            out[0], out[1] = "⎰ " + lines[0], "⎱ " + lines[1]
            out = [line.rstrip() for line in out]
        return "\n".join(out)

    # -- output ---------------------------------------------------------------------------
    def join(self, pieces: list, script: bool) -> str:
        # Resolve the limits of operators.
        items: list[list] = []
        for text, kind, sub, sup in pieces:
            if kind in (_OPK, _BIGK) and (sub is not None or sup is not None):
                text = _limits(text, kind, sub, sup)
            items.append([text, kind])
        out: list[str] = []
        count = len(items)
        k = 0
        pending_space = False

        def last_char() -> str:
            for chunk in reversed(out):
                if chunk:
                    return chunk[-1]
            return ""

        while k < count:
            text, kind = items[k]
            if kind == _SPACEK:
                pending_space = True
                k += 1
                continue
            if kind == _NLK:
                out.append("\x03")
                pending_space = False
                k += 1
                continue
            if kind in (_BINK, _RELK) and not script and not out:
                # A leading operator is unary (±1); a leading relation is an aligned row (= b).
                out.append(text)
                k += 1
                while k < count and items[k][1] == _SPACEK:
                    k += 1
                pending_space = kind == _RELK
                continue
            if kind in (_RELK, _BINK) and not script and out and last_char() not in "(\n[{":
                while out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                out.append(f" {text} ")
                pending_space = False
                k += 1
                while k < count and items[k][1] == _SPACEK:
                    k += 1
                continue
            if kind == _FRACK and not script:
                if _multiplies(items, k):
                    text = f"({text})"
            prev = last_char()
            need_space = pending_space and not script
            if not need_space and prev and (prev.isalnum() or prev in _SCRIPT_CHARS):
                if kind in (_OPK, _BIGK) and not (items[k - 1][1] in (_OPK, _BIGK) and script):
                    need_space = True
            if not need_space and k > 0 and items[k - 1][1] in (_OPK, _BIGK):
                first = text[:1]
                if kind in (_OPK, _BIGK) or (first.isalnum() and kind != _PMK):
                    need_space = True
            if need_space and (text[:1] in _CLOSE_CHARS or last_char() in _OPEN_CHARS
                               or kind == _CLOSEK or _prev_kind(items, k) == _OPENK):
                need_space = False
            if need_space and out and last_char() not in " \n\x03":
                out.append(" ")
            pending_space = False
            out.append(text)
            k += 1
        if any("\n" in chunk for chunk in out):
            lines, line = [], []
            for chunk in out:
                if chunk == "\x03":
                    lines.append(_hjoin(line))
                    line = []
                else:
                    line.append(chunk)
            lines.append(_hjoin(line))
            result = "\n".join(lines)
        else:
            result = "".join(out).replace("\x03", "\n")
        if script:
            return result.strip()
        return result

    def render(self, block: bool) -> str:
        pieces, _ = self.seq(None, block=block)
        text = self.join(pieces, False)
        lines = []
        for line in text.split("\n"):
            line = line.strip(" ")
            while "  " in line:
                line = line.replace("  ", " ")
            lines.append(line.replace("\x01", "  ").replace("\x02", " ").rstrip())
        if block:
            return "\n".join(line for line in lines if line.strip())
        return " ".join(line for line in lines if line)


def _prev_kind(items: list, k: int) -> int:
    k -= 1
    while k >= 0 and items[k][1] == _SPACEK:
        k -= 1
    return items[k][1] if k >= 0 else -1


_NOT_AFTER = _CLOSE_CHARS | frozenset(",.;:!′\x01\x02\x03\n")
_NOT_BEFORE = _OPEN_CHARS | frozenset(",;:|‖\x01\x02\x03\n")


def _multiplies(items: list, k: int) -> bool:
    """Whether the fraction at ``items[k]`` sits next to a factor (so it needs parentheses)."""
    j = k + 1
    while j < len(items) and items[j][1] == _SPACEK:
        j += 1
    if j < len(items):
        text, kind = items[j]
        if kind in (_ORDK, _OPK, _BIGK, _FRACK, _OPENK) and text and text[0] not in _NOT_AFTER:
            return True
    j = k - 1
    while j >= 0 and items[j][1] == _SPACEK:
        j -= 1
    if j >= 0:
        text, kind = items[j]
        if kind in (_ORDK, _FRACK, _CLOSEK) and text and text[-1] not in _NOT_BEFORE:
            return True
    return False


def _limits(op: str, kind: int, sub: str | None, sup: str | None) -> str:
    sub_m = _script(sub, _SUB) if sub else ""
    sup_m = _script(sup, _SUP) if sup else ""
    if sub_m is not None and sup_m is not None:
        return op + sub_m + sup_m
    if kind == _BIGK and sub and sup:
        return f"{op}({sub}…{sup})"
    out = op
    if sub:
        out += sub_m if sub_m is not None else _script_fallback(sub, "_")
    if sup:
        out += sup_m if sup_m is not None else _script_fallback(sup, "^")
    return out


def _columns(rows: list[list[str]], gap: str) -> list[str]:
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    for row in rows:
        for c, cell in enumerate(row):
            widths[c] = max(widths[c], _width(cell))
    lines = []
    for row in rows:
        cells = [_pad(cell, widths[c]) for c, cell in enumerate(row)]
        sep = gap
        if not gap:  # aligned: "a &= b" → cells meet with one space
            sep = " "
        lines.append(sep.join(cells).rstrip())
    return lines


def _text_mode(raw: str) -> str:
    """The body of ``\\text{…}``: words kept with their spaces; commands and maths handled."""
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\":
            p = _Parser(raw)
            p.i = i + 1
            name = p._read_name()
            if name in ("textbf", "textit", "emph", "text", "textrm", "mathrm", "textsf",
                        "texttt", "mbox"):
                body = p._raw_group() or ""
                inner = _text_mode(body)
                out.append("".join(_BOLD.get(c, c) for c in inner) if name == "textbf" else inner)
            elif name in ("quad", "qquad"):
                out.append("  " if name == "quad" else "    ")
            elif name in (",", ";", ":", " ", "\\"):
                out.append(" ")
            elif name and (name.isalpha() and name.isascii()):
                piece: list = []
                p.i = i + 1
                p.command(piece, False, False)
                out.append(p.join(piece, False))
            elif name:
                out.append(name)
            i = p.i
            continue
        if ch == "$":
            j = raw.find("$", i + 1)
            if j != -1:
                out.append(latex_to_unicode(raw[i + 1:j]))
                i = j + 1
                continue
        if ch in "{}":
            i += 1
            continue
        if ch == "~":
            out.append(" ")
            i += 1
            continue
        out.append("∗" if ch == "*" else ch)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Public API.


def latex_to_unicode(src: str, *, display: bool = False) -> str:
    """One formula body (without its dollars) as readable Unicode.

    With ``display=True`` environments (matrices, cases, aligned) and ``\\\\`` become several
    lines; otherwise the result is always one line.
    """
    if not src:
        return ""
    try:
        out = _Parser(src).render(display)
    except (RecursionError, Exception):  # never let a card crash the review
        out = _fallback_strip(src)
    if "\\" in out:
        out = _CMD_RE.sub(lambda m: m.group(0)[1:], out).replace("\\", "")
    return out


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
            out.append(_render_display(text[i + 2:close]))
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
        out.append(latex_to_unicode(text[i + 1:close]))
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
    return _CMD_RE.findall(_strip_code(text))
