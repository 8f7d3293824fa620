"""``cvquiz optimize``: fit the 21 FSRS parameters to the user's own review log, and suggest a desired retention.

Fitting and evaluation are done by fsrs-rs (through ``fsrs_rs_python``, the Rust engine Anki uses), imported
only when needed. This module turns the review log into its training items: the reviews of a card are split
into histories, each starting at a review of the card while it was new (a card reset with ``forget`` starts a
new history), and every review at least one study day after the previous one is an item holding the history up
to it. Same-day reviews (learning steps) stay in the histories but are not items of their own.

The fitted parameters are rounded to 4 decimals (as Anki shows them) and evaluated as rounded, so the figures
shown are those of exactly the parameters that would be saved.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from cvquiz import clock
from cvquiz.config import Settings
from cvquiz.errors import CvquizError
from cvquiz.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.simulate import Simulation

__all__ = [
    "DECIMALS",
    "MIN_ITEMS",
    "RETENTION_CANDIDATES",
    "SEARCH_CARDS",
    "Evaluation",
    "Fit",
    "RetentionAdvice",
    "evaluate",
    "fit",
    "optimize_collection",
    "suggest_retention",
    "training_items",
]

MIN_ITEMS = 400
"""Fewer usable reviews than this are too few to fit 21 parameters; the current ones are kept."""

DECIMALS = 4
"""Fitted parameters are rounded to this many decimals."""

RETENTION_CANDIDATES = (0.80, 0.85, 0.90, 0.95)
"""The desired retentions whose workload ``optimize --retention`` shows next to the suggested one."""

SEARCH_CARDS = 2000
"""The optimal-retention search simulates at most this many studied cards: a random sample, with the collection's
new cards and daily limits scaled by the same fraction. Its cost grows with the cards (minutes for 100,000)."""

_OPTIMAL_BOUNDS = (0.70, 0.95)
"""The suggested retention is kept in this range (as Anki does)."""

Progress = Callable[[str], None]
"""Told a short description of each stage as it starts (the CLI shows it on stderr)."""

T = TypeVar("T")


def _library(what: str, call: Callable[[], T]) -> T:
    """Run an fsrs-rs call, turning its failures into a `CvquizError`."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        raise CvquizError(
            _("fsrs-rs could not {what}: {error}").format(what=_(what), error=error)
        ) from None


@dataclass(frozen=True)
class Evaluation:
    """How well a parameter set predicts the review log (lower is better for both).

    Attributes:
        log_loss: the mean log loss of the predicted recall probabilities.
        rmse_bins: the RMSE between predicted and actual recall over bins of similar reviews.
    """

    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Fit:
    """The outcome of fitting the parameters to a review log.

    Attributes:
        reviews: reviews in the log.
        items: usable reviews (training items).
        min_items: how many items a fit needs.
        current: the parameters in use.
        current_eval: how well they predict the log (None with too few items).
        fitted: the fitted parameters (None with too few items).
        fitted_eval: how well those predict the log.
    """

    reviews: int
    items: int
    min_items: int
    current: tuple[float, ...]
    current_eval: Evaluation | None
    fitted: tuple[float, ...] | None
    fitted_eval: Evaluation | None

    @property
    def enough(self) -> bool:
        """Whether the log had enough usable reviews to fit."""
        return self.items >= self.min_items

    @property
    def better(self) -> bool:
        """Whether the fitted parameters predict the log better (lower log loss) than the current ones."""
        return (
            self.fitted_eval is not None
            and self.current_eval is not None
            and self.fitted_eval.log_loss < self.current_eval.log_loss
        )


def training_items(
    cards: Sequence[int], days: Sequence[str], ratings: Sequence[int], states: Sequence[int]
) -> list[Any]:
    """Build fsrs-rs training items from a review log sorted by card, then time.

    Args:
        cards: each review's card key.
        days: each review's study day (ISO date).
        ratings: each review's rating (1-4).
        states: each review's state before (0 new, 1 learning, 2 review, 3 relearning).

    Returns:
        ``fsrs_rs_python.FSRSItem`` objects, ordered by the day of their last review.
    """
    import fsrs_rs_python as fr
    import numpy as np

    n = len(cards)
    if n == 0:
        return []
    card = np.asarray(cards, dtype=np.int64)
    day = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
    rating = np.asarray(ratings, dtype=np.int64)
    index = np.arange(n)
    # each review belongs to the history begun by the latest review of its card while new
    begun = np.maximum.accumulate(np.where(np.asarray(states) == 0, index, -1))
    kept = (begun >= 0) & (card[np.maximum(begun, 0)] == card)
    delta = np.zeros(n, dtype=np.int64)
    delta[1:] = day[1:] - day[:-1]
    delta[(begun == index) | ~kept] = 0
    delta = np.maximum(
        delta, 0
    )  # a review logged out of day order (clock change) counts as same-day
    ends = np.flatnonzero(kept & (begun != index) & (delta > 0) & (rating >= 1) & (rating <= 4))
    if ends.size == 0:
        return []
    reviews = [
        fr.FSRSReview(int(r), int(t)) for r, t in zip(rating.tolist(), delta.tolist(), strict=True)
    ]
    ends = ends[np.argsort(day[ends], kind="stable")]
    return [
        fr.FSRSItem(reviews[b : e + 1])
        for b, e in zip(begun[ends].tolist(), ends.tolist(), strict=True)
    ]


def evaluate(parameters: Sequence[float], items: Sequence[Any]) -> Evaluation:
    """Return how well a parameter set predicts training items (fsrs-rs ``evaluate``).

    Raises:
        CvquizError: when there are no items or fsrs-rs rejects the parameters.
    """
    import fsrs_rs_python as fr

    if not items:
        raise CvquizError(_("there are no usable reviews to evaluate parameters on"))
    result = _library(
        N_("evaluate the parameters"), lambda: fr.FSRS(list(parameters)).evaluate(list(items))
    )
    return Evaluation(log_loss=float(result.log_loss), rmse_bins=float(result.rmse_bins))


def fit(
    items: Sequence[Any],
    current: Sequence[float],
    relearning_steps: int = 1,
    reviews: int | None = None,
    min_items: int = MIN_ITEMS,
    progress: Progress | None = None,
) -> Fit:
    """Fit the parameters to training items and evaluate both the current and the fitted ones.

    Args:
        items: training items (`training_items`).
        current: the parameters in use.
        relearning_steps: how many relearning steps the user's settings have.
        reviews: how many reviews the items were built from (for the report; default: unknown, the items).
        min_items: below this many items nothing is fitted.
        progress: called with a short description as each stage starts.

    Returns:
        The fit; ``fitted`` is None when there are too few items.

    Raises:
        CvquizError: when fsrs-rs fails or returns parameters py-fsrs cannot use.
    """
    import fsrs_rs_python as fr

    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    count = reviews if reviews is not None else len(items)
    current = tuple(float(w) for w in current)
    if len(items) < min_items:
        return Fit(count, len(items), min_items, current, None, None, None)
    say(_("evaluating the current parameters"))
    before = evaluate(current, items)
    say(
        ngettext(
            "fitting 21 parameters to {n} review",
            "fitting 21 parameters to {n} reviews",
            len(items),
        ).format(n=f"{len(items):,}")
    )
    raw = _library(
        N_("fit the parameters"),
        lambda: fr.FSRS(list(current)).compute_parameters(
            list(items), enable_short_term=True, num_relearning_steps=relearning_steps
        ),
    )
    fitted = tuple(round(float(w), DECIMALS) for w in raw)
    _check_usable(fitted)
    say(_("evaluating the fitted parameters"))
    after = evaluate(fitted, items)
    return Fit(count, len(items), min_items, current, before, fitted, after)


def _check_usable(parameters: tuple[float, ...]) -> None:
    import fsrs

    try:
        fsrs.Scheduler(parameters=parameters)
    except ValueError as error:
        raise CvquizError(
            _("the fitted parameters cannot be used by the scheduler: {error}").format(error=error)
        ) from None


def optimize_collection(
    col: Collection,
    settings: Settings,
    progress: Progress | None = None,
    min_items: int = MIN_ITEMS,
) -> Fit:
    """Fit the parameters to the collection's review log.

    Args:
        col: the collection.
        settings: the current parameters and relearning steps.
        progress: called with a short description as each stage starts.
        min_items: below this many usable reviews nothing is fitted.

    Raises:
        CvquizError: when fsrs-rs fails.
    """
    from cvquiz.collection.stats_queries import training_reviews

    if progress is not None:
        progress(_("reading the review log"))
    rows = training_reviews(col)
    if progress is not None:
        progress(
            ngettext(
                "building training items from {n} review",
                "building training items from {n} reviews",
                len(rows),
            ).format(n=f"{len(rows):,}")
        )
    columns: list[Sequence[Any]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 4
    items = training_items(*columns)
    return fit(
        items,
        settings.parameters,
        relearning_steps=len(settings.relearning_steps),
        reviews=len(rows),
        min_items=min_items,
        progress=progress,
    )


@dataclass(frozen=True)
class RetentionAdvice:
    """A suggested desired retention with the workload of a few others.

    Attributes:
        optimal: the retention fsrs-rs finds cheapest per card remembered, within 0.70-0.95.
        current: the desired retention in use.
        days: the simulated period.
        searched_cards: studied cards the search simulated (a sample when the collection has more than
            `SEARCH_CARDS`).
        studied_cards: studied cards in the collection.
        simulation: the workload at each retention (`RETENTION_CANDIDATES`, the current and the optimal one).
    """

    optimal: float
    current: float
    days: int
    searched_cards: int
    studied_cards: int
    simulation: Simulation


def suggest_retention(
    col: Collection,
    now: datetime,
    settings: Settings,
    days: int = 365,
    seed: int = 0,
    progress: Progress | None = None,
) -> RetentionAdvice:
    """Search the desired retention with the lowest cost per card remembered (fsrs-rs ``optimal_retention``).

    The search simulates the collection as it is (its studied cards, its new cards at the daily new-card
    limit, the review limit) with the user's rating frequencies when the log has enough of them; a collection
    with more than `SEARCH_CARDS` studied cards is represented by a random sample of them (``seed``). The
    workload at a few retentions comes from `cvquiz.simulate` on the whole collection.

    Args:
        col: the collection.
        now: the current time.
        settings: parameters, limits and steps.
        days: the period to simulate.
        seed: the random seed of the sample and of the workload simulation.
        progress: called with a short description as each stage starts.

    Raises:
        CvquizError: when fsrs-rs fails.
    """
    import fsrs_rs_python as fr

    from cvquiz.collection import stats_queries as q
    from cvquiz.simulate import Scenario, rating_probabilities, simulate_collection

    if progress is not None:
        progress(_("reading the collection"))
    rows, new_cards = q.studied_cards(col)
    first_p, pass_p, _relearn = rating_probabilities(*q.rating_counts(col))
    share = min(1.0, SEARCH_CARDS / len(rows)) if rows else 1.0
    sample = random.Random(seed).sample(rows, SEARCH_CARDS) if share < 1 else list(rows)
    config = fr.default_simulator_config()
    config.deck_size = len(sample) + round(new_cards * share)
    config.learn_span = days
    config.learn_limit = max(1, round(settings.new_per_day * share))
    config.review_limit = max(1, round(settings.reviews_per_day * share))
    config.max_ivl = float(settings.maximum_interval)
    config.first_rating_prob = list(first_p)
    config.review_rating_prob = list(pass_p)
    config.learning_step_count = len(settings.learning_steps)
    config.relearning_step_count = len(settings.relearning_steps)
    cards = _library_cards(sample, now, clock.study_day(now, settings.rollover_hour))
    if progress is not None:
        progress(
            ngettext(
                "searching the optimal retention over {n} simulated day",
                "searching the optimal retention over {n} simulated days",
                days,
            ).format(n=days)
        )
    found = _library(
        N_("search the optimal retention"),
        lambda: fr.optimal_retention(config, list(settings.parameters), cards or None),
    )
    optimal = round(min(max(float(found), _OPTIMAL_BOUNDS[0]), _OPTIMAL_BOUNDS[1]), 2)
    retentions = sorted({*RETENTION_CANDIDATES, round(settings.desired_retention, 2), optimal})
    if progress is not None:
        progress(_("simulating the workload at each retention"))
    simulation = simulate_collection(
        col,
        now,
        settings,
        [Scenario(r, settings.new_per_day) for r in retentions],
        days=days,
        seed=seed,
    )
    return RetentionAdvice(
        optimal=optimal,
        current=settings.desired_retention,
        days=days,
        searched_cards=len(sample),
        studied_cards=len(rows),
        simulation=simulation,
    )


def _library_cards(
    rows: Sequence[tuple[int, float, float, int, str, int]], now: datetime, today: date
) -> list[Any]:
    """Turn studied cards into fsrs-rs simulator cards (days relative to today, day 0)."""
    import fsrs_rs_python as fr

    now_ms = clock.to_ms(now)
    cards = []
    for i, (_state, stability, difficulty, last_ms, due_day, lapses) in enumerate(rows):
        card = fr.Card()
        card.id = i
        card.stability = float(stability)
        card.difficulty = float(difficulty)
        elapsed = max((now_ms - int(last_ms)) // 86_400_000, 0)
        card.last_date = float(-elapsed)
        due = (date.fromisoformat(due_day) - today).days if due_day else 0
        card.due = float(max(due, 0))
        card.interval = float(max(due + elapsed, 1))
        card.lapses = int(lapses)
        cards.append(card)
    return cards
