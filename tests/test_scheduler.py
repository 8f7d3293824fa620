"""cvquiz.scheduler against py-fsrs itself: single reviews, fuzz, previews, bulk retrievability, due days."""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import fsrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz import clock
from cvquiz.config import DEFAULT_PARAMETERS, Settings
from cvquiz.model import Rating, State
from cvquiz.scheduler import (
    SchedState,
    answer_states,
    due_day,
    format_interval,
    fuzz_bounds,
    fuzz_factor,
    fuzzed_days,
    mean_retrievability,
    preview_intervals,
    retrievability,
    retrievability_at,
    review,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reference(settings: Settings) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=settings.parameters,
        desired_retention=settings.desired_retention,
        learning_steps=settings.learning_steps,
        relearning_steps=settings.relearning_steps,
        maximum_interval=settings.maximum_interval,
        enable_fuzzing=settings.fuzz,
    )


def test_default_parameters_are_py_fsrs_defaults() -> None:
    assert tuple(fsrs.Scheduler().parameters) == DEFAULT_PARAMETERS


def test_new_card_first_review_matches_py_fsrs() -> None:
    plain = Settings(fuzz=False)
    for rating in Rating:
        ours = review(SchedState(), rating, T0, plain)
        ref, _ = reference(plain).review_card(fsrs.Card(card_id=1, due=T0), fsrs.Rating(rating), T0)
        assert (int(ours.state), ours.step) == (int(ref.state), ref.step)
        assert (ours.stability, ours.difficulty, ours.due) == (
            ref.stability,
            ref.difficulty,
            ref.due,
        )
        assert ours.last_review == T0 and ours.reps == 1 and ours.lapses == 0


@settings(max_examples=60, deadline=None)
@given(
    ratings=st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=12),
    gaps=st.lists(st.integers(min_value=0, max_value=60 * 86_400_000), min_size=12, max_size=12),
    empty_steps=st.booleans(),
)
def test_review_sequences_match_py_fsrs(
    ratings: list[Rating], gaps: list[int], empty_steps: bool
) -> None:
    plain = Settings(fuzz=False)
    if empty_steps:
        plain = Settings(fuzz=False, learning_steps=(), relearning_steps=())
    ref_sched = reference(plain)
    ref = fsrs.Card(card_id=1, due=T0)
    ours = SchedState()
    now = T0
    lapses = 0
    for rating, gap in zip(ratings, gaps, strict=False):
        now = now + timedelta(milliseconds=gap)
        if ref.state == fsrs.State.Review and rating is Rating.AGAIN:
            lapses += 1
        ref, _ = ref_sched.review_card(ref, fsrs.Rating(rating), now)
        ours = review(ours, rating, now, plain)
        assert int(ours.state) == int(ref.state) and ours.step == ref.step
        assert ours.stability == pytest.approx(ref.stability, rel=1e-12)
        assert ours.difficulty == pytest.approx(ref.difficulty, rel=1e-12)
        assert ours.due == ref.due and ours.last_review == ref.last_review
    assert ours.reps == len(ratings[: len(gaps)]) and ours.lapses == lapses


def a_review_card(days: int = 40) -> SchedState:
    """A card in review with a long interval, so fuzz has room."""
    return SchedState(
        state=State.REVIEW,
        stability=80.0,
        difficulty=5.0,
        due=T0,
        last_review=T0 - timedelta(days=days),
        reps=5,
    )


# Anki's own expectations (rslib/src/scheduler/states/fuzz.rs, test with_review_fuzz): for an interval, a
# minimum and a maximum, the fuzzed interval with fuzz factor 0.0, 0.5 and 0.99.
ANKI_FUZZ_CASES = [
    (1.5, 1, 100, 2, 2, 2),
    (0.1, 1, 100, 1, 1, 1),
    (101.0, 1, 100, 100, 100, 100),
    (1.0, 1, 1000, 1, 1, 1),
    (2.49, 1, 1000, 2, 2, 2),
    (2.5, 1, 1000, 2, 3, 4),
    (7.0, 1, 1000, 5, 7, 9),
    (17.0, 1, 1000, 14, 17, 20),
    (37.0, 1, 1000, 33, 37, 41),
    (2.0, 2, 1000, 2, 2, 2),
    (2.0, 3, 1000, 3, 4, 4),
    (2.0, 3, 3, 3, 3, 3),
    (6.9, 3, 1000, 5, 7, 9),
    (7.0, 3, 1000, 5, 7, 9),
    (7.1, 3, 1000, 5, 7, 9),
    (19.9, 3, 1000, 17, 20, 23),
    (20.0, 3, 1000, 17, 20, 23),
    (20.1, 3, 1000, 17, 20, 23),
    (100.0, 101, 1000, 101, 105, 108),
    (100.0, 1, 99, 92, 96, 99),
    (100.0, 97, 103, 97, 100, 103),
]


@pytest.mark.parametrize(("interval", "lo", "hi", "lower", "middle", "upper"), ANKI_FUZZ_CASES)
def test_fuzz_matches_ankis_own_cases(
    interval: float, lo: int, hi: int, lower: int, middle: int, upper: int
) -> None:
    # the first three of Anki's cases are without fuzz (no fuzz factor): rounded, then clamped
    if interval in (1.5, 0.1, 101.0):
        assert fuzzed_days(interval, lo, hi, None) == lower
        return
    got = [fuzzed_days(interval, lo, hi, f) for f in (0.0, 0.5, 0.99)]
    assert got == [lower, middle, upper]


def test_fuzz_stays_in_ankis_range_where_py_fsrs_can_go_a_day_over() -> None:
    for days in range(3, 400):
        lower, upper = fuzz_bounds(days, 1, 36500)
        fuzzed = {fuzzed_days(days, 1, 36500, i / 1000) for i in range(1000)}
        assert fuzzed == set(range(lower, upper + 1))  # every day of the range, and none outside
    # py-fsrs draws round(random() * (max - min + 1) + min): a draw near 1 lands one day past its range
    scheduler = fsrs.Scheduler(enable_fuzzing=True)
    state = random.getstate()
    try:
        random.seed(0)
        overshoot = max(
            scheduler._get_fuzzed_interval(interval=timedelta(days=37)).days for _ in range(2000)
        )
    finally:
        random.setstate(state)
    assert overshoot == fuzz_bounds(37, 1, 36500)[1] + 1


def test_the_fuzz_factor_is_fixed_per_card_and_review() -> None:
    assert fuzz_factor(12, 3) == fuzz_factor(12, 3)
    assert len({fuzz_factor(12, reps) for reps in range(50)}) == 50
    assert 0 <= min(fuzz_factor(pk, 0) for pk in range(500)) < 0.01
    assert 0.99 < max(fuzz_factor(pk, 0) for pk in range(500)) < 1


def test_preview_shows_the_fuzzed_intervals_review_gives() -> None:
    fuzzy = Settings(fuzz=True)
    card = a_review_card()
    for factor in (0.0, 0.3, 0.99):
        shown = preview_intervals(card, T0, fuzzy, factor)
        states = answer_states(card, T0, fuzzy, factor)
        for rating in Rating:
            assert states[rating].due == T0 + shown[rating]
    assert preview_intervals(card, T0, fuzzy, 0.0) != preview_intervals(card, T0, fuzzy, 0.99)
    # with fuzz off the factor is ignored
    plain = Settings(fuzz=False)
    assert preview_intervals(card, T0, plain, 0.0) == preview_intervals(card, T0, plain, 0.99)


@settings(max_examples=200, deadline=None)
@given(
    stability=st.floats(min_value=0.1, max_value=3000),
    difficulty=st.floats(min_value=1, max_value=10),
    last=st.integers(min_value=1, max_value=400),
    late=st.integers(min_value=-5, max_value=200),
    factor=st.floats(min_value=0, max_value=0.999),
)
def test_hard_good_easy_are_in_order_on_review_cards(
    stability: float, difficulty: float, last: int, late: int, factor: float
) -> None:
    now = T0
    due = now - timedelta(days=late)
    card = SchedState(
        state=State.REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=due - timedelta(days=last),
        reps=4,
    )
    days = {
        r: d / timedelta(days=1)
        for r, d in preview_intervals(card, now, Settings(fuzz=True), factor).items()
    }
    assert 1 <= days[Rating.HARD] < days[Rating.GOOD] < days[Rating.EASY] <= 36500


def test_now_is_kept_to_the_millisecond() -> None:
    now = T0 + timedelta(microseconds=1_234_567)
    after = review(SchedState(), Rating.GOOD, now, Settings(fuzz=False))
    assert after.last_review == T0 + timedelta(milliseconds=1235)
    assert SchedState.from_row(after.to_row()) == after


def test_review_rejects_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        review(SchedState(), Rating.GOOD, datetime(2026, 3, 2, 9), Settings())


def test_preview_intervals_for_a_new_card() -> None:
    got = preview_intervals(SchedState(), T0, Settings())
    assert got == {
        Rating.AGAIN: timedelta(minutes=1),
        Rating.HARD: timedelta(minutes=5.5),
        Rating.GOOD: timedelta(minutes=10),
        Rating.EASY: timedelta(days=8),
    }
    labels = [format_interval(v) for v in got.values()]
    assert labels == ["1m", "5.5m", "10m", "8d"]


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=0), "0s"),
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=36), "1.5d"),
        (timedelta(days=1), "1d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=105), "3.5mo"),
        (timedelta(days=438), "1.2y"),
        (timedelta(days=-3), "0s"),
    ],
)
def test_format_interval(delta: timedelta, label: str) -> None:
    assert format_interval(delta) == label


@given(
    state=st.sampled_from(list(State)),
    step=st.none() | st.integers(0, 5),
    stability=st.none() | st.floats(0.001, 36500, allow_nan=False),
    difficulty=st.none() | st.floats(1, 10),
    due=st.none() | st.integers(0, 2**42),
    last=st.none() | st.integers(0, 2**42),
    reps=st.integers(0, 10_000),
    lapses=st.integers(0, 1000),
)
def test_state_row_and_json_round_trip(
    state: State,
    step: int | None,
    stability: float | None,
    difficulty: float | None,
    due: int | None,
    last: int | None,
    reps: int,
    lapses: int,
) -> None:
    row = {
        "state": int(state),
        "step": step,
        "stability": stability,
        "difficulty": difficulty,
        "due": due,
        "last_review": last,
        "reps": reps,
        "lapses": lapses,
    }
    sched = SchedState.from_row(row)
    assert sched.to_row() == row
    assert SchedState.from_json(sched.to_json()) == sched


def test_bulk_retrievability_agrees_with_py_fsrs_card_by_card() -> None:
    gen = np.random.default_rng(3)
    n = 400
    stability = gen.uniform(0.01, 3000, n)
    now_ms = clock.to_ms(T0)
    last_ms = now_ms - gen.integers(0, 2000 * 86_400_000, n)
    for params in (DEFAULT_PARAMETERS, (*DEFAULT_PARAMETERS[:20], 0.5)):
        scheduler = fsrs.Scheduler(parameters=params)
        got = retrievability_at(stability, last_ms, now_ms, params)
        for s, last, r in zip(stability, last_ms, got, strict=True):
            card = fsrs.Card(
                card_id=1,
                state=fsrs.State.Review,
                stability=float(s),
                difficulty=5.0,
                due=T0,
                last_review=clock.from_ms(int(last)),
            )
            assert math.isclose(r, scheduler.get_card_retrievability(card, T0), rel_tol=1e-9)


def test_retrievability_is_desired_retention_at_stability() -> None:
    r = retrievability(
        np.array([1.0, 10.0, 100.0]), np.array([1.0, 10.0, 100.0]), DEFAULT_PARAMETERS
    )
    assert np.allclose(r, 0.9, rtol=1e-12)


def test_mean_retrievability() -> None:
    now_ms = clock.to_ms(T0)
    memory = [(10.0, now_ms - 10 * 86_400_000), (5.0, now_ms)]
    expected = (0.9 + 1.0) / 2  # R = 0.9 when t = S; 1 right after a review
    count, mean = mean_retrievability(iter(memory), now_ms, DEFAULT_PARAMETERS)
    assert count == 2 and mean == pytest.approx(expected, rel=1e-12)
    assert mean_retrievability([], now_ms, DEFAULT_PARAMETERS) == (0, None)


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test in the time zone given as its parameter (the conftest fixture restores UTC)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
@pytest.mark.parametrize(
    ("zone", "reviewed", "expected"),
    [
        # New York falls back on 2026-11-01: 8 days after 04:30 EDT is 03:30 EST, before the rollover.
        ("America/New_York", "2026-10-27T04:30:00-04:00", date(2026, 11, 4)),
        # ... and springs forward on 2026-03-08: 8 days after 03:30 EST (the previous study day) is 04:30 EDT.
        ("America/New_York", "2026-03-05T03:30:00-05:00", date(2026, 3, 12)),
        # Berlin falls back on 2026-10-25.
        ("Europe/Berlin", "2026-10-20T04:30:00+02:00", date(2026, 10, 28)),
    ],
    indirect=["zone"],
)
def test_due_day_does_not_move_across_dst(zone: str, reviewed: str, expected: date) -> None:
    assert os.environ["TZ"] == zone
    now = datetime.fromisoformat(reviewed)
    after = review(SchedState(), Rating.EASY, now, Settings(fuzz=False))
    assert after.due - now == timedelta(days=8)
    assert due_day(after, 4) == expected
    # the due instant alone would land on the wrong study day
    assert clock.study_day(after.due, 4) != expected


def test_due_day_of_short_steps_is_the_due_times_study_day() -> None:
    after = review(SchedState(), Rating.GOOD, datetime(2026, 3, 2, 3, 55, tzinfo=UTC), Settings())
    assert after.due == datetime(2026, 3, 2, 4, 5, tzinfo=UTC)
    assert due_day(after, 4) == date(2026, 3, 2)
    assert due_day(SchedState(), 4) is None


def test_one_rating_alone_is_what_all_four_give() -> None:
    fuzzy = Settings(fuzz=True)
    for card in (SchedState(), a_review_card(), a_review_card(3)):
        for factor in (0.1, 0.9):
            every = answer_states(card, T0, fuzzy, factor)
            for rating in Rating:
                assert answer_states(card, T0, fuzzy, factor, only=rating)[rating] == every[rating]


def test_an_interval_measured_just_after_the_rating_reads_as_its_button() -> None:
    from datetime import timedelta

    from cvquiz.scheduler import format_interval

    # the line-mode confirmation measures from a moment after the rating: 59.99 s is the button's 1m
    assert format_interval(timedelta(seconds=59.99)) == "1m"
    assert format_interval(timedelta(seconds=599.6)) == "10m"
    assert format_interval(timedelta(seconds=59.4)) == "59s"
