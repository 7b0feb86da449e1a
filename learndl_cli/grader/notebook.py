"""Exercises as Jupyter notebooks, through ``nbformat``: write one, and read its code back.

A notebook made by ``learndl exercise NAME --notebook`` is a valid nbformat 4.5 notebook (cell ids
included) with four cells: the statement (its words adapted to a notebook: "in the code cell
below", not "in softmax.py"), how to grade it, ``%load_ext learndl``, and the code cell, which
starts with ``%%learndl check NAME`` so that running it grades it (see ``learndl_cli.jupyter``).

``learndl check NAME`` on a notebook grades the code of all its code cells, in order; IPython
magic and shell lines (``%...``, ``!...``) become comments, so line numbers still match.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

NBFORMAT_MINOR = 5


def _read(raw: str, path: Path):
    """The notebook as an nbformat node, without nbformat's warnings about other tools' files."""
    import nbformat

    from ..errors import UserError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.reads(raw, as_version=4, capture_validation_error={})
    except Exception as exc:  # nbformat raises several types (JSON, schema, version) for a bad file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: not a Jupyter notebook ({reason})") from None


def _code_cells(nb) -> list[str]:
    return [cell.source if isinstance(cell.source, str) else "".join(cell.source)
            for cell in nb.cells if cell.get("cell_type") == "code"]


def _python_lines(text: str) -> list[str]:
    return [("# " + line) if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]


def code_from_notebook(raw: str, path: Path) -> str:
    """The code cells of a notebook, joined in order (IPython magics and shell lines commented out)."""
    return "\n\n".join("\n".join(_python_lines(text)) for text in _code_cells(_read(raw, path))) + "\n"


def cell_of_line(raw: str, line: int) -> tuple[int, int] | None:
    """Which code cell (1-based, counting code cells only) and line in it hold ``line`` of the code
    that ``code_from_notebook`` made from this notebook."""
    from ..errors import UserError

    try:
        cells = _code_cells(_read(raw, Path("notebook")))
    except UserError:
        return None
    start = 1
    for number, text in enumerate(cells, 1):
        count = max(1, len(text.splitlines()))
        if start <= line < start + count:
            return number, line - start + 1
        start += count + 1  # the blank line between cells
    return None


def for_notebook(statement: str, file: str) -> str:
    """The statement with its mentions of the starter file turned into the notebook's code cell."""
    quoted = re.escape(f"`{file}`")
    text = re.sub(rf"\bIn {quoted}", "In the code cell below", statement)
    text = re.sub(rf"\bin {quoted}", "in the code cell below", text)
    return re.sub(quoted, "the code cell below", text)


def make_notebook(statement: str, starter: str, *, name: str, file: str) -> str:
    """A valid nbformat 4.5 notebook: statement, how to grade, the magic, the starter code cell."""
    import nbformat
    from nbformat import v4

    how = (
        "## Grading\n\n"
        f"Write your code in the last cell. Running it (Shift-Enter) grades the cell's code with the "
        f"hidden checks of `{name}`, the same grade as `learndl check {name}`, recorded in your "
        "progress; the kernel then runs the cell too, so you can try your code below.\n\n"
        f"- `%learndl hint {name}` in any cell shows the next hint.\n"
        f"- From a terminal, `learndl check {name}` grades every code cell of this notebook.\n"
    )
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell(for_notebook(statement, file).rstrip("\n"), id="statement"),
            v4.new_markdown_cell(how.rstrip("\n"), id="grading"),
            v4.new_code_cell("%load_ext learndl", id="load-learndl"),
            v4.new_code_cell(f"%%learndl check {name}\n" + starter.rstrip("\n"), id="your-code"),
        ],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nb.nbformat_minor = NBFORMAT_MINOR
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
