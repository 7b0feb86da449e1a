"""The tables of the LaTeX → Unicode renderer: symbols, operators, fonts, script characters.

Plain data, built once at import.  The piece kinds (``ORDK`` …) tell the parser how a piece
spaces and binds: ordinary, operator name, big operator, fraction, relation, binary, ….
"""

from __future__ import annotations

import re


# --------------------------------------------------------------------------------------------
# Tables (module-level dicts, built once at import).

GREEK = {
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
ORD = {
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
    "rgroup": ")", "qed": "∎", "because": "∵", "therefore": "∴",
}

# Binary operators (spaced at top level).
BIN = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "ominus": "⊖", "oslash": "⊘", "cup": "∪", "cap": "∩", "setminus": "∖",
    "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "bigcirc": "○", "cdotp": "·",
    "centerdot": "·", "ltimes": "⋉", "rtimes": "⋊", "sqcup": "⊔", "sqcap": "⊓", "uplus": "⊎",
    "amalg": "⨿", "wr": "≀", "bmod": "mod", "circ": "∘",
}

# Relations and arrows (spaced at top level).
REL = {
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
_REL_CHARS = frozenset(REL.values()) | frozenset("=<>")

# Big operators (symbol with limits).
BIG = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭",
    "oint": "∮", "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁", "bigotimes": "⨂",
    "bigodot": "⨀", "bigvee": "⋁", "bigwedge": "⋀", "bigsqcup": "⨆", "biguplus": "⨄",
}

# Named operators (upright words).  Those in _LIMOPS take limits below.
FUNCS = frozenset(
    "exp log ln lg sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan arg deg "
    "dim hom ker gcd mod Pr det max min sup inf lim limsup liminf argmax argmin softmax "
    "sgn sign diag trace tr Var Cov var cov rank relu ReLU erf logit".split()
)

SIZES = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm "
    "biggm Biggm middle".split()
)

# Commands that vanish (style switches, layout hints).
IGNORE = frozenset(
    "displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits nonumber notag "
    "hline toprule midrule bottomrule cline centering noindent allowbreak relax nobreak "
    "protect strut mathstrut smash rm bf it sf tt cal normalsize small large Large".split()
)

# Commands whose (first) braced argument is dropped entirely.
DROP_ARG = frozenset("label vspace color ref eqref cite phantom hphantom vphantom".split())

SPACES = {
    ",": " ", ":": " ", ";": " ", ">": " ", " ": " ", "!": "", "quad": "\x01",
    "qquad": "\x01\x01", "thinspace": " ", "medspace": " ", "thickspace": " ", "enspace": " ",
    "negthinspace": "", "space": " ", "hfill": " ", "hspace": " ", "enskip": " ",
}

ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "overrightarrow": "\u20d7",
    "dot": "\u0307", "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
    "grave": "\u0300", "mathring": "\u030a", "underline": "\u0332", "overleftarrow": "\u20d6",
}
# Accents that stretch over several characters by repeating the mark on each one.
WIDE_ACCENTS = frozenset("bar overline underline vec overrightarrow overleftarrow".split())

SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxəβγρφχ,",
                "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₔᵦᵧᵨᵩᵪ,"))
SUP = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ"))
SUP.update({"⊤": "ᵀ", "⊺": "ᵀ", "′": "′", "″": "″", "∗": "∗", "*": "∗", "†": "†", "∘": "°",
             "ϵ": "ᵋ", "ϕ": "ᵠ"})
SUP_SPECIAL = {"∗": "∗", "′": "′", "⊤": "ᵀ", "⊺": "ᵀ", "†": "†", "″": "″"}  # x^* → x∗
SCRIPT_CHARS = frozenset(SUB.values()) | frozenset(SUP.values())


def _alpha_map(start_upper: int, start_lower: int, holes: dict[str, str]) -> dict[str, str]:
    table = {}
    for k in range(26):
        up, low = chr(65 + k), chr(97 + k)
        table[up] = holes.get(up) or chr(start_upper + k)
        table[low] = holes.get(low) or chr(start_lower + k)
    return table


BOLD = _alpha_map(0x1D400, 0x1D41A, {})
BOLD.update({chr(48 + k): chr(0x1D7CE + k) for k in range(10)})
for _k in range(25):  # Greek capitals Α..Ω (U+03A2 maps onto the theta symbol slot)
    if _k != 0x11:
        BOLD[chr(0x391 + _k)] = chr(0x1D6A8 + _k)
    BOLD[chr(0x3B1 + _k)] = chr(0x1D6C2 + _k)
BOLD.update({"∇": "𝛁", "∂": "𝛛", "ϵ": "𝛜", "ϑ": "𝛝", "ϰ": "𝛞", "ϕ": "𝛟", "ϱ": "𝛠", "ϖ": "𝛡"})
_BB = _alpha_map(0x1D538, 0x1D552, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ",
                                     "R": "ℝ", "Z": "ℤ"})
_BB.update({chr(48 + k): chr(0x1D7D8 + k) for k in range(10)})
_CAL = _alpha_map(0x1D49C, 0x1D4B6, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ",
                                      "L": "ℒ", "M": "ℳ", "R": "ℛ", "e": "ℯ", "g": "ℊ",
                                      "o": "ℴ"})
_FRAK = _alpha_map(0x1D504, 0x1D51E, {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"})
FONTS = {
    "symbf": BOLD, "mathbfup": BOLD, "vb": BOLD,
    "mathbf": BOLD, "boldsymbol": BOLD, "bm": BOLD, "textbf": BOLD, "mathbfit": BOLD,
    "pmb": BOLD, "mathbb": _BB, "Bbb": _BB, "mathcal": _CAL, "mathscr": _CAL,
    "mathfrak": _FRAK,
}
PLAIN_FONTS = frozenset("mathrm mathit mathsf mathtt mathnormal mathup emph boxed".split())
# Common user macros (d2l and friends): \norm{x} → ‖x‖, \R → ℝ.
WRAP_MACROS = {"norm": ("‖", "‖"), "abs": ("|", "|"), "floor": ("⌊", "⌋"),
                "ceil": ("⌈", "⌉"), "set": ("{", "}"), "inner": ("⟨", "⟩")}
LETTER_MACROS = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼"}
TEXT_CMDS = frozenset(
    "text textrm textit textsf texttt textnormal textup textsc mbox hbox fbox textmd".split()
)

DELIM_CHARS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", ".": "",
                "<": "⟨", ">": "⟩"}

MATRIX_BRACKETS = {  # env: (inline open, inline close, top/mid/bottom left, top/mid/bottom right)
    "bmatrix": ("[", "]", "⎡⎢⎣", "⎤⎥⎦"), "pmatrix": ("(", ")", "⎛⎜⎝", "⎞⎟⎠"),
    "vmatrix": ("|", "|", "│││", "│││"), "Vmatrix": ("‖", "‖", "‖‖‖", "‖‖‖"),
    "Bmatrix": ("{", "}", "⎧⎨⎩", "⎫⎬⎭"), "smallmatrix": ("[", "]", "⎡⎢⎣", "⎤⎥⎦"),
    # No delimiters of their own: usually inside \left( … \right).
    "matrix": ("", "", "   ", "   "), "array": ("", "", "   ", "   "),
}

OPEN_CHARS = frozenset("([{⟨⌊⌈")
CLOSE_CHARS = frozenset(")]}⟩⌋⌉")
COMPOUND_CHARS = frozenset(" +-−/±∓·×÷⊙⊗⊕∘,;:∣|") | _REL_CHARS

# Piece kinds.  Openers/closers are ordinary atoms that swallow the space inside them.
ORDK, OPK, BIGK, FRACK, RELK, BINK, SPACEK, NLK, PMK, OPENK, CLOSEK = range(11)
OPENERS = frozenset("lVert lvert langle lfloor lceil lbrace lbrack lgroup".split())
CLOSERS = frozenset("rVert rvert rangle rfloor rceil rbrace rbrack rgroup".split())
# Symbols after which a space only ends the command name (`\partial L` is ∂L).
PREFIX_SYMBOLS = frozenset(
    "partial nabla ell hbar forall exists nexists neg lnot imath jmath".split()
)

CMD_RE = re.compile(r"\\[A-Za-z]+")
