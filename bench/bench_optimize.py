"""`learndl optimize`: fitting FSRS parameters to a whole history with fsrs-rs.

Goals: 100,000 reviews fitted in ≤ 3 s and 1,000,000 in ≤ 15 s. "Fitted" is what `optimize` does
between reading the history and measuring the result: the reviews read from the database become
fsrs-rs items, and fsrs-rs fits them (`interop.optimize.trainable` + `fit`: every item of up to 64
reviews, the ones fsrs-rs trains on, as in Anki; a longer one, of a card reviewed more than 64 times,
is only measured). The whole
command (start-up, reading, measuring the log loss and RMSE before and after, the fit) is timed too,
without a goal. The histories are the scale generator's: 1,000 cards and 100,000 reviews
(bench/_scale_opt/), and the scale data set itself, 10,000 cards and 1,000,000 reviews (bench/_scale/),
both about 100 reviews a card over three years, far denser than a real learner's history.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _util import Result, env_for, learndl_cmd, table  # noqa: E402

SETS = {  # name: (folder, scale generator settings, goal for the fit in seconds)
    "100k": (HERE / "_scale_opt", dict(cards=1000, decks=10, reviews=100_000, attempts=100), 3.0),
    "1M": (HERE / "_scale", {}, 15.0),
}


def fit_once(home: Path) -> tuple[float, int, float, float]:
    """Seconds to turn the stored history into items and fit them; the item count; log loss after;
    the CPU seconds of the same (fsrs-rs fits on one core: on a shared machine wall time is longer)."""
    from learndl_cli.interop import optimize as opt
    from learndl_cli.store.db import open_db
    from learndl_cli.store.interop import review_history

    db = open_db(home)
    try:
        rows = review_history(db)
    finally:
        db.conn.close()
    start, cpu = time.perf_counter(), time.process_time()
    cards = opt.histories(rows)
    items = opt.trainable(cards)
    fitted = opt.fit(items)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, len(items), opt.evaluate(opt.fsrs_items(cards), fitted).log_loss, cpu


def run(runs: int = 1, sets: tuple[str, ...] = tuple(SETS)) -> list[Result]:
    from make_scale_db import ensure

    results = []
    for name in sets:
        folder, settings, goal = SETS[name]
        home = ensure(folder, **settings)
        fits = [fit_once(home) for _ in range(runs)]
        seconds = statistics.median(f[0] for f in fits)
        results.append(Result(f"optimize: fit {name} reviews", seconds, None, f"≤ {goal:g} s", goal,
                              f"{fits[0][1]:,} items trained on, CPU {statistics.median(f[3] for f in fits):.2f} s, "
                              f"log loss after {fits[0][2]:.4f}"))
        env = env_for(home, LEARNDL_NOW="2026-11-01T13:00:00+00:00")
        start = time.perf_counter()
        proc = subprocess.run(learndl_cmd("optimize"), env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        whole = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"learndl optimize failed ({proc.returncode}): {proc.stderr[-400:]}")
        losses = [line.split(": ")[1].split(" (")[0] for line in proc.stdout.splitlines() if line.startswith("Log loss")]
        results.append(Result(f"optimize: whole command, {name} reviews", whole, None, "(no goal)", float("inf"),
                              " → ".join(losses)))
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--only", choices=list(SETS), action="append", help="one history (repeatable; default both)")
    args = p.parse_args()
    print(table(run(args.runs, tuple(args.only or SETS))))


if __name__ == "__main__":
    main()
