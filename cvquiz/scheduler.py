"""The scheduler: a thin adapter over py-fsrs (FSRS-6) plus the NumPy views that need every card at once.

py-fsrs does each review's memory update and next due time; this module never re-derives those formulas. It
owns what py-fsrs leaves open: the "new" state (py-fsrs has none), the counters cvquiz keeps (reps, lapses),
the millisecond grid the collection stores times on, what Anki adds on top of FSRS (`answer_states`: its fuzz ranges
with a fuzz factor seeded per card and review, so a button can show the fuzzed interval it gives, and Hard < Good
< Easy on review cards), and Anki-style interval labels.

The bulk functions (`retrievability`, `retrievability_at`, `mean_retrievability`) take arrays read in one query
and agree with py-fsrs card by card; nothing here touches SQL.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.cardstate import DAY_MS, SchedState, due_day
from cvquiz.config import Settings
from cvquiz.errors import ConfigError
from cvquiz.model import Rating, State

if TYPE_CHECKING:
    import fsrs
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DAY_MS",
    "FUZZ_RANGES",
    "SchedState",
    "answer_states",
    "due_day",
    "elapsed_days",
    "format_interval",
    "fuzz_bounds",
    "fuzz_delta",
    "fuzz_factor",
    "fuzzed_days",
    "mean_retrievability",
    "preview_intervals",
    "retrievability",
    "retrievability_at",
    "review",
]


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


def review(sched: SchedState, rating: Rating, now: datetime, settings: Settings) -> SchedState:
    """Return py-fsrs' state after reviewing a card with ``rating`` at ``now``, without fuzz.

    This is py-fsrs' memory update exactly; `answer_states` adds what Anki adds on top (fuzz, and Hard < Good
    < Easy on review cards). ``now`` is first put on the collection's millisecond grid, so the result is exactly
    what the collection stores. reps counts every review; lapses counts Again on a card in the review state.

    Args:
        sched: the state before.
        rating: the user's rating.
        now: the time of the review (timezone-aware).
        settings: desired retention, steps, maximum interval and FSRS parameters.

    Returns:
        The new state.

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    import fsrs

    now = _on_ms_grid(now)
    scheduler = fsrs_scheduler(settings, fuzz=False)
    new, _ = scheduler.review_card(sched.to_fsrs(now), fsrs.Rating(int(rating)), now)
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


FUZZ_RANGES: tuple[tuple[float, float, float], ...] = (
    (2.5, 7.0, 0.15),
    (7.0, 20.0, 0.1),
    (20.0, math.inf, 0.05),
)
"""Anki's fuzz ranges (rslib/src/scheduler/states/fuzz.rs): (start, end, factor) in days. An interval of at least
2.5 days is fuzzed by 1 day plus ``factor`` for each of its days inside each range, in both directions."""


def fuzz_factor(card_key: int, reps: int) -> float:
    """Return the fuzz factor in [0, 1) of one review of one card.

    As in Anki, it is seeded from the card and its review count, so the buttons can show the fuzzed interval
    the review will give before it happens.
    """
    return random.Random(f"fuzz:{card_key}:{reps}").random()


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # Rust's f32::round for the non-negative days here


def fuzz_delta(interval: float) -> float:
    """Return how many days an interval may be fuzzed by in each direction (0 below 2.5 days), as Anki."""
    if interval < 2.5:
        return 0.0
    return 1.0 + sum(
        factor * max(min(interval, end) - start, 0.0) for start, end, factor in FUZZ_RANGES
    )


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Return the fuzzed interval's range ``[lower, upper]`` in days within ``[minimum, maximum]``, as Anki.

    Anki's ``constrained_fuzz_bounds``: the interval is clamped to the limits, widened by `fuzz_delta`, clamped
    again, and given a range of at least two days when the limits allow it and the interval is above 2.
    """
    minimum = min(minimum, maximum)
    interval = min(max(interval, float(minimum)), float(maximum))
    delta = fuzz_delta(interval)
    lower = min(max(_round(interval - delta), minimum), maximum)
    upper = min(max(_round(interval + delta), minimum), maximum)
    if upper == lower and upper > 2 and upper < maximum:
        upper = lower + 1
    return lower, upper


def fuzzed_days(interval: float, minimum: int, maximum: int, factor: float | None) -> int:
    """Return the interval in whole days a review gives: fuzzed with ``factor``, or rounded when None (Anki's
    ``with_review_fuzz``)."""
    if factor is None:
        return min(max(_round(interval), minimum), maximum)
    lower, upper = fuzz_bounds(interval, minimum, maximum)
    return math.floor(lower + factor * (1 + upper - lower))


def _days(state: SchedState, now: datetime) -> float:
    assert state.due is not None
    return (state.due - now).total_seconds() / 86400


def answer_states(
    sched: SchedState,
    now: datetime,
    settings: Settings,
    factor: float | None = None,
    only: Rating | None = None,
) -> dict[Rating, SchedState]:
    """Return the state each rating gives, exactly as a review will store it.

    py-fsrs computes the memory state (`review`); the interval in days of a card that is (or goes) in review is
    then fuzzed as Anki fuzzes it (`fuzzed_days`, when ``settings.fuzz`` is on) and, on a card already in
    review, kept in Anki's order: Hard at least one day, and longer than the last interval when FSRS lengthens
    it; Good at least a day longer than Hard, Easy than Good (within ``maximum_interval``).

    Args:
        sched: the state before.
        now: the time of the review.
        settings: the scheduler settings.
        factor: the review's fuzz factor (`fuzz_factor`); None rounds instead of fuzzing.
        only: compute this rating's state (and the ratings its interval depends on) only.
    """
    now = _on_ms_grid(now)
    factor = factor if settings.fuzz else None
    maximum = settings.maximum_interval
    wanted = list(Rating)
    if only is not None:
        chained = sched.state is State.REVIEW and only is not Rating.AGAIN
        wanted = [r for r in Rating if Rating.HARD <= r <= only] if chained else [only]
    out = {rating: review(sched, rating, now, settings) for rating in wanted}
    last = 0
    if sched.state is State.REVIEW and sched.due is not None and sched.last_review is not None:
        last = _round((sched.due - sched.last_review).total_seconds() / 86400)
    previous = 0
    for rating in (Rating.HARD, Rating.GOOD, Rating.EASY):
        if rating not in out:
            continue
        after = out[rating]
        if after.state is not State.REVIEW:
            continue
        interval = _days(after, now)
        if sched.state is State.REVIEW:
            # if FSRS lengthens the interval, fuzz never takes it back to the last one (Anki)
            longer = last + 1 if _round(interval) > last else 0
            minimum = max(longer, 1 if rating is Rating.HARD else previous + 1)
        else:
            minimum = 1
        days = fuzzed_days(interval, minimum, maximum, factor)
        previous = days
        out[rating] = replace(after, due=now + timedelta(days=days))
    return out


def preview_intervals(
    sched: SchedState, now: datetime, settings: Settings, factor: float | None = None
) -> dict[Rating, timedelta]:
    """Return, for each rating, how long until the card would be due again: what `answer_states` gives.

    Args:
        sched: the card's state.
        now: the time of the would-be review.
        settings: the scheduler settings.
        factor: the review's fuzz factor (`fuzz_factor` of the card and its review count); None: no fuzz.
    """
    now = _on_ms_grid(now)
    out: dict[Rating, timedelta] = {}
    for rating, after in answer_states(sched, now, settings, factor).items():
        assert after.due is not None
        out[rating] = after.due - now
    return out


def format_interval(delta: timedelta) -> str:
    """Return an interval the way Anki labels its answer buttons: ``"1m"``, ``"10m"``, ``"1d"``, ``"3.5mo"``.

    Args:
        delta: the interval (negative ones are shown as 0s).
    """
    # whole seconds: a minute measured a few milliseconds after the rating reads 1m, as its button did, not 60s
    seconds = float(round(max(delta.total_seconds(), 0.0)))
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
