"""Time ``learndl report`` on a scale database: 10,000 cards and 1,000,000 reviews.

    python bench/bench_report.py [--runs 5] [--dense [--home DIR] [--rebuild]]

By default it uses the shared scale data set (``bench/make_scale_db.py``: 10,000 cards, 1,000,000
reviews replayed through FSRS over three years). ``--dense`` builds a harsher one instead: the
same counts packed into the last year, so every review falls in the 365-day retention window
(bulk inserts through the real migrations; cached in ``--home``).

Each case runs the real CLI (``python -m learndl_cli report``) in a fresh process and prints the
median wall time, start-up included. The per-day table the report reads (``report_days``) is kept
current by triggers as reviews are written, so every report on a database learndl wrote is the
"warm" case. "rebuild" empties and marks that table stale before every run: the one report after
upgrading a database from schema 3, which recounts every review once. The goal: at most 3 s on a
2-core machine.
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
sys.path.insert(0, str(ROOT / "bench"))

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


def clear_cache(home: Path) -> None:
    """What a database upgraded from schema 3 looks like: ``report_days`` empty and marked stale."""
    import sqlite3

    conn = sqlite3.connect(home / "learndl.db")
    with conn:
        conn.execute("delete from report_days")
        conn.execute("insert or replace into meta (key, value) values ('report_days', 'stale')")
    conn.close()


def time_cli(home: Path, args: list[str], runs: int, now: datetime, cold: bool = False) -> list[float]:
    env = {**os.environ, "LEARNDL_HOME": str(home), "LEARNDL_NOW": iso(now), "COLUMNS": "120", "TZ": "UTC"}
    times = []
    for _ in range(runs):
        if cold:
            clear_cache(home)
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "learndl_cli", "report", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if out.returncode != 0:
            raise SystemExit(f"learndl report {' '.join(args)} failed: {out.stderr.strip()}")
    return times


def run(runs: int = 5, scale_home: Path | None = None) -> list:
    """For ``bench/run.py``: median wall time of ``learndl report`` on the scale data set (its
    per-day table kept by the triggers as the reviews were written), and of the one-off recount
    after an upgrade from schema 3."""
    from _util import Result

    import make_scale_db

    home = scale_home or make_scale_db.ensure()
    now = make_scale_db.END
    time_cli(home, [], 1, now)  # warm-up: makes the day's backup (and recounts a pre-m004 data set)
    warm = time_cli(home, [], runs, now)
    html = time_cli(home, ["--format", "html"], runs, now)
    cold = time_cli(home, [], max(1, runs // 2), now, cold=True)
    time_cli(home, [], 1, now)  # leave the cache warm
    return [
        Result("report, scale data set", statistics.median(warm), None, f"≤ {GOAL_S:.0f} s", GOAL_S),
        Result("report --format html, scale", statistics.median(html), None, f"≤ {GOAL_S:.0f} s", GOAL_S),
        Result("report, scale, recount after upgrading from schema 3", statistics.median(cold), None, "(no goal)", float("inf"),
               note="once, on the first report after the upgrade; every report after reads the trigger-kept table"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dense", action="store_true", help="a year-dense data set instead of the shared one")
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "learndl-bench-report")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.dense:
        home, now = args.home, NOW
        if args.rebuild or not (home / "learndl.db").exists():
            if home.exists():
                import shutil

                shutil.rmtree(home)  # the database, its WAL and its backups
            build(home)
    else:
        import make_scale_db

        home = make_scale_db.ensure()
        now = make_scale_db.END
    import sqlite3

    conn = sqlite3.connect(home / "learndl.db")
    n_cards, n_reviews = (conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("cards", "reviews"))
    conn.close()
    load = os.getloadavg()[0]
    print(f"{home}: {n_cards} cards, {n_reviews} reviews; {os.cpu_count()} CPU cores, load {load:.1f}")
    print(f"median of {args.runs} runs, each a fresh process (start-up included)")
    cases = [("terminal", [], False), ("recount (upgrade)", [], True), ("json", ["--format", "json"], False),
             ("html", ["--format", "html"], False), ("markdown", ["--format", "markdown"], False),
             ("--chapter 3", ["--chapter", "3"], False), ("--since", ["--since", iso(now - timedelta(days=60))[:10]], False)]
    results = {}
    for name, extra, cold in cases:
        times = time_cli(home, extra, args.runs, now, cold)
        results[name] = statistics.median(times)
        print(f"  {name:<22} median {results[name]:.2f}s   (min {min(times):.2f}s, max {max(times):.2f}s)")
    for key in ("terminal", "json", "html", "markdown", "--chapter 3", "--since"):
        verdict = "met" if results[key] <= GOAL_S else "NOT met"
        print(f"goal: learndl report ({key}) <= {GOAL_S:.0f}s: {verdict} ({results[key]:.2f}s)")
    print(f"no goal: the one-off recount on the first report after an upgrade from schema 3: {results['recount (upgrade)']:.2f}s")


if __name__ == "__main__":
    main()
