"""Cards the learner wrote as cards: the syntaxes of the deck format, Obsidian and Anki, and
question–answer pairs however they are written.

- ``Q: …`` / ``A: …`` and the Chinese and bold forms of it: ``问：…`` / ``答：…``, ``**Q：…？**`` /
  ``A：…``, ``Q1：`` / ``A1：``, on one line or on two lines, bullets or paragraphs, with blank lines
  between or the answer as a sub-bullet. A question and its answer always stay one card.
- ``front :: back``, ``front ::: back``, multi-line ``?`` / ``??`` blocks (Obsidian spaced
  repetition), ``==cloze==`` (Obsidian highlights) and ``{{c1::…}}`` (Anki).

When a file holds any card in the syntaxes of the second list, the learner writes cards by hand, and
nothing else is proposed from it (see ``importer``). Question–answer pairs do not switch that on:
lesson notes keep them in a Q&A section beside everything else.
"""

from __future__ import annotations

import re

from ..deckparse import CLOZE_RE, HIGHLIGHT_RE, Problem
from .model import Proposal
from .structure import Node, Section
from .text import CODE_RE, clean_inline, has_text, mask, unbold

MAX_NODE = 20_000  # characters: a longer paragraph is not read for cards (and regexes stay fast)
_BOLD = r"(?:\*\*|__)?"
# "问题1：…", and "问题：…？" (a question mark at the end): "问题：…" alone is "the problem: …"
Q_RE = re.compile(r"^\s*" + _BOLD + r"\s*(?:Q|问|提问|问题(?=\s*\d)|问题(?=\s*[:：][^\n]*[？?]\s*(?:\*\*|__)?\s*(?:\n|$)))\s*\d{0,3}\s*[:：]\s*" + _BOLD)
A_RE = re.compile(r"^\s*" + _BOLD + r"\s*(?:A|答|回答|解答|答案)\s*\d{0,3}\s*[:：]\s*" + _BOLD)
# an answer marker later on the question's own line: "问：…？答：…", "Q: … A: …"
A_INLINE_RE = re.compile(r"(?:(?<=[？?。.!！\s])|(?<=\*\*))" + _BOLD + r"\s*(?:A|答|回答|答案)\s*\d{0,3}\s*[:：]\s*" + _BOLD)


def _side(text: str) -> str:
    text = text.strip()
    if text.startswith(("**", "__")) and text.count(text[:2]) % 2 == 1:
        text = text[2:]
    if text.endswith(("**", "__")) and text.count(text[-2:]) % 2 == 1:
        text = text[:-2]
    return clean_inline(unbold(text.strip()))


def _children_text(node: Node) -> str:
    from .rules import children_back  # the same rendering as the structure rules' answers

    return children_back(node.children)


def split_question(text: str) -> tuple[str, str] | None:
    """``(question, answer)`` of a node that starts with a question marker (answer may be "")."""
    lines = text.split("\n")
    if not Q_RE.match(lines[0]):
        return None
    at = next((k for k in range(1, len(lines)) if A_RE.match(lines[k])), None)
    if at is not None:
        q = Q_RE.sub("", "\n".join(lines[:at]), count=1)
        a = A_RE.sub("", "\n".join(lines[at:]), count=1)
        return _side(q), _side(a)
    first = Q_RE.sub("", lines[0], count=1)
    m = A_INLINE_RE.search(mask(first))
    if m and m.start() > 0:
        return _side(first[: m.start()]), _side(first[m.end() :] + "\n" + "\n".join(lines[1:]))
    return _side("\n".join([first] + lines[1:])), ""


def _card_syntax(text: str, node: Node, common: dict, problems: list[Problem], path: str) -> list[Proposal]:
    lines = text.split("\n")
    marks = [k for k, ln in enumerate(lines) if ln.strip() in ("?", "??")]
    if marks:
        k = marks[0]
        q, a = "\n".join(lines[:k]).strip(), "\n".join(lines[k + 1 :]).strip()
        if not q or not a:
            problems.append(Problem(path, node.line, f"'{lines[k].strip()}' card needs text above and below the '{lines[k].strip()}' line; skipped"))
            return []
        if lines[k].strip() == "??":
            return [Proposal("reversed", "multiline-reversed", clean_inline(q), clean_inline(a), **common)]
        return [Proposal("basic", "multiline", clean_inline(q), clean_inline(a), **common)]
    masked = mask(text)
    cloze_masked = CLOZE_RE.sub(lambda m: " " * len(m.group(0)), masked)
    for sep, kind, origin in ((":::", "reversed", "reversed"), ("::", "basic", "oneline")):
        if sep in cloze_masked:
            at = cloze_masked.index(sep)
            front, back = clean_inline(text[:at]), clean_inline(text[at + len(sep) :])
            if not has_text(front) or not back:
                problems.append(Problem(path, node.line, f"'{sep}' card needs text on both sides; skipped"))
                return []
            return [Proposal(kind, origin, front, back, **common)]
    code_masked = CODE_RE.sub(lambda m: " " * len(m.group(0)), text)
    if CLOZE_RE.search(masked) or HIGHLIGHT_RE.search(code_masked):
        body = numbered_clozes(clean_inline(text))
        rest = CLOZE_RE.sub("", CODE_RE.sub("", body))
        if sum(ch.isalnum() for ch in rest) < 2:
            problems.append(Problem(path, node.line, "cloze would hide the whole text (nothing left to recall it from); skipped"))
            return []
        return [Proposal("cloze", "cloze", "", body, **common)]
    return []


def numbered_clozes(text: str) -> str:
    """``==x==`` → ``{{cN::x}}`` (numbers in order, skipping those used), so maths inside works."""
    used = {int(m.group(1)) for m in CLOZE_RE.finditer(text)}
    masked = CODE_RE.sub(lambda m: " " * len(m.group(0)), text)
    out, last, n = [], 0, 0
    for m in HIGHLIGHT_RE.finditer(masked):
        if "{{" in m.group(0):
            continue
        n += 1
        while n in used:
            n += 1
        out.append(text[last : m.start()])
        out.append("{{c%d::%s}}" % (n, text[m.start() + 2 : m.end() - 2]))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def explicit_cards(sections: list[Section], path: str, problems: list[Problem]) -> list[Proposal]:
    """Every explicit card, in file order; the nodes they came from are marked used."""
    found: list[Proposal] = []

    def common(node: Node, sec: Section) -> dict:
        return dict(path=path, line=node.line, headings=sec.path, heading_raw=sec.raw, explicit=True)

    def qa(q_node: Node, q: str, a: str, a_node: Node | None, sec: Section) -> None:
        q_node.used = True
        if a_node is not None:
            a_node.used = True
        if not has_text(q) or not has_text(a):
            problems.append(Problem(path, q_node.line, "'Q:'/'A:' card with an empty side; skipped"))
            return
        found.append(Proposal("basic", "qa", q, a, **common(q_node, sec)))

    def answer_of(node: Node) -> str:
        a = _side(A_RE.sub("", node.text, count=1))
        kids = _children_text(node)
        return (a + "\n" + kids).strip() if kids else a

    def visit_list(nodes: list[Node], sec: Section) -> None:
        k = 0
        while k < len(nodes):
            node = nodes[k]
            k += 1
            if node.kind not in ("item", "para"):
                continue
            if len(node.text) > MAX_NODE:
                problems.append(Problem(path, node.line, f"a paragraph of {len(node.text)} characters; too long to read for cards"))
                node.used = True
                continue
            pair = split_question(node.text)
            if pair is not None:
                q, a = pair
                if a:
                    kids = _children_text(node)
                    qa(node, q, (a + "\n" + kids).strip() if kids else a, None, sec)
                    node.children = []
                elif node.children and A_RE.match(node.children[0].text):
                    qa(node, q, answer_of(node.children[0]), node.children[0], sec)
                    visit_list(node.children[1:], sec)
                elif k < len(nodes) and nodes[k].kind in ("item", "para") and A_RE.match(nodes[k].text):
                    qa(node, q, answer_of(nodes[k]), nodes[k], sec)
                    k += 1
                else:
                    problems.append(Problem(path, node.line, "'Q:' without an 'A:' line; skipped"))
                    node.used = True
                continue
            if A_RE.match(node.text):
                node.used = True  # an answer whose question was not found: never a card "答 → …"
                problems.append(Problem(path, node.line, "an answer ('A:'/'答：') without a question above it; skipped"))
                continue
            got = _card_syntax(node.text, node, common(node, sec), problems, path)
            if got:
                node.used = True
                found.extend(got)
            visit_list(node.children, sec)

    for sec in sections:
        visit_list(sec.nodes, sec)
    return found
