"""Which checks a ``checks.py`` holds, with pytest's semantics for the two idioms authors use.

learndl runs the hidden checks itself (a cold ``learndl check`` cannot afford pytest's start-up and
collection), and the pytest plugin (``learndl_cli.pytest_plugin``) runs the very same functions under
pytest. So that both agree, this module gives learndl's runner pytest's meaning for:

- ``@pytest.mark.parametrize`` (stacked, with ``ids=`` and ``pytest.param(..., id=)``): one check per
  combination, in pytest's order, named like pytest's test ids (``rows_sum_to_one[4-cpu]``);
- ``@pytest.fixture`` functions defined in ``checks.py`` (function scope, may ``yield`` and may ask for
  other fixtures, including the built-in ``learner``, ``rng``, ``device`` and ``seed``).

Parametrized fixtures (``@pytest.fixture(params=...)``), other scopes and ``autouse`` are refused
with a clear error: ``tests/test_check_collection.py`` compares these ids with pytest's own.

``pytest`` is imported only by a ``checks.py`` that uses it; this module reads marks duck-typed.
"""

from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

BUILTIN_FIXTURES = ("learner", "rng", "device", "seed")


class CollectError(Exception):
    """A ``checks.py`` that asks for something learndl's runner cannot give (an author's error)."""


@dataclass
class CheckItem:
    """One check to run: ``fn`` called with ``params`` plus fixtures. ``id`` is pytest's test id
    without the ``test_`` prefix (``rows_sum_to_one`` or ``shape[2-3]``)."""

    id: str
    fn: Callable
    params: dict[str, Any] = field(default_factory=dict)
    fixtures: dict[str, Callable] = field(default_factory=dict)  # the module's own fixtures

    @property
    def skip_on_meta(self) -> bool:
        return bool(getattr(self.fn, "skip_on_meta", False))


# ------------------------------------------------------------------------------------------ fixtures


def _fixture_parts(obj) -> tuple[Callable, Any] | None:
    """(the plain function, its FixtureFunctionMarker) when ``obj`` is a pytest fixture."""
    marker = getattr(obj, "_fixture_function_marker", None)
    if marker is None:
        return None
    unwrap = getattr(obj, "_get_wrapped_function", None)
    fn = unwrap() if callable(unwrap) else getattr(obj, "_fixture_function", None)
    return (fn, marker) if callable(fn) else None


def fixtures_of(module) -> dict[str, Callable]:
    """The fixtures ``checks.py`` defines, by the name a check asks for."""
    found: dict[str, Callable] = {}
    for attr, obj in vars(module).items():
        parts = _fixture_parts(obj)
        if parts is None:
            continue
        fn, marker = parts
        name = getattr(marker, "name", None) or attr
        if getattr(marker, "params", None) is not None:
            raise CollectError(f"fixture '{name}' is parametrized (params=): use @pytest.mark.parametrize on the checks instead")
        if getattr(marker, "autouse", False):
            raise CollectError(f"fixture '{name}' is autouse: ask for it by name instead")
        if getattr(marker, "scope", "function") not in ("function", None):
            raise CollectError(f"fixture '{name}' has scope '{marker.scope}': only function-scoped fixtures are supported")
        if name in BUILTIN_FIXTURES:
            raise CollectError(f"fixture '{name}' would replace learndl's own '{name}' fixture")
        found[name] = fn
    return found


class FixtureScope:
    """Fixture values for one check: each fixture made once, torn down in reverse order."""

    def __init__(self, fixtures: dict[str, Callable], builtins: dict[str, Any], params: dict[str, Any]):
        self._fixtures = fixtures
        self._values: dict[str, Any] = {**builtins, **params}
        self._teardown: list[Any] = []

    def resolve(self, fn: Callable, owner: str, stack: tuple[str, ...] = ()) -> dict[str, Any]:
        kwargs = {}
        for name in inspect.signature(fn).parameters:
            kwargs[name] = self._get(name, owner, stack)
        return kwargs

    def _get(self, name: str, owner: str, stack: tuple[str, ...]) -> Any:
        if name in self._values:
            return self._values[name]
        fixture = self._fixtures.get(name)
        if fixture is None:
            raise CollectError(f"{owner} asks for unknown fixture '{name}'")
        if name in stack:
            raise CollectError(f"fixture '{name}' depends on itself ({' -> '.join(stack + (name,))})")
        value = fixture(**self.resolve(fixture, f"fixture '{name}'", stack + (name,)))
        if inspect.isgenerator(value):
            gen = value
            value = next(gen)
            self._teardown.append(gen)
        self._values[name] = value
        return value

    def close(self) -> None:
        while self._teardown:
            gen = self._teardown.pop()
            try:
                next(gen)
            except StopIteration:
                pass
            else:
                raise CollectError("a fixture yielded more than once")


def call_check(item: CheckItem, fixtures: dict[str, Callable], builtins: dict[str, Any]) -> None:
    """Run one check with its parameters and fixtures, as pytest would."""
    scope = FixtureScope(fixtures, builtins, item.params)
    try:
        kwargs = scope.resolve(item.fn, f"check test_{item.id.split('[')[0]}")
        item.fn(**kwargs)
    finally:
        scope.close()


# ------------------------------------------------------------------------------------------ parametrize


def _id_for(value: Any, argname: str, index: int) -> str:
    """pytest's id for one parameter value (``_idval``): plain values by text, others by name+index."""
    if isinstance(value, str):
        return value.encode("unicode_escape").decode("ascii")
    if value is None or isinstance(value, (bool, int, float, complex)):
        return str(value)
    return f"{argname}{index}"


def _param_sets(mark) -> list[tuple[list[str], list[tuple[Any, ...]], list[str]]]:
    argnames = mark.args[0] if mark.args else mark.kwargs["argnames"]
    argvalues = mark.args[1] if len(mark.args) > 1 else mark.kwargs["argvalues"]
    if isinstance(argnames, str):
        names = [n.strip() for n in argnames.split(",") if n.strip()]
    else:
        names = list(argnames)
    ids = mark.kwargs.get("ids")
    rows: list[tuple[Any, ...]] = []
    labels: list[str] = []
    for i, raw in enumerate(list(argvalues)):
        explicit = None
        values = getattr(raw, "values", None)
        if type(raw).__name__ == "ParameterSet":  # pytest.param(...)
            explicit = raw.id
            raw = values
        elif len(names) == 1:
            raw = (raw,)
        row = tuple(raw)
        if len(row) != len(names):
            raise CollectError(f"parametrize {names}: value {i} has {len(row)} items, expected {len(names)}")
        rows.append(row)
        if explicit is not None:
            labels.append(str(explicit))
        elif ids is not None and not callable(ids) and i < len(ids) and ids[i] is not None:
            labels.append(str(ids[i]))
        elif callable(ids) and ids(row[0] if len(row) == 1 else row) is not None:
            labels.append(str(ids(row[0] if len(row) == 1 else row)))
        else:
            labels.append("-".join(_id_for(v, n, i) for v, n in zip(row, names)))
    return [(names, rows, labels)]


def _dedupe(labels: list[str]) -> list[str]:
    """pytest makes repeated ids unique by suffixing an index (``a0``, ``a1``)."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        if counts[label] > 1:
            n = seen.get(label, 0)
            seen[label] = n + 1
            label = f"{label}{n}"
        out.append(label)
    return out


def expand(name: str, fn: Callable) -> list[CheckItem]:
    """One item per parameter combination, in pytest's order: the mark nearest the function is
    the outer loop, and the id joins the parts in that order."""
    marks = [m for m in getattr(fn, "pytestmark", []) if getattr(m, "name", "") == "parametrize"]
    if not marks:
        return [CheckItem(name, fn)]
    axes = []
    for mark in marks:  # pytestmark lists the nearest decorator first
        axes.extend(_param_sets(mark))
    items = []
    labels = []
    combos = []
    for choice in itertools.product(*[range(len(rows)) for _, rows, _ in axes]):
        params: dict[str, Any] = {}
        parts = []
        for (names, rows, labs), k in zip(axes, choice):
            for n, v in zip(names, rows[k]):
                if n in params:
                    raise CollectError(f"check test_{name}: '{n}' is parametrized twice")
                params[n] = v
            parts.append(labs[k])
        combos.append(params)
        labels.append("-".join(parts))
    for label, params in zip(_dedupe(labels), combos):
        items.append(CheckItem(f"{name}[{label}]", fn, params))
    return items


def collect(module) -> list[CheckItem]:
    """Every check of ``module`` (``test_*`` functions defined there), in file order, expanded."""
    found = [
        (attr, fn)
        for attr, fn in vars(module).items()
        if attr.startswith("test_") and inspect.isfunction(fn) and fn.__module__ == module.__name__
    ]
    found.sort(key=lambda item: item[1].__code__.co_firstlineno)
    fixtures = fixtures_of(module)
    items: list[CheckItem] = []
    for attr, fn in found:
        items.extend(expand(attr[len("test_"):], fn))
    for item in items:
        item.fixtures = fixtures
    return items
