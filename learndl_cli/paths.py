"""Where things live: the user's data directory and the bundled content."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UserError

APP_NAME = "learndl"
ENV_HOME = "LEARNDL_HOME"


def content_root() -> Path:
    """The folder that holds ``decks/``, ``exercises/`` and ``solutions/``.

    In a wheel they ship inside the package as ``_content``; in a checkout they sit beside it.
    """
    packaged = Path(__file__).resolve().parent / "_content"
    if (packaged / "decks").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def decks_dir() -> Path:
    return content_root() / "decks"


def exercises_dir() -> Path:
    return content_root() / "exercises"


def solutions_dir() -> Path:
    return content_root() / "solutions"


def resolve_home(override: str | os.PathLike | None = None) -> Path:
    """The data directory: ``--home``, else ``$LEARNDL_HOME``, else platformdirs' user data dir."""
    if override:
        home = Path(override).expanduser()
    elif os.environ.get(ENV_HOME):
        home = Path(os.environ[ENV_HOME]).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir(APP_NAME, appauthor=False))
    return home


def ensure_home(home: Path) -> Path:
    """Create the data directory if needed; one clear error if that is impossible."""
    if home.exists() and not home.is_dir():
        raise UserError(f"{home}: the data directory is a file, not a folder (check --home or ${ENV_HOME})")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{home}: cannot create the data directory: {exc.strerror or exc}") from None
    if not os.access(home, os.R_OK | os.X_OK):
        raise UserError(f"{home}: the data directory is not readable")
    return home
