"""The clean, pre-warmed parent of every child that runs a learner's code.

A grading process (``learndl check``, the drill loop, ``check --all`` workers) starts one zygote:
a fresh interpreter (``python -m learndl_cli.grader.zygote``) that imports torch and the small
child-side modules (``worker``, ``protocol``, ``forbid``, ``ops``, ``limits``, ``sandbox``) and
nothing else. It never sees an exercise's checks, the references, the solutions, the CLI's
objects or the data dir: it starts in ``/`` with a scrubbed environment, and what it is asked to
run arrives as plain data. It warms torch (and, when asked, the meta kernels) before forking, so
no child can spend or stall that work, and forks one child per grade (``worker.child_main``).

The grading process talks to it over a Unix stream socket, one length-prefixed JSON message per
request, in order; the child's pipe ends and output file travel with a ``fork`` request as passed
descriptors. Requests:

- ``fork``  ``{spec}`` + 3 descriptors → ``{"pid"}``
- ``warm``  load the meta kernels → ``{"warm": true}``
- ``reap``  ``{pid, wait_s}``: wait up to ``wait_s`` for the child to exit, then SIGKILL its
  group; reap it and every orphan it left (the zygote is a *child subreaper*, so a double-forked
  descendant is re-parented here and killed) → ``{"status"}`` (a ``waitpid`` status)

The zygote dies with the grading process (``PR_SET_PDEATHSIG``, and end of file on the socket)
and takes its children with it; a scratch root left by a killed grading process is removed by the
next one (``_remove_stale``). The client (``Zygote``) gives every exchange a deadline: a zygote
that stops answering is killed, and with it every child.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

MAX_MESSAGE = 64 << 20
START_S = 120.0  # a cold zygote imports torch
WARM_S = 120.0  # the meta kernels: about a second, more on a loaded machine
REPLY_S = 10.0  # a fork or a reap takes milliseconds; a zygote silent this long is stuck
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


class ZygoteError(Exception):
    """The zygote did not answer in time, or is gone."""


def write_message(sock: socket.socket, message: dict, fds=()) -> None:
    """One message: a 4-byte length, then JSON; ``fds`` travel with its first byte (SCM_RIGHTS)."""
    data = json.dumps(message).encode()
    frame = struct.pack("<I", len(data)) + data
    sent = socket.send_fds(sock, [frame], list(fds)) if fds else sock.send(frame)
    if sent < len(frame):
        sock.sendall(frame[sent:])


def _read_exact(sock: socket.socket, n: int, deadline: float | None, first: bytes = b"") -> bytes:
    data = first
    while len(data) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise TimeoutError()
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError()
        data += chunk
    return data


def read_message(sock: socket.socket, deadline: float | None = None) -> tuple[dict, list[int]]:
    """One message and the descriptors that came with it (``deadline``: TimeoutError after it)."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            raise TimeoutError()
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 8)
    if not head:
        raise EOFError()
    (size,) = struct.unpack("<I", _read_exact(sock, 4, deadline, head))
    if size > MAX_MESSAGE:
        raise ValueError("message too large")
    return json.loads(_read_exact(sock, size, deadline)), fds


# ------------------------------------------------------------------------------------------ client

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Zygote:
    """The grading process's handle on its zygote (one per process: see ``get``)."""

    def __init__(self):
        self.owner = os.getpid()
        import tempfile

        # Every grade's scratch dir is made in here (the only place a child may write).
        _remove_stale(tempfile.gettempdir())
        self.scratch_root = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{self.owner}-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_PARENT, os.environ.get("PYTHONPATH")]))}
        for key in ("PYTORCH_NVML_BASED_CUDA_CHECK", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "LEARNDL_SANDBOX"):
            if key in os.environ:
                env[key] = os.environ[key]
        self.process = subprocess.Popen(
            [sys.executable, "-s", "-m", "learndl_cli.grader.zygote", str(theirs.fileno()), self.scratch_root],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, cwd="/", env=env,
        )
        theirs.close()
        self.sock = ours
        self.up = False
        self.warm = False
        self.warming = False
        self.dead = False
        self.pending: list[str] = []  # replies still to read, in order

    # -- talking

    def _send(self, message: dict, fds=()) -> None:
        if self.dead:
            raise ZygoteError("the grading worker is gone")
        try:
            os.kill(self.process.pid, signal.SIGCONT)  # a child without seccomp may have stopped it
            ready = select.select([], [self.sock], [], REPLY_S)[1]
            if not ready:
                self.stop(kill=True)
                raise ZygoteError("the grading worker is not taking requests")
            write_message(self.sock, message, fds)
        except OSError as exc:
            self.stop()
            raise ZygoteError(f"the grading worker is gone ({exc})") from None
        self.pending.append(message["op"])

    def _receive(self, deadline: float) -> dict:
        while True:
            try:
                message, _fds = read_message(self.sock, deadline)
            except TimeoutError:
                self.stop(kill=True)
                raise ZygoteError("the grading worker stopped answering") from None
            except (OSError, EOFError, ValueError):
                self.stop()
                raise ZygoteError("the grading worker is gone") from None
            if message.get("op") == "up":
                self.up = True
                continue
            self.pending.pop(0)
            if message.get("op") == "warm":
                self.warm, self.warming = True, False
            return message

    def _until(self, op: str, deadline: float) -> dict:
        while True:
            message = self._receive(deadline)
            if message.get("op") == op:
                return message

    def _deadline(self, seconds: float) -> float:
        return time.monotonic() + seconds + (0 if self.up else START_S)

    def fork(self, spec: dict, fds, while_waiting=None) -> int:
        self._send({"op": "fork", "spec": spec}, fds)
        if while_waiting is not None:
            while_waiting()
        return int(self._until("fork", self._deadline(REPLY_S))["pid"])

    def start_warming(self) -> None:
        if not self.warm and not self.warming:
            self._send({"op": "warm"})
            self.warming = True

    def wait_warm(self) -> None:
        self.start_warming()
        if not self.warm:
            self._until("warm", self._deadline(WARM_S))

    def reap(self, pid: int, wait_s: float = 0.0) -> int:
        self._send({"op": "reap", "pid": pid, "wait_s": wait_s})
        return int(self._until("reap", self._deadline(wait_s + REPLY_S))["status"])

    # -- ending

    def stop(self, kill: bool = False) -> None:
        """Close the socket (the zygote then kills its children and exits) and wait for it;
        ``kill``: a stuck zygote is killed at once (its children die with it: PR_SET_PDEATHSIG)."""
        if self.dead:
            return
        self.dead = True
        try:
            self.sock.close()
        except OSError:
            pass
        if kill:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        import shutil

        shutil.rmtree(self.scratch_root, ignore_errors=True)


SCRATCH_PREFIX = "learndl-grader-"


def _remove_stale(tmp: str) -> None:
    """Scratch roots of grading processes that are gone (killed before they could clean up)."""
    import shutil

    try:
        entries = [e for e in os.scandir(tmp) if e.name.startswith(SCRATCH_PREFIX) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for entry in entries:
        owner = entry.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if not owner.isdigit() or entry.stat(follow_symlinks=False).st_uid != os.getuid():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except PermissionError:
            continue


_zygote: Zygote | None = None


def get() -> Zygote:
    """This process's zygote, started on first use (a forked copy of a grading process gets its own)."""
    global _zygote
    if _zygote is None or _zygote.owner != os.getpid() or _zygote.dead:
        _zygote = Zygote()
    return _zygote


def _stop_at_exit() -> None:
    if _zygote is not None and _zygote.owner == os.getpid():
        _zygote.stop()


atexit.register(_stop_at_exit)


# ------------------------------------------------------------------------------------------ server


def _prctl(option: int, value: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _children() -> list[int]:
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _kill(pid: int) -> None:
    for send in (os.killpg, os.kill):
        try:
            send(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int, wait_s: float, live: set[int]) -> int:
    """Wait up to ``wait_s`` for ``pid`` to exit, kill its group, reap it and any orphans."""
    deadline = time.monotonic() + wait_s
    status = None
    while time.monotonic() < deadline:  # WNOWAIT: it stays a zombie, so its pid is not reused
        try:
            if hasattr(os, "waitid"):
                if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    break
            else:  # macOS: no waitid; reap it now
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
                    break
        except ChildProcessError:
            break
        time.sleep(0.002)
    if status is None:
        _kill(pid)
        try:
            status = os.waitpid(pid, 0)[1]
        except ChildProcessError:
            status = 0
    live.discard(pid)
    _sweep(live)
    return status


def _sweep(live: set[int]) -> None:
    """Kill and reap every child that is not a grade's child: orphans re-parented to us."""
    for _ in range(100):
        while True:
            try:
                done, _st = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                done = 0
            if not done:
                break
            live.discard(done)
        strays = [p for p in _children() if p not in live]
        if not strays:
            return
        for pid in strays:
            _kill(pid)
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def serve(sock: socket.socket, scratch_root: str) -> None:
    from .boot import frozen

    with frozen():
        import warnings

        warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
        import torch

        torch.set_num_threads(1)
        from . import worker

        worker.prepare_zygote()
        from . import sandbox

        sandbox.prepare(scratch_root, "cpu")
    write_message(sock, {"op": "up"})
    live: set[int] = set()
    try:
        _loop(sock, scratch_root, live, worker, sandbox)
    finally:  # end of input: no child stays behind
        for pid in list(live):
            _kill(pid)
        _sweep(set())


def _loop(sock: socket.socket, scratch_root: str, live: set[int], worker, sandbox) -> None:
    while True:
        try:
            message, fds = read_message(sock)
        except (OSError, EOFError, ValueError):
            return
        op = message.get("op")
        if op == "fork":
            spec = message["spec"]
            keep = sandbox.prepare(scratch_root, spec.get("device", "cpu"))
            pid = os.fork()
            if pid == 0:
                try:
                    sock.close()
                    worker.child_main(spec, *fds[:3], keep=keep)
                finally:
                    os._exit(70)
            for fd in fds:
                os.close(fd)
            live.add(pid)
            reply = {"op": "fork", "pid": pid}
        elif op == "warm":
            worker.warm_meta()
            reply = {"op": "warm", "warm": True}
        elif op == "reap":
            reply = {"op": "reap", "status": _reap(int(message["pid"]), float(message.get("wait_s", 0)), live)}
        else:
            reply = {"op": op, "error": "unknown request"}
        write_message(sock, reply)


def main(argv: list[str]) -> None:
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    sock = socket.socket(fileno=int(argv[0]))
    if os.getppid() == 1:
        os._exit(0)
    try:
        serve(sock, argv[1])
    finally:
        import shutil

        shutil.rmtree(argv[1], ignore_errors=True)
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
