"""Content test: for every exercise, its reference and every known-wrong variant, the pytest plugin
and ``learndl check`` agree on the verdict and on the first check that does not pass (same seed).

pytest runs in this process (``pytest.main``), as the plugin's own tests run it in a subprocess;
each run still grades in the grader's confined child.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learndl_cli import catalog
from test_exercise_content import NAMES, SEED, VARIANTS, _variant_file, _variants


class _Outcomes:
    def __init__(self):
        self.order: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.order.append((report.nodeid.rsplit("::test_", 1)[-1], report.outcome))


def _via_pytest(name: str, path: Path) -> tuple[str, str | None]:
    seen = _Outcomes()
    code = pytest.main(
        ["-c", os.devnull, "-q", "-p", "no:cacheprovider", "--learndl", name,
         "--learndl-file", str(path), "--learndl-seed", str(SEED)],
        plugins=[seen],
    )
    first = next((check for check, outcome in seen.order if outcome == "failed"), None)
    assert code in (0, 1), f"pytest exited {code} for {name} {path.name}"
    return ("pass" if code == 0 else "not pass"), first


def _via_learndl(name: str, path: Path) -> tuple[str, str | None]:
    from learndl_cli.grader import runner

    result = runner.grade(catalog.get(name), path, seed=SEED)
    problem = result.first_problem()
    first = problem.id if problem else None
    # The plugin's first test, test_import, stands for all that happens before any check runs:
    # the static scan (syntax, forbidden shortcuts) and the import in the child.
    return ("pass" if result.passed else "not pass"), ("import" if first in ("syntax", "forbidden") else first)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)


@pytest.mark.parametrize("name", NAMES)
def test_pytest_and_learndl_check_agree(name, tmp_path):
    ex = catalog.get(name)
    files = [ex.solution_path, *(_variant_file(name, v, tmp_path) for v in _variants(name))]
    for path in files:
        assert _via_pytest(name, path) == _via_learndl(name, path), f"{name}: {path.name}"
