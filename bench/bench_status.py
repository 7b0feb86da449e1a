"""`learndl status` against the bare imports it cannot avoid (typer, rich, sqlite_utils, fsrs).

Goal: median ≤ 1.3× `python -c "import typer, rich, sqlite_utils, fsrs"`, on an empty data dir and
on the scale data set (bench/make_scale_db.py). Also checks that every query `status` runs (traced
while it runs) and the quiz's due queries use indexes (`EXPLAIN QUERY PLAN` shows no full scan of
reviews), and reports the peak RSS of `status`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import BASELINE_IMPORTS, Result, env_for, learndl_cmd, side_by_side, table, time_cmd  # noqa: E402


def peak_rss_mb(cmd, env) -> float:
    proc = subprocess.run(
        [sys.executable, "-c", "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *cmd],
        env=env, capture_output=True, text=True,
    )
    return int(proc.stdout.strip()) / 1024


@contextlib.contextmanager
def _traced(statements: list[str]):
    """Record every statement run on connections opened inside the block (with values bound)."""
    connect = sqlite3.connect

    def traced_connect(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    sqlite3.connect = traced_connect
    try:
        yield statements
    finally:
        sqlite3.connect = connect


def status_statements(home: Path, now: str) -> list[str]:
    """The SQL statements ``learndl status`` runs on ``home`` at ``now``: its data, in-process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from learndl_cli.commands.status import gather
    from learndl_cli.context import ENV_NOW, App

    saved = os.environ.get(ENV_NOW)
    os.environ[ENV_NOW] = now
    app = App(home=home)
    try:
        with _traced([]) as statements:
            gather(app)
    finally:
        app.close()
        if saved is None:
            os.environ.pop(ENV_NOW, None)
        else:
            os.environ[ENV_NOW] = saved
    return [sql for sql in statements if sql.lstrip()[:6].lower() in ("select", "with r")]


def query_plans(home: Path, now: str) -> tuple[list[str], int]:
    """Full scans of reviews in the plans of the status queries and the quiz's (should be none),
    and how many status queries were checked."""
    traced = status_statements(home, now)
    conn = sqlite3.connect(home / "learndl.db")
    sqls = [(sql, []) for sql in traced] + [
        ("select count(*) as n from reviews where day = ? and prev_state = 0 and kind = 'review'", ["2026-11-01"]),
        ("select distinct day from reviews where kind = 'review' order by day", []),
        ("select count(*) from reviews where day = ? and kind = 'review'", ["2026-11-01"]),
        ("select s.note_id from reviews r join cards s on s.id = r.card_id where r.day = ? and r.kind = 'review'", ["2026-11-01"]),
        ("select max(r.id) from reviews r where r.card_id = ?", ["a"]),
    ]
    scans = []
    for sql, args in sqls:
        for row in conn.execute("explain query plan " + sql, args):
            detail = row[-1]
            if "SCAN" in detail and "reviews" in detail and "USING" not in detail:
                scans.append(f"{detail}  <- {sql[:60]}")
    conn.close()
    return scans, len(traced)


def run(runs: int = 11, scale_home: Path | None = None) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(Path(tmp))
        time_cmd(learndl_cmd("status"), env)
        a, b, _, _ = side_by_side(lambda: time_cmd(learndl_cmd("status"), env), lambda: time_cmd(BASELINE_IMPORTS, env), runs)
        rss = peak_rss_mb(learndl_cmd("status"), env)
        results.append(Result("status, empty data dir", a, b, "≤ 1.3×", 1.3, f"peak RSS {rss:.0f} MB"))
    if scale_home is not None:
        now = "2026-11-01T13:00:00+00:00"
        env = env_for(scale_home, LEARNDL_NOW=now)
        time_cmd(learndl_cmd("status"), env)
        a, b, _, _ = side_by_side(lambda: time_cmd(learndl_cmd("status"), env), lambda: time_cmd(BASELINE_IMPORTS, env), runs)
        scans, checked = query_plans(scale_home, now)
        rss = peak_rss_mb(learndl_cmd("status"), env)
        note = f"peak RSS {rss:.0f} MB; " + (
            f"no full scan of reviews ({checked} status queries traced)" if not scans else f"SCANS: {scans}"
        )
        results.append(Result("status, 10k cards / 1M reviews", a, b, "≤ 1.3×", 1.3, note))
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--scale", action="store_true", help="also measure on the scale data set")
    args = p.parse_args()
    scale = None
    if args.scale:
        from make_scale_db import ensure

        scale = ensure()
    print(table(run(args.runs, scale)))


if __name__ == "__main__":
    main()
