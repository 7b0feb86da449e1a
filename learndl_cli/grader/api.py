"""The check API: what an exercise's ``checks.py`` imports. Stable; docs/exercises.md documents it.

A ``checks.py`` holds two kinds of module-level functions:

- **checks** ``def test_xxx(learner, rng, device): ...``, run in order by the grader in the *parent*
  process (never in the learner's process). The first check that fails is explained.
- **probes** ``def probe_xxx(mod, *args, **kwargs): ...``, run in the *child* process that imported the
  learner's file as ``mod``. A check calls ``learner.run(probe_xxx, *args)``; the arguments travel to
  the child (tensors are moved to the device being graded), the probe's return value travels back as
  plain CPU tensors, numbers, strings, lists, tuples and dicts.

Helpers here (``expect_close``, ``expect_shape``, ``expect``, ``fail``) raise ``CheckFailed`` with a
message that names the first wrong property, the input shapes, dtype and seed, the largest error and
where it is, and a small slice of expected against got. ``mistakes=`` names classic errors: wrong
references that the check computes itself; when the learner's output matches one of them and no
neighbouring mistake (``neighbours=``), the failure message is that mistake's name
(``confirmed_mistake``); otherwise it is the generic explanation.

In the *meta pass* (portability: every grade also runs the checks with inputs on the ``meta``
device), ``learner.run`` returns meta tensors that carry only shape and dtype. The ``expect_*``
helpers then compare shape and dtype only. A check that reads values itself (``.item()``, boolean
masks, statistics) must be decorated with ``@skip_on_meta``.
"""

from __future__ import annotations

import hashlib
import inspect
import math
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Mapping

import torch

__all__ = [
    "CheckFailed",
    "Learner",
    "build_either_edition",
    "confirmed_mistake",
    "Rng",
    "expect",
    "expect_close",
    "expect_shape",
    "fail",
    "fmt_shape",
    "listing_named_mistakes",
    "skip_on_meta",
]

_named_log: list[str] | None = None


@contextmanager
def listing_named_mistakes():
    """Collect every message offered as ``mistakes=`` while the block runs (the content self-test
    grades a solution inside it to list the catalogue's named messages, then proves each one)."""
    global _named_log
    previous, _named_log = _named_log, []
    try:
        yield _named_log
    finally:
        _named_log = previous


class CheckFailed(Exception):
    """A check's verdict: the learner's code is wrong. ``message`` is one line, ``detail`` more."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


def fail(message: str, detail: str = "") -> None:
    """Fail the current check with a one-line ``message`` (and optional multi-line ``detail``)."""
    raise CheckFailed(message, detail)


def expect(condition: bool, message: str, detail: str = "") -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message, detail)


def skip_on_meta(check: Callable) -> Callable:
    """Mark a check that reads values itself, so the meta (portability) pass skips it."""
    check.skip_on_meta = True
    return check


def build_either_edition(cls, english: tuple[tuple, dict], chinese: tuple[tuple, dict], chinese_names: Iterable[str]):
    """``cls`` built with the English edition's arguments, or with the Chinese edition's (动手学深度学习
    v2, whose constructors often take the input sizes too) when its signature names one of
    ``chinese_names`` or refuses the English arguments with a TypeError. For probes (child side);
    ``english`` and ``chinese`` are (args, kwargs) pairs. If both refuse, the English error is raised.
    """
    try:
        params = set(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        params = set()
    if params & set(chinese_names):
        return cls(*chinese[0], **chinese[1])
    try:
        return cls(*english[0], **english[1])
    except TypeError as english_error:
        try:
            return cls(*chinese[0], **chinese[1])
        except TypeError:
            raise english_error from None


class Learner:
    """The learner's module, seen from a check. Created by the grader; checks only call ``run``.

    ``learner.run(probe, *args, **kwargs)`` runs ``probe(mod, *args, **kwargs)`` in the child, where
    ``mod`` is the learner's imported file. ``probe`` must be a module-level function of the same
    ``checks.py``. Tensor arguments are moved to ``learner.device`` in the child; tensors in the
    result come back as plain CPU tensors (meta tensors in the meta pass). If the learner's code
    raises, times out or crashes, the check ends there with that verdict; a check never needs to
    catch anything.
    """

    device: str = "cpu"

    def run(self, probe: Callable, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class Rng:
    """Deterministic random inputs for one check, made in the parent from the grade's seed.

    Every check gets its own stream (seeded from the grade seed and the check's name), so a failure
    is reproducible with ``learndl check NAME --seed SEED`` and adding a check does not change the
    inputs of the others.
    """

    def __init__(self, seed: int, stream: str = ""):
        self.seed = int(seed)
        digest = hashlib.sha256(f"{self.seed}:{stream}".encode()).digest()
        self._gen = torch.Generator().manual_seed(int.from_bytes(digest[:8], "little") & (2**63 - 1))

    def normal(self, shape, scale: float = 1.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Standard normal values times ``scale``."""
        return (torch.randn(tuple(shape), generator=self._gen, dtype=torch.float64) * scale).to(dtype)

    def uniform(self, shape, low: float = 0.0, high: float = 1.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return (low + (high - low) * torch.rand(tuple(shape), generator=self._gen, dtype=torch.float64)).to(dtype)

    def integers(self, low: int, high: int, shape=()) -> torch.Tensor:
        """Whole numbers in ``[low, high)`` as an int64 tensor."""
        return torch.randint(low, high, tuple(shape), generator=self._gen)

    def int(self, low: int, high: int) -> int:
        """One whole number in ``[low, high)``."""
        return int(torch.randint(low, high, (), generator=self._gen))

    def torch_seed(self) -> int:
        """A seed to pass to a probe that calls ``torch.manual_seed`` (for code that uses randomness)."""
        return self.int(0, 2**31 - 1)


# --------------------------------------------------------------------------------------------------
# Formatting


def fmt_shape(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def _fmt_num(x: float) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e5:
        return f"{x:.4g}"
    return f"{x:.3e}"


def _fmt_row(t: torch.Tensor, limit: int = 6) -> str:
    vals = t.flatten()[:limit].tolist()
    more = ", ..." if t.numel() > limit else ""
    return "[" + ", ".join(_fmt_num(v) for v in vals) + more + "]"


def _describe_inputs(inputs: Mapping[str, Any] | None) -> str:
    if not inputs:
        return ""
    parts = []
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            parts.append(f"{key} of shape {fmt_shape(value)} {_dtype(value)}")
        else:
            parts.append(f"{key}={value!r}")
    return " for " + ", ".join(parts)


def _index(flat_index: int, shape) -> str:
    idx = []
    for size in reversed(list(shape)):
        idx.append(flat_index % size if size else 0)
        flat_index = flat_index // size if size else 0
    return "[" + ", ".join(str(i) for i in reversed(idx)) + "]"


def _slice_at(t: torch.Tensor, flat_index: int) -> tuple[str, torch.Tensor]:
    """A label and the last-axis row of ``t`` that holds ``flat_index``."""
    if t.dim() == 0:
        return "", t.reshape(1)
    last = t.shape[-1]
    row = flat_index // last if last else 0
    lead = _index(row, t.shape[:-1])[1:-1] if t.dim() > 1 else ""
    label = f"[{lead + ', ' if lead else ''}:]"
    return label, t.reshape(-1, last)[row] if last else t.reshape(-1)


# --------------------------------------------------------------------------------------------------
# Comparisons


def _is_tensor(x) -> bool:
    return issubclass(type(x), torch.Tensor)


def _kind(x) -> str:
    """The type of a result, as the learner wrote it (``protocol.Unsupported`` keeps the name)."""
    name = getattr(x, "type_name", None) if type(x).__name__ == "Unsupported" else None
    return (name or type(x).__name__).rsplit(".", 1)[-1]


def expect_shape(got, shape, *, what: str, inputs: Mapping[str, Any] | None = None) -> None:
    """``got`` is a tensor of exactly ``shape`` (a tuple or torch.Size)."""
    shape = tuple(shape)
    if not _is_tensor(got):
        fail(f"{what}: expected a tensor, got {_kind(got)}{_describe_inputs(inputs)}")
    if tuple(got.shape) != shape:
        fail(
            f"{what} has shape {fmt_shape(got)}, expected ({', '.join(map(str, shape))})"
            f"{_describe_inputs(inputs)}"
        )


def _matches(got: torch.Tensor, ref: torch.Tensor, atol: float, rtol: float) -> bool:
    if not _is_tensor(ref) or tuple(ref.shape) != tuple(got.shape):
        return False
    return bool(torch.allclose(got.double(), ref.double(), atol=atol, rtol=rtol, equal_nan=True))


def expect_close(
    got,
    expected: torch.Tensor,
    *,
    what: str,
    inputs: Mapping[str, Any] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    mistakes: Mapping[str, torch.Tensor] | None = None,
    check_dtype: bool = True,
    neighbours: Mapping[str, torch.Tensor] | Iterable[torch.Tensor] | None = None,
) -> None:
    """``got`` has ``expected``'s shape and dtype and is close to it elementwise.

    ``what`` names the quantity in the message ("softmax(X)"); ``inputs`` (name → tensor or value)
    are described by shape and dtype. ``mistakes`` maps a message to a wrong reference: when ``got``
    matches it, and the match is a confirmed diagnosis (see ``confirmed_mistake``), that message is
    the verdict ("without the 1/(1-p) scale"). ``neighbours`` are wrong references of other
    mistakes with a similar symptom that have no message here: they only stop a name from being
    given when the learner's output matches them too. In the meta pass only shape and dtype are
    compared.
    """
    where = _describe_inputs(inputs)
    if _named_log is not None and mistakes:
        _named_log.extend(m for m in mistakes if m not in _named_log)
    if not _is_tensor(got):
        fail(f"{what}: expected a tensor, got {_kind(got)}{where}")
    if tuple(got.shape) != tuple(expected.shape):
        fail(f"{what} has shape {fmt_shape(got)}, expected {fmt_shape(expected)}{where}")
    if check_dtype and got.dtype != expected.dtype:
        fail(f"{what} has dtype {_dtype(got)}, expected {_dtype(expected)}{where}")
    if got.device.type == "meta":
        return
    got64 = got.detach().double()
    exp64 = expected.detach().double().to(got64.device)
    if got64.numel() == 0:
        return
    if bool(torch.allclose(got64, exp64, atol=atol, rtol=rtol, equal_nan=True)):
        return
    named = confirmed_mistake(got64, exp64, mistakes, neighbours, atol=atol, rtol=rtol)
    if named is not None:
        fail(f"{what}: {named}{where}", _detail(got64, exp64))
    bad_nonfinite = ~torch.isfinite(got64) & torch.isfinite(exp64)
    if bool(bad_nonfinite.any()):
        i = int(bad_nonfinite.flatten().nonzero()[0])
        fail(
            f"{what} has {_fmt_num(got64.flatten()[i].item())} at {_index(i, got.shape)} where "
            f"{_fmt_num(exp64.flatten()[i].item())} is expected{where}",
            _detail(got64, exp64, i),
        )
    diff = (got64 - exp64).abs().nan_to_num(nan=math.inf)
    i = int(diff.flatten().argmax())
    rel = diff / exp64.abs().clamp_min(1e-12)
    j = int(rel.flatten().argmax())
    fail(
        f"{what} is wrong{where}: largest error {_fmt_num(diff.flatten()[i].item())} at "
        f"{_index(i, got.shape)} (expected {_fmt_num(exp64.flatten()[i].item())}, got "
        f"{_fmt_num(got64.flatten()[i].item())}); largest relative error "
        f"{_fmt_num(rel.flatten()[j].item())} at {_index(j, got.shape)}",
        _detail(got64, exp64, i),
    )


def confirmed_mistake(
    got: torch.Tensor,
    expected: torch.Tensor,
    mistakes: Mapping[str, torch.Tensor] | None,
    neighbours: Mapping[str, torch.Tensor] | Iterable[torch.Tensor] | None = None,
    *,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> str | None:
    """The message of the one mistake that ``got`` is confirmed to make, or None.

    A named message that is wrong is worse than a generic one, so a mistake is named only when all
    of these hold on the check's inputs:

    - ``got`` matches the mistake's wrong reference within tolerance;
    - that reference differs from the correct result (the mistake shows on these inputs);
    - no other listed mistake or neighbour that differs from the correct result matches ``got``
      too (otherwise the inputs cannot tell the two apart, and the check falls back to the generic
      explanation: shapes, largest error and where).

    Checks choose inputs on which a mistake and its neighbours differ (batch size unlike the number
    of heads, unequal lengths, ...) so that the right one can be confirmed.
    """
    if not mistakes or got.device.type == "meta":
        return None
    got64 = got.detach().double()
    exp64 = expected.detach().double().to(got64.device)
    others = list(neighbours.values()) if isinstance(neighbours, Mapping) else list(neighbours or ())
    candidates = [(message, wrong) for message, wrong in mistakes.items()] + [(None, wrong) for wrong in others]
    hits = []
    for message, wrong in candidates:
        if not _is_tensor(wrong) or tuple(wrong.shape) != tuple(got64.shape) or wrong.device.type == "meta":
            continue
        if _matches(exp64, wrong, atol, rtol):
            continue  # the mistake does not show on these inputs: it cannot be confirmed here
        if _matches(got64, wrong, atol, rtol):
            hits.append(message)
    return hits[0] if len(hits) == 1 else None


def _detail(got: torch.Tensor, exp: torch.Tensor, flat_index: int | None = None) -> str:
    if flat_index is None:
        diff = (got - exp).abs().nan_to_num(nan=math.inf)
        flat_index = int(diff.flatten().argmax()) if diff.numel() else 0
    label, exp_row = _slice_at(exp, flat_index)
    _, got_row = _slice_at(got, flat_index)
    return f"expected{label} = {_fmt_row(exp_row)}\ngot{label}      = {_fmt_row(got_row)}"
