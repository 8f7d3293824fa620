"""Suspending, unsuspending and forgetting cards (forget: back to new, the review history kept).

Each action resolves every reference first, so a typo changes nothing, then changes all the review cards in
the collection. Bulk actions on a search query build on `change`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from cvquiz.cards.references import resolve_many
from cvquiz.errors import UsageError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["Action", "ChangeResult", "change"]


class Action(StrEnum):
    """What `change` does to cards."""

    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    FORGET = "forget"


@dataclass(frozen=True)
class ChangeResult:
    """What suspend, unsuspend or forget did.

    Attributes:
        action: ``suspend``, ``unsuspend`` or ``forget``.
        cards: the references changed.
        review_cards: how many review cards that was.
    """

    action: str
    cards: tuple[str, ...]
    review_cards: int


def _apply(col: Collection, action: Action, now: datetime) -> Callable[[Iterable[int]], int]:
    from cvquiz.collection import scheduling

    if action is Action.SUSPEND:
        return lambda pks: scheduling.suspend(col, pks)
    if action is Action.UNSUSPEND:
        return lambda pks: scheduling.unsuspend(col, pks)
    return lambda pks: scheduling.forget(col, pks, now)


def change(col: Collection, action: str, references: Sequence[str], now: datetime) -> ChangeResult:
    """Suspend, unsuspend or forget cards.

    Args:
        col: the collection.
        action: ``suspend``, ``unsuspend`` or ``forget``.
        references: the cards.
        now: the current time (forget records it).

    Raises:
        CardNotFoundError: for references that match no card or several (nothing is changed then).
        UsageError: for an unknown action.
    """
    try:
        kind = Action(action)
    except ValueError:
        raise UsageError(_("unknown action {action!r}").format(action=action)) from None
    found = resolve_many(col, references)
    pks = [pk for c in found for pk in c.pks]
    _apply(col, kind, now)(pks)
    return ChangeResult(kind.value, tuple(c.ref for c in found), len(pks))
