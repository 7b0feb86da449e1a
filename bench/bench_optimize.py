"""`learndl optimize` on 100,000 reviews: fitting FSRS parameters to a learner's history (≤ 60 s).

The history is the scale generator's, at a tenth of the size: 1,000 cards and 100,000 reviews over
three years, built once into bench/_scale_opt/ (ignored by git).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _util import Result, env_for, learndl_cmd, table  # noqa: E402


def run(runs: int = 1) -> list[Result]:
    import subprocess

    from make_scale_db import ensure

    home = ensure(HERE / "_scale_opt", cards=1000, decks=10, reviews=100_000, attempts=100)
    env = env_for(home, LEARNDL_NOW="2026-11-01T13:00:00+00:00")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(learndl_cmd("optimize"), env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(f"learndl optimize failed ({proc.returncode}): {proc.stderr[-400:]}")
    losses = [line.rsplit(":", 1)[1].split()[0] for line in proc.stdout.splitlines() if line.startswith("Log loss")]
    note = f"log loss {' → '.join(losses)}" if losses else ""
    return [Result("optimize: 100k reviews", sorted(times)[len(times) // 2], None, "≤ 60 s", 60.0, note)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=1)
    print(table(run(p.parse_args().runs)))


if __name__ == "__main__":
    main()
