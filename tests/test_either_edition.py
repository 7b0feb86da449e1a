"""Class drills accept the constructors of both editions of the book: the English one and the Chinese
2nd edition (动手学深度学习 v2). The correct zh-style files are graded as bases in
tests/variants/<name>/_alt_zh.py; here, what a learner sees when a class is missing or refuses both."""

from __future__ import annotations

from pathlib import Path

import pytest

from learndl_cli import catalog

VARIANTS = Path(__file__).parent / "variants"


@pytest.fixture(scope="module")
def runner():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)
    return runner


def test_missing_block_names_both_editions_class_names(runner, tmp_path):
    source = (VARIANTS / "transformer-block" / "_alt_zh.py").read_text()
    learner = tmp_path / "transformer_block.py"
    learner.write_text(source.replace("class EncoderBlock(", "class Block("))
    result = runner.grade(catalog.get("transformer-block"), learner, seed=1, meta=False)
    assert result.status == "error"
    assert "does not define TransformerEncoderBlock or EncoderBlock" in result.checks[0].message


def test_constructor_refusing_both_editions_reports_the_english_calls_error(runner, tmp_path):
    source = (VARIANTS / "resnet-block" / "_alt_zh.py").read_text()
    learner = tmp_path / "resnet_block.py"
    # neither Residual(num_channels, ...) nor Residual(input_channels, num_channels, ...) fits
    learner.write_text(source.replace("def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):",
                                      "def __init__(self, a, b, c, d, e):"))
    result = runner.grade(catalog.get("resnet-block"), learner, seed=1, meta=False)
    assert result.status != "pass"
    failing = [c for c in result.checks if c.status not in ("pass", "skipped")]
    assert "Residual.__init__() got an unexpected keyword argument 'use_1x1conv'" in failing[0].message
