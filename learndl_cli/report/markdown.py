"""The report as Markdown: tables, a text heatmap, and the same numbers as every other format."""

from __future__ import annotations

from . import counted
from .data import chapter_tag

HEAT = "·░▒▓█"


def pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(head) - 1)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def heat_level(n: int, top: int) -> int:
    from .terminal import heat_level as level

    return level(n, top)


def render(data: dict) -> str:
    scope = f"chapter {data['chapter']}" if data["chapter"] is not None else "all chapters"
    if data["since"]:
        scope += f", since {data['since']}"
    lines = [f"# learndl report: {data['day']}", "", f"*{scope} · generated {data['generated']}*", ""]
    if data["empty"]:
        lines += [
            "**Nothing to report yet**: no reviews, exercises or exams are recorded.",
            "",
            "Start with `learndl quiz` (your first cards), then `learndl exercise` for the coding drills.",
            "",
        ]
        return "\n".join(lines)
    t = data["totals"]
    minutes = t["seconds"] // 60
    lines += [
        f"{t['cards']} cards ({t['cards'] - t['new']} seen), {counted(t['reviews'], 'review')} on {counted(t['days_studied'], 'day')}, "
        f"{minutes // 60}h {minutes % 60:02d}m; exercises {t['exercises_passed']}/{t['exercises']} passed.",
        "",
        "## Chapters",
        "",
    ]
    rows = []
    for c in data["chapters"]:
        ex = c["exercises"]
        rows.append(
            [
                "–" if c["chapter"] is None else c["chapter"], c["title"] or "", c["new"], c["learning"], c["young"],
                c["mature"], pct(c["retrievability"]), pct(c["true_retention_30d"]["retention"]), c["lapses"],
                f"{ex['passed']}/{ex['total']}" if ex["total"] else "–",
                f"{ex['attempts_per_pass']:.1f}" if ex["attempts_per_pass"] is not None else "–",
                ex["hints"],
            ]
        )
    r30 = next((w["retention"] for w in data["retention"] if w["window"] == "30d"), None)
    rows.append(["", "**all**", t["new"], t["learning"], t["young"], t["mature"], pct(t["retrievability"]), pct(r30), t["lapses"], f"{t['exercises_passed']}/{t['exercises']}", "", t["hints"]])
    lines += _table(["ch", "title", "new", "learning", "young", "mature", "recall", "retention 30d", "lapses", "exercises", "attempts/pass", "hints"], rows, "rl" + "r" * 10)
    lines += ["", "*recall*: average FSRS retrievability now; *mature*: an interval of 21 days or more.", "", "## True retention", ""]
    rows = []
    for w in data["retention"]:
        label = f"since {w['start']}" if w["window"] == "since" else f"last {w['window']}"
        rows.append([label, f"{w['passed']}/{w['reviews']}", pct(w["retention"], 1), pct(w["target"])])
    lines += _table(["window", "passed/reviews", "retention", "target"], rows, "lrrr")
    lines += ["", "First review of a card each study day, cards in review state; passed = Hard or better.", "", "## Forecast (next 14 days)", ""]
    lines += _table(
        ["day", "cards due", "re-drills"],
        [[("today " if i == 0 else "") + d["day"], d["cards"], ", ".join(d["exercises"]) or "–"] for i, d in enumerate(data["forecast"])],
        "lrl",
    )
    h = data["heatmap"]
    s = h["streak"]
    lines += ["", "## Study heatmap (last 26 weeks)", "", "```"]
    days = h["days"]
    weeks = (len(days) + 6) // 7
    for row, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        cells = []
        for w in range(weeks):
            i = w * 7 + row
            cells.append(HEAT[heat_level(days[i]["reviews"], h["max"])] if i < len(days) else " ")
        lines.append(f"{name} {''.join(cells)}")
    lines += [
        "```",
        "",
        f"From {h['start']} to {h['end']}: {counted(h['study_days'], 'study day')}, busiest day {counted(h['max'], 'review')}. "
        f"Streak: **{s['current']}** day{'s' if s['current'] != 1 else ''} (longest {s['longest']}).",
        "",
    ]
    wk = data["weakest"]
    if wk["lapses"] or wk["retrievability"]:
        lines += ["## Weakest cards", ""]
        rows = [["lapses", c["chapter"], c["front"], f"{c['lapses']}×"] for c in wk["lapses"]]
        rows += [["recall", c["chapter"], c["front"], pct(c["retrievability"])] for c in wk["retrievability"]]
        lines += _table(["why", "ch", "card", ""], rows, "lrlr") + [""]
    if wk["exercises"]:
        lines += ["## Exercises failed most", ""]
        lines += _table(
            ["exercise", "ch", "failed", "attempts", "passed"],
            [[e["name"], e["chapter"], e["failures"], e["attempts"], "yes" if e["passed"] else "not yet"] for e in wk["exercises"]],
            "lrrrl",
        ) + [""]
    if wk["leeches"]:
        lines += ["## Leeches", ""]
        lines += _table(["ch", "card", "lapses", "where"], [[c["chapter"], c["front"], c["lapses"], c["where"]] for c in wk["leeches"]], "rlrl") + [""]
    if data["exams"]:
        lines += ["## Exams", ""]
        rows = []
        for e in data["exams"]:
            per = ", ".join(
                f"{chapter_tag(c['chapter'])} {pct(c['score'])}"
                + (f" ({'+' if c['delta'] > 0 else ''}{c['delta'] * 100:.0f})" if c["delta"] else "")
                for c in e["chapters"]
            )
            rows.append([e["id"], e["started"][:10], f"{e['correct']}/{e['items']}", pct(e["score"]), per])
        lines += _table(["#", "date", "correct", "score", "per chapter (change since the previous exam)"], rows, "rlrrl") + [""]
    lines += ["## Next steps", ""]
    lines += [f"- {s['text']} `{s['command']}`" for s in data["next_steps"]]
    lines.append("")
    return "\n".join(lines)

