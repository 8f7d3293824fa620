"""``cvquiz undo``: take back the last change to the collection, whatever command made it.

The change is the newest entry of the collection's undo log (`cvquiz.collection.undo`): a rating given in a
drill, a suspend, a bury, a forget, a tag added or removed. A tag change of the user's own cards is taken back
in their deck files first (only their ``tags:`` entries are rewritten), then in the collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.cards.tagging import write_file_tags
from cvquiz.collection import undo
from cvquiz.i18n import _

if TYPE_CHECKING:
    from pathlib import Path

    from cvquiz.collection import Collection

__all__ = ["UndoResult", "undo_last"]


@dataclass(frozen=True)
class UndoResult:
    """What ``cvquiz undo`` took back.

    Attributes:
        op: the change: ``review``, ``suspend``, ``unsuspend``, ``forget``, ``bury``, ``tag-add``,
            ``tag-remove``.
        made_at: when it was made (ISO 8601 UTC).
        cards: how many review cards it had changed.
        label: what it was applied to (a card for a review; the query or references otherwise).
        files: the deck files written back.
        rating: the rating taken back (a review: 1 again, 2 hard, 3 good, 4 easy), else None.
        remaining: how many earlier changes can still be undone.
    """

    op: str
    made_at: str
    cards: int
    label: str
    files: tuple[str, ...]
    rating: int | None
    remaining: int


def undo_last(col: Collection, decks_dir: Path | None = None) -> UndoResult:
    """Take back the newest change in the undo log.

    ``decks_dir`` is the user's decks folder: its write lock is held while a tag change's deck files are
    written back (`write_file_tags`).

    Raises:
        NothingToUndoError: when there is nothing to undo.
        UndoError: when the change can no longer be undone (its log entry stays).
        DeckError: when a deck file to write back cannot be written (nothing is changed then).
    """
    change = undo.last_change(col)
    if change is None:
        raise undo.NothingToUndoError(_("there is nothing to undo"))
    if change.files:
        write_file_tags(change.files, decks_dir)
    done = undo.undo_change(col, change.id)
    return UndoResult(
        op=done.op,
        made_at=clock.iso_utc(done.made_at) or "",
        cards=done.cards,
        label=done.label,
        files=tuple(dict.fromkeys(f.path for f in done.files)),
        rating=done.rating,
        remaining=undo.count(col),
    )
