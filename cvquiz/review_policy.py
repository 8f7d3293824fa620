"""The review policy: what recording one review writes, decided by a pure function the collection calls.

`plan_review` takes a card's schedule row as stored and returns a `ReviewPlan`: the new state from
`cvquiz.scheduler.answer_states` (py-fsrs, then Anki's fuzz with a factor seeded per card and review, and Hard <
Good < Easy), the leech flag and the leech action, and the burying of siblings until the next study day. The
collection writes the plan, with the review row, in one transaction (`cvquiz.collection.scheduling.write_review`);
it knows nothing of settings or schedulers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cvquiz import clock
from cvquiz.cardstate import ReviewPlan, SchedState, due_day
from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.scheduler import answer_states, fuzz_factor

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.collection.scheduling import ReviewOutcome

__all__ = ["plan_review", "preview", "record_review"]


def plan_review(
    card_key: int,
    row: Mapping[str, Any],
    rating: Rating,
    now: datetime,
    settings: Settings,
    cram: bool = False,
) -> ReviewPlan:
    """Decide what reviewing a card writes.

    A card whose lapses reach ``leech_threshold`` is flagged as a leech (``became_leech`` on that review only)
    and, with ``leech_action = "suspend"``, suspended. Studying a buried card brings it back; its siblings (the
    other sides of a reversed card, the other deletions of a cloze) are buried until the next study day. A
    cram review leaves the schedule as it was.

    Args:
        card_key: the card's key (seeds the fuzz, with its review count).
        row: the card's schedule row as stored.
        rating: the rating.
        now: the time of the review.
        settings: scheduler settings, rollover hour, leech threshold and action, fuzz.
        cram: log the review without changing the schedule.

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    now = clock.from_ms(clock.to_ms(now))
    rollover = settings.rollover_hour
    today = clock.study_day(now, rollover)
    before = SchedState.from_row(row)
    if cram:
        kept = {key: row[key] for key in row if key != "card_pk"}
        return ReviewPlan(
            before=before,
            after=before,
            row=kept,
            study_day=today.isoformat(),
            became_leech=False,
            suspended=bool(row["suspended"]),
            bury_siblings_until=None,
            leech_action=settings.leech_action,
            cram=True,
        )
    factor = fuzz_factor(card_key, before.reps)
    after = answer_states(before, now, settings, factor, only=rating)[rating]
    became_leech = (
        after.lapses > before.lapses
        and after.lapses >= settings.leech_threshold
        and not row["leech"]
    )
    suspended = bool(row["suspended"]) or (became_leech and settings.leech_action == "suspend")
    day = due_day(after, rollover)
    new_row = {
        **after.to_row(),
        "suspended": int(suspended),
        "buried_until": None,  # studying a buried card brings it back
        "leech": int(bool(row["leech"]) or became_leech),
        "due_day": None if day is None else day.isoformat(),
    }
    return ReviewPlan(
        before=before,
        after=after,
        row=new_row,
        study_day=today.isoformat(),
        became_leech=became_leech,
        suspended=suspended,
        bury_siblings_until=(today + timedelta(days=1)).isoformat(),
        leech_action=settings.leech_action,
    )


def record_review(
    col: Collection,
    pk: int,
    rating: Rating,
    now: datetime,
    settings: Settings,
    duration_ms: int | None = None,
    answer: str | None = None,
    correct: bool | None = None,
    seed: int | None = None,
    cram: bool = False,
) -> ReviewOutcome:
    """Record one review as the policy decides it, in one transaction (see `plan_review`).

    Args:
        col: the collection.
        pk: the card.
        rating: the user's rating.
        now: the time of the review.
        settings: the settings the policy reads.
        duration_ms: the time spent on the card.
        answer: what the user typed (compute cards).
        correct: the engine's verdict (compute cards).
        seed: the compute instance's seed.
        cram: log a cram review, leaving the schedule as it was.

    Raises:
        CardNotFoundError: when there is no such card.
        ConfigError: when py-fsrs rejects the parameters.
    """
    from cvquiz.collection import scheduling

    return scheduling.write_review(
        col,
        pk,
        rating,
        now,
        lambda row: plan_review(pk, row, rating, now, settings, cram=cram),
        duration_ms=duration_ms,
        answer=answer,
        correct=correct,
        seed=seed,
    )


def preview(
    col: Collection, pk: int, now: datetime, settings: Settings
) -> dict[Rating, SchedState]:
    """Return the state each rating would give a card now: exactly what `record_review` would write."""
    from cvquiz.collection.scheduling import schedule_row

    before = SchedState.from_row(schedule_row(col, pk))
    return answer_states(before, now, settings, fuzz_factor(pk, before.reps))
