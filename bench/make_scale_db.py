"""Write a realistic large learndl data dir, with a fixed seed: the scale data set for bench/.

    python bench/make_scale_db.py [--out bench/_scale] [--cards 10000] [--decks 50]
                                  [--reviews 1000000] [--attempts 5000] [--seed 7]

It writes ``OUT/decks/`` (50 Markdown decks of 200 cards each), ``OUT/home/`` (a data dir whose
settings register those decks and nothing else), loads the decks through learndl's own sync, then
replays three years of study through learndl's own FSRS scheduler: ratings drawn the way real users
answer (about 75 % Good, 10 % Again, 5 % Hard, 10 % Easy), durations log-normal around 7 s. So the
stored card states agree with the review history. The reviews are written in time order, as a
learner's would be, into the migrated schema with its triggers active (so the report's per-day table
is kept exactly as the app keeps it). Finally 5,000 exercise attempts.

The data dir is rebuilt only when this script or its arguments change (a stamp file records them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

END = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
START = END - timedelta(days=3 * 365)
MAX_INTERVAL_DAYS = 14  # tuned so three years of study give about 100 reviews a card


def write_decks(folder: Path, cards: int, decks: int, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    per = cards // decks
    words = "张量 梯度 卷积 池化 注意力 编码器 解码器 优化 动量 正则化 暂退法 批量 归一化 残差 循环 门控 词元 嵌入".split()
    for d in range(decks):
        lines = [
            "---",
            f"id: scale-{d:02d}",
            f"title: Scale deck {d:02d}",
            f"chapter: {2 + d % 11}",
            "source: 002_123bb0609d913bf9.txt",
            "---",
            "",
            f"# Section {d}",
            "",
        ]
        for i in range(per):
            a, b = rng.choice(words), rng.choice(words)
            if i % 10 == 0:
                lines.append(f"Q: 第 {d}-{i} 题：{a} 与 {b} 的关系是什么？ $x_{{{i}}}^2$\nA: 答案 {d}-{i}：{b} 依赖于 {a}。\n")
            else:
                lines.append(f"{a} ({d}-{i}) :: {b} 的定义 {d}-{i}，涉及 $\\frac{{a_{i}}}{{b}}$\n")
        (folder / f"deck-{d:02d}.md").write_text("\n".join(lines), encoding="utf-8")


def draw_rating(rng: random.Random) -> int:
    x = rng.random()
    if x < 0.10:
        return 1
    if x < 0.15:
        return 2
    if x < 0.90:
        return 3
    return 4


def build(out: Path, args) -> Path:
    from learndl_cli.config import load_settings
    from learndl_cli.decks import sync
    from learndl_cli.scheduler import Memory, Scheduler, SchedulerConfig, iso, study_day
    from learndl_cli.store.db import open_db

    rng = random.Random(args.seed)
    if out.exists():
        shutil.rmtree(out)
    write_decks(out / "decks", args.cards, args.decks, rng)
    home = out / "home"
    home.mkdir(parents=True)
    (home / "settings.toml").write_text(
        f'bundled_decks = false\ndeck_paths = ["{(out / "decks").as_posix()}"]\nfuzz = false\n'
        f"maximum_interval_days = {MAX_INTERVAL_DAYS}\n",
        encoding="utf-8",
    )
    settings = load_settings(home)
    db = open_db(home)
    sync(db, settings, START)
    cards = [row["id"] for row in db.query("select id from cards order by deck_id, line, ordinal")]
    db.conn.close()

    scheduler = Scheduler(SchedulerConfig.from_settings(settings))
    conn = sqlite3.connect(home / "learndl.db")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    budget = args.reviews
    per_card = math.ceil(args.reviews / len(cards) * 1.25)  # the budget stops the total at exactly --reviews
    rows = []
    updates = []
    for n, card_id in enumerate(cards):
        memory = Memory.new()
        # New cards are introduced over the first months, a few dozen a day.
        ts = START + timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 10))
        count = 0
        while ts < END and count < per_card and budget > 0:
            rating = draw_rating(rng)
            before = memory
            memory = scheduler.review(memory, rating, ts, seed=card_id)
            prev = before.to_dict()
            prev.update(leech=0, suspended=0, buried_until="")
            rows.append(
                (
                    card_id, iso(ts), study_day(ts, 4, timezone.utc), rating,
                    int(min(120_000, rng.lognormvariate(8.8, 0.6))), int(before.state), int(memory.state),
                    memory.stability, memory.difficulty, iso(memory.due), json.dumps(prev, separators=(",", ":")), "review",
                )
            )
            count += 1
            budget -= 1
            # The learner comes back when the card is due, or a little later.
            ts = memory.due + timedelta(hours=rng.uniform(0, 30) if memory.state == 2 else rng.uniform(0, 0.2))
        d = memory.to_dict()
        updates.append((d["state"], d["step"], d["stability"], d["difficulty"], d["due"], d["last_review"], d["reps"], d["lapses"], card_id))
    rows.sort(key=lambda r: r[1])  # in time order, as a learner writes them
    flush(conn, rows)
    conn.executemany(
        "update cards set state=?, step=?, stability=?, difficulty=?, due=?, last_review=?, reps=?, lapses=? where id=?",
        updates,
    )
    names = ["softmax", "dropout", "attention", "broadcasting", "autograd", "linear-regression", "cross-entropy", "mlp",
             "conv2d", "pooling", "batch-norm", "rnn", "gru", "lstm", "bleu", "optimizers"]
    attempts = []
    for i in range(args.attempts):
        ts = START + timedelta(days=rng.uniform(0, 3 * 365))
        verdict = rng.choices(["pass", "fail", "error", "timeout"], [0.35, 0.45, 0.15, 0.05])[0]
        attempts.append(
            (rng.choice(names), iso(ts), "cpu", verdict, "[]", int(rng.uniform(200, 3000)),
             hashlib.sha1(str(i).encode()).hexdigest(), rng.choice([0, 0, 0, 1, 2, 3]), rng.randrange(2**31), "check")
        )
    conn.executemany(
        "insert into attempts (exercise, ts, device, verdict, checks, duration_ms, code_hash, hints_used, seed, mode)"
        " values (?,?,?,?,?,?,?,?,?,?)",
        attempts,
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return home


def flush(conn, rows: list) -> None:
    conn.executemany(
        "insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, stability, difficulty, due, prev, kind)"
        " values (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    rows.clear()


def ensure(out: Path | None = None, **overrides) -> Path:
    """Build the scale data dir if it is missing or stale; return its home."""
    parser = make_parser()
    args = parser.parse_args([])
    for k, v in overrides.items():
        setattr(args, k, v)
    out = out or Path(args.out)
    stamp_text = hashlib.sha1(Path(__file__).read_bytes() + repr(sorted(vars(args).items())).encode()).hexdigest()
    stamp = out / "stamp"
    if stamp.exists() and stamp.read_text() == stamp_text and (out / "home" / "learndl.db").exists():
        return out / "home"
    home = build(out, args)
    stamp.write_text(stamp_text)
    return home


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "bench" / "_scale"))
    p.add_argument("--cards", type=int, default=10_000)
    p.add_argument("--decks", type=int, default=50)
    p.add_argument("--reviews", type=int, default=1_000_000)
    p.add_argument("--attempts", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=7)
    return p


def main() -> None:
    args = make_parser().parse_args()
    out = Path(args.out)
    home = ensure(out, **{k: v for k, v in vars(args).items() if k != "out"})
    conn = sqlite3.connect(home / "learndl.db")
    n_cards = conn.execute("select count(*) from cards").fetchone()[0]
    n_reviews = conn.execute("select count(*) from reviews").fetchone()[0]
    again = conn.execute("select avg(rating = 1) from reviews").fetchone()[0]
    n_attempts = conn.execute("select count(*) from attempts").fetchone()[0]
    conn.close()
    size = (home / "learndl.db").stat().st_size / 2**20
    print(f"{home}: {n_cards} cards, {n_reviews} reviews ({again:.0%} Again), {n_attempts} attempts, {size:.0f} MiB")


if __name__ == "__main__":
    main()
