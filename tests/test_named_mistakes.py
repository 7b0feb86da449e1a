"""A named mistake must be the real one (docs/exercises.md, "Named mistakes").

The catalogue of named messages is what the checks offer as ``mistakes=`` while they grade the
reference solution (``api.listing_named_mistakes``), and the keys of a checks module's
``*MISTAKES`` dicts (for checks that confirm mistakes their own way, such as beam search's).
Every one of them is tested both ways:

- a variant that makes the mistake gets the name (its ``# expect:`` line is part of the message);
- a variant with another mistake and a similar symptom does not (a ``# not:`` line naming it).

Variants live in tests/variants/<name>/ (see variant_edits.py); ``# not:`` lines sit in the
header, under ``# expect:``. The confirmation rule itself (``api.confirmed_mistake``) is tested
here on plain tensors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from variant_edits import header, variant_text

from learndl_cli import catalog
from learndl_cli.grader import api

VARIANTS = Path(__file__).parent / "variants"
SEED = 1234
NAMES = catalog.names()


@pytest.fixture(scope="module")
def runner():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)
    return runner


def _variants(name: str) -> list[Path]:
    folder = VARIANTS / name
    return sorted([*(p for p in folder.glob("*.py") if not p.name.startswith("_")), *folder.glob("*.edits")])


def _fragments(name: str, key: str) -> list[tuple[Path, str]]:
    return [(p, f) for p in _variants(name) for f in header(p.read_text(encoding="utf-8"), key)]


def _grade(runner, name: str, path: Path, tmp_path: Path):
    ex = catalog.get(name)
    file = tmp_path / (path.stem + ".py")
    file.write_text(variant_text(path, ex.solution_path), encoding="utf-8")
    return runner.grade(ex, file, seed=SEED)


@pytest.mark.parametrize("name", NAMES)
def test_every_named_message_is_tested_both_ways(runner, name):
    ex = catalog.get(name)
    with api.listing_named_mistakes() as named:
        result = runner.grade(ex, ex.solution_path, seed=SEED, meta=False)
    assert result.passed
    named += [m for m in _declared(runner.load_checks(ex)) if m not in named]
    expects = [f.lower() for _, f in _fragments(name, "expect")]
    nots = [f.lower() for _, f in _fragments(name, "not")]
    untested = [m for m in named if not any(f in m.lower() for f in expects)]
    unguarded = [m for m in named if not any(f in m.lower() for f in nots)]
    assert not untested, f"{name}: no variant makes (# expect:) these named mistakes: {untested}"
    assert not unguarded, f"{name}: no variant with a neighbouring mistake proves (# not:) these names are withheld: {unguarded}"


def _declared(module) -> list[str]:
    """Messages in the module's ``*MISTAKES`` dicts (message → anything; or group → such a dict)."""
    found = []
    for attr, value in vars(module).items():
        if not attr.endswith("MISTAKES") or not isinstance(value, dict):
            continue
        for key, item in value.items():
            group = isinstance(item, dict) and item and all(isinstance(k, str) and " " in k for k in item)
            found.extend(item if group else [key])
    return [m for m in found if isinstance(m, str) and " " in m]


@pytest.mark.parametrize(
    "name,variant", [(name, p.name) for name in NAMES for p in _variants(name) if header(p.read_text(encoding="utf-8"), "not")]
)
def test_a_neighbouring_mistake_does_not_get_the_name(runner, name, variant, tmp_path):
    path = VARIANTS / name / variant
    result = _grade(runner, name, path, tmp_path)
    problem = result.first_problem()
    assert problem is not None, f"{name}/{variant}: a known-wrong variant passes"
    expected = header(path.read_text(encoding="utf-8"), "expect")[0]
    assert expected.lower() in problem.message.lower(), f"{name}/{variant}: {problem.message}"
    for fragment in header(path.read_text(encoding="utf-8"), "not"):
        assert fragment.lower() not in problem.message.lower(), (
            f"{name}/{variant}: named a mistake it does not make ({fragment!r}): {problem.message}"
        )


# ------------------------------------------------------------------------------------------ the rule


def test_a_match_that_is_also_a_neighbours_is_not_named():
    expected = torch.tensor([1.0, 2.0, 3.0])
    wrong_a = torch.tensor([1.0, 2.0, 4.0])
    same_as_a = wrong_a.clone()
    assert api.confirmed_mistake(wrong_a, expected, {"A": wrong_a}) == "A"
    assert api.confirmed_mistake(wrong_a, expected, {"A": wrong_a}, neighbours=[same_as_a]) is None
    assert api.confirmed_mistake(wrong_a, expected, {"A": wrong_a, "B": same_as_a}) is None


def test_a_mistake_that_does_not_show_on_these_inputs_is_not_named():
    expected = torch.tensor([1.0, 2.0, 3.0])
    got = torch.tensor([0.0, 2.0, 3.0])
    # "B" equals the right answer on these inputs: matching it proves nothing
    assert api.confirmed_mistake(expected, expected, {"B": expected.clone()}) is None
    assert api.confirmed_mistake(got, expected, {"A": got.clone(), "B": expected.clone()}) == "A"


def test_a_near_miss_is_explained_generically():
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    got = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(api.CheckFailed) as info:
        api.expect_close(got, expected, what="f(X)", inputs={"X": expected},
                         mistakes={"A named mistake": torch.tensor([[1.0, 2.0], [3.0, 5.5]])})
    message = info.value.message
    assert "A named mistake" not in message
    assert "is wrong for X of shape (2, 2) float32: largest error 1 at [1, 1]" in message
