"""The report as plain data: the JSON document (``"version": 1``, see docs/report.md).

``gather`` asks ``store/reports.py`` for aggregates (SQL does the counting over reviews) and
computes the rest here from those rows and ``now``: retrievability (FSRS), the forecast's days, the
heatmap's weeks, streaks, the weakest items and the next steps. No rendering here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..scheduler import Memory, Scheduler, SchedulerConfig, iso, study_day
from ..stats import streaks
from ..store import cards as store_cards
from ..store import due as store_due
from ..store import reports as store

VERSION = 1
FORECAST_DAYS = 14
HEATMAP_WEEKS = 26
RETENTION_WINDOWS = (7, 30, 365)
WEAKEST = 5
LOW_COVERAGE = 0.5  # a chapter with fewer than half its cards seen has "little coverage"

# D2L's chapter names, for chapters whose cards come from several decks.
CHAPTER_NAMES = {
    0: "环境配置 Set-up",
    1: "引言 Introduction",
    2: "预备知识 Preliminaries",
    3: "线性神经网络 Linear neural networks",
    4: "多层感知机 Multilayer perceptrons",
    5: "深度学习计算 Deep learning computation",
    6: "卷积神经网络 CNNs",
    7: "现代卷积神经网络 Modern CNNs",
    8: "循环神经网络 RNNs",
    9: "现代循环神经网络 Modern RNNs",
    10: "注意力机制 Attention",
    11: "优化算法 Optimization",
    12: "计算性能 Computational performance",
    13: "计算机视觉 Computer vision",
    14: "自然语言处理：预训练 NLP pretraining",
    15: "自然语言处理：应用 NLP applications",
}


@dataclass(frozen=True)
class Options:
    chapter: int | None = None
    since: date | None = None


def _day_shift(now: datetime, day_starts_hour: int) -> str:
    """An SQLite modifier that maps a UTC time onto the study-day calendar (local time minus the
    hour the study day starts), for grouping ``due`` times by study day in SQL."""
    offset = now.astimezone().utcoffset() or timedelta(0)
    seconds = int(offset.total_seconds()) - day_starts_hour * 3600
    return f"{seconds:+d} seconds"


def _since_cutoff(since: date, day_starts_hour: int) -> str:
    """The UTC time the study day ``since`` began (for tables with ``ts`` but no ``day``)."""
    local = datetime(since.year, since.month, since.day, day_starts_hour).astimezone()
    return iso(local)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def t_seen(chapters: list[dict]) -> int:
    """Cards reviewed at least once (not new), over the chapters shown."""
    return sum(c["cards"] - c["new"] for c in chapters)


def chapter_titles(db) -> dict[int, str]:
    by_chapter: dict[int, list[str]] = {}
    for chapter, title in store_cards.deck_titles_by_chapter(db):
        by_chapter.setdefault(chapter, []).append(title)
    out = {}
    for chapter, titles in by_chapter.items():
        out[chapter] = titles[0] if len(titles) == 1 else CHAPTER_NAMES.get(chapter, " · ".join(titles))
    return out


def load_exercises() -> list:
    """The exercise catalogue; an exercise whose folder cannot be read is left out (``learndl
    exercise`` reports it), so the report still works."""
    from ..catalog import load_exercise
    from ..errors import UserError
    from ..paths import exercises_dir

    root = exercises_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and (folder / "info.toml").is_file():
            try:
                found.append(load_exercise(folder))
            except (UserError, OSError):
                continue
    return sorted(found, key=lambda e: (e.chapter, e.order, e.name))


def card_label(front: str, limit: int = 60) -> str:
    """One line of a card's front, maths as Unicode, for tables."""
    from ..render import plain_text

    text = " ".join(plain_text(front or "").replace("`", "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gather(db, settings, now: datetime, options: Options | None = None, exercises: list | None = None) -> dict:
    options = options or Options()
    chapter = options.chapter
    hour = settings.day_starts_hour
    today_s = study_day(now, hour)
    today = date.fromisoformat(today_s)
    since_s = options.since.isoformat() if options.since else None
    since_ts = _since_cutoff(options.since, hour) if options.since else None
    shift = _day_shift(now, hour)
    if exercises is None:
        exercises = load_exercises()
    if chapter is not None:
        exercises = [e for e in exercises if e.chapter == chapter]
    ex_chapter = {e.name: e.chapter for e in exercises}
    titles = chapter_titles(db)

    # ---- cards per chapter
    scheduler = Scheduler(SchedulerConfig.from_settings(settings))
    chapters: dict = {}

    def chapter_entry(ch):
        if ch not in chapters:
            chapters[ch] = {
                "chapter": ch,
                "title": titles.get(ch) or CHAPTER_NAMES.get(ch, "") if ch is not None else "我的笔记 Your notes",
                "cards": 0, "new": 0, "learning": 0, "young": 0, "mature": 0,
                "suspended": 0, "leeches": 0, "lapses": 0,
                "retrievability": None, "reviewed": 0,
                "true_retention_30d": {"reviews": 0, "passed": 0, "retention": None},
                "exercises": {"total": 0, "passed": 0, "attempts": 0, "passes": 0, "attempts_per_pass": None, "hints": 0},
            }
        return chapters[ch]

    for row in store.card_counts(db, chapter):
        entry = chapter_entry(row["chapter"])
        for key in ("cards", "new", "learning", "young", "mature", "suspended", "leeches", "lapses"):
            entry[key] = int(row[key] or 0)

    r_sum: dict = {}
    r_cards = []
    for row in store.reviewed_cards(db, chapter):
        r = scheduler.retrievability(Memory.from_dict(row), now)
        if r is None:
            continue
        total, n = r_sum.get(row["chapter"], (0.0, 0))
        r_sum[row["chapter"]] = (total + r, n + 1)
        if not row["suspended"]:
            r_cards.append((r, row))
    for ch, (total, n) in r_sum.items():
        entry = chapter_entry(ch)
        entry["retrievability"] = round(total / n, 4)
        entry["reviewed"] = n

    # ---- exercises per chapter
    stats = {row["exercise"]: row for row in store.attempt_stats(db, since_ts)}
    passed = store.passed_exercises(db)
    hints = store.hints_by_exercise(db, since_ts)
    exercise_rows = []
    for ex in exercises:
        entry = chapter_entry(ex.chapter)["exercises"]
        s = stats.get(ex.name)
        entry["total"] += 1
        entry["passed"] += ex.name in passed
        entry["attempts"] += int(s["attempts"]) if s else 0
        entry["passes"] += int(s["passes"] or 0) if s else 0
        entry["hints"] += hints.get(ex.name, 0)
        exercise_rows.append(
            {
                "name": ex.name,
                "title": ex.title,
                "chapter": ex.chapter,
                "passed": ex.name in passed,
                "attempts": int(s["attempts"]) if s else 0,
                "failures": int(s["failures"] or 0) if s else 0,
                "hints": hints.get(ex.name, 0),
                "last_attempt": s["last_ts"] if s else None,
            }
        )
    for entry in chapters.values():
        ex = entry["exercises"]
        ex["attempts_per_pass"] = round(ex["attempts"] / ex["passes"], 2) if ex["passes"] else None

    chapter_list = [chapters[k] for k in sorted(chapters, key=lambda c: (c is None, c if c is not None else 0))]

    # ---- totals
    keys = ("cards", "new", "learning", "young", "mature", "suspended", "leeches", "lapses")
    totals = {k: sum(c[k] for c in chapter_list) for k in keys}
    all_days = store.day_stats(db)
    stats_days = [r for r in all_days if chapter is None or r["chapter"] == chapter]
    # True retention over the last 30 days, per chapter.
    start30 = (today - timedelta(days=29)).isoformat()
    for c in chapter_list:
        window = [r for r in all_days if r["chapter"] == c["chapter"] and start30 <= r["day"] <= today_s]
        n, k = sum(r["first_reviews"] or 0 for r in window), sum(r["first_passed"] or 0 for r in window)
        c["true_retention_30d"] = {"reviews": n, "passed": k, "retention": _ratio(k, n)}
    per_day_all: dict[str, dict] = {}
    for r in stats_days:
        d = per_day_all.setdefault(r["day"], {"day": r["day"], "n": 0, "ms": 0, "first": 0, "passed": 0})
        d["n"] += r["reviews"] or 0
        d["ms"] += r["ms"] or 0
        d["first"] += r["first_reviews"] or 0
        d["passed"] += r["first_passed"] or 0
    daily = [per_day_all[k] for k in sorted(per_day_all) if per_day_all[k]["n"]]
    active_days = [d for d in daily if since_s is None or d["day"] >= since_s]
    totals.update(
        reviews=sum(d["n"] for d in active_days),
        cards_reviewed=t_seen(chapter_list),
        days_studied=len(active_days),
        seconds=round(sum(d["ms"] for d in active_days) / 1000),
        exercises=sum(c["exercises"]["total"] for c in chapter_list),
        exercises_passed=sum(c["exercises"]["passed"] for c in chapter_list),
        attempts=sum(c["exercises"]["attempts"] for c in chapter_list),
        hints=sum(c["exercises"]["hints"] for c in chapter_list),
    )
    all_r = sum(v[0] for v in r_sum.values())
    all_n = sum(v[1] for v in r_sum.values())
    totals["retrievability"] = round(all_r / all_n, 4) if all_n else None

    # ---- true retention
    starts = {f"d{n}": (today - timedelta(days=n - 1)).isoformat() for n in RETENTION_WINDOWS}
    if since_s:
        starts["since"] = since_s
    retention = []
    for key, start in starts.items():
        window = [d for d in daily if start <= d["day"] <= today_s]
        c = {"reviews": sum(d["first"] for d in window), "passed": sum(d["passed"] for d in window)}
        retention.append(
            {
                "window": "since" if key == "since" else f"{key[1:]}d",
                "start": start,
                "end": today_s,
                "reviews": c["reviews"],
                "passed": c["passed"],
                "retention": _ratio(c["passed"], c["reviews"]),
                "target": settings.desired_retention,
            }
        )

    # ---- forecast
    last = today + timedelta(days=FORECAST_DAYS - 1)
    due = store.due_cards_by_day(db, shift, last.isoformat(), chapter)
    redrills = [r for r in store.redrills_by_day(db, shift, last.isoformat()) if chapter is None or ex_chapter.get(r["exercise"]) == chapter]
    # Day 0 is "due today" as every command counts it (store/due.py): learning and review cards due by
    # the end of the study day (overdue ones too), within the day's review limit; ``new`` beside it.
    due_now = store_due.due(db, settings, now, store_cards.queue_filters(None, [chapter] if chapter is not None else None, None))
    forecast = []
    for i in range(FORECAST_DAYS):
        day = (today + timedelta(days=i)).isoformat()
        if i == 0:
            cards_n = due_now.today.learning + due_now.today.review
            names = [r["exercise"] for r in redrills if r["day"] <= day]
        else:
            cards_n = due.get(day, 0)
            names = [r["exercise"] for r in redrills if r["day"] == day]
        entry = {"day": day, "cards": cards_n, "redrills": len(names), "exercises": names}
        if i == 0:
            entry["new"] = due_now.today.new
        forecast.append(entry)

    # ---- heatmap and streaks
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(weeks=HEATMAP_WEEKS - 1)
    per_day = {d["day"]: d["n"] for d in daily if start.isoformat() <= d["day"] <= today_s}
    days = []
    d = start
    while d <= today:
        days.append({"day": d.isoformat(), "reviews": per_day.get(d.isoformat(), 0)})
        d += timedelta(days=1)
    current, longest = streaks([d["day"] for d in daily if d["day"] <= today_s], today_s)
    heatmap = {
        "start": start.isoformat(),
        "end": today_s,
        "weeks": HEATMAP_WEEKS,
        "max": max((x["reviews"] for x in days), default=0),
        "study_days": sum(1 for x in days if x["reviews"]),
        "days": days,
        "streak": {"current": current, "longest": longest},
    }

    # ---- weakest items
    def card_item(row, **extra):
        return {
            "id": row["id"],
            "chapter": row["chapter"],
            "deck": row["deck_id"],
            "front": card_label(row["front"]),
            "lapses": int(row["lapses"] or 0),
            **extra,
        }

    r_cards.sort(key=lambda t: (t[0], t[1]["id"]))
    weakest = {
        "lapses": [card_item(row, reps=int(row["reps"] or 0), leech=bool(row["leech"])) for row in store.top_lapses(db, chapter, WEAKEST)],
        "retrievability": [
            card_item(row, retrievability=round(r, 4)) for r, row in r_cards if r < settings.desired_retention
        ][:WEAKEST],
        "exercises": [
            {k: e[k] for k in ("name", "title", "chapter", "failures", "attempts", "passed")}
            for e in sorted(exercise_rows, key=lambda e: (-e["failures"], e["name"]))
            if e["failures"] > 0
        ][:WEAKEST],
        "leeches": [card_item(row, where=f"{row['path']}:{row['line']}", suspended=bool(row["suspended"])) for row in store.leeches(db, chapter)],
    }

    # ---- exams
    exam_list = exam_history(db, chapter)

    data = {
        "version": VERSION,
        "generated": iso(now),
        "day": today_s,
        "chapter": chapter,
        "since": since_s,
        "desired_retention": settings.desired_retention,
        "empty": not store.has_activity(db),
        "totals": totals,
        "chapters": chapter_list,
        "retention": retention,
        "due_now": due_now.now.to_dict(),
        "due_today": due_now.today.to_dict(),
        "forecast": forecast,
        "heatmap": heatmap,
        "weakest": weakest,
        "exams": exam_list,
    }
    data["next_steps"] = next_steps(data, exercises, passed)
    return data


def exam_history(db, chapter: int | None = None, limit: int = 10) -> list[dict]:
    """The latest exams, newest first, each with its score per chapter and the change since the
    previous exam that covered that chapter."""
    rows = store.exams(db, limit=limit, chapter=chapter)
    if not rows:
        return []
    # Scores of every exam up to the newest shown, to find each chapter's previous score.
    older = store.exams(db, limit=1000, chapter=None, before_id=rows[0]["id"] + 1)
    scores = store.exam_chapter_scores(db, [r["id"] for r in older])
    out = []
    for row in rows:
        per = []
        for ch, s in sorted(scores.get(row["id"], {}).items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if chapter is not None and ch != chapter:
                continue
            prev = previous_score(scores, row["id"], ch)
            score = round(s["correct"] / s["items"], 4) if s["items"] else None
            per.append(
                {
                    "chapter": ch,
                    "items": s["items"],
                    "correct": s["correct"],
                    "score": score,
                    "previous": prev,
                    "delta": round(score - prev, 4) if score is not None and prev is not None else None,
                }
            )
        out.append(
            {
                "id": row["id"],
                "started": row["started"],
                "finished": row["finished"],
                "minutes": row["minutes"],
                "seconds": row["seconds"],
                "timed_out": bool(row["timed_out"]),
                "count_reviews": bool(row["count_reviews"]),
                "items": row["items"],
                "correct": row["correct"],
                "score": row["score"],
                "chapters": per,
            }
        )
    return out


def previous_score(scores: dict[int, dict], exam_id: int, chapter) -> float | None:
    """The score on ``chapter`` in the latest exam before ``exam_id`` that covered it."""
    for other in sorted((i for i in scores if i < exam_id), reverse=True):
        s = scores[other].get(chapter)
        if s and s["items"]:
            return round(s["correct"] / s["items"], 4)
    return None


def _floor_pct(x: float) -> str:
    """A percentage rounded down, so a recall below the target never reads as the target or 100%."""
    import math

    return f"{math.floor(x * 100)}%"


def next_steps(data: dict, exercises: list, passed: dict[str, str]) -> list[dict]:
    """What to do next, from the data: due cards, due re-drills, little-covered chapters, and an
    exercise for the weakest chapter."""
    steps = []
    today = data["forecast"][0] if data["forecast"] else {"cards": 0, "exercises": []}
    chapter_opt = f" --chapter {data['chapter']}" if data["chapter"] is not None else ""
    if data["empty"]:
        steps.append({"kind": "start", "text": "Nothing recorded yet: start with your first review session.", "command": "learndl quiz"})
        return steps
    due = data.get("due_today") or {"learning": 0, "review": 0, "new": 0}
    n = sum(due.values())
    if n:
        steps.append(
            {
                "kind": "due",
                "text": f"{n} card{'s' if n != 1 else ''} due today (learning {due['learning']} · review {due['review']} · new {due['new']}).",
                "command": f"learndl quiz{chapter_opt}",
            }
        )
    for name in today["exercises"]:
        steps.append({"kind": "redrill", "text": f"Exercise {name} is due for a re-drill.", "command": f"learndl exercise {name}"})
    low = [
        c for c in data["chapters"]
        if c["chapter"] is not None and c["cards"] and (c["cards"] - c["new"]) / c["cards"] < LOW_COVERAGE
    ]
    for c in low[:3]:
        seen = c["cards"] - c["new"]
        steps.append(
            {
                "kind": "coverage",
                "text": f"Chapter {c['chapter']} has little coverage: {seen} of {c['cards']} cards seen.",
                "command": f"learndl quiz --chapter {c['chapter']}",
            }
        )
    # The weakest chapter (lowest average recall) that has an exercise: suggest one not yet passed,
    # else the one passed longest ago.
    # A chapter is called "weakest" only when its average recall is below the target; otherwise
    # the exercise is suggested to keep the lowest-recall chapter fresh.
    rated = sorted(
        (c for c in data["chapters"] if c["retrievability"] is not None and c["chapter"] is not None),
        key=lambda c: (c["retrievability"], -c["lapses"], c["chapter"]),
    )
    for weakest in rated:
        in_chapter = [e for e in exercises if e.chapter == weakest["chapter"]]
        if not in_chapter:
            continue
        todo = [e for e in in_chapter if e.name not in passed]
        pick = todo[0] if todo else min(in_chapter, key=lambda e: passed.get(e.name, ""))
        steps.append(
            {
                "kind": "exercise",
                "text": (
                    f"Weakest chapter with exercises: {weakest['chapter']} (recall {_floor_pct(weakest['retrievability'])}, "
                    f"below your {data['desired_retention']:.0%} target); drill {pick.title}."
                    if weakest["retrievability"] < data["desired_retention"]
                    else f"Every chapter's recall is at or above your {data['desired_retention']:.0%} target; "
                    f"keep chapter {weakest['chapter']} fresh: drill {pick.title}."
                ),
                "command": f"learndl exercise {pick.name}",
            }
        )
        break
    if data["weakest"]["leeches"]:
        n = len(data["weakest"]["leeches"])
        steps.append(
            {
                "kind": "leeches",
                "text": f"{n} leech{'es' if n != 1 else ''}: rewrite {'them' if n != 1 else 'it'} in the deck, then unsuspend.",
                "command": "learndl decks unsuspend --leeches",
            }
        )
    if not data["exams"] and data["totals"]["reviews"]:
        steps.append({"kind": "exam", "text": "Test yourself with a timed exam.", "command": f"learndl exam{chapter_opt}"})
    return steps


def chapter_tag(chapter) -> str:
    """A chapter's short label: ``ch3``, or ``notes`` for a learner's own notes (no chapter)."""
    return "notes" if chapter is None else f"ch{chapter}"
