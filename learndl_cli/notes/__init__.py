"""Turn a learner's own Markdown notes into proposed cards, and write them as a deck.

One concern per module:

- ``reading``: bytes from disk to text (encodings), refusing empty and binary files;
- ``structure``: text to sections and blocks (headings, also bold lines used as headings; lists with
  their parents; code and ``$$`` blocks attached to the sentence that introduces them; tables);
- ``explicit``: cards the learner wrote as cards (``Q:``/``A:``, ``问：``/``答：``, ``::``, ``?``, clozes);
- ``rules``: the named heuristics that propose cards from structure, and the gates every proposal
  passes (a rule that is unsure proposes nothing);
- ``chapters``: which chapter of the book the notes are about, if any;
- ``importer``: one file through all of the above (pure: text in, proposals out);
- ``deck``: proposals to a deck file, deck ids.
"""

from .deck import HASH_MARK, collision, deck_id_for, edited_since_import, render_deck, slug, written_from
from .explicit import numbered_clozes
from .importer import import_notes, unique_cards
from .model import NotesResult, Proposal
from .rules import EXPLAINS
from .text import PICTURE, clean_inline, heading_shown

__all__ = [
    "EXPLAINS", "HASH_MARK", "NotesResult", "collision", "PICTURE", "Proposal", "clean_inline", "deck_id_for", "edited_since_import",
    "heading_shown", "import_notes", "numbered_clozes", "render_deck", "slug", "unique_cards", "written_from",
]
