"""``learndl report``: after a few weeks of simulated study (tests/fixtures/simulate.py), every number
in the report is recomputed here from the raw rows, independently of the report's SQL."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tomllib
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import FIXTURES, NOW
from fixtures.simulate import ATTEMPTS, HINTS, REDRILL_DUE, STUDY_DAYS, simulate

TODAY = "2026-03-02"


@pytest.fixture(scope="module")
def studied_home(tmp_path_factory):
    from conftest import Cli

    base = tmp_path_factory.mktemp("studied")
    decks = base / "decks"
    shutil.copytree(FIXTURES / "decks", decks / "basics")
    shutil.copytree(FIXTURES / "report_decks", decks / "linear")
    home = base / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "UTC")
    import time

    time.tzset()
    try:
        simulate(Cli(), home, [decks / "basics", decks / "linear"])
    finally:
        mp.undo()
    return home


@pytest.fixture
def studied(studied_home, home):
    """A fresh copy of the simulated data dir, as this test's home."""
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(studied_home, home)
    return home


def rows(home: Path, sql: str, args=()) -> list[dict]:
    conn = sqlite3.connect(home / "learndl.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def report_json(cli, *args) -> dict:
    result = cli("report", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def shipped_exercises() -> dict[str, int]:
    """name → chapter for every exercise folder with a readable info.toml and its files."""
    root = Path(__file__).resolve().parent.parent / "exercises"
    out = {}
    for info in root.glob("*/info.toml"):
        data = tomllib.loads(info.read_text(encoding="utf-8"))
        if (info.parent / "checks.py").is_file() and (info.parent / data.get("file", "?")).is_file():
            out[data["name"]] = data["chapter"]
    return out


# ---------------------------------------------------------------- the simulation itself


def test_simulation_recorded_real_study(studied):
    reviews = rows(studied, "select * from reviews")
    assert len(reviews) > 40
    assert {r["day"] for r in reviews} == set(STUDY_DAYS)
    assert any(r["rating"] == 1 and r["prev_state"] == 2 for r in reviews)  # real lapses
    assert {r["kind"] for r in reviews} == {"review"}


# ---------------------------------------------------------------- per chapter


def test_card_states_per_chapter(cli, studied):
    data = report_json(cli)
    expected = defaultdict(Counter)
    for c in rows(studied, "select * from cards where active = 1"):
        ch = expected[c["chapter"]]
        ch["cards"] += 1
        ch["lapses"] += c["lapses"]
        if c["state"] == 0:
            ch["new"] += 1
        elif c["state"] in (1, 3):
            ch["learning"] += 1
        else:
            interval = parse(c["due"]) - parse(c["last_review"])
            ch["mature" if interval >= timedelta(days=21) else "young"] += 1
    got = {c["chapter"]: c for c in data["chapters"] if c["cards"]}
    assert set(got) == set(expected) == {2, 3}
    for chapter, want in expected.items():
        for key in ("cards", "new", "learning", "young", "mature", "lapses"):
            assert got[chapter][key] == want[key], (chapter, key)
    assert sum(want["young"] + want["mature"] for want in expected.values()) > 0
    assert sum(want["lapses"] for want in expected.values()) > 0
    assert data["totals"]["cards"] == sum(w["cards"] for w in expected.values())


def test_average_retrievability_per_chapter(cli, studied):
    from learndl_cli.scheduler import Memory, Scheduler, SchedulerConfig

    data = report_json(cli)
    sched = Scheduler(SchedulerConfig(fuzz=False))
    now = parse(NOW)
    per = defaultdict(list)
    for c in rows(studied, "select * from cards where active = 1 and state != 0"):
        per[c["chapter"]].append(sched.retrievability(Memory.from_dict(c), now))
    got = {c["chapter"]: c for c in data["chapters"]}
    for chapter, values in per.items():
        assert got[chapter]["retrievability"] == pytest.approx(sum(values) / len(values), abs=1e-4)
        assert got[chapter]["reviewed"] == len(values)


def test_exercises_per_chapter(cli, studied):
    data = report_json(cli)
    catalog = shipped_exercises()
    got = {c["chapter"]: c["exercises"] for c in data["chapters"]}
    per_total = Counter(catalog.values())
    for chapter, n in per_total.items():
        assert got[chapter]["total"] == n
    # softmax (chapter 3): 5 drill attempts (the exam attempt and the unknown 'ghost' do not count),
    # 2 passes, so 2.5 attempts per pass; 2 hint views; passed.
    drills = [a for a in ATTEMPTS if a[0] == "softmax" and a[4] != "exam"]
    passes = [a for a in drills if a[2] == "pass"]
    ch3 = got[catalog["softmax"]]
    others = [n for n, ch in catalog.items() if ch == catalog["softmax"] and n != "softmax"]
    assert ch3["passed"] == 1 and ch3["total"] == 1 + len(others)
    assert ch3["attempts"] == len(drills) == 5
    assert ch3["attempts_per_pass"] == pytest.approx(len(drills) / len(passes))
    assert ch3["hints"] == len(HINTS)
    fails = {e["name"]: e for e in data["weakest"]["exercises"]}
    assert fails["softmax"]["failures"] == 3 and fails["softmax"]["passed"] is True
    assert "ghost" not in fails


# ---------------------------------------------------------------- retention, forecast, heatmap


def expected_retention(reviews: list[dict], start: str, end: str) -> tuple[int, int]:
    first: dict = {}
    for r in sorted(reviews, key=lambda r: r["ts"]):
        first.setdefault((r["card_id"], r["day"]), r)
    counted = [r for r in first.values() if r["prev_state"] == 2 and start <= r["day"] <= end]
    return len(counted), sum(1 for r in counted if r["rating"] >= 2)


def test_true_retention_counts_first_review_of_the_day(cli, studied):
    data = report_json(cli)
    reviews = rows(studied, "select * from reviews where kind = 'review'")
    today = date.fromisoformat(TODAY)
    windows = {w["window"]: w for w in data["retention"]}
    assert set(windows) == {"7d", "30d", "365d"}
    for n in (7, 30, 365):
        start = (today - timedelta(days=n - 1)).isoformat()
        total, passed = expected_retention(reviews, start, TODAY)
        w = windows[f"{n}d"]
        assert (w["reviews"], w["passed"]) == (total, passed), n
        assert w["retention"] == (pytest.approx(passed / total, abs=1e-4) if total else None)
        assert w["target"] == 0.9
    # Same-day repeats exist, so counting every review would give a different number.
    assert len(reviews) > windows["365d"]["reviews"]


def test_since_adds_a_window_and_limits_activity(cli, studied):
    data = report_json(cli, "--since", "2026-02-01")
    reviews = rows(studied, "select * from reviews where kind = 'review'")
    since = next(w for w in data["retention"] if w["window"] == "since")
    assert (since["reviews"], since["passed"]) == expected_retention(reviews, "2026-02-01", TODAY)
    assert data["totals"]["reviews"] == sum(1 for r in reviews if r["day"] >= "2026-02-01")
    assert data["totals"]["days_studied"] == sum(1 for d in STUDY_DAYS if d >= "2026-02-01")
    ch3 = next(c for c in data["chapters"] if c["chapter"] == 3)["exercises"]
    assert ch3["attempts"] == 2 and ch3["hints"] == 0 and ch3["passed"] == 1  # passed stays a fact


def test_forecast_per_day(cli, studied):
    data = report_json(cli)
    cards = rows(studied, "select * from cards where active = 1 and suspended = 0 and state != 0")
    today = date.fromisoformat(TODAY)

    def study_day(ts: str) -> date:  # TZ=UTC, the day starts at 04:00
        return (parse(ts) - timedelta(hours=4)).date()

    assert [d["day"] for d in data["forecast"]] == [(today + timedelta(days=i)).isoformat() for i in range(14)]
    for i, d in enumerate(data["forecast"]):
        day = today + timedelta(days=i)
        want = sum(1 for c in cards if (study_day(c["due"]) <= day if i == 0 else study_day(c["due"]) == day))
        assert d["cards"] == want, d
        assert d["exercises"] == (["softmax"] if day == study_day(REDRILL_DUE) else [])
    assert sum(d["cards"] for d in data["forecast"]) > 0


def test_heatmap_and_streaks(cli, studied):
    data = report_json(cli)
    reviews = rows(studied, "select day from reviews where kind = 'review'")
    per_day = Counter(r["day"] for r in reviews)
    h = data["heatmap"]
    assert h["end"] == TODAY
    start = date.fromisoformat(h["start"])
    assert start.weekday() == 0 and (date.fromisoformat(TODAY) - start).days < 26 * 7
    assert len(h["days"]) == (date.fromisoformat(TODAY) - start).days + 1
    assert {d["day"]: d["reviews"] for d in h["days"] if d["reviews"]} == dict(per_day)
    assert h["max"] == max(per_day.values())
    # Study days: ... 2026-02-26, 02-27, (gap 02-28), 03-01, 03-02 → current 2;
    # longest: 01-10 .. 01-14 → 5.
    assert h["streak"] == {"current": 2, "longest": 5}


def test_weakest_items(cli, studied):
    from learndl_cli.scheduler import Memory, Scheduler, SchedulerConfig

    data = report_json(cli)
    cards = rows(studied, "select * from cards where active = 1")
    lapsed = sorted((c for c in cards if c["lapses"]), key=lambda c: (-c["lapses"], -c["reps"], c["id"]))
    assert [c["id"] for c in data["weakest"]["lapses"]] == [c["id"] for c in lapsed[:5]]
    sched = Scheduler(SchedulerConfig(fuzz=False))
    now = parse(NOW)
    rated = sorted(
        (sched.retrievability(Memory.from_dict(c), now), c["id"])
        for c in cards
        if c["state"] != 0 and not c["suspended"]
    )
    low = [cid for r, cid in rated if r < 0.9][:5]
    assert [c["id"] for c in data["weakest"]["retrievability"]] == low
    assert data["weakest"]["leeches"] == []


def test_leeches_are_listed(cli, studied):
    conn = sqlite3.connect(studied / "learndl.db")
    with conn:
        conn.execute("update cards set leech = 1, suspended = 1 where id = (select id from cards where lapses > 0 order by id limit 1)")
    conn.close()
    data = report_json(cli)
    assert len(data["weakest"]["leeches"]) == 1
    assert any(s["kind"] == "leeches" for s in data["next_steps"])


def test_chapter_filter(cli, studied):
    data = report_json(cli, "--chapter", "3")
    assert [c["chapter"] for c in data["chapters"]] == [3]
    reviews = rows(studied, "select r.* from reviews r join cards c on c.id = r.card_id where c.chapter = 3")
    assert data["totals"]["reviews"] == len(reviews)
    assert {d["day"]: d["reviews"] for d in data["heatmap"]["days"] if d["reviews"]} == dict(Counter(r["day"] for r in reviews))
    total, passed = expected_retention(reviews, "2025-03-03", TODAY)
    w = next(w for w in data["retention"] if w["window"] == "365d")
    assert (w["reviews"], w["passed"]) == (total, passed)
    assert all(c["chapter"] == 3 for c in data["weakest"]["lapses"])


def test_next_steps_follow_the_data(cli, studied):
    data = report_json(cli)
    kinds = [s["kind"] for s in data["next_steps"]]
    if data["forecast"][0]["cards"]:
        assert kinds[0] == "due"
    assert "exam" in kinds  # no exam taken yet
    ex = [s for s in data["next_steps"] if s["kind"] == "exercise"]
    assert ex and ex[0]["command"].startswith("learndl exercise ")


# ---------------------------------------------------------------- formats and options


def test_terminal_report_shows_every_section(cli, studied):
    result = cli("report")
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("Chapters", "True retention", "Forecast", "Study heatmap", "Streak: 2 days (longest 5)", "Weakest cards", "Next steps"):
        assert heading in out, heading
    assert "■" in out and "Traceback" not in out


def test_markdown_and_html(cli, studied, tmp_path):
    data = report_json(cli)
    md = tmp_path / "r.md"
    assert cli("report", "--format", "markdown", "--out", str(md)).exit_code == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# ") and "| ch |" in text
    w7 = next(w for w in data["retention"] if w["window"] == "365d")
    assert f"{w7['passed']}/{w7['reviews']}" in text
    html = tmp_path / "r.html"
    assert cli("report", "--format", "html", "--out", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    assert "<script src" not in page and "<link" not in page


def test_json_is_versioned(cli, studied):
    data = report_json(cli)
    assert data["version"] == 1
    for key in ("generated", "day", "chapter", "since", "desired_retention", "empty", "totals", "chapters",
                "retention", "forecast", "heatmap", "weakest", "exams", "next_steps"):
        assert key in data
    assert data["empty"] is False


def test_empty_database_says_how_to_start(cli):
    result = cli("report")
    assert result.exit_code == 0
    assert "Nothing to report yet" in result.output and "learndl quiz" in result.output
    data = report_json(cli)
    assert data["empty"] is True and data["next_steps"][0]["command"] == "learndl quiz"
    for fmt in ("markdown", "html"):
        out = cli("report", "--format", fmt)
        assert out.exit_code == 0 and "learndl quiz" in out.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "unknown format 'xml'"),
        (["--since", "yesterday"], "--since: not a date"),
        (["--since", "2026-02-30"], "--since: not a date"),
        (["--since", "2027-01-01"], "is in the future"),
        (["--chapter", "99"], "unknown chapter 99"),
        (["--out", "/nonexistent-dir/x.html"], "does not exist"),
    ],
)
def test_bad_options_are_one_line(cli, deck_dir, args, message):
    cli("status")
    result = cli("report", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_report_does_not_import_torch(studied):
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from learndl_cli.cli import app; "
        "r = CliRunner().invoke(app, ['report', '--format', 'json']); assert r.exit_code == 0, r.output; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**__import__("os").environ, "LEARNDL_HOME": str(studied)})
    assert out.stdout.strip() == "False", out.stderr


def test_cached_days_follow_new_and_removed_reviews(cli, studied):
    """The per-day table follows reviews added by the quiz, taken back, and written by hand."""
    report_json(cli)
    assert rows(studied, "select count(distinct day) as n from report_days")[0]["n"] == len(STUDY_DAYS)
    result = cli("quiz", "--ahead", "30", input="\n1\n\n3\n\n3\nu\nq\n", now="2026-03-02T11:00:00+00:00")
    assert result.exit_code == 0
    conn = sqlite3.connect(studied / "learndl.db")
    with conn:  # a review taken back on a past day, and one added there (as an import would)
        conn.execute("delete from reviews where id = (select min(id) from reviews where day = '2026-02-26')")
        conn.execute(
            "insert into reviews (card_id, ts, day, rating, duration_ms, prev_state, state, kind)"
            " select id, '2026-02-10T12:00:00+00:00', '2026-02-10', 1, 1000, 2, 3, 'review' from cards where state = 2 limit 1"
        )
    conn.close()
    data = report_json(cli)
    reviews = rows(studied, "select * from reviews where kind = 'review'")
    for n in (7, 30, 365):
        start = (date.fromisoformat(TODAY) - timedelta(days=n - 1)).isoformat()
        w = next(w for w in data["retention"] if w["window"] == f"{n}d")
        assert (w["reviews"], w["passed"]) == expected_retention(reviews, start, TODAY)
    per_day = Counter(r["day"] for r in reviews)
    assert {d["day"]: d["reviews"] for d in data["heatmap"]["days"] if d["reviews"]} == dict(per_day)
    assert data["totals"]["reviews"] == len(reviews)


def test_report_days_follow_a_deck_that_changes_chapter(cli, studied):
    before = report_json(cli, "--chapter", "3")
    conn = sqlite3.connect(studied / "learndl.db")
    with conn:  # what a sync does when the deck's front matter says chapter 4 now
        conn.execute("update decks set chapter = 4 where id = 'linear'")
        conn.execute("update cards set chapter = 4 where deck_id = 'linear'")
    conn.close()
    after = report_json(cli, "--chapter", "4")
    assert after["totals"]["reviews"] == before["totals"]["reviews"] > 0
    assert after["retention"] == [{**w} for w in before["retention"]]
    moved = report_json(cli, "--chapter", "2")
    assert moved["totals"]["reviews"] == len(rows(studied, "select r.id from reviews r join cards c on c.id = r.card_id where c.chapter = 2"))


def test_true_retention_per_chapter(cli, studied):
    data = report_json(cli)
    reviews = rows(studied, "select r.*, c.chapter from reviews r join cards c on c.id = r.card_id")
    start = (date.fromisoformat(TODAY) - timedelta(days=29)).isoformat()
    for c in data["chapters"]:
        mine = [r for r in reviews if r["chapter"] == c["chapter"]]
        total, passed = expected_retention(mine, start, TODAY)
        assert c["true_retention_30d"] == {
            "reviews": total, "passed": passed, "retention": pytest.approx(passed / total, abs=1e-4) if total else None,
        }


# ---------------------------------------------------------------- wording and layout


def test_report_out_prints_the_path(cli, studied, tmp_path):
    for fmt in ("html", "markdown", "json", "terminal"):
        target = tmp_path / f"r.{fmt}"
        result = cli("report", "--format", fmt, "--out", str(target))
        assert result.exit_code == 0 and result.output.strip() == f"Wrote {target.resolve()}"
        assert target.stat().st_size > 0


def test_html_never_says_1_days_and_no_reviews_fits(cli, home, deck_dir, tmp_path):
    import re as regex

    cli("quiz", "--limit", "1", input="\n3\n")  # one review on one day: the 7-day retention has no review-state reviews
    page = tmp_path / "r.html"
    cli("report", "--format", "html", "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert not regex.search(r"\b1 (days|reviews)\b", html) and "on 1 day" in html
    # "no reviews" sits inside its bar (x from 110 to 400 of a 460-wide chart), not in the 60px margin.
    xs = [float(x) for x in regex.findall(r'<text x="([\d.]+)"[^>]*>no reviews</text>', html)]
    assert xs and all(x + len("no reviews") * 7 <= 400 for x in xs)
    terminal = cli("report").output
    assert not regex.search(r"\b1 (days|reviews)\b", terminal) and "on 1 day" in terminal


def test_weakest_chapter_is_below_the_target_or_not_called_weakest(cli, studied):
    data = report_json(cli)
    for step in data["next_steps"]:
        m = re.search(r"recall (\d+)%", step["text"])
        if "Weakest" in step["text"]:
            assert m and int(m.group(1)) < round(data["desired_retention"] * 100), step
    data["chapters"][0]["retrievability"] = 0.999
    from learndl_cli.report.data import load_exercises, next_steps

    for c in data["chapters"]:
        c["retrievability"] = 0.999 if c["retrievability"] is not None else None
    steps = next_steps(data, load_exercises(), {})
    texts = " ".join(s["text"] for s in steps)
    assert "Weakest" not in texts and "at or above your 90% target" in texts


def test_terminal_forecast_labels_today_whole_at_80_columns(cli, studied):
    out = cli("report", env={"COLUMNS": "80"}).output
    block = out[out.index("Forecast"):]
    labels = next(line for line in block.splitlines() if line.lstrip().startswith("today"))
    assert "tod " not in labels and len(labels.rstrip()) <= 80


def test_a_chapterless_notes_deck_is_labelled_notes_not_chNone():
    from learndl_cli.report.data import chapter_tag

    assert chapter_tag(None) == "notes"
    assert chapter_tag(0) == "ch0" and chapter_tag(13) == "ch13"
