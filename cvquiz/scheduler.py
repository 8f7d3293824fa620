"""The scheduler: a thin adapter over py-fsrs (FSRS-6) plus the NumPy views that need every card at once.

py-fsrs does each review's memory update and next due time; this module never re-derives those formulas. It
owns what py-fsrs leaves open: the "new" state (py-fsrs has none), the counters cvquiz keeps (reps, lapses),
the millisecond grid the collection stores times on, fuzz driven by an explicit RNG (py-fsrs fuzzes with the
process-wide ``random``), the study day a card falls due on (DST-proof), and Anki-style interval labels.

The bulk functions (`retrievability`, `retrievability_at`, `mean_retrievability`) take arrays read in one query
and agree with py-fsrs card by card; nothing here touches SQL.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cvquiz import clock
from cvquiz.config import Settings
from cvquiz.errors import ConfigError
from cvquiz.model import Rating, State

if TYPE_CHECKING:
    import fsrs
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DAY_MS",
    "SchedState",
    "due_day",
    "elapsed_days",
    "format_interval",
    "mean_retrievability",
    "preview_intervals",
    "retrievability",
    "retrievability_at",
    "review",
]

DAY_MS = 86_400_000
"""One day in milliseconds (py-fsrs counts elapsed time in whole 24-hour days)."""

_ROW_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


@dataclass(frozen=True)
class SchedState:
    """The scheduling part of one card's schedule row.

    Attributes:
        state: new, learning, review or relearning.
        step: the (re)learning step py-fsrs is on, or None (new and review cards).
        stability: FSRS stability in days, or None while new.
        difficulty: FSRS difficulty (1-10), or None while new.
        due: when the card is next due (UTC), or None while new.
        last_review: when it was last reviewed (UTC), or None while new.
        reps: how many times it was reviewed.
        lapses: how many times it was forgotten in the review state.
    """

    state: State = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    def to_row(self) -> dict[str, Any]:
        """Return the schedule-table columns: times as integer ms since the epoch, state as its integer."""
        return {
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": None if self.due is None else clock.to_ms(self.due),
            "last_review": None if self.last_review is None else clock.to_ms(self.last_review),
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SchedState:
        """Build a state from schedule-table columns (extra keys are ignored).

        Args:
            row: a mapping with at least the columns `to_row` writes.
        """
        due, last = row["due"], row["last_review"]
        return cls(
            state=State(row["state"]),
            step=row["step"],
            stability=None if row["stability"] is None else float(row["stability"]),
            difficulty=None if row["difficulty"] is None else float(row["difficulty"]),
            due=None if due is None else clock.from_ms(int(due)),
            last_review=None if last is None else clock.from_ms(int(last)),
            reps=int(row.get("reps") or 0),
            lapses=int(row.get("lapses") or 0),
        )

    def to_json(self) -> str:
        """Return the state as JSON (the ``to_row`` columns), as kept in ``reviews.before/after``."""
        return json.dumps(self.to_row())

    @classmethod
    def from_json(cls, text: str) -> SchedState:
        """Build a state from `to_json` output (extra keys, such as the rest of the row, are ignored)."""
        return cls.from_row(json.loads(text))

    def to_fsrs(self, now: datetime, card_id: int = 0) -> fsrs.Card:
        """Return the py-fsrs Card for this state; a new card becomes py-fsrs' fresh learning card.

        Args:
            now: stands in for the due time of a new card (py-fsrs requires one).
            card_id: the id to give the py-fsrs card (passing one also avoids py-fsrs' 1 ms sleep).
        """
        import fsrs

        if self.state is State.NEW:
            return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=_utc(now))
        return fsrs.Card(
            card_id=card_id,
            state=fsrs.State(int(self.state)),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due) if self.due is not None else _utc(now),
            last_review=None if self.last_review is None else _utc(self.last_review),
        )


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass a timezone-aware datetime")
    return when.astimezone(UTC)


def _on_ms_grid(when: datetime) -> datetime:
    """Round an instant to whole milliseconds (the collection's resolution), in UTC."""
    return clock.from_ms(clock.to_ms(when))


@lru_cache(maxsize=8)
def _fsrs_scheduler(
    parameters: tuple[float, ...],
    desired_retention: float,
    learning_steps: tuple[timedelta, ...],
    relearning_steps: tuple[timedelta, ...],
    maximum_interval: int,
    fuzz: bool,
) -> fsrs.Scheduler:
    import fsrs

    try:
        return fsrs.Scheduler(
            parameters=parameters,
            desired_retention=desired_retention,
            learning_steps=learning_steps,
            relearning_steps=relearning_steps,
            maximum_interval=maximum_interval,
            enable_fuzzing=fuzz,
        )
    except ValueError as error:
        raise ConfigError(f"parameters: {error}") from None


def fsrs_scheduler(settings: Settings, fuzz: bool | None = None) -> fsrs.Scheduler:
    """Return the (cached) py-fsrs Scheduler for these settings.

    Args:
        settings: the user's settings.
        fuzz: override ``settings.fuzz`` (previews never fuzz).

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    return _fsrs_scheduler(
        tuple(settings.parameters),
        settings.desired_retention,
        tuple(settings.learning_steps),
        tuple(settings.relearning_steps),
        settings.maximum_interval,
        settings.fuzz if fuzz is None else fuzz,
    )


_FUZZ_LOCK = threading.Lock()


def review(
    sched: SchedState,
    rating: Rating,
    now: datetime,
    settings: Settings,
    rng: random.Random | None = None,
) -> SchedState:
    """Return the state after reviewing a card with ``rating`` at ``now``.

    ``now`` is first put on the collection's millisecond grid, so the result is exactly what the collection
    stores. reps counts every review; lapses counts Again on a card in the review state.

    Args:
        sched: the state before.
        rating: the user's rating.
        now: the time of the review (timezone-aware).
        settings: desired retention, steps, maximum interval, fuzz and FSRS parameters.
        rng: the source of fuzz when ``settings.fuzz`` is on. None then means a generator seeded from the
            card's state and ``now``, so the same review always fuzzes the same way.

    Returns:
        The new state.

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    import fsrs.scheduler

    now = _on_ms_grid(now)
    scheduler = fsrs_scheduler(settings)
    card = sched.to_fsrs(now)
    if settings.fuzz:
        source = rng or random.Random(f"{clock.to_ms(now)}:{sched.reps}:{sched.due}")
        # py-fsrs draws fuzz from the module-level `random`; lend it ours for this one call.
        with _FUZZ_LOCK:
            saved = getattr(fsrs.scheduler, "random")  # noqa: B009 - not re-exported by py-fsrs
            setattr(fsrs.scheduler, "random", source.random)  # noqa: B010
            try:
                new, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), now)
            finally:
                setattr(fsrs.scheduler, "random", saved)  # noqa: B010
    else:
        new, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), now)
    lapsed = sched.state is State.REVIEW and rating is Rating.AGAIN
    return SchedState(
        state=State(int(new.state)),
        step=new.step,
        stability=new.stability,
        difficulty=new.difficulty,
        due=_on_ms_grid(new.due),
        last_review=now,
        reps=sched.reps + 1,
        lapses=sched.lapses + int(lapsed),
    )


def preview_intervals(
    sched: SchedState, now: datetime, settings: Settings
) -> dict[Rating, timedelta]:
    """Return, for each rating, how long until the card would be due again (without fuzz).

    Args:
        sched: the card's state.
        now: the time of the would-be review.
        settings: the scheduler settings.
    """
    now = _on_ms_grid(now)
    plain = replace(settings, fuzz=False)
    out: dict[Rating, timedelta] = {}
    for rating in Rating:
        after = review(sched, rating, now, plain)
        assert after.due is not None
        out[rating] = after.due - now
    return out


def format_interval(delta: timedelta) -> str:
    """Return an interval the way Anki labels its answer buttons: ``"1m"``, ``"10m"``, ``"1d"``, ``"3.5mo"``.

    Args:
        delta: the interval (negative ones are shown as 0s).
    """
    seconds = max(delta.total_seconds(), 0.0)
    for unit, size, below in (
        ("s", 1, 60),
        ("m", 60, 3600),
        ("h", 3600, 86400),
        ("d", 86400, 30 * 86400),
        ("mo", 30 * 86400, 365 * 86400),
    ):
        if seconds < below:
            return _number(seconds / size) + unit
    return _number(seconds / (365 * 86400)) + "y"


def _number(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return text


def due_day(sched: SchedState, rollover_hour: int) -> date | None:
    """Return the study day a card falls due on.

    An interval of whole days (every review interval; day-long learning steps) counts in calendar days from
    the study day of the last review, so a daylight-saving change cannot move the due time across the
    rollover hour into the day before or after. Shorter steps fall due on the study day of their due time.

    Args:
        sched: the card's state.
        rollover_hour: the local hour at which study days start.

    Returns:
        The study day, or None for a new card.
    """
    if sched.due is None:
        return None
    if sched.last_review is not None:
        gap = clock.to_ms(sched.due) - clock.to_ms(sched.last_review)
        if gap >= DAY_MS and gap % DAY_MS == 0:
            return clock.study_day(sched.last_review, rollover_hour) + timedelta(days=gap // DAY_MS)
    return clock.study_day(sched.due, rollover_hour)


def elapsed_days(now_ms: int, last_review_ms: npt.ArrayLike) -> np.ndarray:
    """Return whole days elapsed since each last review, as py-fsrs counts them (floored, never negative).

    Args:
        now_ms: the current time in ms since the epoch.
        last_review_ms: each card's last review in ms since the epoch.
    """
    import numpy as np

    last = np.asarray(last_review_ms, dtype=np.int64)
    days: np.ndarray = np.maximum((np.int64(now_ms) - last) // DAY_MS, 0).astype(np.float64)
    return days


def retrievability(
    stability: npt.ArrayLike, elapsed_days: npt.ArrayLike, parameters: Sequence[float]
) -> np.ndarray:
    """Return the FSRS-6 probability of recall for many cards at once.

    R = (1 + factor * t / S) ** decay with decay = -w[20] and factor = 0.9 ** (1 / decay) - 1, the forgetting
    curve py-fsrs uses (so that R = 0.9 when t = S).

    Args:
        stability: each card's stability in days.
        elapsed_days: days since each card's last review (see `elapsed_days` for py-fsrs' rounding).
        parameters: the 21 FSRS-6 weights.
    """
    import numpy as np

    decay = -float(parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    s = np.asarray(stability, dtype=np.float64)
    t = np.asarray(elapsed_days, dtype=np.float64)
    result: np.ndarray = (1 + factor * t / s) ** decay
    return result


def retrievability_at(
    stability: npt.ArrayLike,
    last_review_ms: npt.ArrayLike,
    now_ms: int,
    parameters: Sequence[float],
) -> np.ndarray:
    """Return each card's retrievability at ``now_ms``, agreeing with py-fsrs' ``get_card_retrievability``.

    Args:
        stability: each card's stability in days.
        last_review_ms: each card's last review in ms since the epoch.
        now_ms: the time to evaluate at, in ms since the epoch.
        parameters: the 21 FSRS-6 weights.
    """
    return retrievability(stability, elapsed_days(now_ms, last_review_ms), parameters)


def mean_retrievability(
    memory: Iterable[tuple[float, int]], now_ms: int, parameters: Sequence[float]
) -> tuple[int, float | None]:
    """Return how many cards there are and their mean probability of recall at ``now_ms``.

    Args:
        memory: each card's (stability, last review in ms since the epoch), e.g. a query's cursor: the rows
            stream straight into one array.
        now_ms: the time to evaluate at.
        parameters: the 21 FSRS-6 weights.

    Returns:
        ``(count, mean)``; the mean is None when there are no cards.
    """
    import numpy as np

    flat = np.fromiter(itertools.chain.from_iterable(memory), dtype=np.float64).reshape(-1, 2)
    if not len(flat):
        return 0, None
    # ms since the epoch are far below 2**53, so they pass through float64 exactly
    r = retrievability_at(flat[:, 0], flat[:, 1].astype(np.int64), now_ms, parameters)
    return len(flat), float(r.mean())
