"""Process, network and signal confinement with seccomp (libseccomp through ``pyseccomp``).

The filter allows everything except (each fails with ``EPERM``, so the learner's code gets a
Python ``OSError``/``RuntimeError`` and a clear verdict, never a silent kill):

- new processes and threads: ``fork``, ``vfork``, ``clone`` (CPU grades: all of it, so no code
  runs outside the one thread the op recorder watches; CUDA grades: threads only), ``clone3``
  (``ENOSYS``, so the C library falls back to ``clone``), ``execve``/``execveat``;
- leaving the process group: ``setsid``, ``setpgid``;
- other processes: ``ptrace``, ``process_vm_readv``/``writev``, ``pidfd_*``, ``kcmp``, and every
  signal not addressed to this very process (``kill``/``tgkill``/``rt_*sigqueueinfo`` with another
  pid, ``tkill``);
- the network: ``socket``, ``socketpair``, and ``io_uring`` (which could reach them past seccomp);
- what Landlock does not cover: ``chmod``/``chown``/extended attributes/file times, ``mknod``,
  ``mount`` and friends, ``unshare``/``setns``, ``bpf``, ``perf_event_open``, ``userfaultfd``,
  ``keyctl``.

Without libseccomp (or on a kernel without seccomp) this layer is missing and ``status`` says so;
the process group kill and the subreaper (see ``zygote``) still remove what the child started.
"""

from __future__ import annotations

import errno
import functools
import os
import sys

CLONE_THREAD = 0x00010000

DENIED = (
    "fork", "vfork", "execve", "execveat", "setsid", "setpgid", "ptrace", "process_vm_readv",
    "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "kcmp", "tkill",
    "socket", "socketpair", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "utime", "utimes", "futimesat", "utimensat", "mknod", "mknodat",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount",
    "unshare", "setns", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
    "request_key", "name_to_handle_at", "open_by_handle_at", "acct", "swapon", "swapoff",
    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
)
SIGNALS_TO_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


@functools.lru_cache(1)
def _module():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import pyseccomp
    except Exception:  # no package, or no libseccomp.so.2 (pyseccomp loads it on import)
        return None
    return pyseccomp


def available() -> bool:
    if _module() is None:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return any(line.startswith("Seccomp:") for line in fh)
    except OSError:
        return True


def why_not() -> str:
    if not sys.platform.startswith("linux"):
        return f"seccomp is Linux only (this is {sys.platform})"
    if _module() is None:
        return "libseccomp or the pyseccomp package is missing (apt install libseccomp2)"
    return "this kernel has no seccomp filter support"


def prime() -> None:
    """Build (and drop) a filter once in the zygote, so each child builds its own quickly."""
    sc = _module()
    if sc is not None:
        try:
            flt = sc.SyscallFilter(defaction=sc.ALLOW)
            for name in DENIED + SIGNALS_TO_SELF + ("clone", "clone3"):
                try:
                    flt.add_rule(sc.ERRNO(errno.EPERM), name)
                except (OSError, ValueError, RuntimeError):
                    continue
        except Exception:
            pass


def restrict(*, device: str = "cpu") -> bool:
    """Load the filter into this process. True when it is in force."""
    sc = _module()
    if sc is None:
        return False
    deny = sc.ERRNO(errno.EPERM)
    try:
        flt = sc.SyscallFilter(defaction=sc.ALLOW)
        for name in DENIED:
            try:
                flt.add_rule(deny, name)
            except (OSError, ValueError, RuntimeError):  # not a syscall on this architecture
                continue
        if device == "cuda":  # the CUDA driver starts threads: allow clone for threads only
            flt.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        else:
            flt.add_rule(deny, "clone")
        flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        me = os.getpid()
        for name in SIGNALS_TO_SELF:  # the first argument is a pid: this process only
            try:
                flt.add_rule(deny, name, sc.Arg(0, sc.GT, me))
                flt.add_rule(deny, name, sc.Arg(0, sc.LT, me))
            except (OSError, ValueError, RuntimeError):
                continue
        flt.load()
        return True
    except Exception:  # a kernel that refuses the filter: reported as not applied
        return False
