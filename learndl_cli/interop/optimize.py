"""``learndl optimize``: fit the FSRS parameters to the learner's own review history.

The fitting is the ``fsrs`` package's ``Optimizer`` (torch and tqdm; see ``_optimizer_class`` for why
not pandas), imported only inside ``fit``. Everything else here is plain Python with ``fsrs.Scheduler``:

- ``usable_reviews`` counts what the optimizer learns from: per card, among its first 64 reviews,
  those at least a day after the previous one. Below ``MIN_REVIEWS`` (the optimizer's mini-batch
  size) the optimizer returns the defaults unchanged, so learndl says how many are missing instead.
- ``log_loss`` is the optimizer's own measure (binary cross-entropy of the predicted recall against
  "not Again") computed the same way, so "before" and "after" compare like with like.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ..scheduler import parse_ts

MIN_REVIEWS = 512  # fsrs.optimizer.mini_batch_size: below it the optimizer returns the defaults
MAX_SEQ = 64  # fsrs.optimizer.max_seq_len: only each card's first 64 reviews are used
# fsrs's optimizer is a scalar torch loop, about 2.5 ms a review on this machine. A history larger
# than this is fitted on a random sample of whole cards (seeded, so a re-run gives the same fit),
# which keeps `learndl optimize` within a minute; the log loss is still measured on every review.
MAX_FIT_REVIEWS = 12_000


@dataclass(frozen=True)
class Review:
    card: int
    ts: datetime
    rating: int
    duration_ms: int | None


def reviews_from_rows(rows: list[dict]) -> list[Review]:
    ids: dict[str, int] = {}
    out = []
    for row in rows:
        if row["rating"] not in (1, 2, 3, 4) or not row["ts"]:
            continue
        card = ids.setdefault(row["card_id"], len(ids) + 1)
        out.append(Review(card, parse_ts(row["ts"]), int(row["rating"]), row["duration_ms"]))
    return out


def _by_card(reviews: list[Review]) -> dict[int, list[Review]]:
    cards: dict[int, list[Review]] = defaultdict(list)
    for r in reviews:
        cards[r.card].append(r)
    for history in cards.values():
        history.sort(key=lambda r: r.ts)
    return dict(sorted(cards.items()))


def usable_reviews(reviews: list[Review]) -> int:
    n = 0
    for history in _by_card(reviews).values():
        history = history[:MAX_SEQ]
        for prev, cur in zip(history, history[1:]):
            if (cur.ts - prev.ts).days > 0:
                n += 1
    return n


def log_loss(reviews: list[Review], parameters) -> float:
    """Mean binary cross-entropy of predicted recall on the reviews the optimizer learns from."""
    import fsrs

    scheduler = fsrs.Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
    total, n = 0.0, 0
    for card_id, history in _by_card(reviews).items():
        card = None
        for i, r in enumerate(history[:MAX_SEQ]):
            if i == 0:
                card = fsrs.Card(card_id=card_id, due=r.ts)
            if card.last_review and (r.ts - card.last_review).days > 0:
                p = float(scheduler.get_card_retrievability(card, current_datetime=r.ts))
                p = min(max(p, 1e-7), 1 - 1e-7)
                y = 0.0 if r.rating == 1 else 1.0
                total -= y * math.log(p) + (1 - y) * math.log(1 - p)
                n += 1
            card, _ = scheduler.review_card(card, fsrs.Rating(r.rating), review_datetime=r.ts)
    return total / n if n else float("nan")


def sample_for_fit(reviews: list[Review], limit: int = MAX_FIT_REVIEWS, seed: int = 0) -> list[Review]:
    """Whole cards, drawn at random, until their reviews (the first MAX_SEQ of each) reach ``limit``."""
    import random

    cards = _by_card(reviews)
    if sum(min(len(h), MAX_SEQ) for h in cards.values()) <= limit:
        return reviews
    order = list(cards)
    random.Random(seed).shuffle(order)
    chosen: list[Review] = []
    for card in order:
        history = cards[card][:MAX_SEQ]
        if chosen and len(chosen) + len(history) > limit:
            continue
        chosen.extend(history)
        if len(chosen) >= limit * 0.98:
            break
    return chosen


def default_parameters() -> tuple[float, ...]:
    import fsrs.scheduler

    return tuple(fsrs.scheduler.DEFAULT_PARAMETERS)


def _optimizer_class():
    """``fsrs.Optimizer``, needing torch and tqdm but not pandas.

    fsrs's optimizer module imports pandas only for its retention simulator, which learndl does not
    use; and with pandas installed, sqlite-utils imports it on every learndl start (about 0.8 s). So
    when pandas is absent, a placeholder stands in for it while fsrs.optimizer is imported, and is
    removed right after.
    """
    import importlib.util
    import sys
    import types

    from ..errors import UserError

    placeholder = "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None
    if placeholder:
        sys.modules["pandas"] = types.ModuleType("pandas")
    try:
        from fsrs.optimizer import Optimizer
    except ImportError as exc:
        raise UserError(f"the FSRS optimizer cannot be loaded ({exc}); it needs torch and tqdm: pip install torch tqdm") from None
    finally:
        if placeholder:
            sys.modules.pop("pandas", None)
    return Optimizer


def fit(reviews: list[Review], verbose: bool = True) -> tuple[float, ...]:
    """The optimizer's parameters for these reviews (it shows its own progress bar on stderr)."""
    import fsrs
    from fsrs.review_log import ReviewLog

    from ..errors import UserError

    Optimizer = _optimizer_class()
    logs = [ReviewLog(card_id=r.card, rating=fsrs.Rating(r.rating), review_datetime=r.ts, review_duration=r.duration_ms) for r in reviews]
    try:
        optimizer = Optimizer(logs)
    except ImportError as exc:  # fsrs's stand-in class when torch or tqdm is missing
        raise UserError(f"the FSRS optimizer is not installed: {' '.join(str(exc).split())}; it needs torch and tqdm") from None
    return tuple(float(x) for x in optimizer.compute_optimal_parameters(verbose=verbose))
