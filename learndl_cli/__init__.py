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
