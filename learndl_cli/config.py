"""Settings: ``settings.toml`` in the data directory, with defaults for every key.

Only the keys a user sets are written back; everything else keeps its default, so a newer
learndl can change a default without rewriting the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import UserError

SETTINGS_FILE = "settings.toml"


@dataclass(frozen=True)
class Settings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    max_reviews_per_day: int = 200
    learning_steps_minutes: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_minutes: tuple[float, ...] = (10.0,)
    maximum_interval_days: int = 36500
    day_starts_hour: int = 4
    fuzz: bool = True
    leech_lapses: int = 8
    fsrs_parameters: tuple[float, ...] = ()
    workspace: str = ""
    deck_paths: tuple[str, ...] = field(default_factory=tuple)
    bundled_decks: bool = True
    editor: str = ""

    def workspace_dir(self, home: Path) -> Path:
        return Path(self.workspace).expanduser() if self.workspace else home / "workspace"


_TYPES = {f.name: f for f in fields(Settings)}


def _coerce(path: Path, key: str, value, line: int | None = None):
    where = f"{path}:{line}" if line else str(path)
    default = getattr(Settings(), key)
    try:
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise TypeError("expected true or false")
            return value
        if isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("expected a whole number")
            return value
        if isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError("expected a number")
            return float(value)
        if isinstance(default, str):
            if not isinstance(value, str):
                raise TypeError("expected a string")
            return value
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise TypeError("expected a list")
            if key == "deck_paths":
                if not all(isinstance(v, str) for v in value):
                    raise TypeError("expected a list of strings")
                return tuple(value)
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
                raise TypeError("expected a list of numbers")
            return tuple(float(v) for v in value)
    except TypeError as exc:
        raise UserError(f"{where}: setting '{key}': {exc}") from None
    raise UserError(f"{where}: setting '{key}' has an unsupported type")


def _line_of(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key):
            return n
    return None


def validate(settings: Settings, path: Path, text: str = "") -> Settings:
    def bad(key, why):
        raise UserError(f"{path}:{_line_of(text, key) or 1}: setting '{key}': {why}")

    if not 0.5 <= settings.desired_retention <= 0.99:
        bad("desired_retention", "must be between 0.5 and 0.99")
    if settings.new_per_day < 0:
        bad("new_per_day", "must be 0 or more")
    if settings.max_reviews_per_day < 1:
        bad("max_reviews_per_day", "must be 1 or more")
    if not 0 <= settings.day_starts_hour <= 23:
        bad("day_starts_hour", "must be an hour from 0 to 23")
    if settings.leech_lapses < 1:
        bad("leech_lapses", "must be 1 or more")
    if settings.maximum_interval_days < 1:
        bad("maximum_interval_days", "must be 1 or more")
    for key in ("learning_steps_minutes", "relearning_steps_minutes"):
        if any(v <= 0 for v in getattr(settings, key)):
            bad(key, "every step must be more than 0 minutes")
    if settings.fsrs_parameters and len(settings.fsrs_parameters) != 21:
        bad("fsrs_parameters", "FSRS-6 needs 21 parameters")
    return settings


def load_settings(home: Path) -> Settings:
    path = home / SETTINGS_FILE
    if not path.exists():
        return Settings()
    import tomllib  # only when there is a file to read

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read settings: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        msg = getattr(exc, "msg", str(exc))
        raise UserError(f"{path}:{line or 1}: invalid TOML: {msg}") from None
    values = {}
    for key, value in data.items():
        if key not in _TYPES:
            raise UserError(f"{path}:{_line_of(text, key) or 1}: unknown setting '{key}'")
        values[key] = _coerce(path, key, value, _line_of(text, key))
    return validate(Settings(**values), path, text)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def save_setting(home: Path, key: str, value) -> Settings:
    """Set one key in settings.toml, keeping the others as they are; written atomically."""
    if key not in _TYPES:
        raise UserError(f"unknown setting '{key}'")
    import tomllib

    path = home / SETTINGS_FILE
    data = {}
    if path.exists():
        load_settings(home)  # refuse to rewrite a file we cannot read
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    data[key] = list(value) if isinstance(value, tuple) else value
    text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in data.items())
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return load_settings(home)
