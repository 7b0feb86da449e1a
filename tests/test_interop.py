"""Round trips through other tools' formats, backup/restore and doctor, all via the CLI.

The .apkg is read back the way Anki reads it: unzip, then SQLite on collection.anki2.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import FIXTURES

SAMPLE_ANKI_EXPORT = FIXTURES / "notes" / "exported-from-anki.txt"


def study(cli, n=6):
    result = cli("quiz", input="\n3\n" * n + "q\n")
    assert result.exit_code == 0, result.output


def card_set(db, deck_id):
    return sorted(
        (r["kind"], r["ordinal"], r["front"], r["back"])
        for r in db().query("select * from cards where deck_id = ? and active = 1", [deck_id])
    )


# ---------------------------------------------------------------- Anki package


def read_apkg(path: Path, tmp_path: Path) -> dict:
    out = tmp_path / "apkg"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(out)
    conn = sqlite3.connect(out / "collection.anki2")
    try:
        models = json.loads(conn.execute("select models from col").fetchone()[0])
        decks = json.loads(conn.execute("select decks from col").fetchone()[0])
        notes = [
            {"guid": g, "model": models[str(mid)]["name"], "fields": flds.split("\x1f"), "tags": tags.split()}
            for g, mid, flds, tags in conn.execute("select guid, mid, flds, tags from notes")
        ]
        cards = conn.execute("select count(*) from cards").fetchone()[0]
        types = {m["name"]: m["type"] for m in models.values()}
    finally:
        conn.close()
    return {"notes": notes, "cards": cards, "types": types, "decks": sorted(d["name"] for d in decks.values())}


def test_anki_package_reads_back_with_cloze_basic_mathjax_and_chapter_tags(cli, deck_dir, tmp_path):
    target = tmp_path / "out" / "d2l.apkg"
    result = cli("export", "--anki", str(target))
    assert result.exit_code == 0, result.output
    assert "4 notes" in result.stdout or "5 notes" in result.stdout
    pkg = read_apkg(target, tmp_path)
    # fixture deck: 1 Q/A, 1 one-liner, 1 Q/A with code (Basic), 1 reversed, 1 cloze with 2 clozes
    assert pkg["cards"] == 7
    assert sorted(n["model"] for n in pkg["notes"]) == ["learndl Basic"] * 3 + ["learndl Basic (and reversed card)", "learndl Cloze"]
    assert pkg["types"]["learndl Cloze"] == 1 and pkg["types"]["learndl Basic"] == 0
    assert "learndl::测试 Basics" in pkg["decks"]
    cloze = next(n for n in pkg["notes"] if n["model"] == "learndl Cloze")
    text = cloze["fields"][0]
    assert "{{c1::\\(\\frac{\\exp(o_j)}{\\sum_k \\exp(o_k)}\\)}}" in text and "{{c2::1}}" in text
    assert "$" not in text
    assert "d2l::ch02" in cloze["tags"] and "learndl::basics" in cloze["tags"] and "softmax" in cloze["tags"]
    code = next(n for n in pkg["notes"] if "backward" in n["fields"][0])
    assert code["fields"][0] == "对非标量 <code>y</code> 调用 <code>y.backward()</code> 需要什么？"
    basic = next(n for n in pkg["notes"] if n["fields"][0].startswith("广播"))
    assert basic["fields"][2] == "张量 Tensors" and basic["fields"][3].startswith("002_123bb0609d913bf9.txt")
    # A second export keeps the GUIDs, so Anki updates its notes instead of duplicating them.
    again = tmp_path / "again.apkg"
    assert cli("export", "--anki", str(again)).exit_code == 0
    assert sorted(n["guid"] for n in read_apkg(again, tmp_path / "2")["notes"]) == sorted(n["guid"] for n in pkg["notes"])


def test_fields_become_anki_html_and_come_back():
    from learndl_cli.interop.fields import from_anki, to_anki

    md = "先求和：\n```python\ny.sum() < 2\n```\n**注意** $a_{ij}$ 和 $$\\frac{1}{n}$$"
    html = to_anki(md, as_html=True)
    assert html == (
        '先求和：<br><pre><code class="language-python">y.sum() &lt; 2</code></pre><br>'
        "<b>注意</b> \\(a_{ij}\\) 和 \\[\\frac{1}{n}\\]"
    )
    assert from_anki(html, is_html=True) == md
    assert to_anki("{{c1::$\\frac{a}{b_{ij}}$}}", as_html=False, cloze=True) == "{{c1::\\(\\frac{a}{b_{ij} }\\)}}"
    assert from_anki("{{c1::\\(\\frac{a}{b_{ij} }\\)}}", is_html=False) == "{{c1::$\\frac{a}{b_{ij}}$}}"


def test_export_refuses_bad_arguments(cli, deck_dir, tmp_path):
    assert cli("export").exit_code == 2
    both = cli("export", "--anki", str(tmp_path / "a.apkg"), "--csv", str(tmp_path / "a.txt"))
    assert both.exit_code == 2 and "exactly one" in both.stderr
    assert "an Anki package ends in .apkg" in cli("export", "--anki", str(tmp_path / "a.zip")).stderr
    for command in ("export", "import"):
        wrong = cli(command, "--csv", str(tmp_path / "a.txt"), "--no-progress")
        assert wrong.exit_code == 2 and "--no-progress goes with --anki" in wrong.stderr
    assert "no deck nope" in cli("export", "--csv", "-", "--deck", "nope").stderr


# ---------------------------------------------------------------- Anki plain text


def test_csv_round_trip_gives_the_same_cards(cli, deck_dir, tmp_path, db):
    out = tmp_path / "notes.txt"
    result = cli("export", "--csv", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("#separator:tab\n#html:false\n")
    assert "#tags column:6" in text and "#notetype column:2" in text
    assert "\\(\\frac{\\exp(o_j)}{\\sum_k \\exp(o_k)}\\)" in text
    result = cli("import", "--csv", str(out), "--deck", "roundtrip")
    assert result.exit_code == 0, result.output
    assert card_set(db, "roundtrip") == card_set(db, "basics")
    # tags survive too (chapter/deck tags are learndl's own and are not copied back)
    row = next(db().query("select tags from cards where deck_id = 'roundtrip' and kind = 'cloze' limit 1"))
    assert "softmax" in row["tags"].split()
    # importing the same file again changes nothing, and keeps progress through an edit in Anki
    study(cli, 12)
    reps = {r["front"]: r["reps"] for r in db().query("select front, reps from cards where deck_id = 'roundtrip'")}
    assert cli("import", "--csv", str(out), "--deck", "roundtrip").exit_code == 0
    edited = text.replace("形状不同的张量先按规则扩展成相同形状，再逐元素运算", "先按广播规则扩展成相同形状")
    out.write_text(edited, encoding="utf-8")
    assert cli("import", "--csv", str(out), "--deck", "roundtrip").exit_code == 0
    after = {r["front"]: r["reps"] for r in db().query("select front, reps from cards where deck_id = 'roundtrip' and active = 1")}
    assert after == reps


def test_anki_package_round_trip_gives_the_same_cards_and_keeps_progress(cli, deck_dir, tmp_path, db):
    pkg = tmp_path / "d2l.apkg"
    assert cli("export", "--anki", str(pkg)).exit_code == 0
    result = cli("import", "--anki", str(pkg), "--deck", "from-anki", "--chapter", "2")
    assert result.exit_code == 0, result.output

    def loose(cards):  # Anki's HTML keeps no blank line before a code block
        return [tuple(f.replace("\n\n```", "\n```") for f in c) for c in cards]

    assert loose(card_set(db, "from-anki")) == loose(card_set(db, "basics"))
    row = next(db().query("select tags, chapter from cards where deck_id = 'from-anki' and kind = 'cloze' limit 1"))
    assert "softmax" in row["tags"].split() and row["chapter"] == 2
    # a newer package of the same notes (same GUIDs): progress stays with the cards
    study(cli, 12)
    reps = {r["front"]: r["reps"] for r in db().query("select front, reps from cards where deck_id = 'from-anki'")}
    assert cli("export", "--anki", str(tmp_path / "again.apkg"), "--deck", "basics").exit_code == 0
    assert cli("import", "--anki", str(tmp_path / "again.apkg"), "--deck", "from-anki").exit_code == 0
    after = {r["front"]: r["reps"] for r in db().query("select front, reps from cards where deck_id = 'from-anki' and active = 1")}
    assert after == reps


def _schema18_package(path: Path, notes: list[tuple], compress: bool = True) -> None:
    """An .apkg as Anki 2.1.50+ writes it: schema 18 tables, zstd-compressed collection.anki21b,
    and the old-format collection.anki2 that only asks to update Anki."""
    import zstandard

    def collection(rows, schema18: bool) -> bytes:
        db_file = path.with_suffix(f".{len(rows)}.{schema18}.db")
        conn = sqlite3.connect(db_file)
        conn.executescript(
            "create table col (id integer primary key, models text, decks text);"
            "create table notes (id integer primary key, guid text, mid integer, tags text, flds text);"
            "create table cards (id integer primary key, nid integer, did integer, ord integer);"
        )
        if schema18:
            conn.executescript(
                "create table notetypes (id integer primary key, name text, config blob);"
                "create table fields (ntid integer, ord integer, name text, primary key (ntid, ord));"
                "create table templates (ntid integer, ord integer, name text, primary key (ntid, ord));"
                "create table decks (id integer primary key, name text);"
                "insert into notetypes values (1, 'Basic', x''), (2, 'Basic (and reversed card)', x''), (3, 'Cloze', x'');"
                "insert into templates values (1, 0, 'Card 1'), (2, 0, 'Card 1'), (2, 1, 'Card 2'), (3, 0, 'Cloze');"
                "insert into decks values (1, 'Default'), (7, 'D2L' || char(31) || '线性回归');"
            )
            conn.execute("insert into col values (1, '{}', '{}')")
        else:
            conn.execute("insert into col values (1, ?, ?)", [json.dumps({"1": {"name": "Basic", "type": 0, "tmpls": [{}]}}), json.dumps({"1": {"name": "Default"}})])
        for i, (mid, guid, tags, fields) in enumerate(rows, 1):
            conn.execute("insert into notes values (?, ?, ?, ?, ?)", [i, guid, mid, tags, "\x1f".join(fields)])
            conn.execute("insert into cards values (?, ?, 7, 0)", [i, i])
        conn.commit()
        conn.close()
        return db_file.read_bytes()

    with zipfile.ZipFile(path, "w") as zf:
        dummy = [(1, "x", "", ["Please update to the latest Anki version, then import the .colpkg/.apkg file again.", ""])]
        zf.writestr("collection.anki2", collection(dummy, False))
        data = collection(notes, True)
        zf.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(data) if compress else data)
        zf.writestr("media", zstandard.ZstdCompressor().compress(b""))


def test_anki_package_from_a_recent_anki(cli, home, db, tmp_path):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    pkg = tmp_path / "线性回归.apkg"
    _schema18_package(pkg, [
        (1, "g1", " d2l ch3 ", ["什么是<b>均方误差</b>？", "\\(\\frac{1}{n}\\sum_i (y_i-\\hat y_i)^2\\)"]),
        (2, "g2", "", ["小批量 minibatch", "一次更新所用的一小组样本"]),
        (3, "g3", "", ["梯度下降沿{{c1::负梯度}}方向更新参数<br><img src=\"gd.png\">", ""]),
        (1, "g4", "", ["", "a note with no front"]),
    ])
    result = cli("import", "--anki", str(pkg), "--chapter", "3")
    assert result.exit_code == 0, result.output
    assert "note 4 (Basic) has an empty first field; skipped" in result.stderr
    assert "1 note(s) show an image" in result.stderr
    cards = {(r["kind"], r["ordinal"]): r for r in db().query("select * from cards where active = 1")}
    assert set(cards) == {("basic", ""), ("reversed", "fwd"), ("reversed", "rev"), ("cloze", "c1")}
    assert cards[("basic", "")]["front"] == "什么是**均方误差**？"
    assert cards[("basic", "")]["back"] == "$\\frac{1}{n}\\sum_i (y_i-\\hat y_i)^2$"
    assert "**负梯度**" in cards[("cloze", "c1")]["back"] and "[图片]" in cards[("cloze", "c1")]["back"]
    assert {r["chapter"] for r in cards.values()} == {3}
    assert "d2l" in cards[("basic", "")]["tags"].split()
    deck_file = next((home / "decks").glob("*.md"))
    assert "# 线性回归" in deck_file.read_text(encoding="utf-8")  # the Anki subdeck is the heading


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("not a zip"), "not an Anki package (not a zip file)"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hi"), "no collection.anki2 inside"),
        (lambda p: _schema18_package(p, [(1, "g", "", ["a", "b"])], compress=False) or _only_dummy(p), "export it again with 'Support older Anki versions' ticked"),
        (lambda p: _broken_zstd(p), "collection.anki21b is damaged"),
    ],
)
def test_bad_anki_packages_get_one_line(cli, home, tmp_path, make, message):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    pkg = tmp_path / "bad.apkg"
    make(pkg)
    result = cli("import", "--anki", str(pkg))
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not (home / "decks").exists() or not list((home / "decks").glob("*.md"))


def _only_dummy(path: Path) -> None:
    """Keep only the 'please update' collection.anki2 of a recent package."""
    with zipfile.ZipFile(path) as zf:
        dummy = zf.read("collection.anki2")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("collection.anki2", dummy)


def _broken_zstd(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd" + b"garbage" * 10)


def test_csv_import_of_an_anki_export_with_html_and_commas(cli, home, db, tmp_path):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    result = cli("import", "--csv", str(SAMPLE_ANKI_EXPORT))
    assert result.exit_code == 0, result.output
    cards = {r["front"]: r for r in db().query("select * from cards where deck_id = 'anki-exported-from-anki'")}
    assert cards["<b>暂退法</b> 的作用".replace("<b>", "**").replace("</b>", "**")]["back"] == "训练时随机置零隐藏单元\n防止过拟合"
    cloze = [r for r in cards.values() if r["kind"] == "cloze"]
    assert len(cloze) == 3 and any("$\\frac{1}{1-p}$" in r["back"] for r in cloze)
    assert cards["sigmoid"]["back"] == "$\\sigma(x) = \\frac{1}{1+e^{-x}}$"
    assert "empty.txt" not in result.stderr
    assert f"{SAMPLE_ANKI_EXPORT}:7: a card without a back; skipped" in result.stderr


# ---------------------------------------------------------------- progress as JSON


def test_progress_round_trip_and_idempotent_import(cli, deck_dir, tmp_path, db, home):
    from learndl_cli.store.interop import snapshot

    study(cli, 5)
    cli("quiz", input="\n1\n\n3\nq\n", now="2026-03-03T09:00:00+00:00")
    out = tmp_path / "progress.json"
    result = cli("export", "--progress", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "learndl-progress" and data["version"] == 1
    assert all(c["reviews"] and c["fingerprint"] for c in data["cards"])
    before = snapshot(db())
    again = cli("import", "--progress", str(out))
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert snapshot(db()) == before
    # Into a fresh data dir with the same decks: the same history and schedule.
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "settings.toml").write_text((home / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {"LEARNDL_HOME": str(other)}
    assert cli("status", env=env).exit_code == 0
    moved = cli("import", "--progress", str(out), env=env)
    assert moved.exit_code == 0 and "reviews added" in moved.stdout
    from learndl_cli.store.db import open_db

    d = open_db(other)
    try:
        mine = {(r["front"], r["ordinal"]): r for r in db().query("select * from cards where reps > 0")}
        theirs = {(r["front"], r["ordinal"]): r for r in d.query("select * from cards where reps > 0")}
        assert set(mine) == set(theirs)
        for key, row in mine.items():
            for field in ("state", "stability", "difficulty", "due", "last_review", "reps", "lapses"):
                assert theirs[key][field] == row[field], (key, field)
        assert d.execute("select count(*) from reviews").fetchone()[0] == db().execute("select count(*) from reviews").fetchone()[0]
        snap = snapshot(d)
    finally:
        d.conn.close()
    assert "nothing changed" in cli("import", "--progress", str(out), env=env).stdout
    d = open_db(other)
    assert snapshot(d) == snap
    d.conn.close()


def _drill(d, exercise: str, day: int) -> None:
    """Two failing grades, a hint, a solution view and a pass, as the drill loop records them."""
    from learndl_cli.scheduler import SchedulerConfig
    from learndl_cli.store import exercises as ex

    t = datetime(2026, 2, day, 10, tzinfo=timezone.utc)
    for k, status in enumerate(["fail", "fail", "pass"]):
        if k == 2:
            ex.record_hint(d, exercise, t + timedelta(minutes=3), 1)
            ex.record_solution_view(d, exercise, t + timedelta(minutes=4), False)
        result = {"device": "cpu", "status": status, "checks": [{"id": "rows_sum_to_one", "status": status}], "duration_ms": 90, "seed": k}
        ex.record_grade(d, exercise=exercise, result=result, code_hash=f"h{k}", now=t + timedelta(minutes=5 * k), config=SchedulerConfig())


def test_progress_carries_exercise_attempts_and_redrill_schedules(cli, deck_dir, tmp_path, db, home):
    from learndl_cli.store.interop import exercise_progress

    study(cli, 2)
    d = db()
    _drill(d, "softmax", 1)
    _drill(d, "dropout", 2)
    out = tmp_path / "progress.json"
    result = cli("export", "--progress", str(out))
    assert result.exit_code == 0 and "6 exercise attempts" in result.stdout, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["verdict"] for a in data["exercises"]["attempts"]] == ["fail", "fail", "pass"] * 2
    assert {s["exercise"] for s in data["exercises"]["schedule"]} == {"softmax", "dropout"}
    mine = exercise_progress(d)
    # Into a fresh data dir: the same attempts, views and schedules; a second import adds nothing.
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "settings.toml").write_text((home / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {"LEARNDL_HOME": str(other)}
    moved = cli("import", "--progress", str(out), env=env)
    assert moved.exit_code == 0, moved.output
    assert "6 exercise attempts and 4 hint or solution views added, 2 exercises' re-drill schedule updated" in moved.stdout
    from learndl_cli.store.db import open_db

    o = open_db(other)
    try:
        assert exercise_progress(o) == mine
    finally:
        o.conn.close()
    assert "nothing changed" in cli("import", "--progress", str(out), env=env).stdout
    status = cli("status", "--json", env=env)
    assert status.exit_code == 0
    # An older schedule does not replace a newer one here; a newer one does.
    data["exercises"]["schedule"][0]["last_review"] = "2025-01-01T00:00:00+00:00"
    out.write_text(json.dumps(data), encoding="utf-8")
    assert "nothing changed" in cli("import", "--progress", str(out), env=env).stdout
    data["exercises"]["schedule"][0]["last_review"] = "2026-02-20T00:00:00+00:00"
    out.write_text(json.dumps(data), encoding="utf-8")
    assert "1 exercises' re-drill schedule updated" in cli("import", "--progress", str(out), env=env).stdout


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda e: e["attempts"][0].update(verdict="maybe"), "exercises.attempts[1]: 'verdict' must be one of pass, fail, error, timeout"),
        (lambda e: e["hint_views"][0].update(ts="yesterday"), "exercises.hint_views[1]: 'ts' must be an ISO-8601 time"),
        (lambda e: e["schedule"][0].pop("exercise"), "exercises.schedule[1]: needs an 'exercise' name"),
        (lambda e: e.update(attempts={}), "exercises.attempts must be a list"),
    ],
)
def test_bad_exercise_progress_is_refused_and_nothing_is_written(cli, deck_dir, tmp_path, db, change, message):
    from learndl_cli.store.interop import snapshot

    study(cli, 2)
    _drill(db(), "softmax", 1)
    out = tmp_path / "progress.json"
    assert cli("export", "--progress", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    for table in ("attempts", "hint_views", "solution_views"):
        for row in data["exercises"][table]:
            row["ts"] = row["ts"].replace("2026-02-01", "2026-01-05")  # all new to the database
    change(data["exercises"])
    out.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot(db())
    result = cli("import", "--progress", str(out))
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert snapshot(db()) == before


def test_progress_for_cards_not_here_is_kept_and_comes_back_with_its_deck(cli, deck_dir, tmp_path, db, home):
    study(cli, 5)
    out = tmp_path / "progress.json"
    assert cli("export", "--progress", str(out)).exit_code == 0
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    env = {"LEARNDL_HOME": str(other)}
    result = cli("import", "--progress", str(out), env=env)
    assert result.exit_code == 0 and "not in your decks" in result.stdout
    assert cli("decks", "add", str(deck_dir), env=env).exit_code == 0
    from learndl_cli.store.db import open_db

    d = open_db(other)
    try:
        studied = {r["front"]: r["reps"] for r in d.query("select * from cards where active = 1 and reps > 0")}
    finally:
        d.conn.close()
    assert studied == {r["front"]: r["reps"] for r in db().query("select * from cards where reps > 0")}


def test_bad_progress_files_are_refused(cli, deck_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops", encoding="utf-8")
    result = cli("import", "--progress", str(bad))
    assert result.exit_code == 2 and result.stderr.startswith(f"learndl: {bad}:2: not JSON")
    bad.write_text('{"format": "other"}', encoding="utf-8")
    assert "not a learndl progress file" in cli("import", "--progress", str(bad)).stderr


# ---------------------------------------------------------------- backup, restore, doctor


def test_backup_and_restore(cli, deck_dir, tmp_path, db, home):
    study(cli, 3)
    target = tmp_path / "safe.db"
    result = cli("backup", str(target))
    assert result.exit_code == 0 and f"Backed up to {target}" in result.stdout
    assert cli("backup", str(target)).exit_code == 2  # no silent overwrite
    reviews = db().execute("select count(*) from reviews").fetchone()[0]
    assert reviews == 3
    study(cli, 4)  # more reviews after the backup
    assert db().execute("select count(*) from reviews").fetchone()[0] > reviews
    # A file that is not a learndl database is refused; nothing changes.
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 10)
    refused = cli("restore", str(junk))
    assert refused.exit_code == 2 and "not a SQLite database" in refused.stderr
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("create table x (a)").connection.commit()
    assert "not a learndl one" in cli("restore", str(plain)).stderr
    restored = cli("restore", str(target))
    assert restored.exit_code == 0, restored.output
    assert "kept as" in restored.stdout
    assert db().execute("select count(*) from reviews").fetchone()[0] == reviews
    kept = [p for p in (home / "backups").glob("before-restore-*.db")]
    assert len(kept) == 1
    conn = sqlite3.connect(kept[0])
    assert conn.execute("select count(*) from reviews").fetchone()[0] > reviews
    conn.close()


def test_doctor_finds_each_problem_and_says_how_to_fix_it(cli, deck_dir, tmp_path, db, home):
    study(cli, 3)
    assert cli("backup").exit_code == 0
    ok = cli("doctor")
    assert ok.exit_code == 0, ok.output
    assert "No problems found" in ok.stdout
    # an orphaned review, a registered path that is gone, an old backup
    d = db()
    d.execute("insert into reviews (card_id, ts, day, rating, kind) values ('gone', '2026-03-01T00:00:00+00:00', '2026-03-01', 3, 'review')")
    assert "report table: agrees with the reviews" in cli("doctor").stdout
    d.execute("update report_days set reviews = reviews + 5 where rowid = (select min(rowid) from report_days)")  # drift
    d.conn.commit()
    gone = tmp_path / "gone.md"
    settings = home / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("deck_paths = [", f'deck_paths = ["{gone.as_posix()}", '), encoding="utf-8")
    old = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    for p in (home / "backups").iterdir():
        os.utime(p, (old, old))
    result = cli("doctor")
    assert result.exit_code == 1
    out = result.stdout
    assert "✗ orphaned reviews: 1 review(s) point to no card" in out and "learndl doctor --fix" in out
    assert f"✗ deck paths: {gone.as_posix()}: registered but gone" in out and f"learndl decks remove {gone.as_posix()}" in out
    assert "✗ backup: newest backup is 60 days old" in out and "fix: learndl backup" in out
    assert "✗ report table: 1 day row(s) disagree with the reviews" in out
    assert "4 problem(s)" in out
    fixed = cli("doctor", "--fix")
    assert "Deleted 1 review(s)" in fixed.stdout and "orphaned reviews: none" in fixed.stdout
    assert "had 1 row(s) that disagree" in fixed.stdout and "report table: filled by the next report" in fixed.stdout
    assert cli("report", "--format", "json").exit_code == 0
    assert "report table: agrees with the reviews" in cli("doctor").stdout


def test_doctor_reports_a_damaged_database_with_the_backup_to_restore(cli, deck_dir, home):
    study(cli, 3)
    assert cli("backup").exit_code == 0
    dbfile = home / "learndl.db"
    data = bytearray(dbfile.read_bytes())
    for i in range(4096, min(len(data), 4096 * 4)):
        data[i] = 0xA5
    dbfile.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(dbfile) + side).unlink(missing_ok=True)
    result = cli("doctor")
    assert result.exit_code == 1
    assert "✗ integrity" in result.stdout and "learndl restore" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["export", "--csv", "-"], ["doctor"], ["backup"], ["notes", "import", str(FIXTURES / "notes" / "structure.md"), "--dry-run"]],
)
def test_no_command_here_imports_torch_and_only_apkg_export_imports_genanki(args, home, deck_dir):
    from conftest import heavy_modules

    out = heavy_modules(args, home, ("torch", "genanki", "fsrs.optimizer", "tqdm"))
    assert "HEAVY [] RC" in out, out


def test_doctor_names_a_schema_mismatch(cli, deck_dir, home):
    assert cli("status").exit_code == 0
    conn = sqlite3.connect(home / "learndl.db")
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('learndl', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    result = cli("doctor")
    assert result.exit_code == 1
    assert "✗ schema:" in result.stdout and "newer than this learndl" in result.stdout and "fix: upgrade learndl" in result.stdout


def test_progress_with_a_bad_review_is_refused_and_nothing_is_written(cli, deck_dir, tmp_path, db):
    from learndl_cli.store.interop import snapshot

    study(cli, 3)
    out = tmp_path / "p.json"
    assert cli("export", "--progress", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["cards"][0]["reviews"].append({"ts": "2026-03-05T00:00:00+00:00", "rating": 3})
    data["cards"][-1]["reviews"].append({"ts": 5, "rating": "good"})
    out.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot(db())
    result = cli("import", "--progress", str(out))
    assert result.exit_code == 2 and "each review needs a time 'ts' and a 'rating' from 1 to 4" in result.stderr
    assert snapshot(db()) == before
