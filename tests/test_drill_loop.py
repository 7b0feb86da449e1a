"""The drill loop as a learner meets it: `learndl exercise NAME` in an 80-column terminal (a pty).

One save is one grade and one attempt; a save that changes nothing is not graded again; the
untouched starter graded at set-up is not an attempt; failure text and hints wrap at words with a
hanging indent; `i` shows the statement again, `h` a hint, `x` resets, a pass ends the drill.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import sys
import termios
from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "softmax.py"
NAIVE = "import torch\n\n\ndef softmax(X, dim=-1):\n    E = torch.exp(X)\n    return E / E.sum(dim=dim, keepdim=True)\n"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """`learndl ARGS` in a pseudo-terminal of ``columns`` columns; ``until`` reads up to a text."""

    def __init__(self, home: Path, *args: str, columns: int = 80):
        import pty

        env = {**os.environ, "LEARNDL_HOME": str(home), "TERM": "dumb", "COLUMNS": str(columns), "LINES": "50"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child becomes learndl
            os.execvpe(sys.executable, [sys.executable, "-m", "learndl_cli", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        self.seen = b""
        self.start = 0

    def until(self, text: str, timeout: float = 90.0) -> str:
        import time

        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen[self.start:]:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"waited for {text!r}; the screen ends with {self.seen[-1500:].decode(errors='replace')!r}"
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            assert chunk, f"learndl exited while waiting for {text!r}"
            self.seen += chunk
        begin = self.start
        self.start = self.seen.index(text.encode(), self.start) + len(text)
        return self.seen[begin:self.start].decode(errors="replace")

    def press(self, key: str) -> None:
        os.write(self.fd, key.encode())

    def lines(self) -> list[str]:
        return [ANSI.sub("", line).rstrip() for line in self.seen.decode(errors="replace").replace("\r", "").split("\n")]

    def wait(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1

    def close(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)


@pytest.fixture
def work(home) -> Path:
    return home / "workspace" / "softmax" / "softmax.py"


def _attempts(db) -> list[str]:
    return [r["verdict"] for r in db().query("SELECT verdict FROM attempts ORDER BY id")]


def test_one_save_is_one_attempt_at_80_columns(home, work, db):
    term = Terminal(home, "exercise", "softmax")
    try:
        term.until("not implemented yet")
        term.until("not counted as an attempt: the untouched starter")
        term.until("q quit")
        work.write_text(NAIVE)
        failure = term.until("q quit")
        assert "✗ fail" in failure and "overflows for large logits" in " ".join(failure.split())
        work.write_text(NAIVE)  # saved again, nothing changed
        term.until("saved without changes: not graded again")
        term.press("h")
        term.until("Hint 1/3")
        term.press("i")
        term.until("## Your task".replace("## ", ""))  # the statement again
        term.until("q quit")
        work.write_text(SOLUTION.read_text())
        term.until("✓ pass")
        term.until("All checks pass")
        assert term.wait() == 0
    finally:
        term.close()
    assert _attempts(db) == ["fail", "pass"]
    lines = term.lines()
    # (a path is printed whole, so it can be copied; everything else fits the width)
    too_wide = [line for line in lines if cell_len(line) > 80 and not line.startswith("Edit: /")]
    assert not too_wide, too_wide
    # the failure wraps at words, with a hanging indent under the check's text
    at = next(i for i, line in enumerate(lines) if "✗ large_logits:" in line)
    assert lines[at].startswith("  ✗ large_logits: ")
    assert lines[at + 1].startswith("    ") and not lines[at + 1].startswith("     ")
    words = set(" ".join(lines).split())
    assert {"overflows", "large", "logits", "subtract"} <= words
    hint = next(i for i, line in enumerate(lines) if line.startswith("Hint 1/3: "))
    assert lines[hint + 1].startswith(" " * len("Hint 1/3: "))


def test_reset_and_rerun(home, work, db):
    term = Terminal(home, "exercise", "softmax")
    try:
        term.until("q quit")
        work.write_text("def softmax(X, dim=-1):\n    return X  # my first try\n")
        term.until("✗ fail")
        term.until("q quit")
        term.press("r")  # the same code again: shown, not another attempt
        term.until("this code was graded already")
        term.press("x")
        term.until("[y/N]")
        term.press("y")
        term.until("kept as")
        term.until("not implemented yet")  # the reset file is graded again (not an attempt)
        term.press("q")
        assert term.wait() == 0
    finally:
        term.close()
    assert _attempts(db) == ["fail"]
    backups = list(work.parent.glob("softmax.py.*.bak"))
    assert len(backups) == 1 and "my first try" in backups[0].read_text()
    assert "NotImplementedError" in work.read_text()


# ------------------------------------------------------------------------------------------ render


def _render(renderable, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=open(os.devnull, "w"))
    console.print(renderable)
    return console.export_text().splitlines()


def test_statement_code_is_cropped_with_a_marker_never_wrapped():
    from learndl_cli.drill import render

    long = "x = torch.arange(12).reshape(3, 4) + torch.ones(3, 4) * torch.tensor([1.0, 2.0, 3.0, 4.0])"
    text = f"Some prose that is long enough to wrap at a word boundary in forty columns.\n\n```python\n{long}\ny = 1\n```\n"
    lines = _render(render.statement(text), 40)
    assert all(cell_len(line) <= 40 for line in lines)
    code = [line for line in lines if "torch.arange" in line]
    assert len(code) == 1 and code[0].rstrip().endswith("…")
    assert not any(line.strip().startswith("torch.tensor") for line in lines)  # not wrapped onto a new line
    assert any(line.strip() == "y = 1" for line in lines)


def test_a_redrill_interval_is_written_in_days():
    from learndl_cli.drill.render import redrill_interval

    assert redrill_interval(timedelta(hours=23.6)) == "1d"
    assert redrill_interval(timedelta(hours=24)) == "1d"
    assert redrill_interval(timedelta(days=1, hours=20)) == "2d"
    assert redrill_interval(timedelta(days=45)) == "45d"
