"""learndl works from a wheel, not only from a checkout: decks, exercises and solutions ship inside it."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_lists_bundled_decks(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0 and "hatchling" in build.stderr:
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(ROOT)],
            capture_output=True, text=True, timeout=300,
        )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("learndl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("learndl_cli/_content/decks/") and n.endswith(".md") for n in names)
    assert any(n.startswith("learndl_cli/_content/exercises/") for n in names)
    assert any(n.startswith("learndl_cli/_content/solutions/") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    vpy = venv / "bin" / "python"
    install = subprocess.run(
        [str(vpy), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # The dependencies come from this environment's site-packages; learndl itself from the wheel.
    deps = sysconfig.get_paths()["purelib"]
    env = {
        **os.environ,
        "PYTHONPATH": deps,
        "LEARNDL_HOME": str(tmp_path / "home"),
    }
    where = subprocess.run(
        [str(vpy), "-c", "import learndl_cli, sys; print(learndl_cli.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert str(venv) in where.stdout, where.stdout + where.stderr
    listed = subprocess.run(
        [str(venv / "bin" / "learndl"), "decks", "list", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    decks = json.loads(listed.stdout)
    assert len(decks) >= 5
    assert all(str(venv) in d["path"] for d in decks)
    assert sum(d["cards"] for d in decks) >= 100
