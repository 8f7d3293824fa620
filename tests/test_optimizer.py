"""cvquiz.optimizer: training items from the review log, and fits on logs of learners with known parameters.

The learners are simulated with py-fsrs (`tests/_learner.py`): the app schedules with the default parameters
while the learner's memory follows "true" parameters.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import fsrs
import pytest
from _learner import OTHER_W, T0, simulate_log

from cvquiz.collection import Collection
from cvquiz.collection.scheduling import forget
from cvquiz.config import DEFAULT_PARAMETERS, Settings
from cvquiz.errors import CvquizError
from cvquiz.model import Rating
from cvquiz.optimizer import (
    DECIMALS,
    evaluate,
    fit,
    optimize_collection,
    suggest_retention,
    training_items,
)
from cvquiz.review_policy import record_review


def reviews_of(item: object) -> list[tuple[int, int]]:
    return [(int(r), int(t)) for r, t in re.findall(r"rating: (\d+), delta_t: (\d+)", repr(item))]


# --- training items ----------------------------------------------------------------------------------------


def test_items_are_reviews_a_day_or_more_after_the_previous_one() -> None:
    d = date(2026, 1, 10)

    def day(n: int) -> str:
        return (d + timedelta(days=n)).isoformat()

    rows = [
        # card 1: learning steps on day 0, then reviews on days 1 and 3
        (1, day(0), 1, 0), (1, day(0), 3, 1), (1, day(1), 3, 2), (1, day(3), 3, 2),
        # card 2: its first review is not of a new card (history unknown): dropped
        (2, day(0), 3, 2), (2, day(5), 3, 2),
        # card 3: reset to new on day 5, so a second history begins there
        (3, day(0), 3, 0), (3, day(2), 1, 2), (3, day(5), 4, 0), (3, day(6), 3, 2),
    ]  # fmt: skip
    items = training_items(*(list(c) for c in zip(*rows, strict=True)))
    got = [reviews_of(item) for item in items]
    assert got == [
        [(1, 0), (3, 0), (3, 1)],  # card 1, day 1
        [(3, 0), (1, 2)],  # card 3, day 2
        [(1, 0), (3, 0), (3, 1), (3, 2)],  # card 1, day 3
        [(4, 0), (3, 1)],  # card 3, day 6: a fresh history
    ]
    assert training_items([], [], [], []) == []


# --- fitting -----------------------------------------------------------------------------------------------


def test_too_few_items_keep_the_current_parameters() -> None:
    items = training_items(*simulate_log(DEFAULT_PARAMETERS, 5, 60, seed=1))
    result = fit(items, DEFAULT_PARAMETERS, reviews=99)
    assert not result.enough and result.fitted is None and result.current_eval is None
    assert (result.reviews, result.items) == (99, len(items))
    assert not result.better


@pytest.mark.parametrize("seed", [1, 2])
def test_a_default_learner_fits_no_worse_than_the_defaults(seed: int) -> None:
    items = training_items(*simulate_log(DEFAULT_PARAMETERS, 250, 365, seed))
    result = fit(items, DEFAULT_PARAMETERS, min_items=400)
    assert result.enough and result.fitted is not None
    assert result.current_eval is not None and result.fitted_eval is not None
    # fsrs-rs regularizes toward its defaults and the parameters are rounded: allow noise of 0.001
    assert result.fitted_eval.log_loss <= result.current_eval.log_loss + 1e-3
    # the figures are those of the rounded parameters that would be saved
    assert all(round(w, DECIMALS) == w for w in result.fitted)
    again = evaluate(result.fitted, items)
    assert again.log_loss == pytest.approx(result.fitted_eval.log_loss, rel=1e-5)
    assert again.rmse_bins == pytest.approx(result.fitted_eval.rmse_bins, rel=1e-5)


def test_a_different_learner_fits_clearly_better_than_the_defaults() -> None:
    items = training_items(*simulate_log(OTHER_W, 250, 365, seed=3))
    result = fit(items, DEFAULT_PARAMETERS, min_items=400)
    assert result.current_eval is not None and result.fitted_eval is not None
    assert result.fitted_eval.log_loss < result.current_eval.log_loss - 0.01
    assert result.better
    # and the true parameters predict the log about as well as the fitted ones
    truth = evaluate(OTHER_W, items)
    assert result.fitted_eval.log_loss < truth.log_loss + 0.01
    fsrs.Scheduler(parameters=result.fitted)  # py-fsrs accepts them


def test_progress_is_reported_stage_by_stage() -> None:
    items = training_items(*simulate_log(OTHER_W, 120, 300, seed=4))
    stages: list[str] = []
    fit(items, DEFAULT_PARAMETERS, min_items=50, progress=stages.append)
    assert [s.split()[0] for s in stages] == ["evaluating", "fitting", "evaluating"]


def test_evaluating_nothing_is_an_error() -> None:
    with pytest.raises(CvquizError):
        evaluate(DEFAULT_PARAMETERS, [])


# --- the collection ----------------------------------------------------------------------------------------


def small_collection(tmp_path: Path, empty_bundled: Path, cards: int) -> Collection:
    folder = tmp_path / "decks"
    folder.mkdir()
    lines = ["deck: a", "name: A", "cards:"]
    for i in range(cards):
        lines += [f"  - id: c{i}", f"    question: q{i}", f"    answer: a{i}"]
    (folder / "a.yaml").write_text("\n".join(lines) + "\n")
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(empty_bundled, folder, T0)
    return col


def test_optimize_a_collection_from_its_review_log(tmp_path: Path, empty_bundled: Path) -> None:
    col = small_collection(tmp_path, empty_bundled, 8)
    plain = Settings(fuzz=False)
    keys = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk")]
    for i, pk in enumerate(keys):
        when = T0
        for n in range(6):
            rating = Rating.AGAIN if (i + n) % 4 == 0 else Rating.GOOD
            record_review(col, pk, rating, when, plain)
            record_review(col, pk, Rating.GOOD, when + timedelta(minutes=10), plain)  # same day
            when += timedelta(days=n + 1)
    forget(col, keys[:1], T0)
    record_review(col, keys[0], Rating.GOOD, when, plain)
    stages: list[str] = []
    result = optimize_collection(col, plain, progress=stages.append)
    # 8 cards x 6 days: every day but the first of each card is an item; the reset card's new review is not
    assert (result.reviews, result.items) == (8 * 12 + 1, 8 * 5)
    assert not result.enough and stages[0] == "reading the review log"
    fitted = optimize_collection(col, plain, min_items=20)
    assert fitted.enough and fitted.fitted is not None and len(fitted.fitted) == 21
    col.close()


def test_suggest_a_retention_with_the_workload_of_a_few(
    tmp_path: Path, empty_bundled: Path
) -> None:
    col = small_collection(tmp_path, empty_bundled, 40)
    plain = Settings(fuzz=False, learning_steps=(), desired_retention=0.87)
    for pk in [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk LIMIT 20")]:
        record_review(col, pk, Rating.GOOD, T0 - timedelta(days=3), plain)
    advice = suggest_retention(col, T0, plain, days=60)
    assert 0.70 <= advice.optimal <= 0.95
    retentions = [s.retention for s in advice.simulation.scenarios]
    assert retentions == sorted({0.80, 0.85, 0.87, 0.90, 0.95, advice.optimal})
    assert advice.current == 0.87 and advice.days == 60
    workload = [s.mean_reviews for s in advice.simulation.scenarios]
    assert workload[-1] > workload[0]  # higher retention, more reviews
    col.close()


def test_a_big_collection_is_searched_on_a_sample(
    tmp_path: Path, empty_bundled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvquiz import optimizer

    monkeypatch.setattr(optimizer, "SEARCH_CARDS", 5)
    col = small_collection(tmp_path, empty_bundled, 30)
    plain = Settings(fuzz=False, learning_steps=())
    for pk in [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk LIMIT 12")]:
        record_review(col, pk, Rating.GOOD, T0 - timedelta(days=3), plain)
    advice = suggest_retention(col, T0, plain, days=30)
    assert (advice.searched_cards, advice.studied_cards) == (5, 12)
    assert advice.simulation.studied_cards == 12  # the workload is the whole collection's
    assert 0.70 <= advice.optimal <= 0.95
    col.close()
