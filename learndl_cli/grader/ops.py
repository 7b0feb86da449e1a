"""Forbidden shortcuts at the op level: which ATen ops a probe reaches (child side).

While a probe runs, a ``TorchDispatchMode`` sees every ATen op that reaches the dispatcher below
autograd, whatever Python route led there: an alias, ``torch.ops.aten``, ``operator.attrgetter``,
``functools.partial``, ``eval`` of an encoded string, a tensor rebuilt from numpy. (Threads do not
escape it either: a CPU grade's child cannot start one; see ``sandbox.syscalls``.) An exercise's
``forbid_ops`` (``aten::_softmax``, ``aten::native_dropout``, the fused attention kernels, …) are
matched by name, without overload (``aten::_softmax`` matches ``aten::_softmax.out``).

This runs inside the learner's own process, beside their code: it is a learning aid that makes the
honest route the easy one, not a security boundary. The boundary is the process split
(``zygote``, ``sandbox``): nothing here decides a verdict except by sending a name back.
"""

from __future__ import annotations

import contextlib

from torch.utils._python_dispatch import TorchDispatchMode

from .forbid import HITS, ForbiddenCall


class OpWatch(TorchDispatchMode):
    """Raise ``ForbiddenCall`` (and record the name) when a forbidden op is reached."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # no torch._dynamo around __torch_dispatch__: importing it costs seconds

    def __init__(self, forbidden):
        super().__init__()
        self.forbidden = frozenset(forbidden)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func._schema.name
        if name in self.forbidden:
            HITS.append(name)
            raise ForbiddenCall(name)
        return func(*args, **(kwargs or {}))


def watching(forbidden):
    """A context that watches for ``forbidden`` op names (a no-op context when there are none)."""
    return OpWatch(forbidden) if forbidden else contextlib.nullcontext()
