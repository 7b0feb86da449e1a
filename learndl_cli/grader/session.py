"""One grade as a session that a driver steps through: open, run checks one by one, meta, close.

Two drivers use it: ``runner.grade`` (``learndl check``, the drill loop, the notebook magic,
``--batch``) runs every check in order and stops at the first that does not pass; the pytest plugin
(``learndl_cli.pytest_plugin``) runs each check as a pytest test. Both see the same static scan, the
same confined child, the same checks (``collect``: pytest's parametrize and fixtures) and the same
meta pass, so they give the same verdicts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from . import api, collect, forbid, runner, zygote
from .runner import ERROR, FAIL, META_CHECK_ID, PASS, SKIPPED, CheckResult, Child, Verdict


# What torch says when code reads the values of a meta tensor (which has none), or runs an op whose
# result depends on them (boolean masks, nonzero, unique, bincount): fine on any real device...
READS_VALUES = (
    "cannot be called on meta tensors",
    "can't convert meta device type tensor",
    "data-independent implementation does not exist",
    "there was no fake impl or Meta kernel registered",
    "a meta tensor without output_size",
)
# ...and what it says both for ``.tolist()`` and for copying into a CPU tensor (a real portability
# bug): the learner's line tells them apart.
COPY_OUT = "Cannot copy out of meta tensor"
VALUE_CALLS = re.compile(r"\.(tolist|item|numpy)\(|\b(float|int|bool)\(")


class GradeSession:
    """The learner's file, scanned once and imported in a confined child; checks run on demand.

    ``close()`` kills and reaps the child and everything it started; a driver records a verdict
    only after it (``with GradeSession(...) as s:`` does it on leaving the block).
    """

    def __init__(self, exercise, path: Path, *, device: str = "cpu", seed: int = 0,
                 static: bool = True, traps: bool = True, meta: bool = True):
        self.exercise = exercise
        self.path = Path(path).resolve()
        self.device = device
        self.seed = int(seed)
        self.static, self.traps = static, traps
        self.meta_pass = meta and device != "meta"
        self.where = self.path.name
        self.children: list[Child] = []
        self.learner: api.Learner | None = None
        self.checks_module = None
        self.items: list[collect.CheckItem] = []
        self.spec: dict = {}
        self.output = ""
        self.isolation: dict = {}
        self._scratch: str | None = None

    # -- opening

    def load_checks(self) -> list[collect.CheckItem]:
        """The exercise's checks, expanded like pytest's (no learner code is involved)."""
        if self.checks_module is None:
            self.checks_module = runner.load_checks(self.exercise)
            self.items = collect.collect(self.checks_module)
        return self.items

    def open(self, while_waiting: Callable[[], Any] | None = None) -> CheckResult | None:
        """Scan the file and start its child. Returns the failing ``syntax``, ``forbidden`` or
        ``import`` result when the file cannot be checked at all, else None."""
        runner.prepare()
        source = runner.read_source(self.path)
        self._scratch = tempfile.mkdtemp(prefix="grade-", dir=zygote.get().scratch_root)
        learner_file = Path(self._scratch) / (self.path.stem + ".py")  # the child reads this copy only
        learner_file.write_text(source, encoding="utf-8")
        self.where = learner_file.name
        early = self._static_verdict(source)
        if early is not None:
            return early
        self.load_checks()
        probe_source, probe_names = runner.probes_source(self.exercise)
        self.spec = {
            "learner_path": str(learner_file),
            "module_name": learner_file.stem,
            "probes_source": probe_source,
            "probes_filename": "checks.py",
            "probes": probe_names,
            "checks_module": runner.checks_module_name(self.exercise.name),
            "implements": list(self.exercise.implements),
            "forbid": list(self.exercise.forbid),
            "forbid_ops": list(getattr(self.exercise, "forbid_ops", ())),
            "memory_limit_mb": self.exercise.memory_limit_mb,
            "time_limit": self.exercise.time_limit,
            "scratch": self._scratch,
            "device": self.device,
            "traps": self.traps,
        }
        t0 = time.monotonic()
        try:
            child = Child(self.spec, self.spec["time_limit"], while_waiting=while_waiting)
        except Verdict as v:
            return CheckResult("import", v.status, v.message, 0, v.detail)
        self.children.append(child)
        if self.meta_pass and not child.warm_at_fork:
            child.zygote.start_warming()  # in the zygote, while this child runs the CPU checks
        problem = runner._open(child, None, self.where)
        if problem is not None:
            return CheckResult("import", problem.status, problem.message, int((time.monotonic() - t0) * 1000), problem.detail)
        self.learner = runner._Learner(child, self.device, self.spec["implements"], self.where)
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

    # -- checks

    def builtins(self, item: collect.CheckItem, learner: api.Learner | None = None, device: str | None = None) -> dict[str, Any]:
        """learndl's own fixtures for one check: each check has its own random stream."""
        return {
            "learner": learner or self.learner,
            "rng": api.Rng(self.seed, item.id),
            "device": device or self.device,
            "seed": self.seed,
        }

    def run(self, item: collect.CheckItem, learner: api.Learner | None = None, device: str | None = None) -> CheckResult:
        """One check, as ``learndl check`` reports it (a failure's message ends with the seed)."""
        start = time.monotonic()
        try:
            collect.call_check(item, item.fixtures, self.builtins(item, learner, device))
            status, message, detail = PASS, "", ""
        except Verdict as v:
            status, message, detail = v.status, v.message, v.detail
        except api.CheckFailed as exc:
            status, message, detail = FAIL, f"{exc.message} (seed {self.seed})", exc.detail
        except Exception as exc:  # a bug in the check itself, not in the learner's code
            status, message, detail = ERROR, f"internal error in check test_{item.id}: {type(exc).__name__}: {exc}", ""
        return CheckResult(item.id, status, message, int((time.monotonic() - start) * 1000), detail)

    def meta(self) -> CheckResult:
        """The portability pass: every check again with the inputs on the ``meta`` device. The
        meta kernels are warmed in the zygote, never in a child: a child forked before the zygote
        was warm is replaced by one forked after, with what is left of the time budget."""
        t0 = time.monotonic()

        def took() -> int:
            return int((time.monotonic() - t0) * 1000)

        child = self.children[-1]
        if not child.warm_at_fork:
            budget = child.budget
            child.close()
            try:
                child.zygote.wait_warm()
                child = Child(self.spec, budget)
            except (zygote.ZygoteError, Verdict) as exc:
                message = exc.message if isinstance(exc, Verdict) else f"the grader's worker failed: {exc}"
                return CheckResult(META_CHECK_ID, ERROR, message, took())
            self.children.append(child)
            problem = runner._open(child, None, self.where)
            if problem is not None:
                return CheckResult(META_CHECK_ID, problem.status, problem.message, took(), problem.detail)
        meta_learner = runner._Learner(child, "meta", self.spec["implements"], self.where)
        for item in self.items:
            if item.skip_on_meta:
                continue
            outcome = self.run(item, meta_learner, "meta")
            if outcome.status == ERROR and self._reads_values(outcome.message):
                # Reading values (.item(), .tolist(), float(), numpy(), boolean masks) is fine on
                # every real device; the meta pass just cannot follow it. Inconclusive, not a failure.
                return CheckResult(META_CHECK_ID, SKIPPED, (
                    f"portability not checked: your code reads tensor values or uses a value-dependent op "
                    f"(check {item.id}), which the meta pass cannot follow"), took())
            if outcome.status != PASS:
                message = outcome.message
                if outcome.status in (FAIL, ERROR) and not message.startswith("internal error"):
                    message = (
                        f"not portable: with the inputs on the 'meta' device (check {item.id}): {message}"
                        " — create new tensors on the inputs' device (device=X.device or the *_like functions)"
                    )
                status = FAIL if message.startswith("not portable") else outcome.status
                return CheckResult(META_CHECK_ID, status, message, took(), outcome.detail)
        return CheckResult(META_CHECK_ID, PASS, "", took())

    def _reads_values(self, message: str) -> bool:
        """Whether a meta-pass error comes from reading values, which is fine on real devices."""
        if any(sign in message for sign in READS_VALUES):
            return True
        if COPY_OUT not in message:
            return False
        found = re.match(re.escape(self.where) + r":(\d+):", message)
        if not found:
            return False
        try:
            with open(self.spec["learner_path"], encoding="utf-8") as fh:
                line = fh.read().splitlines()[int(found.group(1)) - 1]
        except (OSError, IndexError, KeyError):
            return False
        return bool(VALUE_CALLS.search(line))

    def run_all(self, checks: list[CheckResult]) -> None:
        """``learndl check``'s order: every check until the first that does not pass (the rest
        are skipped), then the meta pass when all passed."""
        failed = False
        for item in self.items:
            if failed:
                checks.append(CheckResult(item.id, SKIPPED))
                continue
            outcome = self.run(item)
            checks.append(outcome)
            failed = outcome.status != PASS
        if self.meta_pass:
            checks.append(CheckResult(META_CHECK_ID, SKIPPED) if failed else self.meta())

    # -- closing

    def close(self) -> None:
        """Kill and reap the children and every orphan they left; only then is a verdict final."""
        children, self.children = self.children, []
        try:
            for child in children:
                child.close()
            if children:
                self.output = children[-1].output_tail()
                self.isolation = runner._isolation(children[0].isolation)
        finally:
            for child in children:
                child.output.close()
            if self._scratch:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None

    def __enter__(self) -> "GradeSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
