"""Inline clean-up of notes text: pictures, links and HTML out, facts in; small text predicates.

Pure string functions shared by the structure reader, the rules and the deck writer.
"""

from __future__ import annotations

import re
import unicodedata

from ..deckparse import CODE_OR_MATH_RE, FIELD_RE

PICTURE = "[图片]"
CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})")
IMG_TAG_RE = re.compile(r"<img\b[^>]*?(?:alt\s*=\s*[\"']([^\"']*)[\"'])?[^>]*>", re.I)
MD_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
LOST_IMAGE_RE = re.compile(r"^\s*image-\d{8,}\s*$")  # an image link that lost its markup
MD_LINK_RE = re.compile(r"(?<!!)\[([^\]]+)\]\((?:[^)]*)\)")
HTML_TAG_RE = re.compile(r"</?(?:div|span|p|br|strong|b|em|i|u|font|center|sup|sub|a)\b[^>]*>", re.I)
URL_RE = re.compile(r"https?://\S+")
NOTE_TO_SELF_RE = re.compile(r"\s*[(（][^()（）]{0,8}(看|TODO|todo|待|未完|补充)[^()（）]{0,8}[)）]\s*$")


def clean_inline(text: str) -> str:
    """Markdown/HTML noise out, facts in: pictures become "[图片]", links their text."""
    text = re.sub(r"!\[\[([^\]\n]*)\]\]", lambda m: _picture(""), text)  # Obsidian embed
    text = re.sub(r"\[\[([^\]|\n]*)\|([^\]\n]*)\]\]", r"\2", text)  # [[page|shown]]
    text = re.sub(r"\[\[([^\]\n]*)\]\]", r"\1", text)  # [[page]]
    text = IMG_TAG_RE.sub(lambda m: _picture(m.group(1)), text)
    text = MD_IMAGE_RE.sub(lambda m: _picture(m.group(1)), text)
    text = MD_LINK_RE.sub(lambda m: m.group(1), text)
    text = HTML_TAG_RE.sub(" ", text)
    text = re.sub(r"&nbsp;", " ", text)
    text = re.sub(r"\s*\(opens new window\)", "", text)  # a link that lost its address
    text = re.sub(r"[ \t]+$", "", text, flags=re.M)
    text = re.sub(r"\n[ \t]*(\[图片(?:: [^\]\n]*)?\])(?=\n|$)", r" \1", text)
    return text.strip()


def _picture(alt: str | None) -> str:
    alt = (alt or "").strip()
    if not alt or re.match(r"^(image|img|截图|屏幕截图|pasted)[-_ ]?[\w.-]*$", alt, re.I) or re.match(r"^[\w.-]+\.(png|jpe?g|gif|svg)$", alt, re.I):
        return PICTURE
    return f"[图片: {alt}]"


def heading_shown(raw: str) -> str:
    """A heading as a context line: link markup and leading emoji or check marks removed."""
    text = clean_inline(raw)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"==(.+?)==", r"\1", text)
    i = 0
    while i < len(text) and (unicodedata.category(text[i]) in ("So", "Zs", "Cf", "Cc", "Mn") or text[i] in "\ufe0f\u200d"):
        i += 1
    text = NOTE_TO_SELF_RE.sub("", text[i:])  # "循环神经网络(下次看)" → "循环神经网络"
    return text.strip() or raw.strip()


def unbold(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)


def has_text(text: str) -> bool:
    """True when ``text`` says something besides pictures, URLs and punctuation."""
    rest = text.replace(PICTURE, "")
    rest = re.sub(r"\[图片: [^\]]*\]", "", rest)
    rest = URL_RE.sub("", rest)
    return any(ch.isalnum() for ch in rest)


def safe_block(text: str) -> str:
    """Make ``text`` exactly one deck block: no blank line, no code fence or ``$$`` left open (either
    would swallow the notes after it), no comment opener, no last line a field line would eat."""
    raw = [ln.replace("<!--", "<!ー-") for ln in text.split("\n")]
    lines: list[str] = []
    fence = None
    for k, ln in enumerate(raw):
        if not ln.strip():
            following = next((x for x in raw[k + 1 :] if x.strip()), "")
            # Blank lines stay inside code, and one may stand before a code fence (the deck parser
            # keeps a fenced block after a blank line with its note); anywhere else one would end it.
            if fence is not None or (lines and lines[-1] and FENCE_RE.match(following)):
                lines.append("")
            continue
        m = FENCE_RE.match(ln)
        if fence is None and m:
            fence = m.group(2)[0] * 3
        elif fence is not None and ln.strip().startswith(fence):
            fence = None
        lines.append(ln)
    fence, math_line = None, None
    for k, ln in enumerate(lines):
        m = FENCE_RE.match(ln)
        if fence is None and m:
            fence = m.group(2)[0] * 3
        elif fence is not None:
            if ln.strip().startswith(fence):
                fence = None
        elif re.sub(r"`[^`\n]*`", "", ln).count("$$") % 2 == 1:
            math_line = None if math_line is not None else k
    if fence is not None:
        lines.append(fence)
    if math_line is not None:  # an unpaired "$$": written as text
        ln = lines[math_line]
        at = ln.rfind("$$")
        lines[math_line] = ln[:at] + "\\$\\$" + ln[at + 2 :]
    if lines and FIELD_RE.match(lines[-1].strip()) and not lines[-1].startswith((" ", "\t")):
        lines[-1] = " " + lines[-1]
    return "\n".join(lines)


def mask(text: str) -> str:
    return CODE_OR_MATH_RE.sub(lambda m: " " * len(m.group(0)), text)


def strip_end(text: str) -> str:
    return re.sub(r"[；;。，,、\s]+$", "", text).strip()



def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def one_line(text: str) -> str:
    return " ".join(text.split())
