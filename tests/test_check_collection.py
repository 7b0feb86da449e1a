"""learndl's runner gives ``checks.py`` pytest's meaning for parametrize and fixtures.

The ids and the order must be exactly pytest's own, since the pytest plugin and ``learndl check``
report the same checks by name; pytest itself is the oracle here.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from learndl_cli.grader import collect

SAMPLE = Path(__file__).parent / "fixtures" / "checks" / "checks_params.py"
BUILTINS = {"learner": None, "rng": 1, "device": "cpu", "seed": 0}


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pytest_ids(tmp_path: Path, source: Path) -> list[str]:
    """What pytest itself collects from ``source`` (with stand-ins for learndl's fixtures)."""
    work = tmp_path / "oracle"
    work.mkdir()
    (work / "checks_sample.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (work / "conftest.py").write_text(
        "import pytest\n"
        + "".join(f"@pytest.fixture\ndef {name}():\n    return {value!r}\n" for name, value in BUILTINS.items()),
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
         "--rootdir", str(work), "checks_sample.py"],
        cwd=work, capture_output=True, text=True, timeout=120,
    )
    ids = [line.split("::test_", 1)[1] for line in out.stdout.splitlines() if "::test_" in line]
    assert ids, out.stdout + out.stderr
    return ids


def test_ids_and_order_match_pytest(tmp_path):
    ours = [item.id for item in collect.collect(_load(SAMPLE, "checks_params_a"))]
    assert ours == _pytest_ids(tmp_path, SAMPLE)


def test_every_item_runs_with_its_parameters_and_fixtures():
    module = _load(SAMPLE, "checks_params_b")
    fixtures = collect.fixtures_of(module)
    items = collect.collect(module)
    for item in items:
        collect.call_check(item, fixtures, dict(BUILTINS))
    grid = [item.params for item in items if item.id.startswith("grid[")]
    assert grid[0] == {"k": 5, "n": 1, "m": 2} and grid[-1] == {"k": 6, "n": 3, "m": 4}


def _module_from(tmp_path: Path, name: str, body: str):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return _load(path, name)


def test_yield_fixtures_tear_down_in_reverse_order_even_when_the_check_fails(tmp_path):
    module = _module_from(tmp_path, "checks_yield", """
        import pytest
        log = []

        @pytest.fixture
        def outer(seed):
            log.append("outer up")
            yield seed + 1
            log.append("outer down")

        @pytest.fixture
        def inner(outer):
            log.append("inner up")
            yield outer * 10
            log.append("inner down")

        def test_uses(inner):
            assert inner == 10
            raise ValueError("the check itself failed")
    """)
    (item,) = collect.collect(module)
    with pytest.raises(ValueError):
        collect.call_check(item, collect.fixtures_of(module), dict(BUILTINS))
    assert module.log == ["outer up", "inner up", "inner down", "outer down"]


@pytest.mark.parametrize(
    "decorator, words",
    [
        ("@pytest.fixture(params=[1, 2])", "parametrized"),
        ("@pytest.fixture(autouse=True)", "autouse"),
        ("@pytest.fixture(scope='module')", "scope 'module'"),
    ],
)
def test_fixtures_learndl_cannot_honour_are_refused_by_name(tmp_path, decorator, words):
    module = _module_from(tmp_path, f"checks_bad_{abs(hash(decorator))}", f"""
        import pytest

        {decorator}
        def thing():
            return 1

        def test_a(thing):
            pass
    """)
    with pytest.raises(collect.CollectError, match=words):
        collect.fixtures_of(module)


def test_an_unknown_fixture_is_named(tmp_path):
    module = _module_from(tmp_path, "checks_unknown", """
        def test_a(learner, nothere):
            pass
    """)
    (item,) = collect.collect(module)
    with pytest.raises(collect.CollectError, match="unknown fixture 'nothere'"):
        collect.call_check(item, {}, dict(BUILTINS))


def test_a_builtin_fixture_cannot_be_replaced(tmp_path):
    module = _module_from(tmp_path, "checks_shadow", """
        import pytest

        @pytest.fixture
        def learner():
            return "a fake learner that always passes"

        def test_a(learner):
            pass
    """)
    with pytest.raises(collect.CollectError, match="learndl's own 'learner'"):
        collect.fixtures_of(module)
