"""``learndl report``: where the learner stands, from what the quiz, the grader and exams recorded.

- ``data``      gathers the report as plain data (the JSON document, ``"version": 1``); pure over
                what ``store/reports.py`` returns and ``now``
- ``terminal``  rich tables, bar charts and a GitHub-style heatmap
- ``markdown``  the same as Markdown
- ``html``      one self-contained HTML file with inline SVG charts (no network)

Renderers only read the data dict, so every format shows the same numbers. docs/report.md
documents the JSON format field by field.
"""

FORMATS = ("terminal", "markdown", "html", "json")


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 day``, ``2 days``: a count with its noun in the right number."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"
