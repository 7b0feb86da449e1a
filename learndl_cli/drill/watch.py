"""``learndl exercise NAME`` in a terminal: one save is one grade, single keys act.

Saves are seen with ``watchfiles`` (inotify on Linux, debounced: the burst of events of one save,
write-then-rename included, arrives as one batch). A watcher thread turns each batch that touches
the learner's file into one byte on a pipe; the main loop waits on that pipe and on the keyboard
with ``select``, so a key answers at once and no time is spent polling.

What counts as an attempt (``Drill.grade``): a grade is recorded only when the file's content is
new, that is, it differs from the last content graded in this drill and from the untouched starter.
So the starter graded at set-up, a save that changed nothing, and ``r`` on code already graded
show a result but add no attempt.
"""

from __future__ import annotations

import hashlib
import os
import select
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DEBOUNCE_MS = 1600  # the longest a burst of events is grouped
STEP_MS = 50  # quiet time that ends a burst (one save; watchfiles' default)
WAKE_MS = 500  # the watcher thread's wake-up when nothing changes
KEYS = "i statement · h hint · r re-run · x reset · q quit"


def content_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


class SaveWatcher:
    """A thread that watches ``path``'s folder and writes one byte to ``fd`` per batch of changes
    to ``path`` (its name: editors that save by renaming a temporary file are seen too)."""

    def __init__(self, path: Path, *, debounce_ms: int = DEBOUNCE_MS, step_ms: int = STEP_MS):
        self.path = path
        self.fd, self._write = os.pipe()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._debounce, self._step = debounce_ms, step_ms
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="learndl-watch", daemon=True)

    def __enter__(self) -> "SaveWatcher":
        self._thread.start()
        self._ready.wait(timeout=10)  # the inotify watch is in place: no save can be missed
        return self

    def _run(self) -> None:
        from watchfiles import watch

        name = self.path.name
        try:
            # An empty batch comes every WAKE_MS (yield_on_timeout): the first one says the watch is
            # set up; the others only let the loop see the stop event.
            for changes in watch(self.path.parent, watch_filter=lambda _change, p: os.path.basename(p) == name,
                                 debounce=self._debounce, step=self._step, stop_event=self._stop,
                                 rust_timeout=WAKE_MS, yield_on_timeout=True, recursive=False,
                                 raise_interrupt=False):
                self._ready.set()
                if changes:
                    os.write(self._write, b"s")
        except BaseException as exc:  # reported by the main loop, which owns the screen
            self.error = exc
            os.write(self._write, b"!")
        finally:
            self._ready.set()

    def drain(self) -> bytes:
        return os.read(self.fd, 4096)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self._write)
        os.close(self.fd)


@dataclass
class Drill:
    """The state of one drill: which content was graded last, and what the starter is."""

    path: Path
    starter_hash: str
    grade_fn: Callable[[str | None], bool]  # grade(why not an attempt, or None to record) → passed
    last_graded: str | None = None

    def grade(self, *, forced: bool = False) -> bool | None:
        """Grade the file if its content is new (or ``forced``, for ``r``); None when skipped."""
        current = content_hash(self.path)
        new = current != self.last_graded
        if not new and not forced:
            return None
        not_counted = ("the untouched starter" if current == self.starter_hash
                       else None if new else "this code was graded already")
        self.last_graded = current
        return self.grade_fn(not_counted)


def run(drill: Drill, keys: dict[str, Callable[[], bool | None]], say: Callable[[str], None],
        confirm_reset: Callable[[Callable[[], str]], object]) -> None:  # pragma: no cover - needs a TTY
    """The loop: grade at once, then on every save; ``keys`` maps a key to an action that returns
    True to end the drill. Ends on a pass, on ``q`` or Ctrl-C."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)

    def read_key() -> str:
        return os.read(fd, 1).decode("utf-8", "ignore").lower()

    try:
        tty.setcbreak(fd)
        with SaveWatcher(drill.path) as watcher:  # watching before the first grade: no save is missed
            if drill.grade():
                return
            while True:
                ready, _, _ = select.select([fd, watcher.fd], [], [])
                if watcher.fd in ready:
                    if b"!" in watcher.drain():
                        say(f"watching {drill.path.parent} stopped: {watcher.error}")
                        return
                    passed = drill.grade()
                    if passed is None:
                        say("saved without changes: not graded again")
                    elif passed:
                        return
                if fd in ready:
                    key = read_key()
                    if key == "q":
                        return
                    if key == "x":
                        confirm_reset(read_key)  # a reset file is a save: the watcher grades it
                        continue
                    action = keys.get(key)
                    if action is not None and action():
                        return
    except KeyboardInterrupt:
        return
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
