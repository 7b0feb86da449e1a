"""learndl in Jupyter: a real kernel (nbclient + ipykernel) runs a notebook that uses the magics.

One notebook run, made the way a learner makes it (``learndl exercise softmax --notebook``): the
first try forgets the max (named, recorded as a failed attempt), the second is right (a pass that
``learndl exercise`` then lists), and ``%learndl hint`` shows the first hint. The kernel is this
test's own Python (a kernelspec written into a temporary JUPYTER_PATH), so it works from a clean
clone, as root, in CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NAIVE = "import torch\n\n\ndef softmax(X, dim=-1):\n    E = torch.exp(X)\n    return E / E.sum(dim=dim, keepdim=True)\n"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    spec = tmp_path / "jupyter" / "kernels" / "learndl-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "learndl test", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # `learndl` (the extension) from this checkout
    return "learndl-test"


def _outputs(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.data.get("text/html", "") + "\n" + out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def test_the_cell_magic_grades_the_cell_in_a_real_kernel(cli, home, kernel, db):
    assert cli("exercise", "softmax", "--notebook").exit_code == 0
    path = home / "workspace" / "softmax" / "softmax.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = nb.cells[3]
    assert code.source.startswith("%%learndl check softmax\n")
    code.source = "%%learndl check softmax\n" + NAIVE
    nb.cells += [
        # the kernel's own softmax is right, but only the cell's source is graded
        nbformat.v4.new_code_cell("%%learndl check softmax\n" + (ROOT / "solutions" / "softmax.py").read_text()),
        nbformat.v4.new_code_cell("%learndl hint softmax"),
        nbformat.v4.new_code_cell("%%learndl check nope\nx = 1"),
    ]
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(path.parent)}})
    client.execute()

    first, second, hint, unknown = (_outputs(c) for c in nb.cells[3:])
    assert "✗ fail" in first and "overflows for large logits" in first and "<table>" in first
    assert "✓ pass" in second and "All checks pass. Next re-drill in " in second
    assert "Hint 1/3" in hint
    assert "learndl: no exercise named 'nope'" in unknown
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)

    rows = list(db().query("SELECT verdict, mode FROM attempts ORDER BY id"))
    assert [r["verdict"] for r in rows] == ["fail", "pass"]
    assert [r["level"] for r in db().query("SELECT level FROM hint_views")] == [1]
    listing = json.loads(cli("exercise", "--json").stdout)
    softmax = next(r for r in listing if r["name"] == "softmax")
    assert softmax["status"] == "passed" and softmax["attempts"] == 2
