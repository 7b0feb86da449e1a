"""The pieces of the grade's boundary, each on its own: capabilities (our ctypes), Landlock, seccomp,
the probes cut out of checks.py, the parent's write deadline, and the op-level forbids."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time

import pytest

from learndl_cli import catalog
from learndl_cli.grader import probes, protocol, sandbox
from learndl_cli.grader.sandbox import caps, fs, syscalls

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux mechanisms")


def in_child(fn) -> dict:
    """Run ``fn`` in a forked child; what it returns (JSON) comes back."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = json.dumps(fn()).encode()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            out = json.dumps({"raised": f"{type(exc).__name__}: {exc}"}).encode()
        os.write(w, out)
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data)


def _attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except OSError as exc:
        return f"errno {exc.errno}"
    except RuntimeError as exc:
        return f"runtime: {exc}"


# ------------------------------------------------------------------------------------------ caps


@linux
@pytest.mark.skipif(os.geteuid() != 0, reason="only root holds capabilities to drop")
def test_capabilities_are_dropped_for_good(tmp_path):
    target = tmp_path / "owned-by-nobody"
    target.write_text("x")
    os.chown(target, 65534, 65534)
    os.chmod(target, 0o600)

    def child():
        before = caps.held()
        dropped = caps.drop()
        return {"before": before, "dropped": dropped, "after": caps.held(),
                "read": _attempt(lambda: open(target).read()), "chown": _attempt(lambda: os.chown(target, 0, 0))}

    got = in_child(child)
    assert got["before"] != 0 and got["dropped"] is True and got["after"] == 0
    assert got["read"] == "errno 13" and got["chown"] == "errno 1"  # root without CAP_DAC_OVERRIDE, CAP_CHOWN


# ------------------------------------------------------------------------------------------ Landlock


@linux
@pytest.mark.skipif(fs.abi() <= 0, reason="this kernel has no Landlock")
def test_landlock_allows_python_and_scratch_only(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    secret = tmp_path / "learndl.db"
    secret.write_text("history")

    def child():
        assert fs.prepare(str(scratch)) is not None
        applied = fs.restrict()
        import email.mime.text  # noqa: F401  (a stdlib module not yet imported: read from the Python root)
        return {
            "applied": applied,
            "read secret": _attempt(lambda: open(secret).read()),
            "write secret": _attempt(lambda: open(secret, "a").write("x")),
            "read package": _attempt(lambda: open(catalog.get("softmax").checks_path).read()),
            "read solution": _attempt(lambda: open(catalog.get("softmax").solution_path).read()),
            "write scratch": _attempt(lambda: (scratch / "out.txt").write_text("ok")),
            "proc": _attempt(lambda: os.listdir("/proc")),
        }

    got = in_child(child)
    assert got == {"applied": True, "read secret": "errno 13", "write secret": "errno 13", "read package": "errno 13",
                   "read solution": "errno 13", "write scratch": "ok", "proc": "errno 13"}
    assert secret.read_text() == "history"


def test_readable_roots_go_around_learndl_itself():
    roots = fs.readable_roots()
    for protected in fs.protected():
        assert not any(protected == r or protected.startswith(r.rstrip("/") + "/") for r in roots), protected


def test_allowing_around_a_protected_folder(tmp_path):
    (tmp_path / "site" / "torch").mkdir(parents=True)
    (tmp_path / "site" / "learndl_cli" / "_content").mkdir(parents=True)
    (tmp_path / "site" / "numpy.py").write_text("")
    out: list[str] = []
    fs._allow_around(str(tmp_path / "site"), [str(tmp_path / "site" / "learndl_cli")], out)
    assert sorted(out) == [str(tmp_path / "site" / "numpy.py"), str(tmp_path / "site" / "torch")]


# ------------------------------------------------------------------------------------------ seccomp


@linux
@pytest.mark.skipif(not syscalls.available(), reason="no libseccomp here")
def test_seccomp_denies_processes_threads_sockets_and_foreign_signals():
    def child():
        import socket
        import threading

        applied = syscalls.restrict()
        return {
            "applied": applied,
            "fork": _attempt(os.fork),
            "thread": _attempt(lambda: threading.Thread(target=lambda: None).start()),
            "setsid": _attempt(os.setsid),
            "socket": _attempt(socket.socket),
            "exec": _attempt(lambda: os.execv("/bin/true", ["true"])),
            "kill parent": _attempt(lambda: os.kill(os.getppid(), 0)),
            "kill all": _attempt(lambda: os.kill(-1, 0)),
            "kill self": _attempt(lambda: os.kill(os.getpid(), 0)),
            "chmod": _attempt(lambda: os.chmod("/tmp", 0o1777)),
        }

    got = in_child(child)
    assert got["applied"] is True and got["kill self"] == "ok"
    assert got["thread"].startswith("runtime: can't start new thread")
    for name in ("fork", "setsid", "socket", "exec", "kill parent", "kill all", "chmod"):
        assert got[name] == "errno 1", (name, got[name])


def test_status_says_what_is_missing(monkeypatch):
    monkeypatch.setenv(sandbox.OFF_ENV, "off")
    found = sandbox.status()
    assert all(found[m]["active"] is False for m in ("filesystem", "processes", "network", "capabilities"))
    assert "switched off" in found["filesystem"]["by"]


# ------------------------------------------------------------------------------------------ probes


def test_the_child_gets_probes_and_their_helpers_never_checks_or_references():
    source = textwrap.dedent('''
        import torch
        from learndl_cli.grader.api import expect_close

        SIZE = 3

        def _build(mod):
            return mod.Net(SIZE)

        def probe_forward(mod, X):
            return _build(mod)(X)

        def reference(X):
            return torch.softmax(X, -1)

        def test_forward(learner, rng):
            expect_close(learner.run(probe_forward, rng.normal((2, 3))), reference(None), what="x")
    ''')
    text, names = probes.child_source(source)
    assert names == ["probe_forward"]
    assert "def _build" in text and "SIZE = 3" in text
    assert "reference" not in text and "test_forward" not in text
    assert text.splitlines()[source.splitlines().index("def probe_forward(mod, X):")] == "def probe_forward(mod, X):"


def test_every_exercise_s_probes_run_from_their_cut_out_source():
    for exercise in catalog.load_all(problems=[]):
        text, names = probes.child_source(exercise.checks_path.read_text(encoding="utf-8"))
        namespace: dict = {}
        exec(compile(text, "checks.py", "exec"), namespace)
        assert all(callable(namespace.get(n)) for n in names), exercise.name


# ------------------------------------------------------------------------------------------ deadlines


def test_a_reader_that_stops_reading_cannot_hold_the_writer():
    r, w = os.pipe()
    os.set_blocking(w, False)
    start = time.monotonic()
    with pytest.raises(protocol.ChannelTimeout):
        protocol.write_frame(w, b"x" * (4 << 20), time.monotonic() + 0.3)
    assert time.monotonic() - start < 30  # a hang guard: without the deadline this never returns
    os.close(r)
    os.close(w)


# ------------------------------------------------------------------------------------------ op level


@pytest.fixture(scope="module")
def runner():
    from learndl_cli.grader import runner

    runner.prepare(meta=True)
    return runner


OBFUSCATED = {
    "torch.ops.aten": "import torch\ndef softmax(X, dim=-1):\n    return torch.ops.aten._softmax(X, dim, False)\n",
    "attrgetter-at-import": "import operator, torch\nsoftmax = operator.attrgetter('soft' + 'max')(torch)\n",
    "partial-at-import": "import functools, torch\nsoftmax = functools.partial(torch.softmax)\n",
    "eval-of-encoded": "import torch\nsoftmax = eval(bytes.fromhex('746f7263682e736f66746d6178').decode())\n",
    "numpy-round-trip": (
        "import torch\n_f = torch.nn.functional\n"
        "def softmax(X, dim=-1):\n    Y = torch.from_numpy(X.detach().numpy().copy())\n    return getattr(_f, 'softmax')(Y, dim)\n"
    ),
}


@pytest.mark.parametrize("attack", sorted(OBFUSCATED))
def test_obfuscated_shortcuts_are_caught_as_ops(runner, tmp_path, attack):
    softmax = catalog.get("softmax")
    path = tmp_path / "softmax.py"
    path.write_text(OBFUSCATED[attack])
    result = runner.grade(softmax, path, seed=1, static=False)
    assert result.status == "fail", result.checks
    assert "forbidden" in result.first_problem().message


def test_a_worker_thread_cannot_hide_a_shortcut(runner, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text(
        "import threading, torch\n"
        "def softmax(X, dim=-1):\n    out = []\n"
        "    t = threading.Thread(target=lambda: out.append(torch.ops.aten._softmax(X, dim, False)))\n"
        "    t.start()\n    t.join()\n    return out[0]\n"
    )
    result = runner.grade(catalog.get("softmax"), path, seed=1, static=False)
    assert result.status != "pass"
    if syscalls.available():  # no thread at all: seccomp denies it
        assert "can't start new thread" in result.first_problem().message


def test_native_dropout_is_caught_as_an_op(runner, tmp_path):
    dropout = catalog.get("dropout")
    assert "aten::native_dropout" in dropout.forbid_ops
    path = tmp_path / "dropout.py"
    path.write_text(
        "import torch\n_nd = torch.native_dropout\n"
        "def dropout_layer(X, dropout):\n"
        "    return _nd(X, dropout, True)[0] if 0 < dropout < 1 else (X if dropout == 0 else torch.zeros_like(X))\n"
    )
    result = runner.grade(dropout, path, seed=1, static=False)
    assert result.status == "fail" and "aten::native_dropout" in result.first_problem().message
