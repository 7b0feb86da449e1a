"""The child side: the only process that ever runs the learner's code.

The zygote forks it; ``child_main`` sets it up (own session and process group, scratch working
directory, scrubbed environment, inherited descriptors closed, output into a capped file the
parent holds, resource limits, then ``sandbox.confine``: capabilities, Landlock, seccomp), runs
the probes' source the parent sent (never checks.py), installs the forbidden-call traps, imports
the learner's file (a copy in the scratch dir), reports which required names are missing, then
answers probe requests until the parent closes the pipe; the exercise's forbidden ATen ops raise
whenever they are reached (``ops``). Every answer is plain data (see ``protocol``); the verdict is decided by
the parent, never here.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

from .boot import frozen

with frozen():  # torch (see boot)
    from . import api, forbid, limits, ops, protocol, sandbox

READY = "ready"
CONFINED = "confined"


class _CappedWriter:
    """sys.stdout/sys.stderr for the child: keeps the first OUTPUT_LIMIT bytes, drops the rest."""

    def __init__(self, fd: int):
        self._fd = fd
        self._left = limits.OUTPUT_LIMIT // 2
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text) -> int:
        text = str(text)
        if self._left > 0:
            data = text.encode("utf-8", "replace")[: self._left]
            self._left -= len(data)
            try:
                os.write(self._fd, data)
            except OSError:
                self._left = 0
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd


def _setup(spec: dict, req_fd: int, resp_fd: int, out_fd: int, keep: tuple[int, ...] = ()) -> tuple[int, int]:
    """Everything before the learner's code: own session, descriptors, limits, confinement.
    Returns the pipe ends, renumbered above the standard descriptors."""
    os.setsid()  # its own session and process group (seccomp forbids leaving it later)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    req, resp = os.dup(req_fd), os.dup(resp_fd)
    # Close everything else inherited (the zygote's socket, the originals) but our two pipe ends
    # and what the sandbox prepared (the Landlock ruleset, closed once applied).
    lo = 3
    for fd in sorted({req, resp, *keep}):
        if fd > lo:
            os.closerange(lo, fd)
        lo = max(lo, fd + 1)
    os.closerange(lo, 1 << 16)
    os.chdir(spec["scratch"])
    sys.stdout = _CappedWriter(1)
    sys.stderr = _CappedWriter(2)
    home = spec["scratch"]
    os.environ.clear()
    os.environ.update(
        {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}
    )
    limits.apply(
        spec.get("memory_limit_mb"),
        address_space=spec.get("device") != "cuda",
        cpu_seconds=int(spec.get("time_limit") or 10) * 2 + 5,
    )
    if spec.get("device") == "cuda":  # initialise CUDA before the sandbox closes /dev and /proc
        import torch

        torch.zeros(1, device="cuda")
    spec["isolation"] = sandbox.confine(device=spec.get("device", "cpu"))
    return req, resp


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a learner's exception whose __str__ fails
        text = ""
    return text[:600]


def _is_raise(path: str, line: int | None) -> bool:
    """Whether the learner's line is itself a ``raise`` (a TODO stub), not torch raising inside a call."""
    import linecache

    return bool(line) and linecache.getline(path, line).lstrip().startswith("raise")


def describe_exception(exc: BaseException, learner_path: str) -> dict:
    line = None
    innermost_is_learner = False
    innermost = ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        innermost = frame.f_code.co_filename
        innermost_is_learner = frame.f_code.co_filename == learner_path
        if innermost_is_learner:
            line = lineno
    if isinstance(exc, SyntaxError) and exc.filename == learner_path:
        line = exc.lineno
    CheckFailed = api.CheckFailed
    info = {
        "kind": "raised",
        "type": type(exc).__name__,
        "message": _safe_str(exc),
        "line": line,
        "not_implemented": isinstance(exc, NotImplementedError) and innermost_is_learner and _is_raise(learner_path, line),
        "forbidden": list(forbid.HITS),
        "memory": isinstance(exc, MemoryError) or "can't allocate memory" in _safe_str(exc),
        "exit": isinstance(exc, SystemExit),
        "in_probe": os.path.basename(innermost) == "checks.py",
    }
    if isinstance(exc, CheckFailed):
        info["kind"] = "check_failed"
        info["message"] = exc.message
        info["detail"] = exc.detail
    return info


def _send(fd: int, message: dict) -> None:
    try:
        payload = protocol.dumps(protocol.to_plain(message))
    except BaseException as exc:  # a result that cannot be saved
        payload = protocol.dumps({"kind": "raised", "type": type(exc).__name__, "message": "your result could not be sent back: " + _safe_str(exc)[:200], "line": None, "not_implemented": False, "forbidden": list(forbid.HITS), "memory": False, "exit": False})
    protocol.write_frame(fd, payload)


def _to_device(obj, device: str):
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.to(device) if device != "cpu" else obj
    if isinstance(obj, list):
        return [_to_device(v, device) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_to_device(v, device) for v in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def warm_meta() -> None:
    """Load torch's Python meta kernels (the first meta op imports torch._dynamo: about a second)."""
    import torch

    with frozen():  # what this loads lives as long as the process (see boot)
        x = torch.empty(2, 3, device="meta", requires_grad=True)
        (torch.exp(x - x.max(dim=-1, keepdim=True).values) @ torch.empty(3, 2, device="meta")).sum().backward()


def _load_module(name: str, path: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _probes(spec: dict) -> dict:
    """The probes (and the code they use), executed from the text the parent sent: the child
    never imports checks.py (see ``probes``)."""
    namespace = {"__name__": "learndl_probes", "__builtins__": __builtins__}
    exec(compile(spec["probes_source"], spec.get("probes_filename", "checks.py"), "exec"), namespace)
    return namespace


def serve(spec: dict, req_fd: int, resp_fd: int) -> None:
    import torch

    learner_path = spec["learner_path"]
    # What confines this child, said before any of the learner's code runs (so it cannot be forged).
    _send(resp_fd, {"kind": CONFINED, "isolation": spec.get("isolation") or {}})
    probes = _probes(spec)
    if spec.get("traps", True):
        forbid.install(spec["forbid"], learner_path)
    ops.install(spec.get("forbid_ops") or ())
    try:
        module = _load_module(spec["module_name"], learner_path)
    except BaseException as exc:
        info = describe_exception(exc, learner_path)
        info["phase"] = "import"
        _send(resp_fd, info)
        return
    # An entry "A|B" is met by either name (the book's English and Chinese editions name some classes differently).
    missing = [" or ".join(names) for names in (entry.split("|") for entry in spec["implements"])
               if not any(hasattr(module, name) for name in names)]
    _send(resp_fd, {"kind": READY, "missing": missing, "forbidden": list(forbid.HITS)})
    device = spec.get("device", "cpu")
    while True:
        data = protocol.read_blocking(req_fd)
        if data is None:
            return
        request = protocol.loads(data)
        run_device = request.get("device", device)
        try:
            probe = probes[request["probe"]]
            args = _to_device(protocol.from_plain(request["args"]), run_device)
            kwargs = _to_device(protocol.from_plain(request["kwargs"]), run_device)
            value = probe(module, *args, **kwargs)
            if run_device == "cuda":
                torch.cuda.synchronize()
            reply = {"kind": "ok", "value": value, "forbidden": list(forbid.HITS)}
        except BaseException as exc:
            reply = describe_exception(exc, learner_path)
        _send(resp_fd, reply)


def child_main(spec: dict, req_fd: int, resp_fd: int, out_fd: int, *, keep: tuple[int, ...] = ()) -> None:
    """Run the child (forked by the zygote). Never returns: it ends with ``os._exit``."""
    code = 0
    try:
        req, resp = _setup(spec, req_fd, resp_fd, out_fd, keep)
        serve(spec, req, resp)
    except BaseException:
        code = 70
    os._exit(code)


def prepare_zygote() -> None:
    """Everything a child needs, loaded once in the zygote before any fork: after the sandbox
    closes the filesystem, the child can import only from the Python installation."""
    import importlib.util  # noqa: F401  (used by _load_module)
    import linecache  # noqa: F401
    import torch

    x = torch.randn(64, 64, requires_grad=True)  # CPU kernels, cpuinfo, the autograd engine
    (torch.exp(x - x.max(dim=-1, keepdim=True).values) @ x).sum().backward()
    # The transport both ways (the weights-only unpickler builds its tables on first use).
    message = {"kind": "ok", "value": (x.detach(), [1, 2.0, "x", None, True], {"m": torch.zeros(2, dtype=torch.int64)}),
               "forbidden": []}
    protocol.from_plain(protocol.loads(protocol.dumps(protocol.to_plain(message))))
    ops.warm()
    try:
        raise ValueError("warm-up")
    except ValueError as exc:
        describe_exception(exc, "")
    sandbox.fs.readable_roots("cpu")
    sandbox.syscalls.available()
    sandbox.caps.is_root()
