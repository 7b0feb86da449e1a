"""``learndl backup`` and ``learndl restore``: a consistent copy with ``VACUUM INTO``, and a checked swap.

A restore first proves the file is a learndl database this learndl can read (SQLite header,
integrity check, learndl's migrations, none newer than this code), then keeps a copy of the
current database in ``backups/``, then swaps the file in and upgrades it if it is older.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UserError
from ..store import interop as store
from ..store.db import BACKUP_DIR, DB_FILE, backups, vacuum_into
from ..store.migrations import SCHEMA_VERSION, migrations

MANUAL_PREFIX = "manual-"
BEFORE_RESTORE_PREFIX = "before-restore-"


def stamp(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")


def all_backups(home: Path) -> list[Path]:
    """Automatic and manual backups in the data directory, newest first (by modification time)."""
    folder = home / BACKUP_DIR
    found = set(backups(home))
    if folder.is_dir():
        found |= set(folder.glob(f"{MANUAL_PREFIX}*.db")) | set(folder.glob(f"{BEFORE_RESTORE_PREFIX}*.db"))
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _refuse_link(path: Path) -> None:
    """learndl never writes through a symbolic link in the data dir (one planted there could
    point anywhere): one line instead."""
    if path.is_symlink():
        raise UserError(f"{path}: is a symbolic link; learndl does not write through links (remove it)")


def backup(home: Path, now: datetime, target: Path | None = None, force: bool = False) -> Path:
    source = home / DB_FILE
    if not source.exists():
        raise UserError(f"{source}: no database yet; nothing to back up")
    if target is None:
        _refuse_link(home / BACKUP_DIR)
        target = home / BACKUP_DIR / f"{MANUAL_PREFIX}{stamp(now)}.db"
        n = 1
        while target.exists():  # two backups within a second
            n += 1
            target = home / BACKUP_DIR / f"{MANUAL_PREFIX}{stamp(now)}-{n}.db"
    target = target.expanduser()
    if target.is_dir():
        target = target / f"learndl-{stamp(now)}.db"
    _refuse_link(target)
    if target.exists():
        if not force:
            raise UserError(f"{target}: already exists; choose another file or pass --force")
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        vacuum_into(source, target)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{source}: cannot back up: {exc} (learndl doctor checks the database)") from None
    return target


def check_learndl_db(path: Path) -> dict:
    """Raise ``UserError`` unless ``path`` is a sound learndl database this code can use."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise UserError(f"{path}: not a SQLite database, so not a learndl backup")
    try:
        conn = store.open_raw(path)
    except sqlite3.Error as exc:
        raise UserError(f"{path}: cannot open: {exc}") from None
    try:
        try:
            bad = store.integrity(conn)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: damaged: {exc}") from None
        if bad:
            raise UserError(f"{path}: damaged: {bad[0]}")
        applied = store.applied_migrations(conn)
        if applied is None:
            raise UserError(f"{path}: a SQLite database, but not a learndl one (no cards, reviews and migrations tables)")
        known = [m.name for m in migrations._migrations]
        unknown = [name for name in applied if name not in known]
        if unknown or len(applied) > SCHEMA_VERSION:
            raise UserError(f"{path}: written by a newer learndl (schema {len(applied)}, this one knows {SCHEMA_VERSION}); upgrade learndl to restore it")
        return {"schema": len(applied), **store.counts(conn)}
    finally:
        conn.close()


def restore(home: Path, source: Path, now: datetime) -> tuple[dict, Path | None]:
    """Swap ``source`` in as the database; returns its counts and where the old one was kept."""
    source = source.expanduser().resolve()
    info = check_learndl_db(source)
    current = home / DB_FILE
    _refuse_link(home / BACKUP_DIR)
    if current.exists() and source == current.resolve():
        raise UserError(f"{source}: that is the current database")
    kept = None
    if current.exists():
        kept = home / BACKUP_DIR / f"{BEFORE_RESTORE_PREFIX}{stamp(now)}.db"
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            vacuum_into(current, kept)
        except sqlite3.DatabaseError:
            # A damaged database cannot be vacuumed: keep its bytes as they are.
            shutil.copy2(current, kept)
            for suffix in ("-wal", "-shm"):
                side = current.with_name(current.name + suffix)
                if side.exists():
                    shutil.copy2(side, kept.with_name(kept.name + suffix))
    tmp = current.with_name(current.name + ".restore")
    tmp.unlink(missing_ok=True)  # a leftover (or a planted link) is removed, never written through
    shutil.copyfile(source, tmp)
    for suffix in ("-wal", "-shm"):
        current.with_name(current.name + suffix).unlink(missing_ok=True)
    tmp.replace(current)
    return info, kept
