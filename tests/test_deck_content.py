"""The bundled decks as content: coverage of the notes, sources, duplicates, size, front matter.

These checks read the deck files with the regex-level parser in ``scripts/deck_coverage.py`` (the
same one that writes docs/coverage.md), so they test the content independently of learndl's own
parser; one test at the end also runs every deck through ``learndl_cli.deckparse``.

The learners' notes live outside the repository (``../shared/notes``, or ``$LEARNDL_NOTES``); the
tests that need them skip, saying why, when they are absent.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DECKS = REPO / "decks"
NOTES = Path(os.environ.get("LEARNDL_NOTES", REPO.parent / "shared" / "notes"))
MIN_CARDS = 400


def _load_script(name: str):
    """A module from ``scripts/`` (they are tools, not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


dc = _load_script("deck_coverage")
lint = _load_script("deck_lint")

needs_notes = pytest.mark.skipif(
    not NOTES.is_dir(),
    reason=f"the learners' notes are not here ({NOTES}); set LEARNDL_NOTES to check coverage",
)


def _deck_files() -> list[Path]:
    files = dc.deck_files(DECKS)
    assert files, f"no deck files in {DECKS}"
    return files


def _all_notes():
    for path in _deck_files():
        _, notes = dc.parse_deck(path)
        yield from notes


def _where(note) -> str:
    return f"{note.deck.relative_to(REPO)}:{note.line}"


def _listed_notes_files() -> set[str]:
    readme = NOTES / "README.md"
    return set(re.findall(r"\b\d{3}_[0-9a-f]+\.txt\b", readme.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------ front matter


def test_every_deck_has_id_title_and_chapter():
    ids: dict[str, Path] = {}
    bad = []
    for path in _deck_files():
        meta, _ = dc.parse_deck(path)
        name = path.relative_to(REPO)
        for key in ("id", "title", "chapter"):
            if not meta.get(key):
                bad.append(f"{name}: front matter lacks {key!r}")
        if meta.get("chapter") and not re.fullmatch(r"\d+", meta["chapter"]):
            bad.append(f"{name}: chapter {meta['chapter']!r} is not a whole number")
        deck_id = meta.get("id", "")
        if deck_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", deck_id):
            bad.append(f"{name}: id {deck_id!r} has characters other than letters, digits, - _ .")
        if deck_id in ids:
            bad.append(f"{name}: id {deck_id!r} is already used by {ids[deck_id].relative_to(REPO)}")
        ids[deck_id] = path
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------------------ cards


def test_every_block_is_a_card():
    empty = [_where(n) for n in _all_notes() if n.cards == 0]
    assert not empty, "blocks that make no card:\n" + "\n".join(empty)


def test_no_duplicate_cards_across_decks():
    seen: dict[str, list[str]] = defaultdict(list)
    for note in _all_notes():
        for front in set(note.fronts):
            seen[front].append(_where(note))
    dups = {f: w for f, w in seen.items() if len(w) > 1}
    assert not dups, "cards with the same front:\n" + "\n".join(
        f"{', '.join(w)}: {f[:70]}" for f, w in sorted(dups.items(), key=lambda kv: kv[1])
    )


def test_every_card_has_a_source_with_file_and_heading():
    bad = []
    for note in _all_notes():
        f, h = dc.split_source(note.source)
        if not f or not h:
            bad.append(f"{_where(note)}: source {note.source!r} needs 'FILE § HEADING'")
    assert not bad, "\n".join(bad)


@needs_notes
def test_every_source_names_a_listed_notes_file_and_an_existing_heading():
    listed = _listed_notes_files()
    assert listed, "the notes README lists no notes files"
    headings = {
        (p.name, s.key) for p in dc.notes_files(NOTES) for s in dc.parse_notes_file(p)
    }
    bad = []
    for note in _all_notes():
        f, h = dc.split_source(note.source)
        if f is None:
            continue  # reported by the test above
        if f == dc.BOOK:
            if dc.book_key(h or "") is None:
                bad.append(f"{_where(note)}: the book has no section {h!r} in BOOK_SECTIONS")
        elif f not in listed:
            bad.append(f"{_where(note)}: {f!r} is not in the notes README")
        elif h and (f, dc.normalise_heading(h)) not in headings:
            bad.append(f"{_where(note)}: {f} has no heading {h!r}")
    assert not bad, "\n".join(bad)


def test_at_least_400_cards():
    total = sum(n.cards for n in _all_notes())
    assert total >= MIN_CARDS, f"the decks hold {total} cards; the project needs at least {MIN_CARDS}"


# ------------------------------------------------------------------------------ coverage


@needs_notes
def test_every_notes_section_with_content_has_a_card():
    table, _ = dc.coverage(NOTES, DECKS)
    missing = dc.gaps(table)
    assert not missing, "notes sections with content but no card (see docs/coverage.md):\n" + "\n".join(
        f"{r.section.file}:{r.section.line}: {r.section.heading}" for r in missing
    )


@needs_notes
def test_coverage_table_is_up_to_date():
    table, unmatched = dc.coverage(NOTES, DECKS)
    expected = dc.render(table, unmatched)
    current = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert current == expected, "docs/coverage.md is stale: run python scripts/deck_coverage.py"


# ------------------------------------------------------------------------------ the coverage tool itself


def test_heading_normalisation():
    n = dc.normalise_heading
    assert n("## ✅ 第四章：多层感知机（MLP）") == n("第四章:多层感知机(MLP)")
    assert n("🔹 ResNet（残差网络）") == n("ResNet（残差网络）")
    assert n("`CUDA cudnn`安装") == n("CUDA cudnn安装")
    assert n("[环境配置](https://example.com/p/1)") == n("环境配置")
    assert n("==待整理内容==") == n("待整理内容")
    assert n("Softmax 回归") != n("Softmax回归")  # inner spacing is kept, only collapsed


def test_sections_classified(tmp_path):
    notes = tmp_path / "n.txt"
    notes.write_text(
        "[toc]\n\n# Title\n\n## Images\n\n![a](b.png)\n<img src=\"c.png\"/>\nimage-20250101120000\n\n"
        "## Links\n\n- one https://a.example\n- two https://b.example\n- label\n\n"
        "## Real\n\n- a fact\n\n```python\n# not a heading\n```\n\n## Empty bullet\n\n- \n",
        encoding="utf-8",
    )
    secs = {s.heading: dc.classify(s) for s in dc.parse_notes_file(notes)}
    assert secs == {
        "Title": "empty",
        "Images": "empty",
        "Links": "links",
        "Real": "content",
        "Empty bullet": "empty",
    }


def test_card_counting_follows_the_deck_format(tmp_path):
    deck = tmp_path / "t.md"
    deck.write_text(
        "---\nid: t\ntitle: T\nchapter: 1\n---\n\nsource: n.txt § A\n\n"
        "Q: q?\nA: a\n\nfront :: back\n\nterm ::: definition\n\n"
        "{{c1::x}} and {{c2::$\\frac{1}{\\sqrt{d}}$}} and {{c1::y}}\n\n==one== and ==two==\n\n"
        "`std::vector` :: a C++ type\nsource: n.txt § B\n",
        encoding="utf-8",
    )
    _, notes = dc.parse_deck(deck)
    assert [n.cards for n in notes] == [1, 1, 2, 2, 2, 1]
    assert [n.source for n in notes] == ["n.txt § A"] * 5 + ["n.txt § B"]


@pytest.fixture
def tree(tmp_path):
    """An empty notes folder and decks folder."""
    notes, decks = tmp_path / "notes", tmp_path / "decks"
    notes.mkdir()
    decks.mkdir()
    return notes, decks


def test_check_mode_lists_gaps_and_fails(tmp_path, tree, capsys):
    notes, decks = tree
    (notes / "001_ab.txt").write_text(
        "# 🔹 Covered\n\n- a fact\n\n# Missing\n\n- another fact\n\n# Links\n\n- https://x.example\n",
        encoding="utf-8",
    )
    (decks / "d.md").write_text(
        "---\nid: d\ntitle: D\nchapter: 1\n---\n\nsource: 001_ab.txt § Covered\n\nx ::: y\n",
        encoding="utf-8",
    )
    out = tmp_path / "coverage.md"
    args = ["--notes", str(notes), "--decks", str(decks), "--out", str(out), "--no-book"]
    assert dc.main(args + ["--check"]) == 1
    assert "001_ab.txt:5: Missing" in capsys.readouterr().out
    table = out.read_text(encoding="utf-8")
    assert "| 1 | 🔹 Covered | 2 |  |" in table
    assert "| 5 | Missing | 0 | **GAP** |" in table
    assert "| 9 | Links | 0 | no content (link list) |" in table
    (decks / "d.md").write_text(
        (decks / "d.md").read_text(encoding="utf-8") + "\nQ: q\nA: a\nsource: 001_ab.txt § Missing\n",
        encoding="utf-8",
    )
    assert dc.main(args + ["--check"]) == 0



def test_book_sections_are_counted_and_checked(tmp_path, tree, capsys):
    notes, decks = tree
    (decks / "d.md").write_text(
        "---\nid: d\ntitle: D\nchapter: 13\n---\n\n"
        "source: 动手学深度学习 § 13.4 锚框\n\nx ::: y\n\n"
        "Q: q\nA: a\nsource: 动手学深度学习 § 13.10. 转置卷积\n\n"
        "Q: q2\nA: a2\nsource: 动手学深度学习 § 13.4 边界框\n\n"
        "Q: q3\nA: a3\nsource: 动手学深度学习 § 13.13 实战Kaggle比赛:图像分类(CIFAR-10)\n",
        encoding="utf-8",
    )
    out = tmp_path / "coverage.md"
    args = ["--notes", str(notes), "--decks", str(decks), "--out", str(out)]
    assert dc.main(args + ["--check"]) == 1
    printed = capsys.readouterr().out
    assert "gap: 动手学深度学习: 13.1 图像增广" in printed
    assert "gap: 动手学深度学习: 13.4 锚框" not in printed
    assert "unknown book section '13.4 边界框'" in printed  # right number, wrong title
    table = out.read_text(encoding="utf-8")
    assert "| 13.4 | &nbsp;&nbsp;锚框 | 2 |  |" in table
    assert "| 13.10 | &nbsp;&nbsp;转置卷积 | 1 |  |" in table
    assert "| 13.13 | &nbsp;&nbsp;实战 Kaggle 比赛：图像分类 (CIFAR-10) | 1 |  |" in table
    assert "| 13.1 | &nbsp;&nbsp;图像增广 | 0 | **GAP** |" in table
    assert "| 13 | 计算机视觉 | 0 | chapter |" in table


@needs_notes
def test_chapters_13_to_15_have_a_deck_of_at_least_40_cards_covering_every_section():
    per_chapter: dict[str, int] = defaultdict(int)
    for path in _deck_files():
        meta, notes = dc.parse_deck(path)
        per_chapter[meta.get("chapter", "")] += sum(n.cards for n in notes)
    small = {ch: per_chapter[ch] for ch in ("13", "14", "15") if per_chapter[ch] < 40}
    assert not small, f"chapters with fewer than 40 cards: {small}"
    table, _ = dc.coverage(NOTES, DECKS)
    rows = table[dc.BOOK]
    assert {r.section.heading.split()[0] for r in rows if r.status == "content"} >= {
        f"{ch}.{i}" for ch, n in ((13, 14), (14, 10), (15, 7)) for i in range(1, n + 1)
    }
    assert all(r.cards > 0 for r in rows if r.status == "content")


def test_decks_list_shows_chapters_13_to_15_with_at_least_40_cards(cli):
    import json

    result = cli("decks", "list", "--json")
    assert result.exit_code == 0, result.output
    cards = {d["chapter"]: d["cards"] for d in json.loads(result.output) if d["chapter"] in (13, 14, 15)}
    assert set(cards) == {13, 14, 15}, f"decks for chapters 13-15: {cards}"
    assert all(n >= 40 for n in cards.values()), cards


# ------------------------------------------------------------------------------ cards that give their answer away


def test_no_card_shows_its_own_answer():
    leaks, _ = lint.lint(DECKS)
    assert not leaks, "cards whose question shows the answer (scripts/deck_lint.py):\n" + "\n".join(
        str(f) for f in leaks
    )


def test_no_card_speaks_of_the_notes_instead_of_the_subject():
    meta = re.compile(r"笔记(此处|这里|中|里)?(有误|写错|说)|笔记作者|the notes (say|are wrong)")
    bad = [f"{_where(n)}: {meta.search(n.text).group(0)!r}" for n in _all_notes() if meta.search(n.text)]
    assert not bad, "cards with asides about the notes:\n" + "\n".join(bad)


# Errors a reviewer found in the bundled cards. Each row names the card by a phrase only it has, what
# its note must now say, and what it must no longer say, so a later rewrite cannot bring an error back.
ERRATA = [
    # gradients accumulate: after z.sum().backward(), y.sum().backward() leaves u + 2x, not 2x
    ("ch02-calculus-autograd.md", "上例中 `y` 本身还能对 `x` 求梯度吗", ["u + 2 * x", "x.grad.zero_()"], []),
    # the term through y is x * dy/dx = 2x², not 2xu
    ("ch02-calculus-autograd.md", "梯度会经过 `u` 流回", ["3x^2"], ["2 * x * u"]),
    ("ch02-linear-algebra.md", "正定矩阵 (positive definite matrix)", ["对称矩阵"], []),
    ("ch02-linear-algebra.md", "PyTorch 中用 {{c2::`torch.norm(x)`", ["torch.linalg.vector_norm"], []),
    ("ch08-rnn.md", "SentencePiece 是一种子词算法吗", ["工具包", "unigram"], []),
    ("ch08-rnn.md", "最常用的三种子词", ["unigram"], ["SentencePiece"]),
    ("ch11-optimization.md", "鞍点 (saddle point)", ["x^3", "充分条件"], []),
    ("ch04-mlp.md", "Xavier 初始化的推导假设", ["ReLU 并不合适"], []),
    ("ch04-mlp.md", "He 初始化（Kaiming 初始化）", ["\\frac{2}{n_\\text{in}}"], []),
    ("ch12-performance.md", "torch.jit.script(net)", ["弃用"], []),
    ("ch13-computer-vision.md", "锚框的宽和高是多少", ["hs\\sqrt{r}", "hs/\\sqrt{r}"], []),
    # the book's text describes max-over-time pooling; its PyTorch TextCNN pools with AdaptiveAvgPool1d
    ("ch15-nlp-applications.md", "`TextCNN` 代码里的 `self.pool`", ["nn.AdaptiveAvgPool1d(1)", "ReLU"], []),
    ("ch15-nlp-applications.md", "textCNN 对不同宽度卷积核的输出", ["平均汇聚"], []),
    # a small exponent 1/2^n brings p_n^(1/2^n) near 1: long n-grams are penalised less
    ("ch09-modern-rnn.md", "BLEU 为什么用", ["罚得更轻"], ["提升更大"]),
    ("ch14-nlp-pretraining.md", "只最大化正样本", ["无穷大", "1"], ["相等且无穷大"]),
]


@pytest.mark.parametrize("deck, phrase, must, must_not", ERRATA, ids=lambda v: v if isinstance(v, str) else None)
def test_corrected_cards_stay_corrected(deck, phrase, must, must_not):
    _, notes = dc.parse_deck(DECKS / deck)
    hits = [n for n in notes if phrase in n.text]
    assert len(hits) == 1, f"{deck}: {len(hits)} notes hold {phrase!r}, expected exactly one"
    text = hits[0].text
    assert [m for m in must if m not in text] == [], f"{_where(hits[0])} no longer says what the fix said"
    assert [m for m in must_not if m in text] == [], f"{_where(hits[0])} says the corrected error again"


def _lint_deck(tmp_path, body: str):
    deck = tmp_path / "decks" / "d.md"
    deck.parent.mkdir(exist_ok=True)
    deck.write_text("---\nid: d\ntitle: D\nchapter: 1\n---\n\nsource: n.txt § A\n\n" + body, encoding="utf-8")
    leaks, hints = lint.lint(deck.parent, with_hints=True)
    return [(f.rule, f.line) for f in leaks], [(f.rule, f.line) for f in hints]


def test_lint_finds_a_sibling_cloze_that_shows_the_hidden_answer(tmp_path):
    leaks, _ = _lint_deck(
        tmp_path,
        "掩蔽：{{c1::10%}} 换随机词元，{{c2::10%}} 不变。\n\n"  # c1's card shows c2's "10%"
        "Xavier 方差为 {{c1::$\\frac{2}{n_\\text{in} + n_\\text{out}}$}}，He 方差为 {{c2::$\\frac{2}{n_\\text{in}}$}}。\n\n"
        "自定义层用 {{c1::`nn.Parameter`}} 包装张量，如 `self.w = nn.Parameter(w)`。\n\n"
        "# 权重衰减\n\n每步按比例缩小权重，因此叫 {{c1::权重衰减}}。\n",
    )
    assert leaks == [("cloze-sibling", 9), ("cloze-sibling", 9), ("cloze-sibling", 13), ("cloze-sibling", 17)]


def test_lint_finds_a_reversed_card_whose_definition_or_heading_holds_the_term(tmp_path):
    leaks, _ = _lint_deck(
        tmp_path,
        "修正线性单元 (ReLU) ::: $\\operatorname{ReLU}(x) = \\max(x, 0)$\n\n"
        "束搜索 (beam search) ::: 每步保留 $k$ 个候选序列\n\n"
        "# 锚框\n\n锚框 (anchor box) ::: 以每个像素为中心生成的候选边界框\n\n"
        "# 其他\n\n平均汇聚 (average pooling) ::: 每个窗口输出其中元素的平均值\n\n"
        "训练误差 (training error) ::: 模型在训练数据集上计算得到的误差\n\n"  # the term in two parts
        "自注意力 (self-attention) ::: 查询、键和值都来自同一组输入的注意力\n\n"  # 自 alone is not a part
        "误差训练 ::: 模型在训练数据集上计算得到的误差\n\n"  # parts out of order
        "全连接层 ::: 每个输出都与所有输入相连的层，又叫稠密层\n\n"  # a synonym on the definition side
        "全连接层，又叫稠密层 ::: 每个输出都与所有输入相连的层\n",  # the synonym on the term side is fine
    )
    assert leaks == [("reversed-term", 9), ("reversed-term", 15), ("reversed-term", 21), ("reversed-term", 27)]


def test_lint_hints_at_long_answers_and_list_questions_but_does_not_fail_on_them(tmp_path):
    leaks, hints = _lint_deck(
        tmp_path,
        "Q: 有哪三条性质？\nA: 短\n\nQ: 为什么？\nA: " + "很长的回答" * 20 + "\n",
    )
    assert leaks == []
    assert hints == [("list-question", 9), ("long-answer", 12)]
    assert lint.main(["--decks", str(tmp_path / "decks"), "--check"]) == 0


# ------------------------------------------------------------------------------ learndl's own parser

deckparse = pytest.importorskip("learndl_cli.deckparse", reason="learndl_cli.deckparse is not written yet")


@pytest.mark.parametrize("path", _deck_files(), ids=lambda p: p.name)
def test_deck_parses_cleanly_with_learndl(path):
    deck = deckparse.parse_deck(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert not deck.problems, "\n".join(str(p) for p in deck.problems)
    _, notes = dc.parse_deck(path)
    assert len(deck.cards) == sum(n.cards for n in notes), "the two parsers count different cards"
    assert sorted(c.front_key for c in deck.cards) == sorted(f for n in notes for f in n.fronts)


@pytest.mark.parametrize("path", _deck_files(), ids=lambda p: p.name)
def test_deck_renders_without_leftover_latex(path):
    mathtext = pytest.importorskip("learndl_cli.mathtext")
    deck = deckparse.parse_deck(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    bad = []
    for card in deck.cards:
        for side in (card.front, card.back):
            left = mathtext.leftover_latex(mathtext.render_math(side))
            if left:
                bad.append(f"{path.name}:{card.line}: {left}")
    assert not bad, "\n".join(bad)
