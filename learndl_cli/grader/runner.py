"""The grading parent: runs an exercise's checks against a learner's file and decides the verdict.

One grade:

1. read the file; a syntax error or a forbidden shortcut (``forbid.scan``) ends it before any of
   the learner's code runs; copy it into a fresh scratch dir;
2. ask this process's zygote (a clean, pre-warmed interpreter that never sees the checks, the
   solutions or the data dir: ``zygote``) to fork one child; the child confines itself
   (``sandbox``: Landlock, seccomp, no capabilities), runs the probes' source it was sent
   (``probes``: never the checks or the references), imports the learner's copy and says which
   required names are missing;
3. run the ``test_*`` functions of the exercise's ``checks.py`` here, in order; each asks the child
   to run probes through ``Learner.run`` and judges the plain data that comes back; the first check
   that does not pass is explained and the rest are skipped;
4. if every check passed, run them again with the inputs on the ``meta`` device (portability). The
   meta kernels are warmed in the zygote, never in a child: a cold grade forks a second child
   from the warmed zygote for this pass;
5. kill the child's process group and have the zygote reap it and every orphan it left; only then
   is the verdict returned.

The verdict never depends on the child's exit code or output: only on values read back through
``protocol`` (``torch.load(weights_only=True)``). The child's time is budgeted (``time_limit``
seconds for all of its work), and every exchange, both ways, has that one deadline; when it runs
out the child is killed, so a child that ignores SIGTERM, loops, stops reading or sleeps still
yields a verdict within the limit.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import zygote
from .boot import frozen

zygote.get()  # start the clean worker now: it imports torch while this process does the same

with frozen():  # torch: made once, kept for the process's life (see boot)
    from . import api, probes, protocol, sandbox

PASS, FAIL, ERROR, TIMEOUT, SKIPPED = "pass", "fail", "error", "timeout", "skipped"
META_CHECK_ID = "portable_meta"
CUDA_STARTUP_S = 60.0  # a CUDA child initialises CUDA before the learner's code (not on its time)


@dataclass
class CheckResult:
    id: str
    status: str
    message: str = ""
    duration_ms: int = 0
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GradeResult:
    exercise: str
    status: str
    seed: int
    device: str
    duration_ms: int
    checks: list[CheckResult] = field(default_factory=list)
    output: str = ""
    file: str = ""
    isolation: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def first_problem(self) -> CheckResult | None:
        return next((c for c in self.checks if c.status not in (PASS, SKIPPED)), None)

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "status": self.status,
            "seed": self.seed,
            "device": self.device,
            "duration_ms": self.duration_ms,
            "checks": [c.to_dict() for c in self.checks],
            "isolation": self.isolation,
        }


class Verdict(Exception):
    """Ends a check with a status other than pass."""

    def __init__(self, status: str, message: str, detail: str = ""):
        super().__init__(message)
        self.status, self.message, self.detail = status, message, detail


# ------------------------------------------------------------------------------------------ devices


def resolve_device(requested: str) -> str:
    """``auto`` → cuda when available, else cpu. A cuda request without a GPU is a UserError."""
    from ..errors import UserError

    requested = (requested or "auto").lower()
    if requested not in ("auto", "cpu", "cuda"):
        raise UserError(f"unknown device '{requested}' (use auto, cpu or cuda)")
    import torch

    if requested == "cpu":
        return "cpu"
    available = torch.cuda.is_available()
    if requested == "cuda" and not available:
        raise UserError("--device cuda: no CUDA GPU is available here (torch.cuda.is_available() is False); use --device cpu")
    return "cuda" if available else "cpu"


def warm_meta() -> None:
    """Have the zygote load torch's Python meta kernels now (about a second, once), so that every
    child forked later runs its meta pass without paying for it."""
    zygote.get().wait_warm()


def prepare(*, meta: bool = False) -> None:
    """Make this process a good grading parent (idempotent): its zygote started (``meta``: and
    warmed, for a process that grades many times), one torch thread, no numpy warning noise."""
    import warnings

    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    import torch

    torch.set_num_threads(1)
    try:  # no /proc/PID/mem access to this process from a same-uid process
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass
    zygote.get()
    if meta:
        warm_meta()


def isolation_status() -> dict:
    """What protects a grade on this machine (``learndl doctor``; see ``sandbox.status``)."""
    return sandbox.status()


# ------------------------------------------------------------------------------------------ checks

_checks_cache: dict[str, tuple[float, Any]] = {}


def checks_module_name(exercise_name: str) -> str:
    return f"learndl_checks_{exercise_name}"


def load_checks(exercise) -> Any:
    """The exercise's checks.py as a module (cached while the file is unchanged)."""
    path = str(exercise.checks_path)
    mtime = os.stat(path).st_mtime_ns
    cached = _checks_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    name = checks_module_name(exercise.name)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _checks_cache[path] = (mtime, module)
    return module


_probes_cache: dict[str, tuple[int, tuple[str, list[str]]]] = {}


def probes_source(exercise) -> tuple[str, list[str]]:
    """What the child gets of checks.py: its probes and the code they use (see ``probes``)."""
    path = str(exercise.checks_path)
    mtime = os.stat(path).st_mtime_ns
    cached = _probes_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path, encoding="utf-8") as fh:
        found = probes.child_source(fh.read(), path)
    _probes_cache[path] = (mtime, found)
    return found


# ------------------------------------------------------------------------------------------ child


class Child:
    """One child of the zygote running the learner's file, with a time budget for all it does.

    Every exchange has the budget's deadline, both ways: reads wait with ``select``, the request
    pipe is non-blocking, so a child that stops reading a request cannot hold the parent either.
    """

    def __init__(self, spec: dict, budget_s: float, *, while_waiting: Callable[[], Any] | None = None):
        self.spec = spec
        self.budget = float(budget_s)
        self.status: int | None = None
        self.dead = False
        self.zygote = zygote.get()
        self.warm_at_fork = self.zygote.warm
        self.output = tempfile.TemporaryFile()
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        try:
            self.pid = self.zygote.fork(spec, (req_r, resp_w, self.output.fileno()), while_waiting)
        except zygote.ZygoteError as exc:
            for fd in (req_w, resp_r):
                os.close(fd)
            raise Verdict(ERROR, f"the grader could not start a worker for your code: {exc}") from None
        finally:
            os.close(req_r)
            os.close(resp_w)
        os.set_blocking(req_w, False)
        self.req, self.resp = req_w, resp_r
        self.isolation: dict = {}

    def _deadline(self, extra_s: float = 0.0) -> float:
        return time.monotonic() + max(self.budget, 0) + extra_s

    def _timeout(self) -> Verdict:
        self.budget = 0
        self.kill()
        limit = self.spec["time_limit"]
        return Verdict(TIMEOUT, f"your code ran longer than the {limit:g} s limit (an endless loop, or far too much work?)")

    # -- talking

    def receive(self, extra_s: float = 0.0) -> dict:
        start = time.monotonic()
        try:
            frame = protocol.read_frame(self.resp, self._deadline(extra_s))
        except protocol.ChannelTimeout:
            raise self._timeout() from None
        except protocol.ChannelClosed:
            raise Verdict(ERROR, self.death_message(), self.output_tail()) from None
        except protocol.BadFrame as exc:
            self.kill()
            raise Verdict(ERROR, f"your code sent back {exc}") from None
        finally:
            if self.budget > 0:
                self.budget -= max(0.0, time.monotonic() - start - extra_s)
        try:
            message = protocol.loads(frame)
        except protocol.BadFrame as exc:
            self.kill()
            raise Verdict(ERROR, f"your code sent back {exc}") from None
        if not isinstance(message, dict) or not isinstance(message.get("kind"), str):
            self.kill()
            raise Verdict(ERROR, "your code sent back something that is not a grader message")
        return message

    def confined(self) -> dict:
        """The child's first message, sent before any of the learner's code ran: what confines it."""
        extra = CUDA_STARTUP_S if self.spec.get("device") == "cuda" else 0.0
        message = self.receive(extra_s=extra)
        if message.get("kind") != "confined" or not isinstance(message.get("isolation"), dict):
            self.kill()
            raise Verdict(ERROR, "the grader's worker did not start properly")
        self.isolation = {str(k): bool(v) for k, v in message["isolation"].items()}
        return self.isolation

    def request(self, probe: str, args, kwargs, device: str):
        payload = protocol.dumps(
            {"probe": probe, "args": protocol.to_plain(list(args)), "kwargs": protocol.to_plain(dict(kwargs)), "device": device}
        )
        start = time.monotonic()
        try:
            protocol.write_frame(self.req, payload, self._deadline())
        except protocol.ChannelTimeout:
            raise self._timeout() from None
        except (BrokenPipeError, OSError):
            raise Verdict(ERROR, self.death_message(), self.output_tail()) from None
        finally:
            if self.budget > 0:
                self.budget -= time.monotonic() - start

    # -- ending

    def _reap(self, wait_s: float) -> None:
        if self.status is not None:
            return
        if wait_s <= 0:
            self._killpg()
        try:
            self.status = self.zygote.reap(self.pid, wait_s)
        except zygote.ZygoteError:
            self.status = int(signal.SIGKILL)  # the zygote was killed, and its children with it

    def _killpg(self) -> None:
        for send in (os.killpg, os.kill):
            try:
                send(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self) -> None:
        """SIGKILL the child's process group; the zygote reaps it and every orphan it left."""
        if self.dead:
            return
        self.dead = True
        self._reap(0.0)

    def close(self) -> None:
        for fd in (self.req, self.resp):
            try:
                os.close(fd)
            except OSError:
                pass
        self.kill()

    def death_message(self) -> str:
        self._reap(1.0)
        self.kill()
        status = self.status
        if status is None:
            return "your code ended the process"
        if os.WIFSIGNALED(status):
            return _signal_message(os.WTERMSIG(status), self.spec)
        return _exit_message(os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1)

    def output_tail(self, limit: int = 2000) -> str:
        try:
            data = os.pread(self.output.fileno(), limit + 1, 0)
        except OSError:
            return ""
        text = _CONTROL.sub("", data[:limit].decode("utf-8", "replace"))
        return text + ("\n..." if len(data) > limit else "")


# Terminal control characters (escape sequences could clear the screen and draw a fake "✓ pass"):
# what the learner's code printed is shown as text only.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _signal_message(sig: int, spec: dict) -> str:
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
    if sig == signal.SIGSEGV:
        return "your code crashed the process (segmentation fault, SIGSEGV): very deep recursion, or native code gone wrong"
    if sig == signal.SIGKILL:
        return f"your code's process was killed (SIGKILL): most often it used more than the {spec.get('memory_limit_mb')} MB memory limit"
    if sig == signal.SIGXFSZ:
        return "your code wrote too much output"
    return f"your code's process died from {name}"


def _exit_message(code: int) -> str:
    return (
        f"your code ended the process (exit status {code}) before the checks finished; "
        "do not call sys.exit/os._exit or quit in an exercise"
    )


# ------------------------------------------------------------------------------------------ learner


class _Learner(api.Learner):
    def __init__(self, child: Child, device: str, implements: list[str], where: str):
        self.child = child
        self.device = device
        self.implements = implements
        self.where = where

    def run(self, probe: Callable, *args, **kwargs):
        name = getattr(probe, "__name__", "")
        module = sys.modules.get(self.child.spec["checks_module"])
        if getattr(module, name, None) is not probe or name not in self.child.spec["probes"]:
            raise RuntimeError(f"learner.run: {name or probe!r} is not a module-level probe_* function of checks.py")
        self.child.request(name, args, kwargs, self.device)
        reply = self.child.receive()
        return _judge_reply(reply, self.device, self.where)


def _forbidden_message(names) -> str:
    return f"forbidden: you called {names[0]} (this exercise is about writing it yourself)"


def _judge_reply(reply: dict, device: str, where: str):
    if reply.get("forbidden"):
        raise Verdict(FAIL, _forbidden_message(reply["forbidden"]))
    kind = reply.get("kind")
    if kind == "ok":
        try:
            return protocol.from_plain(reply.get("value"), expect_device=device)
        except protocol.WrongTensor as exc:
            raise Verdict(FAIL, str(exc)) from None
    if kind == "check_failed":
        raise api.CheckFailed(str(reply.get("message")), str(reply.get("detail") or ""))
    if kind == "raised":
        raise Verdict(*_raised_verdict(reply, where))
    raise Verdict(ERROR, "your code sent back something that is not a grader message")


def _raised_verdict(reply: dict, where: str) -> tuple[str, str, str]:
    line = reply.get("line")
    loc = f"{where}:{line}" if line else where
    kind, message = str(reply.get("type")), str(reply.get("message") or "").strip()
    first = message.splitlines()[0] if message else ""
    if reply.get("not_implemented"):
        return FAIL, f"not implemented yet: {loc} raises NotImplementedError{': ' + first if first else ''}", ""
    if reply.get("exit"):
        return ERROR, f"{loc}: your code called sys.exit() (or exit/quit); return values instead", ""
    if reply.get("memory"):
        return ERROR, f"{loc}: out of memory ({kind}: {first[:200]})", ""
    text = f"{kind}: {first}" if first else kind
    if not line and reply.get("in_probe"):
        return ERROR, f"{where}: what your code returned could not be used ({text})", ""
    if not line:
        text += " (raised inside a library your code called)"
    return ERROR, f"{loc}: {text}" if line else f"{where}: {text}", message if len(message.splitlines()) > 1 else ""


# ------------------------------------------------------------------------------------------ grading


def read_source(path: Path) -> str:
    """The learner's code: the file, or the code cells of a notebook."""
    from ..errors import UserError

    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    if path.suffix == ".ipynb":
        from .notebook import code_from_notebook

        return code_from_notebook(raw, path)
    return raw


def grade(
    exercise,
    path: Path,
    *,
    device: str = "cpu",
    seed: int | None = None,
    static: bool = True,
    traps: bool = True,
    meta: bool = True,
    spawn: bool | None = None,
    while_waiting: Callable[[], Any] | None = None,
) -> GradeResult:
    """Grade ``path`` against ``exercise`` (a ``catalog.Exercise``): the one entry point that runs
    checks against a confined child. ``static``/``traps`` switch off two forbidden-shortcut layers
    (tests use that to prove each layer works alone). ``spawn`` is accepted for compatibility:
    every child is now forked by the zygote, a fresh interpreter. ``while_waiting`` is called at
    most once, while the zygote forks the first child (on a cold start it is still importing
    torch), so a cold ``learndl check`` can open its database in parallel."""
    from .collect import CollectError
    from .session import GradeSession

    prepare()
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    start = time.monotonic()
    path = Path(path).resolve()
    result = GradeResult(exercise.name, PASS, seed, device, 0, file=str(path))
    session = GradeSession(exercise, path, device=device, seed=seed, static=static, traps=traps, meta=meta)
    try:
        problem = session.open(while_waiting)
        if problem is not None:
            result.checks.append(problem)
            if problem.id == "import":
                result.checks.extend(CheckResult(item.id, SKIPPED) for item in session.items)
        else:
            session.run_all(result.checks)
    except CollectError as exc:  # the exercise's checks.py asks for what the runner cannot give
        result.checks.append(CheckResult("checks", ERROR, f"internal error in {exercise.name}'s checks.py: {exc}"))
    finally:
        session.close()  # the child and every orphan it left are gone before the verdict
        result.output = session.output
        result.isolation = session.isolation
    if path.suffix == ".ipynb":
        _locate_in_notebook(result, path, session.where)
    for check in result.checks:  # exception texts and type names come from the learner's code
        check.message, check.detail = _CONTROL.sub("", check.message), _CONTROL.sub("", check.detail)
    result.status = next((c.status for c in result.checks if c.status not in (PASS, SKIPPED)), PASS)
    result.duration_ms = int((time.monotonic() - start) * 1000)
    return result


def _isolation(applied: dict) -> dict:
    """``check --json``'s ``isolation``: each protection, whether this grade's child had it, and by what."""
    offered = sandbox.status()
    out = {"clean_worker": {"active": True, "by": offered["clean_worker"]["by"]}}
    for name in sandbox.MECHANISMS:
        active = bool(applied.get(name))
        out[name] = {"active": active, "by": offered[name]["by"] if active else "not applied"}
    return out


def _locate_in_notebook(result: GradeResult, path: Path, where: str) -> None:
    """Turn ``softmax.py:12`` (the extracted code) into ``softmax.ipynb cell 2, line 5``."""
    import re

    from .notebook import cell_of_line

    raw = path.read_text(encoding="utf-8")

    def place(match):
        found = cell_of_line(raw, int(match.group(1)))
        return f"{path.name} cell {found[0]}, line {found[1]}" if found else match.group(0)

    pattern = re.compile(re.escape(where) + r":(\d+)")
    for check in result.checks:
        check.message = pattern.sub(place, check.message)


def _open(child: Child, functions, where: str) -> Verdict | None:
    """The child's first two messages: what confines it, then the import of the learner's file."""
    try:
        child.confined()
        ready = child.receive()
        if ready.get("kind") != "ready":
            status, message, detail = _raised_verdict(ready, where)
            if ready.get("forbidden"):
                status, message = FAIL, _forbidden_message(ready["forbidden"])
            elif status != FAIL:
                message = f"importing your file failed: {message}"
            raise Verdict(status, message, detail)
        if ready.get("forbidden"):
            raise Verdict(FAIL, _forbidden_message(ready["forbidden"]))
        missing = ready.get("missing") or []
        if missing:
            raise Verdict(ERROR, f"{where} does not define {', '.join(missing)} (this exercise asks for it)")
    except Verdict as v:
        return v
    return None
