"""What the review log and the schedule say in bulk: a day's activity, retention, memory, the forecast.

Read by ``cvquiz status``, the drill's summary and the statistics; each is one query over an index, so
``status`` needs neither NumPy nor a pass over the rows in Python.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cvquiz.collection import store

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "DayActivity",
    "day_activity",
    "due_counts",
    "live",
    "review_memory",
    "review_memory_mean",
    "review_retention",
    "study_days",
]

_DAY_MS = 86_400_000

_LIVE = "s.suspended = 0 AND s.card_pk NOT IN (SELECT pk FROM cards WHERE active = 0)"


def live(col: Collection) -> str:
    """Return the condition for active, unsuspended schedule rows ``s``.

    Retired cards are few, so they are left out by key, which keeps the big reads inside schedule's covering
    index; when none is retired (most collections), the condition is the index's own column alone.
    """
    return _LIVE if store.has_retired(col.conn) else "s.suspended = 0"


@dataclass(frozen=True)
class DayActivity:
    """What the review log says about one study day.

    Attributes:
        reviews: reviews logged.
        cards: distinct cards reviewed.
        again: reviews rated Again.
        time_ms: time spent, summed over the reviews that recorded it.
        cram: of the reviews, those of custom-study cramming (``drill --cram``), which left the schedule as it
            was (statistics and retention leave them out).
    """

    reviews: int
    cards: int
    again: int
    time_ms: int
    cram: int = 0


def day_activity(col: Collection, day: date) -> DayActivity:
    """Return the review log's totals for one study day (an index range on ``reviews(study_day)``)."""
    reviews, cards, again, time_ms, cram = col.conn.execute(
        """SELECT COUNT(*), COUNT(DISTINCT card_pk), SUM(rating = 1), SUM(duration_ms), SUM(cram)
           FROM reviews WHERE study_day = ?""",
        (day.isoformat(),),
    ).fetchone()
    return DayActivity(int(reviews), int(cards), int(again or 0), int(time_ms or 0), int(cram or 0))


def review_retention(col: Collection, first: date, last: date) -> tuple[int, int]:
    """Return (passed, total) reviews of cards in the review state over study days ``first..last``.

    This is Anki's "true retention": (re)learning steps are left out, anything but Again passes.
    """
    passed, total = col.conn.execute(
        """SELECT SUM(rating > 1), COUNT(*) FROM reviews
           WHERE study_day BETWEEN ? AND ? AND state_before = 2 AND cram = 0""",
        (first.isoformat(), last.isoformat()),
    ).fetchone()
    return int(passed or 0), int(total)


def review_memory(col: Collection) -> Iterator[tuple[float, int]]:
    """Yield (stability, last_review ms) of every active, unsuspended card in the review state (one query).

    The rows come from the covering index ``schedule(state, due_day, suspended, stability, last_review)``.
    """
    return col.conn.execute(
        f"SELECT s.stability, s.last_review FROM schedule s WHERE s.state = 2 AND {live(col)}"
    )


def _ensure_math(conn: Any) -> None:
    """Give the connection ``pow`` and ``floor`` when SQLite was built without its math functions."""
    try:
        conn.execute("SELECT pow(2.0, 0.5), floor(0.5)").fetchone()
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)
        conn.create_function("floor", 1, math.floor, deterministic=True)


def review_memory_mean(
    col: Collection, now_ms: int, parameters: Sequence[float]
) -> tuple[int, float | None]:
    """Return how many cards are in review and their mean FSRS-6 probability of recall at ``now_ms``.

    The same forgetting curve as `cvquiz.scheduler.retrievability` (R = (1 + f·t/S)^-w20, t in whole days
    since the last review as py-fsrs counts them), summed inside SQLite so that ``cvquiz status`` needs
    neither NumPy nor a pass over the rows in Python.

    Returns:
        ``(count, mean)``; the mean is None when no card is in review.
    """
    decay = -float(parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    _ensure_math(col.conn)
    count, mean = col.conn.execute(
        "SELECT count(*), avg(pow(1.0 + :factor * max(0, floor((:now - s.last_review) / :day)) "
        f"/ s.stability, :decay)) FROM schedule s WHERE s.state = 2 AND {live(col)}",
        {"factor": factor, "now": now_ms, "day": float(_DAY_MS), "decay": decay},
    ).fetchone()
    return int(count), None if mean is None else float(mean)


def due_counts(col: Collection, first: date, last: date) -> dict[str, int]:
    """Return how many active, unsuspended studied cards fall due on each study day ``first..last``.

    Overdue cards count on ``first``; days without cards are left out. Counted inside SQLite over the
    covering index ``schedule(state, due_day, suspended, ...)``, one state at a time so that each count walks
    the index in day order (no sort).
    """
    where = live(col)
    counts: dict[str, int] = {}
    for state in (1, 2, 3):
        rows = col.conn.execute(
            f"""SELECT s.due_day, COUNT(*) FROM schedule s
                WHERE s.state = :state AND s.due_day <= :last AND {where} GROUP BY s.due_day""",
            {"state": state, "last": last.isoformat()},
        )
        for day, count in rows:
            key = max(day, first.isoformat())
            counts[key] = counts.get(key, 0) + int(count)
    return counts


def study_days(col: Collection) -> list[str]:
    """Return every study day with a review, oldest first.

    Each day is one seek in the ``reviews`` day index (a recursive query that jumps from one day to the
    next), so years of history cost a few milliseconds, not a scan of the log.
    """
    rows = col.conn.execute(
        """WITH RECURSIVE d(day) AS (
               SELECT MIN(study_day) FROM reviews
               UNION ALL
               SELECT (SELECT MIN(study_day) FROM reviews WHERE study_day > d.day)
               FROM d WHERE d.day IS NOT NULL)
           SELECT day FROM d WHERE day IS NOT NULL"""
    ).fetchall()
    return [day for (day,) in rows]
