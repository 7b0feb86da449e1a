"""The old import path of the notes importer, kept for the modules that still use it.

The importer is the package ``learndl_cli.notes`` (reading, structure, rules, deck writing).
"""

from .notes import (  # noqa: F401
    PICTURE, NotesResult, Proposal, clean_inline, edited_since_import, heading_shown, import_notes, render_deck, slug,
    unique_cards,
)
from .notes.explicit import numbered_clozes as _numbered_clozes  # noqa: F401
from .notes.text import safe_block as _safe_block  # noqa: F401
