"""``--learndl-record``: a pytest-run grade stored like ``learndl check``'s (off by default)."""

from __future__ import annotations

import time

import pytest


def result_dict(run) -> dict:
    """The run as ``GradeResult.to_dict()`` has it, so the store treats both drivers alike."""
    checks = []
    for check_id, (status, message, ms) in run.outcomes.items():
        status = run.statuses.get(check_id, status) if status == "fail" else status
        checks.append({"id": check_id, "status": status, "message": message, "duration_ms": ms, "detail": ""})
    verdict = next((c["status"] for c in checks if c["status"] not in ("pass", "skipped")), "pass")
    return {
        "exercise": run.exercise.name,
        "status": verdict,
        "seed": run.grade_seed,
        "device": run.grading.device,
        "duration_ms": int((time.monotonic() - run.started) * 1000),
        "checks": checks,
    }


def record(run) -> None:
    from ..context import App
    from ..drill.watch import content_hash
    from ..errors import UserError
    from ..paths import ensure_home, resolve_home
    from ..scheduler import SchedulerConfig
    from ..store import exercises as store

    try:
        app = App(home=ensure_home(resolve_home(None)))
        store.record_grade(
            app.db, exercise=run.exercise.name, result=result_dict(run),
            code_hash=content_hash(run.grading.path), now=app.now(),
            config=SchedulerConfig.from_settings(app.settings), mode="check",
        )
        app.close()
    except UserError as exc:
        raise pytest.UsageError(f"learndl: --learndl-record: {exc.message}") from None
