"""`learndl quiz` speed: start-up to the first card, and keypress to the next card.

- From the process start to the first card on screen, against the bare imports (goal ≤ 1.5×).
- From a keypress to the next card, with the answer committed, measured in-process over 1,000
  scripted answers on the scale data set (goal: median ≤ 20 ms). One step is what the quiz loop
  does: save the answer, choose the next card, compute its rating intervals, count what is left
today for the progress line (``store/due.py``) and render both.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _util import BASELINE_IMPORTS, Result, env_for, learndl_cmd, side_by_side, table, time_cmd  # noqa: E402


def time_to_first_card(env: dict) -> float:
    """Seconds from starting `learndl quiz` until the first card's panel is on stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        learndl_cmd("quiz"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**env, "PYTHONUNBUFFERED": "1"}, text=True,
    )
    try:
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("quiz ended before showing a card")
            if line.startswith("╰"):
                return time.perf_counter() - start
    finally:
        proc.kill()
        proc.wait()


def keypress_to_next_card(home: Path, answers: int = 1000) -> list[float]:
    os.environ["LEARNDL_HOME"] = str(home)
    from rich.console import Console

    from learndl_cli.commands.quiz import _progress
    from learndl_cli.config import load_settings
    from learndl_cli.decks import sync
    from learndl_cli.render import card_panel
    from learndl_cli.review import QueueOptions, Session
    from learndl_cli.scheduler import parse_ts
    from learndl_cli.store.db import open_db

    import dataclasses

    db = open_db(home)
    # A long session: lift the day's limits so that 1,000 answers fit in one.
    settings = dataclasses.replace(load_settings(home), max_reviews_per_day=100_000, new_per_day=100_000)
    clock_now = [parse_ts("2026-11-01T13:00:00+00:00")]

    def clock():
        return clock_now[0]

    result = sync(db, settings, clock())
    titles = {row["id"]: row["title"] for row in result.decks}
    console = Console(file=io.StringIO(), width=80, force_terminal=True)
    session = Session(db, settings, clock, QueueOptions())
    card = session.next_card()
    times = []
    ratings = [3, 3, 3, 1, 3, 3, 2, 3, 4, 3]
    for i in range(answers):
        if card is None:
            break
        session.shown(card)
        session.intervals(card)
        start = time.perf_counter()
        session.answer(card, ratings[i % len(ratings)], 3000)
        card = session.next_card()
        if card is not None:
            session.intervals(card)
            console.print(_progress(session))
            console.print(card_panel(card, titles, revealed=False))
        times.append(time.perf_counter() - start)
        console.file.seek(0)
        console.file.truncate()
    db.conn.close()
    return times


def run(runs: int = 9, scale_home: Path | None = None) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(Path(tmp), LEARNDL_NOW="2026-11-01T13:00:00+00:00")
        time_cmd(learndl_cmd("status"), env)  # first run creates the database
        a, b, _, _ = side_by_side(lambda: time_to_first_card(env), lambda: time_cmd(BASELINE_IMPORTS, env), runs)
        results.append(Result("quiz: start to first card", a, b, "≤ 1.5×", 1.5))
    if scale_home is not None:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "home"
            copy.mkdir()
            for name in ("learndl.db", "settings.toml"):
                shutil.copy(scale_home / name, copy / name)
            times = keypress_to_next_card(copy)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        results.append(
            Result(
                f"quiz: keypress to next card ({len(times)} answers, scale db)",
                statistics.median(times), None, "≤ 20 ms", 0.020, f"p95 {p95 * 1000:.1f} ms",
            )
        )
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--scale", action="store_true")
    args = p.parse_args()
    scale = None
    if args.scale:
        from make_scale_db import ensure

        scale = ensure()
    print(table(run(args.runs, scale)))


if __name__ == "__main__":
    main()
