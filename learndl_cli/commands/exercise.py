"""Coding drills: ``learndl exercise``, ``check``, ``hint`` and ``solution``.

Parses and renders only: the catalogue is ``catalog``, grading is ``grader.runner`` (imported inside
the commands, since it imports torch), and every read and write of progress is ``store.exercises``.
The learner's copy of an exercise lives in the workspace (``<workspace>/<name>/<file>``); learndl
never overwrites it: a reset or a re-drill first keeps the old file as a timestamped backup. What
the learner sees is drawn by ``drill.render``; the terminal loop is ``drill.watch``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from ..context import get_app
from ..errors import UserError

console = Console(highlight=False, soft_wrap=True)  # paths, commands and JSON: never wrapped
screen = Console(highlight=False)  # grades, hints, statements: wrapped at words (see drill.render)


# ------------------------------------------------------------------------------------------ helpers


def _workspace(app, exercise) -> Path:
    return app.settings.workspace_dir(app.home) / exercise.name


def _work_file(app, exercise) -> Path:
    return _workspace(app, exercise) / exercise.file


def _notebook_file(app, exercise) -> Path:
    return _workspace(app, exercise) / (Path(exercise.file).stem + ".ipynb")


def _stamp(app) -> str:
    return app.now().strftime("%Y%m%d-%H%M%S")


def _backup(app, path: Path) -> Path | None:
    if not os.path.lexists(path):
        return None
    target = path.with_name(f"{path.name}.{_stamp(app)}.bak")
    n = 1
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.name}.{_stamp(app)}-{n}.bak")
    shutil.copy2(path, target, follow_symlinks=False)  # a link is kept as a link: nothing read through it
    return target


def _refuse_linked_folder(folder: Path) -> None:
    if folder.is_symlink():
        raise UserError(f"{folder}: is a symbolic link; learndl does not write through links (make it a real folder)")


def _write_new(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` as a new regular file, never through a symbolic link: a link there
    is replaced (its target untouched, and said so in one line); a linked exercise folder is refused."""
    folder = path.parent
    _refuse_linked_folder(folder)
    if path.is_symlink():
        console.print(Text(f"{path}: was a symbolic link (to {os.readlink(path)}); replaced it with a regular file, "
                           "the link's target is untouched", style="yellow"))
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # replaces a link itself, never what it points to
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _install_starter(app, exercise, *, notebook: bool) -> Path:
    """Copy the starter (or write the notebook) into the workspace; never overwrites."""
    folder = _workspace(app, exercise)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        work = _work_file(app, exercise)
        if not notebook and not work.exists():  # a dangling link does not exist: it is replaced
            _write_new(work, exercise.starter_path.read_bytes())
        if notebook:
            nb = _notebook_file(app, exercise)
            if not nb.exists():
                _write_new(nb, _fresh_notebook(exercise).encode("utf-8"))
            return nb
    except OSError as exc:
        raise UserError(f"{folder}: cannot set up the exercise: {exc.strerror or exc}") from None
    return work


def _fresh_notebook(exercise) -> str:
    from ..grader.notebook import make_notebook

    starter = exercise.starter_path.read_text(encoding="utf-8")
    return make_notebook(exercise.statement(), starter, name=exercise.name, file=exercise.file)


def _reset(app, exercise, path: Path) -> Path | None:
    """Back the learner's file up, then put the starter (or a fresh notebook) in its place."""
    _refuse_linked_folder(path.parent)
    kept = _backup(app, path)
    if path.suffix == ".ipynb":
        _write_new(path, _fresh_notebook(exercise).encode("utf-8"))
    else:
        _write_new(path, exercise.starter_path.read_bytes())
    return kept


def _current_file(app, exercise) -> Path | None:
    """The learner's copy: the .py file or the notebook, whichever was saved last."""
    found = [p for p in (_work_file(app, exercise), _notebook_file(app, exercise)) if p.exists()]
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


def _code_hash(path: Path) -> str:
    from ..drill.watch import content_hash

    return content_hash(path)


def _device(exercise, requested: str) -> str:
    from ..grader.runner import resolve_device

    device = resolve_device(requested)
    if device not in exercise.devices:
        raise UserError(f"exercise '{exercise.name}' cannot be graded on {device} (it supports {', '.join(exercise.devices)})")
    return device


def _scheduler_config(app):
    from ..scheduler import SchedulerConfig

    return SchedulerConfig.from_settings(app.settings)


def _grade_and_record(app, exercise, path: Path, *, device: str, seed: int | None, mode: str, record: bool = True):
    """Grade ``path``; record the grade as an attempt unless ``record`` is False (the drill loop
    does not count the untouched starter or content it already graded)."""
    from ..grader import runner
    from ..store import exercises as store

    result = runner.grade(exercise, path, device=device, seed=seed, while_waiting=lambda: app.db)
    if not record:
        return result, None
    memory = store.record_grade(
        app.db, exercise=exercise.name, result=result.to_dict(), code_hash=_code_hash(path),
        now=app.now(), config=_scheduler_config(app), mode=mode,
    )
    return result, memory


def render_result(result, memory=None, out: Console | None = None, now=None) -> None:
    from ..drill import render

    (out or screen).print(render.result(result, memory, now))


def _status_of(entry: dict | None) -> str:
    if not entry or not entry.get("attempts") and not entry.get("passed"):
        return "new"
    if entry.get("due"):
        return "due"
    return "passed" if entry.get("passed") else "attempted"


# ------------------------------------------------------------------------------------------ commands


def exercise_cmd(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="The exercise to work on; leave out to list them.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="List the exercises as JSON.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Start over from the starter (your file is kept as a .bak backup).")] = False,
    notebook: Annotated[bool, typer.Option("--notebook", help="Work in a Jupyter notebook (.ipynb) instead of a .py file.")] = False,
) -> None:
    """List the coding drills, or set one up, show its statement and re-grade it on every save."""
    from .. import catalog
    from ..store import exercises as store

    app = get_app(ctx)
    if name is None:
        _list(app, as_json)
        return
    exercise = catalog.get(name)
    current = _current_file(app, exercise)
    path = _notebook_file(app, exercise) if notebook else (current or _work_file(app, exercise))
    now = app.now()
    notices = []
    if name in store.due_redrills(app.db, now) and _redrill_pending(app, name):
        if path.exists():
            kept = _reset(app, exercise, path)
            notices.append(f"Re-drill: {path.name} starts again from the starter; your earlier work is kept as {kept}")
        store.start_redrill(app.db, name, now)
    elif reset and path.exists():
        kept = _reset(app, exercise, path)
        notices.append(f"Reset to the starter; your work is kept as {kept}")
    path = _install_starter(app, exercise, notebook=path.suffix == ".ipynb")
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        from ..drill import render

        screen.print(render.statement(exercise.statement()))
    else:
        console.print(Text(f"{exercise.title} (d2l {exercise.section})", style="bold"))
        console.print(Text(f"Statement: {exercise.statement_path}"))
    for notice in notices:
        console.print(Text(notice, style="yellow"))
    console.print(Text(f"Edit: {path}"))
    if not interactive:
        console.print(Text(f"Then run: learndl check {exercise.name}", style="dim"))
        return
    _watch(app, exercise, path)


def _redrill_pending(app, name: str) -> bool:
    """A due exercise whose current round started before its last review (a new round is owed)."""
    from ..scheduler import parse_ts
    from ..store import exercises as store

    started = store.round_start(app.db, name)
    mem = store.memory(app.db, name)
    return mem is not None and mem.last_review is not None and (started is None or parse_ts(started) < mem.last_review)


def _list(app, as_json: bool) -> None:
    from .. import catalog
    from ..store import exercises as store

    problems: list[str] = []
    exercises = catalog.load_all(problems=problems)
    for problem in problems:
        typer.echo(f"learndl: skipped a broken exercise: {problem}", err=True)
    info = store.summary(app.db, app.now())
    rows = [
        {
            "name": e.name, "title": e.title, "chapter": e.chapter, "section": e.section,
            "status": _status_of(info.get(e.name)), "attempts": (info.get(e.name) or {}).get("attempts", 0),
            "next_due": (info.get(e.name) or {}).get("next_due"),
        }
        for e in exercises
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("No exercises found.")
        return
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("chapter", "exercise", "title", "status", "attempts"):
        table.add_column(column)
    style = {"new": "", "attempted": "yellow", "passed": "green", "due": "bold magenta"}
    for row in rows:
        table.add_row(row["section"], row["name"], row["title"], Text(row["status"], style=style[row["status"]]), str(row["attempts"]))
    console.print(table)


def check_cmd(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="The exercise to grade.", show_default=False)] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Grade this file instead of your workspace copy.", show_default=False)] = None,
    device: Annotated[str, typer.Option("--device", help="auto (cuda when available), cpu or cuda.")] = "auto",
    seed: Annotated[Optional[int], typer.Option("--seed", help="Reproduce a grade's random inputs.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Grade every exercise you have started (with --solutions: every reference solution).")] = False,
    solutions: Annotated[bool, typer.Option("--solutions", help="With --all: grade the reference solutions (a content self-check).")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="With --all or --batch: grades at a time (0: up to 2).", min=0)] = 0,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="Grade every submission in this folder (one per student); records nothing.", show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="With --batch: write the rows to this .csv or .json file.", show_default=False)] = None,
) -> None:
    """Grade an exercise; exit status 0 only when every check passes."""
    from .. import catalog

    app = get_app(ctx)
    if batch is not None or out is not None:
        from .batch import batch_cmd

        raise typer.Exit(batch_cmd(name, batch, out, file=file, all_=all_, device=device, seed=seed, jobs=jobs, as_json=as_json))
    if all_:
        if name or file:
            raise UserError("check --all grades every exercise: leave out NAME and --file")
        raise typer.Exit(_check_all(app, device, seed, as_json, solutions, jobs))
    if solutions:
        raise UserError("--solutions needs --all (or use --file solutions/NAME.py)")
    if not name:
        raise UserError("which exercise? learndl check NAME (learndl exercise lists them)")
    exercise = catalog.get(name)
    if file is None:
        file = _current_file(app, exercise)
        if file is None:
            raise UserError(f"no work on '{name}' yet: run `learndl exercise {name}` to get the starter, or pass --file")
    elif not file.exists():
        raise UserError(f"{file}: no such file")
    dev = _device(exercise, device)
    result, memory = _grade_and_record(app, exercise, file, device=dev, seed=seed, mode="check")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        render_result(result, memory, now=app.now())
    raise typer.Exit(0 if result.passed else 1)


def _grade_one(args):
    from ..grader import runner

    exercise, path, device, seed = args
    runner.prepare(meta=True)
    return runner.grade(exercise, path, device=device, seed=seed)


def _check_all(app, device: str, seed: int | None, as_json: bool, solutions: bool, jobs: int) -> int:
    from .. import catalog
    from ..grader import runner

    problems: list[str] = []
    exercises = catalog.load_all(problems=problems)
    for problem in problems:
        typer.echo(f"learndl: skipped a broken exercise: {problem}", err=True)
    work = []
    for ex in exercises:
        path = ex.solution_path if solutions else _work_file(app, ex)
        if path.exists():
            work.append((ex, path, _device(ex, device), seed))
    if not work:
        raise UserError("nothing to grade: no exercise started yet (learndl exercise NAME)" if not solutions else "no reference solutions found")
    runner.prepare()
    jobs = jobs or min(2, os.cpu_count() or 1)
    if any(w[2] == "cuda" for w in work):
        jobs = 1  # one GPU: grade one at a time
    if jobs == 1:
        results = _with_progress(zip(work, map(_grade_one, work)), len(work), as_json)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_grade_one, w): w for w in work}
            results = _with_progress(((futures[f], f.result()) for f in as_completed(futures)), len(work), as_json)
    order = {w[0].name: i for i, w in enumerate(work)}
    results.sort(key=lambda pair: order[pair[0][0].name])
    if not solutions:
        from ..store import exercises as store

        for (ex, path, _, _), result in results:
            store.record_grade(app.db, exercise=ex.name, result=result.to_dict(), code_hash=_code_hash(path),
                               now=app.now(), config=_scheduler_config(app), mode="check")
    if as_json:
        typer.echo(json.dumps([r.to_dict() for _, r in results], ensure_ascii=False))
    else:
        for _, result in results:
            if result.passed:
                line = Text(f"{result.exercise}  ✓ pass   ", style="green")
                console.print(line.append(f"{result.duration_ms / 1000:.2f} s", style="dim"))
            else:
                render_result(result)
        passed = sum(r.passed for _, r in results)
        console.print(Text(f"{passed}/{len(results)} passed", style="bold green" if passed == len(results) else "bold red"))
    return 0 if all(r.passed for _, r in results) else 1


def _with_progress(pairs, total: int, quiet: bool) -> list:
    if quiet or not sys.stderr.isatty():
        return list(pairs)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    out = []
    err = Console(stderr=True)
    # No refresh thread (auto_refresh=False): grading forks, and a fork should not copy a busy thread.
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("grading", total=total)
        progress.refresh()
        for pair in pairs:
            out.append(pair)
            progress.advance(task)
            progress.refresh()
    return out


def hint_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The exercise.", show_default=False)],
) -> None:
    """Show the next hint for an exercise (three levels: nudge, approach, near-solution)."""
    from .. import catalog
    from ..store import exercises as store

    app = get_app(ctx)
    exercise = catalog.get(name)
    from ..drill import render

    level = store.hint_level(app.db, name)
    if level >= len(exercise.hints):
        for i, hint in enumerate(exercise.hints, 1):
            screen.print(render.hint(i, len(exercise.hints), hint))
        screen.print(Text(f"No more hints. After you pass, `learndl solution {name}` shows the reference solution.", style="dim"))
        return
    level += 1
    store.record_hint(app.db, name, app.now(), level)
    screen.print(render.hint(level, len(exercise.hints), exercise.hints[level - 1]))


def solution_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The exercise.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Show it before you have passed (counts as seeing the answer).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show it as a diff against your own file.")] = False,
) -> None:
    """Show the reference solution, for comparison, once you have passed (or with --force)."""
    from .. import catalog
    from ..store import exercises as store

    app = get_app(ctx)
    exercise = catalog.get(name)
    passed = store.has_passed(app.db, name)
    if not passed and not force:
        raise UserError(f"pass '{name}' first (learndl check {name}); --force shows the solution anyway, and the next re-drill comes sooner")
    try:
        code = exercise.solution_path.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"exercise '{name}' has no reference solution") from None
    mine = None
    if diff:
        mine = _current_file(app, exercise)
        if mine is None:
            raise UserError(f"no work on '{name}' yet to compare with: run `learndl exercise {name}` first")
    store.record_solution_view(app.db, name, app.now(), forced=not passed)
    from rich.syntax import Syntax

    if mine is not None:
        from ..drill.diff import against_solution

        text = against_solution(mine, code, exercise)
        console.print(Text(f"Your {mine.name} (-) against the reference solution (+) for {name}", style="bold"))
        if not text:
            console.print(Text("No differences: your file is the reference solution.", style="green"))
            return
        console.print(Syntax(text, "diff", theme="ansi_dark", line_numbers=False))
        return
    console.print(Text(f"Reference solution for {name}" + (" (for comparison)" if passed else ""), style="bold"))
    console.print(Syntax(code, "python", theme="ansi_dark", line_numbers=False))


# ------------------------------------------------------------------------------------------ watch


def _watch(app, exercise, path: Path) -> None:  # pragma: no cover - needs a TTY (tests drive it in a pty)
    """Grade now and on every save (``drill.watch``); single keys act; a pass ends the drill."""
    from ..drill import render, watch
    from ..grader import runner
    from ..store import exercises as store

    device = _device(exercise, "auto")
    runner.prepare(meta=True)  # a warm parent: later grades only fork
    mode = "redrill" if store.round_start(app.db, exercise.name) else "drill"
    starter = (_fresh_notebook(exercise).encode() if path.suffix == ".ipynb" else exercise.starter_path.read_bytes())

    def grade(not_counted: str | None) -> bool:
        screen.rule(Text(time.strftime("%H:%M:%S"), style="dim"))
        result, memory = _grade_and_record(app, exercise, path, device=device, seed=None, mode=mode, record=not not_counted)
        screen.print(render.result(result, memory, app.now()))
        if not_counted:
            screen.print(Text(f"  (not counted as an attempt: {not_counted})", style="dim"))
        if result.status == "pass":
            screen.print(Text.assemble(("All checks pass. ", "bold green"),
                                       f"Compare with the reference: learndl solution {exercise.name}"))
            return True
        screen.print(Text(watch.KEYS, style="dim"))
        return False

    drill = watch.Drill(path, hashlib.sha256(starter).hexdigest()[:16], grade)

    def statement() -> None:
        screen.print(render.statement(exercise.statement()))
        screen.print(Text(f"Edit: {path}", style="dim"), soft_wrap=True)
        screen.print(Text(watch.KEYS, style="dim"))

    def confirm_reset(read_key) -> bool:
        screen.print(Text(f"Reset {path.name} to the starter? Your work is kept as a backup. [y/N]", style="yellow"))
        if read_key() != "y":
            return False
        kept = _reset(app, exercise, path)
        screen.print(Text(f"Reset; your work is kept as {kept}", style="yellow"))
        return False  # the watcher sees the reset file and grades it

    keys = {
        "i": statement,
        "h": lambda: _show_hint(app, exercise),
        "r": lambda: drill.grade(forced=True),
    }
    watch.run(drill, keys, lambda line: screen.print(Text(line, style="dim")), confirm_reset)


def _show_hint(app, exercise) -> None:
    from ..drill import render
    from ..store import exercises as store

    level = store.hint_level(app.db, exercise.name)
    if level >= len(exercise.hints):
        screen.print(Text("No more hints.", style="dim"))
        return
    store.record_hint(app.db, exercise.name, app.now(), level + 1)
    screen.print(render.hint(level + 1, len(exercise.hints), exercise.hints[level]))


def register(app: typer.Typer) -> None:
    app.command("exercise")(exercise_cmd)
    app.command("check")(check_cmd)
    app.command("hint")(hint_cmd)
    app.command("solution")(solution_cmd)
