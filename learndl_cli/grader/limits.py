"""Resource limits for the child that runs the learner's code (applied in the child, after fork).

- ``RLIMIT_AS``: the address space the child may add to what it inherited (the parent already maps
  torch), so a memory bomb gets ``MemoryError`` / "can't allocate memory" instead of taking the
  machine. Not set for CUDA workers: the CUDA driver maps huge virtual ranges.
- ``RLIMIT_NPROC``: few processes (a fork storm fails; root ignores it, so the parent also kills
  the child's whole process group).
- ``RLIMIT_FSIZE``: files the child writes (its captured output included) stay small.
- ``RLIMIT_CORE``: no core dumps.
- ``RLIMIT_CPU`` and ``PR_SET_PDEATHSIG``: backstops for when the grading parent itself is killed
  (Ctrl-C, kill -9): the child then dies with it, or at the latest when its CPU time runs out, so
  no endless loop outlives the grade.
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


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the line above: nobody is waiting for us
        os._exit(1)


def apply(memory_limit_mb: int | None, *, address_space: bool = True, cpu_seconds: int | None = None) -> None:
    _die_with_parent()
    if cpu_seconds:
        _set(resource.RLIMIT_CPU, cpu_seconds)
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_FSIZE, OUTPUT_LIMIT)
    if os.getuid() != 0:
        _set(resource.RLIMIT_NPROC, _user_tasks() + NPROC_EXTRA)
    if address_space and memory_limit_mb:
        _set(resource.RLIMIT_AS, _vm_size_bytes() + int(memory_limit_mb) * 1024 * 1024)
