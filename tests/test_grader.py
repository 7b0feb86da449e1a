"""The grader's parts: safe transport, the static forbidden scan, the check API, devices, catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from learndl_cli import catalog
from learndl_cli.errors import UserError
from learndl_cli.grader import api, forbid, protocol, runner


# ------------------------------------------------------------------------------------------ protocol


def roundtrip(value, device=None):
    return protocol.from_plain(protocol.loads(protocol.dumps(protocol.to_plain(value))), expect_device=device)


def test_plain_values_roundtrip():
    t = torch.arange(6.0).reshape(2, 3)
    got = roundtrip({"a": (t, 1, 2.5, "x", None, True), "b": [t.double()]}, "cpu")
    assert torch.equal(got["a"][0], t) and got["a"][1:] == (1, 2.5, "x", None, True)
    assert got["b"][0].dtype == torch.float64
    assert type(got["a"][0]) is torch.Tensor


def test_meta_tensors_send_only_metadata():
    got = roundtrip(torch.empty(3, 4, device="meta"), "meta")
    assert got.device.type == "meta" and tuple(got.shape) == (3, 4)


def test_tensor_subclass_is_refused():
    class Sneaky(torch.Tensor):
        pass

    s = torch.zeros(2).as_subclass(Sneaky)
    with pytest.raises(protocol.WrongTensor, match="subclass"):
        roundtrip(s, "cpu")


def test_wrong_device_is_named():
    with pytest.raises(protocol.WrongTensor, match="on 'cpu' although the inputs were on 'meta'"):
        roundtrip(torch.zeros(2), "meta")


def test_arbitrary_objects_become_markers():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    got = roundtrip({"x": AlwaysEqual()})
    assert isinstance(got["x"], protocol.Unsupported) and "AlwaysEqual" in got["x"].type_name


def test_pickled_code_is_not_loaded(tmp_path):
    import io
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    buf = io.BytesIO()
    torch.save({"kind": "ok", "value": Evil()}, buf, pickle_module=pickle)
    with pytest.raises(protocol.BadFrame):
        protocol.loads(buf.getvalue())
    assert not marker.exists()


def test_frames_with_deadline():
    import os
    import time

    r, w = os.pipe()
    protocol.write_frame(w, b"hello")
    assert protocol.read_frame(r, time.monotonic() + 1) == b"hello"
    os.write(w, b"\x10\x00\x00\x00\x00\x00\x00\x00abc")  # half a frame, then silence
    with pytest.raises(protocol.ChannelTimeout):
        protocol.read_frame(r, time.monotonic() + 0.05)
    os.close(w)
    os.close(r)


# ------------------------------------------------------------------------------------------ forbid

SOFTMAX_FORBID = ["torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "torch.nn.Softmax"]


def hits(source, forbid=SOFTMAX_FORBID, allow=()):
    return [h.message for h in forbid_scan(source, forbid, allow)]


def forbid_scan(source, forbid_list, allow):
    return forbid.scan(source, "x.py", forbid_list, list(allow))


def test_own_function_named_like_the_forbidden_one_is_fine():
    assert hits("import torch\ndef softmax(X, dim=-1):\n    return softmax2(X)\nsoftmax(1)\n") == []


@pytest.mark.parametrize(
    "source,fragment",
    [
        ("import torch\ny = torch.softmax(x, 0)", "you used torch.softmax"),
        ("from torch.nn import functional as F\ny = F.softmax(x, 0)", "you used F.softmax"),
        ("y = x.softmax(-1)", "you used x.softmax"),
        ("from torch.nn.functional import softmax as s", "you imported torch.nn.functional.softmax"),
        ("import torch\nf = getattr(torch, 'softmax')", "you used torch.softmax"),
        ("import torch\nf = getattr(torch, 'soft' + 'max')", "computed name"),
        ("import importlib", "import importlib"),
        ("import gc", "import gc"),
        ("import os\nos._exit(0)", "import os"),
        ("f = __import__('torch')", "__import__()"),
        ("exec('1')", "exec()"),
        ("def f():\n    return f.__globals__", ".__globals__"),
        ("from . import helper", "relative imports"),
        ("import torch\nself = torch\ny = self.softmax(x, 0)", "you used self.softmax"),
    ],
)
def test_static_scan_rejects(source, fragment):
    found = hits(source)
    assert found and fragment in found[0], found


def test_self_attribute_and_allow_imports():
    assert hits("class A:\n    def f(self):\n        return self.softmax(1)\n") == []
    assert hits("import pandas", allow=["pandas"]) == []
    assert hits("import pandas") and "may import only" in hits("import pandas")[0]


def test_book_imports_pass_and_d2l_says_what_to_do():
    assert hits("import numpy as np\nimport random\nimport time\nimport re") == []
    assert "copy what you use from d2l" in hits("from d2l import torch as d2l")[0]


def test_syntax_error_is_raised():
    with pytest.raises(SyntaxError):
        forbid.scan("def f(:\n", "x.py", [], [])


# ------------------------------------------------------------------------------------------ api


def test_rng_is_deterministic_per_check():
    a, b, c = api.Rng(7, "one"), api.Rng(7, "one"), api.Rng(7, "two")
    x = a.normal((3, 4))
    assert torch.equal(x, b.normal((3, 4)))
    assert not torch.equal(x, c.normal((3, 4)))
    assert a.integers(0, 5, (10,)).dtype == torch.int64
    assert 0 <= a.int(0, 3) < 3


def test_expect_close_message_names_the_worst_element():
    expected = torch.zeros(2, 3)
    got = expected.clone()
    got[1, 2] = 0.5
    with pytest.raises(api.CheckFailed) as info:
        api.expect_close(got, expected, what="f(X)", inputs={"X": expected})
    assert "f(X) is wrong for X of shape (2, 3) float32" in info.value.message
    assert "largest error 0.5 at [1, 2]" in info.value.message
    assert "got[1, :]" in info.value.detail


def test_expect_close_names_a_mistake_shape_dtype_and_nan():
    expected = torch.ones(3)
    with pytest.raises(api.CheckFailed, match="classic"):
        api.expect_close(torch.full((3,), 2.0), expected, what="f", mistakes={"classic": torch.full((3,), 2.0)})
    with pytest.raises(api.CheckFailed, match=r"has shape \(4,\), expected \(3,\)"):
        api.expect_close(torch.ones(4), expected, what="f")
    with pytest.raises(api.CheckFailed, match="dtype float64, expected float32"):
        api.expect_close(torch.ones(3, dtype=torch.float64), expected, what="f")
    with pytest.raises(api.CheckFailed, match="has nan at"):
        api.expect_close(torch.tensor([1.0, float("nan"), 1.0]), expected, what="f")
    api.expect_close(torch.empty(3, device="meta"), expected, what="f")  # meta: shape and dtype only


# ------------------------------------------------------------------------------------------ devices


def test_device_resolution(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runner.resolve_device("auto") == "cpu"
    assert runner.resolve_device("cpu") == "cpu"
    with pytest.raises(UserError, match="no CUDA GPU"):
        runner.resolve_device("cuda")
    with pytest.raises(UserError, match="unknown device"):
        runner.resolve_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runner.resolve_device("auto") == "cuda"


# ------------------------------------------------------------------------------------------ catalogue


def write_exercise(root: Path, **fields) -> Path:
    folder = root / fields.get("name", "demo")
    folder.mkdir(parents=True)
    (folder / "demo.py").write_text("def f():\n    raise NotImplementedError\n")
    (folder / "checks.py").write_text("")
    values = {
        "name": "demo", "title": "Demo", "chapter": 3, "section": "3.1", "file": "demo.py",
        "implements": ["f"], "hints": ["a", "b", "c"],
    }
    values.update(fields)
    lines = []
    for key, value in values.items():
        if value is None:
            continue
        lines.append(f"{key} = {value!r}".replace("'", '"') if not isinstance(value, list) else f"{key} = {[str(v) for v in value]!r}".replace("'", '"'))
    (folder / "info.toml").write_text("\n".join(lines) + "\n")
    return folder


def test_catalogue_loads_a_valid_exercise(tmp_path):
    folder = write_exercise(tmp_path)
    ex = catalog.load_exercise(folder)
    assert ex.time_limit == 10 and ex.memory_limit_mb == 1024 and ex.devices == ("cpu", "cuda")
    assert ex.starter_path == folder / "demo.py"


@pytest.mark.parametrize(
    "fields,fragment",
    [
        ({"hints": ["a", "b"]}, "exactly three"),
        ({"name": "other"}, "folder's name"),
        ({"section": "4.1"}, "'section'"),
        ({"file": "missing.py"}, "starter file missing.py is missing"),
        ({"title": None}, "missing field 'title'"),
        ({"devices": ["tpu"]}, "'devices'"),
        ({"colour": "red"}, "unknown field 'colour'"),
    ],
)
def test_catalogue_names_the_problem(tmp_path, fields, fragment):
    folder = write_exercise(tmp_path, **fields)
    if fields.get("name") == "other":
        folder = folder.rename(tmp_path / "demo")
    with pytest.raises(UserError, match=fragment):
        catalog.load_exercise(folder)


def test_unknown_exercise_suggests_a_name():
    with pytest.raises(UserError, match="did you mean 'softmax'"):
        catalog.get("sofmax")


# ------------------------------------------------------------------------------------------ spawn


def test_spawned_worker_grades_like_a_forked_one(tmp_path):
    """The CUDA path (a fresh interpreter per grade), exercised on the CPU."""
    import dataclasses

    ex = catalog.get("softmax")
    passed = runner.grade(ex, ex.solution_path, seed=3, spawn=True)
    assert passed.status == "pass", passed.checks
    loop = tmp_path / "softmax.py"
    loop.write_text("def softmax(X, dim=-1):\n    while True:\n        pass\n")
    timed_out = runner.grade(dataclasses.replace(ex, time_limit=1.0), loop, seed=3, spawn=True)
    assert timed_out.status == "timeout"


def test_not_implemented_is_a_todo_only_when_the_learners_line_raises_it(tmp_path):
    """torch raising NotImplementedError inside a learner's call is an error, not an unfinished TODO."""
    import importlib.util

    from learndl_cli.grader.worker import describe_exception

    path = tmp_path / "learner.py"
    path.write_text(
        "import torch\n"
        "def todo(X):\n"
        "    raise NotImplementedError('softmax')\n"
        "def cpu_only(X):\n"
        "    return torch.empty(2, device='meta').cpu()\n"
    )
    spec = importlib.util.spec_from_file_location("learner_ni", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    infos = {}
    for name in ("todo", "cpu_only"):
        try:
            getattr(module, name)(None)
        except NotImplementedError as exc:
            infos[name] = describe_exception(exc, str(path))
    assert infos["todo"]["not_implemented"] is True and infos["todo"]["line"] == 3
    assert infos["cpu_only"]["not_implemented"] is False and infos["cpu_only"]["line"] == 5
