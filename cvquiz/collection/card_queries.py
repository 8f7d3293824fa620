"""Reading cards for the card services: references, one card's state and history, text search candidates.

Every query returns frozen, typed rows; `cvquiz.cards` turns them into what ``show``, ``search``, ``suspend``
and the others report. Timestamps stay milliseconds since the epoch here; content stays deck-file data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "CardEntry",
    "CardText",
    "ReviewRow",
    "ScheduleRow",
    "card_reviews",
    "card_schedule",
    "entries_matching",
    "first_review_cards",
]


@dataclass(frozen=True)
class CardEntry:
    """One review card of an active deck entry, with where the entry stands.

    Attributes:
        deck: the deck id.
        card: the card id.
        pk: the review card's key.
        ord: which review card of the entry it is.
        line: the entry's line in its deck file.
        path: the deck file.
        bundled: True for a bundled deck.
    """

    deck: str
    card: str
    pk: int
    ord: int
    line: int
    path: str | None
    bundled: bool


def entries_matching(col: Collection, prefix: str) -> list[CardEntry]:
    """Return the active review cards whose ``deck/id`` or card id starts with ``prefix``, in deck order."""
    rows = col.conn.execute(
        """SELECT c.deck_id, c.card_id, c.pk, c.ord, c.line, d.path, d.bundled
           FROM cards c JOIN decks d ON d.id = c.deck_id
           WHERE c.active = 1 AND (substr(c.deck_id || '/' || c.card_id, 1, :n) = :ref
                                   OR substr(c.card_id, 1, :n) = :ref)
           ORDER BY d.position, c.position, c.ord""",
        {"ref": prefix, "n": len(prefix)},
    )
    return [CardEntry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]


@dataclass(frozen=True)
class ScheduleRow:
    """The scheduling state of one review card, with the entry's content.

    Attributes:
        ord: which review card of the entry.
        type: the card type.
        content: the card's fields as in its deck file.
        tags: its tags (deck tags included).
        state: 0 new, 1 learning, 2 review, 3 relearning.
        due: when it is due (ms since the epoch), or None while new.
        last_review: the last review (ms), or None.
        stability: FSRS stability in days, or None.
        difficulty: FSRS difficulty, or None.
        reps: reviews so far.
        lapses: times forgotten.
        suspended: True when suspended.
        buried_until: the study day it comes back (ISO date), or None.
        leech: True when flagged as a leech.
    """

    ord: int
    type: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    state: int
    due: int | None
    last_review: int | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    leech: bool


def _marks(pks: Sequence[int]) -> str:
    return ",".join("?" * len(pks))


def card_schedule(col: Collection, pks: Sequence[int]) -> list[ScheduleRow]:
    """Return the scheduling state of review cards, by ord."""
    rows = col.conn.execute(
        f"""SELECT c.ord, c.type, c.content, c.tags, s.state, s.due, s.last_review, s.stability,
                   s.difficulty, s.reps, s.lapses, s.suspended, s.buried_until, s.leech
            FROM cards c JOIN schedule s ON s.card_pk = c.pk
            WHERE c.pk IN ({_marks(pks)}) ORDER BY c.ord""",
        tuple(pks),
    )
    return [
        ScheduleRow(
            ord=r[0],
            type=r[1],
            content=json.loads(r[2]),
            tags=tuple(r[3].split()),
            state=r[4],
            due=r[5],
            last_review=r[6],
            stability=r[7],
            difficulty=r[8],
            reps=r[9],
            lapses=r[10],
            suspended=bool(r[11]),
            buried_until=r[12],
            leech=bool(r[13]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class ReviewRow:
    """One review from the log.

    Attributes:
        ord: the review card reviewed.
        reviewed_at: when (ms since the epoch).
        rating: 1 again, 2 hard, 3 good, 4 easy.
        state_before: the state before.
        state_after: the state after.
        duration_ms: time spent, or None.
        answer: what was typed (compute cards), or None.
        correct: the engine's verdict (compute cards), or None.
    """

    ord: int
    reviewed_at: int
    rating: int
    state_before: int
    state_after: int
    duration_ms: int | None
    answer: str | None
    correct: bool | None


def card_reviews(col: Collection, pks: Sequence[int]) -> list[ReviewRow]:
    """Return the reviews of review cards, oldest first."""
    rows = col.conn.execute(
        f"""SELECT c.ord, r.reviewed_at, r.rating, r.state_before, r.state_after, r.duration_ms,
                   r.answer, r.correct
            FROM reviews r JOIN cards c ON c.pk = r.card_pk
            WHERE r.card_pk IN ({_marks(pks)}) ORDER BY r.reviewed_at, r.id""",
        tuple(pks),
    )
    return [
        ReviewRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], None if r[7] is None else bool(r[7]))
        for r in rows
    ]


@dataclass(frozen=True)
class CardText:
    """An active deck entry's text, once per entry (its first review card).

    Attributes:
        deck: the deck id.
        card: the card id.
        type: the card type.
        content: the card's fields as in its deck file.
        line: its line in the deck file.
    """

    deck: str
    card: str
    type: str
    content: dict[str, Any]
    line: int


def first_review_cards(
    col: Collection, deck: str | None = None, tag: str | None = None
) -> Iterator[CardText]:
    """Yield every active entry once, in deck and file order, optionally within a deck or a tag.

    Args:
        col: the collection.
        deck: only this deck and the decks under it (``my`` covers ``my/interviews``).
        tag: only entries with this tag or a tag under it (``losses`` covers ``losses::focal``).
    """
    where = [
        "c.active = 1",
        "c.ord = (SELECT MIN(ord) FROM cards x WHERE x.deck_id = c.deck_id AND x.card_id = c.card_id AND x.active = 1)",
    ]
    params: dict[str, Any] = {}
    if deck:
        name = deck.rstrip("/")
        where.append("(c.deck_id = :deck OR substr(c.deck_id, 1, :n) = :prefix)")
        params.update(deck=name, prefix=name + "/", n=len(name) + 1)
    if tag:
        where.append("(instr(c.tags, :tag) > 0 OR instr(c.tags, :sub) > 0)")
        params.update(tag=f" {tag} ", sub=f" {tag}::")
    rows = col.conn.execute(
        f"""SELECT c.deck_id, c.card_id, c.type, c.content, c.line FROM cards c
            JOIN decks d ON d.id = c.deck_id WHERE {" AND ".join(where)}
            ORDER BY d.position, c.position""",
        params,
    )
    for r in rows:
        yield CardText(r[0], r[1], r[2], json.loads(r[3]), r[4])
