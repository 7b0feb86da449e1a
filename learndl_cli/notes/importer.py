"""One notes file in, proposed cards out: explicit cards first, then the structure rules.

Pure: text in, a ``NotesResult`` out (proposals, problems, what was skipped and why, the title and
the chapter). Never raises on any text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..deckparse import Problem
from .chapters import infer_chapter
from .explicit import explicit_cards
from .model import NotesResult, Proposal
from .rules import structure_cards
from .structure import read_sections


# Top headings that are not what the notes are about: "版权声明", "目录", "TODO".
NOT_A_TITLE_RE = re.compile(r"版权|目录|大纲|copyright|licen[cs]e|todo|to do|参考|reference|致谢|更新|changelog", re.I)


def import_notes(text: str, path: str = "<notes>") -> NotesResult:
    """Proposed cards for one notes file. Never raises on any text."""
    result = NotesResult(path=path)
    if not text.strip():
        result.problems.append(Problem(path, 1, "the file is empty"))
        return result
    sections = read_sections(text, path, result.problems)
    titled = next((s for s in sections if s.level == 1 and not s.soft and not NOT_A_TITLE_RE.search(s.raw)), None)
    result.title = titled.shown if titled else ""
    proposals = explicit_cards(sections, path, result.problems)
    # A learner who writes cards by hand (::, ?, cloze) chose them: nothing else is proposed.
    # Question–answer pairs do not count: lesson notes keep them in a Q&A section.
    if not any(p.origin != "qa" for p in proposals):
        h1 = [s for s in sections if s.level == 1 and not s.soft]
        title = h1[0].shown if len(h1) == 1 else result.title  # not a section kind: "实战 Kaggle 比赛" is a topic
        proposals = sorted(proposals + structure_cards(sections, path, result.skipped, title), key=lambda p: p.line)
    h1 = [s for s in sections if s.level == 1 and not s.soft]
    if len(h1) == 1 and h1[0] is titled:
        # A file with one top heading: that heading is its title (the deck's), not context.
        top = h1[0].path[0]
        proposals = [replace(p, headings=p.headings[1:]) if p.headings[:1] == (top,) else p for p in proposals]
    result.proposals = unique_cards(proposals, result.problems)
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    result.chapter, result.chapter_why = infer_chapter(text, [s.shown for s in sections if s.level and not s.soft], result.title or stem)
    return result


def unique_cards(proposals: list[Proposal], problems: list[Problem], seen: dict | None = None) -> list[Proposal]:
    """Proposals the deck parser reads as intended, one card per question in a deck.

    A question already asked (the deck parser's key: ordinal and normalised front) is qualified with
    its heading, else skipped and reported; so is a note the parser would read otherwise.
    """
    seen = {} if seen is None else seen
    kept = []
    for p in proposals:
        trouble, keys = _deck_check(p)
        if not trouble and any(k in seen for k in keys) and p.kind != "cloze" and p.headings:
            qualified = replace(p, front=f"{p.headings[-1][1]} › {p.front}")
            trouble2, keys2 = _deck_check(qualified)
            if not trouble2 and not any(k in seen for k in keys2):
                p, keys = qualified, keys2
        if not trouble and len(set(keys)) < len(keys):
            trouble = "both sides are the same"
        if trouble:
            problems.append(Problem(p.path, p.line, f"{trouble}; skipped"))
            continue
        clash = next((seen[k] for k in keys if k in seen), None)
        if clash:
            where = f"line {clash[1]}" if clash[0] == p.path else f"{clash[0]}:{clash[1]}"
            problems.append(Problem(p.path, p.line, f"the same question as {where}; skipped"))
            continue
        for k in keys:
            seen[k] = (p.path, p.line)
        kept.append(p)
    return kept


def _deck_check(p: Proposal) -> tuple[str, list[tuple[str, str]]]:
    """What the deck parser says about this note (empty when it reads it as intended), and the
    keys its cards take in a deck (ordinal and normalised front)."""
    from ..deckparse import parse_deck

    deck = parse_deck("---\nid: check\ntitle: check\nchapter: 0\n---\n\n" + p.note_text() + "\n", "check")
    if deck.problems:
        return deck.problems[0].message, []
    kinds = {c.kind for c in deck.cards}
    if kinds != {p.kind}:
        return f"would be read as a {'/'.join(sorted(kinds)) or 'nothing'} card, not {p.kind}", []
    return "", [(c.ordinal, c.front_key) for c in deck.cards]

