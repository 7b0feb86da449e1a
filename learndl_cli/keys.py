"""Reading the learner's keys: single keys from a terminal, one key per line from a pipe.

With a terminal, keys are read one at a time (cbreak mode: no Enter needed). ``line()`` reads a
whole line instead, in the terminal's normal (cooked) mode, so an input method (a Chinese IME, say)
can compose text and Backspace edits it. Without a terminal (a pipe, a script), every read takes
one line from stdin: an empty line is Space/Enter, otherwise its first character is the key; the
end of input is ``q``. The quiz and the exam read keys this way.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

REVEAL = "reveal"  # Space or Enter (an empty line without a terminal)


class Keys:
    def __init__(self) -> None:
        self.tty = sys.stdin.isatty()
        self._saved = None

    @contextmanager
    def active(self):
        if not self.tty:
            yield self
            return
        import termios
        import tty

        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield self
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self) -> str:
        """One key: ``"reveal"`` for Space or Enter, ``"q"`` at the end of input, else the key in
        lower case (``""`` for an escape sequence such as an arrow key)."""
        if self.tty:
            ch = os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")
            if ch in ("", "\x04"):
                return "q"
            if ch == "\x1b":
                return ""
            if ch in (" ", "\r", "\n"):
                return REVEAL
            return ch.lower()
        line = sys.stdin.readline()
        if line == "":
            return "q"
        line = line.strip()
        return REVEAL if line in ("", " ") else line[:1].lower()

    def line(self) -> str | None:
        """A whole line of text (None at the end of input), read in the terminal's normal mode."""
        if not self.tty:
            text = sys.stdin.readline()
            return None if text == "" else text.rstrip("\r\n")
        import termios

        fd = sys.stdin.fileno()
        current = termios.tcgetattr(fd)
        if self._saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, self._saved)
        try:
            data = b""
            while not data.endswith(b"\n"):
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None if not data else data.decode("utf-8", "replace").rstrip("\r\n")
                data += chunk
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, current)
        return data.decode("utf-8", "replace").rstrip("\r\n")
