"""Which chapter of *Dive into Deep Learning* a notes file is about, when it can be told.

In order, the first that answers:

1. front matter: ``chapter: 3`` (or ``章节: 3``, ``ch: 3``);
2. a heading that names a chapter: ``第3章``, ``第三章``, ``Chapter 3``, ``ch03``;
3. the book's section numbers in the headings (``3.2 线性回归的从零开始实现``, ``4.6 暂退法``) when
   one chapter has most of them;
4. the book's key terms in the title (the first heading, else the file name) and headings: a
   chapter wins when it has clearly more hits than any other.

Otherwise ``None``: the notes are the learner's own, not filed under any chapter (and never under
chapter 0, the set-up material). Notes that span many chapters are ``None`` too.
"""

from __future__ import annotations

import re
from collections import Counter

# Chinese numerals up to 20 (the book has 15 chapters; notes number their own).
_CN = {c: i for i, c in enumerate("零一二三四五六七八九十", start=0)}

# Key terms of each chapter of the Chinese 2nd edition (动手学深度学习), as learners write them.
KEY_TERMS: dict[int, tuple[str, ...]] = {
    2: ("预备知识", "张量", "tensor", "广播", "数据预处理", "pandas", "线性代数", "范数", "微积分", "自动微分",
        "自动求导", "autograd", "backward", "概率", "贝叶斯", "矩阵计算", "导数", "数据操作"),
    3: ("线性神经网络", "线性回归", "linear regression", "softmax", "交叉熵", "cross entropy", "小批量随机梯度",
        "随机梯度下降", "sgd", "fashion-mnist", "均方误差", "平方损失", "解析解", "图像分类数据集", "基础优化算法"),
    4: ("多层感知机", "mlp", "感知机", "perceptron", "激活函数", "relu", "sigmoid", "tanh", "隐藏层", "模型选择",
        "欠拟合", "过拟合", "权重衰减", "权重衰退", "weight decay", "暂退法", "丢弃法", "dropout", "数值稳定", "梯度消失",
        "梯度爆炸", "xavier", "环境和分布偏移", "房价", "k折交叉验证", "正则化"),
    5: ("深度学习计算", "层和块", "nn.module", "sequential", "参数管理", "参数初始化", "延后初始化", "自定义层",
        "读写文件", "torch.save", "gpu", "cuda"),
    6: ("卷积神经网络", "卷积层", "cnn", "互相关", "卷积核", "填充", "padding", "步幅", "stride", "多输入多输出通道",
        "1x1卷积", "1×1卷积", "汇聚层", "池化", "pooling", "lenet"),
    7: ("现代卷积神经网络", "alexnet", "vgg", "nin", "网络中的网络", "googlenet", "inception", "批量规范化",
        "批量归一化", "batch normalization", "batchnorm", "resnet", "残差", "densenet", "稠密连接"),
    8: ("循环神经网络", "rnn", "序列模型", "文本预处理", "词元", "语言模型", "马尔可夫", "困惑度", "perplexity",
        "隐状态", "通过时间反向传播", "bptt", "n元语法", "循环神经网络的从零开始实现"),
    9: ("现代循环神经网络", "门控循环单元", "gru", "长短期记忆", "lstm", "深度循环神经网络", "深层循环神经网络", "双向循环神经网络",
        "机器翻译", "编码器-解码器", "编码器", "解码器", "seq2seq", "序列到序列", "束搜索", "beam search", "bleu"),
    10: ("注意力机制", "注意力", "attention", "注意力提示", "注意力汇聚", "nadaraya", "注意力评分", "注意力分数", "bahdanau",
         "多头注意力", "自注意力", "self-attention", "位置编码", "transformer"),
    11: ("优化算法", "凸性", "凸函数", "梯度下降", "动量法", "momentum", "adagrad", "rmsprop", "adadelta", "adam",
         "学习率调度"),
    12: ("计算性能", "编译器和解释器", "异步计算", "自动并行", "硬件", "多gpu", "多卡", "数据并行", "参数服务器", "混合式编程"),
    13: ("计算机视觉", "图像增广", "数据增广", "图片增广", "微调", "fine-tuning", "目标检测", "物体检测", "边界框", "锚框",
         "多尺度", "ssd", "r-cnn", "yolo", "语义分割", "转置卷积", "全卷积网络", "fcn", "风格迁移", "样式迁移"),
    14: ("预训练", "词嵌入", "word2vec", "跳元模型", "skip-gram", "连续词袋", "cbow", "负采样", "层序softmax",
         "glove", "子词嵌入", "fasttext", "字节对编码", "bert"),
    15: ("自然语言处理：应用", "情感分析", "自然语言推断", "snli"),
}

FRONT_MATTER_RE = re.compile(r"^\s*(?:chapter|ch|章节|章)\s*[:：]\s*(\d{1,2})\s*$", re.I | re.M)
CHAPTER_NAMED_RE = re.compile(r"第\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*章|\bchapter\s*(\d{1,2})\b|\bch\.?\s*0?(\d{1,2})\b", re.I)
SECTION_NUMBER_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})(?:\.\d{1,2})?(?:\s|[.、]|$)")
MAX_CHAPTER = 15


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if all(c in _CN for c in text):
        if text == "十":
            return 10
        if text.startswith("十"):
            return 10 + _CN[text[1]]
        if len(text) == 3 and text[1] == "十":
            return _CN[text[0]] * 10 + _CN[text[2]]
        if len(text) == 2 and text[1] == "十":
            return _CN[text[0]] * 10
        if len(text) == 1:
            return _CN[text]
    return None


def front_matter_chapter(text: str) -> int | None:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, min(len(lines), 40)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None
    m = FRONT_MATTER_RE.search("\n".join(lines[1:end]))
    if m and 1 <= int(m.group(1)) <= MAX_CHAPTER:
        return int(m.group(1))
    return None


def infer_chapter(text: str, headings: list[str], title: str) -> tuple[int | None, str]:
    """``(chapter, why)``: the chapter the notes are about and how it was told, or ``(None, why)``."""
    ch = front_matter_chapter(text)
    if ch is not None:
        return ch, "front matter"
    named = Counter()
    for h in headings:
        for m in CHAPTER_NAMED_RE.finditer(h):
            n = _number(m.group(1) or m.group(2) or m.group(3) or "")
            if n is not None and 1 <= n <= MAX_CHAPTER:
                named[n] += 1
    if len(named) == 1:
        n = next(iter(named))
        return n, f"a heading names chapter {n}"
    if len(named) > 1:
        return None, f"the headings name {len(named)} chapters"
    numbered = Counter()
    for h in headings:
        m = SECTION_NUMBER_RE.match(h)
        if m and 1 <= int(m.group(1)) <= MAX_CHAPTER:
            numbered[int(m.group(1))] += 1
    if numbered:
        (top, n), *rest = numbered.most_common(2) + [(None, 0)]
        if n >= 2 and n >= 3 * rest[0][1]:
            return top, f"{n} headings are numbered as sections of chapter {top}"
    hits = [(ch, term) for ch, terms in KEY_TERMS.items() for term in terms if term in title.lower()]
    # "基础优化算法" (chapter 3) holds "优化算法" (chapter 11): the longer term is the one meant
    in_title = sorted({ch for ch, term in hits if not any(term != t and term in t for _, t in hits)})
    if len(in_title) == 1:
        return in_title[0], f"its title uses the key terms of chapter {in_title[0]}"
    scores = Counter()
    weighted = [(title, 4)] + [(h, 1) for h in headings]
    for text_, weight in weighted:
        low = text_.lower()
        for chapter, terms in KEY_TERMS.items():
            if any(term in low for term in terms):
                scores[chapter] += weight
    if not scores:
        return None, "no chapter named and no key term of the book in the headings"
    (top, best), *rest = scores.most_common(2) + [(None, 0)]
    second = rest[0][1]
    if best >= 3 and best >= 2 * second + 1:
        return top, f"its title and headings use the key terms of chapter {top}"
    return None, "its headings use the key terms of several chapters"
