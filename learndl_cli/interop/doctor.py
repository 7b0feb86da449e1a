"""``learndl doctor``: check the data directory and say how to fix each problem.

Checks, in order: the settings file reads; the database opens and passes SQLite's integrity check;
its schema version matches this learndl; no review points to a missing card; the report's per-day
table agrees with a recount of the reviews; no active card belongs
to a deck or file that is gone; every registered deck path exists; a backup is recent enough; and
which protections keep a grade's child (the learner's code) away from all of it on this machine.
The database is opened read-only, so doctor never changes what it examines (``--fix`` aside).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlite_utils import Database

from ..errors import UserError
from ..store import interop as store
from ..store.db import DB_FILE
from ..store.reports import report_days_drift
from ..store.migrations import SCHEMA_VERSION, migrations
from .backup import all_backups

BACKUP_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(home: Path, now: datetime) -> list[Check]:
    checks: list[Check] = []
    settings = None
    try:
        from ..config import load_settings

        settings = load_settings(home)
        checks.append(Check("settings", True, "settings.toml reads" if (home / "settings.toml").exists() else "defaults (no settings.toml)"))
    except UserError as exc:
        checks.append(Check("settings", False, exc.message, "correct the line named, or move settings.toml away to use the defaults"))

    path = home / DB_FILE
    reviews = 0
    if not path.exists():
        checks.append(Check("database", True, "no database yet (it is made on the first run)"))
    else:
        newest = all_backups(home)
        restore_hint = f"learndl restore {newest[0]}" if newest else "no backup exists: copy the file away and start afresh"
        conn = None
        try:
            conn = store.open_raw(path)
            bad = store.integrity(conn)
            if bad:
                checks.append(Check("integrity", False, f"{path}: {bad[0]}" + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""), restore_hint))
            else:
                checks.append(Check("integrity", True, f"{path}: ok"))
            applied = store.applied_migrations(conn)
            if applied is None:
                checks.append(Check("schema", False, f"{path}: not a learndl database", restore_hint))
            else:
                known = [m.name for m in migrations._migrations]
                if any(a not in known for a in applied) or len(applied) > SCHEMA_VERSION:
                    checks.append(Check("schema", False, f"schema {len(applied)} is newer than this learndl ({SCHEMA_VERSION})", "upgrade learndl"))
                elif len(applied) < SCHEMA_VERSION:
                    checks.append(Check("schema", False, f"schema {len(applied)}, this learndl uses {SCHEMA_VERSION}", "run any learndl command (learndl status): it upgrades the database, after a backup"))
                else:
                    checks.append(Check("schema", True, f"version {SCHEMA_VERSION}"))
                    orphans = store.orphaned_reviews(conn)
                    checks.append(
                        Check("orphaned reviews", not orphans, f"{orphans} review(s) point to no card" if orphans else "none",
                              "learndl doctor --fix deletes them" if orphans else "")
                    )
                    lost = store.orphaned_cards(conn)
                    checks.append(
                        Check("orphaned cards", not lost, f"{lost} active card(s) whose deck file is gone" if lost else "none",
                              "learndl status re-reads the decks and hides them (their history is kept)" if lost else "")
                    )
                    drift = report_days_drift(Database(conn, execute_plugins=False))
                    checks.append(
                        Check("report table", not drift,
                              "filled by the next report" if drift is None else
                              f"{drift} day row(s) disagree with the reviews" if drift else "agrees with the reviews",
                              "learndl doctor --fix rebuilds it" if drift else "")
                    )
                    reviews = store.counts(conn)["reviews"]
        except sqlite3.DatabaseError as exc:
            checks.append(Check("integrity", False, f"{path}: {exc}", restore_hint))
        finally:
            if conn is not None:
                conn.close()

    if settings is not None:
        gone = [p for p in settings.deck_paths if not Path(p).expanduser().exists()]
        if gone:
            for p in gone:
                checks.append(Check("deck paths", False, f"{p}: registered but gone", f"learndl decks remove {p}  (or put the file back)"))
        else:
            checks.append(Check("deck paths", True, f"{len(settings.deck_paths)} registered, all present"))

    found = all_backups(home)
    if not found:
        if reviews:
            checks.append(Check("backup", False, "no backup yet, and you have reviews to lose", "learndl backup"))
        else:
            checks.append(Check("backup", True, "none yet (nothing to lose)"))
    else:
        newest = found[0]
        age = now - datetime.fromtimestamp(newest.stat().st_mtime, timezone.utc)
        days = max(age.days, 0)
        if age > BACKUP_MAX_AGE and reviews:
            checks.append(Check("backup", False, f"newest backup is {days} days old: {newest}", "learndl backup"))
        else:
            checks.append(Check("backup", True, f"newest {newest.name} ({days} day(s) old)"))
    checks += grader_protections()
    return checks


GRADER_FIXES = {
    "filesystem": "a Linux kernel with Landlock (5.13+, enabled at boot) and the landlock package",
    "processes": "libseccomp (apt install libseccomp2) and the pyseccomp package",
    "network": "libseccomp (apt install libseccomp2) and the pyseccomp package",
}


def grader_protections() -> list[Check]:
    """What confines the learner's code during a grade here (see docs/reliability.md)."""
    from ..grader.sandbox import MECHANISMS, status

    found = status()
    checks = [Check("grader: clean worker", True, found["clean_worker"]["by"])]
    for name in MECHANISMS:
        entry = found[name]
        checks.append(Check(f"grader: {name}", entry["active"], entry["by"], "" if entry["active"] else GRADER_FIXES.get(name, "")))
    return checks
