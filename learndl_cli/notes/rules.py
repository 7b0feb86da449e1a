"""The heuristics that propose cards from the structure of notes: a list of small named rules.

Each rule looks at one block of the notes and either proposes one card (a front and a back) or
nothing. ``RULES`` is tried in order on every bullet and paragraph, the first rule that proposes a
card wins; ``heading_explained`` then reads what is left under each heading. A card is written
only when its front and back pass the *gates* (``front_problem``, ``back_problem``): a rule that
is unsure proposes nothing, because a missing card costs the learner less than a junk card.

Sections that hold nothing to learn (course-video links, code outlines, reflections, competition
scores, references, to-do lists) give no proposals at all; summaries and Q&A sections give only
cards that stand on their own lines (see ``section_kind``).

Every rule has an ``explains`` line: ``learndl notes import --dry-run --explain`` prints it with
the rule's name and the notes line each card came from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from .model import Proposal
from .structure import INTRO_END_RE, Node, Section
from .text import PICTURE, URL_RE, clean_inline, has_text, is_cjk, mask, strip_end, unbold


@dataclass(frozen=True)
class Rule:
    name: str
    explains: str
    find: Callable[[Node, "Context"], tuple[str, str] | None] | None = None


@dataclass
class Context:
    section: Section
    kind: str  # "facts", "summary" or "qa" (see section_kind)
    parent_term: str = ""


MAX_TERM = 40
MAX_BACK = 600
MAX_BACK_LINES = 10
SENTENCE_PUNCT = set("，。；！？,;!?")

# ---------------------------------------------------------------- sections


# Headings of sections that hold nothing to learn as a card.
NO_FACTS_RE = re.compile(
    r"todo|to do|reference|参考|版权|目录|大纲|进度|计划|资源|链接|贡献|反馈|致谢|licen[cs]e|copyright|前言|引言|"
    r"项目|注意事项|常见问题|更新|阅读|contents|练习|习题|作业|exercise|homework|"
    r"使用指南|使用说明|快速开始|快速上手|目录结构|文件结构|getting started|环境要求|requirements|"  # a README
    r"知识结构|知识体系|知识框架|学习目标|学习路线|路线图|思维导图|roadmap|"  # a map of topics
    r"代码|源码|\bcode\b|implementation|从零(开始)?实现|简洁实现|^\W*(\d+[.、]?\s*)?(动手|pytorch\s*)?实现\W*$|demo|"  # code outlines
    r"感悟|心得|体会|感想|随笔|碎碎念|吐槽|后记|闲话|"  # personal reflections
    r"比赛|竞赛|kaggle|排行|排名|成绩|得分|score|leaderboard|提交|submission",  # competition results
    re.I,
)
# A course-video link: nothing under it to learn, but the headings below it are the lesson itself.
VIDEO_RE = re.compile(r"视频|video|bilibili|b站|youtube|课件|slides?\b", re.I)
SUMMARY_RE = re.compile(r"总结|小结|回顾|要点|summary|recap|takeaway", re.I)
QA_SECTION_RE = re.compile(r"q\s*&\s*a|\bqa\b|问答|答疑|提问|问题解答|课后问题|疑问|faq", re.I)


def section_kind(section: Section, title: str = "") -> str:
    """``none`` (nothing to learn), ``qa``, ``summary`` or ``facts``, from the headings above."""
    headings = [t for _, t in section.path if t != title]
    for text in headings:
        if NO_FACTS_RE.search(text):
            return "none"
    if section.path and section.path[-1][1] != title and VIDEO_RE.search(section.path[-1][1]):
        return "none"
    for text in reversed(headings):
        if QA_SECTION_RE.search(text):
            return "qa"
        if SUMMARY_RE.search(text):
            return "summary"
    return "facts"


# ---------------------------------------------------------------- gates: is this a front, a back?

# Terms that mean little without the term above them: "用途" becomes "小批量随机梯度下降 › 用途".
GENERIC_TERMS = {
    "用途", "作用", "实现方式", "实现", "原因", "核心原因", "注意", "特点", "定义", "示例", "例子", "方法",
    "优点", "缺点", "总结", "解决方案", "解决方法", "原理", "动机", "问题", "应对方案", "使用方法", "具体表现",
    "具体形式", "影响", "目的", "步骤", "结论", "公式", "代码", "思路", "说明", "备注", "例如", "比如",
    "评估指标", "指标", "衡量指标", "损失函数", "优化算法", "应用", "区别", "联系", "对比", "好处", "坏处",
    "局限", "局限性", "改进", "本质", "核心思想", "思想", "主要思想", "直觉", "直观理解", "理解", "含义", "意义",
    "输入", "输出", "参数", "形状", "训练", "预测", "推理", "流程", "过程", "结构", "架构", "特征", "性质",
    "门", "模型", "数据", "损失", "梯度", "结果", "场景", "适用场景", "使用场景", "缺陷", "不足", "问题所在",
    "相关术语", "术语", "常用库", "常用函数", "常用方法", "常用操作", "注意事项", "小技巧", "技巧",
}
# Fronts that only make sense after their parent: "VS 线性回归", "与 RNN 的区别", "训练时".
RELATIONAL_RE = re.compile(r"^(vs\.?|versus|与|和|跟|同|对比|相比|比较|区别|不同|相同|优点|缺点|好处|坏处)|(时|中|后|前|下)$", re.I)
# A colon that ends a clause, not a term: "首先令：", "可以得到：", "结果如下：", "我们有：".
CLAUSE_END_RE = re.compile(
    r"(记作|记为|如下|如下所示|所示|得到|可得|就是|等于|变成|变为|即为|可以|认为|发现|提到|指出|如图|例如|比如|"
    r"包括|包含|分为|分成|满足|推出|推导出|首先令|我们有|可以得到|有如下|为例|举例)$"
)
# One character that ends a clause ("…进行计算得：", "…时则："), in a front long enough to be one;
# not in the nouns that end so too (法则, 目的, 指令).
CLAUSE_END_CHAR_RE = re.compile(r"(?<!法|规|准|原)则$|(?<!目)的$|(?<!指|命)令$|(?<!假|预)设$|(?<!行|作|成)为$|[是有得即了着说问会如见]$")
CLAUSE_START_RE = re.compile(
    r"^(首先|然后|其次|接着|最后|因此|所以|于是|那么|如果|假设|假如|例如|比如|也就是|这里|这时|此时|其中|我们|你|"
    r"可以看到|可见|注意到|但是|但|而且|并且|由于|因为|对于|根据|当|若|如|这|那|它|他|她|则|即|又|还|就|考虑|从|最重要|重要的是|关键是|把|将|让|通过)"
)
# A picture caption or a pointer to one: "对照结果（左图", "图 3", "如下图", "左图".
# Words that make a front a sentence: "线性模型可以看成单层神经网络".
CLAUSE_INSIDE_RE = re.compile(r"的是|用来|用于|可以|看成|看作|就是|应该|应当|需要|能够|可能|不能|无法|我们|他们|大家|所以|因此|但是|如果|导致|使得")
# An answer that goes on with a sentence cut at the colon: "和 Papert 一起指出…".
CONTINUES_RE = re.compile(r"^(和|与|跟|并且|并|而且|而|但是|但|或者|以及|及|那么|所以|因此)")
CAPTION_RE = re.compile(r"^(如|见|下|上|左|右|此|该)?(图|表|figure|fig\.?|table)\s*\d*\s*$|^(图|表|figure|fig\.?|table)\s*[\d一二三四五六七八九十]", re.I)
# A question or answer marker: never the front of a term card ("答 → 多隐藏层").
# A line that is a caption: "图 2：XOR 问题的决策边界", "对照结果（左图：有；右图：无）".
CAPTION_LINE_RE = re.compile(r"^\s*(\[图片[^\]]*\]\s*)*(图|表|figure|fig\.?|table)\s*[\d一二三四五六七八九十]+(\.\d+)*\s*[：:.．]|[左右上下]图\s*[：:（(]|（[左右上下]图", re.I)
QA_MARKER_RE = re.compile(r"^(q|a|问|答|回答|解答|答案|提问)\s*\d{0,3}$|^问题\s*\d{1,3}$", re.I)
NUMERIC_RE = re.compile(r"^[\d\s.,%:：/+\-–—×xX*()（）=<>≈~≤≥]+$")
SCORE_RE = re.compile(r"score|分数|得分|成绩|排名|名次|精度|准确率|正确率|accuracy|acc\b|loss|损失值|rank|public|private|榜", re.I)
OPEN, CLOSE = "（([【{<《“‘「", "）)]】}>》”’」"


def balanced(text: str) -> bool:
    depth = 0
    for ch in mask(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def front_problem(term: str, heading: bool = False) -> str:
    """Why ``term`` cannot be the front of a card ("" when it can). A ``heading`` is a title the
    learner gave a section ("从回归到多类——均方损失"), so it is not checked for clause words."""
    plain = unbold(clean_inline(term)).strip()
    core = re.sub(r"[（(][^）)]*[）)]", "", plain).strip()
    if not plain or not has_text(plain):
        return "the front says nothing"
    if len(core) > MAX_TERM or len(plain) > 2 * MAX_TERM:
        return "the front is a sentence, not a term"
    if any(ch in SENTENCE_PUNCT for ch in mask(plain)):
        return "the front is a sentence, not a term"
    if not balanced(plain):
        return "the front ends inside brackets"
    if re.match(r"^(https?|ftp|mailto|file|[A-Za-z])$", plain):  # a URL scheme or a drive letter
        return "the front is a link or a drive letter"
    bare = strip_end(re.sub(r"^\d{1,3}[、.．)]\s*", "", core))
    if "代码" in bare:
        return "the front is about code, not a fact"
    if QA_MARKER_RE.match(bare) or QA_SECTION_RE.search(bare):
        return "the front is a question or answer marker"
    if CAPTION_RE.match(bare) or CAPTION_LINE_RE.search(plain):
        return "the front is a picture caption"
    for inner in re.findall(r"[（(]([^）)]*)[）)]", plain):
        cjk = sum(is_cjk(ch) for ch in inner)
        if cjk > 12 or re.search(r"称|叫|认为|是|为", inner) and cjk > 6:
            return "the front is a sentence, not a term"
    if heading:
        return ""
    if CLAUSE_END_RE.search(bare) or (len(bare) >= 6 and CLAUSE_END_CHAR_RE.search(bare)) or CLAUSE_START_RE.match(bare) and len(bare) > 2:
        return "the colon ends a clause, not a term"
    if len(core) > 8 and CLAUSE_INSIDE_RE.search(core):
        return "the front is a sentence, not a term"
    if NUMERIC_RE.match(bare):
        return "the front is a number"
    return ""


def back_problem(back: str, front: str = "", question: bool = False) -> str:
    """Why ``back`` cannot be the answer of a card ("" when it can)."""
    if not has_text(back):
        return "the answer is only pictures or links"
    if len(back) > MAX_BACK or back.count("\n") >= MAX_BACK_LINES:
        return "the answer is too long"
    plain = clean_inline(back).replace(PICTURE, "").strip()
    if URL_RE.search(back) or re.search(r"(知乎|csdn|博客|公众号)[的]?文章|的文章 - ", back, re.I):
        return "the answer points to a web page"
    rows = [r for r in back.split("\n") if r.strip()]
    labels = [r for r in rows if "[图片" in r and len(re.sub(r"\[图片[^\]]*\]|[-*\s]", "", r)) <= 8]
    if len(rows) >= 2 and len(labels) * 2 >= len(rows):
        return "the answer is mostly pictures with labels"
    masked = mask(plain)
    if re.search(r"[（(]", masked) and not has_text(re.sub(r"[（(][^）)]*[）)]", "", masked)):
        return "the answer is only a remark in brackets"
    META = r"原理|实现|应用|理解|设计|影响|选择|特性|简介|使用|方法|技巧|介绍|概念|操作|构建|优化|分析|直观|数学|基础|机制|作用|的|与|和|及|等|[、，,\s]"
    if not re.sub(META, "", plain):
        return "the answer names topics, not facts"
    if not question and re.search(r"[；;][^；;：:]{1,20}[：:]", mask(plain.split("\n")[0])):
        return "the line holds several term：definition pairs"
    if not question and CONTINUES_RE.match(plain):
        return "the answer goes on with a sentence cut at its colon"
    if sum(is_cjk(ch) for ch in plain) < 4 and re.search(r"\d\s*(GB|MB|TB|KB|GHz|MHz|TFLOPS|GFLOPS|FLOPS|ns|ms|μs|us|核)(?![A-Za-z])", mask(plain), re.I):
        return "the answer is a specification or a measurement"
    if NUMERIC_RE.match(plain) and (SCORE_RE.search(front) or re.search(r"\d\.\d{3,}", plain)):
        return "the answer is a measured score"
    prose = re.sub(r"```.*?```|~~~.*?~~~", "", back, flags=re.S)
    if back.lstrip().startswith(("```", "~~~")) and not has_text(prose):
        return "the answer is only code"
    if re.search(r"[：:]\s*(\*\*)?\s*$", back):
        return "the answer stops where its formula or list should begin"
    return ""


# Headings that hold a topic list, not an explanation: "卷积基础", "高级模型与应用", "学习目标".
CONTAINER_RE = re.compile(r"(基础|概述|简介|总览|入门|与应用|进阶|知识点|详解|目录|大纲|知识结构|体系|路线|学习目标|计划|整体认识|相关理论|了解|拓展阅读)[)）]?$")
# An answer that names topics ("数值计算基础", "维度、形状、切片、广播"), the mark of an outline.
TOPIC_BACK_RE = re.compile(r"、|(基础|支持|设计|管理|开发|显示|处理|技巧|策略|简介|概述|介绍|应用|实现|原理|方法|入门|操作|使用|选择|优化|构建|机制)$")


def is_outline(items: list[Node]) -> bool:
    """Three or more sibling bullets, each a short topic ("张量的概念与操作：维度、形状、切片、广播",
    "NumPy: 数值计算基础"), half of them naming topics: a table of contents, not definitions."""
    if len(items) < 3 or any(n.kind != "item" or n.children or "\n" in n.text for n in items):
        return False
    topics = 0
    for n in items:
        text = clean_inline(n.text).strip()
        split = split_term(text)
        back = strip_end(split[1]) if split else ""
        if split and (len(back) > (40 if "、" in back else 16) or any(ch in "，。；,;" for ch in mask(back))):
            return False
        if not split and len(text) > 16:
            return False
        topics += bool(TOPIC_BACK_RE.search(back or text))
    return topics * 2 >= len(items)


def needs_context(front: str) -> bool:
    """A front that means little without the term above it: generic ("用途") or relational
    ("VS 线性回归", "训练时")."""
    bare = strip_end(front)
    return bare in GENERIC_TERMS or bool(RELATIONAL_RE.search(bare) and len(bare) <= 20)


def is_short(front: str) -> bool:
    """Two Chinese characters at most ("太小"): qualified by the bullet above it, when there is one."""
    bare = strip_end(front)
    return len(bare) <= 2 and all(is_cjk(ch) for ch in bare)


# ---------------------------------------------------------------- helpers


def clean_term(term: str) -> str:
    term = unbold(clean_inline(term)).strip()
    term = re.sub(r"^(?:\d{1,3}[、.．)]|[（(]\d{1,3}[)）])\s*", "", term)  # "1、梯度爆炸", "（1）掩蔽" → the term
    term = re.sub(r"^(?:[一二三四五六七八九十]{1,3}|[A-Za-z])[、.．]\s*", "", term)
    return strip_end(term)


def clean_back(text: str) -> str:
    return strip_end(clean_inline(text))


def split_term(text: str) -> tuple[str, str] | None:
    """``term：definition`` or ``term: definition`` → (term, definition), else None.

    The colon is the first one outside brackets, code and maths; an ASCII colon needs a space or
    Chinese text after it (so ``https://`` and ``a:b`` are not terms)."""
    first = unbold(text.split("\n", 1)[0])
    masked = mask(URL_RE.sub(lambda m: "x" * len(m.group(0)), first))
    depth = 0
    for k, ch in enumerate(masked):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (ch == "：" or (ch == ":" and (k + 1 == len(masked) or masked[k + 1] in " \t`$*" or is_cjk(masked[k + 1])))):
            term = first[:k].strip()
            rest = first[k + 1 :] + ("\n" + text.split("\n", 1)[1] if "\n" in text else "")
            return term, rest.strip()
        if ch in "，。；！？,;" and depth == 0 and k > MAX_TERM:
            return None
    return None


BOLD_HEAD_RE = re.compile(r"^\*\*(.+?)\*\*\s*((?:[（(][^）)\n]{0,40}[）)])?)\s*(?:[：:]|——|—|--|\s-\s)\s*(.*)$", re.S)
BOLD_DEF_RE = re.compile(
    r"^\*\*([^*\n]{1,30})\*\*\s*((?:[（(][^）)\n]{0,40}[）)])?)\s*"
    r"((?:是指|是一种|是一个|是|指的是|指|就是|即|表示|用于|用来|可以|能够|称为|又称|也叫|也称|通过)[^\n]*)$",
    re.S,
)


def bold_head(text: str):
    """``**term**：explanation`` at the start of ``text`` (the first 300 characters are searched)."""
    text = text.strip()
    m = BOLD_HEAD_RE.match(text[:300])
    if m is None:
        return None
    return m if len(text) <= 300 else BOLD_HEAD_RE.match(text)


def children_back(nodes: list[Node], unused_only: bool = False) -> str:
    rows: list[str] = []

    def add(n: Node, depth: int) -> None:
        text = clean_inline(n.text)
        if not text or (unused_only and n.used):
            return
        kids = [c for c in n.children if not (unused_only and c.used)]
        if unused_only and n.children and not kids and (re.search(r"[：:]\**\s*$", text) or not front_problem(text)):
            return  # "term：" or "**term**" whose bullets all made cards of their own
        lines = text.split("\n")
        bullet = n.kind == "item"
        prefix = "  " * depth + ("- " if bullet else "")
        rows.append(prefix + strip_end(lines[0]) if len(lines) == 1 else prefix + lines[0])
        rows.extend(("  " * depth + ("  " if bullet else "") + ln) for ln in lines[1:])
        for c in kids:
            add(c, depth + 1)

    for child in nodes:
        add(child, 0)
    return "\n".join(rows)


def would_card(node: Node) -> bool:
    """Whether a child bullet makes a card of its own (so its parent needs no card for it)."""
    text = node.text.strip()
    bm = bold_head(text)
    if bm and not front_problem(bm.group(1)) and bm.group(3).strip():
        return True
    split = split_term(text)
    return bool(split and not front_problem(split[0]) and split[1].strip())


QUESTION_RE = re.compile(r"^(?:\*\*)?\s*(?:Q?\d{1,3}\s*[.、:：)）]\s*|[（(]\d{1,3}[)）]\s*)?(.{4,120}?[？?])\s*(?:\*\*)?\s*$")


# ---------------------------------------------------------------- the rules


def question_answered(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A line that asks a question (ending in ？/?) with its answer in the bullets under it, or in
    a Q&A section, in the paragraph that follows it (joined by the caller as children)."""
    lines = node.text.split("\n")
    m = QUESTION_RE.match(unbold(lines[0]).strip() if lines[0].count("**") % 2 == 0 else lines[0].strip())
    if m is None:
        return None
    answer_lines = lines[1:]
    back = "\n".join(answer_lines).strip()
    if node.children:
        back = (back + "\n" + children_back(node.children)).strip()
    if not back:
        return None
    return m.group(1).strip(), clean_back(back)


def formula_introduced(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A sentence that introduces the display formula under it: "丢弃法对每个元素做如下扰动：" + $$…$$."""
    text = node.text
    at = text.find("$$")
    if at <= 0 or text.count("$$") < 2:
        return None
    intro = text[:at].strip()
    rest = text[at:].strip()
    if "\n" in intro or not INTRO_END_RE.search(intro) or not rest.endswith("$$") or mask(rest).strip():
        return None
    sentence = clean_inline(intro)
    core = re.sub(r"[：:]\s*$", "", sentence)
    if re.search(r"它|这|此|该|上式|上面|下面", mask(core)):
        return None  # "将它作为损失：" points outside itself
    if sum(is_cjk(ch) or ch.isalpha() for ch in core) < 6 or len(core) > 80 or not balanced(core) or CLAUSE_START_RE.match(core) and len(core) < 10:
        return None
    split = split_term(sentence)
    if split and not split[1] and not front_problem(split[0]):
        return None  # "交叉熵：" + formula is a plain term-definition
    return sentence, rest


def bold_term(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A bold term followed by a colon or dash and its explanation: "**汇聚层**：降低位置敏感性"."""
    bm = bold_head(node.text)
    if bm is None or not bm.group(3).strip():
        return None
    return bm.group(1) + (bm.group(2) or ""), bm.group(3)


def bold_definition(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A sentence that starts with a bold term and defines it: "**块**（block）可以描述单个层…"."""
    first = node.text.strip().split("\n", 1)[0]
    m = BOLD_DEF_RE.match(first)
    if m is None:
        return None
    body = m.group(3)
    end = re.search(r"[。！!]", body)
    sentence = body[: end.start()] if end else body
    if len(sentence) < 6 or "**" in sentence and sentence.count("**") % 2:
        return None
    return m.group(1) + (m.group(2) or ""), sentence


def term_definition(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A bullet or one-line paragraph "term：definition" (the first colon outside brackets)."""
    text = node.text
    split = split_term(text)
    if split is None or not split[1].strip():
        return None
    if node.kind == "para" and "\n" in text.strip() and not text.lstrip().startswith("**") and "$$" not in text:
        return None
    back = split[1]
    if node.children and not all(would_card(c) for c in node.children):
        back = (back + "\n" + children_back(node.children)).strip()
        node.in_back = True
    return split[0], back


def list_explained(node: Node, ctx: Context) -> tuple[str, str] | None:
    """A bullet (or a line ending in a colon) explained by its sub-bullets, when most of them are
    not cards of their own."""
    if not node.children or ctx.kind != "facts":
        return None
    head = node.text.strip()
    split = split_term(head)
    if split and split[1].strip():
        return None
    if split:
        head = split[0]
    head = re.sub(r"[：:]\s*$", "", unbold(head)).strip()
    if "\n" in head or front_problem(head) or CONTAINER_RE.search(clean_term(head)):
        return None
    cards = sum(would_card(c) for c in node.children)
    if cards * 2 > len(node.children):
        return None
    return head, children_back(node.children)


RULES: list[Rule] = [
    Rule("question-answered", "a question (ending in ？) with its answer under it", question_answered),
    Rule("formula-introduced", "a sentence that introduces the formula under it", formula_introduced),
    Rule("bold-term", "a bold term and its explanation after a colon or dash", bold_term),
    Rule("bold-definition", "a sentence that starts with a bold term and defines it (…是…, …指…)", bold_definition),
    Rule("term-definition", "a line 'term：definition' (the first colon outside brackets)", term_definition),
    Rule("list-explained", "a bullet explained by its sub-bullets", list_explained),
]
HEADING_RULE = Rule("heading-explained", "a heading (or a bold line used as one) explained by the short text under it")
# Rules that still run in summaries and Q&A sections: a card on one line stands on its own.
LINE_RULES = {"question-answered", "bold-term", "term-definition", "formula-introduced"}
EXPLICIT_RULES = [
    Rule("qa", "a question and its answer as you wrote them (Q:/A:, 问：/答：, **Q：**/A：)"),
    Rule("oneline", "front :: back"),
    Rule("reversed", "front ::: back (two cards)"),
    Rule("multiline", "a ? block"),
    Rule("multiline-reversed", "a ?? block (two cards)"),
    Rule("cloze", "==highlight== or {{c1::…}} cloze"),
]
EXPLAINS = {r.name: r.explains for r in EXPLICIT_RULES + RULES + [HEADING_RULE]}


# ---------------------------------------------------------------- applying them


def adopt_lead_bullets(nodes: list[Node]) -> list[Node]:
    """"解决方案:" then bullets (or a question then its answer paragraph in a Q&A section): the
    bullets become the children of the line above them."""
    out: list[Node] = []
    k = 0
    while k < len(nodes):
        node = nodes[k]
        k += 1
        if node.kind == "para" and "\n" not in node.text and not node.children and (
            re.search(r"[：:]\s*(\*\*)?\s*$", node.text) or QUESTION_RE.match(node.text.strip())
        ):
            j = k
            while j < len(nodes) and nodes[j].kind == "item":
                j += 1
            if j > k:
                node.children = nodes[k:j]
                k = j
        out.append(node)
    return out


def _qa_answers(nodes: list[Node]) -> list[Node]:
    """In a Q&A section, a question paragraph takes the paragraphs up to the next question."""
    out: list[Node] = []
    for node in nodes:
        if out and node.kind in ("para", "code", "math") and not node.used and QUESTION_RE.match(out[-1].text.split("\n")[0].strip()) \
                and not QUESTION_RE.match(node.text.split("\n")[0].strip()) and not out[-1].children:
            out[-1].lines.extend(node.lines)
            continue
        out.append(node)
    return out


def structure_cards(sections: list[Section], path: str, skipped: Counter, title: str = "") -> list[Proposal]:
    """Proposals from the structure of the notes (bullets and paragraphs no explicit card used)."""
    found: list[Proposal] = []
    first_heading = next((s for s in sections if s.level), None)

    def propose(rule: str, term: str, back: str, node: Node, ctx: Context) -> bool:
        front = clean_term(term) if rule not in ("question-answered", "formula-introduced") else clean_inline(unbold(term)).strip()
        why = front_problem(front) if rule not in ("question-answered", "formula-introduced") else ("" if has_text(front) and balanced(front) else "the front says nothing")
        why = why or back_problem(back, front, question=rule == "question-answered")
        if why:
            skipped[why] += 1
            return False
        if needs_context(front) or (is_short(front) and ctx.parent_term):
            qualifier = ctx.parent_term or ctx.section.shown
            if qualifier and qualifier != front:
                front = f"{qualifier} › {front}"
        found.append(Proposal("basic", rule, front, back, path, node.line, ctx.section.path, ctx.section.raw))
        node.used = True
        return True

    def visit(node: Node, ctx: Context, outline: bool = False) -> str:
        """Try the rules on ``node``; returns the term it defines (the context of its children)."""
        term = ""
        if outline:
            skipped["a line of an outline (a list of topics, not definitions)"] += 1
        elif node.kind in ("item", "para") and not node.used:
            for rule in RULES:
                if ctx.kind != "facts" and rule.name not in LINE_RULES:
                    continue
                got = rule.find(node, ctx)
                if got is None:
                    continue
                raw_term, back = got
                back = clean_back(back) if rule.name not in ("formula-introduced",) else back
                if propose(rule.name, raw_term, back, node, ctx):
                    term = clean_term(raw_term)
                    if rule.name == "question-answered":
                        return term
                break
            if not term:
                split = split_term(node.text)
                bold = re.match(r"^\*\*([^*\n]+)\*\*[：:]?$", node.text.strip())
                if split and not front_problem(split[0]):
                    term = clean_term(split[0])
                elif bold and not front_problem(bold.group(1)):
                    term = clean_term(bold.group(1))
        # the children of "问题：…" are qualified as "问题" was: by the term or heading above it
        child_ctx = Context(ctx.section, ctx.kind, term if term and not needs_context(term) else (ctx.parent_term or ctx.section.shown))
        outline_kids = is_outline(node.children)
        for child in node.children:
            visit(child, child_ctx, outline_kids)
        return term

    for sec in sections:
        kind = section_kind(sec, title)
        if kind == "none":
            if any(n.kind in ("item", "para") for n in sec.nodes):
                skipped["in a section that holds nothing to learn (video, code, reflections, scores, references…)"] += 1
            continue
        nodes = adopt_lead_bullets(sec.nodes)
        if kind == "qa":
            nodes = _qa_answers(nodes)
        sec.nodes = nodes
        last_term = ""  # "梯度爆炸:…" then "核心原因:…": the paragraph term above qualifies it
        outline = is_outline(nodes)
        for node in nodes:
            ctx = Context(sec, kind, last_term if node.kind == "para" else "")
            got = visit(node, ctx, outline)
            if got and not needs_context(got):  # a term qualifies the paragraphs after it, not bullets
                last_term = got
        asks = question_heading(sec.shown)
        if (kind == "facts" or asks) and sec.level and not (sec is first_heading and sec.level == 1):
            heading_explained(sec, path, found, skipped, asks)
    return found


REFERENCE_RE = re.compile(r"^(具体)?可?参考|(介绍)?文章$|^see also|^(目前)?(看|读|学)到了?.{0,12}(页|节|章)|下次看", re.I)


def question_heading(text: str) -> str:
    """The question a heading asks ("### Q1：为什么 ResNet 能训练得很深？"), else ""."""
    bare = re.sub(r"^\s*(?:Q|问|提问|问题)?\s*\d{0,3}\s*[:：.、]?\s*", "", text.strip(), flags=re.I)
    m = QUESTION_RE.match(bare)
    return m.group(1).strip() if m else ""


def heading_explained(sec: Section, path: str, found: list[Proposal], skipped: Counter, question: str = "") -> None:
    """A heading explained by what is left under it: up to 8 short blocks that made no card."""
    if any(n.used for n in sec.nodes):
        return  # what is left beside other cards is a fragment, not the heading's explanation
    left = [
        n for n in sec.nodes
        if n.kind in ("item", "para", "math", "table", "code") and has_text(clean_inline(n.text))
        and not REFERENCE_RE.search(clean_inline(n.text)) and not CAPTION_LINE_RE.search(clean_inline(n.text))
    ]
    if not left:
        return
    prose = [n for n in left if n.kind in ("item", "para", "math")]
    if not prose or len(left) > 8 or any(len(clean_inline(n.text)) > 300 for n in left) or any(n.kind == "code" for n in left):
        skipped["a heading with too much, too long or only code under it"] += 1
        return
    front = strip_end(re.sub(r"^\d+(\.\d+)*[.、]?\s+", "", sec.shown)) or sec.shown
    front = question or clean_term(front)
    why = "" if question else front_problem(front, heading=True) or ("the heading names a topic list, not a term" if CONTAINER_RE.search(front) else "")
    back = children_back(left, unused_only=True)
    why = why or back_problem(back, front, question=bool(question))
    if not why and all(n.kind == "item" for n in left) and len(re.sub(r"\[图片[^\]]*\]|[-*\s`#>]", "", back)) < 10:
        why = "the heading has too little under it (a topic, not an explanation)"
    if why:
        skipped[why] += 1
        return
    if needs_context(front):
        parent = next((t for lv, t in reversed(sec.path[:-1])), "")
        if parent:
            front = f"{clean_term(parent)} › {front}"
    found.append(Proposal("basic", HEADING_RULE.name, front, back, path, sec.line or left[0].line, sec.path, sec.raw))
    for n in left:
        n.used = True
