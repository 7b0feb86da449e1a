"""``learndl optimize`` (fsrs-rs fits the whole history) and ``learndl optimize --simulate``.

Histories are synthetic progress files imported through the CLI; the clock is fixed. One test replays
a history through both FSRS libraries with fsrs-rs's fitted parameters: the scheduler (py-fsrs) and
the optimizer (fsrs-rs) must agree on every memory state.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest


def synthetic_progress(cards: int, seed: int = 7, reviews: int = 7) -> dict:
    """A learner who forgets faster than FSRS's defaults expect: ``reviews`` reviews a card over months."""
    rng = random.Random(seed)
    start = datetime(2025, 9, 1, 9, tzinfo=timezone.utc)
    out = []
    for c in range(cards):
        t = start + timedelta(days=rng.randrange(60), minutes=rng.randrange(600))
        stability, last, history = 0.6, t, []
        for k in range(reviews):
            rating = 3
            if k:
                p = (1 + (t - last).total_seconds() / 86400 / (9 * stability)) ** -1
                recalled = rng.random() < p
                rating = rng.choice([2, 3, 3, 3, 4]) if recalled else 1
                stability *= 2.2 if recalled else 0.5
            ts = t.isoformat(timespec="seconds")
            history.append({"ts": ts, "day": ts[:10], "rating": rating, "duration_ms": rng.randrange(3000, 12000),
                            "prev_state": 0 if k == 0 else 2, "state": 2, "stability": None, "difficulty": None,
                            "due": None, "prev": "{}", "kind": "review"})
            last = t
            t += timedelta(days=max(1, round(stability * rng.uniform(1.5, 4))), minutes=rng.randrange(-60, 60))
        out.append({
            "id": f"synthetic{c:04d}", "note_id": f"n{c:04d}", "ordinal": "", "explicit_id": "", "kind": "basic",
            "deck_id": "synthetic", "chapter": 0, "front": f"question {c}", "back": f"answer {c}", "context": "", "tags": "",
            "source": "", "fingerprint": f"fp{c:04d}", "front_key": f"question {c}", "back_key": f"answer {c}",
            "progress": {"state": 2, "step": None, "stability": stability, "difficulty": 5.0, "due": t.isoformat(timespec="seconds"),
                         "last_review": last.isoformat(timespec="seconds"), "reps": reviews, "lapses": 0, "suspended": 0,
                         "leech": 0, "buried_until": ""},
            "reviews": history,
        })
    return {"format": "learndl-progress", "version": 1, "exported": "2026-03-01T00:00:00+00:00", "cards": out}


def with_history(cli, home, tmp_path, cards: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "settings.toml").exists():
        (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    history = tmp_path / "history.json"
    history.write_text(json.dumps(synthetic_progress(cards)), encoding="utf-8")
    assert cli("import", "--progress", str(history)).exit_code == 0


def figures(stdout: str, which: str) -> tuple[float, float]:
    line = next(line for line in stdout.splitlines() if line.startswith(f"Log loss with {which}"))
    loss = float(line.split(": ")[1].split()[0])
    rmse = float(line.split("RMSE ")[1].split("%")[0])
    return loss, rmse


def test_optimize_says_how_many_reviews_are_missing(cli, deck_dir, tmp_path):
    assert cli("quiz", input="\n3\n" * 5 + "q\n").exit_code == 0
    result = cli("optimize", "--yes")
    assert result.exit_code == 1
    assert "not enough reviews to fit your parameters: 0 of the 64 needed (64 more" in result.stderr
    small = tmp_path / "small.json"
    small.write_text(json.dumps(synthetic_progress(8)), encoding="utf-8")
    assert cli("import", "--progress", str(small)).exit_code == 0
    result = cli("optimize")
    assert result.exit_code == 1 and "of the 64 needed" in result.stderr and "0 of the" not in result.stderr


def test_optimize_fits_the_whole_history_and_saves_only_when_asked(cli, home, tmp_path):
    from learndl_cli.config import load_settings
    from learndl_cli.interop.optimize import default_parameters

    with_history(cli, home, tmp_path, 300)
    # No terminal and no --yes: reports, does not save.
    result = cli("optimize")
    assert result.exit_code == 0, result.output
    # every review but each card's first, less those within 24 hours of the one before (same day)
    counted = int(result.stdout.split("300 cards; ")[1].split()[0])
    assert result.stdout.startswith("2100 reviews of 300 cards;") and 1500 < counted < 1800
    assert "Not saved" in result.stdout and "sample" not in result.stdout
    assert load_settings(home).fsrs_parameters == ()
    before, after = figures(result.stdout, "the default"), figures(result.stdout, "the fitted")
    assert after[0] < before[0] and after[1] < before[1]
    result = cli("optimize", "--yes")
    assert result.exit_code == 0 and "Saved 21 parameters" in result.stdout
    saved = load_settings(home).fsrs_parameters
    assert len(saved) == 21 and saved != tuple(round(x, 4) for x in default_parameters())
    # The saved set is measured next time, and the fit cannot beat itself by much.
    again = cli("optimize")
    assert "Log loss with your saved parameters" in again.stdout
    assert figures(again.stdout, "your saved")[0] == pytest.approx(after[0], abs=2e-4)
    assert cli("status").exit_code == 0  # the scheduler takes them


def test_fitted_parameters_give_the_same_memory_states_in_both_libraries():
    """fsrs-rs fits, py-fsrs schedules: replaying one history, the two agree at every review."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    from learndl_cli.interop import optimize as opt
    from learndl_cli.scheduler import Memory, Scheduler, SchedulerConfig

    data = synthetic_progress(200, seed=3)
    rows = sorted(
        ((c["id"], int(datetime.fromisoformat(r["ts"]).timestamp()), r["rating"]) for c in data["cards"] for r in c["reviews"]),
        key=lambda row: row[1],
    )
    fitted = opt.fit(opt.trainable(opt.histories(rows)))
    assert len(fitted) == 21 and fitted != opt.default_parameters()
    scheduler = Scheduler(SchedulerConfig(parameters=fitted, fuzz=False))
    rust = FSRS(list(fitted))
    # Learning steps within the day, a lapse and relearning, long and short gaps, reviews at odd hours.
    start = datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)
    plan = [(0, 1), (0.001, 3), (0.008, 3), (1.2, 3), (3.1, 1), (3.107, 3), (4.3, 2), (11, 4), (30.5, 3), (58, 1), (59.9, 3), (140, 3)]
    memory, steps, last = Memory.new(), [], None
    for days, rating in plan:
        now = start + timedelta(days=days)
        memory = scheduler.review(memory, rating, now)
        elapsed = 0 if last is None else int((now - last).total_seconds() // 86400)
        steps.append(FSRSReview(rating, elapsed))
        last = now
        state = rust.memory_state(FSRSItem(steps))
        assert memory.stability == pytest.approx(state.stability, rel=1e-3), (days, rating)
        assert memory.difficulty == pytest.approx(state.difficulty, rel=1e-3), (days, rating)


def test_simulate_shows_workload_against_retention_and_sets_the_best_one(cli, home, deck_dir, tmp_path):
    from learndl_cli.config import load_settings

    with_history(cli, home, tmp_path, 300)  # the learner's habits; the deck is the fixture decks' cards
    result = cli("optimize", "--simulate")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "A year of study of your " in out and " cards, 20 new a day, with the default parameters" in out
    assert "your first answers, passed reviews, answer times" in out
    table = [line for line in out.splitlines() if line.strip()[:4] in {f"{r:.2f}" for r in (0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97)}]
    assert len(table) == 16  # eight table rows and eight chart bars
    marked = [line for line in table if "◀" in line]
    assert len(marked) == 2 and marked[0].split()[0] == marked[1].split()[0]
    best = float(marked[0].split()[0])
    reviews = [float(line.split()[1]) for line in table[:8] if "█" not in line]
    assert reviews == sorted(reviews)  # more retention, more reviews a day
    assert "Not saved" in out and load_settings(home).desired_retention == 0.9
    if best != 0.9:
        result = cli("optimize", "--simulate", "--yes")
        assert f"Desired retention set to {best:.2f}" in result.stdout
        assert load_settings(home).desired_retention == best
        assert f"already {best:.2f}" in cli("optimize", "--simulate").stdout


def test_unusable_saved_parameters_get_one_line(cli, home, deck_dir, tmp_path):
    with_history(cli, home, tmp_path, 100)
    settings = home / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"fsrs_parameters = [{', '.join(['nan'] * 21)}]\n", encoding="utf-8")
    for args in (["optimize"], ["optimize", "--simulate"]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "settings.toml: fsrs_parameters: fsrs-rs cannot use them (InvalidParameters)" in result.stderr


def test_simulate_without_cards_says_what_to_do(cli, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text("bundled_decks = false\n", encoding="utf-8")
    result = cli("optimize", "--simulate")
    assert result.exit_code == 1 and "no cards to simulate" in result.stderr


@pytest.mark.parametrize("args", [["optimize", "--yes"], ["optimize", "--simulate", "--yes"]])
def test_optimize_runs_without_torch(args, cli, home, deck_dir, tmp_path):
    """In a clean interpreter, as a user runs it: the fit and the simulation load no torch."""
    from conftest import heavy_modules

    with_history(cli, home, tmp_path, 100)
    out = heavy_modules(args, home, ("torch", "fsrs.optimizer", "tqdm", "pandas", "numpy"))
    assert "HEAVY [] RC 0" in out, out
    assert "Saved 21 parameters" in out or "Desired retention set" in out
