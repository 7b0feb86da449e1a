"""``learndl optimize --simulate``: workload against desired retention, by fsrs-rs's simulator.

For each desired retention in ``RETENTIONS`` fsrs-rs simulates a year of study of the learner's
deck (its active cards, ``new_per_day`` new ones a day, the maximum interval, no daily cap on
reviews) with the learner's parameters. Where the history has enough of them, the simulation also uses the learner's own habits
(as Anki's simulator does): how often a first answer is Again, Hard, Good or Easy; how a passed review
splits between Hard, Good and Easy; and the median seconds an answer takes, per state and rating.

Each row gives the reviews a day, the minutes a day, the cards remembered at the end of the year
(the sum of every card's probability of recall) and the seconds of study per card remembered; the
retention with the fewest seconds per card remembered is the one ``best`` suggests.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
DAYS = 365
SEED = 42
MIN_ANSWERS = 20  # fewer answers of one kind than this: fsrs-rs's default for it stands
MAX_SECONDS = 60.0  # an answer left open longer than this counts as a minute (as Anki caps review time)
# A small deck is simulated as many copies of itself (the new cards a day multiplied alike) and the
# counts divided back, so chance does not decide the table; 2,000 cards make it steady to a few %.
MIN_SIMULATED = 2000


@dataclass(frozen=True)
class Row:
    retention: float
    reviews_per_day: float
    minutes_per_day: float
    remembered: float  # expected cards remembered after DAYS
    seconds_per_card: float  # study time per card remembered


@dataclass
class Habits:
    """The learner's answering habits, or None for each one there is too little history for."""

    first_rating_prob: list[float] | None = None
    review_rating_prob: list[float] | None = None
    costs: dict[tuple[int, int], float] | None = None  # (state 0 learning / 1 review / 2 relearning, rating) → s

    @property
    def measured(self) -> list[str]:
        names = {"first_rating_prob": "first answers", "review_rating_prob": "passed reviews", "costs": "answer times"}
        return [label for key, label in names.items() if getattr(self, key)]


def habits(rows) -> Habits:
    """Rows of (card_id, rating, prev_state, duration_ms), oldest first."""
    first: list[int] = []
    passed: list[int] = []
    seen: set[str] = set()
    times: dict[tuple[int, int], list[float]] = {}
    for row in rows:
        rating, prev = row["rating"], row["prev_state"]
        if rating not in (1, 2, 3, 4):
            continue
        if row["card_id"] not in seen:
            seen.add(row["card_id"])
            first.append(rating)
        if prev == 2 and rating > 1:
            passed.append(rating)
        state = {0: 0, 1: 0, 2: 1, 3: 2}.get(prev)
        if state is not None and row["duration_ms"]:
            times.setdefault((state, rating), []).append(min(row["duration_ms"] / 1000, MAX_SECONDS))
    out = Habits()
    if len(first) >= MIN_ANSWERS:
        out.first_rating_prob = [first.count(r) / len(first) for r in (1, 2, 3, 4)]
    if len(passed) >= MIN_ANSWERS:
        out.review_rating_prob = [passed.count(r) / len(passed) for r in (2, 3, 4)]
    costs = {key: median(values) for key, values in times.items() if len(values) >= MIN_ANSWERS}
    out.costs = costs or None
    return out


def _config(deck_size: int, new_per_day: int, found: Habits, max_interval: int):
    from fsrs_rs_python import default_simulator_config

    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = DAYS
    config.learn_limit = new_per_day
    config.max_ivl = float(max_interval)
    config.max_cost_perday = 1e9  # no daily time limit: the table shows what each retention costs
    if found.first_rating_prob:
        config.first_rating_prob = found.first_rating_prob
    if found.review_rating_prob:
        config.review_rating_prob = found.review_rating_prob
    if found.costs:
        costs = [list(r) for r in config.state_rating_costs]
        for (state, rating), seconds in found.costs.items():
            costs[state][rating - 1] = seconds
        config.state_rating_costs = costs
    return config


def simulate(parameters, deck_size: int, new_per_day: int, found: Habits | None = None, max_interval: int = 36500) -> list[Row]:
    from fsrs_rs_python import simulate as run

    copies = -(-MIN_SIMULATED // max(1, deck_size))
    config = _config(max(1, deck_size) * copies, max(0, new_per_day) * copies, found or Habits(), max_interval)
    rows = []
    for retention in RETENTIONS:
        result = run(list(parameters), retention, config, SEED)
        seconds = float(sum(result.cost_per_day)) / copies
        remembered = float(result.memorized_cnt_per_day[-1]) / copies if result.memorized_cnt_per_day else 0.0
        rows.append(
            Row(
                retention=retention,
                reviews_per_day=(sum(result.review_cnt_per_day) + sum(result.learn_cnt_per_day)) / DAYS / copies,
                minutes_per_day=seconds / DAYS / 60,
                remembered=remembered,
                seconds_per_card=seconds / remembered if remembered else float("inf"),
            )
        )
    return rows


def best(rows: list[Row]) -> Row:
    """The retention with the least study per card remembered (the higher one on a tie)."""
    return min(rows, key=lambda r: (round(r.seconds_per_card, 6), -r.retention))


def chart(rows: list[Row], width: int = 32) -> list[str]:
    """Bars of seconds per card remembered, one line per retention; the best one is marked."""
    blocks = " ▏▎▍▌▋▊▉█"
    top = max(r.seconds_per_card for r in rows) or 1.0
    chosen = best(rows)
    lines = []
    for r in rows:
        eighths = round(r.seconds_per_card / top * width * 8)
        bar = "█" * (eighths // 8) + (blocks[eighths % 8] if eighths % 8 else "")
        mark = "  ◀ least work" if r is chosen else ""
        lines.append(f"{r.retention:.2f} {bar:<{width}} {r.seconds_per_card:6.0f} s{mark}")
    return lines
