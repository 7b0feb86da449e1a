"""The recursive-descent walk over one formula body, producing pieces ``[text, kind, sub, sup]``.

:func:`render_formula` is the entry point: it renders a formula in one script style (see
:mod:`.scripts`) and never raises.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .layout import accent, columns, compound, hjoin, pad, single_symbol, cell_width, wrapped
from .scripts import Scripts
from .symbols import (
    ACCENTS, BIG, BIGK, BIN, BINK, BOLD, CLOSEK, CLOSERS, CLOSE_CHARS, CMD_RE, DELIM_CHARS,
    DROP_ARG, FONTS, FRACK, FUNCS, GREEK, IGNORE, LETTER_MACROS, MATRIX_BRACKETS, NLK, OPENERS,
    OPENK, OPEN_CHARS, OPK, ORD, ORDK, PLAIN_FONTS, PMK, PREFIX_SYMBOLS, REL, RELK,
    SCRIPT_CHARS, SIZES, SPACEK, SPACES, TEXT_CMDS, WRAP_MACROS,
)

# TeX's infix fractions: ``{a \\over b}``, ``{n \\choose k}``, ``{a \\atop b}``.
_INFIX_RE = re.compile(r"(over|choose|atop)(?![A-Za-z])")
_INFIXK = -1  # the piece kind of an infix marker, folded away by _Parser.seq


def _fraction(num: str, den: str) -> str:
    """``a/b``, each side parenthesised when compound: ``(a+b)/(c+d)``, ``1/(2σ²)``."""
    num = f"({num})" if compound(num) else num
    if compound(den) or (den[:1].isdigit() and den.lstrip("0123456789.")[:1].isalpha()):
        den = f"({den})"  # 1/(2σ²), never the ambiguous 1/2σ²
    return f"{num}/{den}"


def _fallback_strip(src: str) -> str:
    """Last resort if the parser ever fails: drop backslashes and braces."""
    out = re.sub(r"\\([A-Za-z]+)", lambda m: GREEK.get(m.group(1), m.group(1)), src)
    return out.replace("\\", "").replace("{", "").replace("}", "").replace("$", "")


# --------------------------------------------------------------------------------------------
# The parser: a small recursive-descent walk producing pieces [text, kind, sub, sup].


class _Parser:
    __slots__ = ("s", "i", "n", "scripts")

    def __init__(self, src: str, scripts: Scripts) -> None:
        self.s = src
        self.i = 0
        self.n = len(src)
        self.scripts = scripts

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
        return _text_mode(raw, self.scripts)

    @staticmethod
    def _char_piece(ch: str) -> list:
        if ch in "=<>":
            return [ch, RELK, None, None]
        if ch == "*":
            return ["∗", BINK, None, None]
        if ch in "+-":
            return [ch, PMK, None, None]
        if ch == "'":
            return ["′", ORDK, None, None]
        return [ch, ORDK, None, None]

    # -- sequences ------------------------------------------------------------------------
    def seq(self, stop: str | None, script: bool = False, block: bool = False,
            env: bool = False) -> tuple[list, str]:
        """Parse a group (see :meth:`_seq`), folding TeX's infix ``\\over``/``\\choose``."""
        pieces, term = self._seq(stop, script, block, env)
        for k, piece in enumerate(pieces):
            if piece[1] == _INFIXK:
                num = self.join(pieces[:k], script).strip()
                den = self.join(pieces[k + 1:], script).strip()
                if piece[0] == "choose":
                    return [[f"C({num}, {den})", ORDK, None, None]], term
                if piece[0] == "atop":
                    return [[f"({num}; {den})", ORDK, None, None]], term
                return [[_fraction(num, den), FRACK, None, None]], term
        return pieces, term

    def _seq(self, stop: str | None, script: bool = False, block: bool = False,
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
                    pieces.append([" ", SPACEK, None, None])
                continue
            if ch in "^_":
                self.i += 1
                content = self.arg(script=True)
                self._attach(pieces, ch, content)
                continue
            if ch == "{":
                self.i += 1
                inner, _ = self.seq("}", script=script, block=False)
                kind = FRACK if len(inner) == 1 and inner[0][1] == FRACK else ORDK
                pieces.append([self.join(inner, script), kind, None, None])
                continue
            if ch == "&":
                self.i += 1
                if env:
                    return pieces, "&"
                pieces.append([" ", SPACEK, None, None])
                continue
            if ch == "~":
                self.i += 1
                pieces.append([" ", SPACEK, None, None])
                continue
            if ch == "\\":
                self.i += 1
                if self.i < n and s[self.i] == "\\":
                    self.i += 1
                    self._optional()
                    if env:
                        return pieces, "\\\\"
                    pieces.append(["\n", NLK, None, None] if block else [" ", SPACEK, None, None])
                    continue
                infix = _INFIX_RE.match(s, self.i)
                if infix:
                    self.i = infix.end()
                    pieces.append([infix.group(1), _INFIXK, None, None])
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
        while k >= 0 and pieces[k][1] == SPACEK:
            k -= 1
        if k >= 0 and pieces[k][1] in (OPK, BIGK):
            slot = 2 if mark == "_" else 3
            prev = pieces[k][slot]
            pieces[k][slot] = content if prev is None else prev + content
            del pieces[k + 1:]
            return
        text = self.scripts.sub(content) if mark == "_" else self.scripts.sup(content)
        if k >= 0:
            del pieces[k + 1:]
            piece = pieces[k]
            if piece[1] == FRACK:
                piece[0] = f"({piece[0]})"
            elif piece[1] in (RELK, BINK, PMK):
                pass
            elif piece[1] not in (OPENK, CLOSEK):
                piece[1] = ORDK
            piece[0] += text
        else:
            pieces.append([text, ORDK, None, None])

    # -- commands -------------------------------------------------------------------------
    def command(self, pieces: list, script: bool, block: bool, eat: bool = True) -> None:
        name = self._read_name()
        if not name:
            return
        add = pieces.append
        if eat and (name in GREEK or name in PREFIX_SYMBOLS):
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
        if name in GREEK:
            add([GREEK[name], ORDK, None, None])
        elif name in SPACES:
            text = SPACES[name]
            if name == "hspace":
                self._raw_group()
            if text:
                add([text, SPACEK if text == " " else ORDK, None, None])
        elif name in REL:
            add([REL[name], RELK, None, None])
        elif name in BIN:
            add([BIN[name], BINK, None, None])
        elif name in ORD:
            kind = OPENK if name in OPENERS else (CLOSEK if name in CLOSERS else ORDK)
            add([ORD[name], kind, None, None])
        elif name in BIG:
            add([BIG[name], BIGK, None, None])
        elif name in FUNCS:
            add([name, OPK, None, None])
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            num = self.arg()
            den = self.arg()
            add([_fraction(num, den), FRACK, None, None])
        elif name == "sqrt":
            index = self._optional()
            body = self.arg()
            body = body if not body or single_symbol(body) or wrapped(body) else f"({body})"
            if index is not None:
                idx = _Parser(index, self.scripts).render(False)
                add([self.scripts.root(idx, body), ORDK, None, None])
            else:
                add([f"√{body}", ORDK, None, None])
        elif name in FONTS:
            table = FONTS[name]
            body = self.text_arg() if name == "textbf" else self.arg(script)
            add(["".join(table.get(ch, ch) for ch in body), ORDK, None, None])
        elif name in PLAIN_FONTS:
            add([self.arg(script), ORDK, None, None])
        elif name in TEXT_CMDS:
            add([self.text_arg(), ORDK, None, None])
        elif name in ("operatorname", "mathop", "operatornamewithlimits", "DeclareMathOperator"):
            if self.i < self.n and self.s[self.i] == "*":
                self.i += 1
            add([self.arg(True).replace(" ", ""), OPK, None, None])
        elif name in ACCENTS:
            add([accent(self.arg(script), ACCENTS[name], name), ORDK, None, None])
        elif name in SIZES:
            if name in ("left", "right", "middle"):
                self._skip_ws()
                delim = self._delimiter()
                if delim:
                    kind = {"left": OPENK, "right": CLOSEK}.get(name, ORDK)
                    add([delim, kind, None, None])
        elif name in IGNORE:
            pass
        elif name in DROP_ARG:
            self._raw_group()
        elif name in ("textcolor", "colorbox"):
            self._raw_group()
            add([self.arg(script), ORDK, None, None])
        elif name in ("underbrace", "overbrace", "underbracket", "overbracket"):
            body = self.arg(script)
            self._skip_ws()
            if self.i < self.n and self.s[self.i] in "_^":
                self.i += 1
                self.arg(True)  # the label under/over the brace is dropped
            add([body, ORDK, None, None])
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
                               else [base, ORDK, None, None]]
            if len(base_pieces) == 1 and base_pieces[0][1] == RELK:
                kind = RELK
            elif len(base_pieces) == 1 and base_pieces[0][1] in (OPK, BIGK):
                kind = base_pieces[0][1]
            else:
                kind = ORDK
            base = self.join(base_pieces, script)
            if name != "underset" and base == "=" and over in ("def", "Δ", "∆"):
                add(["≝" if over == "def" else "≜", RELK, None, None])
            elif kind in (OPK, BIGK):
                add([base, kind, over if name == "underset" else None,
                     None if name == "underset" else over])
            else:
                add([base + (self.scripts.sub(over) if name == "underset" else self.scripts.sup(over)), kind, None, None])
        elif name in ("binom", "dbinom", "tbinom", "choose"):
            top = self.arg()
            bottom = self.arg()
            add([f"C({top}, {bottom})", ORDK, None, None])
        elif name == "not":
            nxt = self.arg(script)
            negated = {"=": "≠", "∈": "∉", "≡": "≢", "<": "≮", ">": "≯", "≤": "≰", "≥": "≱",
                       "⊂": "⊄", "⊆": "⊈", "∼": "≁", "|": "∤"}.get(nxt, nxt + "\u0338")
            add([negated, RELK, None, None])
        elif name in ("pmod", "pod"):
            add([f" (mod {self.arg()})", ORDK, None, None])
        elif name == "substack":
            body = self._raw_group() or ""
            rows = [_Parser(r, self.scripts).render(False) for r in body.split("\\\\")]
            add([",".join(r.replace(" ", "") for r in rows if r), ORDK, None, None])
        elif name == "begin":
            env = (self._raw_group() or "").strip()
            body = self.environment(env.rstrip("*"), block)
            add([body.replace(" ", "\x02") if "\n" in body else body, ORDK, None, None])
        elif name == "end":
            self._raw_group()
        elif name == "tag":
            add([f"  ({self.text_arg()})", ORDK, None, None])
        elif name in ("xrightarrow", "xleftarrow"):
            self._optional()
            over = self.arg(True)
            add([REL[name] + self.scripts.sup(over), RELK, None, None])
        elif name in ("boxed", "fbox", "cancel", "bcancel", "xcancel", "cancelto"):
            add([self.arg(script), ORDK, None, None])
        elif name == "\n" or name == "\t" or name == "\r":
            add([" ", SPACEK, None, None])
        elif len(name) == 1 and not name.isalpha():
            # \| \{ \} \% … or an unknown one-character command: the character itself.
            add([{"|": "‖", "*": "∗"}.get(name, name), ORDK, None, None])
        elif name in ("newcommand", "renewcommand", "providecommand", "def"):
            # A macro definition shows nothing: \newcommand{\R}{\mathbb{R}}, \def\R{…}.
            if self.i < self.n and self.s[self.i] == "*":
                self.i += 1
            self._skip_ws()
            if self.s.startswith("\\", self.i):
                self.i += 1
                self._read_name()
            else:
                self._raw_group()
            while self._optional() is not None:
                pass
            self._raw_group()
        elif name in WRAP_MACROS:
            left, right = WRAP_MACROS[name]
            add([left + self.arg(script) + right, ORDK, None, None])
        elif name in LETTER_MACROS:
            add([LETTER_MACROS[name], ORDK, None, None])
        elif self.i < self.n and self.s[self.i] == "{":
            # Unknown command with an argument: name(argument), e.g. \vect{x} → vect(x).
            add([f"{name}({self.arg(script)})", ORDK, None, None])
        else:
            # Unknown command: its name, never a backslash.
            add([name, ORDK, None, None])

    def _delimiter(self) -> str:
        if self.i >= self.n:
            return ""
        ch = self.s[self.i]
        if ch == "\\":
            self.i += 1
            name = self._read_name()
            if name in ORD:
                return ORD[name]
            if name in REL:
                return REL[name]
            return {"|": "‖", "{": "{", "}": "}"}.get(name, name if len(name) == 1 else "")
        self.i += 1
        return DELIM_CHARS.get(ch, ch)

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
        if env in MATRIX_BRACKETS:
            return self._matrix(rows, env, block)
        if env in ("cases", "dcases", "rcases"):
            return self._cases(rows, block)
        # aligned / align / gather / split / eqnarray / unknown: rows of aligned columns.
        if block:
            return "\n".join(columns(rows, "")).rstrip()
        return "; ".join(" ".join(c for c in row if c) for row in rows)

    @staticmethod
    def _matrix(rows: list[list[str]], env: str, block: bool) -> str:
        lo, lc, bl, br = MATRIX_BRACKETS[env]
        if not block or len(rows) == 1:
            return lo + "; ".join(" ".join(row) for row in rows) + lc
        lines = columns(rows, "  ")
        width = max(cell_width(line) for line in lines)
        out = []
        for k, line in enumerate(lines):
            pos = 0 if k == 0 else (2 if k == len(lines) - 1 else 1)
            out.append(f"{bl[pos]} {pad(line, width)} {br[pos]}")
        return "\n".join(out)

    @staticmethod
    def _cases(rows: list[list[str]], block: bool) -> str:
        if not block or len(rows) == 1:
            return "{" + "; ".join(", ".join(c for c in row if c) for row in rows) + "}"
        lines = columns(rows, "   ")
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
            if kind in (OPK, BIGK) and (sub is not None or sup is not None):
                text = self.scripts.limits(text, sub, sup)
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
            if kind == SPACEK:
                pending_space = True
                k += 1
                continue
            if kind == NLK:
                out.append("\x03")
                pending_space = False
                k += 1
                continue
            if kind in (BINK, RELK) and not script and not out:
                # A leading operator is unary (±1); a leading relation is an aligned row (= b).
                out.append(text)
                k += 1
                while k < count and items[k][1] == SPACEK:
                    k += 1
                pending_space = kind == RELK
                continue
            if kind in (RELK, BINK) and not script and out and last_char() not in "(\n[{":
                while out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                out.append(f" {text} ")
                pending_space = False
                k += 1
                while k < count and items[k][1] == SPACEK:
                    k += 1
                continue
            if kind == FRACK and not script:
                if _multiplies(items, k):
                    text = f"({text})"
            prev = last_char()
            need_space = pending_space and not script
            if not need_space and prev and (prev.isalnum() or prev in SCRIPT_CHARS):
                if kind in (OPK, BIGK) and not (items[k - 1][1] in (OPK, BIGK) and script):
                    need_space = True
            if not need_space and k > 0 and items[k - 1][1] in (OPK, BIGK):
                first = text[:1]
                if kind in (OPK, BIGK) or (first.isalnum() and kind != PMK):
                    need_space = True
            if need_space and (text[:1] in CLOSE_CHARS or last_char() in OPEN_CHARS
                               or kind == CLOSEK or _prev_kind(items, k) == OPENK):
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
                    lines.append(hjoin(line))
                    line = []
                else:
                    line.append(chunk)
            lines.append(hjoin(line))
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
    while k >= 0 and items[k][1] == SPACEK:
        k -= 1
    return items[k][1] if k >= 0 else -1


_NOT_AFTER = CLOSE_CHARS | frozenset(",.;:!′\x01\x02\x03\n")
_NOT_BEFORE = OPEN_CHARS | frozenset(",;:|‖\x01\x02\x03\n")


def _multiplies(items: list, k: int) -> bool:
    """Whether the fraction at ``items[k]`` sits next to a factor (so it needs parentheses)."""
    j = k + 1
    while j < len(items) and items[j][1] == SPACEK:
        j += 1
    if j < len(items):
        text, kind = items[j]
        if kind in (ORDK, OPK, BIGK, FRACK, OPENK) and text and text[0] not in _NOT_AFTER:
            return True
    j = k - 1
    while j >= 0 and items[j][1] == SPACEK:
        j -= 1
    if j >= 0:
        text, kind = items[j]
        if kind in (ORDK, FRACK, CLOSEK) and text and text[-1] not in _NOT_BEFORE:
            return True
    return False


def _text_mode(raw: str, scripts: Scripts) -> str:
    """The body of ``\\text{…}``: words kept with their spaces; commands and maths handled."""
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\":
            p = _Parser(raw, scripts)
            p.i = i + 1
            name = p._read_name()
            if name in ("textbf", "textit", "emph", "text", "textrm", "mathrm", "textsf",
                        "texttt", "mbox"):
                body = p._raw_group() or ""
                inner = _text_mode(body, scripts)
                out.append("".join(BOLD.get(c, c) for c in inner) if name == "textbf" else inner)
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
                out.append(_Parser(raw[i + 1:j], scripts).render(False))
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


class Formula(NamedTuple):
    """One rendered formula: its ``text``, its script ``style`` and why it fell back.

    ``style`` is ``"none"`` (no scripts), ``"unicode"`` or ``"fallback"``; ``missing`` lists the
    scripts without a Unicode form that made the formula use the fallback.
    """

    text: str
    style: str
    missing: tuple[str, ...]


def _render(src: str, scripts: Scripts, display: bool) -> str:
    try:
        out = _Parser(src, scripts).render(display)
    except (RecursionError, Exception):  # never let a card crash the review
        out = _fallback_strip(src)
    if "\\" in out:
        out = CMD_RE.sub(lambda m: m.group(0)[1:], out).replace("\\", "")
    return out


def render_formula(src: str, *, display: bool = False) -> Formula:
    """One formula body (without its dollars), in one script style (see :mod:`.scripts`)."""
    if not src:
        return Formula("", "none", ())
    first = Scripts()
    out = _render(src, first, display)
    if not first.missing:
        return Formula(out, "unicode" if first.count else "none", ())
    return Formula(_render(src, Scripts(fallback=True), display), "fallback", tuple(first.missing))


def latex_to_unicode(src: str, *, display: bool = False) -> str:
    """One formula body (without its dollars) as readable Unicode.

    With ``display=True`` environments (matrices, cases, aligned) and ``\\\\`` become several
    lines; otherwise the result is always one line.
    """
    return render_formula(src, display=display).text
