"""Suspending, unsuspending, burying and forgetting cards (forget: back to new, the review history kept).

The cards come from `cvquiz.cards.searching.select` (references, or a search query), so a typo in a reference
changes nothing; each action is one transaction and one entry in the undo log (`cvquiz undo` takes it back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import changes
from cvquiz.errors import UsageError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.cards.searching import Selection
    from cvquiz.collection import Collection

__all__ = ["Action", "ChangeResult", "change"]


class Action(StrEnum):
    """What `change` does to cards."""

    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    FORGET = "forget"
    BURY = "bury"


@dataclass(frozen=True)
class ChangeResult:
    """What suspend, unsuspend, bury or forget did.

    Attributes:
        action: ``suspend``, ``unsuspend``, ``bury`` or ``forget``.
        cards: the cards it was applied to (``deck/id``).
        review_cards: how many review cards it changed (those already so are left as they were).
        change_id: its entry in the undo log, or None when it changed nothing.
    """

    action: str
    cards: tuple[str, ...]
    review_cards: int
    change_id: int | None


def change(
    col: Collection, action: str, selection: Selection, now: datetime, rollover_hour: int
) -> ChangeResult:
    """Suspend, unsuspend, bury or forget the selected cards, in one undoable change.

    Args:
        col: the collection.
        action: ``suspend``, ``unsuspend``, ``bury`` or ``forget``.
        selection: the cards (`cvquiz.cards.searching.select`).
        now: the current time (recorded in the undo log; burying lasts until the next study day).
        rollover_hour: the hour a study day starts.

    Raises:
        UsageError: for an unknown action.
    """
    try:
        kind = Action(action)
    except ValueError:
        raise UsageError(_("unknown action {action!r}").format(action=action)) from None
    now_ms = clock.to_ms(now)
    pks, label = selection.pks, selection.label
    if kind is Action.SUSPEND:
        done = changes.suspend(col, pks, now_ms, label)
    elif kind is Action.UNSUSPEND:
        done = changes.unsuspend(col, pks, now_ms, label)
    elif kind is Action.BURY:
        done = changes.bury(col, pks, clock.study_day(now, rollover_hour), now_ms, label)
    else:
        done = changes.forget(col, pks, now_ms, label)
    return ChangeResult(kind.value, selection.refs, done.cards, done.id)
