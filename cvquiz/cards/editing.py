"""``cvquiz edit``: where a card stands in the user's deck file, for the editor to open there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvquiz.cards.references import resolve
from cvquiz.cards.userdecks import bundled_hint
from cvquiz.errors import DeckError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["EditTarget", "edit_target"]


@dataclass(frozen=True)
class EditTarget:
    """Where to open an editor on a card.

    Attributes:
        ref: ``deck/id``.
        path: the deck file.
        line: the card's line.
    """

    ref: str
    path: str
    line: int


def edit_target(col: Collection, reference: str) -> EditTarget:
    """Return the deck file and line of a card the user may edit.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: for a card of a bundled deck (edits there are lost on upgrade).
    """
    found = resolve(col, reference)
    if found.bundled or not found.path:
        raise DeckError(
            _("{ref} is in a bundled deck: {hint}").format(
                ref=found.ref, hint=bundled_hint(found.deck)
            )
        )
    return EditTarget(found.ref, found.path, max(found.line, 1))
