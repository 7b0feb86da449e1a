"""The exercise half of the store: attempts, hint and solution views, and the re-drill schedule.

Every function takes the ``sqlite_utils.Database`` first; times are aware datetimes, stored as UTC
ISO-8601 strings (``scheduler.iso``). The tables come from the first migration:

- ``attempts``: one row per recorded grade (verdict, per-check JSON, seed, device, code hash, hints
  used). The drill loop records a grade only for new content (see ``drill.watch``): the starter
  graded at set-up and a save that changed nothing are not attempts;
- ``hint_views`` / ``solution_views``: one row each time a hint level or the solution is shown;
- ``exercise_schedule``: the FSRS memory of each passed exercise, and ``redrill_started``, when the
  current re-drill round began (the learner got a fresh starter).

A *round* is the time since ``redrill_started`` (or since the beginning, before the first
re-drill). The first pass of a round is rated from that round's failed attempts, hints and solution
views (``rating_for``) and reviewed with the pure ``Scheduler``; later passes in the same round do
not move the schedule.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlite_utils import Database

from ..scheduler import Memory, Rating, Scheduler, SchedulerConfig, iso, parse_ts
from .db import write_txn

PASS = "pass"


# ------------------------------------------------------------------------------------------ writes


def record_attempt(
    db: Database,
    *,
    exercise: str,
    ts: datetime,
    device: str,
    verdict: str,
    checks: list[dict],
    duration_ms: int,
    code_hash: str,
    hints_used: int,
    seed: int,
    mode: str = "check",
) -> int:
    with write_txn(db):
        table = db.table("attempts")
        table.insert(
            {
                "exercise": exercise,
                "ts": iso(ts),
                "device": device,
                "verdict": verdict,
                "checks": json.dumps(checks, ensure_ascii=False),
                "duration_ms": int(duration_ms),
                "code_hash": code_hash,
                "hints_used": int(hints_used),
                "seed": int(seed),
                "mode": mode,
            }
        )
        return int(table.last_pk)


def record_hint(db: Database, exercise: str, ts: datetime, level: int) -> None:
    with write_txn(db):
        db.table("hint_views").insert({"exercise": exercise, "ts": iso(ts), "level": int(level)})


def record_solution_view(db: Database, exercise: str, ts: datetime, forced: bool) -> None:
    with write_txn(db):
        db.table("solution_views").insert({"exercise": exercise, "ts": iso(ts), "forced": int(bool(forced))})


def start_redrill(db: Database, exercise: str, now: datetime) -> None:
    """Begin a new round for ``exercise`` (its hints and attempts start counting from zero)."""
    with write_txn(db):
        if db.table("exercise_schedule").count_where("exercise = ?", [exercise]):
            db.execute("UPDATE exercise_schedule SET redrill_started = ? WHERE exercise = ?", [iso(now), exercise])
        else:
            db.table("exercise_schedule").insert({"exercise": exercise, "state": 0, "reps": 0, "lapses": 0, "redrill_started": iso(now)})


# ------------------------------------------------------------------------------------------ reads


def round_start(db: Database, exercise: str) -> str | None:
    rows = list(db.query("SELECT redrill_started FROM exercise_schedule WHERE exercise = ?", [exercise]))
    return rows[0]["redrill_started"] if rows and rows[0]["redrill_started"] else None


def _since(column: str, since: str | None) -> tuple[str, list]:
    return (f" AND {column} >= ?", [since]) if since else ("", [])


def hint_level(db: Database, exercise: str) -> int:
    """The highest hint level shown in the current round (0 for none)."""
    extra, args = _since("ts", round_start(db, exercise))
    row = next(iter(db.query(f"SELECT MAX(level) AS m FROM hint_views WHERE exercise = ?{extra}", [exercise, *args])))
    return int(row["m"] or 0)


def solution_viewed(db: Database, exercise: str) -> bool:
    """Whether the solution was shown in the current round."""
    extra, args = _since("ts", round_start(db, exercise))
    row = next(iter(db.query(f"SELECT COUNT(*) AS n FROM solution_views WHERE exercise = ?{extra}", [exercise, *args])))
    return bool(row["n"])


def failed_attempts(db: Database, exercise: str) -> int:
    """Versions of the code that failed in the current round: grading the same code again (a
    re-run, ``learndl check`` twice) is not another failed attempt."""
    extra, args = _since("ts", round_start(db, exercise))
    row = next(iter(db.query(
        "SELECT COUNT(DISTINCT COALESCE(NULLIF(code_hash, ''), 'attempt ' || id)) AS n FROM attempts"
        f" WHERE exercise = ? AND verdict != ?{extra}", [exercise, PASS, *args]
    )))
    return int(row["n"])


def has_passed(db: Database, exercise: str) -> bool:
    """Whether ``exercise`` ever passed a grade."""
    row = next(iter(db.query("SELECT COUNT(*) AS n FROM attempts WHERE exercise = ? AND verdict = ?", [exercise, PASS])))
    return bool(row["n"])


def attempts(db: Database, exercise: str | None = None) -> list[dict]:
    """Attempts, oldest first (``checks`` decoded)."""
    sql = "SELECT * FROM attempts" + (" WHERE exercise = ?" if exercise else "") + " ORDER BY ts, id"
    rows = [dict(r) for r in db.query(sql, [exercise] if exercise else [])]
    for row in rows:
        row["checks"] = json.loads(row["checks"] or "[]")
    return rows


def memory(db: Database, exercise: str) -> Memory | None:
    rows = list(db.query("SELECT * FROM exercise_schedule WHERE exercise = ?", [exercise]))
    return Memory.from_dict(rows[0]) if rows else None


def due_redrills(db: Database, now: datetime) -> list[str]:
    """Names of passed exercises whose re-drill is due at ``now``, most overdue first."""
    rows = db.query(
        "SELECT exercise, due FROM exercise_schedule WHERE last_review IS NOT NULL AND due IS NOT NULL"
    )
    due = [(parse_ts(r["due"]), r["exercise"]) for r in rows]
    return [name for when, name in sorted(due) if when <= now]


def summary(db: Database, now: datetime) -> dict[str, dict]:
    """Per exercise with any history: attempts, passed, last verdict, due (bool), next due (ISO)."""
    out: dict[str, dict] = {}
    for row in db.query(
        "SELECT exercise, COUNT(*) AS n, SUM(verdict = ?) AS passes, MAX(ts) AS last FROM attempts GROUP BY exercise",
        [PASS],
    ):
        out[row["exercise"]] = {"attempts": row["n"], "passed": bool(row["passes"]), "last": row["last"], "due": False, "next_due": None}
    due = set(due_redrills(db, now))
    for row in db.query("SELECT exercise, due, last_review FROM exercise_schedule"):
        entry = out.setdefault(row["exercise"], {"attempts": 0, "passed": False, "last": None, "due": False, "next_due": None})
        entry["next_due"] = row["due"] if row["last_review"] else None
        entry["due"] = row["exercise"] in due
    return out


# ------------------------------------------------------------------------------------------ policy


def rating_for(failed: int, hints: int, solution_seen: bool) -> Rating:
    """How well a round went: the solution seen → Again; 2+ hints or 3+ failed attempts → Hard;
    one hint or a failed attempt → Good; first try without hints → Easy."""
    if solution_seen:
        return Rating.AGAIN
    if hints >= 2 or failed >= 3:
        return Rating.HARD
    if hints == 1 or failed >= 1:
        return Rating.GOOD
    return Rating.EASY


def exercise_config(config: SchedulerConfig) -> SchedulerConfig:
    """Exercises skip the minute-long learning steps: a pass schedules the next drill days ahead."""
    return replace(config, learning_steps_minutes=(), relearning_steps_minutes=())


def record_grade(
    db: Database,
    *,
    exercise: str,
    result: dict,
    code_hash: str,
    now: datetime,
    config: SchedulerConfig,
    mode: str = "check",
) -> Memory | None:
    """Store one grade (``result`` as ``GradeResult.to_dict()``); on the round's first pass, review
    the exercise with FSRS and return its new memory."""
    with write_txn(db):
        hints = hint_level(db, exercise)
        failed = failed_attempts(db, exercise)
        seen = solution_viewed(db, exercise)
        started = round_start(db, exercise)
        previous = memory(db, exercise)
        record_attempt(
            db,
            exercise=exercise,
            ts=now,
            device=result["device"],
            verdict=result["status"],
            checks=result["checks"],
            duration_ms=result["duration_ms"],
            code_hash=code_hash,
            hints_used=hints,
            seed=result["seed"],
            mode=mode,
        )
        if result["status"] != PASS:
            return None
        if previous is not None and previous.last_review is not None:
            if started is None or previous.last_review >= parse_ts(started):
                return None  # this round already counted
        rating = rating_for(failed, hints, seen)
        new = Scheduler(exercise_config(config)).review(previous or Memory.new(), rating, now, seed=f"exercise:{exercise}")
        row = {"exercise": exercise, **new.to_dict(), "redrill_started": started}
        db.table("exercise_schedule").upsert(row, pk="exercise")
        return new
