"""The reads an export needs: active cards grouped into deck entries, with their schedule and review history.

An export walks every active card of the chosen decks and tags once, in deck and file order, in one query;
the review history of the studied cards comes in a second query. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from cvquiz.collection import filters, store

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "ExportCard",
    "ExportDeck",
    "ExportEntry",
    "ExportReview",
    "export_entries",
    "reviews_of",
]


@dataclass(frozen=True)
class ExportDeck:
    """A deck as an export sees it.

    Attributes:
        id: the deck id.
        name: its display name (``::`` nests).
        description: its description as stored (``str`` or ``{zh, en}``), or None.
        path: its deck file, or None.
    """

    id: str
    name: str
    description: Any
    path: str | None = None


@dataclass(frozen=True)
class ExportCard:
    """One review card of an entry, with its schedule row.

    Attributes:
        pk: its key in the collection.
        ord: which side or cloze deletion (0 front, 1 reverse, N for cloze cN).
        schedule: its schedule row (state, step, stability, difficulty, due, last_review, reps, lapses,
            suspended, leech, due_day).
    """

    pk: int
    ord: int
    schedule: dict[str, Any]


@dataclass(frozen=True)
class ExportEntry:
    """One deck entry (a note, in Anki's words) with its review cards.

    Attributes:
        deck: its deck.
        card_id: its id in the deck.
        type: its card type (``basic``, ``reversed``, ``cloze``, ``compute``).
        content_json: the deck entry as stored (JSON; `content` decodes it).
        modified_at: when its content last changed, in ms since the epoch.
        cards: its active review cards, by ord.
        content_hash: the collection's hash of its content (what the export's note cache is keyed by).
    """

    deck: ExportDeck
    card_id: str
    type: str
    content_json: str
    modified_at: int
    cards: tuple[ExportCard, ...]
    content_hash: str

    @cached_property
    def content(self) -> dict[str, Any]:
        """The deck entry as plain data (`cvquiz.model.Card.from_data` reads it), decoded when first asked
        for: an export that finds a note in its cache never needs it."""
        return dict(json.loads(self.content_json))


@dataclass(frozen=True)
class ExportReview:
    """One logged review, as Anki's revlog needs it.

    Attributes:
        card_pk: the card.
        reviewed_at: when, in ms since the epoch.
        rating: 1-4.
        duration_ms: time spent, or None.
        state_before: the card's state before.
        state_after: its state after.
        before: the schedule row before.
        after: the schedule row after.
    """

    card_pk: int
    reviewed_at: int
    rating: int
    duration_ms: int | None
    state_before: int
    state_after: int
    before: dict[str, Any]
    after: dict[str, Any]


_SCHEDULE = tuple(c for c in store.SCHEDULE_COLUMNS if c != "buried_until")
"""A schedule row as an export keeps it: a bury lasts a day and is not carried over."""


def _where(
    col: Collection, decks: Sequence[str], tags: Sequence[str], params: dict[str, Any]
) -> str:
    flt = filters.CardFilter(decks=tuple(decks), tags=tuple(tags))
    return f"c.active = 1 AND d.active = 1 AND {filters.where(col.conn, flt, params)}"


def export_entries(
    col: Collection, decks: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[ExportEntry]:
    """Return the active deck entries to export, in deck order and file order.

    Args:
        col: the collection.
        decks: deck ids; each also covers the decks nested under it with ``/``. Empty means every deck.
        tags: tags; an entry matches one when it has the tag or a child of it (``a::b`` is under ``a``).
            Empty means every tag.

    Returns:
        The entries, each with its active review cards.

    Raises:
        CardNotFoundError: when a ``decks`` item matches no active deck (with the closest id).
    """
    filters.check(col.conn, filters.CardFilter(decks=tuple(decks), tags=tuple(tags)))
    deck_rows = col.conn.execute("SELECT id, name, description, path FROM decks WHERE active = 1")
    deck_of = {
        deck_id: ExportDeck(
            deck_id, name, None if description is None else json.loads(description), path
        )
        for deck_id, name, description, path in deck_rows
    }
    params: dict[str, Any] = {}
    sql = f"""
        SELECT c.deck_id, c.card_id, c.type, c.content, c.content_hash, c.modified_at, c.pk, c.ord,
               {", ".join("s." + name for name in _SCHEDULE)}
        FROM cards c JOIN decks d ON d.id = c.deck_id JOIN schedule s ON s.card_pk = c.pk
        WHERE {_where(col, decks, tags, params)}
        ORDER BY c.position, c.ord
    """
    entries: list[ExportEntry] = []
    current: tuple[str, str] | None = None
    head: tuple[Any, ...] = ()
    cards: list[ExportCard] = []
    modified = 0

    def flush() -> None:
        deck_id, card_id, kind, content, digest = head[:5]
        deck = deck_of[deck_id]
        entries.append(ExportEntry(deck, card_id, kind, content, modified, tuple(cards), digest))

    for row in col.conn.execute(sql, params):
        key = (row[0], row[1])
        if key != current:
            if current is not None:
                flush()
            current, head, cards, modified = key, row, [], 0
        modified = max(modified, int(row[5]))
        cards.append(ExportCard(row[6], row[7], dict(zip(_SCHEDULE, row[8:], strict=True))))
    if current is not None:
        flush()
    return entries


def reviews_of(col: Collection, pks: Sequence[int]) -> Iterator[ExportReview]:
    """Yield the logged reviews of some cards, oldest first for each card.

    Args:
        col: the collection.
        pks: the cards' keys.
    """
    if not pks:
        return
    rows = col.conn.execute(
        """SELECT card_pk, reviewed_at, rating, duration_ms, state_before, state_after, before, after
           FROM reviews WHERE card_pk IN (SELECT value FROM json_each(?))
           ORDER BY card_pk, reviewed_at, id""",
        (json.dumps(sorted(set(pks))),),
    )
    for pk, at, rating, duration, state_before, state_after, before, after in rows:
        yield ExportReview(
            pk,
            at,
            rating,
            duration,
            state_before,
            state_after,
            json.loads(before),
            json.loads(after),
        )
