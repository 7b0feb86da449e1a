"""learndl inside Jupyter: ``%load_ext learndl``, then ``%%learndl check NAME`` and ``%learndl hint NAME``.

``%%learndl check softmax`` at the top of a cell grades that cell's *source*: the source is written
to a scratch file named like the exercise's starter and graded by ``learndl check softmax --file
... --json`` in a process of its own, so the grade is the one ``learndl check`` gives (same grader,
same isolation, same checks) and is recorded in the same database (it counts in ``status``,
``report`` and re-drills). Nothing in the kernel is trusted or even read: a learner who redefined
``softmax`` in an earlier cell, or patched torch in the kernel, changes nothing. After the grade
the kernel runs the cell as usual, so the learner can go on trying their code.

The grade shows as a table (HTML, with a plain-text twin for consoles): every check that ran, the
first failure explained with its detail. ``%learndl hint NAME`` shows (and records) the next hint.

The kernel imports only this module and the standard library; torch is loaded by the grading
process, never by the magic.
"""

from __future__ import annotations

import html
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display

USAGE = "usage: %%learndl check NAME (first line of a cell) · %learndl hint NAME"
MARK = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⏱", "skipped": "·"}
COLOUR = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#cf222e", "timeout": "#9a6700", "skipped": "#6e7781"}


def learndl(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the learndl command line with this kernel's Python (and its environment)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}  # (set by kernels)
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "learndl_cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def grade_source(name: str, source: str, extra: list[str]) -> tuple[dict | None, str]:
    """Grade ``source`` as exercise ``name``; (the result as ``check --json`` gives it, or None
    and the one-line error)."""
    from . import catalog
    from .errors import UserError

    try:
        exercise = catalog.get(name)
    except UserError as exc:
        return None, str(exc)
    with tempfile.TemporaryDirectory(prefix="learndl-cell-") as scratch:
        path = Path(scratch) / exercise.file
        path.write_text(source, encoding="utf-8")
        try:
            done = learndl("check", name, "--file", str(path), "--json", *extra)
        except subprocess.TimeoutExpired as exc:
            return None, f"the grade did not finish in {exc.timeout:.0f} s"
    if done.returncode in (0, 1):
        try:
            result = json.loads(done.stdout)
        except ValueError:
            pass
        else:
            if result.get("status") == "pass":
                result["redrill_in"] = _redrill_in(name)
            return result, ""
    error = (done.stderr.strip() or done.stdout.strip() or f"learndl check exited with {done.returncode}").splitlines()
    return None, error[-1].removeprefix("learndl: ")


def _redrill_in(name: str) -> str | None:
    """When the passed exercise comes back, as ``learndl exercise`` lists it ("2d")."""
    from datetime import datetime

    from .drill.render import redrill_interval

    listing = learndl("exercise", "--json")
    try:
        row = next(r for r in json.loads(listing.stdout) if r["name"] == name)
        due = datetime.fromisoformat(row["next_due"])
    except (ValueError, StopIteration, KeyError, TypeError):
        return None
    from .context import now_from_env

    return redrill_interval(due - now_from_env())


# ------------------------------------------------------------------------------------------ render


def as_text(result: dict) -> str:
    lines = [f"{result['exercise']}  {MARK.get(result['status'], '?')} {result['status']}   "
             f"seed {result['seed']} · {result['device']} · {result['duration_ms'] / 1000:.2f} s"]
    skipped = 0
    for check in result["checks"]:
        if check["status"] == "skipped":
            skipped += 1
            continue
        lines.append(f"  {MARK.get(check['status'], '?')} {check['id']}" + (f": {check['message']}" if check["message"] else ""))
        lines.extend("      " + line for line in (check.get("detail") or "").splitlines())
    if skipped:
        lines.append(f"  · {skipped} more check{'s' if skipped != 1 else ''} not run")
    lines.append(_closing(result))
    return "\n".join(lines)


def _closing(result: dict) -> str:
    if result["status"] == "pass":
        when = f"Next re-drill in {result['redrill_in']}. " if result.get("redrill_in") else ""
        return f"All checks pass. {when}Compare with the reference: learndl solution {result['exercise']}"
    return f"Fix the first failure and run the cell again · %learndl hint {result['exercise']}"


def as_html(result: dict) -> str:
    e = html.escape
    status = result["status"]
    rows = []
    skipped = 0
    for check in result["checks"]:
        if check["status"] == "skipped":
            skipped += 1
            continue
        colour = COLOUR.get(check["status"], "")
        explained = e(check["message"] or "")
        if check.get("detail"):
            explained += f"<pre style='margin:4px 0 0 0'>{e(check['detail'])}</pre>"
        rows.append(
            f"<tr><td style='color:{colour};text-align:center'>{e(MARK.get(check['status'], '?'))}</td>"
            f"<td style='text-align:left'><code>{e(check['id'])}</code></td>"
            f"<td style='text-align:left'>{explained}</td></tr>"
        )
    if skipped:
        rows.append(f"<tr><td style='color:#6e7781;text-align:center'>·</td><td colspan='2' style='text-align:left;color:#6e7781'>"
                    f"{skipped} more check{'s' if skipped != 1 else ''} not run</td></tr>")
    return (
        f"<div class='learndl-grade'>"
        f"<p><b>{e(result['exercise'])}</b> "
        f"<span style='color:{COLOUR.get(status, '')};font-weight:bold'>{e(MARK.get(status, '?'))} {e(status)}</span> "
        f"<span style='color:#6e7781'>seed {result['seed']} · {e(result['device'])} · {result['duration_ms'] / 1000:.2f} s</span></p>"
        f"<table><thead><tr><th></th><th style='text-align:left'>check</th><th style='text-align:left'>result</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p>{e(_closing(result))}</p></div>"
    )


# ------------------------------------------------------------------------------------------ magic


@magics_class
class LearndlMagics(Magics):
    @line_cell_magic
    def learndl(self, line: str, cell: str | None = None):
        """%%learndl check NAME [--seed S] [--device D]: grade this cell · %learndl hint NAME"""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            print(f"learndl: {exc}. {USAGE}", file=sys.stderr)
            return None
        if len(words) >= 2 and words[0] == "hint" and cell is None:
            done = learndl("hint", *words[1:])
            print((done.stdout or done.stderr).rstrip().removeprefix("learndl: "))
            return None
        if len(words) >= 2 and words[0] == "check" and cell is not None:
            result, error = grade_source(words[1], cell, words[2:])
            if result is None:
                print(f"learndl: {error}", file=sys.stderr)
            else:
                display({"text/html": as_html(result), "text/plain": as_text(result)}, raw=True)
            self.shell.run_cell(cell, store_history=False)  # then the cell runs as usual
            return None
        if words[:1] == ["check"]:
            print(f"learndl: %%learndl check grades a cell: put it on the cell's first line, with two %. {USAGE}", file=sys.stderr)
        else:
            print(f"learndl: {USAGE}", file=sys.stderr)
        return None


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(LearndlMagics)
