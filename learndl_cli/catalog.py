"""The exercise catalogue: one ``exercises/<name>/info.toml`` per exercise (see docs/exercises.md).

Light on purpose (no torch): ``learndl exercise`` lists exercises and ``status`` counts them
without starting the grader. Each folder holds ``info.toml``, ``README.md`` (the statement), the
starter file named by ``file``, and ``checks.py``; the reference solution is ``solutions/<name>.py``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError
from .paths import exercises_dir, solutions_dir

DEVICES = ("cpu", "cuda")
_FIELDS = {
    "name", "title", "chapter", "section", "order", "file", "implements", "hints", "forbid",
    "allow_imports", "time_limit", "memory_limit_mb", "devices", "forbid_ops",
}


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    chapter: int
    section: str
    order: int
    file: str
    implements: tuple[str, ...]
    hints: tuple[str, str, str]
    forbid: tuple[str, ...] = ()
    forbid_ops: tuple[str, ...] = ()  # ATen ops ("aten::_softmax") the probes may not reach
    allow_imports: tuple[str, ...] = ()
    time_limit: float = 10.0
    memory_limit_mb: int = 1024
    devices: tuple[str, ...] = DEVICES
    folder: Path = field(default=Path("."), compare=False)
    solutions: Path = field(default=Path("."), compare=False)

    @property
    def statement_path(self) -> Path:
        return self.folder / "README.md"

    @property
    def starter_path(self) -> Path:
        return self.folder / self.file

    @property
    def checks_path(self) -> Path:
        return (self.folder / "checks.py").resolve()

    @property
    def solution_path(self) -> Path:
        return self.solutions / f"{self.name}.py"

    def statement(self) -> str:
        try:
            return self.statement_path.read_text(encoding="utf-8")
        except OSError:
            return f"# {self.title}\n"


def _str_list(where: str, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UserError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _op_list(where: str, value) -> tuple[str, ...]:
    ops = _str_list(where, "forbid_ops", value)
    for op in ops:
        if "::" not in op or "." in op.split("::", 1)[1]:
            raise UserError(f"{where}: 'forbid_ops' names ATen ops without overload, such as \"aten::_softmax\" (got {op!r})")
    return ops


def load_exercise(folder: Path, solutions: Path | None = None) -> Exercise:
    """Read and validate ``folder/info.toml``; every problem is one UserError naming the file."""
    info = folder / "info.toml"
    where = str(info)
    try:
        data = tomllib.loads(info.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{where}: missing (every exercise folder needs an info.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{where}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise UserError(f"{where}: unknown field '{unknown[0]}'")
    for key in ("name", "title", "chapter", "section", "file", "implements", "hints"):
        if key not in data:
            raise UserError(f"{where}: missing field '{key}'")
    name = data["name"]
    if not isinstance(name, str) or name != folder.name:
        raise UserError(f"{where}: 'name' must be the folder's name ({folder.name!r})")
    if not isinstance(data["title"], str) or not data["title"].strip():
        raise UserError(f"{where}: 'title' must be a non-empty string")
    chapter = data["chapter"]
    if not isinstance(chapter, int) or isinstance(chapter, bool) or chapter < 1:
        raise UserError(f"{where}: 'chapter' must be a whole number (the book's chapter)")
    section = data["section"]
    if not isinstance(section, str) or not section.startswith(f"{chapter}."):
        raise UserError(f"{where}: 'section' must be a string such as \"{chapter}.1\"")
    order = data.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        raise UserError(f"{where}: 'order' must be a whole number")
    file = data["file"]
    if not isinstance(file, str) or "/" in file or not file.endswith(".py"):
        raise UserError(f"{where}: 'file' must be a .py file name in the exercise folder")
    if not (folder / file).is_file():
        raise UserError(f"{where}: the starter file {file} is missing")
    if not (folder / "checks.py").is_file():
        raise UserError(f"{where}: checks.py is missing")
    hints = _str_list(where, "hints", data["hints"])
    if len(hints) != 3:
        raise UserError(f"{where}: 'hints' must have exactly three entries (nudge, approach, near-solution)")
    time_limit = data.get("time_limit", 10)
    if not isinstance(time_limit, (int, float)) or isinstance(time_limit, bool) or not 0 < time_limit <= 600:
        raise UserError(f"{where}: 'time_limit' must be a number of seconds (0 < t <= 600)")
    memory = data.get("memory_limit_mb", 1024)
    if not isinstance(memory, int) or isinstance(memory, bool) or memory < 64:
        raise UserError(f"{where}: 'memory_limit_mb' must be a whole number of MB, at least 64")
    devices = _str_list(where, "devices", data.get("devices", list(DEVICES)))
    if not set(devices) <= set(DEVICES) or "cpu" not in devices:
        raise UserError(f"{where}: 'devices' may list cpu and cuda, and must include cpu")
    return Exercise(
        name=name,
        title=data["title"].strip(),
        chapter=chapter,
        section=section,
        order=order,
        file=file,
        implements=_str_list(where, "implements", data["implements"]),
        hints=hints,  # type: ignore[arg-type]
        forbid=_str_list(where, "forbid", data.get("forbid", [])),
        forbid_ops=_op_list(where, data.get("forbid_ops", [])),
        allow_imports=_str_list(where, "allow_imports", data.get("allow_imports", [])),
        time_limit=float(time_limit),
        memory_limit_mb=memory,
        devices=devices,
        folder=folder,
        solutions=solutions or solutions_dir(),
    )


def _section_key(section: str) -> tuple[int, ...]:
    """Sections sort by number: "4.10" comes after "4.9"."""
    try:
        return tuple(int(part) for part in str(section).split("."))
    except ValueError:
        return (10**6,)


def load_all(root: Path | None = None, solutions: Path | None = None, problems: list[str] | None = None) -> list[Exercise]:
    """Every exercise, sorted by chapter, order and name.

    With ``problems`` (a list), a broken exercise is skipped and its error message appended there;
    without it, the first broken exercise raises its UserError.
    """
    root = root or exercises_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if not (folder.is_dir() and (folder / "info.toml").exists()):
            continue
        try:
            found.append(load_exercise(folder, solutions))
        except UserError as err:
            if problems is None:
                raise
            problems.append(str(err))
    return sorted(found, key=lambda e: (e.chapter, _section_key(e.section), e.order, e.name))


def names(root: Path | None = None) -> list[str]:
    """Exercise names without validating them (cheap)."""
    root = root or exercises_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "info.toml").is_file())


def get(name: str, root: Path | None = None) -> Exercise:
    root = root or exercises_dir()
    folder = root / name
    if not name or "/" in name or not (folder / "info.toml").is_file():
        known = names(root)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (learndl exercise lists them)"
        raise UserError(f"no exercise named '{name}'{hint}")
    return load_exercise(folder)
