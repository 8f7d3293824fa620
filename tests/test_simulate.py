"""cvquiz.simulate: the vectorized memory model against py-fsrs, review by review, and the day loop's rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz.collection import Collection
from cvquiz.config import DEFAULT_PARAMETERS, Settings
from cvquiz.model import Rating
from cvquiz.review_policy import record_review
from cvquiz.simulate import (
    Memory,
    Scenario,
    Start,
    rating_probabilities,
    run,
    simulate_collection,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OTHER_W = (
    0.4, 1.8, 3.1, 15.0, 6.8, 0.6, 2.2, 0.01, 1.6, 0.14, 1.0,
    1.7, 0.09, 0.3, 2.0, 0.5, 2.5, 0.6, 0.2, 0.1, 0.3,
)  # fmt: skip


def scheduler(
    w: tuple[float, ...], retention: float = 0.9, **steps: tuple[timedelta, ...]
) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=w,
        desired_retention=retention,
        learning_steps=steps.get("learning", ()),
        relearning_steps=steps.get("relearning", ()),
        enable_fuzzing=False,
    )


@settings(max_examples=150, deadline=None)
@given(
    w=st.sampled_from([DEFAULT_PARAMETERS, OTHER_W]),
    stability=st.floats(0.05, 3000),
    difficulty=st.floats(1, 10),
    elapsed=st.integers(1, 2000),
    rating=st.sampled_from([1, 2, 3, 4]),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_a_review_matches_py_fsrs(
    w: tuple[float, ...],
    stability: float,
    difficulty: float,
    elapsed: int,
    rating: int,
    retention: float,
) -> None:
    ref = scheduler(w, retention)
    last = T0 - timedelta(days=elapsed)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=difficulty,
        due=T0,
        last_review=last,
    )
    after, _ = ref.review_card(card, fsrs.Rating(rating), T0)
    memory = Memory(w)
    s, d, r = np.array([stability]), np.array([difficulty]), np.array([rating])
    retr = memory.retrievability(np.array([float(elapsed)]), s)
    assert retr[0] == pytest.approx(ref.get_card_retrievability(card, T0), rel=1e-12)
    s_new = memory.next_stability(s, d, retr, r)
    d_new = memory.next_difficulty(d, r)
    assert s_new[0] == pytest.approx(after.stability, rel=1e-12)
    assert d_new[0] == pytest.approx(after.difficulty, rel=1e-12)
    interval = memory.interval(s_new, retention, 36500)[0]
    assert interval == (after.due - T0).days


@pytest.mark.parametrize(
    "steps", [(timedelta(minutes=10),), (timedelta(minutes=10), timedelta(hours=1))]
)
@pytest.mark.parametrize("w", [DEFAULT_PARAMETERS, OTHER_W])
def test_a_lapse_and_its_relearning_steps_match_py_fsrs(
    steps: tuple[timedelta, ...], w: tuple[float, ...]
) -> None:
    ref = scheduler(w, relearning=steps)
    card = fsrs.Card(
        card_id=1, state=fsrs.State.Review, stability=12.0, difficulty=6.0, due=T0,
        last_review=T0 - timedelta(days=15),
    )  # fmt: skip
    card, _ = ref.review_card(card, fsrs.Rating.Again, T0)
    when = T0
    for step in steps:
        when += step
        card, _ = ref.review_card(card, fsrs.Rating.Good, when)
    assert card.state == fsrs.State.Review
    memory = Memory(w)
    s, d = np.array([12.0]), np.array([6.0])
    r = memory.retrievability(np.array([15.0]), s)
    s = memory.next_stability(s, d, r, np.array([1]))
    d = memory.next_difficulty(d, np.array([1]))
    s, d = memory.good_steps(s, d, np.array([len(steps)]))
    assert (s[0], d[0]) == (
        pytest.approx(card.stability, rel=1e-12),
        pytest.approx(card.difficulty),
    )
    assert memory.interval(s, 0.9, 36500)[0] == (card.due - when).days


@pytest.mark.parametrize("first", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "steps", [(), (timedelta(minutes=1),), (timedelta(minutes=1), timedelta(minutes=10))]
)
def test_a_new_card_through_its_learning_steps_matches_py_fsrs(
    first: int, steps: tuple[timedelta, ...]
) -> None:
    ref = scheduler(DEFAULT_PARAMETERS, learning=steps)
    card, _ = ref.review_card(fsrs.Card(card_id=1, due=T0), fsrs.Rating(first), T0)
    when, goods = T0, 0
    while card.state != fsrs.State.Review:
        when += timedelta(minutes=1)
        card, _ = ref.review_card(card, fsrs.Rating.Good, when)
        goods += 1
    # the same number of same-day Goods the simulator plays
    expected_goods = {1: len(steps), 2: len(steps), 3: max(len(steps) - 1, 0), 4: 0}[first]
    assert goods == expected_goods
    memory = Memory(DEFAULT_PARAMETERS)
    rating = np.array([first])
    s, d = memory.good_steps(
        memory.initial_stability(rating), memory.initial_difficulty(rating), np.array([goods])
    )
    assert (s[0], d[0]) == (
        pytest.approx(card.stability, rel=1e-12),
        pytest.approx(card.difficulty),
    )
    assert memory.interval(s, 0.9, 36500)[0] == (card.due - when).days


def start(n: int, due: int = 0, stability: float = 5.0, new_cards: int | None = 0) -> Start:
    return Start(
        stability=np.full(n, stability),
        difficulty=np.full(n, 5.0),
        last=np.full(n, -5, dtype=np.int64),
        due=np.full(n, due, dtype=np.int64),
        new_cards=new_cards,
    )


FIRST = (0.25, 0.1, 0.5, 0.15)
PASS = (0.2, 0.65, 0.15)


def test_limits_and_the_pool_of_new_cards() -> None:
    plain = Settings(reviews_per_day=30)
    result = run(start(100, new_cards=25), Scenario(0.9, 10), plain, 10, FIRST, PASS)
    assert result.due_reviews[0] == 30  # capped; the other 70 wait
    assert all(n <= 30 for n in result.due_reviews)
    assert result.introduced == (10, 10, 5, 0, 0, 0, 0, 0, 0, 0)
    # every new card is at least one review, every due card at least one
    assert all(
        total >= due + new
        for total, due, new in zip(
            result.reviews, result.due_reviews, result.introduced, strict=True
        )
    )
    unlimited = run(start(0, new_cards=None), Scenario(0.9, 7), plain, 5, FIRST, PASS)
    assert unlimited.introduced == (7,) * 5


def test_the_same_seed_gives_the_same_days_and_scenarios_share_their_random_numbers() -> None:
    plain = Settings()
    a = run(start(500, due=2), Scenario(0.9, 5), plain, 30, FIRST, PASS, seed=3)
    b = run(start(500, due=2), Scenario(0.9, 5), plain, 30, FIRST, PASS, seed=3)
    assert a == b
    c = run(start(500, due=2), Scenario(0.9, 5), plain, 30, FIRST, PASS, seed=4)
    assert c != a


def test_recall_follows_the_forgetting_curve() -> None:
    # 20,000 cards all due today after 5 days at stability 5 (R = 0.9): about 10% lapse, each followed by
    # one relearning step, so today's reviews are about 1.1 per card
    plain = Settings(reviews_per_day=99999)
    result = run(start(20_000, stability=5.0), Scenario(0.9, 0), plain, 1, FIRST, PASS)
    lapses = result.reviews[0] - result.due_reviews[0]
    assert lapses / 20_000 == pytest.approx(0.1, abs=0.01)


def test_higher_retention_costs_more_reviews_and_keeps_more_cards() -> None:
    plain = Settings(reviews_per_day=99999)
    low, high = (
        run(start(2000, due=3, new_cards=None), Scenario(r, 20), plain, 120, FIRST, PASS)
        for r in (0.8, 0.95)
    )
    assert high.mean_reviews > 1.3 * low.mean_reviews
    assert high.memorized[-1] > low.memorized[-1]


def test_rating_probabilities_come_from_the_log_when_it_has_enough() -> None:
    first, passed, mine = rating_probabilities([10, 10, 20, 10], [10, 30, 10])
    assert mine and first == (0.2, 0.2, 0.4, 0.2) and passed == (0.2, 0.6, 0.2)
    first, passed, mine = rating_probabilities([1, 0, 2, 0], [0, 3, 0])
    assert not mine and len(first) == 4 and len(passed) == 3
    assert sum(first) == pytest.approx(1) and sum(passed) == pytest.approx(1)


def test_simulate_a_collection(tmp_path: Path, empty_bundled: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    lines = ["deck: a", "name: A", "cards:"]
    for i in range(30):
        lines += [f"  - id: c{i}", f"    question: q{i}", f"    answer: a{i}"]
    (folder / "a.yaml").write_text("\n".join(lines) + "\n")
    with Collection.open(tmp_path / "c.sqlite") as col:
        col.sync_decks(empty_bundled, folder, T0)
        keys = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk")]
        plain = Settings(fuzz=False)
        for pk in keys[:12]:
            record_review(
                col, pk, Rating.GOOD, T0 - timedelta(days=3), replace(plain, learning_steps=())
            )
        scenarios = [Scenario(0.85, 5), Scenario(0.95, 5)]
        result = simulate_collection(col, T0, plain, scenarios, days=20)
        assert (result.studied_cards, result.new_cards, result.days) == (12, 18, 20)
        assert [s.retention for s in result.scenarios] == [0.85, 0.95]
        assert all(sum(s.introduced) == 18 for s in result.scenarios)  # the pool runs out
        assert not result.ratings_from_log
        more = simulate_collection(col, T0, plain, scenarios[:1], days=20, unlimited_new=True)
        assert more.new_cards is None and sum(more.scenarios[0].introduced) == 100
        with pytest.raises(ValueError):
            simulate_collection(col, T0, plain, [], days=20)
