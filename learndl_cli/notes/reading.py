"""Reading a notes file from disk: its encoding, and refusing what is not text.

A notes file is text: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
GB18030 (the Chinese Windows encoding, read with a warning). Anything else is refused with one line
before any card is looked for: an empty file, a database, a picture, a program, an archive, or bytes
that are not text in any of those encodings. ``--dry-run`` and a real import read files the same
way, so they refuse the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError

# The first bytes of files people point an importer at by mistake.
MAGIC = (
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG\r\n\x1a\n", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF87a", "a GIF picture"),
    (b"GIF89a", "a GIF picture"),
    (b"RIFF", "a RIFF file (WebP picture or WAV sound)"),
    (b"\x7fELF", "an ELF program"),
    (b"MZ", "a Windows program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a Java class or macOS program"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or a .docx/.apkg/.xlsx file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x80\x02", "a Python pickle"),
    (b"\x93NUMPY", "a NumPy array"),
)
SAMPLE = 8192


def what_binary(data: bytes) -> str:
    """What ``data`` is when it is not text ("" when it may be text)."""
    for magic, what in MAGIC:
        if data.startswith(magic) and not (magic == b"MZ" and _mostly_text(data[:SAMPLE])):
            return what
    head = data[:SAMPLE]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ""  # UTF-16 with a byte-order mark: NUL bytes are expected
    if b"\x00" in head or not _mostly_text(head):
        return "a binary file"
    return ""


def _mostly_text(head: bytes) -> bool:
    """No more than 1 in 20 bytes are control characters other than tab, newline, form feed and CR."""
    if not head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls * 20 <= len(head)


def decode(data: bytes, path: str) -> tuple[str, str]:
    """The text of a notes file, and a warning line when it was not UTF-8 ("" when it was)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            return data.decode("gb18030"), f"{path}:{line}: not UTF-8; read as GB18030 (Chinese Windows encoding)"
        except UnicodeDecodeError:
            raise UserError(f"{path}:{line}: not text (neither UTF-8 nor GB18030); not a notes file", code=1) from None


def read_notes(path: Path) -> tuple[str, str]:
    """The text of a notes file and a warning ("" when none); a ``UserError`` (one line) when the
    file cannot be read or is not a notes file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: a folder; give the notes files (for example {path}/*.md)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise UserError(f"{path}: the file is empty; nothing to import", code=1)
    what = what_binary(data)
    if what:
        raise UserError(f"{path}: {what}, not a Markdown notes file; nothing imported", code=1)
    text, warning = decode(data, str(path))
    if path.suffix.lower() == ".ipynb" or re.match(r'\s*\{\s*"(cells|nbformat|metadata)"\s*:', text[:200]):
        raise UserError(f"{path}: a Jupyter notebook, not a Markdown notes file; export it first: jupyter nbconvert --to markdown {path.name}", code=1)
    if not text.strip():
        raise UserError(f"{path}: the file is empty; nothing to import", code=1)
    return text, warning
