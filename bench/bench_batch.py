"""A class's submissions: ``learndl check softmax --batch DIR`` against one ``learndl check`` per file.

The folder holds 200 softmax submissions, a mix as a class hands them in: the reference, correct
files in other styles, and each known-wrong variant, repeated. Reported:

- files per second for ``--batch`` over this machine's cores (``-j`` = cores);
- the ratio of its time per file to a cold ``learndl check NAME --file F`` per file (measured on a
  sample of the same files, run one after another, as a shell loop over the folder would).

No goal is set by an issue; the figure goes to docs/benchmarks.md. Usage:

    python bench/bench_batch.py [--files 200] [--sample 8]
"""

from __future__ import annotations

import argparse
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
from _util import ROOT, Result, env_for, learndl_cmd  # noqa: E402

CORRECT = [ROOT / "solutions" / "softmax.py"]
WRONG = sorted((ROOT / "tests" / "variants" / "softmax").glob("*.py"))


def make_class(folder: Path, files: int) -> list[Path]:
    pool = CORRECT + [p for p in WRONG if not p.name.startswith("_")]
    made = []
    for i in range(files):
        source = pool[i % len(pool)]
        target = folder / f"student{i:03d}.py"
        shutil.copyfile(source, target)
        made.append(target)
    return made


def run(files: int = 200, sample: int = 8) -> list[Result]:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="learndl-bench-batch-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        made = make_class(folder, files)
        env = env_for(Path(tmp) / "home")
        start = time.perf_counter()
        proc = subprocess.run(learndl_cmd("check", "softmax", "--batch", str(folder), "--out", str(Path(tmp) / "r.csv"),
                                          "-j", str(cores), "--seed", "1"), env=env, capture_output=True, text=True)
        batch_s = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"--batch failed ({proc.returncode}): {proc.stderr[-400:]}")
        singles = []
        for path in made[:sample]:
            t0 = time.perf_counter()
            subprocess.run(learndl_cmd("check", "softmax", "--file", str(path), "--seed", "1"), env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            singles.append(time.perf_counter() - t0)
    per_file_batch = batch_s / files
    per_file_single = statistics.median(singles)
    return [
        Result(f"batch: {files} softmax submissions, -j {cores} (time per file)", per_file_batch, per_file_single,
               "(no goal)", float("inf"),
               f"{files / batch_s:.1f} files/s; whole folder {batch_s:.1f} s; baseline: one cold check per file"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--sample", type=int, default=8)
    args = parser.parse_args()
    from _util import table

    print(table(run(args.files, args.sample)))
