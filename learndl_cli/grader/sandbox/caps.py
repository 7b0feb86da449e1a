"""Dropping capabilities (ctypes on ``capset``/``prctl``; no library wraps this small thing).

A child of a grade that runs as root keeps uid 0 but loses every capability: it can no longer
override file permissions, kill or trace other users' processes, mount, or load modules. As an
ordinary user there is nothing to drop (except ambient capabilities, which ``capset`` clears too).
"""

from __future__ import annotations

import ctypes
import os

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAP_LAST = 63


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return libc


def held() -> int:
    """This process's permitted capabilities, as a bit mask (``capget``); -1 if unknown."""
    try:
        libc = _libc()
    except OSError:
        return -1
    header = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        return -1
    return data[0].permitted | (data[1].permitted << 32) | data[0].effective | (data[1].effective << 32)


def drop() -> bool:
    """Drop the bounding, ambient, effective, permitted and inheritable sets. True when this
    process holds no capability afterwards."""
    try:
        libc = _libc()
    except OSError:
        return False
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(CAP_LAST + 1):  # needs CAP_SETPCAP; EINVAL past the last one the kernel knows
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break
    header = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        return False
    return held() == 0
