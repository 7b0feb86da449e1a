"""Known-wrong variants written as edits to the reference solution (``tests/variants/NAME/*.edits``).

Most classic mistakes are one or two changed lines in otherwise correct code, so a variant names
only those lines, in blocks shaped like a merge conflict::

    # expect: valid_lens repeated with .repeat instead of interleaved
    <<<<<<< solution
                valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
    =======
                valid_lens = valid_lens.repeat(self.num_heads)
    >>>>>>> variant

The solution side of each block must occur exactly once in ``solutions/NAME.py``; it is replaced
by the variant side. Blank lines and ``#`` comments may sit between blocks. A variant that is a
rewrite rather than an edit stays a complete ``.py`` file. When several variants make their
mistakes in another correct style than the solution's (the book's, say), that correct file sits
beside them as ``_NAME.py`` (graded too: it must pass), and their second line says
``# base: _NAME.py``: the blocks then edit it instead of the solution.
"""

from __future__ import annotations

OPEN, MID, CLOSE = "<<<<<<< solution", "=======", ">>>>>>> variant"


class EditError(ValueError):
    pass


Block = tuple[list[str], list[str]]


def base_of(text: str) -> str | None:
    """The ``# base: FILE`` a variant edits, when it is not the solution."""
    lines = text.splitlines()
    if len(lines) > 1 and lines[1].startswith("# base:"):
        return lines[1][len("# base:"):].strip()
    return None


def parse(text: str, name: str = "edits") -> tuple[str, list[Block]]:
    """The expected message fragment and the (solution lines, variant lines) blocks."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# expect:"):
        raise EditError(f"{name}:1: the first line must be '# expect: <message fragment>'")
    blocks: list[Block] = []
    side: list[str] | None = None
    old: list[str] = []
    new: list[str] = []
    for n, line in enumerate(lines[1:], 2):
        if side is None and line == OPEN:
            old, new = [], []
            side = old
        elif side is old and line == MID:
            side = new
        elif side is new and line == CLOSE:
            blocks.append((old, new))
            side = None
        elif side is not None:
            side.append(line)
        elif line.strip() and not line.startswith("#"):
            raise EditError(f"{name}:{n}: text outside a '{OPEN}' … '{CLOSE}' block")
    if side is not None:
        raise EditError(f"{name}: the last block is not closed with '{CLOSE}'")
    if not blocks:
        raise EditError(f"{name}: no edit blocks")
    return lines[0][len("# expect:"):].strip(), blocks


def apply(solution: str, blocks: list[Block], name: str = "edits") -> str:
    """The solution with every block's solution lines replaced by its variant lines."""
    lines = solution.splitlines()
    spans = []
    for k, (old, new) in enumerate(blocks, 1):
        hits = [i for i in range(len(lines) - len(old) + 1) if old and lines[i : i + len(old)] == old]
        if len(hits) != 1:
            raise EditError(f"{name}: block {k}: its solution lines occur {len(hits)} times in the solution, not once")
        spans.append((hits[0], hits[0] + len(old), new))
    spans.sort(key=lambda s: s[0])
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        if start < end:
            raise EditError(f"{name}: two blocks edit the same lines")
    for start, end, new in reversed(spans):
        lines[start:end] = new
    return "\n".join(lines) + "\n"


def header(text: str, key: str) -> list[str]:
    """The values of the ``# KEY: value`` lines at the top of a variant (before its first block
    or code line): ``expect`` (one), ``not`` (any number), ``base`` (at most one)."""
    values = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(f"# {key}:"):
            values.append(line[len(f"# {key}:"):].strip())
    return values


def variant_text(path, solution_path) -> str:
    """The learner file a variant stands for: itself, or its base with its edits applied."""
    from pathlib import Path

    path = Path(path)
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".edits":
        return source
    base = path.parent / base_of(source) if base_of(source) else Path(solution_path)
    _, blocks = parse(source, str(path))
    return apply(base.read_text(encoding="utf-8"), blocks, str(path))
