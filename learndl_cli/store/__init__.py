"""The store owns every SQL statement learndl runs.

``db`` opens the database (WAL, busy timeout, migrations, backups); ``cards`` holds the flashcard
queries; ``exercises`` the attempt and re-drill queries. Every write is one short ``db.atomic()``
transaction, committed before the caller goes on, so a killed process loses nothing it acknowledged.
"""


def exercises_due(db, now) -> list[str]:
    """Passed exercises due for re-drill (shown by ``status`` and at the end of ``quiz``)."""
    try:
        from .exercises import due_redrills
    except ModuleNotFoundError:  # TEMP until the exercise store lands
        return []

    return due_redrills(db, now)
