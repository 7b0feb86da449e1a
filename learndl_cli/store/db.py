"""Opening the database: location, pragmas, migrations, version checks and daily backups."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from ..errors import UserError
from .migrations import SCHEMA_VERSION, migrations

DB_FILE = "learndl.db"
BACKUP_DIR = "backups"
KEEP_BACKUPS = 7
BUSY_TIMEOUT_MS = 10_000


def db_path(home: Path) -> Path:
    return home / DB_FILE


def backups(home: Path) -> list[Path]:
    """Automatic backups, newest first."""
    folder = home / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("learndl-*.db"), reverse=True)


def _open_failure(path: Path, home: Path, exc: sqlite3.DatabaseError) -> UserError:
    """Tell a damaged file apart from a full disk or a read-only folder."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return _corrupt(path, home, str(exc))
    try:
        if shutil.disk_usage(home).free < 64 * 1024:
            return UserError(f"{path}: the disk is full; nothing was changed. Free some space and run again", 3)
    except OSError:
        pass
    if "readonly" in text or "read-only" in text or not os.access(home, os.W_OK):
        return UserError(f"{path}: the data directory is read-only; learndl needs to write there (use --home or $LEARNDL_HOME)", 3)
    return UserError(f"{path}: cannot open the database ({exc}); run learndl doctor", 3)


def _corrupt(path: Path, home: Path, detail: str) -> UserError:
    newest = backups(home)
    hint = (
        f"; the newest automatic backup is {newest[0]} (learndl restore {newest[0]})"
        if newest
        else "; there is no automatic backup yet"
    )
    return UserError(f"{path}: the database is damaged ({detail}){hint}")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the applied migrations, oldest first: what ``Migrations.applied`` returns, read with
    two plain queries (sqlite-utils' table introspection costs every command ~15 ms on a big file)."""
    if not conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = ?", [Migrations.migrations_table]
    ).fetchone():
        return []
    return [
        row[0]
        for row in conn.execute(
            f"select name from {Migrations.migrations_table} where migration_set = ? order by rowid", [migrations.name]
        )
    ]


def _refuse_lost_database(path: Path, home: Path) -> None:
    """A missing or emptied database next to backups means history was lost: never start afresh silently."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the database: {exc.strerror or exc}") from None
    if size not in (None, 0):
        return
    newest = backups(home)
    if not newest:
        return
    what = "is missing" if size is None else "is empty (truncated)"
    raise UserError(
        f"{path}: the database {what}, but backups exist; restore the newest with "
        f"'learndl restore {newest[0]}' (or move {home / BACKUP_DIR} away to start afresh)"
    )


def open_db(home: Path, *, migrate: bool = True, backup_now: datetime | None = None) -> Database:
    """Open (and create or upgrade) the database in ``home``.

    Refuses a database written by a newer learndl, and names the newest backup when the file is
    damaged. ``backup_now``, when given, makes the day's automatic backup if it is missing.
    """
    path = db_path(home)
    _refuse_lost_database(path, home)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise UserError(f"{path}: cannot open the database: {exc}") from None
    db = Database(conn, execute_plugins=False)  # no plugin discovery: it costs every command ~20 ms
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        applied = applied_migrations(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _open_failure(path, home, exc) from None
    known = {m.name for m in migrations._migrations}
    unknown = [name for name in applied if name not in known]
    if unknown or len(applied) > SCHEMA_VERSION:
        conn.close()
        raise UserError(
            f"{path}: this database was written by a newer learndl (schema {len(applied)}, "
            f"this one knows {SCHEMA_VERSION}); upgrade learndl to use it"
        )
    if migrate and len(applied) < SCHEMA_VERSION:
        if applied and backup_now is not None:
            make_backup(db, home, backup_now, tag="pre-migration")
        try:
            migrations.apply(db)
        except sqlite3.OperationalError as exc:
            conn.close()
            raise UserError(f"{path}: cannot upgrade the database: {exc}") from None
    if backup_now is not None:
        daily_backup(db, home, backup_now)
    return db


def vacuum_into(source: Path, target: Path) -> None:
    """A consistent copy of the database file ``source`` at ``target``, written atomically."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(str(source))
    try:
        conn.execute("VACUUM INTO ?", [str(tmp)])
    finally:
        conn.close()
    tmp.replace(target)


def make_backup(db: Database, home: Path, now: datetime, tag: str = "") -> Path:
    folder = home / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%d")
    target = folder / f"learndl-{stamp}{'-' + tag if tag else ''}.db"
    if target.exists():
        return target
    tmp = target.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    db.execute("VACUUM INTO ?", [str(tmp)])
    tmp.replace(target)
    return target


def daily_backup(db: Database, home: Path, now: datetime) -> Path | None:
    """Keep one ``VACUUM INTO`` copy per day, and the last ``KEEP_BACKUPS`` of them."""
    if not db.execute("select exists (select 1 from reviews)").fetchone()[0]:
        return None
    try:
        made = make_backup(db, home, now)
        for old in backups(home)[KEEP_BACKUPS:]:
            old.unlink(missing_ok=True)
        return made
    except (OSError, sqlite3.Error) as exc:
        # A missing backup must not stop a review, but it is never silent.
        print(f"learndl: warning: could not write today's backup in {home / BACKUP_DIR}: {exc}", file=sys.stderr)
        return None


class write_txn:
    """A short write transaction: ``BEGIN IMMEDIATE`` takes the write lock up front, so a writer
    waits on the busy timeout instead of failing with "database is locked" on a lock upgrade.
    Nested use joins the outer transaction (as a savepoint, through ``db.atomic()``)."""

    def __init__(self, db: Database):
        self.db = db
        self._outer = None

    def __enter__(self) -> Database:
        if self.db.conn.in_transaction:
            self._outer = self.db.atomic()
            return self._outer.__enter__()
        self.db.conn.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._outer is not None:
            return bool(self._outer.__exit__(exc_type, exc, tb))
        if exc_type is None:
            try:
                self.db.conn.execute("COMMIT")
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                raise
        elif self.db.conn.in_transaction:
            self.db.conn.execute("ROLLBACK")
        return False
