"""Line breaking of card text (learndl_cli.render.wrap) and the card layout (render.layout).

Properties, checked by hypothesis on mixed Chinese, English and formulas: no character is lost,
no line is wider than the width, formulas that fit stay whole, and no line starts with closing
punctuation or ends with an opening bracket.  Then examples of what a learner sees.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from learndl_cli.render.layout import CardText
from learndl_cli.render.wrap import NO_END, NO_START, Run, formula_pieces, wrap

CJK = "深度学习的线性回归模型参数梯度下降损失函数数据集训练"
CLOSING = "，。；：、）」》！？"
OPENING = "（「《"
FORMULAS = ["𝐰∗ = (𝐗ᵀ 𝐗)⁻¹ 𝐗ᵀ 𝐲", "xᵢ", "∂l/∂𝐖", "ŷ = softmax(𝐨)", "a + b, c",
            "𝐇 = σ(𝐗𝐖ₓₕ + 𝐛ₕ)", "𝐖_q ∈ ℝ^(h×q)", "f(x) = (x + 1)(x - 1)"]

# A bracket glued to a formula wider than the line cannot keep both rules (see
# test_a_bracket_glued_to_a_too_wide_formula); words here never end with "(".
latin_word = st.text("abcdefghijklmnopqrstuvwxyz().,", min_size=1, max_size=14).map(
    lambda w: w.lstrip(".,)").rstrip("(") or "w")
cjk_phrase = st.builds(
    lambda opening, chars, closing: opening + chars + closing,
    st.sampled_from(["", ""] + list(OPENING)),
    st.text(CJK, min_size=1, max_size=12),
    st.sampled_from(["", "", ""] + list(CLOSING)),
)
piece = st.one_of(
    latin_word.map(lambda w: Run(w)),
    cjk_phrase.map(lambda w: Run(w)),
    st.sampled_from(FORMULAS).map(lambda f: Run(f, atom=True)),
    st.sampled_from(["**粗体**", "`code()`"]).map(lambda c: Run(c.strip("*`"), "bold", atom=c[0] == "`")),
)
paragraph = st.lists(st.tuples(piece, st.sampled_from(["", " ", "  "])), min_size=1, max_size=30).map(
    lambda pairs: [run for p, sep in pairs for run in ([p, Run(sep)] if sep else [p])])


def texts(lines: list[list[Run]]) -> list[str]:
    return ["".join(run.text for run in line) for line in lines]


def visible(s: str) -> str:
    return "".join(s.split())


@settings(max_examples=300, deadline=None)
@given(paragraph, st.integers(min_value=6, max_value=90))
def test_wrapping_keeps_every_character_and_fits_the_width(runs, width):
    lines = texts(wrap(runs, width))
    assert visible("".join(lines)) == visible("".join(run.text for run in runs))
    for line in lines:
        assert cell_len(line) <= width, (width, line)


@settings(max_examples=200, deadline=None)
@given(paragraph, st.integers(min_value=1, max_value=5))
def test_at_tiny_widths_only_a_single_wide_character_overflows(runs, width):
    lines = texts(wrap(runs, width))
    assert visible("".join(lines)) == visible("".join(run.text for run in runs))
    for line in lines:
        assert cell_len(line) <= width or len(line.strip()) == 1, (width, line)


@settings(max_examples=300, deadline=None)
@given(paragraph, st.integers(min_value=6, max_value=90))
def test_no_closing_punctuation_starts_a_line_and_no_opening_bracket_ends_one(runs, width):
    lines = texts(wrap(runs, width))
    for k, line in enumerate(lines):
        if k:
            assert line[:1] not in NO_START, (width, lines[k - 1], line)
        if k < len(lines) - 1:
            assert line.rstrip()[-1:] not in NO_END, (width, line, lines[k + 1])


@settings(max_examples=300, deadline=None)
@given(paragraph, st.integers(min_value=6, max_value=90))
def test_a_formula_that_fits_stays_on_one_line(runs, width):
    lines = texts(wrap(runs, width))
    for run in runs:
        if run.atom and cell_len(run.text) <= width:
            assert any(run.text in line for line in lines), (width, run.text, lines)


def test_the_issue_formula_is_never_split_at_80_columns():
    text = "线性回归的解析解可以写成 "
    formula = "𝐰∗ = (𝐗ᵀ 𝐗)⁻¹ 𝐗ᵀ 𝐲"
    for pad in range(0, 40):
        runs = [Run(text + "x" * pad + " "), Run(formula, atom=True), Run("，它要求矩阵满秩。")]
        lines = texts(wrap(runs, 74))
        assert any(formula in line for line in lines), lines
        assert not any(line.startswith("，") for line in lines)


def test_a_formula_wider_than_the_line_breaks_only_after_top_level_operators():
    formula = "L = (a + b)(c + d) + ∑ᵢ (xᵢ - yᵢ)² + λ‖𝐰‖², μ = 0"
    assert formula_pieces(formula) == ["L = ", "(a + b)(c + d) + ", "∑ᵢ (xᵢ - yᵢ)² + ", "λ‖𝐰‖², ", "μ = ", "0"]
    lines = texts(wrap([Run(formula, atom=True)], 24))
    assert "".join(lines).replace(" ", "") == formula.replace(" ", "")
    for line in lines[:-1]:
        assert line.rstrip()[-1] in "=+,", lines
    assert all(cell_len(line) <= 24 for line in lines)


def test_chinese_breaks_between_characters_with_wide_widths():
    lines = texts(wrap([Run("深度学习" * 10)], 10))
    assert lines[0] == "深度学习深"
    assert all(cell_len(line) <= 10 for line in lines)
    # A comma due at the start of a line pulls the character before it down.
    lines = texts(wrap([Run("一二三四，五六七")], 8))
    assert lines == ["一二三", "四，五六", "七"]
    lines = texts(wrap([Run("一二三（四五六）")], 8))
    assert lines == ["一二三", "（四五六", "）"] or not lines[0].endswith("（")


def test_english_breaks_at_spaces_and_drops_them():
    assert texts(wrap([Run("the quick brown fox jumps")], 10)) == ["the quick", "brown fox", "jumps"]


def test_line_breaks_in_a_run_stay():
    assert texts(wrap([Run("第一行\n第二行")], 40)) == ["第一行", "第二行"]


# -- the card layout -------------------------------------------------------------------------


def test_answers_keep_their_lines_and_lists_hang():
    side = ("需要传入 `gradient` 参数，\n或者先求和：`y.sum().backward()`。\n\n"
            "- 第一项：一个很长的列表项，用来看换行以后第二行是否和第一行的文字对齐，而不是顶格\n"
            "- 第二项 $\\mathbf{x}_i$\n\n"
            "1. one\n2. two")
    lines = CardText(side).lines(40)
    assert lines[0] == "需要传入 gradient 参数，"
    assert lines[1] == "或者先求和：y.sum().backward()。"
    item = [k for k, line in enumerate(lines) if line.startswith("• 第一项")][0]
    assert lines[item + 1].startswith("  ") and not lines[item + 1].startswith("   ")
    assert "• 第二项 𝐱ᵢ" in lines
    assert "1. one" in lines and "2. two" in lines
    assert all(cell_len(line) <= 40 for line in lines)


def test_code_blocks_stay_code_and_display_maths_is_indented():
    side = "看代码：\n\n```python\nx = torch.ones(3)  # 一行很长的注释，不会被当成段落重新排版\n```\n\n$$\\hat{y} = \\frac{1}{n}\\sum_{i=1}^n x_i$$"
    lines = CardText(side).lines(30)
    assert "x = torch.ones(3)  # 一行很长的注释，不会被当成段落重新排版" in lines
    assert "    y\u0302 = (1/n)∑ᵢ₌₁ⁿ xᵢ" in lines


def test_markdown_inside_a_formula_is_not_read_as_markdown():
    lines = CardText("$a_i * b_j$ 和 $c_k * d$").lines(40)
    assert lines == ["aᵢ ∗ bⱼ 和 cₖ ∗ d"]


def test_blank_lines_are_kept_as_written_and_none_are_added():
    assert CardText("步骤：\n1. 前向\n2. 反向\n\n最后更新参数").lines(40) == [
        "步骤：", "1. 前向", "2. 反向", "", "最后更新参数"]
    assert CardText("# 定义\n正文").lines(40) == ["定义", "正文"]


def test_a_nested_list_hangs_under_its_parent_item():
    lines = CardText("- 外层\n  - 内层的一个很长很长很长很长很长很长的条目").lines(20)
    assert lines[0] == "• 外层"
    assert lines[1].startswith("  ◦ 内层")
    assert all(line.startswith("    ") for line in lines[2:]) and len(lines) > 2


_sentence = st.lists(st.sampled_from(
    ["深度学习", "模型的参数", "，", "。", "（例如", "）", "gradient descent", " ", "$\\mathbf{W}_q \\in \\mathbb{R}^{h\\times q}$",
     "$x_i$", "**重点**", "`loss.backward()`", "$\\frac{a+b}{c}$", "；", "the learning rate"]),
    min_size=1, max_size=12).map("".join)
_block = st.one_of(
    _sentence,
    st.lists(_sentence, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {s}" for s in items)),
    st.lists(_sentence, min_size=1, max_size=4).map(lambda items: "\n".join(f"{k + 1}. {s}" for k, s in enumerate(items))),
    st.lists(_sentence, min_size=2, max_size=3).map("\n".join),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_block, min_size=1, max_size=4).map("\n\n".join), st.integers(min_value=12, max_value=100))
def test_a_laid_out_card_fits_its_width_and_loses_nothing(side, width):
    from learndl_cli.mathtext import render_math

    lines = CardText(side).lines(width)
    assert all(cell_len(line) <= width for line in lines), (width, lines)

    def letters(s: str) -> list[str]:
        return sorted(ch for ch in s if ch.isalpha())

    assert letters("".join(lines)) == letters(render_math(side))


def test_a_link_shows_where_it_goes():
    assert CardText("见 [d2l](https://d2l.ai) 和 <https://zh.d2l.ai>").lines(80) == [
        "见 d2l (https://d2l.ai) 和 https://zh.d2l.ai"]


def test_a_bracket_glued_to_a_too_wide_formula():
    """Kinsoku gives way only where keeping it would cut a formula piece that fits a line."""
    lines = texts(wrap([Run("见("), Run("f(x) = (x + 1)(x - 1)", atom=True)], 8))
    assert lines[:2] == ["见", "(f(x) ="]  # the bracket goes down with the formula
    lines = texts(wrap([Run("("), Run("f(x) = (x + 1)(x - 1)", atom=True)], 6))
    assert lines[:2] == ["(", "f(x) ="]  # no other place to break: the piece stays whole
    lines = texts(wrap([Run("见（"), Run("f(x) = (x + 1)", atom=True), Run("）。")], 40))
    assert lines == ["见（f(x) = (x + 1)）。"]


def test_a_table_lines_up_its_columns_when_it_fits():
    side = "| 层 | 输出形状 |\n|---|---|\n| 卷积 $k_h$ | $(n_h-k_h+1)$ |\n| 池化 | 同上 |"
    assert CardText(side).lines(60) == ["层      │ 输出形状", "────────┼──────────", "卷积 kₕ │ (nₕ-kₕ+1)",
                                        "池化    │ 同上"]
    assert all(cell_len(line) <= 12 for line in CardText(side).lines(12))
