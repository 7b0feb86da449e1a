"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no network."""

from __future__ import annotations

from datetime import date
from html import escape

from . import counted
from .data import chapter_tag

HEAT = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
STATE = {"mature": "#2f9e44", "young": "#94d82d", "learning": "#f08c00", "new": "#a5b4fc"}

CSS = """
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1120px; margin: 0 auto; padding: 32px 28px 48px; }
header h1 { margin: 0; font-size: 26px; }
header p { margin: 4px 0 0; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 22px 0 8px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.tile .v { font-size: 26px; font-weight: 650; }
.tile .k { color: var(--muted); font-size: 13px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin-top: 18px; }
section h2 { margin: 0 0 12px; font-size: 18px; }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; }
.grid2 > section { margin-top: 18px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; white-space: nowrap; }
td.t { min-width: 210px; }
td { border-bottom: 1px solid #eaeef2; padding: 6px 8px; vertical-align: middle; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 650; border-bottom: none; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.good { color: #1a7f37; } .warn { color: #9a6700; } .bad { color: #cf222e; }
ul.steps { margin: 0; padding-left: 20px; }
ul.steps li { margin: 6px 0; }
code { background: #eff1f3; padding: 2px 6px; border-radius: 6px; font-size: 13px; }
.empty { text-align: center; padding: 48px 20px; }
.empty h2 { font-size: 22px; }
.card { max-width: 1px; width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.heat { display: block; margin: 0 auto; max-width: 100%; height: auto; }
"""


def pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def _short_path(where: str) -> str:
    return where.replace("\\", "/").rsplit("/", 1)[-1]


def _app(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def _e(x) -> str:
    return escape(str(x), quote=True)


def state_bar_svg(c: dict, width: int = 110, height: int = 12) -> str:
    total = c["cards"]
    if not total:
        return ""
    parts, x = [], 0.0
    for key in ("mature", "young", "learning", "new"):
        w = width * c[key] / total
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{STATE[key]}"><title>{key}: {c[key]}</title></rect>')
        x += w
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="cards by state">'
        f'<clipPath id="r{c["chapter"]}"><rect width="{width}" height="{height}" rx="3"/></clipPath>'
        f'<g clip-path="url(#r{c["chapter"]})">{"".join(parts)}</g></svg>'
    )


def retention_svg(data: dict) -> str:
    windows = data["retention"]
    target = data["desired_retention"]
    w, bar_h, gap, left, right = 460, 26, 14, 110, 60
    h = len(windows) * (bar_h + gap) + 26
    span = w - left - right
    out = [f'<svg width="100%" viewBox="0 0 {w} {h}" role="img" aria-label="true retention">']
    for i, win in enumerate(windows):
        y = 8 + i * (bar_h + gap)
        label = f"since {win['start']}" if win["window"] == "since" else f"last {win['window']}"
        r = win["retention"]
        colour = "#d0d7de" if r is None else ("#2f9e44" if r >= target else "#f08c00" if r >= target - 0.1 else "#e03131")
        out.append(f'<text x="0" y="{y + bar_h * 0.68:.0f}" font-size="13" fill="#1f2328">{_e(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{span}" height="{bar_h}" rx="4" fill="#f1f3f5"/>')
        if r is not None:
            out.append(f'<rect x="{left}" y="{y}" width="{span * r:.1f}" height="{bar_h}" rx="4" fill="{colour}"/>')
        if r is None:  # inside the empty bar: the margin on the right holds a percentage, not words
            out.append(f'<text x="{left + 8}" y="{y + bar_h * 0.68:.0f}" font-size="12" fill="#656d76">no reviews</text>')
        else:
            out.append(f'<text x="{left + span + 6}" y="{y + bar_h * 0.68:.0f}" font-size="13" font-weight="600" fill="#1f2328">{pct(r, 1)}</text>')
        out.append(f'<text x="{left + 8}" y="{y + bar_h * 0.68:.0f}" font-size="11" fill="#fff">{win["passed"]}/{win["reviews"]}</text>' if r is not None and r > 0.25 else "")
    tx = left + span * target
    out.append(f'<line x1="{tx:.1f}" y1="2" x2="{tx:.1f}" y2="{h - 18}" stroke="#1f2328" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{tx:.1f}" y="{h - 4}" font-size="11" text-anchor="middle" fill="#656d76">target {pct(target)}</text>')
    out.append("</svg>")
    return "".join(out)


def forecast_svg(data: dict) -> str:
    days = data["forecast"]
    w, h, left, bottom, top_pad = 460, 200, 30, 34, 18
    n = len(days)
    slot = (w - left) / max(n, 1)
    top = max([d["cards"] for d in days] + [1])
    plot_h = h - bottom - top_pad
    out = [f'<svg width="100%" viewBox="0 0 {w} {h}" role="img" aria-label="forecast">']
    for frac in (0.5, 1.0):
        y = top_pad + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w}" y2="{y:.1f}" stroke="#eaeef2"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#656d76">{round(top * frac)}</text>')
    out.append(f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{w}" y2="{top_pad + plot_h}" stroke="#d0d7de"/>')
    for i, d in enumerate(days):
        x = left + i * slot + slot * 0.18
        bw = slot * 0.64
        bh = plot_h * d["cards"] / top
        y = top_pad + plot_h - bh
        fill = "#0969da" if i == 0 else "#54aeff"
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="2" fill="{fill}"><title>{d["day"]}: {d["cards"]} cards</title></rect>')
        if d["cards"]:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle" fill="#1f2328">{d["cards"]}</text>')
        if d["redrills"]:
            out.append(f'<circle cx="{x + bw / 2:.1f}" cy="{top_pad + plot_h + 8:.1f}" r="4" fill="#bf8700"><title>re-drill: {_e(", ".join(d["exercises"]))}</title></circle>')
        label = "today" if i == 0 else date.fromisoformat(d["day"]).strftime("%a")[:2]
        out.append(f'<text x="{x + bw / 2:.1f}" y="{h - 6}" font-size="10" text-anchor="middle" fill="#656d76">{label}</text>')
    out.append("</svg>")
    return "".join(out)


def heatmap_svg(data: dict) -> str:
    from .terminal import heat_level

    hm = data["heatmap"]
    days = hm["days"]
    cell, gap, left, top_pad = 24, 5, 36, 20
    weeks = (len(days) + 6) // 7
    w = left + weeks * (cell + gap) + 4
    h = top_pad + 7 * (cell + gap) + 4
    out = [f'<svg class="heat" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="study heatmap">']
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        out.append(f'<text x="0" y="{top_pad + row * (cell + gap) + cell - 7}" font-size="11" fill="#656d76">{name}</text>')
    last_month, last_x = None, -99
    for i, d in enumerate(days):
        col, row = divmod(i, 7)
        x = left + col * (cell + gap)
        y = top_pad + row * (cell + gap)
        day = date.fromisoformat(d["day"])
        if row == 0 and day.month != last_month and x - last_x > 40:
            out.append(f'<text x="{x}" y="13" font-size="11" fill="#656d76">{day.strftime("%b")}</text>')
            last_month, last_x = day.month, x
        colour = HEAT[heat_level(d["reviews"], hm["max"])]
        out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="4" fill="{colour}"><title>{d["day"]}: {counted(d["reviews"], "review")}</title></rect>')
    out.append("</svg>")
    return "".join(out)


def _legend_heat() -> str:
    cells = "".join(f'<i style="background:{c}"></i>' for c in HEAT)
    return f'<div class="legend"><span>less {cells} more</span></div>'


def render(data: dict) -> str:
    scope = f"Chapter {data['chapter']}" if data["chapter"] is not None else "All chapters"
    if data["since"]:
        scope += f" · since {data['since']}"
    head = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>learndl report {data['day']}</title><style>{CSS}</style></head><body><main>"
        f"<header><h1>learndl report</h1><p>{_e(scope)} · study day {data['day']} · generated {_e(data['generated'])}</p></header>"
    )
    if data["empty"]:
        body = (
            '<section class="empty"><h2>Nothing to report yet</h2>'
            "<p>No reviews, exercises or exams are recorded.</p>"
            "<p>Start with <code>learndl quiz</code> (your first cards), then <code>learndl exercise</code> for the coding drills.</p></section>"
        )
        return head + body + "</main></body></html>\n"
    t = data["totals"]
    s = data["heatmap"]["streak"]
    r30 = next((w for w in data["retention"] if w["window"] == "30d"), None)
    minutes = t["seconds"] // 60
    tiles = [
        (f"{t['cards'] - t['new']}<span class='muted' style='font-size:15px'> / {t['cards']}</span>", "cards seen"),
        (pct(t["retrievability"]), "average recall now"),
        (pct(r30["retention"], 1) if r30 else "–", f"true retention, 30 days (target {pct(data['desired_retention'])})"),
        (f"{s['current']}<span class='muted' style='font-size:15px'> day{'' if s['current'] == 1 else 's'}</span>", f"streak (longest {s['longest']})"),
        (f"{t['exercises_passed']}<span class='muted' style='font-size:15px'> / {t['exercises']}</span>", "exercises passed"),
    ]
    parts = ['<div class="tiles">']
    parts += [f'<div class="tile"><div class="v">{v}</div><div class="k">{_e(k)}</div></div>' for v, k in tiles]
    parts.append("</div>")
    parts.append(
        f'<p class="note">{counted(t["reviews"], "review")} on {counted(t["days_studied"], "day")} · {minutes // 60}h {minutes % 60:02d}m studied · '
        f'{t["attempts"]} exercise attempts · {t["hints"]} hints</p>'
    )

    # chapters
    rows = []
    for c in data["chapters"]:
        ex = c["exercises"]
        rows.append(
            "<tr>"
            f'<td class="n">{"–" if c["chapter"] is None else c["chapter"]}</td><td class="t">{_e(c["title"] or "")}</td>'
            + "".join(f'<td class="n">{c[k]}</td>' for k in ("new", "learning", "young", "mature"))
            + f"<td>{state_bar_svg(c)}</td>"
            f'<td class="n">{pct(c["retrievability"])}</td><td class="n">{pct(c["true_retention_30d"]["retention"])}</td><td class="n">{c["lapses"]}</td>'
            f'<td class="n">{(str(ex["passed"]) + "/" + str(ex["total"])) if ex["total"] else "–"}</td>'
            f'<td class="n">{_app(ex["attempts_per_pass"])}</td>'
            f'<td class="n">{ex["hints"]}</td></tr>'
        )
    rows.append(
        '<tr class="total"><td></td><td>all</td>'
        + "".join(f'<td class="n">{t[k]}</td>' for k in ("new", "learning", "young", "mature"))
        + f'<td></td><td class="n">{pct(t["retrievability"])}</td><td class="n">{pct(r30["retention"]) if r30 else "–"}</td><td class="n">{t["lapses"]}</td>'
        f'<td class="n">{t["exercises_passed"]}/{t["exercises"]}</td><td></td><td class="n">{t["hints"]}</td></tr>'
    )
    legend = "".join(f'<span><i style="background:{STATE[k]}"></i>{k}</span>' for k in ("mature", "young", "learning", "new"))
    parts.append(
        "<section><h2>Chapters</h2><table><thead><tr>"
        '<th class="n">ch</th><th>title</th><th class="n">new</th><th class="n">learning</th><th class="n">young</th>'
        '<th class="n">mature</th><th>cards</th><th class="n">recall</th><th class="n" title="true retention, last 30 days">ret. 30d</th><th class="n">lapses</th><th class="n">exercises</th>'
        '<th class="n">attempts/pass</th><th class="n">hints</th></tr></thead><tbody>'
        + "".join(rows)
        + f'</tbody></table><div class="legend" style="margin-top:10px">{legend}</div>'
        '<p class="note">recall: average FSRS retrievability now · mature: an interval of 21 days or more · '
        "attempts/pass: exercise attempts per passing attempt</p></section>"
    )

    # retention + forecast
    parts.append('<div class="grid2">')
    parts.append(
        f"<section><h2>True retention</h2>{retention_svg(data)}"
        '<p class="note">First review of a card each study day, cards in review state; passed = Hard or better.</p></section>'
    )
    redrills = sum(d["redrills"] for d in data["forecast"])
    parts.append(
        f"<section><h2>Forecast: next 14 days</h2>{forecast_svg(data)}"
        f'<p class="note">Cards due per study day; today is what is due today, overdue included, as <code>learndl status</code> counts it'
        f'{" (and " + counted(data["forecast"][0].get("new", 0), "new card") + ")" if data["forecast"] and data["forecast"][0].get("new") else ""}'
        f'{"; ● exercise re-drills (" + str(redrills) + ")" if redrills else ""}.</p></section>'
    )
    parts.append("</div>")

    # heatmap
    hm = data["heatmap"]
    parts.append(
        f"<section><h2>Study: last 26 weeks</h2>{heatmap_svg(data)}"
        f'<div style="display:flex;justify-content:space-between;align-items:center;margin-top:6px">{_legend_heat()}'
        f'<span class="muted" style="font-size:13px">{counted(hm["study_days"], "study day")} · busiest day {counted(hm["max"], "review")} · '
        f'streak <b>{s["current"]}</b> (longest {s["longest"]})</span></div></section>'
    )

    # weakest
    wk = data["weakest"]
    blocks = []
    if wk["lapses"] or wk["retrievability"]:
        rows = [f'<tr><td>lapses</td><td class="n">{c["chapter"]}</td><td class="card">{_e(c["front"])}</td><td class="n">{c["lapses"]}×</td></tr>' for c in wk["lapses"]]
        rows += [f'<tr><td>recall</td><td class="n">{c["chapter"]}</td><td class="card">{_e(c["front"])}</td><td class="n">{pct(c["retrievability"])}</td></tr>' for c in wk["retrievability"]]
        blocks.append('<section><h2>Weakest cards</h2><table><thead><tr><th>why</th><th class="n">ch</th><th>card</th><th class="n"></th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></section>")
    side = []
    if wk["exercises"]:
        rows = [f'<tr><td>{_e(e["name"])}</td><td class="n">{e["chapter"]}</td><td class="n">{e["failures"]}</td><td class="n">{e["attempts"]}</td><td>{"yes" if e["passed"] else "not yet"}</td></tr>' for e in wk["exercises"]]
        side.append('<h2>Exercises failed most</h2><table><thead><tr><th>exercise</th><th class="n">ch</th><th class="n">failed</th><th class="n">attempts</th><th>passed</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")
    if wk["leeches"]:
        rows = [f'<tr><td class="n">{c["chapter"]}</td><td class="card">{_e(c["front"])}</td><td class="n">{c["lapses"]}</td><td class="muted" title="{_e(c["where"])}">{_e(_short_path(c["where"]))}</td></tr>' for c in wk["leeches"]]
        side.append('<h2 style="margin-top:14px">Leeches</h2><table><tbody>' + "".join(rows) + "</tbody></table>")
    if side:
        blocks.append("<section>" + "".join(side) + "</section>")
    if len(blocks) == 2:
        parts.append('<div class="grid2">' + "".join(blocks) + "</div>")
    else:
        parts += blocks

    # exams
    if data["exams"]:
        rows = []
        for e in data["exams"]:
            per = []
            for c in e["chapters"]:
                delta = ""
                if c["delta"]:
                    cls = "good" if c["delta"] > 0 else "bad"
                    delta = f' <span class="{cls}">{"+" if c["delta"] > 0 else ""}{c["delta"] * 100:.0f}</span>'
                per.append(f"{chapter_tag(c['chapter'])} {pct(c['score'])}{delta}")
            rows.append(
                f'<tr><td class="n">{e["id"]}</td><td style="white-space:nowrap">{_e(e["started"][:16].replace("T", " "))}</td>'
                f'<td class="n">{e["correct"]}/{e["items"]}</td><td class="n">{pct(e["score"])}</td><td>{" · ".join(per)}</td></tr>'
            )
        parts.append(
            '<section><h2>Exams</h2><table><thead><tr><th class="n">#</th><th>date</th><th class="n">correct</th>'
            '<th class="n">score</th><th>per chapter (change since the previous exam)</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></section>"
        )

    steps = "".join(f"<li>{_e(s['text'])} <code>{_e(s['command'])}</code></li>" for s in data["next_steps"])
    parts.append(f'<section><h2>Next steps</h2><ul class="steps">{steps}</ul></section>')
    return head + "".join(parts) + "</main></body></html>\n"
