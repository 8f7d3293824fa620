"""A simulated learner for the optimizer tests: a review log from known FSRS parameters, made with py-fsrs.

The app schedules each card with the default parameters while the learner's memory follows the "true"
parameters (recall is drawn with the true retrievability), which is how a real user's log differs from the
defaults.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import fsrs

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
OTHER_W = (
    2.0, 5.0, 9.0, 25.0, 7.5, 0.7, 1.0, 0.02, 1.0, 0.3, 1.2,
    1.0, 0.1, 0.35, 1.9, 0.45, 2.2, 0.55, 0.15, 0.08, 0.6,
)  # fmt: skip
"""A learner far from the defaults: much stronger first memories, a much steeper forgetting curve (w20)."""

Log = tuple[list[int], list[str], list[int], list[int]]


def simulate_log(true_w: tuple[float, ...], n_cards: int, days: int, seed: int) -> Log:
    """Review log of a learner whose memory follows ``true_w`` while the app schedules with the defaults."""
    rnd = random.Random(seed)
    truth = fsrs.Scheduler(
        parameters=true_w, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )
    app = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    cards: list[int] = []
    day_list: list[str] = []
    ratings: list[int] = []
    states: list[int] = []
    end = T0 + timedelta(days=days)
    for key in range(1, n_cards + 1):
        when = T0 + timedelta(days=rnd.randrange(days // 2))
        mine = fsrs.Card(card_id=key, due=when)
        scheduled = fsrs.Card(card_id=key, due=when)
        state = 0
        while when < end:
            if state == 0:
                rating = rnd.choices([1, 2, 3, 4], [0.2, 0.1, 0.5, 0.2])[0]
            elif rnd.random() < truth.get_card_retrievability(mine, when):
                rating = rnd.choices([2, 3, 4], [0.15, 0.7, 0.15])[0]
            else:
                rating = 1
            cards.append(key)
            day_list.append(when.date().isoformat())
            ratings.append(rating)
            states.append(state)
            mine, _ = truth.review_card(mine, fsrs.Rating(rating), when)
            scheduled, _ = app.review_card(scheduled, fsrs.Rating(rating), when)
            state = 2
            when = scheduled.due
    return cards, day_list, ratings, states
