"""The one exception type a user ever sees, as a single line on stderr.

It is a ``click.ClickException``, so Typer's standalone mode prints it as one line and exits with
its code, whether learndl runs as the console script, ``python -m learndl_cli`` or in a test runner.
"""

from __future__ import annotations

import sys

try:  # Typer 0.20+ vendors its own click; older Typer uses the click package.
    from typer._click.exceptions import ClickException as ClickException
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException as ClickException


class UserError(ClickException):
    """A problem the user can fix. ``str(err)`` is the whole message; ``code`` the exit status."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
        self.exit_code = code

    def show(self, file=None) -> None:
        print(f"learndl: {self.message}", file=file or sys.stderr)


def from_storage_error(exc: BaseException, where: str = "") -> UserError | None:
    """A user-facing line for a storage failure (full disk, read-only, locked), or None."""
    import errno
    import sqlite3

    place = f"{where}: " if where else ""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in text:
        return UserError(f"{place}the disk is full; nothing from the last step was saved (earlier answers are safe). Free some space and run again", 3)
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        return UserError(f"{place}the data directory is read-only; learndl needs to write its database there (use --home or $LEARNDL_HOME)", 3)
    if "database is locked" in text or "database table is locked" in text:
        return UserError(f"{place}the database stayed busy (another learndl is writing); try again", 3)
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return UserError(f"{place}the database is damaged ({exc}); run learndl doctor", 3)
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return UserError(f"{place}cannot open the database ({exc})", 3)
    return None
