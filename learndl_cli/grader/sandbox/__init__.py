"""Confining the child that runs a learner's code, with what the operating system offers.

Applied in the child after it is forked and before the learner's file is imported, in this order:

- ``caps``      as root: drop every capability (root without capabilities cannot override file
                permissions, signal other users, mount or trace);
- ``fs``        Landlock (Linux 5.13+): read-only access to the Python installation and system
                libraries, read-write to the grade's scratch dir only; nothing of the data dir, the
                checks, the solutions or settings (the ``landlock`` package);
- ``syscalls``  seccomp (libseccomp through ``pyseccomp``): no new processes or threads, no exec,
                no sockets, no tracing or reading other processes' memory, no leaving the process
                group, signals only to itself, no chmod/chown/xattrs/times.

Each is applied when available; ``status()`` says what this machine gives (``learndl doctor``,
``check --json``'s ``isolation``). Nothing here claims a protection it did not apply.
"""

from __future__ import annotations

import os
import sys

from . import caps, fs, syscalls

OFF_ENV = "LEARNDL_SANDBOX"  # "off": no confinement (benchmarks measure its cost); status says so


_off_in_zygote = False


def switched_off() -> bool:
    return os.environ.get(OFF_ENV, "").lower() == "off"

MECHANISMS = ("filesystem", "processes", "network", "capabilities")


def status() -> dict:
    """What a grade on this machine gets: one entry per protection, each ``{"active", "by"}``,
    plus ``platform``. Cheap (no child is started)."""
    off = switched_off()
    landlock_abi = 0 if off else fs.abi()
    seccomp = not off and syscalls.available()
    why = f"switched off ({OFF_ENV}=off)" if off else ""
    return {
        "platform": sys.platform,
        "clean_worker": {"active": True, "by": "a pre-warmed worker process that never loads the checks, solutions or your data"},
        "filesystem": {"active": landlock_abi > 0,
                       "by": f"Landlock ABI {landlock_abi}" if landlock_abi else f"none ({why or fs.why_not()})"},
        "processes": {"active": seccomp, "by": "seccomp: no fork/exec/threads, signals only to itself" if seccomp
                      else f"process group kill and a subreaper only ({why or syscalls.why_not()})"},
        "network": {"active": seccomp, "by": "seccomp: no sockets" if seccomp else f"none ({why or syscalls.why_not()})"},
        "capabilities": {"active": not off, "by": why or ("dropped" if caps.is_root() else "none held (not root)")},
    }


def prepare(scratch_root: str, device: str = "cpu") -> tuple[int, ...]:
    """In the zygote, before forking: build what can be built once. Returns descriptors a child
    must keep open until ``confine``."""
    global _off_in_zygote
    _off_in_zygote = switched_off()  # the child's environment is scrubbed before it confines itself
    if _off_in_zygote:
        return ()
    syscalls.prime()
    fd = fs.prepare(scratch_root, device)
    return () if fd is None else (fd,)


def confine(*, device: str = "cpu") -> dict:
    """Apply every available mechanism to this process (the child). Returns what was applied,
    ``{name: bool}``; raises nothing a learner could cause (a failure is reported as not applied)."""
    applied = {"filesystem": False, "processes": False, "network": False, "capabilities": False}
    if _off_in_zygote or switched_off():
        return applied
    applied["capabilities"] = caps.drop()
    applied["filesystem"] = fs.restrict(device)
    ok = syscalls.restrict(device=device)
    applied["processes"] = applied["network"] = ok
    return applied
