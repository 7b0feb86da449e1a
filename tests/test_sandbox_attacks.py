"""The grade's boundary against a determined learner: one test per attack class of issue 13.

Each test is a real `learndl check` (a separate process, cold, as a learner runs it) on a real file
in the workspace of a data dir with history (a review, a hint, a failed attempt, settings). The
attack files pass the static scan (they reach os, sys, importlib and the rest through ``torch.os``
and friends), so what stops them is the process boundary: the clean zygote, Landlock, seccomp and
the subreaper. Each test asserts that

- no pass is recorded, for any exercise;
- the database, settings, workspace and package are unchanged, apart from the one failed attempt;
- no process is left (the run happens under a child subreaper, so an escaped daemon would be
  re-parented to it and found);
- the verdict arrives within the time limit plus 5 s (a hang guard, not a timing assertion).

Every test runs as root and as an unprivileged user (uid 65534 through ``setpriv``, no
capabilities). Where that user cannot reach the venv's interpreter (a Python under a 0700 /root),
it runs the system's interpreter of the same version with the venv's packages on PYTHONPATH; only
if there is none does it keep one capability, CAP_DAC_READ_SEARCH, which the grade's child drops.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

import pytest

from learndl_cli import catalog, paths
from learndl_cli.grader import sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox attacks are Linux tests")

NOW = "2026-03-02T09:00:00+00:00"
NOBODY = 65534
PACKAGE = Path(paths.__file__).resolve().parent
SITE = Path(sysconfig.get_paths()["purelib"])
SOFTMAX = catalog.get("softmax")

# The run happens under a child subreaper: anything the grade left behind becomes our child.
HARNESS = r"""
import ctypes, json, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
argv, env, stdin = json.loads(sys.argv[1])
start = time.monotonic()
p = subprocess.run(argv, env=env, input=stdin.encode(), capture_output=True, timeout=600)
wall = time.monotonic() - start
me = os.getpid()
left = []
for task in os.listdir(f"/proc/{me}/task"):
    for pid in open(f"/proc/{me}/task/{task}/children").read().split():
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            left.append(int(pid))
for pid in left:
    os.kill(pid, 9)
print(json.dumps({"rc": p.returncode, "out": p.stdout.decode(errors="replace"),
                  "err": p.stderr.decode(errors="replace"), "wall": wall, "left": left}))
"""


# ------------------------------------------------------------------------------------------ users


def _as(user: str) -> tuple[list[str], str, dict]:
    """How to run as ``user``: (command prefix, interpreter, extra environment). Skips when impossible."""
    if user == "root":
        return [], sys.executable, {}
    if os.geteuid() != 0:
        pytest.skip("switching to an unprivileged user needs root (this run is already unprivileged)")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    base = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    # The venv's interpreter; else, where it sits where uid 65534 cannot go (a Python under a 0700
    # /root), the system's interpreter of the same version with the venv's packages on PYTHONPATH;
    # else the venv's, keeping the one capability CAP_DAC_READ_SEARCH to read it.
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    packages = {"PYTHONPATH": os.pathsep.join([sysconfig.get_paths()["purelib"], str(PACKAGE.parent)])}
    tries = [([], sys.executable, {})]
    for folder in ("/usr/bin", "/usr/local/bin"):
        if os.path.exists(f"{folder}/{version}") and os.path.realpath(f"{folder}/{version}") != os.path.realpath(sys.executable):
            tries.append((["--inh-caps=-all", "--bounding-set=-all"], f"{folder}/{version}", packages))
    tries.append((["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"], sys.executable, {}))
    for extra, python, env in tries:
        # The interpreter must start, and start itself again (as the harness and learndl do).
        again = "import subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', 'import learndl_cli, torch']).returncode)"
        probe = subprocess.run(base + extra + ["env", *(f"{k}={v}" for k, v in env.items()), python, "-c", again],
                               capture_output=True)
        if probe.returncode == 0:
            return base + extra, python, env
    pytest.skip(f"uid {NOBODY} cannot run {sys.executable} or a system {version}, even with CAP_DAC_READ_SEARCH")


class Learner:
    """A data dir with history, used as one user, and the runs made in it."""

    def __init__(self, base: Path, user: str):
        self.base = base
        self.home = base / "home"
        self.user = user
        self.prefix, self.python, self.env = _as(user)

    @property
    def workspace(self) -> Path:
        return self.home / "workspace"

    def run(self, *args: str, stdin: str = "", env: dict | None = None) -> dict:
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LEARNDL_HOME": str(self.home),
                    "LEARNDL_NOW": NOW, "HOME": str(self.base), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
                    **self.env, **(env or {})}
        argv = [self.python, "-m", "learndl_cli", *args]
        done = subprocess.run(self.prefix + ["env", *(f"{k}={v}" for k, v in self.env.items()), self.python, "-c", HARNESS,
                               json.dumps([argv, full_env, stdin])],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def own(self, path: Path) -> None:
        if self.user != "root" and os.geteuid() == 0:
            for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
                os.lchown(p, NOBODY, NOBODY)

    def write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        self.own(path.parent)


@pytest.fixture(scope="module", params=["root", "nobody"])
def template(request, tmp_path_factory):
    """A data dir seeded once per user: two exercises set up, a review, a hint, a failed attempt."""
    base = Path(tempfile.mkdtemp(prefix="learndl-attack-", dir="/tmp"))
    os.chmod(base, 0o755)
    learner = Learner(base, request.param)
    learner.home.mkdir()
    (learner.home / "settings.toml").write_text("new_per_day = 20\ndesired_retention = 0.9\n")
    learner.own(base)
    for args, stdin in ((("exercise", "softmax"), ""), (("exercise", "dropout"), ""), (("hint", "softmax"), ""),
                        (("quiz", "--limit", "1"), "\n3\nq\n"), (("check", "softmax"), "")):
        result = learner.run(*args, stdin=stdin)
        assert result["rc"] in (0, 1), result["err"]
    yield learner
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def learner(template):
    """A fresh copy of the seeded data dir for one test."""
    base = Path(tempfile.mkdtemp(prefix="learndl-attack-", dir="/tmp"))
    os.chmod(base, 0o755)
    shutil.copytree(template.home, base / "home", symlinks=True)
    copy = Learner(base, template.user)
    copy.own(base)
    yield copy
    shutil.rmtree(base, ignore_errors=True)


# ------------------------------------------------------------------------------------------ state


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_rows(home: Path) -> dict[str, list]:
    """Every table's rows (read from a copy, so that nothing of the data dir is touched)."""
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("", "-wal", "-shm"):
            src = home / f"learndl.db{suffix}"
            if src.exists():
                shutil.copyfile(src, Path(tmp) / f"learndl.db{suffix}")
        con = sqlite3.connect(Path(tmp) / "learndl.db")
        con.row_factory = sqlite3.Row
        try:
            tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
            return {t: [dict(r) for r in con.execute(f'select * from "{t}"')] for t in tables}
        finally:
            con.close()


def files(root: Path) -> dict[str, str]:
    """Every file under ``root`` (the database aside): content hash, or where a link points."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if rel.startswith("learndl.db"):
            continue
        out[rel] = "link:" + os.readlink(p) if p.is_symlink() else _sha(p) if p.is_file() else "dir"
    return out


MARK = "LEARNDL-ATTACK-MARK"  # every attack that writes, writes this


def package() -> dict[str, str]:
    """What an attack could plant in: site-packages' names and .pth files, the attacked exercises
    and solutions, and whether any file of the installed grader carries an attack's mark. (Not
    every file's hash: in a shared checkout other work may change the package meanwhile.)"""
    out = {"site-packages": ",".join(sorted(os.listdir(SITE)))}
    for pth in SITE.glob("*.pth"):
        out[str(pth)] = _sha(pth)
    for name in ("softmax", "dropout"):
        for p in [*(paths.exercises_dir() / name).glob("*"), paths.solutions_dir() / f"{name}.py"]:
            if p.is_file():
                out[str(p)] = _sha(p)
    out["marked"] = ",".join(str(p) for p in sorted((PACKAGE / "grader").rglob("*.py")) if MARK in p.read_text(errors="replace"))
    return out


class State:
    def __init__(self, learner: Learner):
        self.db = db_rows(learner.home)
        self.files = files(learner.home)
        self.package = package()


def assert_contained(learner: Learner, before: State, run: dict | None, *, attempts: int = 1, limit: float = 10.0):
    """Issue 13's four promises for one run."""
    after = State(learner)
    passes = [a for a in after.db["attempts"] if a["verdict"] == "pass"]
    assert passes == [], f"a pass was recorded: {passes}"
    assert after.db["exercise_schedule"] == before.db["exercise_schedule"]
    new = [a for a in after.db["attempts"] if a not in before.db["attempts"]]
    assert len(new) == attempts and all(a["verdict"] != "pass" for a in new), new
    assert [a for a in before.db["attempts"] if a not in after.db["attempts"]] == [], "an attempt was removed"
    for table, rows in before.db.items():
        if table != "attempts":
            assert after.db[table] == rows, f"table {table} changed"
    assert after.files == before.files, "the data dir (settings, workspace, backups) changed"
    assert after.package == before.package, "the installed package changed"
    if run is not None:
        assert run["left"] == [], f"processes left after the grade: {run['left']}"
        verdicts = [json.loads(line) for line in run["out"].splitlines() if line.startswith("{")]
        assert verdicts, run["err"] or run["out"]
        offered = sandbox.status()
        for verdict in verdicts:
            assert verdict["status"] != "pass"
            assert verdict["isolation"], "no child ran: the attack did not reach the sandbox"
            had = {k: v["active"] for k, v in verdict["isolation"].items() if k in sandbox.MECHANISMS}
            assert had == {k: offered[k]["active"] for k in sandbox.MECHANISMS}, "the child lacked a protection"
            assert verdict["duration_ms"] <= (limit + 5) * 1000, f"verdict after {verdict['duration_ms']} ms"
    return after


def check(learner: Learner, source: str, name: str = "softmax", **kwargs) -> tuple[State, dict]:
    """Save ``source`` as the learner's file, note the state, grade it: (state before, run)."""
    exercise = catalog.get(name)
    learner.write(learner.workspace / name / exercise.file, source)
    before = State(learner)
    return before, learner.run("check", name, "--json", **kwargs)


def paths_of(learner: Learner) -> dict[str, str]:
    """What a worst-case attacker knows: every path, written into its file."""
    return {
        "DB": str(learner.home / "learndl.db"),
        "SETTINGS": str(learner.home / "settings.toml"),
        "CHECKS": str(SOFTMAX.checks_path),
        "SOLUTION": str(SOFTMAX.solution_path),
        "DROPOUT_SOLUTION": str(catalog.get("dropout").solution_path),
        "WS_DROPOUT": str(learner.workspace / "dropout" / "dropout.py"),
        "RUNNER": str(PACKAGE / "grader" / "runner.py"),
        "SITE": str(SITE),
    }


def attack(learner: Learner, body: str) -> str:
    known = "".join(f"{k} = {v!r}\n" for k, v in paths_of(learner).items())
    return "import torch\nos = torch.os\nsys = torch.sys\nimportlib = torch.importlib\n" + known + textwrap.dedent(body)


WRONG = "\ndef softmax(X, dim=-1):\n    return X * 0\n"


# ------------------------------------------------------------------------------------------ classes


def test_hidden_checks_cannot_be_read_from_memory_or_disk(learner):
    source = attack(learner, """
        gc = importlib.import_module("gc")
        found = None
        for module in list(sys.modules.values()):
            if callable(getattr(module, "reference", None)):
                found = module.reference
        for obj in gc.get_objects():
            if callable(obj) and getattr(obj, "__name__", "") == "reference":
                found = obj
        try:
            ns = {}
            torch.builtins.exec(open(CHECKS).read(), ns)
            found = ns["reference"]
        except BaseException as exc:
            print("checks.py:", type(exc).__name__)
        def softmax(X, dim=-1):
            return found(X, dim) if found is not None else X * 0
    """)
    before, run = check(learner, source)
    assert_contained(learner, before, run)


def test_the_shipped_solution_cannot_be_run(learner):
    source = attack(learner, """
        ns = {}
        places = [SOLUTION]
        found = sys.modules.get("learndl_cli.paths")
        if found is not None:
            places.append(str(found.solutions_dir() / "softmax.py"))
        for place in places:
            try:
                torch.builtins.exec(open(place).read(), ns)
            except BaseException as exc:
                print(place, type(exc).__name__)
        _theirs = ns.get("softmax")
        def softmax(X, dim=-1):
            return _theirs(X, dim) if _theirs is not None else X * 0
    """)
    before, run = check(learner, source)
    after = assert_contained(learner, before, run)
    assert after.db["solution_views"] == before.db["solution_views"]


def test_the_database_cannot_be_written_or_found(learner):
    source = attack(learner, """
        sqlite3 = importlib.import_module("sqlite3")
        places = [DB]
        try:
            for pid in os.listdir("/proc"):
                env = open(f"/proc/{pid}/environ", "rb").read()
                for item in env.split(b"\\0"):
                    if item.startswith(b"LEARNDL_HOME="):
                        places.append(item.split(b"=", 1)[1].decode() + "/learndl.db")
        except OSError as exc:
            print("/proc:", exc)
        for place in places:
            try:
                con = sqlite3.connect(place)
                con.execute("insert into attempts (exercise, ts, device, verdict, checks, duration_ms, code_hash,"
                            " hints_used, seed, mode) values ('dropout', '2026-03-02T08:00:00+00:00', 'cpu', 'pass',"
                            " '[]', 1, 'x', 0, 1, 'check')")
                con.execute("delete from hint_views")
                con.execute("delete from reviews")
                con.commit()
            except BaseException as exc:
                print(place, type(exc).__name__, exc)
            for suffix in ("-wal", ""):
                try:
                    os.remove(place + suffix)
                except OSError:
                    pass
    """) + WRONG
    before, run = check(learner, source)
    assert_contained(learner, before, run)


def test_settings_cannot_be_rewritten(learner):
    source = attack(learner, """
        for how in ("w", "a"):
            try:
                with open(SETTINGS, how) as fh:
                    fh.write('workspace = "/tmp/presolved"\\ndesired_retention = 0.7\\n')
            except OSError as exc:
                print(how, exc)
        try:
            open("settings.toml", "w").write("new_per_day = 999\\n")
            os.replace("settings.toml", SETTINGS)
        except OSError as exc:
            print("replace:", exc)
    """) + WRONG
    before, run = check(learner, source)
    assert_contained(learner, before, run)


def test_nothing_can_be_planted_for_the_next_grade(learner):
    source = attack(learner, """
        for plant in (
            lambda: (os.remove(WS_DROPOUT), os.symlink(DROPOUT_SOLUTION, WS_DROPOUT)),
            lambda: open(RUNNER, "a").write("\\n# LEARNDL-ATTACK-MARK\\n"),
            lambda: open(SITE + "/zz_learndl_planted.pth", "w").write("import os  # LEARNDL-ATTACK-MARK\\n"),
            lambda: os.chmod(RUNNER, 0o777),
        ):
            try:
                plant()
            except OSError as exc:
                print(exc)
    """) + WRONG
    before, run = check(learner, source)
    assert_contained(learner, before, run)
    # The next grade, of an untouched starter, is a plain failure.
    before = State(learner)
    run = learner.run("check", "dropout", "--json")
    assert_contained(learner, before, run)


def test_learndl_writes_through_no_planted_symlink(learner):
    """Set-up, reset and backup replace or refuse a link, with one line; its target is untouched."""
    decoy = learner.base / "decoy.py"
    learner.write(decoy, "KEEP = 1\n")
    work = learner.workspace / "softmax" / "softmax.py"
    work.unlink()
    work.symlink_to(decoy)
    missing = learner.base / "created-through-a-link.py"
    (learner.workspace / "dropout" / "dropout.py").unlink()
    (learner.workspace / "dropout" / "dropout.py").symlink_to(missing)
    elsewhere = learner.base / "elsewhere"  # today's automatic backup moves there; a manual one must not
    (learner.home / "backups").mkdir(exist_ok=True)
    shutil.move(learner.home / "backups", elsewhere)
    (learner.home / "backups").symlink_to(elsewhere)
    kept = sorted(os.listdir(elsewhere))
    learner.own(learner.base)
    before = State(learner)

    reset = learner.run("exercise", "softmax", "--reset")
    assert reset["rc"] == 0, reset["err"]
    assert "symbolic link" in reset["out"]
    setup = learner.run("exercise", "dropout")
    assert setup["rc"] == 0, setup["err"]
    backup = learner.run("backup")
    assert backup["rc"] != 0 and "symbolic link" in backup["err"] and "Traceback" not in backup["err"]

    assert decoy.read_text() == "KEEP = 1\n" and not missing.exists() and sorted(os.listdir(elsewhere)) == kept
    assert not work.is_symlink() and work.read_bytes() == SOFTMAX.starter_path.read_bytes()
    assert not (learner.workspace / "dropout" / "dropout.py").is_symlink()
    for run in (reset, setup, backup):
        assert run["left"] == []
    after = State(learner)
    assert after.db == before.db and after.package == before.package


def test_nothing_outlives_the_grade(learner):
    source = attack(learner, """
        signal = importlib.import_module("signal")
        time = importlib.import_module("time")
        def _later():
            time.sleep(2)
            open(DB, "ab").write(b"junk")
        def softmax(X, dim=-1):
            try:
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        _later()
                    os._exit(0)
            except OSError as exc:
                print("fork:", exc)
            try:
                torch.threading.Thread(target=_later, daemon=True).start()
            except BaseException as exc:
                print("thread:", exc)
            for pid in (os.getppid(), 0, -1):
                try:
                    os.kill(pid, signal.SIGCONT)
                except OSError as exc:
                    print("kill", pid, exc)
            return X * 0
    """)
    before, run = check(learner, source)
    assert_contained(learner, before, run)


def test_the_parent_cannot_be_stalled(learner):
    """The child stops the zygote (SIGSTOP), then passes the CPU checks and loops in the meta
    pass: the verdict is a timeout within the limit, and nothing is left."""
    source = attack(learner, """
        signal = importlib.import_module("signal")
        def softmax(X, dim=-1):
            try:
                os.kill(os.getppid(), signal.SIGSTOP)
            except OSError as exc:
                print("stop:", exc)
            if X.device.type == "meta":
                while True:
                    pass
            E = torch.exp(X - X.max(dim=dim, keepdim=True).values)
            return E / E.sum(dim=dim, keepdim=True)
    """)
    before, run = check(learner, source)
    assert_contained(learner, before, run)
    verdict = json.loads(run["out"])
    assert verdict["status"] == "timeout", verdict["checks"]


def test_obfuscated_forbidden_shortcuts_are_caught_as_ops(learner):
    """An alias made at import (no line of the learner's file is on the stack when it runs) of
    ``torch.ops.aten._softmax`` found by a computed name: the ATen op itself is recorded."""
    source = """
        import functools
        import operator
        import torch
        _op = operator.attrgetter("_soft" + "max")(torch.ops.aten)
        softmax = functools.partial(lambda X, dim=-1: _op(X, dim, False))
    """
    before, run = check(learner, source)
    assert_contained(learner, before, run)
    verdict = json.loads(run["out"])
    assert any("aten::_softmax" in c["message"] for c in verdict["checks"]), verdict
