"""The content self-test, generic over every exercise in exercises/ (docs/exercises.md).

For each exercise: its info.toml is valid; the starter fails; the reference solution passes on the
CPU and in the meta portability pass; at least one check runs in the meta pass; and every
known-wrong variant in tests/variants/<name>/ (a complete ``.py`` file, or ``.edits`` to the
solution: see variant_edits.py) is rejected with the message fragment on its first line
(``# expect: ...``). Seeds are fixed, so a failure here is reproducible with
``learndl check NAME --file PATH --seed 1234``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from variant_edits import EditError, apply, base_of, parse

from learndl_cli import catalog
from learndl_cli.paths import exercises_dir

VARIANTS = Path(__file__).parent / "variants"
SEED = 1234
NAMES = catalog.names()


@pytest.fixture(scope="module")
def runner():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)  # children inherit warm meta kernels: each grade only forks
    return runner


def _describe(result) -> str:
    return "; ".join(f"{c.id}={c.status}: {c.message}" for c in result.checks if c.status != "skipped")


def _variants(name: str) -> list[Path]:
    folder = VARIANTS / name
    return sorted([*(p for p in folder.glob("*.py") if not p.name.startswith("_")), *folder.glob("*.edits")])


def _bases(name: str) -> list[Path]:
    """Correct files in another style than the solution's, which some variants edit."""
    return sorted((VARIANTS / name).glob("_*.py"))


def _variant_file(name: str, path: Path, tmp: Path) -> Path:
    """The learner file a variant stands for: itself, or the solution with its edits applied."""
    if path.suffix != ".edits":
        return path
    ex = catalog.get(name)
    source = path.read_text(encoding="utf-8")
    base = path.parent / base_of(source) if base_of(source) else ex.solution_path
    if not base.is_file():
        pytest.fail(f"{path}:2: no base file {base.name} beside it")
    try:
        _, blocks = parse(source, str(path))
        text = apply(base.read_text(encoding="utf-8"), blocks, str(path))
    except EditError as exc:
        pytest.fail(str(exc))
    out = tmp / f"{path.stem}.py"
    out.write_text(text, encoding="utf-8")
    return out


def _expected_fragment(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    assert first.startswith("# expect:"), f"{path}: the first line must be '# expect: <message fragment>'"
    fragment = first[len("# expect:"):].strip()
    assert fragment, f"{path}: empty expected message"
    return fragment


def test_there_are_exercises():
    assert {"softmax", "dropout", "attention"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name, tmp_path):
    ex = catalog.load_exercise(exercises_dir() / name)
    assert ex.statement_path.is_file(), f"{name}: README.md (the statement) is missing"
    assert ex.solution_path.is_file(), f"{name}: solutions/{name}.py is missing"
    assert len(ex.hints) == 3 and len(set(ex.hints)) == 3
    assert len(_variants(name)) >= 3, f"{name}: write at least three known-wrong variants in tests/variants/{name}/"
    for variant in _variants(name):
        _expected_fragment(variant)
        _variant_file(name, variant, tmp_path)  # its edits apply to the solution


@pytest.mark.parametrize("name", NAMES)
def test_starter_fails(runner, name):
    ex = catalog.get(name)
    result = runner.grade(ex, ex.starter_path, seed=SEED)
    assert result.status != "pass", f"{name}: the starter passes as shipped"


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_with_meta_portability(runner, name):
    ex = catalog.get(name)
    result = runner.grade(ex, ex.solution_path, seed=SEED)
    assert result.status == "pass", f"{name}: the reference solution fails: {_describe(result)}"
    ids = [c.id for c in result.checks]
    assert ids[-1] == runner.META_CHECK_ID and result.checks[-1].status == "pass"
    from learndl_cli.grader import collect

    items = collect.collect(runner.load_checks(ex))
    assert items, f"{name}: checks.py has no test_* checks"
    assert any(not item.skip_on_meta for item in items), (
        f"{name}: every check skips the meta pass, so portability is never tested"
    )


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_with_another_seed(runner, name):
    ex = catalog.get(name)
    result = runner.grade(ex, ex.solution_path, seed=SEED + 1, meta=False)
    assert result.status == "pass", f"{name}: the reference solution fails with seed {SEED + 1}: {_describe(result)}"


@pytest.mark.parametrize("name,base", [(name, b.name) for name in NAMES for b in _bases(name)])
def test_variant_base_passes(runner, name, base):
    """A base the variants edit is a correct file: it must pass, or its variants prove nothing."""
    result = runner.grade(catalog.get(name), VARIANTS / name / base, seed=SEED)
    assert result.status == "pass", f"{name}/{base}: fails: {_describe(result)}"


@pytest.mark.parametrize(
    "name,variant",
    [(name, v.name) for name in NAMES for v in _variants(name)],
)
def test_variant_is_rejected_with_its_message(runner, name, variant, tmp_path):
    ex = catalog.get(name)
    path = VARIANTS / name / variant
    fragment = _expected_fragment(path)
    result = runner.grade(ex, _variant_file(name, path, tmp_path), seed=SEED)
    assert result.status != "pass", f"{name}/{variant}: a known-wrong variant passes"
    problem = result.first_problem()
    assert problem is not None
    assert fragment.lower() in problem.message.lower(), (
        f"{name}/{variant}: expected a message containing {fragment!r}, got {problem.id}={problem.status}: {problem.message}"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("import torch\n", ":1: the first line must be '# expect:"),
        ("# expect: x\nstray code\n", ":2: text outside a"),
        ("# expect: x\n<<<<<<< solution\n    return y\n=======\n", "is not closed"),
        ("# expect: x\n<<<<<<< solution\nnot in the solution\n=======\nz\n>>>>>>> variant\n", "occur 0 times"),
        ("# expect: x\n<<<<<<< solution\n\n=======\nz\n>>>>>>> variant\n", "occur 0 times"),
        ("# expect: x\n<<<<<<< solution\n    return y\n=======\nz\n>>>>>>> variant\n", "occur 2 times"),
        ("# expect: x\n# only a comment\n", "no edit blocks"),
    ],
)
def test_bad_variant_edits_are_named(text, message):
    with pytest.raises(EditError) as info:
        _, blocks = parse(text, "v.edits")
        apply("a\n    return y\nb\n    return y\n", blocks, "v.edits")
    assert message in str(info.value)
