"""A review session: which card comes next, answering, suspending, burying and undo.

No rendering and no key reading here (that is ``commands/quiz.py``), and no SQL (that is
``store/cards.py``). The queue is asked for afresh before every card, so it always reflects what
is saved: due learning cards first, then due reviews and new cards interleaved, then learning cards
that fall due within the learn-ahead window. Siblings of a card answered today wait until tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Callable

from .errors import UserError
from .scheduler import Memory, Rating, Scheduler, SchedulerConfig, State, format_interval, next_day_start, study_day
from .store import cards as store
from .store import due as due_store
from .store.cards import StaleCard
from .store.due import LEARN_AHEAD


@dataclass
class QueueOptions:
    decks: list[str] = field(default_factory=list)
    chapters: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    limit: int | None = None
    ahead_days: float = 0.0
    extra_new: int = 0  # --new N: this many new cards today beyond the day's limit

    def flags(self) -> str:
        """These options as command-line flags (for suggestions such as "learndl quiz --new 10")."""
        parts = [f"--deck {d}" for d in self.decks] + [f"--chapter {c}" for c in self.chapters]
        return " ".join(parts + [f"--tag {t}" for t in self.tags])

    def scope(self) -> str:
        """These filters in words (" in chapter 4", " in deck ch03-x or ch04-y tagged softmax"), or ""."""
        parts = []
        if self.decks:
            parts.append(f"in deck{'s' if len(self.decks) > 1 else ''} {' or '.join(self.decks)}")
        if self.chapters:
            parts.append(f"in chapter{'s' if len(self.chapters) > 1 else ''} {' or '.join(map(str, self.chapters))}")
        if self.tags:
            parts.append(f"tagged {' or '.join(self.tags)}")
        return (" " + " ".join(parts)) if parts else ""


@dataclass
class Outcome:
    memory: Memory | None
    leech: bool
    review_id: int | None
    stale: bool = False  # answered (or changed) in another session: nothing was saved
    answered_elsewhere: bool = False  # stale because another session answered it (not suspended it)


def check_options(db, options: QueueOptions) -> None:
    """Unknown decks, chapters or tags are a user error, not an empty session."""
    known_decks = {row["id"] for row in store.deck_rows(db)}
    for deck in options.decks:
        if deck not in known_decks:
            hint = ", ".join(sorted(known_decks)[:8])
            raise UserError(f"unknown deck '{deck}' (known: {hint}{', …' if len(known_decks) > 8 else ''}; see learndl decks list)")
    chapters = store.known_chapters(db)
    for chapter in options.chapters:
        if chapter not in chapters:
            raise UserError(f"unknown chapter {chapter} (decks cover chapters {', '.join(map(str, sorted(chapters)))})")
    tags = store.known_tags(db)
    for tag in options.tags:
        if tag not in tags:
            raise UserError(f"unknown tag '{tag}' (no card has it)")
    if options.limit is not None and options.limit < 1:
        raise UserError("--limit must be 1 or more")
    if options.ahead_days < 0:
        raise UserError("--ahead must be 0 days or more")
    if options.extra_new < 0:
        raise UserError("--new must be 0 or more")


class Session:
    def __init__(self, db, settings, clock: Callable[[], datetime], options: QueueOptions | None = None):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.options = options or QueueOptions()
        if self.options.extra_new:
            # --new N raises the study day's limit itself (as Anki's "increase today's new card
            # limit"), so a later quiz, status and the report count those cards too.
            from .store.db import write_txn

            with write_txn(db):
                due_store.raise_new_limit(db, self.day(), self.options.extra_new)
            self.options = replace(self.options, extra_new=0)
        self.scheduler = Scheduler(SchedulerConfig.from_settings(settings))
        self.filters = store.queue_filters(self.options.decks, self.options.chapters, self.options.tags)
        self.shown_notes: set[str] = set()
        self.undo_stack: list[tuple] = []
        self.answered = 0
        self.again = 0
        self.total_ms = 0
        self.new_shown = 0
        self.reviews_shown = 0
        self.started = clock()
        counts = self.remaining()
        self.initial_new = counts["new"]
        self.initial_review = counts["review"]

    # ------------------------------------------------------------ the queue

    def day(self, now: datetime | None = None) -> str:
        return study_day(now or self.clock(), self.settings.day_starts_hour)

    def _until(self, now: datetime) -> datetime:
        return next_day_start(now, self.settings.day_starts_hour) + timedelta(days=self.options.ahead_days)

    def due(self) -> due_store.Due:
        """Due now and due today within this session's filters, limits and ``--new``."""
        return due_store.due(
            self.db, self.settings, self.clock(), self.filters,
            extra_new=self.options.extra_new, ahead_days=self.options.ahead_days,
        )

    def remaining(self) -> dict:
        """Cards still to come today within the filters and the day's limits: learning cards due
        today (those coming back later today too), reviews and new cards, capped by ``--limit``."""
        counts = self.due().today.to_dict()
        if self.options.limit is not None:
            left = max(0, self.options.limit - self.answered)
            total = counts["learning"] + counts["review"] + counts["new"]
            if total > left:
                scale = left / total if total else 0
                counts = {k: int(v * scale) for k, v in counts.items()}
                counts["learning"] += left - sum(counts.values())
        return counts

    def next_card(self) -> dict | None:
        if self.options.limit is not None and self.answered >= self.options.limit:
            return None
        now = self.clock()
        day = self.day(now)
        ahead = timedelta(days=self.options.ahead_days)
        card = store.next_due_learning(self.db, now + ahead, day, self.filters, set())
        if card:
            return card
        new_done, review_done = due_store.studied_today(self.db, day)
        review = None
        if review_done < self.settings.max_reviews_per_day:
            review = store.next_due_review(self.db, self._until(now), day, self.filters, self.shown_notes)
        new = None
        if new_done < due_store.new_limit(self.db, self.settings, day, self.options.extra_new):
            new = store.next_new(self.db, day, self.filters, self.shown_notes)
        if review and new:
            # Interleave in proportion to how many of each the session started with.
            new_share = self.new_shown / max(self.initial_new, 1)
            review_share = self.reviews_shown / max(self.initial_review, 1)
            return new if new_share < review_share else review
        if review or new:
            return review or new
        return store.next_due_learning(self.db, now + ahead + LEARN_AHEAD, day, self.filters, set())

    def shown(self, card: dict) -> None:
        """Note that ``card`` is on screen (siblings then wait)."""
        self.shown_notes.add(card["note_id"])

    # ------------------------------------------------------------ answering

    def memory(self, card: dict) -> Memory:
        return Memory.from_dict(card)

    def intervals(self, card: dict) -> dict[Rating, str]:
        preview = self.scheduler.preview(self.memory(card), self.clock(), seed=card["id"])
        return {rating: format_interval(delta) for rating, delta in preview.items()}

    def answer(self, card: dict, rating: int, duration_ms: int) -> Outcome:
        now = self.clock()
        before = self.memory(card)
        memory = self.scheduler.review(before, rating, now, seed=card["id"])
        leech = (
            int(rating) == Rating.AGAIN
            and memory.lapses > before.lapses
            and memory.lapses >= self.settings.leech_lapses
        )
        try:
            review_id = store.record_review(
                self.db, card, memory, rating=rating, now=now, day=self.day(now), duration_ms=duration_ms, leech=leech
            )
        except StaleCard as exc:
            return Outcome(memory=None, leech=False, review_id=None, stale=True, answered_elsewhere=exc.answered)
        self.undo_stack.append(("review", review_id, card["id"], int(rating), duration_ms, card.get("state") or 0))
        self.answered += 1
        self.total_ms += duration_ms
        if int(rating) == Rating.AGAIN:
            self.again += 1
        if (card.get("state") or 0) == State.NEW:
            self.new_shown += 1
        elif card.get("state") == State.REVIEW:
            self.reviews_shown += 1
        return Outcome(memory=memory, leech=leech, review_id=review_id)

    def suspend(self, card: dict) -> None:
        prev = store.set_flags(self.db, card["id"], suspended=1)
        self.undo_stack.append(("flags", card["id"], prev, "the suspend"))

    def bury(self, card: dict) -> None:
        prev = store.set_flags(self.db, card["id"], buried_until=self.day())
        self.undo_stack.append(("flags", card["id"], prev, "the bury"))

    def undo_label(self) -> str:
        """What ``undo`` would take back, in words ("your Good", "the bury")."""
        if not self.undo_stack:
            return "nothing"
        action = self.undo_stack[-1]
        if action[0] == "review":
            return f"your {Rating(action[3]).name.title()}"
        return action[3]

    def undo(self) -> dict | None:
        """Undo the last answer (or suspend/bury) of this session; returns the card to show again.

        Raises ``StaleCard`` (and forgets that answer) when another session answered the card since:
        undoing would throw that answer away."""
        if not self.undo_stack:
            return None
        action = self.undo_stack.pop()
        if action[0] == "review":
            _, review_id, card_id, rating, duration_ms, prev_state = action
            store.undo_review(self.db, review_id)
            self.answered -= 1
            self.total_ms -= duration_ms
            if rating == Rating.AGAIN:
                self.again -= 1
            if prev_state == State.NEW:
                self.new_shown -= 1
            elif prev_state == State.REVIEW:
                self.reviews_shown -= 1
        else:
            _, card_id, prev, _label = action
            store.set_flags(self.db, card_id, **prev)
        return store.get_card(self.db, card_id)

    # ------------------------------------------------------------ the end

    def summary(self) -> dict:
        now = self.clock()
        day = self.day(now)
        next_due = due_store.next_due_after(self.db, now, self.filters, day=day, day_end=next_day_start(now, self.settings.day_starts_hour))
        return {
            "cards": self.answered,
            "again": self.again,
            "again_rate": (self.again / self.answered) if self.answered else 0.0,
            "seconds": round(self.total_ms / 1000),
            "next_due": next_due,
            "due": self.due(),
        }
