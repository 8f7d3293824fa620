"""The scheduling state of one card, as the collection stores it, and the study day it falls due on.

Plain data with no scheduling policy: the collection reads and writes it, `cvquiz.scheduler` computes the next
one with py-fsrs, and `cvquiz.review_policy` decides what a review writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cvquiz import clock
from cvquiz.model import State

if TYPE_CHECKING:
    import fsrs

__all__ = ["DAY_MS", "ReviewPlan", "SchedState", "due_day"]

DAY_MS = 86_400_000
"""One day in milliseconds (py-fsrs counts elapsed time in whole 24-hour days)."""

_ROW_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


@dataclass(frozen=True)
class SchedState:
    """The scheduling part of one card's schedule row.

    Attributes:
        state: new, learning, review or relearning.
        step: the (re)learning step py-fsrs is on, or None (new and review cards).
        stability: FSRS stability in days, or None while new.
        difficulty: FSRS difficulty (1-10), or None while new.
        due: when the card is next due (UTC), or None while new.
        last_review: when it was last reviewed (UTC), or None while new.
        reps: how many times it was reviewed.
        lapses: how many times it was forgotten in the review state.
    """

    state: State = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    def to_row(self) -> dict[str, Any]:
        """Return the schedule-table columns: times as integer ms since the epoch, state as its integer."""
        return {
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": None if self.due is None else clock.to_ms(self.due),
            "last_review": None if self.last_review is None else clock.to_ms(self.last_review),
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SchedState:
        """Build a state from schedule-table columns (extra keys are ignored).

        Args:
            row: a mapping with at least the columns `to_row` writes.
        """
        due, last = row["due"], row["last_review"]
        return cls(
            state=State(row["state"]),
            step=row["step"],
            stability=None if row["stability"] is None else float(row["stability"]),
            difficulty=None if row["difficulty"] is None else float(row["difficulty"]),
            due=None if due is None else clock.from_ms(int(due)),
            last_review=None if last is None else clock.from_ms(int(last)),
            reps=int(row.get("reps") or 0),
            lapses=int(row.get("lapses") or 0),
        )

    def to_json(self) -> str:
        """Return the state as JSON (the ``to_row`` columns), as kept in ``reviews.before/after``."""
        return json.dumps(self.to_row())

    @classmethod
    def from_json(cls, text: str) -> SchedState:
        """Build a state from `to_json` output (extra keys, such as the rest of the row, are ignored)."""
        return cls.from_row(json.loads(text))

    def to_fsrs(self, now: datetime, card_id: int = 0) -> fsrs.Card:
        """Return the py-fsrs Card for this state; a new card becomes py-fsrs' fresh learning card.

        Args:
            now: stands in for the due time of a new card (py-fsrs requires one).
            card_id: the id to give the py-fsrs card (passing one also avoids py-fsrs' 1 ms sleep).
        """
        import fsrs

        if self.state is State.NEW:
            return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=_utc(now))
        return fsrs.Card(
            card_id=card_id,
            state=fsrs.State(int(self.state)),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due) if self.due is not None else _utc(now),
            last_review=None if self.last_review is None else _utc(self.last_review),
        )


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass a timezone-aware datetime")
    return when.astimezone(UTC)


def due_day(sched: SchedState, rollover_hour: int) -> date | None:
    """Return the study day a card falls due on.

    An interval of whole days (every review interval; day-long learning steps) counts in calendar days from
    the study day of the last review, so a daylight-saving change cannot move the due time across the
    rollover hour into the day before or after. Shorter steps fall due on the study day of their due time.

    Args:
        sched: the card's state.
        rollover_hour: the local hour at which study days start.

    Returns:
        The study day, or None for a new card.
    """
    if sched.due is None:
        return None
    if sched.last_review is not None:
        gap = clock.to_ms(sched.due) - clock.to_ms(sched.last_review)
        if gap >= DAY_MS and gap % DAY_MS == 0:
            return clock.study_day(sched.last_review, rollover_hour) + timedelta(days=gap // DAY_MS)
    return clock.study_day(sched.due, rollover_hour)


@dataclass(frozen=True)
class ReviewPlan:
    """What recording one review writes, as the review policy (`cvquiz.review_policy`) decided it.

    Attributes:
        before: the card's scheduling state before.
        after: its scheduling state after.
        row: the schedule row to write (every column but the key).
        study_day: the study day the review counts for (ISO date).
        became_leech: this review made the card a leech.
        suspended: the card is suspended after the review.
        bury_siblings_until: bury the card's new and review siblings until this study day, or None.
        leech_action: the ``leech_action`` setting in force.
        cram: a cram review: logged, the schedule left as it was.
    """

    before: SchedState
    after: SchedState
    row: dict[str, Any]
    study_day: str
    became_leech: bool
    suspended: bool
    bury_siblings_until: str | None
    leech_action: str
    cram: bool = False
