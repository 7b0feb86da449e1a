"""Run every benchmark and print one table: name, median, baseline, ratio, goal, met or not.

    python bench/run.py [--quick] [--no-scale] [--write docs/benchmarks.md]

Each benchmark module in bench/ exposes ``run(...) -> list[Result]``. Ratio goals compare against a
baseline measured side by side in the same run (the machines are noisy); absolute goals are medians
of many runs. The scale data set (10,000 cards, 1,000,000 reviews) is built by
bench/make_scale_db.py on first use and cached in bench/_scale/ (ignored by git).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("TZ", "UTC")

from _util import Result, table  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{os.cpu_count()} cores ({cpu}){mem}, {gpu}; Python {platform.python_version()}, torch {torch.__version__}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the benchmarks)")
    p.add_argument("--no-scale", action="store_true", help="skip everything that needs the scale data set")
    p.add_argument("--write", metavar="FILE", help="also write the table into this Markdown file")
    args = p.parse_args()
    runs = 3 if args.quick else 11
    # Measure learndl as installed from a wheel: byte-compiled (pip compiles on install; an editable
    # checkout under PYTHONDONTWRITEBYTECODE would otherwise recompile the package on every start).
    import compileall

    compileall.compile_dir(str(HERE.parent / "learndl_cli"), quiet=1)
    scale = None
    if not args.no_scale:
        from make_scale_db import ensure

        print("building or reusing the scale data set …", file=sys.stderr)
        scale = ensure()
    plan = [
        ("bench_status", dict(runs=runs, scale_home=scale)),
        ("bench_quiz", dict(runs=runs, scale_home=scale)),
        ("bench_decks", dict(runs=max(runs, 5))),
        ("bench_grade", dict(runs=runs)),
        ("bench_batch", dict(files=200, sample=max(4, runs))),
        ("bench_report", dict(runs=max(3, runs // 2), scale_home=scale)),
        ("bench_optimize", dict(runs=1)),
    ]
    results: list[Result] = []
    failures: list[str] = []
    for name, kwargs in plan:
        if not (HERE / f"{name}.py").exists():
            continue
        print(f"running {name} …", file=sys.stderr)
        try:
            module = importlib.import_module(name)
            accepted = module.run.__code__.co_varnames[: module.run.__code__.co_argcount]
            results.extend(module.run(**{k: v for k, v in kwargs.items() if k in accepted}))
        except Exception as exc:  # a broken benchmark is reported, never hidden
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            traceback.print_exc()
    text = table(results)
    print(text)
    for failure in failures:
        print(f"FAILED {failure}")
    if args.write:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
        out = Path(args.write)
        head = out.read_text(encoding="utf-8").split("<!-- results -->")[0] if out.exists() else "# Benchmarks\n\n"
        body = (
            f"<!-- results -->\n\nMeasured {stamp} at commit {commit or '?'} on {machine()}, "
            f"with `python bench/run.py{' --quick' if args.quick else ''}`.\n\n{text}\n"
        )
        if failures:
            body += "\n" + "\n".join(f"- benchmark failed: {f}" for f in failures) + "\n"
        out.write_text(head + body, encoding="utf-8")
    return 1 if failures or not all(r.met for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
