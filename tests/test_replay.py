"""Replaying a card's history: this collection's own reviews replay to exactly the states they recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz.collection import Collection
from cvquiz.config import Settings
from cvquiz.model import Rating, State
from cvquiz.replay import Event, replay
from cvquiz.review_policy import record_review
from cvquiz.scheduler import SchedState, answer_states, review

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_replay_reproduces_recorded_reviews_with_fuzz(tmp_path: Path, empty_bundled: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "r.yaml").write_text(
        "deck: r\nname: R\ncards:\n  - {id: a, question: q, answer: a}\n", encoding="utf-8"
    )
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(empty_bundled, decks, T0)
    (pk,) = col.conn.execute("SELECT pk FROM cards").fetchone()
    fuzzy = Settings(fuzz=True)
    when, events, outcomes = T0, [], []
    for rating in [3, 3, 1, 3, 4, 2, 3]:
        outcome = record_review(col, pk, Rating(rating), when, fuzzy)
        events.append(Event(when, Rating(rating)))
        outcomes.append(outcome)
        assert outcome.after.due is not None
        when = max(outcome.after.due, when + timedelta(minutes=1))
    steps, final = replay(events, fuzzy, pk)
    assert [s.after for s in steps] == [o.after for o in outcomes]
    assert [s.before for s in steps] == [o.before for o in outcomes]
    assert final == outcomes[-1].after
    col.close()


def test_events_replay_in_time_order_and_a_reset_starts_over() -> None:
    plain = Settings(fuzz=False)
    first = Event(T0, Rating.GOOD)
    later = Event(T0 + timedelta(days=3), Rating.EASY)
    steps, final = replay([later, first], plain, 1)
    assert [s.event for s in steps] == [first, later]
    assert final == review(
        review(SchedState(), Rating.GOOD, T0, plain), Rating.EASY, later.at, plain
    )
    reset = Event(T0 + timedelta(days=1), None)
    steps, final = replay([first, reset, later], plain, 1)
    assert steps[1].before == SchedState()
    assert final == review(SchedState(), Rating.EASY, later.at, plain)
    _, final = replay([first, later, Event(later.at + timedelta(hours=1), None)], plain, 1)
    assert final == SchedState() and final.state is State.NEW


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 40 * 24 * 60)), min_size=1, max_size=12)
)
def test_replay_is_review_after_review_in_time_order(reviews: list[tuple[int, int]]) -> None:
    plain = Settings(fuzz=False)
    events = [Event(T0 + timedelta(minutes=m), Rating(r)) for r, m in reviews]
    steps, final = replay(events, plain, 7)
    state = SchedState()
    for event in sorted(events, key=lambda e: e.at):
        # the scheduler's answer as a review records it (py-fsrs, then Anki's order of the buttons)
        state = answer_states(state, event.at, plain)[event.rating or Rating.GOOD]
    assert final == state and len(steps) == len(events)
    assert final.reps == len(events)
