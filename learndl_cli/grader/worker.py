"""The child side: the only process that ever runs the learner's code.

``child_main`` sets the child up (own session and process group, scratch working directory,
scrubbed environment, inherited descriptors closed, output captured in a capped file, resource
limits, forbidden-call traps), imports the learner's file, reports which required names are missing,
then answers probe requests until the parent closes the pipe. Every answer is plain data (see
``protocol``); the verdict is decided by the parent, never here.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

from .boot import frozen

with frozen():  # torch, for a spawned worker (see boot)
    from . import forbid, limits, protocol

READY = "ready"


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


def _setup(spec: dict, keep: tuple[int, ...], forked: bool) -> None:
    if forked:
        os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # Close everything inherited (the parent's database, other pipes) but our two pipe ends.
    lo = 3
    for fd in sorted(keep):
        if fd > lo:
            os.closerange(lo, fd)
        lo = max(lo, fd + 1)
    os.closerange(lo, 1 << 16)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(spec["scratch"])
    out = os.open(os.path.join(spec["scratch"], "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
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
    from .api import CheckFailed

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


WARM_META = "__learndl_warm_meta__"


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


def serve(spec: dict, req_fd: int, resp_fd: int) -> None:
    import torch

    learner_path = spec["learner_path"]
    checks = sys.modules.get(spec["checks_module"])
    if checks is None or getattr(checks, "__file__", None) != spec["checks_path"]:
        checks = _load_module(spec["checks_module"], spec["checks_path"])
    if spec.get("traps", True):
        forbid.install(spec["forbid"], learner_path)
    try:
        module = _load_module(spec["module_name"], learner_path)
    except BaseException as exc:
        info = describe_exception(exc, learner_path)
        info["phase"] = "import"
        _send(resp_fd, info)
        return
    missing = [name for name in spec["implements"] if not hasattr(module, name)]
    _send(resp_fd, {"kind": READY, "missing": missing, "forbidden": list(forbid.HITS)})
    device = spec.get("device", "cpu")
    while True:
        data = protocol.read_blocking(req_fd)
        if data is None:
            return
        request = protocol.loads(data)
        run_device = request.get("device", device)
        if request.get("probe") == WARM_META:  # grader work, not the learner's: not timed against it
            try:
                warm_meta()
                reply = {"kind": "ok", "value": None, "forbidden": list(forbid.HITS)}
            except BaseException as exc:
                reply = describe_exception(exc, learner_path)
            _send(resp_fd, reply)
            continue
        try:
            probe = getattr(checks, request["probe"])
            args = _to_device(protocol.from_plain(request["args"]), run_device)
            kwargs = _to_device(protocol.from_plain(request["kwargs"]), run_device)
            value = probe(module, *args, **kwargs)
            if run_device == "cuda":
                torch.cuda.synchronize()
            reply = {"kind": "ok", "value": value, "forbidden": list(forbid.HITS)}
        except BaseException as exc:
            reply = describe_exception(exc, learner_path)
        _send(resp_fd, reply)


def child_main(spec: dict, req_fd: int, resp_fd: int, *, forked: bool) -> None:
    """Run the child. After fork it never returns: it ends with ``os._exit``."""
    code = 0
    try:
        _setup(spec, (req_fd, resp_fd), forked)
        serve(spec, req_fd, resp_fd)
    except BaseException:
        code = 70
    if forked:
        os._exit(code)


def main(argv: list[str]) -> None:
    """Entry point of a *spawned* worker: ``python -m learndl_cli.grader.worker SPEC REQ_FD RESP_FD``.

    Used for CUDA, which cannot be initialised again in a forked child. The parent started it in
    its own session (``start_new_session``) with only the two pipe ends open.
    """
    import json
    import warnings

    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    import torch

    torch.set_num_threads(1)
    spec = json.loads(argv[0])
    child_main(spec, int(argv[1]), int(argv[2]), forked=False)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
