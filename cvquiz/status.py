"""Today at a glance: what is left to study, what was studied, how well it is remembered, what is coming.

`today_status` gathers it from the collection in a handful of queries that read index pages only; the
retention estimate (every review card's retrievability, averaged) and the forecast are computed inside SQLite,
so ``cvquiz status`` needs no NumPy (``cvquiz stats`` keeps the NumPy path, and a test holds the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.config import Settings

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["FORECAST_DAYS", "RETENTION_DAYS", "DayForecast", "Status", "today_status"]

RETENTION_DAYS = 30
"""The window of the measured retention, in study days (today included)."""

FORECAST_DAYS = 7
"""How many study days the forecast covers (today first)."""


@dataclass(frozen=True)
class DayForecast:
    """How many cards fall due on one study day.

    Attributes:
        day: the study day (ISO date).
        due: cards due that day (today's count includes overdue cards, before daily limits).
    """

    day: str
    due: int


@dataclass(frozen=True)
class Status:
    """What ``cvquiz status`` shows.

    Attributes:
        now: the time the status was taken (ISO 8601).
        study_day: today's study day (ISO date).
        new: new cards left today (within the new-card limit).
        learning: (re)learning cards due now or within the learn-ahead window.
        review: review cards left today (within the review limit).
        studied_cards: distinct cards studied today.
        studied_reviews: reviews logged today (cram reviews included: they are study too).
        cram_today: of those, custom-study cram reviews (``drill --cram``), which ``stats`` leaves out.
        again_today: of those, rated Again.
        time_today_ms: time spent today.
        retention: share of reviews (of cards in the review state) not rated Again over the last
            `RETENTION_DAYS` study days, or None without such reviews.
        retention_reviews: how many reviews that share is taken over.
        estimated_retention: the mean FSRS retrievability of the cards in review right now, or None.
        review_cards: how many cards that estimate is taken over.
        forecast: cards due on each of the next `FORECAST_DAYS` study days, today first.
    """

    now: str
    study_day: str
    new: int
    learning: int
    review: int
    studied_cards: int
    studied_reviews: int
    again_today: int
    time_today_ms: int
    retention: float | None
    retention_reviews: int
    estimated_retention: float | None
    review_cards: int
    forecast: tuple[DayForecast, ...]
    cram_today: int = 0


def today_status(col: Collection, now: datetime, settings: Settings) -> Status:
    """Return today's status.

    Args:
        col: the collection.
        now: the current time.
        settings: limits, rollover hour and FSRS parameters.
    """
    from cvquiz.collection import activity, queue

    today = clock.study_day(now, settings.rollover_hour)
    counts = queue.queue_counts(col, now, settings)
    studied = activity.day_activity(col, today)
    passed, total = activity.review_retention(
        col, today - timedelta(days=RETENTION_DAYS - 1), today
    )
    review_cards, estimate = activity.review_memory_mean(col, clock.to_ms(now), settings.parameters)
    days = [(today + timedelta(days=i)).isoformat() for i in range(FORECAST_DAYS)]
    due = activity.due_counts(col, today, today + timedelta(days=FORECAST_DAYS - 1))
    return Status(
        now=clock.iso_utc(clock.to_ms(now)) or "",
        study_day=today.isoformat(),
        new=counts.new,
        learning=counts.learning,
        review=counts.review,
        studied_cards=studied.cards,
        studied_reviews=studied.reviews,
        again_today=studied.again,
        cram_today=studied.cram,
        time_today_ms=studied.time_ms,
        retention=passed / total if total else None,
        retention_reviews=total,
        estimated_retention=estimate,
        review_cards=review_cards,
        forecast=tuple(DayForecast(day=day, due=due.get(day, 0)) for day in days),
    )
