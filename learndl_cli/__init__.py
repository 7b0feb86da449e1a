"""learndl: spaced-repetition flashcards and graded coding drills for *Dive into Deep Learning*.

Where each concern lives:

- ``cli``           parses arguments and renders; the command groups are in ``commands/``.
- ``store/``        owns every SQL statement; schema changes are ``sqlite_utils.Migrations``.
- ``scheduler``     wraps ``fsrs``; pure, it takes ``now`` and does no I/O.
- ``deckparse``     turns one deck file into notes and cards (pure).
- ``decks``         finds deck files, caches them, and syncs card identity into the store.
- ``grader/``       owns the child processes that run a learner's code.
- ``mathtext``      renders LaTeX as readable Unicode.

Content (decks/, exercises/, solutions/) is data, kept apart from this engine.
"""

__version__ = "0.1.0"


def _import_sqlite_utils_lean() -> None:
    """Import sqlite_utils without its optional pandas and numpy support.

    sqlite_utils imports pandas and numpy when they are installed (the FSRS optimizer brings
    pandas), which costs every command half a second. learndl never hands it DataFrames or numpy
    values, so the import is made with both hidden; they stay importable for code that needs them.
    """
    import sys

    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes "import name" raise ImportError inside sqlite_utils
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            sys.modules.pop(name, None)


_import_sqlite_utils_lean()
