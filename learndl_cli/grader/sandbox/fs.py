"""Filesystem confinement with Landlock (the ``landlock`` package).

The child may read the Python installation (standard library, site-packages) and the system
libraries, read and write the grading process's scratch root (each grade gets a fresh dir in it,
removed after the grade), and use ``/dev/null``, ``/dev/zero`` and ``/dev/urandom``. The ruleset
is built once in the zygote (``prepare``) and applied by each child (``restrict``). Everything else (the data dir with the database and settings, the workspace, the
exercises' checks, the solutions, learndl's own package, ``/proc``, ``/tmp``) cannot be opened,
created, removed, renamed or truncated. Landlock allows only; it cannot deny a part of an allowed
tree, so a readable root that contains learndl's package or content (a wheel installed into
site-packages) is allowed entry by entry around them (``readable_roots``).

Landlock needs no privileges (it sets ``no_new_privs``) and works as root too. Without it
(a kernel before 5.13, Landlock disabled, not Linux) the child runs without this layer and
``status`` says so.
"""

from __future__ import annotations

import functools
import os
import site
import sys
import sysconfig
from pathlib import Path

SYSTEM_LIBS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
CUDA_EXTRA = ("/dev", "/proc", "/sys", "/usr/share/nvidia", "/etc/ld.so.cache")


@functools.lru_cache(1)
def abi() -> int:
    """The Landlock ABI version of this kernel, 0 when there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        import landlock

        return int(landlock.landlock_abi_version())
    except Exception:  # no package, no syscall (ENOSYS), disabled at boot (EOPNOTSUPP)
        return 0


def why_not() -> str:
    if not sys.platform.startswith("linux"):
        return f"Landlock is Linux only (this is {sys.platform})"
    import importlib.util

    if importlib.util.find_spec("landlock") is None:
        return "the landlock package is not installed"
    return "this kernel has no Landlock (5.13+ with CONFIG_SECURITY_LANDLOCK, enabled at boot)"


def protected() -> list[str]:
    """learndl's package and content folders: never readable by the child."""
    from ... import paths

    package = Path(paths.__file__).resolve().parent
    return sorted({str(package), str(paths.exercises_dir().resolve()), str(paths.solutions_dir().resolve()),
                   str(paths.decks_dir().resolve())})


def _python_roots() -> list[str]:
    found = []
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=scheme_vars) if scheme_vars else sysconfig.get_paths()
        found += [paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    found += list(getattr(site, "getsitepackages", lambda: [])())
    user = getattr(site, "getusersitepackages", lambda: "")()
    # sys.path's package folders too (a PYTHONPATH install), never a source checkout on it.
    found += [user] + [p for p in sys.path if p and os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages", "lib-dynload")]
    return [p for p in found if p]


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _allow_around(root: str, avoid: list[str], out: list[str], depth: int = 0) -> None:
    if any(_under(root, p) for p in avoid):
        return
    if not any(_under(p, root) for p in avoid) or depth > 12:
        out.append(root)
        return
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False):
            _allow_around(entry.path, avoid, out, depth + 1)


@functools.lru_cache(4)
def readable_roots(device: str = "cpu") -> tuple[str, ...]:
    """What the child may read, computed once per process (the zygote does it before any fork)."""
    avoid = protected()
    out: list[str] = []
    wanted = _python_roots() + list(SYSTEM_LIBS) + (list(CUDA_EXTRA) if device == "cuda" else [])
    for root in dict.fromkeys(os.path.realpath(p) for p in wanted):
        if os.path.exists(root):
            _allow_around(root, avoid, out)
    return tuple(dict.fromkeys(out))


_prepared: dict[str, object] = {}


def prepare(scratch_root: str, device: str = "cpu") -> int | None:
    """Build the ruleset once, in the zygote, before any fork: read-only roots, the devices, and
    read-write ``scratch_root`` (the grading process makes each grade's scratch dir inside it and
    removes it after the grade). Returns the ruleset's descriptor (a child must keep it open until
    ``restrict``), or None without Landlock."""
    if abi() <= 0:
        return None
    if device in _prepared:
        return _prepared[device]._fd
    try:
        import ctypes

        import landlock
        from landlock import FSAccess

        read = FSAccess.READ_FILE | FSAccess.READ_DIR | FSAccess.EXECUTE
        ctypes.set_errno(0)  # the landlock package reads errno even when a call succeeds
        ruleset = landlock.Ruleset()
        for path in readable_roots(device):
            try:
                ctypes.set_errno(0)
                ruleset.allow(path, rules=read if os.path.isdir(path) else FSAccess.READ_FILE | FSAccess.EXECUTE)
            except OSError:
                continue
        devices = FSAccess.READ_FILE | FSAccess.WRITE_FILE
        if abi() >= 3:  # open("/dev/null", "w") truncates
            devices |= FSAccess.TRUNCATE
        if device == "cuda" and abi() >= 5:
            devices |= FSAccess.IOCTL_DEV
        for path in DEVICES + (("/dev",) if device == "cuda" else ()):
            if os.path.exists(path):
                ctypes.set_errno(0)
                ruleset.allow(path, rules=devices | (FSAccess.READ_DIR if os.path.isdir(path) else 0))
        ctypes.set_errno(0)
        ruleset.allow(scratch_root)
    except Exception:  # a kernel that refuses the ruleset: reported as not applied
        return None
    _prepared[device] = ruleset
    return ruleset._fd


def restrict(device: str = "cpu") -> bool:
    """Apply the prepared ruleset to this process (the child) for good. True when applied."""
    ruleset = _prepared.get(device)
    if ruleset is None:
        return False
    try:
        import ctypes

        # The landlock package reads errno even when a call succeeds: clear a stale one first.
        ctypes.set_errno(0)
        ruleset.apply()
        return True
    except Exception:
        return False
    finally:
        try:
            os.close(ruleset._fd)
        except OSError:
            pass
