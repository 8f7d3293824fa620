"""The end-of-session summary, counted with the definitions ``cvquiz status`` uses.

Reviews are ratings logged (undone ones are gone), cards are distinct cards reviewed; "due later today" is the
(re)learning cards still due before today's study day ends, "due tomorrow" the cards due on tomorrow's study day
(as the status forecast counts them); when learning cards are still due today, the summary says when to come
back for the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import activity, queue
from cvquiz.model import CardType
from cvquiz.streaks import streaks

if TYPE_CHECKING:
    from cvquiz.study.session import Session

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True)
class Summary:
    """The end-of-session summary.

    Attributes:
        reviews: ratings given this session (undone ones not counted), as status counts reviews.
        cards: distinct cards rated.
        again: ratings of Again.
        compute_answered: compute cards answered (given-up ones included).
        compute_correct: of which the engine judged correct.
        code_answered: code cards rated (those shown without an attempt included).
        code_passed: of which an attempt passed every case.
        seconds: the session's wall time.
        streak: consecutive study days with at least one review, ending today.
        due_later_today: (re)learning cards due later in today's study day.
        next_learning_minutes: minutes until the first of them is due, or None when there is none.
        due_tomorrow: cards due on tomorrow's study day.
        left_today: cards still in today's queue, within the daily limits (a session quit early leaves some).
    """

    reviews: int
    cards: int
    again: int
    compute_answered: int
    compute_correct: int
    seconds: float
    streak: int
    due_later_today: int
    next_learning_minutes: int | None
    due_tomorrow: int
    code_answered: int = 0
    code_passed: int = 0
    left_today: int = 0

    @property
    def again_rate(self) -> float:
        """Share of Again ratings (0 when nothing was studied)."""
        return self.again / self.reviews if self.reviews else 0.0

    @property
    def accuracy(self) -> float | None:
        """Share of compute answers judged correct, or None when there were none."""
        return self.compute_correct / self.compute_answered if self.compute_answered else None


def summarize(session: Session, elapsed: float) -> Summary:
    """Sum a session up.

    Args:
        session: the session.
        elapsed: its wall time in seconds.
    """
    now = session.now()
    settings = session.settings
    today = clock.study_day(now, settings.rollover_hour)
    rated = session.rated
    compute = [r for r in rated if r.correct is not None and r.view.type is CardType.COMPUTE]
    code = [r for r in rated if r.view.type is CardType.CODE]
    later, first = queue.learning_later_today(session.col, now, settings, session.flt)
    minutes = None
    if first is not None:
        minutes = max(int((first - now).total_seconds() + 59) // 60, 1)
    tomorrow = (today + timedelta(days=1)).isoformat()
    # as the status forecast counts: overdue cards count today, so tomorrow is only what falls due then
    due = activity.due_counts(session.col, today, today + timedelta(days=1))
    return Summary(
        reviews=len(rated),
        cards=len({r.view.pk for r in rated}),
        again=sum(r.rating is not None and int(r.rating) == 1 for r in rated),
        compute_answered=len(compute),
        compute_correct=sum(bool(r.correct) for r in compute),
        seconds=elapsed,
        streak=streaks(activity.study_days(session.col), today).current,
        due_later_today=later,
        next_learning_minutes=minutes,
        due_tomorrow=due.get(tomorrow, 0),
        code_answered=len(code),
        code_passed=sum(bool(r.correct) for r in code),
        # today's queue for the same selection: a cram session's own queue is every card it selects
        left_today=queue.queue_counts(
            session.col, now, settings, replace(session.flt, cram=False)
        ).total,
    )
