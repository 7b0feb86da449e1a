"""The store owns every SQL statement learndl runs.

``db`` opens the database (WAL, busy timeout, migrations, backups); ``migrations`` is the schema;
``cards`` holds the flashcard queries; ``exercises`` the attempt and re-drill queries; ``reports``
the self-assessment and exam queries; ``interop`` import, export and doctor. Every write is one
short ``write_txn``
transaction, committed before the caller goes on, so a killed process loses nothing it acknowledged.
"""


def exercises_due(db, now) -> list[str]:
    """Passed exercises due for re-drill (shown by ``status`` and at the end of ``quiz``)."""
    from .exercises import due_redrills

    return due_redrills(db, now)
