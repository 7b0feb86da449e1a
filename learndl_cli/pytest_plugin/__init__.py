"""``pytest --learndl NAME --learndl-file PATH``: an exercise's hidden checks as pytest tests.

Registered as a ``pytest11`` entry point, so pytest loads this module in every run on a machine
where learndl is installed. It is inert unless ``--learndl`` is given: it only adds its options
(and imports neither torch nor the grader). With ``--learndl``:

- the pytest process is the trusted parent. The learner's code runs only in the grader's confined
  child (the ``learner`` fixture), exactly as under ``learndl check``;
- nothing beside the submission configures or extends the run: conftest.py files are not loaded
  (as ``--noconftest``), an ini file found next to or above the submission is refused, and the only
  thing collected is the exercise's installed ``checks.py``;
- each check is a test (``test_import`` first, ``test_portable_meta`` last, as in ``learndl check``),
  its failure text is the check's message, and ``--junitxml`` gives one test case per check;
- nothing is written to a learner's database unless ``--learndl-record`` is given.

The active part lives in ``session``; see docs/classroom.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

OPTION = "--learndl"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("learndl", "grade a learndl exercise (learndl's hidden checks)")
    group.addoption(OPTION, dest="learndl", metavar="NAME", default=None,
                    help="run exercise NAME's hidden checks against --learndl-file")
    group.addoption("--learndl-file", dest="learndl_file", metavar="PATH", default=None,
                    help="the submission to grade (.py or .ipynb)")
    group.addoption("--learndl-device", dest="learndl_device", metavar="DEVICE", default="cpu",
                    choices=("cpu", "cuda", "auto"), help="cpu (default), cuda or auto")
    group.addoption("--learndl-seed", dest="learndl_seed", metavar="S", type=int, default=None,
                    help="the random inputs' seed (default: a fresh one, printed in the header)")
    group.addoption("--learndl-record", dest="learndl_record", action="store_true", default=False,
                    help="record the grade in the learner's learndl database (off by default)")


def _asked(args) -> bool:
    return any(a == OPTION or a.startswith(OPTION + "=") for a in args)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args) -> None:
    """Before pytest loads any conftest.py: a learndl run loads none (a submission's folder may
    hold one, and a conftest runs inside the trusted parent)."""
    if _asked(args):
        early_config.known_args_namespace.noconftest = True


def pytest_configure(config) -> None:
    name = config.getoption("learndl")
    if not name:
        return
    from . import session

    config.pluginmanager.register(session.LearndlRun(config), "learndl-run")


def submission_path(config) -> Path:
    raw = config.getoption("learndl_file")
    if not raw:
        raise pytest.UsageError("--learndl NAME needs --learndl-file PATH (the submission to grade)")
    return Path(os.path.abspath(raw))
