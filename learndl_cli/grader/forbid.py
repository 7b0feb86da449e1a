"""Forbidden shortcuts: a static scan of the learner's source (parent) and call traps (child).

An exercise's ``forbid`` list names what it is about writing yourself, as dotted names such as
``torch.softmax``, ``torch.nn.functional.softmax``, ``torch.Tensor.softmax`` or ``torch.nn.Softmax``.

The static scan (``scan``, in the parent, on the AST only: nothing is executed) rejects

- an attribute whose name is the last part of a forbidden name (``F.softmax``, ``X.softmax(...)``,
  ``nn.Softmax``), except on ``self``; ``from torch import softmax``; ``getattr(x, "softmax")``;
- introspection and dynamic code that could reach a forbidden function or the grader itself:
  ``eval``/``exec``/``compile``/``__import__``/``globals``/``vars``/``breakpoint``, ``getattr``,
  ``setattr`` or ``delattr`` with a computed name, frame/closure/globals attributes (``__globals__``,
  ``__closure__``, ``f_back``, ``__subclasses__``, ...), and imports outside ``ALLOWED_IMPORTS``
  plus the exercise's ``allow_imports`` (so no ``importlib``, ``gc``, ``inspect``, ``ctypes``,
  ``os``, ``sys``, ``builtins``).

The learner's own ``def softmax`` and calls to it are plain names, so they are allowed.

The traps (``install``, in the child before the learner's file is imported) replace each forbidden
function with a wrapper, and wrap a forbidden class's ``__init__``, that raises ``ForbiddenCall``
when the learner's file is on the call stack. Torch's own internal use stays allowed.
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass

ALLOWED_IMPORTS = frozenset(
    {"torch", "math", "typing", "collections", "functools", "itertools", "dataclasses", "__future__",
     "numbers", "abc", "enum", "operator",
     # what book code and loop-style solutions use; the OS sandbox, not this list, keeps the boundary
     "numpy", "random", "re", "string", "copy", "time", "statistics", "heapq", "bisect", "warnings"}
)
DYNAMIC_CALLS = frozenset({"eval", "exec", "compile", "__import__", "globals", "vars", "breakpoint", "locals"})
INTROSPECTION_ATTRS = frozenset(
    {
        "__globals__", "__closure__", "__code__", "__wrapped__", "__subclasses__", "__builtins__",
        "__dict__", "__bases__", "__mro__", "__base__", "__getattribute__", "__self__", "__func__",
        "__loader__", "__spec__", "__import__", "__defaults__", "__kwdefaults__", "__reduce__",
        "__reduce_ex__", "__setattr__", "__delattr__", "__class__",
        "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next",
        "gi_frame", "cr_frame", "ag_frame", "_getframe",
    }
)
DYNAMIC_NAMES = frozenset({"__builtins__", "__loader__", "__spec__"})


@dataclass(frozen=True)
class Hit:
    line: int
    message: str


def forbidden_leaves(forbid: list[str]) -> dict[str, str]:
    """The last part of each forbidden dotted name → the first full name that has it."""
    leaves: dict[str, str] = {}
    for name in forbid:
        leaves.setdefault(name.rsplit(".", 1)[-1], name)
    return leaves


def _text(node: ast.AST, limit: int = 40) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # ast.unparse of an odd tree: fall back to the attribute name
        return getattr(node, "attr", "?")
    return text if len(text) <= limit else "..." + text[-limit:]


def scan(source: str, filename: str, forbid: list[str], allow_imports: list[str] = ()) -> list[Hit]:
    """Every forbidden use in ``source``, in line order. Raises SyntaxError for invalid code."""
    tree = ast.parse(source, filename=filename)
    leaves = forbidden_leaves(forbid)
    allowed = ALLOWED_IMPORTS | set(allow_imports)
    hits: list[Hit] = []
    # ``self.softmax`` is the learner's own attribute, unless ``self`` is rebound (``self = torch``).
    self_is_free = not any(
        isinstance(n, ast.Name) and n.id == "self" and isinstance(n.ctx, (ast.Store, ast.Del)) for n in ast.walk(tree)
    )

    def add(node, message):
        hits.append(Hit(getattr(node, "lineno", 1), message))

    def check_import(node, module: str):
        root = module.split(".")[0]
        if root == "d2l":
            add(node, f"not available when grading: import {module} (copy what you use from d2l into this file)")
        elif root not in allowed:
            add(node, f"forbidden: import {module} (exercises may import only {', '.join(sorted(allowed - {'__future__'}))})")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_import(node, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                add(node, "forbidden: relative imports (keep your solution in this one file)")
                continue
            check_import(node, node.module or "")
            for alias in node.names:
                if alias.name in leaves:
                    add(node, f"forbidden: you imported {node.module}.{alias.name} (this exercise is about writing it yourself)")
                if alias.name == "*":
                    add(node, f"forbidden: from {node.module} import * (import the names you use)")
        elif isinstance(node, ast.Attribute):
            own = self_is_free and isinstance(node.value, ast.Name) and node.value.id == "self"
            if node.attr in leaves and not own:
                add(node, f"forbidden: you used {_text(node)} (this exercise is about writing it yourself)")
            elif node.attr in INTROSPECTION_ATTRS:
                add(node, f"forbidden: .{node.attr} (introspection is not allowed in exercises)")
        elif isinstance(node, ast.Name):
            if node.id in DYNAMIC_NAMES:
                add(node, f"forbidden: {node.id} (introspection is not allowed in exercises)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in DYNAMIC_CALLS:
                add(node, f"forbidden: {name}() (dynamic code is not allowed in exercises)")
            elif name in ("getattr", "setattr", "delattr", "hasattr"):
                attr = node.args[1] if len(node.args) > 1 else None
                if not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
                    add(node, f"forbidden: {name}() with a computed name (write the attribute out)")
                elif attr.value in leaves:
                    add(node, f"forbidden: you used {leaves[attr.value]} (this exercise is about writing it yourself)")
                elif attr.value in INTROSPECTION_ATTRS:
                    add(node, f"forbidden: {name}(..., {attr.value!r}) (introspection is not allowed in exercises)")
    hits.sort(key=lambda h: h.line)
    return hits


# -------------------------------------------------------------------------------------- child traps


class ForbiddenCall(BaseException):
    """Raised in the child when the learner's code calls a forbidden function.

    A BaseException, so a learner's ``except Exception`` does not swallow it; the worker also
    records every trap hit, so swallowing it with a bare ``except`` does not help either.
    """

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


HITS: list[str] = []


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        obj = owner
        try:
            for part in parts[i:-1]:
                obj = getattr(obj, part)
            return obj, parts[-1]
        except AttributeError:
            return None, None
    return None, None


def _called_from(learner_file: str) -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == learner_file:
            return True
        frame = frame.f_back
    return False


def install(forbid: list[str], learner_file: str) -> None:
    """Trap every forbidden name (child only; patches torch in this process)."""
    for dotted in forbid:
        owner, attr = _resolve(dotted)
        if owner is None or not hasattr(owner, attr):
            continue
        target = getattr(owner, attr)
        if isinstance(target, type):
            original_init = target.__init__

            def trapped_init(self, *args, __orig=original_init, __name=dotted, **kwargs):
                if _called_from(learner_file):
                    HITS.append(__name)
                    raise ForbiddenCall(__name)
                return __orig(self, *args, **kwargs)

            try:
                target.__init__ = trapped_init
            except (TypeError, AttributeError):
                pass
            continue
        if not callable(target):
            continue

        def make(fn, name):
            @functools.wraps(fn, assigned=("__name__", "__qualname__", "__doc__"), updated=())
            def trapped(*args, **kwargs):
                if _called_from(learner_file):
                    HITS.append(name)
                    raise ForbiddenCall(name)
                return fn(*args, **kwargs)

            return trapped

        try:
            setattr(owner, attr, make(target, dotted))
        except (TypeError, AttributeError):
            pass
