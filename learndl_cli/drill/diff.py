"""``learndl solution NAME --diff``: the learner's own file against the reference solution."""

from __future__ import annotations

import difflib
from pathlib import Path


def against_solution(mine: Path, solution: str, exercise) -> str:
    """A unified diff, the learner's code (``-``) to the reference (``+``); "" when they agree.
    A notebook is compared by its code cells, the code the grader reads."""
    ours = mine.read_text(encoding="utf-8", errors="replace")
    if mine.suffix == ".ipynb":
        from ..grader.notebook import code_from_notebook

        ours = code_from_notebook(ours, mine)
    lines = difflib.unified_diff(
        ours.splitlines(keepends=True), solution.splitlines(keepends=True),
        fromfile=f"your {mine.name}", tofile=f"solutions/{exercise.name}.py",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
