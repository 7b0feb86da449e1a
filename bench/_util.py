"""Shared helpers for the benchmarks: side-by-side timing, medians and the results table.

Every goal is a ratio against a baseline measured in the same run, alternating the two so that a
noisy machine slows both alike, or an absolute figure measured many times; we report medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BASELINE_IMPORTS = [PY, "-c", "import typer, rich, sqlite_utils, fsrs"]


@dataclass
class Result:
    name: str
    median: float  # seconds
    baseline: float | None  # seconds, or None for an absolute goal
    goal: str  # e.g. "≤ 1.3×" or "≤ 20 ms"
    limit: float  # the ratio (for ratio goals) or seconds (for absolute goals)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline if self.baseline else None

    @property
    def met(self) -> bool:
        value = self.ratio if self.baseline else self.median
        return value is not None and value <= self.limit


def time_cmd(cmd: list[str], env: dict | None = None, stdin: str | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, env=env, input=stdin, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def side_by_side(fn_a, fn_b, runs: int, warmup: int = 1) -> tuple[float, float, list[float], list[float]]:
    """Run two timers alternately (order flipped each round); return both medians and samples."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    a, b = [], []
    for i in range(runs):
        if i % 2:
            b.append(fn_b())
            a.append(fn_a())
        else:
            a.append(fn_a())
            b.append(fn_b())
    return statistics.median(a), statistics.median(b), a, b


def learndl_cmd(*args: str) -> list[str]:
    return [PY, "-m", "learndl_cli", *args]


def env_for(home: Path, **extra: str) -> dict:
    return {**os.environ, "LEARNDL_HOME": str(home), "TZ": "UTC", **extra}


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def table(results: list[Result]) -> str:
    head = "| benchmark | median | baseline | ratio | goal | met |\n| --- | ---: | ---: | ---: | --- | --- |\n"
    rows = []
    for r in results:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "-"
        rows.append(
            f"| {r.name} | {fmt_time(r.median)} | {fmt_time(r.baseline)} | {ratio} | {r.goal} | "
            f"{'yes' if r.met else '**no**'}{(' — ' + r.note) if r.note else ''} |"
        )
    return head + "\n".join(rows)
