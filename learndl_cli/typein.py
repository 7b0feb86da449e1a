"""Typed answers: which cards take one, whether a reply is right, and a character diff.

Shared by ``learndl quiz --type`` and ``learndl exam``.

- ``accepted_answers``: a cloze card (its hidden text), or a card whose answer is one short line
  without maths or code, takes a typed answer; for ``X (Y)`` answers, X or Y alone is accepted too.
  Other cards are revealed and self-graded.
- ``is_correct``: compared after ``normalize`` (Unicode width, case, whitespace and punctuation do
  not matter).
- ``diff``: the reply against the answer character by character, as Anki's type-in shows it:
  the typed text with each character right or wrong, and the answer with what was missing marked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

MAX_TYPED_WIDTH = 20  # typed in when an accepted answer is at most this wide (CJK characters count 2)
MAX_ANSWER_WIDTH = 40  # and the whole answer at most this wide


# ---------------------------------------------------------------- answers


def normalize(text: str) -> str:
    """Case, width, whitespace and punctuation never decide an answer: ``"Number of Elements。"``,
    ``"number of elements"`` and ``"ｎｕｍｂｅｒ ｏｆ ｅｌｅｍｅｎｔｓ"`` compare equal."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P") and ch not in "`")
    return unicodedata.normalize("NFKC", kept)  # marks freed of a removed space compose again


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cloze_answer(card: dict) -> str | None:
    """The hidden text of a cloze card: what its back has in bold where its front has ``[…]``."""
    front, back = card.get("front") or "", card.get("back") or ""
    i = 0
    while i < min(len(front), len(back)) and front[i] == back[i]:
        i += 1
    j = 0
    while j < min(len(front), len(back)) - i and front[-1 - j] == back[-1 - j]:
        j += 1
    middle = back[i : len(back) - j]
    hole = front[i : len(front) - j]
    if not (middle.startswith("**") and middle.endswith("**") and len(middle) > 4 and hole.startswith("[") and hole.endswith("]")):
        return None
    answer = middle[2:-2]
    return None if "**" in answer else answer.strip()


_PAREN = re.compile(r"^(?P<a>[^()（）]+?)\s*[(（](?P<b>[^()（）]+)[)）]\s*[。.!！]?$")


def accepted_answers(card: dict) -> list[str] | None:
    """The answers a typed reply may match, or None when the card must be self-graded."""
    answer = cloze_answer(card) if card.get("kind") == "cloze" else (card.get("back") or "")
    if answer is None:
        return None
    answer = answer.strip()
    if not answer or "\n" in answer or "$" in answer or "```" in answer or "|" in answer:
        return None
    if not normalize(answer) or width(normalize(answer)) > MAX_ANSWER_WIDTH:
        return None
    accepted = [answer]
    m = _PAREN.match(answer)
    term = m.group("a").strip() if m else ""
    # "术语 (term)": a term and its translation; either alone is an answer. Not for a sentence
    # that ends in a gloss ("…，并支持自动微分 (autograd)").
    if m and not any(unicodedata.category(ch).startswith("P") for ch in term):
        gloss = m.group("b").strip()
        accepted += [term, gloss] + [g.strip() for g in re.split(r"[/,，、]", gloss) if g.strip() != gloss]
    accepted = [a for a in accepted if normalize(a)]
    if min(width(normalize(a)) for a in accepted) > MAX_TYPED_WIDTH:
        return None
    return accepted


def is_correct(reply: str, accepted: list[str]) -> bool:
    got = normalize(reply)
    return bool(got) and any(got == normalize(a) for a in accepted)


@dataclass(frozen=True)
class Diff:
    """``typed`` and ``expected`` as runs of ``(text, ok)``: in ``typed``, ok runs match the answer
    and the rest are wrong or extra; in ``expected``, the runs not ok are what the reply missed."""

    typed: list[tuple[str, bool]]
    expected: list[tuple[str, bool]]
    correct: bool
    answer: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _runs(pairs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for text, ok in pairs:
        if not text:
            continue
        if out and out[-1][1] == ok:
            out[-1] = (out[-1][0] + text, ok)
        else:
            out.append((text, ok))
    return out


def diff(reply: str, accepted: list[str]) -> Diff:
    """Compare ``reply`` with the closest accepted answer, character by character (after Unicode
    width folding and ignoring case; the characters shown are the reply's and the answer's own)."""
    typed = unicodedata.normalize("NFKC", reply.strip())
    correct = is_correct(reply, accepted)
    best = max(accepted, key=lambda a: SequenceMatcher(None, _fold(typed), _fold(a), autojunk=False).ratio())
    answer = unicodedata.normalize("NFKC", best.strip()).replace("`", "")  # code marks are not typed
    if correct:
        return Diff([(typed, True)], [(answer, True)], True, best)
    sm = SequenceMatcher(None, _fold(typed), _fold(answer), autojunk=False)
    t: list[tuple[str, bool]] = []
    e: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        t.append((typed[i1:i2], op == "equal"))
        e.append((answer[j1:j2], op == "equal"))
    return Diff(_runs(t), _runs(e), False, best)
