"""What both front ends of ``cvquiz drill`` say: rating words, interval labels, the session summary."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cvquiz.i18n import N_, _
from cvquiz.model import Rating

if TYPE_CHECKING:
    from cvquiz.study.summary import Summary

__all__ = ["RATING_WORDS", "come_back_line", "interval_label", "rating_label", "summary_table"]

RATING_WORDS = {
    "again": Rating.AGAIN,
    "hard": Rating.HARD,
    "good": Rating.GOOD,
    "easy": Rating.EASY,
}

_INTERVAL = re.compile(r"^(\d+(?:\.\d+)?)(mo|s|m|h|d|y)$")
_UNITS = {
    "s": N_("{n}s"),
    "m": N_("{n}m"),
    "h": N_("{n}h"),
    "d": N_("{n}d"),
    "mo": N_("{n}mo"),
    "y": N_("{n}y"),
}


def interval_label(label: str) -> str:
    """An interval label ("10m", "3.5mo") in the user's language (JSON keeps the label as it is)."""
    match = _INTERVAL.match(label)
    return _(_UNITS[match.group(2)]).format(n=match.group(1)) if match else label


def rating_label(rating: Rating) -> str:
    """A rating's name in the user's language."""
    from cvquiz.study import rating_name

    return rating_name(rating)


def summary_table(summary: Summary) -> RenderableType:
    """The end-of-session summary as a table (the terminal and plain line mode print it)."""
    from cvquiz.i18n import ngettext

    table = Table(title=_("Session summary"), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    minutes, seconds = divmod(int(summary.seconds), 60)
    table.add_row(
        _("Reviews"),
        ngettext("{reviews} ({cards} card)", "{reviews} ({cards} cards)", summary.cards).format(
            reviews=summary.reviews, cards=summary.cards
        ),
    )
    table.add_row(_("Again rate"), f"{summary.again_rate:.0%}")
    if summary.accuracy is not None:
        table.add_row(
            _("Compute accuracy"),
            f"{summary.compute_correct}/{summary.compute_answered} ({summary.accuracy:.0%})",
        )
    if summary.code_answered:
        table.add_row(_("Code passed"), f"{summary.code_passed}/{summary.code_answered}")
    table.add_row(
        _("Time"), _("{minutes}m {seconds}s").format(minutes=minutes, seconds=f"{seconds:02d}")
    )
    table.add_row(_("Streak"), _("{days} d").format(days=summary.streak))
    if summary.left_today:
        table.add_row(_("Left for today"), str(summary.left_today))
    table.add_row(_("Due later today"), str(summary.due_later_today))
    table.add_row(_("Due tomorrow"), str(summary.due_tomorrow))
    come_back = come_back_line(summary)
    if come_back:
        return Group(table, Text(come_back, style="bold"))
    return table


def come_back_line(summary: Summary) -> str | None:
    """ "3 learning cards due in 10 min", or None when no learning card is due later today."""
    from cvquiz.i18n import ngettext

    if not summary.due_later_today or summary.next_learning_minutes is None:
        return None
    return ngettext(
        "{count} learning card due in {minutes} min: come back then",
        "{count} learning cards due in {minutes} min: come back then",
        summary.due_later_today,
    ).format(count=summary.due_later_today, minutes=summary.next_learning_minutes)
