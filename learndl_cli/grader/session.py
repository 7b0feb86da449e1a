"""One grade as a session that a driver steps through: open, run checks one by one, meta, close.

``runner.grade`` is not the only driver: the pytest plugin (``learndl_cli.pytest_plugin``) runs each
check as a pytest test. Both drive this class, so both see the same static scan, the same confined
child, the same fixtures (``collect``) and the same meta pass, and give the same verdicts.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from . import collect, forbid, runner, worker
from .runner import ERROR, FAIL, META_CHECK_ID, PASS, SKIPPED, CheckResult, Verdict


class GradeSession:
    """The learner's file, scanned and imported once in a confined child; checks run on demand."""

    def __init__(self, exercise, path: Path, *, device: str = "cpu", seed: int = 0,
                 static: bool = True, traps: bool = True, spawn: bool | None = None):
        self.exercise = exercise
        self.path = Path(path).resolve()
        self.device = device
        self.seed = int(seed)
        self.static, self.traps, self.spawn = static, traps, spawn
        self.where = self.path.name
        self.child = None
        self.learner = None
        self.checks_module = None
        self.fixtures: dict[str, Callable] = {}
        self.items: list[collect.CheckItem] = []
        self.output = ""
        self._scratch: str | None = None
        self._meta_warm = False

    # -- opening

    def load_checks(self) -> list[collect.CheckItem]:
        """The exercise's checks (expanded like pytest's); no learner code is involved."""
        if self.checks_module is None:
            self.checks_module = runner.load_checks(self.exercise)
            self.fixtures = collect.fixtures_of(self.checks_module)
            self.items = collect.collect(self.checks_module)
        return self.items

    def open(self, while_waiting: Callable[[], Any] | None = None) -> CheckResult | None:
        """Scan the file and start the child. Returns the failing ``syntax``/``forbidden``/``import``
        result when the file cannot be checked at all, else None."""
        runner.prepare()
        source = runner.read_source(self.path)
        self._scratch = tempfile.mkdtemp(prefix="learndl-grade-")
        learner_file = self.path
        if self.path.suffix == ".ipynb":
            learner_file = Path(self._scratch) / (self.path.stem + ".py")
            learner_file.write_text(source, encoding="utf-8")
        self.where = learner_file.name
        early = self._static_verdict(source)
        if early is not None:
            return early
        self.load_checks()
        spec = {
            "learner_path": str(learner_file),
            "module_name": learner_file.stem,
            "checks_path": str(self.exercise.checks_path),
            "checks_module": runner.checks_module_name(self.exercise.name),
            "implements": list(self.exercise.implements),
            "forbid": list(self.exercise.forbid),
            "memory_limit_mb": self.exercise.memory_limit_mb,
            "time_limit": self.exercise.time_limit,
            "scratch": self._scratch,
            "device": self.device,
            "traps": self.traps,
        }
        self.child = runner.Child(spec, self.device, self.exercise.time_limit, spawn=self.spawn)
        problem = self._import_verdict()
        if problem is not None:
            return problem
        self.learner = runner._Learner(self.child, self.device, list(self.exercise.implements), self.where)
        return None

    def _static_verdict(self, source: str) -> CheckResult | None:
        """A syntax error or a forbidden shortcut ends the grade before any learner code runs."""
        where = self.where
        try:
            hits = forbid.scan(source, where, self.exercise.forbid, self.exercise.allow_imports) if self.static else []
            if not self.static:
                compile(source, where, "exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None)
            msg = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
            return CheckResult("syntax", ERROR, f"{where}:{line or 1}: syntax error: {msg}")
        if hits:
            return CheckResult("forbidden", FAIL, f"{where}:{hits[0].line}: {hits[0].message}")
        return None

    def _import_verdict(self) -> CheckResult | None:
        t0 = time.monotonic()
        child, where = self.child, self.where
        try:
            ready = child.receive(extra_s=runner.SPAWN_STARTUP_S if child.spawned else 0.0)
            if ready.get("kind") != worker.READY:
                status, message, detail = runner._raised_verdict(ready, where)
                if ready.get("forbidden"):
                    status, message = FAIL, runner._forbidden_message(ready["forbidden"])
                elif status != FAIL:
                    message = f"importing your file failed: {message}"
                raise Verdict(status, message, detail)
            if ready.get("forbidden"):
                raise Verdict(FAIL, runner._forbidden_message(ready["forbidden"]))
            missing = ready.get("missing") or []
            if missing:
                raise Verdict(ERROR, f"{where} does not define {', '.join(missing)} (this exercise asks for it)")
        except Verdict as v:
            return CheckResult("import", v.status, v.message, int((time.monotonic() - t0) * 1000), v.detail)
        return None

    # -- checks

    def builtins(self, item: collect.CheckItem, learner=None, device: str | None = None) -> dict[str, Any]:
        from . import api

        return {
            "learner": learner or self.learner,
            "rng": api.Rng(self.seed, item.id),
            "device": device or self.device,
            "seed": self.seed,
        }

    def run(self, item: collect.CheckItem, learner=None, device: str | None = None) -> CheckResult:
        """One check, as ``learndl check`` reports it (a failure's message ends with the seed)."""
        from . import api

        start = time.monotonic()
        try:
            collect.call_check(item, self.fixtures, self.builtins(item, learner, device))
            status, message, detail = PASS, "", ""
        except Verdict as v:
            status, message, detail = v.status, v.message, v.detail
        except api.CheckFailed as exc:
            status, message, detail = FAIL, f"{exc.message} (seed {self.seed})", exc.detail
        except Exception as exc:  # a bug in the check itself, not in the learner's code
            status, message, detail = ERROR, f"internal error in check test_{item.id}: {type(exc).__name__}: {exc}", ""
        return CheckResult(item.id, status, message, int((time.monotonic() - start) * 1000), detail)

    def run_all(self, result) -> bool:
        """Every check in order into ``result.checks``; the first that does not pass ends it."""
        failed = False
        for item in self.items:
            if failed:
                result.checks.append(CheckResult(item.id, SKIPPED))
                continue
            outcome = self.run(item)
            result.checks.append(outcome)
            failed = outcome.status != PASS
        return not failed

    def meta(self, while_waiting: Callable[[], Any] | None = None) -> CheckResult:
        """The portability pass: every check again with the inputs on the ``meta`` device."""
        t0 = time.monotonic()
        try:  # the child loads the meta kernels on the grader's time, not the learner's
            self.child.request(worker.WARM_META, (), {}, "cpu")
            if while_waiting is not None:
                while_waiting()
            runner._judge_reply(self.child.receive(extra_s=runner.WARM_META_S), "cpu", self.where)
        except Verdict as v:
            return CheckResult(META_CHECK_ID, v.status, v.message, int((time.monotonic() - t0) * 1000), v.detail)
        meta_learner = runner._Learner(self.child, "meta", list(self.exercise.implements), self.where)
        for item in self.items:
            if item.skip_on_meta:
                continue
            outcome = self.run(item, meta_learner, "meta")
            if outcome.status != PASS:
                message = outcome.message
                if outcome.status in (FAIL, ERROR) and not message.startswith("internal error"):
                    message = (
                        f"not portable: with the inputs on the 'meta' device (check {item.id}): {message}"
                        " — create new tensors on the inputs' device (device=X.device or the *_like functions)"
                    )
                status = FAIL if message.startswith("not portable") else outcome.status
                return CheckResult(META_CHECK_ID, status, message, int((time.monotonic() - t0) * 1000), outcome.detail)
        return CheckResult(META_CHECK_ID, PASS, "", int((time.monotonic() - t0) * 1000))

    # -- closing

    def close(self) -> None:
        """End the child and everything it started; only then may a verdict be recorded."""
        if self.child is not None:
            try:
                self.child.close()
            finally:
                self.output = self.child.output_tail()
                self.child = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> "GradeSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
