"""``learndl check NAME --batch DIR``: a class's submissions graded over a process pool.

Each file is one student's: it gets its own grade (``runner.grade``), so its own confined child and
scratch directory; no submission can see or change another. The pool's workers are forked from a
parent that loaded torch and its meta kernels once, so a grade costs a fork, not a start-up.

Nothing is recorded in a learner's database: these are other people's files. A row says whether
the file was graded (``verdict`` pass/fail/error/timeout) or could not be (``unreadable``), and the
command's exit status is non-zero only for the second kind.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

SUFFIXES = (".py", ".ipynb")
UNREADABLE = "unreadable"
FIELDS = ("file", "verdict", "check", "message", "seconds", "seed")


@dataclass
class Row:
    file: str
    verdict: str
    check: str = ""
    message: str = ""
    seconds: float = 0.0
    seed: int | None = None

    @property
    def graded(self) -> bool:
        return self.verdict != UNREADABLE


def submissions(folder: Path, exercise) -> list[Path]:
    """The files to grade: every .py/.ipynb directly in ``folder``, and in each sub-folder (one per
    student, as a classroom export lays them out) the file named like the exercise's starter.
    Hidden files are left out; a symlink is listed, to be refused (it could point at anything)."""
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_symlink():
            if entry.suffix in SUFFIXES:
                found.append(entry)
            continue
        if entry.is_file() and entry.suffix in SUFFIXES:
            found.append(entry)
        elif entry.is_dir():
            stem = Path(exercise.file).stem
            for suffix in SUFFIXES:
                candidate = entry / f"{stem}{suffix}"
                if candidate.is_symlink() or candidate.is_file():
                    found.append(candidate)
                    break
    return found


def _grade_one(args) -> Row:
    from ..errors import UserError
    from . import runner

    exercise, path, rel, device, seed = args
    start = time.monotonic()
    if path.is_symlink():
        return Row(rel, UNREADABLE, "", f"{rel}: a symlink; not graded (it could point at any file)")
    try:
        result = runner.grade(exercise, path, device=device, seed=seed)
    except UserError as exc:
        return Row(rel, UNREADABLE, "", exc.message, round(time.monotonic() - start, 3))
    problem = result.first_problem()
    internal = problem is not None and problem.message.startswith("internal error")
    return Row(
        rel,
        UNREADABLE if internal else result.status,
        problem.id if problem else "",
        problem.message if problem else "",
        round(result.duration_ms / 1000, 3),
        result.seed,
    )


def grade_folder(exercise, folder: Path, *, device: str, seed: int | None, jobs: int,
                 progress: Callable[[Row], None] | None = None) -> list[Row]:
    """Grade every submission in ``folder``; rows come back in file order."""
    from . import runner

    files = submissions(folder, exercise)
    work = [(exercise, p, p.relative_to(folder).as_posix(), device, seed) for p in files]
    runner.prepare(meta=True)  # warm once: every worker and every child inherits it
    rows: dict[str, Row] = {}

    def done(row: Row) -> None:
        rows[row.file] = row
        if progress is not None:
            progress(row)

    if jobs <= 1 or len(work) <= 1 or device == "cuda":
        for item in work:
            done(_grade_one(item))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_grade_one, item) for item in work]
            for future in as_completed(futures):
                done(future.result())
    return [rows[item[2]] for item in work]


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in asdict(row).items()})
    return out.getvalue()


def to_json(rows: Iterable[Row]) -> str:
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1) + "\n"
