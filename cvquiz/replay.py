"""Replaying a card's review history through the scheduler: the state a card has after a merged log.

Part of the scheduler layer, beside `cvquiz.scheduler`. When reviews done elsewhere (in Anki, on the phone) join
the reviews logged here, a card's FSRS state is what py-fsrs gives for the whole history in time order, not
what either side computed alone. `replay` walks the events from a new card: each review goes through
`cvquiz.scheduler.answer_states` (with the fuzz factor `cvquiz.review_policy.plan_review` uses, so a history
of this collection's own reviews replays to exactly the states it recorded), and a reset makes the card new
again (``cvquiz forget``, Anki's "Reset" / "Forget").

Pure: no clock, no SQL, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.scheduler import SchedState, answer_states, fuzz_factor

__all__ = ["Event", "ReplayStep", "replay"]


@dataclass(frozen=True)
class Event:
    """One event of a card's history.

    Attributes:
        at: when it happened (timezone-aware).
        rating: the rating of a review, or None for a reset (the card becomes new).
        key: what the caller wants back with the step (e.g. the review's row, or the Anki entry).
    """

    at: datetime
    rating: Rating | None
    key: object = None


@dataclass(frozen=True)
class ReplayStep:
    """A review of the replay with the states around it.

    Attributes:
        event: the review.
        before: the card's state before it.
        after: its state after it.
    """

    event: Event
    before: SchedState
    after: SchedState


def replay(
    events: Sequence[Event], settings: Settings, card_pk: int
) -> tuple[list[ReplayStep], SchedState]:
    """Replay a card's history, oldest first (events at the same instant keep their order).

    Args:
        events: its reviews and resets, in any order.
        settings: the scheduler settings (parameters, retention, steps, fuzz).
        card_pk: the card's key in the collection (it seeds fuzz, as recording a review does).

    Returns:
        Each review with the states before and after it, and the card's final state (new when the history
        ends with a reset or has no review).

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    ordered = sorted(enumerate(events), key=lambda item: (item[1].at, item[0]))
    state = SchedState()
    steps: list[ReplayStep] = []
    for _, event in ordered:
        if event.rating is None:
            state = SchedState()
            continue
        factor = fuzz_factor(card_pk, state.reps)
        after = answer_states(state, event.at, settings, factor)[event.rating]
        steps.append(ReplayStep(event, state, after))
        state = after
    return steps, state
