"""Exercises as Jupyter notebooks: write one from the statement and starter, read its code back."""

from __future__ import annotations

import json
from pathlib import Path


def code_from_notebook(raw: str, path: Path) -> str:
    """The code cells of a notebook, joined in order (IPython magics and shell lines dropped)."""
    from ..errors import UserError

    try:
        nb = json.loads(raw)
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{path}: not a Jupyter notebook (invalid JSON or no cells)") from None
    parts = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [
            ("# " + line) if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def cell_of_line(raw: str, line: int) -> tuple[int, int] | None:
    """Which code cell (1-based, counting code cells only) and line in it hold ``line`` of the code
    that ``code_from_notebook`` made from this notebook."""
    try:
        cells = [c for c in json.loads(raw)["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError):
        return None
    start = 1
    for number, cell in enumerate(cells, 1):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        count = max(1, len(text.splitlines()))
        if start <= line < start + count:
            return number, line - start + 1
        start += count + 1  # the blank line between cells
    return None


def make_notebook(statement: str, starter: str) -> str:
    """A notebook with the statement as Markdown and the starter as one code cell."""

    def lines(text: str) -> list[str]:
        out = text.splitlines(keepends=True)
        return out or [""]

    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": lines(statement)},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": lines(starter)},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
