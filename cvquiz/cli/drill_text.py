"""What both front ends of ``cvquiz drill`` say: rating words, interval labels, the session summary.

Plain strings only: the line front end prints them without loading rich.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cvquiz.i18n import N_, _
from cvquiz.model import Rating

if TYPE_CHECKING:
    from cvquiz.study.summary import Summary

__all__ = ["RATING_WORDS", "come_back_line", "interval_label", "rating_label", "summary_rows"]

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


def summary_rows(summary: Summary) -> list[tuple[str, str]]:
    """The end-of-session summary as (label, value) rows, which both front ends lay out as a table."""
    from cvquiz.i18n import ngettext

    minutes, seconds = divmod(int(summary.seconds), 60)
    rows = [
        (
            _("Reviews"),
            ngettext("{reviews} ({cards} card)", "{reviews} ({cards} cards)", summary.cards).format(
                reviews=summary.reviews, cards=summary.cards
            ),
        ),
        (_("Again rate"), f"{summary.again_rate:.0%}" if summary.reviews else "–"),
    ]
    if summary.accuracy is not None:
        rows.append(
            (
                _("Compute accuracy"),
                _("{correct}/{answered} ({percent})").format(
                    correct=summary.compute_correct,
                    answered=summary.compute_answered,
                    percent=f"{summary.accuracy:.0%}",
                ),
            )
        )
    if summary.code_answered:
        rows.append((_("Code passed"), f"{summary.code_passed}/{summary.code_answered}"))
    rows.append(
        (_("Time"), _("{minutes}m {seconds}s").format(minutes=minutes, seconds=f"{seconds:02d}"))
    )
    rows.append((_("Streak"), _("{days} d").format(days=summary.streak)))
    if summary.left_today:
        rows.append((_("Left for today"), str(summary.left_today)))
    rows.append((_("Due later today"), str(summary.due_later_today)))
    rows.append((_("Due tomorrow"), str(summary.due_tomorrow)))
    return rows


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
