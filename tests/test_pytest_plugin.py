"""``pytest --learndl NAME --learndl-file F``: the hidden checks as real pytest tests.

Each run here is a real pytest process (the plugin is found through its ``pytest11`` entry point,
as on a classroom runner), in a folder that holds only the submission and whatever a test plants.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from learndl_cli import catalog

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = Path(__file__).parent / "variants"
SEED = 1234


def _pytest(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


def _submission(tmp_path: Path, source: Path, name: str = "softmax.py") -> Path:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    target = folder / name
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _cases(xml: Path) -> list[tuple[str, str, str]]:
    out = []
    for case in ET.parse(xml).getroot().iter("testcase"):
        failure = case.find("failure")
        skipped = case.find("skipped")
        status = "fail" if failure is not None else "skipped" if skipped is not None else "pass"
        out.append((case.get("name"), status, failure.get("message", "") if failure is not None else ""))
    return out


def test_the_plugin_is_inert_in_a_run_that_does_not_ask_for_it(tmp_path):
    (tmp_path / "test_unrelated.py").write_text(
        "import sys\n"
        "def test_nothing_heavy_was_loaded():\n"
        "    assert 'torch' not in sys.modules\n"
        "    assert not any(m.startswith('learndl_cli.grader') for m in sys.modules)\n"
        "def test_learndl_fixtures_are_not_offered(rng):\n"
        "    pass\n",
        encoding="utf-8",
    )
    run = _pytest(tmp_path, "-q", "test_unrelated.py")
    assert "1 passed, 1 error" in run.stdout, run.stdout + run.stderr
    assert "fixture 'rng' not found" in run.stdout


def test_a_reference_passes_with_one_junit_case_per_check(tmp_path):
    ex = catalog.get("softmax")
    sub = _submission(tmp_path, ex.solution_path)
    run = _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name, "--learndl-seed", str(SEED),
                  "--junitxml", str(tmp_path / "r.xml"))
    assert run.returncode == 0, run.stdout + run.stderr
    cases = _cases(tmp_path / "r.xml")
    from learndl_cli.grader import collect, runner

    expected = ["import", *[i.id for i in collect.collect(runner.load_checks(ex))], "portable_meta"]
    assert [name[len("test_"):] for name, _, _ in cases] == expected
    assert {status for _, status, _ in cases} == {"pass"}


def test_a_wrong_file_fails_at_the_same_check_with_the_same_message(tmp_path, cli):
    sub = _submission(tmp_path, VARIANTS / "softmax" / "naive_overflow.py")
    run = _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name, "--learndl-seed", str(SEED),
                  "--junitxml", str(tmp_path / "r.xml"))
    assert run.returncode == 1
    first = next((name, message) for name, status, message in _cases(tmp_path / "r.xml") if status == "fail")
    graded = cli("check", "softmax", "--file", str(sub), "--seed", str(SEED), "--json")
    ours = next(c for c in json.loads(graded.stdout)["checks"] if c["status"] not in ("pass", "skipped"))
    assert first[0] == "test_" + ours["id"]
    assert ours["message"] in first[1]


def test_a_planted_conftest_beside_the_submission_changes_nothing(tmp_path):
    sub = _submission(tmp_path, VARIANTS / "softmax" / "naive_overflow.py")
    marker = tmp_path / "conftest-ran"
    (sub.parent / "conftest.py").write_text(
        "import pytest\n"
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "@pytest.hookimpl(wrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    report = yield\n"
        "    report.outcome = 'passed'\n"
        "    return report\n",
        encoding="utf-8",
    )
    run = _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name, "--learndl-seed", str(SEED))
    assert run.returncode == 1, run.stdout
    assert not marker.exists()
    assert "failed" in run.stdout.splitlines()[-1]


def test_an_ini_file_beside_the_submission_is_refused(tmp_path):
    sub = _submission(tmp_path, ROOT / "solutions" / "softmax.py")
    (sub.parent / "pytest.ini").write_text("[pytest]\npython_functions = nothing_\n", encoding="utf-8")
    run = _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name)
    assert run.returncode != 0
    assert "must not configure its grader" in run.stdout + run.stderr
    ok = _pytest(sub.parent, "-c", os.devnull, "--learndl", "softmax", "--learndl-file", sub.name)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_nothing_is_recorded_unless_asked(tmp_path, home):
    from learndl_cli.store.db import open_db

    sub = _submission(tmp_path, ROOT / "solutions" / "softmax.py")
    env = {"LEARNDL_HOME": str(home)}
    assert _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name, env=env).returncode == 0
    assert not (home / "learndl.db").exists() or not open_db(home)["attempts"].count
    assert _pytest(sub.parent, "--learndl", "softmax", "--learndl-file", sub.name, "--learndl-record", env=env).returncode == 0
    rows = list(open_db(home).query("select exercise, verdict from attempts"))
    assert rows == [{"exercise": "softmax", "verdict": "pass"}]


@pytest.mark.parametrize("args, words", [
    (["--learndl", "no-such-drill", "--learndl-file", "x.py"], "no-such-drill"),
    (["--learndl", "softmax"], "needs --learndl-file"),
    (["--learndl", "softmax", "--learndl-file", "missing.py"], "no such file"),
])
def test_bad_invocations_get_one_line(tmp_path, args, words):
    run = _pytest(tmp_path, *args)
    assert run.returncode == 4  # pytest's usage error
    assert words in run.stderr
    assert "Traceback" not in run.stderr


def test_a_submission_cannot_plant_a_conftest_or_plugin_for_the_next_pytest_run(tmp_path):
    import site

    folder = tmp_path / "submission"
    folder.mkdir()
    targets = [folder / "conftest.py", tmp_path / "conftest.py", Path(site.getsitepackages()[0]) / "zz_learndl_plant.pth"]
    plant = "".join(
        f"try:\n    open({str(t)!r}, 'w').write('import os  # planted\\n')\nexcept Exception:\n    pass\n" for t in targets
    )
    wrong = (VARIANTS / "softmax" / "naive_overflow.py").read_text(encoding="utf-8")
    (folder / "softmax.py").write_text(plant + wrong, encoding="utf-8")
    for _ in range(2):  # the second run would pick up anything the first one planted
        run = _pytest(folder, "--learndl", "softmax", "--learndl-file", "softmax.py", "--learndl-seed", str(SEED))
        assert run.returncode == 1, run.stdout + run.stderr
        assert not any(t.exists() for t in targets)
        assert "test_large_logits" in run.stdout  # the file was imported (and its writes tried) in the child
