"""The SQL of merging reviews done in Anki into the collection: what the merge reads and the one write.

`cvquiz.anki.merge` decides what to add and replays each card's history; this module reads the cards, their
review log and schedule rows, and writes the result: new review rows, corrected states of older review rows,
and the cards' new schedule rows, all in the caller's transaction (`Collection.transaction`), so a merge is
applied whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvquiz.collection.store import SCHEDULE_COLUMNS

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "CardRow",
    "NewReview",
    "ReviewUpdate",
    "StoredReview",
    "card_rows",
    "history",
    "schedule_rows",
    "write_merge",
]


@dataclass(frozen=True)
class CardRow:
    """A review card of the collection, as the merge matches Anki's cards to it.

    Attributes:
        pk: its key.
        deck_id: its deck.
        card_id: its id in the deck.
        ord: its side or cloze deletion.
        type: its card type.
        active: False once its deck entry left the deck file.
        modified_at: when its content last changed, in ms since the epoch.
        content: the deck entry as plain data.
    """

    pk: int
    deck_id: str
    card_id: str
    ord: int
    type: str
    active: bool
    modified_at: int
    content: dict[str, Any]


@dataclass(frozen=True)
class StoredReview:
    """A review already in the log.

    Attributes:
        id: its row id.
        card_pk: its card.
        reviewed_at: when, in ms since the epoch.
        rating: 1-4.
        state_before: the card's state before, as recorded.
        before: the schedule row before, as recorded (with ``siblings`` when the review buried some).
        after: the schedule row after, as recorded.
    """

    id: int
    card_pk: int
    reviewed_at: int
    rating: int
    state_before: int
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class NewReview:
    """A review to add to the log.

    Attributes:
        card_pk: its card.
        reviewed_at: when, in ms since the epoch.
        study_day: its study day (ISO date).
        rating: 1-4.
        duration_ms: the time taken, or None.
        before: the schedule row before.
        after: the schedule row after.
    """

    card_pk: int
    reviewed_at: int
    study_day: str
    rating: int
    duration_ms: int | None
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class ReviewUpdate:
    """New states for a review already in the log (an earlier review joined its card's history).

    Attributes:
        id: the review's row id.
        before: the schedule row before.
        after: the schedule row after.
    """

    id: int
    before: dict[str, Any]
    after: dict[str, Any]


def card_rows(col: Collection, decks: Iterable[str] | None = None) -> list[CardRow]:
    """Return the collection's review cards (active or not), optionally of some decks only.

    Args:
        col: the collection.
        decks: deck ids to read exactly, or None for every deck.
    """
    sql = "SELECT pk, deck_id, card_id, ord, type, active, modified_at, content FROM cards"
    params: tuple[Any, ...] = ()
    if decks is not None:
        sql += " WHERE deck_id IN (SELECT value FROM json_each(?))"
        params = (json.dumps(sorted(set(decks))),)
    return [
        CardRow(pk, deck, card, ord_, type_, bool(active), modified, json.loads(content))
        for pk, deck, card, ord_, type_, active, modified, content in col.conn.execute(sql, params)
    ]


def history(conn: sqlite3.Connection, pks: Sequence[int]) -> dict[int, list[StoredReview]]:
    """Return the logged reviews of some cards, oldest first per card."""
    out: dict[int, list[StoredReview]] = {pk: [] for pk in pks}
    rows = conn.execute(
        """SELECT id, card_pk, reviewed_at, rating, state_before, before, after FROM reviews
           WHERE card_pk IN (SELECT value FROM json_each(?)) ORDER BY card_pk, reviewed_at, id""",
        (json.dumps(sorted(set(pks))),),
    )
    for rid, pk, at, rating, state_before, before, after in rows:
        out[pk].append(
            StoredReview(rid, pk, at, rating, state_before, json.loads(before), json.loads(after))
        )
    return out


def schedule_rows(conn: sqlite3.Connection, pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return the whole schedule rows of some cards (every column but the key)."""
    rows = conn.execute(
        f"""SELECT card_pk, {", ".join(SCHEDULE_COLUMNS)} FROM schedule
            WHERE card_pk IN (SELECT value FROM json_each(?))""",
        (json.dumps(sorted(set(pks))),),
    )
    return {row[0]: dict(zip(SCHEDULE_COLUMNS, row[1:], strict=True)) for row in rows}


def write_merge(
    conn: sqlite3.Connection,
    added: Sequence[NewReview],
    updated: Sequence[ReviewUpdate],
    schedules: Mapping[int, Mapping[str, Any]],
) -> None:
    """Write a merge: add reviews, correct older ones, set the cards' schedule rows.

    Call it inside `Collection.transaction`, after reading with the same connection.

    Args:
        conn: the collection's connection, in a write transaction.
        added: reviews to add.
        updated: reviews whose recorded states change.
        schedules: each merged card's new schedule row (every column of `SCHEDULE_COLUMNS`).
    """
    conn.executemany(
        """INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, duration_ms, answer, correct,
                                seed, state_before, state_after, before, after)
           VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?)""",
        [
            (
                r.card_pk,
                r.reviewed_at,
                r.study_day,
                r.rating,
                r.duration_ms,
                int(r.before["state"]),
                int(r.after["state"]),
                json.dumps(r.before),
                json.dumps(r.after),
            )
            for r in added
        ],
    )
    conn.executemany(
        "UPDATE reviews SET state_before = ?, state_after = ?, before = ?, after = ? WHERE id = ?",
        [
            (
                int(u.before["state"]),
                int(u.after["state"]),
                json.dumps(u.before),
                json.dumps(u.after),
                u.id,
            )
            for u in updated
        ],
    )
    conn.executemany(
        "UPDATE schedule SET "
        + ", ".join(f"{k} = :{k}" for k in SCHEDULE_COLUMNS)
        + " WHERE card_pk = :card_pk",
        [{**{k: row[k] for k in SCHEDULE_COLUMNS}, "card_pk": pk} for pk, row in schedules.items()],
    )
