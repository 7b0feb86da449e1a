"""``learndl check NAME --batch DIR [--out results.csv|json] [-j N]``: parses and renders only;
the grading is ``grader.batch``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ..errors import UserError


def batch_cmd(name: str | None, folder: Path | None, out: Path | None, *, file, all_: bool, device: str,
              seed: int | None, jobs: int, as_json: bool) -> int:
    from .. import catalog

    if folder is None:
        raise UserError("--out goes with --batch DIR (learndl check NAME --batch DIR --out results.csv)")
    if file is not None or all_:
        raise UserError("--batch grades a folder: leave out --file and --all")
    if not name:
        raise UserError("which exercise? learndl check NAME --batch DIR")
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    if out is not None and out.suffix not in (".csv", ".json"):
        raise UserError(f"{out}: --out writes .csv or .json")
    exercise = catalog.get(name)
    from ..grader import batch, runner

    dev = runner.resolve_device(device)
    if dev not in exercise.devices:
        raise UserError(f"exercise '{exercise.name}' cannot be graded on {dev} (it supports {', '.join(exercise.devices)})")
    files = batch.submissions(folder, exercise)
    if not files:
        raise UserError(f"{folder}: no submissions (.py or .ipynb files, or sub-folders holding {exercise.file})")
    jobs = jobs or min(2, os.cpu_count() or 1)
    rows = _with_progress(lambda tick: batch.grade_folder(exercise, folder, device=dev, seed=seed, jobs=jobs, progress=tick),
                          len(files), quiet=as_json)
    if out is not None:
        text = batch.to_csv(rows) if out.suffix == ".csv" else batch.to_json(rows)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
    if as_json:
        typer.echo(batch.to_json(rows), nl=False)
    else:
        _render(rows, out)
    return 0 if all(r.graded for r in rows) else 2


def _with_progress(run, total: int, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # No refresh thread (auto_refresh=False): the pool forks, and a fork should not copy a busy thread.
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True, auto_refresh=False) as progress:
        task = progress.add_task("grading", total=total)
        progress.refresh()

        def tick(_row) -> None:
            progress.advance(task)
            progress.refresh()

        return run(tick)


def _render(rows, out: Path | None) -> None:
    console = Console(highlight=False)
    table = Table(box=None, pad_edge=False)
    for column in ("file", "verdict", "first failing check", "seconds"):
        table.add_column(column, justify="right" if column == "seconds" else "left", no_wrap=column != "first failing check")
    style = {"pass": "green", "fail": "red", "error": "red", "timeout": "yellow", "unreadable": "bold red"}
    for row in rows:
        table.add_row(row.file, f"[{style.get(row.verdict, '')}]{row.verdict}[/]", row.check, f"{row.seconds:.2f}")
    console.print(table)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    console.print(f"{len(rows)} files: {summary}" + (f" · rows written to {out}" if out else ""))
