"""Forbidden shortcuts at the op level: ATen ops the learner's code may not reach (child side).

An exercise's ``forbid_ops`` (``aten::_softmax``, ``aten::native_dropout``, the fused attention
kernels, …) are named without overload. Before the learner's file is imported, the child registers,
through ``torch.library``, a kernel for every overload of each such op on the CPU, CUDA and Meta
dispatch keys, in place of torch's own: it records the name and raises ``ForbiddenCall``. Whatever
Python route led there (an alias, ``torch.ops.aten``, ``operator.attrgetter``, ``functools.partial``,
``eval`` of an encoded string, a tensor rebuilt from numpy, a worker thread, inference mode), the
dispatcher ends in that kernel. Every other op runs torch's own kernel at full speed.

This runs inside the learner's own process, beside their code: it is a learning aid that makes the
honest route the easy one, not a security boundary. The boundary is the process split
(``zygote``, ``sandbox``): nothing here decides a verdict except by sending a name back.
"""

from __future__ import annotations

import warnings

from .forbid import HITS, ForbiddenCall

DISPATCH_KEYS = ("CPU", "CUDA", "Meta")
_libraries: list = []  # registrations last as long as their Library object


def _kernel(name: str):
    def forbidden(*args, **kwargs):
        HITS.append(name)
        raise ForbiddenCall(name)

    return forbidden


def install(forbidden) -> list[str]:
    """Make each op in ``forbidden`` raise in this process. Returns the overloads replaced."""
    if not forbidden:
        return []
    import torch

    library = torch.library.Library("aten", "IMPL")
    _libraries.append(library)
    replaced = []
    with warnings.catch_warnings():  # "overriding a previously registered kernel": that is the point
        warnings.simplefilter("ignore")
        for name in forbidden:
            namespace, _, op = name.partition("::")
            packet = getattr(getattr(torch.ops, namespace, None), op, None) if op else None
            if packet is None or namespace != "aten":
                continue
            for overload in packet.overloads():
                qualified = op if overload == "default" else f"{op}.{overload}"
                for key in DISPATCH_KEYS:
                    try:
                        library.impl(qualified, _kernel(name), key)
                    except (RuntimeError, ValueError):
                        continue
                replaced.append(qualified)
    return replaced


def warm() -> None:
    """Load torch.library's Python side once (the zygote does, before any fork), registering nothing."""
    import torch

    torch.library.Library("aten", "IMPL")._destroy()
