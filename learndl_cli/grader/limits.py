"""Resource limits for the child that runs the learner's code (applied in the child, after fork).

- ``RLIMIT_AS``: the address space the child may add to what it inherited (the parent already maps
  torch), so a memory bomb gets ``MemoryError`` / "can't allocate memory" instead of taking the
  machine. Not set for CUDA workers: the CUDA driver maps huge virtual ranges.
- ``RLIMIT_NPROC``: few processes (a fork storm fails; root ignores it, so the parent also kills
  the child's whole process group).
- ``RLIMIT_FSIZE``: files the child writes (its captured output included) stay small.
- ``RLIMIT_CORE``: no core dumps.
"""

from __future__ import annotations

import os
import resource

OUTPUT_LIMIT = 1024 * 1024  # bytes of stdout/stderr kept, and the largest file the child may write
NPROC_EXTRA = 8


def _vm_size_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _set(which: int, value: int) -> None:
    try:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass


def _user_tasks() -> int:
    uid = os.getuid()
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry.name}/task"))
                except OSError:
                    continue
    except OSError:
        return 0
    return count


def apply(memory_limit_mb: int | None, *, address_space: bool = True) -> None:
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_FSIZE, OUTPUT_LIMIT)
    if os.getuid() != 0:
        _set(resource.RLIMIT_NPROC, _user_tasks() + NPROC_EXTRA)
    if address_space and memory_limit_mb:
        _set(resource.RLIMIT_AS, _vm_size_bytes() + int(memory_limit_mb) * 1024 * 1024)
