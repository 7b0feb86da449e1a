"""What every command needs: the data directory, the settings, the clock and the database.

Commands get an ``App`` from ``get_app(ctx)``. The clock is injectable (``LEARNDL_NOW`` for scripted
end-to-end tests, an ISO-8601 time), so every test runs at a fixed time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import typer

from .config import Settings, load_settings
from .errors import UserError
from .paths import ensure_home, resolve_home

ENV_NOW = "LEARNDL_NOW"


def now_from_env() -> datetime:
    value = os.environ.get(ENV_NOW)
    if not value:
        return datetime.now(timezone.utc)
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"${ENV_NOW}: not an ISO-8601 time: {value!r}") from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts


@dataclass
class App:
    home: Path
    _settings: Settings | None = None
    _db: object | None = None
    _now: datetime | None = None
    extra: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.home)
        return self._settings

    def reload_settings(self) -> Settings:
        self._settings = None
        return self.settings

    def now(self) -> datetime:
        """The current time; fixed for a whole command when ``LEARNDL_NOW`` is set."""
        if os.environ.get(ENV_NOW):
            return now_from_env()
        return datetime.now(timezone.utc)

    @property
    def db(self):
        if self._db is None:
            from .store.db import open_db

            self._db = open_db(self.home, backup_now=self.now())
        return self._db

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.conn.close()
            finally:
                self._db = None


def get_app(ctx: typer.Context) -> App:
    root = ctx.find_root()
    app = root.obj
    if not isinstance(app, App):
        app = App(home=ensure_home(resolve_home(None)))
        root.obj = app
    return app
