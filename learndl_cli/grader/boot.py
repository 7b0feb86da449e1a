"""Loading torch, and later its meta kernels, into a grading process without paying the GC for it.

``import torch`` makes about 300k objects, and the first meta operation (``torch._dynamo``, sympy)
another 150k. All of them live as long as the process, yet the cyclic garbage collector scans them
again and again while they are being made, and once more at interpreter exit: together about a
second of a cold ``learndl check``. So they are made with the collector paused and then frozen
(``gc.freeze``: kept out of every later collection, as the ``gc`` docs advise for a process that
forks workers). What torch computes does not change; only garbage cycles that exist at the freeze
are never reclaimed.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def frozen():
    """Run the block with the cyclic GC paused, then freeze every object tracked so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
