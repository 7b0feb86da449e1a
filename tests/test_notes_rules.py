"""The notes importer's rules, one class of note habit at a time, on the fixture corpus
(tests/fixtures/notes, Chinese notes written for these tests) and on small snippets.

Each rule and each gate has a test that a card is made where it should be, and one that no card is
made where a rule would have to guess."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from learndl_cli.notes import import_notes
from learndl_cli.notes.chapters import infer_chapter
from learndl_cli.notes.rules import RULES, back_problem, front_problem, split_term

NOTES = FIXTURES / "notes"


def cards(text: str, path: str = "n.md") -> dict[str, str]:
    return {p.front: p.back for p in import_notes(text, path).proposals}


def fixture(name: str):
    path = NOTES / name
    return import_notes(path.read_text(encoding="utf-8"), str(path))


def by_front(result) -> dict:
    return {p.front: p for p in result.proposals}


def test_every_rule_has_a_name_an_explanation_and_makes_a_card_in_the_corpus():
    made = set()
    for path in NOTES.glob("*.md"):
        made |= {p.origin for p in import_notes(path.read_text(encoding="utf-8"), path.name).proposals}
    for rule in RULES:
        assert rule.name and rule.explains and rule.find is not None
        assert rule.name in made, rule.name
    assert {"heading-explained", "qa"} <= made


# ---------------------------------------------------------------- boilerplate sections


def test_boilerplate_sections_give_no_cards():
    result = fixture("线性回归.md")
    got = by_front(result)
    text = "\n".join(p.front + p.back for p in result.proposals)
    # code outline (代码实现: 生成数据集 / 定义模型 / 训练), the video link, the reflection
    assert not any(f in got for f in ("生成数据集", "定义模型", "训练", "代码实现"))
    assert "bilibili" not in text and "本节课程视频" not in text and "跑通" not in text
    # "总结 › 总结" is never a front; a summary section gives only cards that stand on their own line
    assert not any("总结" in f for f in got)
    kaggle = fixture("kaggle房价预测.md")
    assert not any("Score" in p.front + p.back or "0.14877" in p.back for p in kaggle.proposals)
    assert by_front(kaggle)["K 折交叉验证"].back.startswith("把数据分成 K 份")
    assert not any("调参" in p.back for p in kaggle.proposals)  # 心得
    resnet = by_front(fixture("残差网络ResNet.md"))
    assert not any(f in resnet for f in ("定义网络", "测试", "训练", "总结"))


def test_the_lesson_after_a_video_link_heading_is_read():
    text = "# 09 - Softmax 回归\n\n### 🎦 本节课程视频地址 👉\n[![B站](https://example.com/c.jpg)](https://www.bilibili.com/video/BV1)\n\n**回归**\n\n单个连续值输出\n"
    assert cards(text) == {"回归": "单个连续值输出"}


@pytest.mark.parametrize("heading", ["代码实现", "从零开始实现", "感悟", "我的心得", "Kaggle 提交结果", "参考资料", "TODO"])
def test_a_section_named_as_boilerplate_gives_nothing(heading):
    assert cards(f"# 笔记\n\n## {heading}\n\n- 术语：一个解释\n\n### 小标题\n\n一段说明文字。\n") == {}


def test_scores_are_not_facts():
    assert back_problem("0.38412", "精度最高为 Public Score") == "the answer is a measured score"
    assert back_problem("0.1234", "结果") == "the answer is a measured score"
    assert back_problem("10", "Fashion-MNIST 的类别数") == ""  # a number can be a fact
    assert cards("# 房价\n\n精度最高为 Public Score：0.38412\n") == {}


# ---------------------------------------------------------------- questions and answers


def test_chinese_question_answer_pairs_stay_together():
    got = by_front(fixture("线性回归.md"))
    assert got["如何获得更多的非线性性？"].back == "多隐藏层。"  # 问：… blank line 答：…
    assert got["为什么用平方损失而不是绝对差值？"].back.startswith("平方损失处处可导")
    assert got["批量大小会影响最后的精度吗？"].origin == "qa"  # **Q：…** then A：…
    assert got["学习率怎么选？"].back.startswith("选对优化算法")  # answer as a sub-bullet
    assert got["数据量太少怎么办？"].origin == "question-answered"  # a numbered question
    assert "答" not in got and "A" not in got


def test_every_form_of_question_and_answer():
    got = by_front(fixture("问答合集.md"))
    assert got["GRU 和 LSTM 哪个更好？"].back.startswith("两者效果差不多")  # **Q1：…** / A1：
    assert got["LSTM 里为什么需要两个状态？"].back.startswith("记忆元 C")  # Q: … A: … on one line
    assert got["为什么要用 tanh 而不是 ReLU？"].back.startswith("tanh 把值限制")  # 问：…答：… on one line
    assert got["双向循环神经网络能用来预测下一个词吗？"].back.startswith("不能")
    assert got["束搜索的束宽为 1 时是什么？"].back == "就是贪心搜索"
    assert got["深层循环网络要多深？"].back.startswith("一般两三层")  # - 问： / - 答： bullets
    # Q&A pairs do not switch off the other rules: the rest of the notes still gives cards
    assert got["重置门"].origin == "term-definition" and got["BLEU"].origin == "bold-term"


def test_an_answer_without_its_question_is_reported_not_a_card():
    result = import_notes("# 笔记\n\n答：多隐藏层\n", "a.md")
    assert result.proposals == []
    assert [str(p) for p in result.problems] == ["a.md:3: an answer ('A:'/'答：') without a question above it; skipped"]


def test_a_question_with_its_answer_under_it():
    got = cards("# 激活函数\n\n- 为什么需要非线性激活函数？\n  - 否则多层网络叠起来仍然是一个线性模型\n")
    assert got == {"为什么需要非线性激活函数？": "- 否则多层网络叠起来仍然是一个线性模型"}


# ---------------------------------------------------------------- term：definition


@pytest.mark.parametrize(
    "line, term",
    [
        ("计算机科学家Marvin Minsky（后世人们称他为“人工智能之父”）：单层感知机", "计算机科学家Marvin Minsky（后世人们称他为“人工智能之父”）"),
        ("对照结果（左图：有 Dropout；右图：无 Dropout）", None),
        ("学习率：每一步走多远", "学习率"),
        ("见 https://example.com/a:b", None),
        ("a:b 不是术语", None),
    ],
)
def test_the_colon_that_splits_is_the_first_outside_brackets(line, term):
    got = split_term(line)
    assert (got[0] if got else None) == term


@pytest.mark.parametrize(
    "front, why",
    [
        ("首先令", "the colon ends a clause, not a term"),
        ("损失函数对参数求导后可以得到", "the colon ends a clause, not a term"),
        ("线性模型可以看成单层神经网络", "the front is a sentence, not a term"),
        ("梯度爆炸的问题（", "the front ends inside brackets"),
        ("对照结果（左图", "the front ends inside brackets"),
        ("图 2", "the front is a picture caption"),
        ("答", "the front is a question or answer marker"),
        ("Q1", "the front is a question or answer marker"),
        ("计算机科学家Marvin Minsky（后世人们称他为人工智能之父之一的那位学者）", "the front is a sentence, not a term"),
        ("0.38412", "the front is a number"),
    ],
)
def test_fronts_that_are_not_terms(front, why):
    assert front_problem(front) == why


@pytest.mark.parametrize("front", ["链式法则", "目的", "学习率", "加性注意力(additive attention)", "Xavier 初始化", "`view()`", "$\\eta$"])
def test_fronts_that_are_terms(front):
    assert front_problem(front) == ""


@pytest.mark.parametrize(
    "back, why",
    [
        ("和 Papert 一起指出单层感知机无法解决 XOR 问题", "the answer goes on with a sentence cut at its colon"),
        ("丢弃法对每个元素进行如下扰动：", "the answer stops where its formula or list should begin"),
        ("[图片] [图片]", "the answer is only pictures or links"),
        ("自主性提示；键（key）：非自主性提示", "the line holds several term：definition pairs"),
        ("三步搞定矩阵求导 - 某人的文章 - 知乎\nhttps://example.com/p/1", "the answer points to a web page"),
        ("原理与实现", "the answer names topics, not facts"),
        ("（凑出$f(x)=x$） [图片]", "the answer is only a remark in brackets"),
        ("```python\nx = 1\n```", "the answer is only code"),
    ],
)
def test_answers_that_are_not_answers(back, why):
    assert back_problem(back) == why


def test_mid_sentence_colons_and_captions_make_no_cards():
    mlp = fixture("多层感知机.md")
    fronts = [p.front for p in mlp.proposals]
    assert not any("左图" in f or "图 2" in f or f.startswith("计算机科学家") for f in fronts)
    assert not any(p.back.startswith("有 Dropout") or p.back.startswith("和 Papert") for p in mlp.proposals)
    assert not any(f.endswith("（") for f in fronts)
    lr = fixture("线性回归.md")
    assert not any(p.front.startswith("首先令") for p in lr.proposals)


# ---------------------------------------------------------------- context


def test_sub_bullets_keep_their_parent():
    got = by_front(fixture("多层感知机.md"))
    assert got["感知机 › VS 线性回归"].back == "- 输出实数"
    assert got["感知机 › VS Softmax 回归"].back == "- 输出概率"
    lr = by_front(fixture("线性回归.md"))
    assert lr["学习率 › 太小"].back == "要走很多步才能收敛"
    assert lr["批量大小 › 太小"].back.startswith("每次计算量小")
    assert by_front(fixture("typora-注意力.md"))["自注意力和位置编码 › 与 RNN 的区别"].back == "- 可以并行计算\n- 最大路径长度为 O(1)"


def test_a_formula_stays_with_the_sentence_that_introduces_it():
    got = by_front(fixture("多层感知机.md"))
    dropout = next(p for p in got.values() if p.front.startswith("丢弃法对每个元素进行如下扰动"))
    assert "\\frac{x_i}{1-p}" in dropout.back and dropout.back.startswith("$$")
    lr = by_front(fixture("线性回归.md"))
    gd = lr["挑一个初始值 $\\mathbf{w}_0$，然后不断重复："]
    assert gd.origin == "formula-introduced" and "\\eta" in gd.back
    # a formula after a blank line, in a bullet and in a paragraph
    got = cards("# 激活函数\n\nSigmoid 函数的定义如下：\n\n$$\\sigma(x)=\\frac{1}{1+e^{-x}}$$\n")
    assert got == {"Sigmoid 函数的定义如下：": "$$\\sigma(x)=\\frac{1}{1+e^{-x}}$$"}
    got = cards("# 损失\n\n- 交叉熵：\n\n  $$l=-\\sum_j y_j\\log\\hat{y}_j$$\n")
    assert got == {"交叉熵": "$$l=-\\sum_j y_j\\log\\hat{y}_j$$"}


# ---------------------------------------------------------------- headings


def test_bold_lines_used_as_headings_are_headings():
    got = by_front(fixture("残差网络ResNet.md"))
    assert got["残差映射"].origin == "heading-explained" and got["残差映射"].back.startswith("让块去拟合")
    assert got["ResNet-18"].back.startswith("4 个残差模块")
    assert got["残差块 › 核心思想"].back.startswith("新加的层")  # a generic bold heading gets its parent
    assert len(got) >= 8


def test_obsidian_and_typora_habits():
    conv = by_front(fixture("obsidian-卷积.md"))
    assert conv["互相关运算"].back.startswith("卷积核在输入上滑动")  # > [!note] 标题 callout
    assert conv["卷积核（kernel）"].back.startswith("也叫滤波器")  # [[wikilink|shown]], ^block-id dropped
    assert "周末" not in "".join(p.back for p in conv.values())  # %% comment %%
    assert conv["两个卷积块"].context.endswith("整体结构")  # 一、整体结构 is a heading
    att = by_front(fixture("typora-注意力.md"))
    assert att["掩蔽 softmax"].back.startswith("把填充位置")  # （1）numbering removed
    assert att["加性注意力(additive attention)"].back.startswith("查询和键长度不同")  # 1、 and ASCII colon
    assert att["Nadaraya-Watson 核回归 › 注意"].back == "非参数的注意力汇聚不需要训练参数"  # <font> tags
    assert not any("图 10.1" in p.front for p in att.values())  # <center> caption
    assert "查询（query）" not in att  # several pairs on one line: unsure, no card


def test_tables_are_not_read_as_terms():
    got = cards("# 激活函数\n\n| 名称 | 说明：值域 |\n| --- | --- |\n| sigmoid | (0, 1) |\n\n- ReLU：最常用的激活函数\n")
    assert got == {"ReLU": "最常用的激活函数"}


# ---------------------------------------------------------------- chapters


@pytest.mark.parametrize(
    "text, headings, title, chapter",
    [
        ("---\nchapter: 7\n---\n# 笔记", [], "笔记", 7),
        ("", ["第三章 线性神经网络", "3.1 线性回归"], "第三章 线性神经网络", 3),
        ("", ["第十章 注意力机制"], "第十章 注意力机制", 10),
        ("", ["4.1 多层感知机", "4.6 暂退法"], "笔记", 4),
        ("", ["门控循环单元", "候选隐状态"], "44 - 门控循环单元GRU", 9),
        ("", ["线性回归", "卷积层", "注意力"], "学习记录", None),
        ("", ["环境配置", "安装"], "我的笔记", None),
    ],
)
def test_chapter_inference(text, headings, title, chapter):
    assert infer_chapter(text, headings, title)[0] == chapter


def test_fixture_chapters():
    assert fixture("obsidian-卷积.md").chapter == 6
    assert fixture("问答合集.md").chapter == 9
    assert fixture("线性回归.md").chapter == 3
    assert fixture("残差网络ResNet.md").chapter == 7


def test_numbered_problem_questions_and_problem_statements():
    got = cards("# 笔记\n\n## Q&A\n\n问题1：GRU 为什么比 LSTM 快？\n答：门更少，参数更少。\n")
    assert got == {"GRU 为什么比 LSTM 快？": "门更少，参数更少。"}
    # "问题：…" without a question mark is "the problem: …", a generic term under its parent
    got = cards("# 张量\n\n## 节省内存\n\n- 问题：运行一些操作会为新结果分配内存\n")
    assert got == {"节省内存 › 问题": "运行一些操作会为新结果分配内存"}


def test_a_heading_is_a_title_even_when_it_reads_like_a_clause_and_a_formula_can_explain_it():
    got = cards("# 笔记\n\n## 从回归到多类 —— 均方损失\n\n对类别进行有效编码\n使用均方损失训练\n\n### 候选隐状态\n\n$$\\tilde{H}_t=\\tanh(X_tW_{xh})$$\n")
    assert got == {"从回归到多类 —— 均方损失": "对类别进行有效编码\n使用均方损失训练", "候选隐状态": "$$\\tilde{H}_t=\\tanh(X_tW_{xh})$$"}


def test_an_outline_is_not_a_glossary():
    outline = "# 工具\n\n- NumPy：数值计算基础\n- Matplotlib：可视化支持\n- Pandas：数据处理\n- Jupyter：交互式开发\n"
    assert cards(outline) == {}
    glossary = "# 复习\n\n- 张量：多维数组\n- 卷积层：用卷积核提取局部特征\n- 注意力：按相似度给值加权\n"
    assert cards(glossary) == {"张量": "多维数组", "卷积层": "用卷积核提取局部特征", "注意力": "按相似度给值加权"}
    toc = "# 笔记\n\n## 卷积基础\n\n- 从全连接层到卷积\n- 图像卷积\n- 填充和步幅\n- 池化层\n"
    assert cards(toc) == {}


def test_headings_under_a_video_link_heading_are_the_lesson():
    text = "# 笔记\n\n## 课程视频\n\n[视频](https://www.bilibili.com/video/BV1)\n\n### 线性模型\n\n- 线性回归：对输入加权求和再加偏差\n"
    assert cards(text) == {"线性回归": "对输入加权求和再加偏差"}


def test_hardware_specs_are_not_facts_to_recall():
    text = "# 深度学习硬件\n\n以一台电脑配置为例：\n- CPU: Intel i7, 0.15TFLOPS\n- DDR4: 32GB\n- GPU：Nvidia Titan X, 12TFLOPS, 16GB显存\n"
    assert cards(text) == {}
    assert back_problem("Intel i7, 0.15TFLOPS") == "the answer is a specification or a measurement"


def test_a_question_heading_is_answered_by_what_is_under_it():
    text = "# 笔记\n\n## Q&A\n\n### Q1：为什么 ResNet 能训练得很深？\n\n梯度可以通过捷径直接传回底层。\n\n### 还有问题吗\n\n没有了\n"
    assert cards(text) == {"为什么 ResNet 能训练得很深？": "梯度可以通过捷径直接传回底层"}
