"""The active half of the pytest plugin: registered only for a run given ``--learndl NAME``."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from . import submission_path

IMPORT_ID = "import"


class _ChecksModule(pytest.Module):
    """The exercise's checks.py, as the grader loaded it (one module object for both drivers)."""

    def _getobj(self):
        grading = self.config.pluginmanager.get_plugin("learndl-run").grading
        grading.load_checks()
        return grading.checks_module


class _Step(pytest.Item):
    """A step of the grade that is not a check function: importing the file, the meta pass."""

    def __init__(self, *, step: str, **kwargs):
        super().__init__(**kwargs)
        self.step = step

    def runtest(self) -> None:
        self.config.pluginmanager.get_plugin("learndl-run").run_step(self.step)

    def reportinfo(self):
        return self.path, None, f"learndl {self.step}"


class LearndlRun:
    """One submission graded under pytest: the same ``GradeSession`` that ``learndl check`` uses."""

    def __init__(self, config):
        from .. import catalog
        from ..errors import UserError
        from ..grader import runner
        from ..grader.session import GradeSession

        self.config = config
        name = config.getoption("learndl")
        path = submission_path(config)
        try:
            self.exercise = catalog.get(name)
            if not path.is_file():
                raise UserError(f"{path}: no such file")
            device = runner.resolve_device(config.getoption("learndl_device"))
        except UserError as exc:
            raise pytest.UsageError(f"learndl: {exc}") from None
        self._refuse_config_beside(path)
        config.option.noconftest = True
        seed = config.getoption("learndl_seed")
        self.grade_seed = secrets.randbelow(2**31) if seed is None else int(seed)
        self.grading = GradeSession(self.exercise, path, device=device, seed=self.grade_seed)
        self.opened = False
        self.problem = None  # the import step's failing CheckResult
        self.failed_before_meta = False
        self.outcomes: dict[str, tuple[str, str, int]] = {}
        self.statuses: dict[str, str] = {}  # learndl's own status where it is not plain "fail"
        self.started = time.monotonic()
        config.args = [str(self.exercise.checks_path)]
        config.option.importmode = "importlib"

    def _refuse_config_beside(self, path: Path) -> None:
        ini = self.config.inipath
        if ini is None:
            return
        folder = path.parent
        ini_dir = Path(ini).resolve().parent
        if ini_dir == folder or ini_dir in folder.parents:
            raise pytest.UsageError(
                f"learndl: pytest read {ini}, which sits beside or above the submission; a submission's "
                "folder must not configure its grader: run with -c /dev/null (or --config-file elsewhere)"
            )

    # -- collection

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path, parent):
        if Path(module_path).resolve() == self.exercise.checks_path:
            return _ChecksModule.from_parent(parent, path=Path(module_path), nodeid=f"learndl/{self.exercise.name}")
        return None

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        keep = [i for i in items if Path(i.path).resolve() == self.exercise.checks_path]
        if not keep:
            return
        module = keep[0].parent
        first = _Step.from_parent(module, name="test_" + IMPORT_ID, step=IMPORT_ID)
        last = _Step.from_parent(module, name="test_portable_meta", step="meta")
        items[:] = [first, *keep, last]

    def pytest_report_header(self, config):
        return [
            f"learndl: exercise {self.exercise.name}, file {self.grading.path}, "
            f"device {self.grading.device}, seed {self.grade_seed} (repeat with --learndl-seed {self.grade_seed})"
        ]

    # -- fixtures

    @pytest.fixture
    def learner(self):
        self._ensure_open()
        if self.problem is not None:
            pytest.skip("the submission could not be imported (see test_import)")
        return self.grading.learner

    @pytest.fixture
    def rng(self, request):
        from ..grader import api

        return api.Rng(self.grade_seed, request.node.name[len("test_"):])

    @pytest.fixture
    def device(self):
        return self.grading.device

    @pytest.fixture
    def seed(self):
        return self.grade_seed

    # -- running

    def _ensure_open(self) -> None:
        if not self.opened:
            self.opened = True
            self.problem = self.grading.open()

    def run_step(self, step: str) -> None:
        from ..grader.runner import PASS

        if step == IMPORT_ID:
            self._ensure_open()
            if self.problem is not None:
                pytest.fail(self.problem.message, pytrace=False)
            return
        if self.problem is not None or self.failed_before_meta:
            pytest.skip("an earlier check did not pass (the meta pass runs only after all of them pass)")
        outcome = self.grading.meta()
        if outcome.status != PASS:
            pytest.fail(outcome.message, pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        from ..grader import api
        from ..grader.runner import Verdict

        name = item.name[len("test_"):]
        try:
            return (yield)
        except api.CheckFailed as exc:
            self.statuses[name] = "fail"
            failure = f"{exc.message} (seed {self.grade_seed})" + (f"\n{exc.detail}" if exc.detail else "")
        except Verdict as exc:
            self.statuses[name] = exc.status
            failure = exc.message + (f"\n{exc.detail}" if exc.detail else "")
        pytest.fail(failure, pytrace=False)  # outside the except: the check's message alone, no chain

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            name = report.nodeid.rsplit("::", 1)[-1][len("test_"):]
            if report.failed and name != "portable_meta":
                self.failed_before_meta = True
            status = "pass" if report.passed else ("skipped" if report.skipped else "fail")
            message = "" if report.passed or report.skipped else str(report.longrepr).splitlines()[0] if report.longrepr else ""
            self.outcomes[name] = (status, message, int(report.duration * 1000))

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        self.grading.close()  # the child and all it started are gone before anything is recorded
        if self.config.getoption("learndl_record") and self.outcomes:
            from .record import record

            record(self)
