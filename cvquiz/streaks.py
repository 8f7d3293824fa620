"""Study streaks: runs of consecutive study days, as ``cvquiz stats`` and the drill's summary count them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["Streak", "streaks"]


@dataclass(frozen=True)
class Streak:
    """Consecutive study days (days with at least one review; study days follow the rollover hour).

    Attributes:
        current: the run ending today, or yesterday when nothing is studied yet today (it is not broken
            until today ends); 0 otherwise.
        longest: the longest run ever.
        study_days: every day with a review.
        studied_today: whether today already has a review.
    """

    current: int
    longest: int
    study_days: int
    studied_today: bool


def streaks(days: Sequence[str], today: date) -> Streak:
    """Return the streaks of a set of study days.

    Args:
        days: ISO dates of the days with reviews, in any order (days after ``today`` are ignored).
        today: today's study day.
    """
    today_n = today.toordinal()
    ordinals = sorted(
        {o for o in (date.fromisoformat(d).toordinal() for d in days) if o <= today_n}
    )
    if not ordinals:
        return Streak(current=0, longest=0, study_days=0, studied_today=False)
    # the length of the run of consecutive days ending at each day, and the longest run
    run = longest = 1
    for previous, day in itertools.pairwise(ordinals):
        run = run + 1 if day == previous + 1 else 1
        longest = max(longest, run)
    last = ordinals[-1]
    current = run if last >= today_n - 1 else 0
    return Streak(
        current=current,
        longest=longest,
        study_days=len(ordinals),
        studied_today=last == today_n,
    )
