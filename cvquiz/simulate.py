"""``cvquiz simulate``: the collection run forward day by day, to see the workload a retention and a pace bring.

The simulation starts from the collection as it is (every studied card's stability, difficulty, last review and
due day; the new cards still waiting) and plays a learner who remembers each due card with the probability
FSRS predicts. Each simulated day:

1. the due review cards are shown, most overdue first, up to the daily review limit (the rest wait);
2. each is recalled with probability R; a recalled card is rated Hard/Good/Easy and a forgotten one Again
   followed by one Good per relearning step, with the user's own rating frequencies when the log has enough;
3. new cards are introduced up to the daily pace: a first rating, then Good through the learning steps;
4. every card reviewed gets the interval the desired retention asks for (no fuzz).

The memory updates are the FSRS-6 formulas py-fsrs implements, written here over NumPy arrays so that
100,000 cards can be stepped through a year in seconds; `tests/test_simulate.py` checks them against py-fsrs
review by review. Randomness comes only from the seed; every scenario of a run draws the same random numbers,
so side-by-side scenarios differ only by their settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.config import Settings

if TYPE_CHECKING:
    import numpy as np

    from cvquiz.collection import Collection

__all__ = [
    "MIN_RATINGS",
    "Memory",
    "Scenario",
    "ScenarioResult",
    "Simulation",
    "Start",
    "rating_probabilities",
    "run",
    "simulate_collection",
    "start_from_collection",
]

MIN_RATINGS = 50
"""Below this many first ratings (or passed reviews) in the log, the library's typical frequencies are used."""

_STABILITY_MIN = 0.001
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class Scenario:
    """One set of settings to simulate.

    Attributes:
        retention: the desired retention.
        new_per_day: new cards introduced per day.
    """

    retention: float
    new_per_day: int


@dataclass(frozen=True)
class ScenarioResult:
    """The simulated days of one scenario.

    Attributes:
        retention: the desired retention.
        new_per_day: the pace of new cards.
        reviews: reviews each day, every (re)learning step included.
        due_reviews: review cards shown each day (the part the review limit caps).
        introduced: new cards introduced each day.
        memorized: the expected number of cards remembered at the end of each day (sum of retrievability).
    """

    retention: float
    new_per_day: int
    reviews: tuple[int, ...]
    due_reviews: tuple[int, ...]
    introduced: tuple[int, ...]
    memorized: tuple[float, ...]

    @property
    def mean_reviews(self) -> float:
        """Reviews per day, averaged over the simulated days."""
        return sum(self.reviews) / len(self.reviews) if self.reviews else 0.0


@dataclass(frozen=True)
class Simulation:
    """A simulation of several scenarios from the same start.

    Attributes:
        start: the first simulated study day (today).
        days: simulated days.
        studied_cards: cards with a memory state at the start.
        new_cards: new cards available at the start (None: as many as the pace asks for).
        review_limit: the daily review limit.
        first_rating_prob: probabilities of Again/Hard/Good/Easy on a new card's first review.
        review_rating_prob: probabilities of Hard/Good/Easy on a recalled review card.
        ratings_from_log: True when those came from the user's log, False for the library's typical values.
        scenarios: one result per scenario, in the order asked.
    """

    start: str
    days: int
    studied_cards: int
    new_cards: int | None
    review_limit: int
    first_rating_prob: tuple[float, ...]
    review_rating_prob: tuple[float, ...]
    ratings_from_log: bool
    scenarios: tuple[ScenarioResult, ...]


@dataclass(frozen=True)
class Start:
    """The cards a simulation starts from, as arrays over studied cards.

    Attributes:
        stability: FSRS stability in days.
        difficulty: FSRS difficulty.
        last: the day of the last review, relative to the first simulated day (0 or negative).
        due: the day each card is due, relative to the first simulated day (overdue cards: 0).
        new_cards: new cards waiting (None: unlimited).
    """

    stability: np.ndarray
    difficulty: np.ndarray
    last: np.ndarray
    due: np.ndarray
    new_cards: int | None


@dataclass(frozen=True)
class Memory:
    """The FSRS-6 memory model of one parameter set, vectorized over cards (the formulas of py-fsrs)."""

    w: tuple[float, ...]

    @property
    def decay(self) -> float:
        """The forgetting curve's exponent, -w[20]."""
        return -self.w[20]

    @property
    def factor(self) -> float:
        """Chosen so that R = 0.9 when the elapsed time equals the stability."""
        return float(0.9 ** (1 / self.decay) - 1)

    def retrievability(self, elapsed: np.ndarray, stability: np.ndarray) -> np.ndarray:
        """Return R after ``elapsed`` days for cards of ``stability``."""
        result: np.ndarray = (1 + self.factor * elapsed / stability) ** self.decay
        return result

    def interval(self, stability: np.ndarray, retention: float, maximum: int) -> np.ndarray:
        """Return the next interval in whole days (rounded half to even like py-fsrs, 1..maximum)."""
        import numpy as np

        days = stability / self.factor * (retention ** (1 / self.decay) - 1)
        result: np.ndarray = np.clip(np.round(days), 1, maximum).astype(np.int64)
        return result

    def initial_stability(self, rating: np.ndarray) -> np.ndarray:
        """Return the stability after the first rating."""
        import numpy as np

        result: np.ndarray = np.maximum(np.asarray(self.w[:4])[rating - 1], _STABILITY_MIN)
        return result

    def initial_difficulty(self, rating: np.ndarray, clamp: bool = True) -> np.ndarray:
        """Return the difficulty after the first rating."""
        import numpy as np

        d = self.w[4] - np.exp(self.w[5] * (rating - 1)) + 1
        result: np.ndarray = np.clip(d, 1.0, 10.0) if clamp else d
        return result

    def next_difficulty(self, difficulty: np.ndarray, rating: np.ndarray) -> np.ndarray:
        """Return the difficulty after a review rated ``rating``."""
        import numpy as np

        w = self.w
        target = self.initial_difficulty(np.asarray(4), clamp=False)
        delta = -(w[6] * (rating - 3))
        damped = difficulty + (10.0 - difficulty) * delta / 9.0
        result: np.ndarray = np.clip(w[7] * target + (1 - w[7]) * damped, 1.0, 10.0)
        return result

    def short_term_stability(self, stability: np.ndarray, rating: np.ndarray) -> np.ndarray:
        """Return the stability after a same-day review."""
        import numpy as np

        w = self.w
        increase = np.exp(w[17] * (rating - 3 + w[18])) * stability ** -w[19]
        increase = np.where(rating >= 2, np.maximum(increase, 1.0), increase)
        result: np.ndarray = np.maximum(stability * increase, _STABILITY_MIN)
        return result

    def next_stability(
        self,
        stability: np.ndarray,
        difficulty: np.ndarray,
        retrievability: np.ndarray,
        rating: np.ndarray,
    ) -> np.ndarray:
        """Return the stability after a review a day or more after the last one."""
        import numpy as np

        w = self.w
        hard = np.where(rating == 2, w[15], 1.0)
        easy = np.where(rating == 4, w[16], 1.0)
        recall = stability * (
            1
            + np.exp(w[8])
            * (11 - difficulty)
            * stability ** -w[9]
            * (np.exp((1 - retrievability) * w[10]) - 1)
            * hard
            * easy
        )
        forget = np.minimum(
            w[11]
            * difficulty ** -w[12]
            * ((stability + 1) ** w[13] - 1)
            * np.exp((1 - retrievability) * w[14]),
            stability / np.exp(w[17] * w[18]),
        )
        result: np.ndarray = np.maximum(np.where(rating == 1, forget, recall), _STABILITY_MIN)
        return result

    def good_steps(
        self, stability: np.ndarray, difficulty: np.ndarray, steps: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Apply ``steps`` same-day Good reviews to each card (steps may differ per card)."""
        import numpy as np

        s, d = stability.copy(), difficulty.copy()
        good = np.asarray(3)
        for k in range(int(steps.max(initial=0))):
            more = steps > k
            s[more] = self.short_term_stability(s[more], good)
            d[more] = self.next_difficulty(d[more], good)
        return s, d


def rating_probabilities(
    first_counts: Sequence[int], pass_counts: Sequence[int]
) -> tuple[tuple[float, ...], tuple[float, ...], bool]:
    """Return first-rating and passed-review rating probabilities: the user's own when the log has enough.

    Args:
        first_counts: Again/Hard/Good/Easy counts of first reviews.
        pass_counts: Hard/Good/Easy counts of passed review-state reviews.

    Returns:
        (first_rating_prob, review_rating_prob, taken_from_the_log).
    """
    import fsrs_rs_python

    if sum(first_counts) >= MIN_RATINGS and sum(pass_counts) >= MIN_RATINGS:
        return (
            tuple(n / sum(first_counts) for n in first_counts),
            tuple(n / sum(pass_counts) for n in pass_counts),
            True,
        )
    typical = fsrs_rs_python.default_simulator_config()
    return tuple(typical.first_rating_prob), tuple(typical.review_rating_prob), False


def start_from_collection(
    rows: Sequence[tuple[int, float, float, int, str, int]],
    new_cards: int | None,
    now: datetime,
    rollover_hour: int,
) -> Start:
    """Turn the collection's studied cards into simulation arrays.

    Args:
        rows: (state, stability, difficulty, last review ms, due study day, lapses) per studied card.
        new_cards: new cards waiting (None: unlimited).
        now: the current time.
        rollover_hour: the local hour study days start.
    """
    import numpy as np

    today = clock.study_day(now, rollover_hour)
    if not rows:
        empty = np.zeros(0)
        return Start(empty, empty, empty.astype(np.int64), empty.astype(np.int64), new_cards)
    stability = np.asarray([r[1] for r in rows], dtype=np.float64)
    difficulty = np.asarray([r[2] for r in rows], dtype=np.float64)
    last_ms = np.asarray([r[3] for r in rows], dtype=np.int64)
    # elapsed whole days as py-fsrs counts them at the start of the first simulated day
    last = -np.maximum((np.int64(clock.to_ms(now)) - last_ms) // _DAY_MS, 0)
    due_text = [r[4] or today.isoformat() for r in rows]
    due = (
        np.asarray(due_text, dtype="datetime64[D]") - np.datetime64(today.isoformat(), "D")
    ).astype(np.int64)
    return Start(stability, difficulty, last, np.maximum(due, 0), new_cards)


def run(
    start: Start,
    scenario: Scenario,
    settings: Settings,
    days: int,
    first_rating_prob: Sequence[float],
    review_rating_prob: Sequence[float],
    seed: int = 0,
) -> ScenarioResult:
    """Simulate one scenario.

    Args:
        start: the cards at the start.
        scenario: desired retention and new cards per day.
        settings: FSRS parameters, steps, review limit and maximum interval.
        days: how many days to simulate.
        first_rating_prob: Again/Hard/Good/Easy probabilities of a first review.
        review_rating_prob: Hard/Good/Easy probabilities of a recalled review.
        seed: the random seed.

    Returns:
        The day-by-day workload.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    memory = Memory(tuple(settings.parameters))
    n_old = start.stability.size
    pool = start.new_cards
    new_total = (
        scenario.new_per_day * days if pool is None else min(pool, scenario.new_per_day * days)
    )
    size = n_old + new_total
    s = np.concatenate([start.stability, np.ones(new_total)])
    d = np.concatenate([start.difficulty, np.ones(new_total)])
    last = np.concatenate([start.last, np.zeros(new_total, dtype=np.int64)])
    due = np.concatenate([start.due, np.full(new_total, np.iinfo(np.int64).max // 2)])
    live = n_old  # cards [0, live) are in the collection's memory so far
    relearn = len(settings.relearning_steps)
    learn = len(settings.learning_steps)
    first_p = np.asarray(first_rating_prob, dtype=np.float64)
    pass_p = np.asarray(review_rating_prob, dtype=np.float64)
    reviews, due_reviews, introduced, memorized = [], [], [], []
    for t in range(days):
        waiting = np.flatnonzero(due[:live] <= t)
        if waiting.size > settings.reviews_per_day:
            # the most overdue within the limit; their order within the day does not matter
            cut = np.argpartition(due[waiting], settings.reviews_per_day - 1)
            waiting = np.sort(waiting[cut[: settings.reviews_per_day]])
        done = int(waiting.size)
        if waiting.size:
            r = memory.retrievability((t - last[waiting]).astype(np.float64), s[waiting])
            recalled = rng.random(waiting.size) < r
            passed = 2 + rng.choice(3, size=waiting.size, p=pass_p)
            rating = np.where(recalled, passed, 1)
            s_new = memory.next_stability(s[waiting], d[waiting], r, rating)
            d_new = memory.next_difficulty(d[waiting], rating)
            steps = np.where(rating == 1, relearn, 0)
            s_new, d_new = memory.good_steps(s_new, d_new, steps)
            s[waiting], d[waiting] = s_new, d_new
            last[waiting] = t
            due[waiting] = t + memory.interval(s_new, scenario.retention, settings.maximum_interval)
            done += int(steps.sum())
        fresh = min(scenario.new_per_day, size - live)
        if fresh > 0:
            index = np.arange(live, live + fresh)
            rating = 1 + rng.choice(4, size=fresh, p=first_p)
            steps = np.select([rating <= 2, rating == 3], [learn, max(learn - 1, 0)], 0)
            s0, d0 = memory.good_steps(
                memory.initial_stability(rating), memory.initial_difficulty(rating), steps
            )
            s[index], d[index], last[index] = s0, d0, t
            due[index] = t + memory.interval(s0, scenario.retention, settings.maximum_interval)
            live += fresh
            done += fresh + int(steps.sum())
        reviews.append(done)
        due_reviews.append(int(waiting.size))
        introduced.append(max(fresh, 0))
        held = memory.retrievability((t + 1 - last[:live]).astype(np.float64), s[:live])
        memorized.append(float(held.sum()))
    return ScenarioResult(
        retention=scenario.retention,
        new_per_day=scenario.new_per_day,
        reviews=tuple(reviews),
        due_reviews=tuple(due_reviews),
        introduced=tuple(introduced),
        memorized=tuple(memorized),
    )


def simulate_collection(
    col: Collection,
    now: datetime,
    settings: Settings,
    scenarios: Sequence[Scenario],
    days: int = 60,
    unlimited_new: bool = False,
    decks: Sequence[str] = (),
    seed: int = 0,
) -> Simulation:
    """Simulate the collection forward under each scenario.

    Args:
        col: the collection.
        now: the current time (day 0 is today's study day).
        settings: FSRS parameters, steps, limits.
        scenarios: the settings to compare.
        days: how many days to simulate.
        unlimited_new: assume new cards keep coming (the user adds them); otherwise the simulation runs out
            when the collection's new cards are all introduced.
        decks: deck ids to simulate, each with the decks nested under it (empty: all).
        seed: the random seed.

    Returns:
        The simulation.

    Raises:
        ValueError: when ``days`` is not positive or there is no scenario.
        CardNotFoundError: when a deck asked for matches no deck.
    """
    from cvquiz.collection import stats_queries as q

    if days < 1:
        raise ValueError("days must be at least 1")
    if not scenarios:
        raise ValueError("give at least one scenario")
    from cvquiz.stats import check_decks

    scope = q.Scope(tuple(decks))
    check_decks(col, scope)
    rows, new_cards = q.studied_cards(col, scope)
    start = start_from_collection(
        rows, None if unlimited_new else new_cards, now, settings.rollover_hour
    )
    first_p, pass_p, from_log = rating_probabilities(*q.rating_counts(col))
    results = tuple(
        run(start, scenario, settings, days, first_p, pass_p, seed) for scenario in scenarios
    )
    return Simulation(
        start=clock.study_day(now, settings.rollover_hour).isoformat(),
        days=days,
        studied_cards=int(start.stability.size),
        new_cards=start.new_cards,
        review_limit=settings.reviews_per_day,
        first_rating_prob=first_p,
        review_rating_prob=pass_p,
        ratings_from_log=from_log,
        scenarios=results,
    )
