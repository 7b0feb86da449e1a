"""Grading speed: ratios against a baseline measured side by side, in the same run.

1. Cold: ``learndl check softmax --file solutions/softmax.py`` in a fresh process, against a plain
   ``pytest`` run of equivalent checks (the same properties, including a meta-device test) on the
   same file. Goal: cold check <= 0.6 x pytest, with the grade's protections on (Landlock, seccomp,
   no capabilities); measured with them off too (``LEARNDL_SANDBOX=off``), to show their cost.
2. Warm: one re-grade with a warm zygote (torch imported, meta kernels loaded; each grade forks one
   confined child), as in the ``learndl exercise`` drill loop. Goal: <= 100 ms with protections on;
   measured off too (two zygotes, alternating blocks of grades).

Runs alternate between the sides; the table shows medians. Usage:

    python bench/bench_grade.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "softmax.py"
STARTER = ROOT / "exercises" / "softmax" / "softmax.py"

EQUIVALENT_PYTEST = textwrap.dedent(
    f"""
    import importlib.util
    import pytest
    import torch

    spec = importlib.util.spec_from_file_location("learner", {str(SOLUTION)!r})
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def ref(X, dim=-1):
        return torch.softmax(X.double(), dim).to(X.dtype)

    g = torch.Generator().manual_seed(1)

    def test_rows_sum_to_one():
        X = torch.randn(4, 7, generator=g)
        torch.testing.assert_close(mod.softmax(X, -1), ref(X))

    def test_default_dim():
        X = torch.randn(3, 5, generator=g)
        torch.testing.assert_close(mod.softmax(X), ref(X))

    @pytest.mark.parametrize("dim", [0, 1, 2, -2])
    def test_any_dim(dim):
        X = torch.randn(3, 4, 5, generator=g)
        torch.testing.assert_close(mod.softmax(X, dim), ref(X, dim))

    def test_one_dimensional():
        x = torch.randn(6, generator=g)
        torch.testing.assert_close(mod.softmax(x, 0), ref(x, 0))

    def test_large_logits():
        X = torch.randn(4, 6, generator=g) * 300 + 500
        X[1] = -X[1]
        torch.testing.assert_close(mod.softmax(X, -1), ref(X))

    def test_per_slice_max():
        X = torch.randn(3, 5, generator=g)
        X[0] += 2000
        torch.testing.assert_close(mod.softmax(X, -1), ref(X))

    def test_input_unchanged():
        X = torch.randn(3, 4, generator=g)
        before = X.clone()
        mod.softmax(X, -1)
        assert torch.equal(X, before)

    def test_float64():
        X = torch.randn(2, 5, generator=g, dtype=torch.float64)
        torch.testing.assert_close(mod.softmax(X, -1), torch.softmax(X, -1))

    def test_gradient():
        X = torch.randn(3, 4, generator=g, requires_grad=True)
        G = torch.randn(3, 4, generator=g)
        (mod.softmax(X, -1) * G).sum().backward()
        Xr = X.detach().double().requires_grad_(True)
        (torch.softmax(Xr, -1) * G.double()).sum().backward()
        torch.testing.assert_close(X.grad, Xr.grad.float())

    def test_meta_portability():
        X = torch.empty(4, 7, device="meta")
        out = mod.softmax(X, -1)
        assert out.device.type == "meta" and out.shape == X.shape
    """
)


def timed(cmd: list[str], env: dict, expect_rc: int) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode != expect_rc:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def cold(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Cold checks with protections on, off, and the pytest baseline, alternating."""
    on, off, baseline = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        test_file = Path(tmp) / "test_equivalent.py"
        test_file.write_text(EQUIVALENT_PYTEST)
        env = {**os.environ, "LEARNDL_HOME": str(Path(tmp) / "home")}
        env.pop("LEARNDL_SANDBOX", None)
        env_off = {**env, "LEARNDL_SANDBOX": "off"}
        learndl = [sys.executable, "-m", "learndl_cli", "check", "softmax", "--file", str(SOLUTION), "--device", "cpu"]
        pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
        timed(learndl, env, 0)  # first runs warm the OS file cache for both sides
        timed(pytest_cmd, env, 0)
        for _ in range(runs):
            on.append(timed(learndl, env, 0))
            baseline.append(timed(pytest_cmd, env, 0))
            off.append(timed(learndl, env_off, 0))
    return on, off, baseline


def warm(runs: int) -> dict[str, list[float]]:
    """Warm re-grades through two zygotes, protections on and off, alternating."""
    sys.path.insert(0, str(ROOT))
    from learndl_cli import catalog
    from learndl_cli.grader import runner, zygote

    os.environ.pop("LEARNDL_SANDBOX", None)
    on = zygote.Zygote()
    os.environ["LEARNDL_SANDBOX"] = "off"
    off = zygote.Zygote()
    del os.environ["LEARNDL_SANDBOX"]
    exercise = catalog.get("softmax")
    times: dict[str, list[float]] = {"on": [], "off": [], "failing": []}
    for zyg in (on, off):
        zygote._zygote = zyg
        runner.prepare(meta=True)
        runner.grade(exercise, SOLUTION, seed=1)  # loads checks.py once, as the drill loop does
    block = 4  # grades in a row on one zygote, as in the drill loop; the blocks alternate
    for i in range(0, runs, block):
        for mode, zyg in (("on", on), ("off", off)):
            zygote._zygote = zyg
            runner.grade(exercise, SOLUTION, seed=i)  # the first grade after a switch warms caches
            for seed in range(i, i + block):
                start = time.perf_counter()
                result = runner.grade(exercise, SOLUTION, seed=seed)
                times[mode].append(time.perf_counter() - start)
                assert result.passed and result.isolation["filesystem"]["active"] == (mode == "on"), result.isolation
        zygote._zygote = on
        start = time.perf_counter()
        assert not runner.grade(exercise, STARTER, seed=i).passed
        times["failing"].append(time.perf_counter() - start)
    off.stop()
    return times


def check_all(env: dict) -> tuple[float, float]:
    """`learndl check --all --solutions` (every reference solution, both cores): seconds, peak RSS MB."""
    import resource

    start = time.perf_counter()
    timed([sys.executable, "-m", "learndl_cli", "check", "--all", "--solutions"], env, 0)
    elapsed = time.perf_counter() - start
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def grade_rss(env: dict) -> float:
    """Peak RSS (MB) of one cold `learndl check softmax`, parent and children."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    learndl = [sys.executable, "-m", "learndl_cli", "check", "softmax", "--file", str(SOLUTION), "--device", "cpu"]
    out = subprocess.run([sys.executable, "-c", code, *learndl], env=env, capture_output=True, text=True).stdout
    return int(out.strip()) / 1024


def run(runs: int = 5) -> list:
    """The grading rows of bench/run.py's table."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _util import Result

    med = statistics.median
    on, off, baseline = cold(runs)
    warm_times = warm(runs * 2)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LEARNDL_HOME": str(Path(tmp) / "home")}
        rss = grade_rss(env)
        all_seconds, _ = check_all(env)
    return [
        Result("grade: cold `check softmax` vs plain pytest (protections on)", med(on), med(baseline), "≤ 0.6×", 0.6,
               f"peak RSS {rss:.0f} MB"),
        Result("grade: cold `check softmax`, protections off", med(off), med(baseline), "(compare)", float("inf")),
        Result("grade: warm re-grade in the drill loop (pass, protections on)", med(warm_times["on"]), None, "≤ 100 ms", 0.1,
               f"failing starter {med(warm_times['failing']) * 1000:.0f} ms"),
        Result("grade: warm re-grade, protections off", med(warm_times["off"]), None, "(compare)", float("inf")),
        Result("grade: `check --all --solutions`, 2 workers", all_seconds, None, "(no goal)", float("inf")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    on, off, baseline = cold(args.runs)
    times = warm(args.runs * 2)
    med = statistics.median
    rows = [
        ("cold: learndl check softmax, protections on", med(on), ""),
        ("cold: learndl check softmax, protections off", med(off), ""),
        ("cold: pytest, equivalent checks", med(baseline), ""),
        ("cold ratio, on (goal <= 0.6)", med(on) / med(baseline), "ratio"),
        ("cold ratio, off", med(off) / med(baseline), "ratio"),
        ("warm re-grade, passing, on (goal <= 0.1 s)", med(times["on"]), ""),
        ("warm re-grade, passing, off", med(times["off"]), ""),
        ("warm re-grade, failing starter, on", med(times["failing"]), ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  median   (runs: cold {args.runs}, warm {args.runs * 2}; cpus {os.cpu_count()})")
    for label, value, kind in rows:
        print(f"{label.ljust(width)}  {value:.3f}{'x' if kind == 'ratio' else ' s'}")


if __name__ == "__main__":
    main()
