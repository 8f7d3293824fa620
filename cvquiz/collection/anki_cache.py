"""The cache of rendered Anki notes: what ``cvquiz export anki`` rendered last time, by deck entry.

A row is one note of one deck entry in one language (a compute card has one per exported instance), or, under
the card id ``""``, a deck's description as HTML (its fields; the other columns empty). Its
``source`` names what the note was rendered from; the exporter takes a row only when the source it would
render from now is the same, and overwrites it otherwise. The note is kept in Anki's own forms: tags separated
by spaces, fields joined by U+001F, the ordinals of its cards separated by spaces. The table holds derived
data only: backups leave it out, and emptying it costs one slower export.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cvquiz.collection.store import transaction

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["CacheKey", "CachedNote", "cached_notes", "prune_cached_notes", "store_notes"]

CacheKey = tuple[str, str, int]
"""(deck id, card id, instance) of one cached note."""

CachedNote = tuple[str, int, str, str, str, str]
"""(source, note type id, GUID, tags, fields, card ordinals) of one cached note."""


def cached_notes(col: Collection, lang: str, deck_ids: Sequence[str]) -> dict[CacheKey, CachedNote]:
    """Return the cached notes of some decks in one language.

    Args:
        col: the collection.
        lang: the export language (``zh``, ``en`` or ``both``).
        deck_ids: the decks being exported.

    Returns:
        The notes, by (deck id, card id, instance).
    """
    rows = col.conn.execute(
        """SELECT deck_id, card_id, instance, source, note_type, guid, tags, fields, ords
           FROM anki_note_cache WHERE lang = ? AND deck_id IN (SELECT value FROM json_each(?))""",
        (lang, json.dumps(sorted(set(deck_ids)))),
    )
    return {(row[0], row[1], row[2]): row[3:] for row in rows}


def store_notes(col: Collection, lang: str, notes: Iterable[tuple[CacheKey, CachedNote]]) -> bool:
    """Save freshly rendered notes, replacing what was cached for the same entry, language and instance.

    The cache is an optimisation: a read-only collection, or one another process keeps locked for longer
    than the busy timeout, is left as it is.

    Args:
        col: the collection.
        lang: the export language.
        notes: each note's key and content.

    Returns:
        True when the notes were saved.
    """
    rows = [(deck, card, lang, instance, *note) for (deck, card, instance), note in notes]
    if not rows or col.read_only:
        return False
    try:
        with transaction(col.conn):
            col.conn.executemany(
                """INSERT OR REPLACE INTO anki_note_cache
                   (deck_id, card_id, lang, instance, source, note_type, guid, tags, fields, ords)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
    except sqlite3.OperationalError:  # locked or read-only after all: the next export renders again
        return False
    return True


def prune_cached_notes(col: Collection) -> int:
    """Drop the cached notes of deck entries the collection no longer has (deleted or retired cards).

    Returns:
        How many rows were dropped (0 when the collection cannot be written).
    """
    if col.read_only:
        return 0
    try:
        with transaction(col.conn):
            cur = col.conn.execute(
                """DELETE FROM anki_note_cache WHERE NOT EXISTS (
                       SELECT 1 FROM cards c WHERE c.deck_id = anki_note_cache.deck_id
                       AND c.card_id = anki_note_cache.card_id AND c.active = 1)
                   AND NOT (card_id = '' AND EXISTS (
                       SELECT 1 FROM decks d WHERE d.id = anki_note_cache.deck_id AND d.active = 1))"""
            )
    except sqlite3.OperationalError:
        return 0
    return int(cur.rowcount)
