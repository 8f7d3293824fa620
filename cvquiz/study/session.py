"""A study session over today's queue: the next card, judging, rating, an undo stack, suspend and bury.

A `Session` hands out cards as `CardView`s and records what the user does, each change committed before the
next card is handed out. It holds no terminal code: `cvquiz.study.loop.run_session` drives it through a
`StudyUI`. Every action that changes the collection (rating, suspend, bury) goes on an undo stack, as in
Anki: `undo` takes back the last one exactly and brings its card back on screen. Each action is also a change
in the collection's undo log (`cvquiz.collection.undo`), so ``cvquiz undo`` takes back the last one made in a
drill, and the session's undo takes back its own only while it is still the collection's newest change.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import Collection, queue
from cvquiz.config import Settings
from cvquiz.model import CardType, Rating
from cvquiz.study.ui import Button
from cvquiz.study.view import CardView, make_view

if TYPE_CHECKING:
    from cvquiz.answers import Judgement
    from cvquiz.collection import scheduling as sched
    from cvquiz.study.summary import Summary

__all__ = ["Done", "Session", "Undone"]


@dataclass(frozen=True)
class Done:
    """One action taken in the session, as the undo stack keeps it.

    Attributes:
        kind: ``rate``, ``suspend`` or ``bury``.
        view: the card.
        rating: the rating (``rate``), else None.
        review_id: the review row (``rate``), else None.
        correct: the engine's verdict on a compute answer, or None.
        duration_ms: time spent on the card (``rate``).
        buried_before: what the card's ``buried_until`` was before a bury.
        outcome: what recording the review did (``rate``).
        change_id: the action's entry in the collection's undo log (None: it changed nothing).
    """

    kind: str
    view: CardView
    rating: Rating | None = None
    review_id: int | None = None
    correct: bool | None = None
    duration_ms: int = 0
    buried_before: str | None = None
    outcome: sched.ReviewOutcome | None = None
    change_id: int | None = None


@dataclass(frozen=True)
class Undone:
    """What an undo took back: the action and its card (which is shown again next)."""

    kind: str
    view: CardView
    rating: Rating | None = None


@dataclass
class Session:
    """A study session over today's queue.

    Attributes:
        col: the open collection.
        settings: the user's settings.
        now: a function returning the current time (fixed when ``CVQUIZ_NOW`` is set).
        lang: the language cards are shown in.
        flt: which decks and tags, and the daily limits.
        rng: where compute seeds come from.
        limit: stop after this many ratings (None: when the queue is empty).
        done: the actions taken, oldest first (the undo stack).
    """

    col: Collection
    settings: Settings
    now: Callable[[], datetime]
    lang: str = "en"
    flt: queue.QueueFilter = field(default_factory=queue.QueueFilter)
    rng: random.Random = field(default_factory=random.Random)
    limit: int | None = None
    done: list[Done] = field(default_factory=list)
    _again_next: list[CardView] = field(default_factory=list)

    def __post_init__(self) -> None:
        # the decks the session studies are the ones its filter names when it starts
        self.flt = queue.resolve_decks(self.col, self.flt)

    @property
    def rated(self) -> list[Done]:
        """The ratings given this session (undone ones are gone), oldest first."""
        return [d for d in self.done if d.kind == "rate"]

    def next(self) -> CardView | None:
        """Return the next card to show, or None when the session is done (limit reached or nothing due)."""
        if self._again_next:
            return self._again_next.pop()
        if self.limit is not None and len(self.rated) >= self.limit:
            return None
        qc = queue.next_card(self.col, self.now(), self.settings, self.flt, self._seen())
        if qc is None:
            return None
        seed = self.rng.randrange(2**31) if qc.type == CardType.COMPUTE.value else None
        return make_view(qc, self.lang, seed)

    def push_back(self, view: CardView) -> None:
        """Put a card back so that `next` returns it first."""
        self._again_next.append(view)

    def counts(self) -> queue.QueueCounts:
        """Return the cards left today by kind (new, learning, review)."""
        return queue.queue_counts(self.col, self.now(), self.settings, self.flt, self._seen())

    def _seen(self) -> set[int]:
        """Cards rated this session, which custom study (ahead, forgotten) shows once only."""
        if self.flt.ahead_days or self.flt.forgotten_days is not None or self.flt.cram:
            return {d.view.pk for d in self.rated}
        return set()

    def buttons(self, view: CardView) -> tuple[Button, ...]:
        """Return the four rating buttons with the interval each gives, exactly as rating would give it."""
        from cvquiz.review_policy import preview
        from cvquiz.scheduler import format_interval

        now = clock.from_ms(clock.to_ms(self.now()))
        if self.flt.cram:  # cramming leaves the schedule as it is: no button changes an interval
            return tuple(Button(rating, "–", 0.0) for rating in Rating)
        buttons = []
        for rating, after in preview(self.col, view.pk, now, self.settings).items():
            assert after.due is not None
            delta = after.due - now
            buttons.append(Button(rating, format_interval(delta), delta.total_seconds() / 86400))
        return tuple(buttons)

    def previews(self, view: CardView) -> dict[Rating, str]:
        """Return the interval label of each rating ("1m", "10m", "1d", "3d")."""
        return {b.rating: b.interval for b in self.buttons(view)}

    def judge(self, view: CardView, text: str) -> Judgement:
        """Judge a typed answer to a compute card.

        Raises:
            AnswerParseError: when the text cannot be read; the user should try again.
        """
        from cvquiz.generators import judge_instance

        assert view.instance is not None
        return judge_instance(view.instance, text)

    def rate(
        self,
        view: CardView,
        rating: Rating,
        duration_ms: int,
        answer: str | None = None,
        correct: bool | None = None,
        waiting: Callable[[], None] = lambda: None,
    ) -> sched.ReviewOutcome:
        """Record a rating; it is committed before this returns.

        Args:
            waiting: called when another cvquiz is writing to the collection, before waiting for it.

        Raises:
            CollectionBusyError: when the other cvquiz kept writing for longer than the busy timeout: nothing
                was recorded, and the rating can be given again.
        """
        from cvquiz.review_policy import record_review

        outcome = self.col.write_patiently(
            lambda: record_review(
                self.col,
                view.pk,
                rating,
                self.now(),
                self.settings,
                duration_ms=duration_ms,
                answer=answer,
                correct=correct,
                seed=view.seed,
                cram=self.flt.cram,
            ),
            waiting,
        )
        self.done.append(
            Done(
                "rate",
                view,
                rating=rating,
                review_id=outcome.review_id,
                correct=correct,
                duration_ms=duration_ms,
                outcome=outcome,
                change_id=outcome.change_id,
            )
        )
        return outcome

    def suspend(self, view: CardView) -> None:
        """Suspend the card (it leaves every queue until unsuspended)."""
        from cvquiz.collection import changes  # only when the user suspends or buries

        change = changes.suspend(self.col, [view.pk], clock.to_ms(self.now()), view.ref)
        self.done.append(Done("suspend", view, change_id=change.id))

    def bury(self, view: CardView) -> None:
        """Bury the card until the next study day."""
        from cvquiz.collection import changes
        from cvquiz.collection import scheduling as sched

        now = self.now()
        before = sched.schedule_row(self.col, view.pk)["buried_until"]
        today = clock.study_day(now, self.settings.rollover_hour)
        change = changes.bury(self.col, [view.pk], today, clock.to_ms(now), view.ref)
        self.done.append(Done("bury", view, buried_before=before, change_id=change.id))

    def undo(self) -> Undone | None:
        """Take back the last action of this session: a rating exactly, a suspend, a bury.

        The card comes back: `next` returns it first. None when there is nothing to undo.

        Raises:
            UndoError: when another change was made to the collection since (``cvquiz suspend`` in another
                terminal, say): it is the one to undo first, with ``cvquiz undo``. The action stays on the stack.
        """
        from cvquiz.collection import scheduling as sched
        from cvquiz.collection import undo

        if not self.done:
            return None
        last = self.done[-1]
        if last.change_id is not None and undo.is_logged(self.col, last.change_id):
            undo.undo_change(self.col, last.change_id)
        elif last.kind == "rate":  # trimmed from the log (it keeps the newest): the review knows
            assert last.review_id is not None
            sched.undo_review(self.col, last.review_id)
        elif last.kind == "suspend" and last.change_id is not None:
            sched.unsuspend(self.col, [last.view.pk])
        elif last.kind == "bury" and last.change_id is not None:
            sched.set_buried(self.col, last.view.pk, last.buried_before)
        self.done.pop()
        self._again_next.append(last.view)
        return Undone(last.kind, last.view, last.rating)

    def summary(self, elapsed: float = 0.0) -> Summary:
        """Sum the session up (see `cvquiz.study.summary`).

        Args:
            elapsed: the session's wall time in seconds.
        """
        from cvquiz.study.summary import summarize

        return summarize(self, elapsed)
