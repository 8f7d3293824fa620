"""Changes to many cards at once — suspend, unsuspend, forget, bury, add or remove a tag — each one undoable.

Every function here changes the cards it is given in one transaction and logs the change in the undo log
(`cvquiz.collection.undo`) in that same transaction, with the columns as they were for exactly the cards it
changed. A change that changes nothing (suspending suspended cards) is not logged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cvquiz.collection import undo
from cvquiz.collection.undo import Change, FileTags

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "EntryTagRow",
    "EntryTags",
    "apply_local_tags",
    "bury",
    "entry_tags",
    "forget",
    "local_tags",
    "set_tags",
    "suspend",
    "unsuspend",
]


def _keys(pks: Iterable[int]) -> str:
    return json.dumps(sorted({int(pk) for pk in pks}))


def _schedule_change(
    col: Collection,
    op: str,
    pks: Iterable[int],
    columns: Sequence[str],
    where: str,
    update: str,
    params: Mapping[str, object],
    now_ms: int,
    label: str,
) -> Change:
    keys = list(pks)
    with col.transaction() as conn:
        before = undo.schedule_before(conn, keys, columns, where, params)
        if not before:
            return Change(None, op, now_ms, 0, label)
        conn.execute(
            f"""UPDATE schedule SET {update}
                WHERE card_pk IN (SELECT value FROM json_each(:keys)) AND ({where})""",
            {**params, "keys": _keys(int(pk) for pk in before)},
        )
        change_id = undo.record(conn, op, now_ms, len(before), {"schedule": before}, label)
    return Change(change_id, op, now_ms, len(before), label)


def suspend(col: Collection, pks: Iterable[int], now_ms: int, label: str = "") -> Change:
    """Suspend cards: they leave every queue until unsuspended.

    Args:
        col: the collection.
        pks: the review cards.
        now_ms: the time of the change (ms since the epoch).
        label: what the person applied it to, for the undo log.

    Returns:
        The change (``cards``: how many were not suspended before).
    """
    return _schedule_change(
        col, "suspend", pks, ("suspended",), "suspended = 0", "suspended = 1", {}, now_ms, label
    )


def unsuspend(col: Collection, pks: Iterable[int], now_ms: int, label: str = "") -> Change:
    """Unsuspend cards (``cards``: how many were suspended)."""
    return _schedule_change(
        col, "unsuspend", pks, ("suspended",), "suspended = 1", "suspended = 0", {}, now_ms, label
    )


def bury(col: Collection, pks: Iterable[int], today: date, now_ms: int, label: str = "") -> Change:
    """Bury cards until the next study day (``cards``: how many were not buried that long already).

    Args:
        col: the collection.
        pks: the review cards.
        today: the current study day.
        now_ms: the time of the change.
        label: what the person applied it to.
    """
    tomorrow = (today + timedelta(days=1)).isoformat()
    return _schedule_change(
        col,
        "bury",
        pks,
        ("buried_until",),
        "buried_until IS NULL OR buried_until < :tomorrow",
        "buried_until = :tomorrow",
        {"tomorrow": tomorrow},
        now_ms,
        label,
    )


_FORGET_COLUMNS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "due_day",
    "reps",
    "lapses",
    "leech",
    "buried_until",
)


def forget(col: Collection, pks: Iterable[int], now_ms: int, label: str = "") -> Change:
    """Reset cards to new: memory state, counters and leech flag go; the review history stays.

    Returns:
        The change (``cards``: how many cards were not new and unflagged already).
    """
    return _schedule_change(
        col,
        "forget",
        pks,
        _FORGET_COLUMNS,
        "state != 0 OR reps != 0 OR lapses != 0 OR leech != 0 OR buried_until IS NOT NULL"
        " OR stability IS NOT NULL",
        """state = 0, step = NULL, stability = NULL, difficulty = NULL, due = NULL, last_review = NULL,
           due_day = NULL, reps = 0, lapses = 0, leech = 0, buried_until = NULL""",
        {},
        now_ms,
        label,
    )


# --- tags ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryTags:
    """The new tags of one deck entry (all its review cards), and where they are kept.

    Attributes:
        deck: the deck id.
        card: the card id.
        tags: every tag the entry has after the change (its own and its deck's), in order.
        local: for a bundled card, the collection-only tags after the change: ``{tag: True}`` for a tag added
            in the collection, ``{tag: False}`` for a tag of the deck file removed there. None for a card of
            the user's own decks, whose file holds its tags.
        file: for a card of the user's own decks, its file and its own tags before the change (undo writes them
            back); None for a bundled card.
    """

    deck: str
    card: str
    tags: tuple[str, ...]
    local: Mapping[str, bool] | None = None
    file: FileTags | None = None


@dataclass(frozen=True)
class EntryTagRow:
    """A deck entry's tags as the collection holds them, with where they come from.

    Attributes:
        deck: the deck id.
        card: the card id.
        tags: its tags now (the file's, with a bundled card's collection-only tags applied).
        file_tags: the tags its deck file gives it (its own, then its deck's).
        deck_tags: the tags its deck gives every card.
        bundled: True for a bundled deck.
        path: the deck file.
    """

    deck: str
    card: str
    tags: tuple[str, ...]
    file_tags: tuple[str, ...]
    deck_tags: tuple[str, ...]
    bundled: bool
    path: str | None


def entry_tags(col: Collection, keys: Sequence[tuple[str, ...]]) -> list[EntryTagRow]:
    """Return the tags of deck entries given as ``(deck, card)``, in the order given."""
    rows = col.conn.execute(
        """SELECT json_extract(k.value, '$[0]'), json_extract(k.value, '$[1]'), c.tags, c.content, d.tags, d.bundled, d.path
           FROM json_each(?) k
           JOIN cards c ON c.deck_id = json_extract(k.value, '$[0]') AND c.card_id = json_extract(k.value, '$[1]')
           JOIN decks d ON d.id = c.deck_id
           WHERE c.ord = (SELECT MIN(ord) FROM cards x WHERE x.deck_id = c.deck_id AND x.card_id = c.card_id)
           ORDER BY k.key""",
        (json.dumps([list(k) for k in keys]),),
    )
    return [
        EntryTagRow(
            deck=r[0],
            card=r[1],
            tags=tuple(r[2].split()),
            file_tags=tuple(_file_tags(json.loads(r[3]))),
            deck_tags=tuple(json.loads(r[4])),
            bundled=bool(r[5]),
            path=r[6],
        )
        for r in rows
    ]


def _tag_string(tags: Sequence[str]) -> str:
    return " " + " ".join(tags) + " " if tags else ""


def set_tags(
    col: Collection, op: str, entries: Sequence[EntryTags], now_ms: int, label: str = ""
) -> Change:
    """Write new tags for deck entries in one transaction, and log how to put the old ones back.

    The user's deck files must already hold the new tags (the card services write them first); this writes
    the tags into the collection at once, so searches see them before the next sync, and keeps a bundled
    card's collection-only tags, which sync applies over its file's tags.

    Args:
        col: the collection.
        op: ``tag-add`` or ``tag-remove``.
        entries: the entries whose tags change.
        now_ms: the time of the change.
        label: what the person applied it to.

    Returns:
        The change (``cards``: the review cards whose tags changed).
    """
    if not entries:
        return Change(None, op, now_ms, 0, label)
    with col.transaction() as conn:
        old_tags: dict[str, str] = {}
        old_local: list[tuple[str, str, str, int]] = []
        for entry in entries:
            for pk, tags in conn.execute(
                "SELECT pk, tags FROM cards WHERE deck_id = ? AND card_id = ?",
                (entry.deck, entry.card),
            ):
                old_tags[str(pk)] = tags
            old_local += conn.execute(
                "SELECT deck_id, card_id, tag, added FROM local_tags WHERE deck_id = ? AND card_id = ?",
                (entry.deck, entry.card),
            ).fetchall()
            conn.execute(
                "UPDATE cards SET tags = ? WHERE deck_id = ? AND card_id = ?",
                (_tag_string(entry.tags), entry.deck, entry.card),
            )
            if entry.local is not None:
                _write_local(conn, entry.deck, entry.card, entry.local)
        restore = {
            "tags": old_tags,
            "entries": [[e.deck, e.card] for e in entries if e.local is not None],
            "local_tags": [list(row) for row in old_local],
            "files": [
                {"path": e.file.path, "card": e.file.card, "tags": list(e.file.tags)}
                for e in entries
                if e.file is not None
            ],
        }
        change_id = undo.record(conn, op, now_ms, len(old_tags), restore, label)
    return Change(
        change_id,
        op,
        now_ms,
        len(old_tags),
        label,
        tuple(e.file for e in entries if e.file is not None),
    )


def _write_local(conn: sqlite3.Connection, deck: str, card: str, local: Mapping[str, bool]) -> None:
    conn.execute("DELETE FROM local_tags WHERE deck_id = ? AND card_id = ?", (deck, card))
    conn.executemany(
        "INSERT INTO local_tags (deck_id, card_id, tag, added) VALUES (?, ?, ?, ?)",
        [(deck, card, tag, int(added)) for tag, added in local.items()],
    )


def local_tags(col: Collection, deck: str, card: str) -> dict[str, bool]:
    """Return a bundled card's collection-only tags: ``{tag: True}`` added, ``{tag: False}`` removed."""
    return {
        str(tag): bool(added)
        for tag, added in col.conn.execute(
            "SELECT tag, added FROM local_tags WHERE deck_id = ? AND card_id = ? ORDER BY rowid",
            (deck, card),
        )
    }


def apply_local_tags(conn: sqlite3.Connection, deck: str) -> None:
    """Apply the collection-only tags of a bundled deck's cards over the tags its file gives them.

    Deck sync calls it after writing a deck's cards: a tag removed in the collection goes, a tag added there
    follows the file's tags.
    """
    wanted: dict[str, dict[str, bool]] = {}
    for card, tag, added in conn.execute(
        "SELECT card_id, tag, added FROM local_tags WHERE deck_id = ? ORDER BY rowid", (deck,)
    ):
        wanted.setdefault(card, {})[tag] = bool(added)
    for card, local in wanted.items():
        row = conn.execute(
            "SELECT content FROM cards WHERE deck_id = ? AND card_id = ? LIMIT 1", (deck, card)
        ).fetchone()
        if row is None:
            continue
        file_tags = _file_tags(json.loads(row[0]))
        tags = [t for t in file_tags if local.get(t, True)]
        tags += [t for t, added in local.items() if added and t not in tags]
        conn.execute(
            "UPDATE cards SET tags = ? WHERE deck_id = ? AND card_id = ?",
            (_tag_string(tags), deck, card),
        )


def _file_tags(content: Mapping[str, object]) -> list[str]:
    """The tags a deck file gives a card (its own, then its deck's: sync stores them merged)."""
    tags = content.get("tags") or []
    return [str(t) for t in tags] if isinstance(tags, list) else []
