"""What the importer proposes: one ``Proposal`` per note to write, and a ``NotesResult`` per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..deckparse import Problem, normalize
from .text import safe_block


@dataclass(frozen=True)
class Proposal:
    """One note to write into the deck: ``kind`` is basic, reversed or cloze (deck format kinds)."""

    kind: str
    origin: str  # how it was found (see ORIGINS)
    front: str
    back: str  # for a cloze, the whole text with its cloze markers; ``front`` is empty
    path: str
    line: int
    headings: tuple[tuple[int, str], ...] = ()  # (level, heading as shown) from the top
    heading_raw: str = ""  # the deepest heading as written in the notes
    explicit: bool = False
    tags: tuple[str, ...] = ()  # written as a ``tags:`` field line
    note_id: str = ""  # written as an ``id:`` field line (pins identity through any rewrite)

    @property
    def context(self) -> str:
        return " › ".join(t for _, t in self.headings)

    @property
    def key(self) -> str:
        return normalize(self.front if self.kind != "cloze" else self.back)

    def note_text(self) -> str:
        """The note as deck-format text (no blank line inside, no trailing field line)."""
        if self.kind == "cloze":
            text = self.back
        elif self.kind == "reversed":
            text = f"{self.front} ::: {self.back}" if "\n" not in self.front + self.back else f"{self.front}\n:::\n{self.back}"
        elif self.origin == "oneline" and "\n" not in self.front + self.back:
            text = f"{self.front} :: {self.back}"  # as the learner wrote it
        else:
            text = f"Q: {self.front}\nA: {self.back}"
        text = safe_block(text)
        if self.tags:
            text += "\ntags: " + " ".join(self.tags)
        if self.note_id:
            text += "\nid: " + self.note_id
        return text



@dataclass
class NotesResult:
    path: str
    title: str = ""
    chapter: int | None = None  # the book chapter the notes are about, when it can be told
    chapter_why: str = ""  # how the chapter was told ("front matter", "heading '第3章 …'", …)
    proposals: list[Proposal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def explicit(self) -> bool:
        return any(p.explicit for p in self.proposals)

    def by_origin(self) -> Counter:
        return Counter(p.origin for p in self.proposals)
