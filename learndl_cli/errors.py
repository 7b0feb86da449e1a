"""The one exception type a user ever sees, as a single line on stderr."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix. ``str(err)`` is the whole message; ``code`` the exit status."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
