"""The report in a terminal: rich tables, bar charts, and a GitHub-style heatmap of block characters."""

from __future__ import annotations

from datetime import date

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import counted
from .data import chapter_tag

HEAT_COLOURS = ("grey23", "#0e4429", "#006d32", "#26a641", "#39d353")
STATE_COLOURS = {"new": "blue", "learning": "red", "young": "yellow", "mature": "green"}
BAR = "█"


def pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def heat_level(n: int, top: int) -> int:
    """0 for no study, else 1..4 by quarter of the busiest day (GitHub's scale)."""
    if n <= 0 or top <= 0:
        return 0
    return min(4, 1 + (4 * (n - 1)) // top) if top > 1 else 4


def state_bar(c: dict, width: int = 24) -> Text:
    """A stacked bar of the chapter's cards: new, learning, young, mature."""
    text = Text()
    total = c["cards"]
    if not total:
        return text
    used = 0
    parts = [(k, c[k]) for k in ("mature", "young", "learning", "new")]
    for i, (key, n) in enumerate(parts):
        w = round(width * n / total) if i < len(parts) - 1 else width - used
        w = max(0, min(w, width - used))
        used += w
        text.append(BAR * w, style=STATE_COLOURS[key])
    return text


def chapters_table(data: dict, width: int = 120) -> Table:
    wide = width >= 110
    table = Table(
        title="Chapters", title_justify="left", title_style="bold", header_style="bold", box=None, pad_edge=False,
        padding=(0, 1) if wide else (0, 1, 0, 0),
    )
    table.add_column("ch", justify="right")
    table.add_column("title", max_width=28 if wide else 16, no_wrap=True, overflow="ellipsis")
    for key, head in (("new", "new"), ("learning", "learn"), ("young", "young"), ("mature", "mature")):
        table.add_column(head, justify="right", style=STATE_COLOURS[key])
    if wide:
        table.add_column("", no_wrap=True)
    table.add_column("recall", justify="right")
    if wide:
        table.add_column("ret. 30d", justify="right")
    table.add_column("lapses", justify="right")
    table.add_column("exerc.", justify="right")
    table.add_column("att/pass", justify="right")
    table.add_column("hints", justify="right")
    for c in data["chapters"]:
        ex = c["exercises"]
        table.add_row(
            "–" if c["chapter"] is None else str(c["chapter"]),
            c["title"] or "",
            *(str(c[k] or "·") for k in ("new", "learning", "young", "mature")),
            *([state_bar(c, 16)] if wide else []),
            pct(c["retrievability"]),
            *([pct(c["true_retention_30d"]["retention"])] if wide else []),
            str(c["lapses"] or "·"),
            f"{ex['passed']}/{ex['total']}" if ex["total"] else "·",
            f"{ex['attempts_per_pass']:.1f}" if ex["attempts_per_pass"] is not None else "·",
            str(ex["hints"] or "·"),
        )
    t = data["totals"]
    table.add_row(
        "", Text("all", style="bold"), *(Text(str(t[k]), style="bold") for k in ("new", "learning", "young", "mature")),
        *([""] if wide else []), Text(pct(t["retrievability"]), style="bold"),
        *([Text(pct(next((w["retention"] for w in data["retention"] if w["window"] == "30d"), None)), style="bold")] if wide else []),
        Text(str(t["lapses"]), style="bold"),
        Text(f"{t['exercises_passed']}/{t['exercises']}", style="bold"), "", Text(str(t["hints"]), style="bold"),
    )
    return table


def retention_table(data: dict) -> Table:
    table = Table(title="True retention", title_justify="left", title_style="bold", header_style="bold", box=None, pad_edge=False)
    table.add_column("window")
    table.add_column("reviews", justify="right")
    table.add_column("passed", justify="right")
    table.add_column("retention", justify="right")
    table.add_column("", no_wrap=True)
    for w in data["retention"]:
        label = f"since {w['start']}" if w["window"] == "since" else f"last {w['window']}"
        r = w["retention"]
        style = "dim" if r is None else ("green" if r >= w["target"] else "yellow" if r >= w["target"] - 0.1 else "red")
        bar = Text()
        if r is not None:
            filled = round(20 * r)
            bar.append(BAR * filled, style=style)
            bar.append("░" * (20 - filled), style="grey30")
        table.add_row(label, str(w["reviews"]), str(w["passed"]), Text(pct(r, 1), style=style), bar)
    return table


def forecast_chart(data: dict, height: int = 6) -> Group:
    """Vertical bars, one column per day: cards (cyan) with re-drills marked above."""
    days = data["forecast"]
    top = max((d["cards"] for d in days), default=0)
    lines = [Text("Forecast: reviews due, next 14 days (today: due today, overdue included)", style="bold")]
    col = 5  # room for the label "today"
    eighths = " ▁▂▃▄▅▆▇█"
    for level in range(height, 0, -1):
        line = Text()
        for d in days:
            units = d["cards"] / top * height * 8 if top else 0
            cell = max(0, min(8, int(round(units - (level - 1) * 8))))
            line.append(f"  {eighths[cell] * 2}".ljust(col), style="cyan")
        lines.append(line)
    counts = Text()
    labels = Text()
    extra = Text()
    for i, d in enumerate(days):
        counts.append(f"{d['cards']:>4} ", style="bold" if i == 0 else "")
        label = "today" if i == 0 else f"{date.fromisoformat(d['day']).strftime('%a')[:3]:>4} "
        labels.append(label, style="dim")
        extra.append(f"{('+' + str(d['redrills'])) if d['redrills'] else '':>4} ", style="yellow")
    lines += [counts, labels]
    if any(d["redrills"] for d in days):
        lines.append(extra)
        lines.append(Text("(+n: exercise re-drills due that day)", style="yellow dim"))
    return Group(*lines)


def heatmap(data: dict) -> Group:
    """Seven rows (Mon..Sun), one column per week, ■ coloured by the day's reviews."""
    h = data["heatmap"]
    days = h["days"]
    top = h["max"]
    first = date.fromisoformat(h["start"])
    weeks = (len(days) + 6) // 7
    grid = [[None] * weeks for _ in range(7)]
    for i, d in enumerate(days):
        grid[i % 7][i // 7] = d
    month_line = Text("    ")
    last_month = None
    for w in range(weeks):
        m = date.fromordinal(first.toordinal() + 7 * w)
        col = 4 + 2 * w
        if m.month != last_month and len(month_line.plain) <= col:
            month_line.append(" " * (col - len(month_line.plain)))
            month_line.append(m.strftime("%b"), style="dim")
            last_month = m.month
    lines = [Text("Study heatmap: last 26 weeks", style="bold"), month_line]
    for row, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        line = Text(f"{name:<4}", style="dim")
        for w in range(weeks):
            d = grid[row][w]
            if d is None:
                line.append("  ")
            else:
                line.append("■ ", style=HEAT_COLOURS[heat_level(d["reviews"], top)])
        lines.append(line)
    legend = Text("    less ", style="dim")
    for colour in HEAT_COLOURS:
        legend.append("■ ", style=colour)
    legend.append("more", style="dim")
    legend.append(f"   busiest day {counted(top, 'review')} · {counted(h['study_days'], 'study day')}", style="dim")
    lines.append(legend)
    s = h["streak"]
    lines.append(Text(f"Streak: {s['current']} day{'s' if s['current'] != 1 else ''} (longest {s['longest']})", style="cyan"))
    return Group(*lines)


def weakest_tables(data: dict) -> list:
    out = []
    w = data["weakest"]
    if w["lapses"] or w["retrievability"]:
        t = Table(title="Weakest cards", title_justify="left", title_style="bold", header_style="bold", box=None, pad_edge=False)
        t.add_column("why")
        t.add_column("ch", justify="right")
        t.add_column("card", max_width=56, no_wrap=True, overflow="ellipsis")
        t.add_column("", justify="right")
        for c in w["lapses"]:
            t.add_row("lapses", str(c["chapter"]), c["front"], f"{c['lapses']}×")
        for c in w["retrievability"]:
            t.add_row("recall", str(c["chapter"]), c["front"], pct(c["retrievability"]))
        out.append(t)
    if w["exercises"]:
        t = Table(title="Exercises failed most", title_justify="left", title_style="bold", header_style="bold", box=None, pad_edge=False)
        t.add_column("exercise")
        t.add_column("ch", justify="right")
        t.add_column("failed", justify="right")
        t.add_column("attempts", justify="right")
        t.add_column("passed")
        for e in w["exercises"]:
            t.add_row(e["name"], str(e["chapter"]), str(e["failures"]), str(e["attempts"]), "yes" if e["passed"] else "not yet")
        out.append(t)
    if w["leeches"]:
        t = Table(title="Leeches", title_justify="left", title_style="bold red", header_style="bold", box=None, pad_edge=False)
        t.add_column("ch", justify="right")
        t.add_column("card", max_width=48, no_wrap=True, overflow="ellipsis")
        t.add_column("lapses", justify="right")
        t.add_column("where", style="dim")
        for c in w["leeches"]:
            t.add_row(str(c["chapter"]), c["front"], str(c["lapses"]), c["where"].replace("\\", "/").rsplit("/", 1)[-1])
        out.append(t)
    return out


def exams_table(data: dict) -> Table | None:
    if not data["exams"]:
        return None
    t = Table(title="Exams", title_justify="left", title_style="bold", header_style="bold", box=None, pad_edge=False)
    t.add_column("#", justify="right")
    t.add_column("date")
    t.add_column("score", justify="right")
    t.add_column("per chapter (↑↓ points since the previous exam)")
    for e in data["exams"]:
        per = Text()
        for c in e["chapters"]:
            per.append(f"{chapter_tag(c['chapter'])}:{pct(c['score'])}")
            if c["delta"] is not None and c["delta"] != 0:
                per.append(f"{'↑' if c['delta'] > 0 else '↓'}{abs(c['delta']) * 100:.0f}", style="green" if c["delta"] > 0 else "red")
            per.append("  ")
        t.add_row(str(e["id"]), e["started"][:10], f"{e['correct']}/{e['items']} {pct(e['score'])}", per)
    return t


def next_steps(data: dict) -> Group:
    lines = [Text("Next steps", style="bold")]
    for s in data["next_steps"]:
        line = Text(" • ")
        line.append(s["text"])
        line.append(f"  {s['command']}", style="bold cyan")
        lines.append(line)
    return Group(*lines)


def render(data: dict, console: Console) -> None:
    scope = f"chapter {data['chapter']}" if data["chapter"] is not None else "all chapters"
    if data["since"]:
        scope += f" · since {data['since']}"
    console.print(Text(f"learndl report · {data['day']} · {scope}", style="bold"))
    if data["empty"]:
        console.print()
        console.print(
            Panel(
                Text.assemble(
                    ("Nothing to report yet: ", "bold"),
                    "no reviews, exercises or exams are recorded.\n",
                    "Start with ", ("learndl quiz", "bold cyan"), " (your first cards), then ",
                    ("learndl exercise", "bold cyan"), " for the coding drills; come back here after a few days.",
                ),
                border_style="cyan",
                expand=False,
            )
        )
        return
    t = data["totals"]
    minutes = t["seconds"] // 60
    console.print(
        Text(
            f"{t['cards']} cards ({t['cards'] - t['new']} seen) · {counted(t['reviews'], 'review')} on {counted(t['days_studied'], 'day')}"
            f" · {minutes // 60}h {minutes % 60:02d}m · exercises {t['exercises_passed']}/{t['exercises']} passed",
            style="dim",
        )
    )
    console.print()
    console.print(chapters_table(data, console.width))
    console.print(Text("recall: average FSRS retrievability now · mature: interval of 21 days or more", style="dim"))
    console.print()
    console.print(retention_table(data))
    console.print(
        Text(f"first review of a card each day, cards in review state; passed = Hard or better; target {pct(data['desired_retention'])}", style="dim")
    )
    console.print()
    console.print(forecast_chart(data))
    console.print()
    console.print(heatmap(data))
    for table in weakest_tables(data):
        console.print()
        console.print(table)
    exams = exams_table(data)
    if exams is not None:
        console.print()
        console.print(exams)
    console.print()
    console.print(next_steps(data))
