"""The chapter 13-15 drills (issue 18): listed in book order, each with a correct file in another style.

tests/test_exercise_content.py grades every drill (starter fails, reference and ``_*.py`` bases pass,
variants get their named message); tests/test_named_mistakes.py proves each name both ways (``# not:``).
Here: ``learndl exercise`` lists the whole book in chapter and section order, and every new drill has
a correct file written another way than the reference (loops, the book's style), so the checks are
seen to accept more than one way of writing it.
"""

from __future__ import annotations

import json
import pytest

from test_exercise_content import _bases

NEW = [
    "bounding-boxes",
    "multibox-prior",
    "multibox-target",
    "multibox-detection",
    "trans-conv",
    "bilinear-kernel",
    "style-transfer",
    "word2vec-subsample",
    "skip-gram",
    "bert-input",
    "mlm-masking",
    "textcnn",
    "decomposable-attention",
]


def test_the_book_is_covered_in_order(cli):
    result = cli("exercise", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) >= 43
    names = [r["name"] for r in rows]
    assert set(NEW) <= set(names)
    keys = [(r["chapter"], tuple(int(p) for p in r["section"].split("."))) for r in rows]
    assert keys == sorted(keys), "exercises must be listed in chapter and section order"
    assert {13, 14, 15} <= {r["chapter"] for r in rows}


@pytest.mark.parametrize("name", NEW)
def test_a_correct_file_in_another_style_exists(name):
    assert _bases(name), f"{name}: add a correct file in another style (tests/variants/{name}/_<style>.py)"
