"""``learndl optimize``: fit the FSRS parameters to the learner's whole review history.

The fitting is fsrs-rs (the Rust FSRS that Anki runs), through its Python binding
``fsrs_rs_python``: the same 21-parameter FSRS-6 model as the ``fsrs`` package that schedules
learndl's reviews, so a parameter set fitted here is used as it is by ``fsrs.Scheduler``
(tests/test_optimize.py replays a history through both and compares the memory states). No torch.

A card's history becomes FSRS *items* the way Anki builds them: each review is a (rating, days since
the previous review) pair; every review a day or more after the previous one is one item, which holds
the card's reviews up to and including it. Reviews within a day (learning steps) stay in the history
with 0 days, as fsrs-rs's short-term model expects. Days are whole 24-hour periods, as
``fsrs.Scheduler`` counts them when it schedules (Anki counts study days instead), so the model that
is fitted is the model that schedules. ``evaluate`` is fsrs-rs's own measure:
log loss, and RMSE over bins of similar reviews, lower is better for both.
"""

from __future__ import annotations

from dataclasses import dataclass

# fsrs-rs returns the defaults below 8 items and fits only the four first-review stabilities below
# 64; learndl asks for the 64 that let it fit the whole model.
MIN_REVIEWS = 64
# Anki trains on items of up to 64 reviews (fsrs-rs's own default; the Python binding's is 256, four
# times the work on long histories). Longer items are still measured by ``evaluate``: only a card
# reviewed more than 64 times has them, and its first 64 reviews are trained on.
MAX_SEQ_LEN = 64
DAY = 86_400


@dataclass(frozen=True)
class Measure:
    log_loss: float
    rmse: float  # RMSE (bins), as a fraction


def histories(rows) -> list[list[tuple[int, int]]]:
    """Each card's reviews as (rating, days since its previous review), in time order.

    ``rows`` are (card_id, t, rating) oldest first, as ``store.interop.review_history`` gives them
    (``t`` in seconds since the epoch); other ratings than 1-4 are left out.
    """
    last: dict[str, int] = {}
    cards: dict[str, list[tuple[int, int]]] = {}
    for card, t, rating, *_ in rows:
        if rating not in (1, 2, 3, 4) or t is None:
            continue
        prev = last.get(card)
        cards.setdefault(card, []).append((rating, 0 if prev is None else max(0, (t - prev) // DAY)))
        last[card] = t
    return list(cards.values())


def _build(cards: list[list[tuple[int, int]]], longest: int | None) -> tuple[list, list]:
    """All items (up to ``longest`` reviews, if given), and those fsrs-rs trains on."""
    import gc

    from fsrs_rs_python import FSRSItem, FSRSReview

    items, train = [], []
    collecting = gc.isenabled()
    gc.disable()  # a million small objects, none of them cyclic: the collector would only rescan them
    try:
        for history in cards:
            steps = [FSRSReview(rating, delta) for rating, delta in history]
            end = len(history) if longest is None else min(len(history), longest)
            for i in range(1, end):
                if history[i][1] > 0:
                    item = FSRSItem(steps[: i + 1])
                    items.append(item)
                    if i < MAX_SEQ_LEN:
                        train.append(item)
    finally:
        if collecting:
            gc.enable()
    return items, train


def fsrs_items(cards: list[list[tuple[int, int]]]) -> list:
    """fsrs-rs items: one per review a day or more after the card's previous one, holding the card's
    reviews up to it. All of them are measured by ``evaluate``."""
    return _build(cards, None)[0]


def trainable(cards: list[list[tuple[int, int]]]) -> list:
    """The items fsrs-rs trains on (it drops longer ones itself; they are not even built here)."""
    return _build(cards, MAX_SEQ_LEN)[1]


def measured_and_trainable(cards: list[list[tuple[int, int]]]) -> tuple[list, list]:
    """Both lists at once, sharing the items: what ``learndl optimize`` measures, and what it fits."""
    return _build(cards, None)


def default_parameters() -> tuple[float, ...]:
    import fsrs.scheduler

    return tuple(fsrs.scheduler.DEFAULT_PARAMETERS)


def check(parameters) -> None:
    """Raise ValueError when fsrs-rs cannot use these parameters (a NaN or an infinity, say)."""
    from fsrs_rs_python import check_and_fill_parameters

    check_and_fill_parameters(list(parameters))


def evaluate(items: list, parameters) -> Measure:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(items)
    return Measure(float(result.log_loss), float(result.rmse_bins))


def fit(items: list) -> tuple[float, ...]:
    """fsrs-rs's parameters for these items (its defaults: 5 epochs, Anki's training settings)."""
    from fsrs_rs_python import FSRS, TrainingConfig

    model = FSRS(list(default_parameters()))
    return tuple(float(x) for x in model.compute_parameters(items, training_config=TrainingConfig(max_seq_len=MAX_SEQ_LEN)))
