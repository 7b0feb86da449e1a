"""What of an exercise's ``checks.py`` the child may have: the probes and the code they use.

The child must never hold the checks (``test_*``) or the reference implementations they call. So
the parent cuts ``checks.py`` down, on its syntax tree, to

- the module-level imports those probes (and their helpers) use,
- every ``probe_*`` function,
- and the module-level functions, classes and assignments those probes use, directly or through
  each other (a probe's helper such as ``_build``);

in their original order and line numbers (so a traceback into a probe names the right line).
Anything only the checks use (references, wrong-answer variants, ``test_*`` themselves) is left
out. The child executes this text in a fresh namespace; it never imports ``checks.py``.
"""

from __future__ import annotations

import ast
import builtins

PROBE_PREFIX = "probe_"


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names = set()
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _bound(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import statement binds (``import a.b`` binds ``a``)."""
    return {(alias.asname or alias.name).split(".")[0] for alias in node.names}


def _used(node: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def child_source(source: str, filename: str = "checks.py") -> tuple[str, list[str]]:
    """The text the child gets for this checks.py, and the probe names in it."""
    tree = ast.parse(source, filename=filename)
    imports, defs = [], []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif _defined(node):
            defs.append(node)
    by_name: dict[str, list[ast.stmt]] = {}
    for node in defs:
        for name in _defined(node):
            by_name.setdefault(name, []).append(node)
    probes = [n for n in defs if isinstance(n, ast.FunctionDef) and n.name.startswith(PROBE_PREFIX)]
    keep: list[ast.stmt] = []
    seen: set[int] = set()
    todo = list(probes)
    skip = set(dir(builtins))
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        keep.append(node)
        for name in _used(node) - skip:
            if name.startswith("test_"):
                continue
            todo.extend(by_name.get(name, ()))
    used = set().union(*(_used(node) for node in keep)) if keep else set()
    imports = [node for node in imports if _bound(node) & used]  # not pytest, say: only what probes use
    lines = source.splitlines()
    out = [""] * len(lines)
    for node in sorted(imports + keep, key=lambda n: n.lineno):
        start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
        for i in range(start - 1, node.end_lineno):
            out[i] = lines[i]
    return "\n".join(out) + "\n", [p.name for p in probes]
