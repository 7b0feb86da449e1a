"""Time ``learndl report`` on a scale database: 10,000 cards and 1,000,000 reviews.

    python bench/bench_report.py [--runs 5] [--home DIR] [--rebuild]

Builds the database once (through the real migrations, then bulk inserts: 12 chapters, a year of
study, ~100 reviews per card, exercise attempts, hint views and re-drills), caches it in ``--home``
(default: $TMPDIR/learndl-bench-report), then runs the real CLI (``python -m learndl_cli report``)
in a fresh process for each format and prints the median wall time. The goal: at most 3 s for the
terminal report on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CARDS = 10_000
REVIEWS = 1_000_000
CHAPTERS = 12
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
GOAL_S = 3.0


def iso(ts: datetime) -> str:
    return ts.isoformat(timespec="seconds")


def build(home: Path) -> None:
    from learndl_cli.store.db import open_db

    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    db = open_db(home)
    conn = db.conn
    rng = random.Random(1)
    t0 = time.monotonic()
    conn.execute("BEGIN")
    conn.executemany(
        "insert into decks (id, title, chapter, path, cards, updated) values (?, ?, ?, ?, ?, ?)",
        [(f"ch{c:02d}", f"Chapter {c}", c, f"/bench/ch{c:02d}.md", CARDS // CHAPTERS, iso(NOW)) for c in range(1, CHAPTERS + 1)],
    )
    cards = []
    per_card = REVIEWS // CARDS
    reviews = []
    for i in range(CARDS):
        chapter = 1 + i % CHAPTERS
        card_id = f"c{i:05d}"
        start = NOW - timedelta(days=365) + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        step_days = 345 / per_card
        ts = start
        lapses = 0
        state = 0
        for k in range(per_card):
            rating = rng.choices((1, 2, 3, 4), (8, 12, 70, 10))[0]
            prev_state = state
            state = 2 if rating > 1 or state == 0 else 3
            if rating == 1 and prev_state == 2:
                lapses += 1
            day = (ts - timedelta(hours=4)).date().isoformat()
            reviews.append(
                (card_id, iso(ts), day, rating, rng.randrange(2000, 20000), prev_state, state, 10.0, 5.0,
                 iso(ts + timedelta(days=step_days)), "{}", "review")
            )
            ts += timedelta(days=step_days * rng.uniform(0.6, 1.2))
            if ts > NOW - timedelta(hours=1):
                break
        last = datetime.fromisoformat(reviews[-1][1])
        stability = rng.uniform(0.5, 120)
        due = last + timedelta(days=rng.uniform(0.2, 1.4) * stability)
        cards.append(
            (card_id, card_id, "", "", "basic", f"ch{chapter:02d}", chapter, f"Front of card {i} $x^2$", f"Back {i}",
             "", " bench ", "", f"/bench/ch{chapter:02d}.md", i, f"fp{i}", "", "", 1, 0, "", 1 if lapses >= 8 and i % 7 == 0 else 0,
             2, None, stability, rng.uniform(1, 10), iso(due), iso(last), per_card, lapses, iso(start))
        )
    # Top up to exactly REVIEWS rows (cards that stopped early leave a few missing).
    while len(reviews) < REVIEWS:
        r = list(reviews[rng.randrange(len(reviews))])
        reviews.append(tuple(r))
    conn.executemany(
        """insert into cards (id, note_id, ordinal, explicit_id, kind, deck_id, chapter, front, back, context, tags,
                              source, path, line, fingerprint, front_key, back_key, active, suspended, buried_until,
                              leech, state, step, stability, difficulty, due, last_review, reps, lapses, created)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        cards,
    )
    reviews.sort(key=lambda r: r[1])
    conn.executemany(
        """insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, stability, difficulty, due,
                                prev, kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        reviews,
    )
    attempts = []
    for k in range(3000):
        ts = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        attempts.append((f"ex{k % 40:02d}", iso(ts), "cpu", rng.choice(("pass", "fail", "fail", "error")), "[]", 500, "", 0, k, "check"))
    conn.executemany(
        "insert into attempts (exercise, ts, device, verdict, checks, duration_ms, code_hash, hints_used, seed, mode) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        attempts,
    )
    conn.executemany(
        "insert into hint_views (exercise, ts, level) values (?, ?, ?)",
        [(f"ex{k % 40:02d}", iso(NOW - timedelta(days=k % 300)), 1 + k % 3) for k in range(500)],
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(f"built {CARDS} cards, {len(reviews)} reviews in {time.monotonic() - t0:.1f}s → {home}")


def time_cli(home: Path, args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": iso(NOW), "COLUMNS": "120"}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "learndl_cli", "report", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if out.returncode != 0:
            raise SystemExit(f"learndl report {' '.join(args)} failed: {out.stderr.strip()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "learndl-bench-report")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not (args.home / "learndl.db").exists():
        if args.home.exists():
            for f in args.home.glob("learndl.db*"):
                f.unlink()
        build(args.home)
    print(f"{os.cpu_count()} CPU cores; median of {args.runs} runs, each a fresh process (start-up included)")
    cases = [("terminal", []), ("json", ["--format", "json"]), ("html", ["--format", "html"]),
             ("markdown", ["--format", "markdown"]), ("terminal --chapter 3", ["--chapter", "3"]),
             ("terminal --since", ["--since", "2026-01-01"])]
    results = {}
    for name, extra in cases:
        times = time_cli(args.home, extra, args.runs)
        results[name] = statistics.median(times)
        print(f"  {name:<22} median {results[name]:.2f}s   (min {min(times):.2f}s, max {max(times):.2f}s)")
    verdict = "met" if results["terminal"] <= GOAL_S else "NOT met"
    print(f"goal: learndl report <= {GOAL_S:.0f}s with {CARDS} cards / {REVIEWS} reviews: {verdict} ({results['terminal']:.2f}s)")


if __name__ == "__main__":
    main()
