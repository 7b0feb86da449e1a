"""The store owns every SQL statement learndl runs.

``db`` opens the database (WAL, busy timeout, migrations, backups); ``cards`` holds the flashcard
queries; ``exercises`` the attempt and re-drill queries. Every write is one short ``db.atomic()``
transaction, committed before the caller goes on, so a killed process loses nothing it acknowledged.
"""
