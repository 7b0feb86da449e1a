"""Loading decks: 10,000 cards in 50 files.

- cold: read and parse every file from scratch (what happens when all decks changed): ≤ 100 ms;
- warm: `decks.sync` with nothing changed (what every `learndl` run does): ≤ 10 ms;
- first import into an empty database (parse, reconcile, insert): reported, no goal.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _util import Result, table  # noqa: E402
from make_scale_db import write_decks  # noqa: E402


def run(runs: int = 15) -> list[Result]:
    from learndl_cli.config import Settings
    from learndl_cli.deckparse import parse_deck
    from learndl_cli.decks import sync
    from learndl_cli.store.db import open_db

    now = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decks"
        write_decks(folder, 10_000, 50, random.Random(3))
        files = sorted(folder.glob("*.md"))

        def cold() -> float:
            start = time.perf_counter()
            n = 0
            for f in files:
                n += len(parse_deck(f.read_text(encoding="utf-8"), str(f)).cards)
            elapsed = time.perf_counter() - start
            assert n == 10_000, n
            return elapsed

        cold()
        cold_times = [cold() for _ in range(runs)]
        home = Path(tmp) / "home"
        home.mkdir()
        settings = Settings(bundled_decks=False, deck_paths=(str(folder),))
        db = open_db(home)
        start = time.perf_counter()
        sync(db, settings, now)
        first = time.perf_counter() - start
        warm_times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = sync(db, settings, now)
            warm_times.append(time.perf_counter() - start)
            assert result.parsed_files == 0
        db.conn.close()
    return [
        Result("decks: parse 10k cards / 50 files, cold", statistics.median(cold_times), None, "≤ 100 ms", 0.100),
        Result("decks: warm load, nothing changed", statistics.median(warm_times), None, "≤ 10 ms", 0.010),
        Result("decks: first import into an empty db", first, None, "(no goal)", float("inf")),
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=15)
    print(table(run(p.parse_args().runs)))


if __name__ == "__main__":
    main()
