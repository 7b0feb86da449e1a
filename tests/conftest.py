"""Shared fixtures: every test gets its own data dir, a fixed clock and UTC as the local zone.

No test touches the real data directory: ``LEARNDL_HOME`` points into ``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
NOW = "2026-03-02T09:00:00+00:00"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("LEARNDL_HOME", str(home))
    monkeypatch.setenv("LEARNDL_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    time.tzset()
    yield home
    time.tzset()


@pytest.fixture
def home(_isolated) -> Path:
    return _isolated


@pytest.fixture
def deck_dir(tmp_path, home) -> Path:
    """A copy of the fixture decks, registered as the only decks (bundled ones off)."""
    target = tmp_path / "decks"
    shutil.copytree(FIXTURES / "decks", target)
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text(
        f'bundled_decks = false\ndeck_paths = ["{target.as_posix()}"]\nfuzz = false\n', encoding="utf-8"
    )
    return target


class Cli:
    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, now: str | None = None, env: dict | None = None):
        from learndl_cli.cli import app

        extra = dict(env or {})
        if now:
            extra["LEARNDL_NOW"] = now
        return self.runner.invoke(app, list(args), input=input, env=extra, catch_exceptions=False)


def heavy_modules(args: list[str], home: Path, modules: tuple[str, ...]) -> str:
    """Run ``learndl ARGS`` in a fresh interpreter, as a user does; its output ends with a line
    ``HEAVY [the modules of MODULES it imported] RC exit code``."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from learndl_cli.__main__ import main\n"
        f"rc = main({args!r})\n"
        f"print('HEAVY', [m for m in {modules!r} if m in sys.modules], 'RC', rc)\n"
    )
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": NOW}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    return proc.stdout + proc.stderr


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def db(home):
    """Open the test data dir's database (after the CLI has made it)."""
    from learndl_cli.store.db import open_db

    opened = []

    def _open():
        d = open_db(home)
        opened.append(d)
        return d

    yield _open
    for d in opened:
        d.conn.close()
