#!/usr/bin/env python3
"""Cards that give their answer away, and cards that ask for too much at once.

Reads ``decks/*.md`` with the same regex-level parser as ``scripts/deck_coverage.py`` and prints one
line per finding, ``path:line: rule: detail``. Two kinds of rule:

* **Leaks** (errors; ``--check`` exits 1 when there is one, and tests/test_deck_content.py runs them):

  - ``cloze-sibling``: in a cloze note, the card that hides ``cN`` still shows that answer
    elsewhere — another cloze with the same text, the plain text of the note, or the heading the
    card is reviewed under.
  - ``reversed-term``: in a ``term ::: definition`` note, the reversed card (definition → term)
    shows the term itself, in the definition or in its heading — its Chinese name, or an English
    name or abbreviation given in parentheses — or spells a Chinese name of four or more characters
    in two parts of at least two characters each, in order ("在训练数据集上…的误差" for 训练误差),
    or gives another name for it ("又叫稠密层", "也称…", "简称…").

  Cards are read with learndl's own parser (``learndl_cli.deckparse``), so what is searched is
  what the learner sees: the heading context and the front. Text is compared with maths and code
  markers removed, spaces dropped and case folded; an answer or term shorter than two characters
  is never a leak (too short to be one on its own).

* **Hints for a human** (``--all``; never a failure, because only a reader can tell a list that
  belongs together from several facts squeezed into one card):

  - ``long-answer``: a basic card whose answer is over ``LONG_ANSWER`` characters (spaces not
    counted);
  - ``list-question``: a basic card whose question asks for several things (哪些, 哪几, 分别, …).

A leak that is a hint on purpose is not a leak: rewrite the card so that the hint is not the answer.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LONG_ANSWER = 80
LIST_QUESTION_RE = re.compile(r"哪些|哪几|哪两|哪三|哪四|几种|几个|分别|列举|有哪|步骤")


def _coverage_module():
    name = "deck_coverage"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "deck_coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


dc = _coverage_module()


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        try:
            where = self.path.relative_to(REPO)
        except ValueError:
            where = self.path
        return f"{where}:{self.line}: {self.rule}: {self.detail}"


def squash(text: str) -> str:
    """Comparison form: NFKC, maths/code markers and spaces dropped, case folded."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[$`*]", "", t)
    t = re.sub(r"\\(?:mathbf|boldsymbol|mathcal|mathrm|operatorname|text)\b", "", t)
    t = re.sub(r"[{}\s]", "", t)
    return t.casefold()


# ------------------------------------------------------------------------------ leaks

_PAREN_RE = re.compile(r"[（(]([^()（）]*)[)）]")
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*", re.S)
_MATH_RE = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)


def _math_key(formula: str) -> str:
    return re.sub(r"\s", "", formula.strip("$"))


def terms_of(front: str) -> list[str]:
    """The names a ``term ::: definition`` front gives: the part outside parentheses and each
    comma- or slash-separated name inside them."""
    names = [_PAREN_RE.sub(" ", front)]
    for inner in _PAREN_RE.findall(front):
        names.extend(re.split(r"[,，/、;；]", inner))
    keys = []
    for name in names:
        key = squash(name)
        if len(key) >= 2 and key not in keys:
            keys.append(key)
    return keys


def card_leaks(card) -> list[tuple[str, str]]:
    """(rule, detail) for a learndl card whose question shows its own answer.

    What the learner sees is the heading context and the front, so both are searched.
    """
    shown = card.context + " " + card.front
    seen = squash(shown)
    out = []
    if card.kind == "cloze":
        # learndl marks the hidden cloze's answer in bold on the back of its card.
        formulas = {_math_key(m) for m in _MATH_RE.findall(shown)}
        for answer in _BOLD_RE.findall(card.back):
            key = squash(answer)
            if _MATH_RE.fullmatch(answer.strip()):
                # A formula leaks only as a whole formula: 2/n_in is not shown by 2/(n_in + n_out).
                leaked = _math_key(answer.strip()) in formulas
            else:
                leaked = len(key) >= 2 and key in seen
            if leaked:
                out.append(("cloze-sibling", f"{card.ordinal} hides {answer.strip()!r}, which its card still shows"))
                break
    elif card.kind == "reversed" and card.ordinal == "rev":
        for term in terms_of(card.back):
            if term in seen:
                out.append(("reversed-term", f"the definition (or its heading) contains the term {term!r}"))
            elif parts := split_term_shown(term, seen):
                out.append(("reversed-term", f"the definition spells the term {term!r} in two parts: {parts[0]!r} … {parts[1]!r}"))
        if alias := _ALIAS_RE.search(card.front):
            out.append(("reversed-term", f"the definition gives another name for the term ({alias.group(0)!r}); put it on the term side"))
    return out


# "又叫稠密层": a definition that names the term's synonym hands the reversed card its answer.
_ALIAS_RE = re.compile(r"(?:又|也|亦)(?:叫|称|被称为|称为)\S{0,12}|简称\S{0,12}")


_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")


def split_term_shown(term: str, seen: str) -> tuple[str, str] | None:
    """A Chinese term of four or more characters that the text shows cut in two, each part at least
    two characters and in order: "取最大值作为输出的汇聚方式" spells 最大汇聚. Parts of one character
    are not counted ("来自…注意力" does not spell 自注意力)."""
    if len(term) < 4 or not _CJK_RE.fullmatch(term):
        return None
    for i in range(2, len(term) - 1):
        head, tail = term[:i], term[i:]
        at = seen.find(head)
        if at >= 0 and seen.find(tail, at + len(head)) >= 0:
            return head, tail
    return None


# ------------------------------------------------------------------------------ hints


def _basic_sides(text: str) -> tuple[str, str] | None:
    if not re.match(r"^\s*Q\s*[:：]", text):
        return None
    m = re.search(r"^\s*A\s*[:：]", text, flags=re.M)
    if not m:
        return None
    return re.sub(r"^\s*Q\s*[:：]\s?", "", text[: m.start()], count=1), text[m.end() :]


def hints(text: str) -> list[tuple[str, str]]:
    sides = _basic_sides(text)
    if sides is None:
        return []
    question, answer = sides
    out = []
    size = len(re.sub(r"\s", "", answer))
    if size > LONG_ANSWER:
        out.append(("long-answer", f"{size} characters"))
    if LIST_QUESTION_RE.search(question):
        out.append(("list-question", question.strip().splitlines()[0][:60]))
    return out


# ------------------------------------------------------------------------------ driver


def lint(decks_dir: Path, with_hints: bool = False) -> tuple[list[Finding], list[Finding]]:
    """(leaks, hints) over every deck file under ``decks_dir``."""
    leaks: list[Finding] = []
    found_hints: list[Finding] = []
    from learndl_cli import deckparse  # the parser learndl itself uses, so contexts are the real ones

    for path in dc.deck_files(decks_dir):
        deck = deckparse.parse_deck(path.read_text(encoding="utf-8"), str(path))
        for card in deck.cards:
            leaks.extend(Finding(path, card.line, r, d) for r, d in card_leaks(card))
        if not with_hints:
            continue
        _, notes = dc.parse_deck(path)
        for note in notes:
            if with_hints:
                found_hints.extend(Finding(path, note.line, r, d) for r, d in hints(note.text))
    return leaks, found_hints


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--decks", type=Path, default=REPO / "decks", help="decks folder")
    ap.add_argument("--all", action="store_true", help="also list long answers and list questions")
    ap.add_argument("--check", action="store_true", help="exit 1 if a card leaks its answer")
    args = ap.parse_args(argv)
    leaks, found_hints = lint(args.decks, with_hints=args.all)
    for f in leaks + found_hints:
        print(f)
    if args.all:
        counts: dict[str, int] = {}
        for f in found_hints:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no hints"
        print(f"leaks: {len(leaks)}; {summary}")
    return 1 if args.check and leaks else 0


if __name__ == "__main__":
    sys.exit(main())
