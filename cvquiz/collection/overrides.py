"""The user's versions of bundled cards, as deck sync applies them: each replaces the bundled card with its id.

A file of overrides (``overrides: DECK``, see `cvquiz.deckfile.overrides`) is recorded in ``deck_files`` under
the key ``overrides:DECK``, so that sync knows, without parsing anything, which bundled deck to write again
when the file changes, appears or goes. The bundled deck is then written as `merge` makes it: its own cards,
each overridden one in the user's version (with the bundled deck's tags, like every card of it), and after
them the user's versions of cards the bundled deck no longer has (a card the user edited is not lost when an
upgrade drops it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.model import Deck

__all__ = ["PREFIX", "file_key", "merge", "override_files", "target_of"]

PREFIX = "overrides:"


def file_key(deck_id: str) -> str:
    """What ``deck_files.deck_id`` holds for a file of overrides of ``deck_id``."""
    return PREFIX + deck_id


def target_of(key: str) -> str | None:
    """The bundled deck a ``deck_files.deck_id`` overrides, or None for an ordinary deck file."""
    return key[len(PREFIX) :] if key.startswith(PREFIX) else None


def merge(bundled: Deck, overrides: Sequence[Deck]) -> Deck:
    """The bundled deck with the user's versions in place of its cards (later files win on a clash)."""
    mine = {}
    for deck in overrides:
        for card in deck.cards:
            tags = tuple(dict.fromkeys((*card.tags, *bundled.tags)))
            mine[card.id] = replace(card, tags=tags)
    if not mine:
        return bundled
    cards = [mine.pop(card.id, card) for card in bundled.cards]
    cards += mine.values()
    return replace(bundled, cards=tuple(cards))


def override_files(col: Collection, deck_id: str) -> list[str]:
    """The files of overrides of a bundled deck that the last sync read, by path."""
    rows = col.conn.execute(
        "SELECT path FROM deck_files WHERE deck_id = ? ORDER BY path", (file_key(deck_id),)
    )
    return [str(r[0]) for r in rows]
