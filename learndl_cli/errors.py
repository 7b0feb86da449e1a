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
