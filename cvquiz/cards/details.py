"""``cvquiz show``: one card with its deck file and line, its scheduling state and its review history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cvquiz.cards.references import resolve
from cvquiz.clock import iso_utc
from cvquiz.collection.card_queries import card_reviews, card_schedule
from cvquiz.model import Text

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["TEXT_FIELDS", "CardDetails", "ReviewInfo", "ScheduleInfo", "show"]

TEXT_FIELDS = ("question", "answer", "explanation")
"""The card fields that hold bilingual text (`Text` in `CardDetails.content`)."""


@dataclass(frozen=True)
class ScheduleInfo:
    """The scheduling state of one review card.

    Attributes:
        ord: which review card of the entry (0 front, 1 reverse, N for cloze cN).
        state: 0 new, 1 learning, 2 review, 3 relearning.
        due: when it is due (ISO 8601 UTC), or None while new.
        last_review: the last review (ISO 8601 UTC), or None.
        stability: FSRS stability in days, or None.
        difficulty: FSRS difficulty, or None.
        reps: reviews so far.
        lapses: times forgotten.
        suspended: True when suspended.
        buried_until: the study day it comes back, or None.
        leech: True when flagged as a leech.
    """

    ord: int
    state: int
    due: str | None
    last_review: str | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    leech: bool


@dataclass(frozen=True)
class ReviewInfo:
    """One review of the card.

    Attributes:
        ord: the review card reviewed.
        reviewed_at: when (ISO 8601 UTC).
        rating: 1 again, 2 hard, 3 good, 4 easy.
        state_before: the state before.
        state_after: the state after.
        duration_ms: time spent, or None.
        answer: what was typed (compute cards), or None.
        correct: the engine's verdict (compute cards), or None.
    """

    ord: int
    reviewed_at: str | None
    rating: int
    state_before: int
    state_after: int
    duration_ms: int | None
    answer: str | None
    correct: bool | None


@dataclass(frozen=True)
class CardDetails:
    """Everything about one card, as ``cvquiz show`` prints it.

    Attributes:
        ref: ``deck/id``.
        deck: the deck id.
        id: the card id.
        type: the card type.
        content: the card's fields as in the deck file, its text fields as `Text` (both languages).
        tags: its tags (deck tags included).
        path: the deck file.
        line: the card's line in it.
        bundled: True for a bundled deck.
        schedule: the state of each review card.
        reviews: the review history, oldest first.
    """

    ref: str
    deck: str
    id: str
    type: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    path: str | None
    line: int
    bundled: bool
    schedule: tuple[ScheduleInfo, ...]
    reviews: tuple[ReviewInfo, ...] = field(default_factory=tuple)


def show(col: Collection, reference: str) -> CardDetails:
    """Return a card with its deck file and line, its scheduling state and its review history.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
    """
    found = resolve(col, reference)
    rows = card_schedule(col, found.pks)
    schedule = tuple(
        ScheduleInfo(
            ord=r.ord,
            state=r.state,
            due=iso_utc(r.due),
            last_review=iso_utc(r.last_review),
            stability=r.stability,
            difficulty=r.difficulty,
            reps=r.reps,
            lapses=r.lapses,
            suspended=r.suspended,
            buried_until=r.buried_until,
            leech=r.leech,
        )
        for r in rows
    )
    reviews = tuple(
        ReviewInfo(
            ord=r.ord,
            reviewed_at=iso_utc(r.reviewed_at),
            rating=r.rating,
            state_before=r.state_before,
            state_after=r.state_after,
            duration_ms=r.duration_ms,
            answer=r.answer,
            correct=r.correct,
        )
        for r in card_reviews(col, found.pks)
    )
    first = rows[0]
    content = {
        k: Text.from_data(v) if k in TEXT_FIELDS and v is not None else v
        for k, v in first.content.items()
    }
    return CardDetails(
        ref=found.ref,
        deck=found.deck,
        id=found.id,
        type=first.type,
        content=content,
        tags=first.tags,
        path=found.path,
        line=found.line,
        bundled=found.bundled,
        schedule=schedule,
        reviews=reviews,
    )
