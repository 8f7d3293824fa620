"""The queue, recording and undoing reviews, suspend/bury/forget, in a real collection.

Reference scheduling values come from py-fsrs itself, run side by side with the collection.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest

from cvquiz import clock
from cvquiz.collection import Collection
from cvquiz.collection.queue import (
    QueueCounts,
    QueueFilter,
    card_by_pk,
    next_card,
    next_due,
    queue_counts,
)
from cvquiz.collection.scheduling import (
    bury,
    forget,
    schedule_row,
    suspend,
    undo_review,
    unsuspend,
)
from cvquiz.config import DeckLimits, Settings
from cvquiz.errors import CardNotFoundError, CvquizError
from cvquiz.model import Rating, State
from cvquiz.review_policy import record_review
from cvquiz.scheduler import retrievability_at
from cvquiz.status import today_status

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLAIN = Settings(fuzz=False, new_order="deck")  # most tests here follow deck order


def _reviews(col: Collection) -> list[dict[str, Any]]:
    """The review log as dicts, read straight from the file."""
    cur = col.conn.execute("SELECT * FROM reviews ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def deck_yaml(
    deck: str,
    basic: int = 0,
    reversed_: tuple[str, ...] = (),
    cloze: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> str:
    lines = [f"deck: {deck}", f"name: {deck}", "cards:"]
    for i in range(basic):
        lines += [f"  - id: b{i:03d}", f"    question: q{i}", f"    answer: a{i}"]
        if tags:
            lines.append(f"    tags: [{tags[i % len(tags)]}]")
    for card_id in reversed_:
        lines += [
            f"  - id: {card_id}",
            "    type: reversed",
            "    question: front",
            "    answer: back",
        ]
    for card_id in cloze:
        lines += [
            f"  - id: {card_id}",
            "    type: cloze",
            "    question: '{{c1::one}} and {{c2::two}}'",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_col(tmp_path: Path, empty_bundled: Path) -> Iterator[Any]:
    """Build a collection from deck texts ``{file_stem: yaml}``."""
    opened: list[Collection] = []

    def make(**decks: str) -> Collection:
        folder = tmp_path / f"decks{len(opened)}"
        folder.mkdir()
        for stem, text in decks.items():
            (folder / f"{stem}.yaml").write_text(text)
        col = Collection.open(tmp_path / f"c{len(opened)}.sqlite")
        col.sync_decks(empty_bundled, folder, NOW)
        opened.append(col)
        return col

    yield make
    for col in opened:
        col.close()


def pks(col: Collection, deck: str | None = None) -> list[int]:
    sql = (
        "SELECT pk FROM cards" + (" WHERE deck_id = ?" if deck else "") + " ORDER BY position, ord"
    )
    return [r[0] for r in col.conn.execute(sql, (deck,) if deck else ())]


def pk_of(col: Collection, card_id: str, ord_: int = 0) -> int:
    (pk,) = col.conn.execute(
        "SELECT pk FROM cards WHERE card_id = ? AND ord = ?", (card_id, ord_)
    ).fetchone()
    return int(pk)


def put(col: Collection, pk: int, **columns: Any) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in columns)
    with col.transaction() as conn:
        conn.execute(f"UPDATE schedule SET {sets} WHERE card_pk = :pk", {**columns, "pk": pk})


def drain(
    col: Collection, now: datetime, settings: Settings, rating: Rating = Rating.EASY
) -> list[int]:
    """Study until the queue is empty; return the cards in the order served."""
    served = []
    while (card := next_card(col, now, settings)) is not None:
        served.append(card.pk)
        record_review(col, card.pk, rating, now, settings)
        assert len(served) < 1000
    return served


# --- replay against py-fsrs ----------------------------------------------------------------------------


def random_gap(rng: random.Random) -> int:
    kind = rng.random()
    if kind < 0.3:
        return rng.randrange(0, 30 * 60_000)  # same session
    if kind < 0.55:
        return rng.randrange(0, 86_400_000)  # later the same day or the next
    if kind < 0.8:
        return round(rng.uniform(1, 4) * 86_400_000)  # fractional days
    return round(rng.uniform(4, 400) * 86_400_000)


def _anki_ordered_due(
    reference: fsrs.Scheduler, card: fsrs.Card, rating: Rating, now: datetime, last_days: int
) -> datetime:
    """py-fsrs' due, with the order Anki keeps between the buttons of a review card (no fuzz).

    Anki (rslib, review.rs, passing_fsrs_review_intervals): Hard is at least 1 day, and longer than the last
    interval when FSRS lengthens it; Good at least a day longer than Hard, Easy than Good.
    """
    due = reference.review_card(card, fsrs.Rating(rating), now)[0].due
    if card.state != fsrs.State.Review or rating is Rating.AGAIN:
        return due
    previous = 0
    for passing in (Rating.HARD, Rating.GOOD, Rating.EASY):
        days = round((reference.review_card(card, fsrs.Rating(passing), now)[0].due - now).days)
        longer = last_days + 1 if days > last_days else 0
        days = max(days, longer, 1 if passing is Rating.HARD else previous + 1)
        previous = days
        if passing is rating:
            return now + timedelta(days=days)
    raise AssertionError(rating)


@pytest.mark.parametrize("steps", ["default", "empty"])
def test_replay_matches_py_fsrs(make_col: Any, steps: str) -> None:
    settings = PLAIN
    if steps == "empty":
        settings = replace(PLAIN, learning_steps=(), relearning_steps=())
    reference = fsrs.Scheduler(
        learning_steps=settings.learning_steps,
        relearning_steps=settings.relearning_steps,
        enable_fuzzing=False,
    )
    col = make_col(t=deck_yaml("t", basic=150))
    rng = random.Random(steps)
    checked = 0
    for pk in pks(col):
        now = clock.from_ms(clock.to_ms(NOW) + rng.randrange(0, 10**10))
        ref = fsrs.Card(card_id=pk, due=now)
        last_days = 0
        for _ in range(rng.randint(1, 14)):
            now = now + timedelta(milliseconds=random_gap(rng))
            rating = rng.choice(list(Rating))
            record_review(col, pk, rating, now, settings)
            expected_due = _anki_ordered_due(reference, ref, rating, now, last_days)
            ref, _ = reference.review_card(ref, fsrs.Rating(rating), now)
            row = schedule_row(col, pk)
            assert (row["state"], row["step"]) == (int(ref.state), ref.step)
            assert row["stability"] == pytest.approx(ref.stability, rel=1e-9)
            assert row["difficulty"] == pytest.approx(ref.difficulty, rel=1e-9)
            assert clock.from_ms(row["due"]) == expected_due
            assert clock.from_ms(row["last_review"]) == ref.last_review
            if ref.state == fsrs.State.Review:
                last_days = round((expected_due - now) / timedelta(days=1))
            checked += 1
    (logged,) = col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
    assert logged == checked > 1000


def test_review_log_keeps_what_an_optimizer_needs(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    first = record_review(col, pk, Rating.GOOD, NOW, PLAIN, duration_ms=4200)
    record_review(
        col, pk, Rating.AGAIN, NOW + timedelta(minutes=12), PLAIN, answer="7", correct=False, seed=9
    )
    rows = _reviews(col)
    assert [r["rating"] for r in rows] == [3, 1]
    assert rows[0]["reviewed_at"] == clock.to_ms(NOW) and rows[0]["duration_ms"] == 4200
    assert (rows[0]["state_before"], rows[0]["state_after"]) == (0, 1)
    assert (rows[1]["answer"], rows[1]["correct"], rows[1]["seed"]) == ("7", 0, 9)
    assert json.loads(rows[1]["before"]) == json.loads(rows[0]["after"])
    assert first.after.to_row().items() <= json.loads(rows[0]["after"]).items()


# --- study days and time zones ---------------------------------------------------------------------------


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"], indirect=True)
def test_review_before_rollover_counts_for_the_previous_day(make_col: Any, zone: str) -> None:
    col = make_col(t=deck_yaml("t", basic=2))
    a, b = pks(col)
    local = datetime(2026, 6, 10, 3, 59).astimezone()
    assert record_review(col, a, Rating.GOOD, local, PLAIN).study_day == date(2026, 6, 9)
    later = local + timedelta(minutes=1)
    assert record_review(col, b, Rating.GOOD, later, PLAIN).study_day == date(2026, 6, 10)
    days = [r[0] for r in col.conn.execute("SELECT study_day FROM reviews ORDER BY id")]
    assert days == ["2026-06-09", "2026-06-10"]


@pytest.mark.parametrize(
    ("zone", "reviewed", "day_before", "due_morning"),
    [
        (
            "America/New_York",
            "2026-10-27T04:30:00-04:00",
            "2026-11-03T12:00:00-05:00",
            "2026-11-04T04:05:00-05:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-20T04:30:00+02:00",
            "2026-10-27T12:00:00+01:00",
            "2026-10-28T04:05:00+01:00",
        ),
        (
            "America/New_York",
            "2026-03-05T03:30:00-05:00",
            "2026-03-11T12:00:00-04:00",
            "2026-03-12T04:05:00-04:00",
        ),
    ],
    indirect=["zone"],
)
def test_dst_does_not_move_a_review_into_another_day(
    make_col: Any, zone: str, reviewed: str, day_before: str, due_morning: str
) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    out = record_review(col, pk, Rating.EASY, datetime.fromisoformat(reviewed), PLAIN)
    assert out.after.due is not None and out.after.due - out.after.last_review == timedelta(days=8)
    assert queue_counts(col, datetime.fromisoformat(day_before), PLAIN).review == 0
    assert queue_counts(col, datetime.fromisoformat(due_morning), PLAIN).review == 1
    card = next_card(col, datetime.fromisoformat(due_morning), PLAIN)
    assert card is not None and card.pk == pk


# --- the queue -----------------------------------------------------------------------------------------


def test_queue_order_learning_then_most_overdue_then_new(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=6))
    learn, a, b, c, n1, n2 = pks(col)
    record_review(col, learn, Rating.GOOD, NOW - timedelta(minutes=15), PLAIN)  # due 5 min ago
    for pk, days_ago in ((c, 9), (a, 20), (b, 10)):  # Easy: due 8 days later
        record_review(col, pk, Rating.EASY, NOW - timedelta(days=days_ago), PLAIN)
    served: list[int] = []
    while (card := next_card(col, NOW, PLAIN, exclude=served)) is not None:
        served.append(card.pk)
    assert served == [learn, a, b, c, n1, n2]


def test_review_order_by_retrievability(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=3))
    a, b, c = pks(col)
    day = 86_400_000
    now = clock.to_ms(NOW)
    today = date(2026, 3, 2)
    for pk, stability, last_days, due_days in (
        (a, 10.0, 30, 20),
        (b, 1.0, 6, 5),
        (c, 100.0, 100, 1),
    ):
        put(
            col,
            pk,
            state=2,
            stability=stability,
            difficulty=5.0,
            last_review=now - last_days * day,
            due=now - due_days * day,
            due_day=(today - timedelta(days=due_days)).isoformat(),
            reps=3,
        )
    by_r = replace(PLAIN, review_order="retrievability")

    def order(settings: Settings) -> list[int]:
        served: list[int] = []
        while (card := next_card(col, NOW, settings, exclude=served)) is not None:
            served.append(card.pk)
        return served

    assert order(PLAIN) == [a, b, c]
    assert order(by_r) == [b, a, c]
    r = retrievability_at(
        [10.0, 1.0, 100.0], [now - 30 * day, now - 6 * day, now - 100 * day], now, PLAIN.parameters
    )
    assert r[1] < r[0] < r[2]  # b is the least likely to be recalled, c the most


def test_learn_ahead_only_when_nothing_else_is_left(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=2))
    first, second = pks(col)
    record_review(col, first, Rating.GOOD, NOW, PLAIN)  # learning, due in 10 minutes
    card = next_card(col, NOW, PLAIN)
    assert card is not None and card.pk == second  # a new card before learning ahead
    record_review(col, second, Rating.EASY, NOW, PLAIN)
    card = next_card(col, NOW, PLAIN)
    assert card is not None and card.pk == first  # nothing else: learn ahead 10 minutes
    assert queue_counts(col, NOW, PLAIN).learning == 1
    slow = replace(PLAIN, learning_steps=(timedelta(minutes=1), timedelta(minutes=30)))
    put(col, first, due=clock.to_ms(NOW + timedelta(minutes=30)))
    assert next_card(col, NOW, slow) is None  # beyond the 20-minute window
    assert queue_counts(col, NOW, slow).learning == 0
    assert next_due(col, NOW, slow) == (NOW + timedelta(minutes=30), 1)


def test_new_limit_counts_today_and_a_second_drill_continues(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=10))
    settings = replace(PLAIN, new_per_day=3)
    assert queue_counts(col, NOW, settings).new == 3
    assert drain(col, NOW, settings) == pks(col)[:3]
    assert queue_counts(col, NOW, settings).new == 0
    later = NOW + timedelta(hours=5)
    assert next_card(col, later, settings) is None  # the same study day: no fresh allowance
    assert next_card(col, later, replace(settings, new_per_day=4)) is not None
    assert next_card(col, later, settings, QueueFilter(new_limit=4)) is not None
    tomorrow = NOW + timedelta(days=1)
    assert queue_counts(col, tomorrow, settings).new == 3
    assert drain(col, tomorrow, settings) == pks(col)[3:6]


def test_review_limit(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=5))
    drain(col, NOW, PLAIN)  # all five to review, due in 8 days
    later = NOW + timedelta(days=9)
    settings = replace(PLAIN, reviews_per_day=2)
    assert queue_counts(col, later, settings).review == 2
    assert len(drain(col, later, settings, Rating.GOOD)) == 2
    assert queue_counts(col, later, settings) == QueueCounts(new=0, learning=0, review=0)
    assert queue_counts(col, later, PLAIN).review == 3
    assert queue_counts(col, later, settings, QueueFilter(limit=3)).review == 1


def test_per_deck_limits_and_prefix_groups(make_col: Any) -> None:
    col = make_col(
        a=deck_yaml("a", basic=5), b=deck_yaml("b", basic=5), x1=deck_yaml("x/one", basic=5),
        x2=deck_yaml("x/two", basic=5),
    )  # fmt: skip
    settings = replace(
        PLAIN,
        new_per_day=9,
        deck_limits={"a": DeckLimits(new_per_day=1), "x/": DeckLimits(new_per_day=2)},
    )
    assert queue_counts(col, NOW, settings).new == 8  # 1 from a, 5 from b, 2 from x/one and x/two
    assert queue_counts(col, NOW, replace(settings, new_per_day=4)).new == 4
    served = drain(col, NOW, settings)
    decks = [card_by_pk(col, pk).deck_id for pk in served]
    assert decks == ["a", "b", "b", "b", "b", "b", "x/one", "x/one"]
    assert queue_counts(col, NOW, settings, QueueFilter(decks=("a",))).new == 0


def test_new_cards_interleave_across_decks_by_default(make_col: Any) -> None:
    col = make_col(
        a=deck_yaml("a", basic=5), b=deck_yaml("b", basic=5), x1=deck_yaml("x/one", basic=5),
        x2=deck_yaml("x/two", basic=5),
    )  # fmt: skip
    settings = replace(
        PLAIN,
        new_order="interleave",
        new_per_day=9,
        deck_limits={"a": DeckLimits(new_per_day=1), "x/": DeckLimits(new_per_day=2)},
    )
    assert Settings().new_order == "interleave"
    served = drain(col, NOW, settings)
    decks = [card_by_pk(col, pk).deck_id for pk in served]
    # one from each deck in turn, within the per-deck limits; each deck's cards in file order
    assert decks == ["a", "b", "x/one", "x/two", "b", "b", "b", "b"]
    assert [card_by_pk(col, pk).card_id for pk in served if card_by_pk(col, pk).deck_id == "b"] == [
        f"b{i:03d}" for i in range(5)
    ]


def test_random_new_order_is_stable_within_a_day(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=30))
    settings = replace(PLAIN, new_order="random", new_per_day=30)
    first = next_card(col, NOW, settings)
    assert first is not None
    assert next_card(col, NOW + timedelta(hours=3), settings) == first  # the same study day
    firsts = {next_card(col, NOW + timedelta(days=d), settings).pk for d in range(6)}  # type: ignore[union-attr]
    assert len(firsts) > 1  # another day, another order
    order = drain(col, NOW, settings)
    assert sorted(order) == pks(col) and order != pks(col)


def test_new_order_deck_and_the_override(make_col: Any) -> None:
    col = make_col(a=deck_yaml("a", basic=3), b=deck_yaml("b", basic=3))
    settings = replace(PLAIN, new_order="interleave")
    first_two = [next_card(col, NOW, settings, QueueFilter(new_order="deck"))]
    assert first_two[0] is not None and first_two[0].deck_id == "a"
    record_review(col, first_two[0].pk, Rating.EASY, NOW, settings)
    assert next_card(col, NOW, settings, QueueFilter(new_order="deck")).deck_id == "a"  # type: ignore[union-attr]
    assert next_card(col, NOW, settings).deck_id == "b"  # type: ignore[union-attr]


def test_review_ahead_and_forgotten_cards(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=4))
    a, b, c, d = pks(col)
    for pk in (a, b, c):
        record_review(col, pk, Rating.EASY, NOW, PLAIN)  # review, due in days
    record_review(col, d, Rating.AGAIN, NOW, PLAIN)  # learning, rated Again today
    later = NOW + timedelta(days=1)
    no_new = QueueFilter(new_limit=0)
    assert queue_counts(col, later, PLAIN, no_new).review == 0
    ahead = QueueFilter(new_limit=0, ahead_days=30)
    assert queue_counts(col, later, PLAIN, ahead).review == 3
    assert next_card(col, later, PLAIN, ahead) is not None
    # a card already studied in the session is left out (the session passes it as excluded)
    assert queue_counts(col, later, PLAIN, ahead, exclude=[a]).review == 2
    forgotten = QueueFilter(new_limit=0, forgotten_days=2)
    card = next_card(col, later + timedelta(minutes=30), PLAIN, forgotten)
    assert card is not None and card.pk == d
    assert next_card(col, later + timedelta(days=5), PLAIN, QueueFilter(forgotten_days=2)) is None


def test_siblings_are_buried_until_the_next_day(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", reversed_=("r",), cloze=("z",)))
    front, back = pk_of(col, "r", 0), pk_of(col, "r", 1)
    c1, c2 = pk_of(col, "z", 1), pk_of(col, "z", 2)
    assert queue_counts(col, NOW, PLAIN).new == 4
    served = drain(col, NOW, PLAIN)
    assert served == [front, c1]
    assert card_by_pk(col, back).buried_until == "2026-03-03"
    assert queue_counts(col, NOW, PLAIN).new == 0
    tomorrow = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    assert next_card(col, tomorrow - timedelta(seconds=1), PLAIN) is None
    assert drain(col, tomorrow, PLAIN) == [back, c2]


def test_leech_tag_is_reported_once(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    settings = replace(PLAIN, leech_threshold=2)
    now = NOW
    record_review(col, pk, Rating.EASY, now, settings)
    flags = []
    for _ in range(3):
        now = now + timedelta(days=30)
        out = record_review(col, pk, Rating.AGAIN, now, settings)  # a lapse
        flags.append(out.became_leech)
        now = now + timedelta(minutes=10)
        record_review(col, pk, Rating.GOOD, now, settings)
    assert flags == [False, True, False]
    card = card_by_pk(col, pk)
    assert card.leech and not card.suspended and card.sched.lapses == 3
    assert (
        next_card(col, now + timedelta(days=60), settings, QueueFilter(tags=("leech",))) is not None
    )


def test_leech_suspend(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    settings = replace(PLAIN, leech_threshold=1, leech_action="suspend")
    record_review(col, pk, Rating.EASY, NOW, settings)
    out = record_review(col, pk, Rating.AGAIN, NOW + timedelta(days=9), settings)
    assert out.became_leech and out.suspended and out.leech_action == "suspend"
    card = card_by_pk(col, pk)
    assert card.leech and card.suspended
    assert next_card(col, NOW + timedelta(days=9, minutes=30), settings) is None


def test_filters_by_deck_prefix_and_tag_children(make_col: Any) -> None:
    col = make_col(
        a=deck_yaml("cv/conv", basic=2, tags=("math::linear", "code")),
        b=deck_yaml("cv/loss", basic=2, tags=("mathematics",)),
        c=deck_yaml("other", basic=2, tags=("math",)),
        d=deck_yaml("cvx", basic=1),
    )

    def count(**kw: Any) -> int:
        return queue_counts(col, NOW, PLAIN, QueueFilter(**kw)).new

    assert count(decks=("cv/",)) == count(decks=("cv",)) == 4  # not cvx
    assert count(decks=("c",)) == 0  # ids nest by '/', not by letters
    assert count(decks=("cvx",)) == 1
    assert count(decks=("cv/conv",)) == 2
    assert count(decks=("cv/conv", "other")) == 4
    assert count(tags=("math",)) == 3  # math and math::linear, not mathematics
    assert count(tags=("math::linear",)) == 1
    assert count(decks=("cv/",), tags=("math",)) == 1
    assert count(decks=("nope",)) == 0


def test_suspend_unsuspend_bury_forget(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=3))
    a, b, c = pks(col)
    assert suspend(col, [a, b]) == 2 and suspend(col, [a]) == 0
    assert queue_counts(col, NOW, PLAIN).new == 1
    assert unsuspend(col, [a, b, c]) == 2
    bury(col, a, NOW, PLAIN)
    card = next_card(col, NOW, PLAIN)
    assert card is not None and card.pk == b
    assert next_card(col, NOW + timedelta(days=1), PLAIN) is not None
    assert card_by_pk(col, a).buried_until == "2026-03-03"
    record_review(col, c, Rating.EASY, NOW, PLAIN)
    assert forget(col, [c], NOW) == 1
    assert schedule_row(col, c) == schedule_row(col, b)  # new again
    (logged,) = col.conn.execute("SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (c,)).fetchone()
    assert logged == 1  # history kept
    with pytest.raises(CardNotFoundError):
        bury(col, 9999, NOW, PLAIN)
    with pytest.raises(CardNotFoundError):
        card_by_pk(col, 9999)
    with pytest.raises(CardNotFoundError) as caught:
        record_review(col, 9999, Rating.GOOD, NOW, PLAIN)
    # shown in the person's language (a restore in another terminal can take a drill's card away)
    from cvquiz import i18n

    assert str(caught.value) == "no card with key 9999 in the collection"
    i18n.set_language("zh")
    try:
        assert caught.value.localized(i18n._) == "记录库中没有键为 9999 的卡片"
    finally:
        i18n.set_language("en")


def test_next_due_after_the_day_is_done(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=2))
    a, b = pks(col)
    record_review(col, a, Rating.EASY, NOW, PLAIN)  # due in 8 days
    suspend(col, [b])
    when, count = next_due(col, NOW, PLAIN) or (None, 0)
    assert when == datetime(2026, 3, 10, 4, 0, tzinfo=UTC) and count == 1
    suspend(col, [a])
    assert next_due(col, NOW, PLAIN) is None


# --- undo ------------------------------------------------------------------------------------------------


def test_undo_restores_the_exact_row_after_each_transition(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    steps = [
        (Rating.GOOD, NOW, State.NEW, State.LEARNING),
        (Rating.GOOD, NOW + timedelta(minutes=10), State.LEARNING, State.REVIEW),
        (Rating.AGAIN, NOW + timedelta(days=5), State.REVIEW, State.RELEARNING),
        (Rating.GOOD, NOW + timedelta(days=5, minutes=10), State.RELEARNING, State.REVIEW),
    ]
    for rating, when, was, becomes in steps:
        before = schedule_row(col, pk)
        reviews_before = _reviews(col)
        out = record_review(col, pk, rating, when, PLAIN)
        assert (out.before.state, out.after.state) == (was, becomes)
        assert undo_review(col, out.review_id) == pk
        assert schedule_row(col, pk) == before
        assert _reviews(col) == reviews_before
        again = record_review(col, pk, rating, when, PLAIN)
        assert again.after == out.after


def test_undo_unburies_siblings_and_refuses_older_reviews(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", reversed_=("r",)))
    front, back = pk_of(col, "r", 0), pk_of(col, "r", 1)
    bury(col, back, NOW - timedelta(days=3), PLAIN)  # an old burial, already over
    old_back = schedule_row(col, back)
    first = record_review(col, front, Rating.GOOD, NOW, PLAIN)
    assert first.buried_siblings == (back,)
    second = record_review(col, front, Rating.GOOD, NOW + timedelta(minutes=10), PLAIN)
    with pytest.raises(CvquizError, match="not the latest"):
        undo_review(col, first.review_id)
    undo_review(col, second.review_id)
    undo_review(col, first.review_id)
    assert schedule_row(col, back) == old_back
    with pytest.raises(CvquizError, match="no longer in the review log"):
        undo_review(col, first.review_id)


def test_undo_refuses_after_forget(make_col: Any) -> None:
    col = make_col(t=deck_yaml("t", basic=1))
    (pk,) = pks(col)
    out = record_review(col, pk, Rating.GOOD, NOW, PLAIN)
    forget(col, [pk], NOW)
    with pytest.raises(CvquizError, match="rescheduled since"):
        undo_review(col, out.review_id)


def test_fuzzed_reviews_are_reproducible(make_col: Any) -> None:
    fuzzy = Settings(fuzz=True)
    outs = []
    for _ in range(2):
        col = make_col(t=deck_yaml("t", basic=1))
        (pk,) = pks(col)
        now = NOW
        for _ in range(4):
            out = record_review(col, pk, Rating.GOOD, now, fuzzy)
            assert out.after.due is not None
            now = out.after.due
        outs.append(out.after)
    assert outs[0] == outs[1]


# --- indexes ---------------------------------------------------------------------------------------------

BIG_TABLE_SCAN = re.compile(r"\bSCAN (s|c|r|o|schedule|cards|reviews)\b")


def test_queue_reviews_and_status_only_use_indexes(make_col: Any) -> None:
    col = make_col(
        t=deck_yaml("t", basic=30, reversed_=("r",), tags=("x",)), u=deck_yaml("u", basic=5)
    )
    drain(col, NOW - timedelta(days=20), PLAIN)
    front = pk_of(col, "r")
    statements: list[str] = []
    col.conn.set_trace_callback(statements.append)
    settings = replace(
        PLAIN, deck_limits={"u": DeckLimits(new_per_day=1)}, review_order="retrievability"
    )
    flt = QueueFilter(decks=("t",), tags=("x",))
    card = next_card(col, NOW, settings, flt, exclude=[1, 2])
    assert card is not None
    queue_counts(col, NOW, settings, flt)
    next_due(col, NOW, settings)
    out = record_review(col, front, Rating.AGAIN, NOW, settings)
    undo_review(col, out.review_id)
    today_status(col, NOW, settings)
    col.conn.set_trace_callback(None)
    checked = 0
    for sql in dict.fromkeys(statements):
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        plan = [row[3] for row in col.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not any(BIG_TABLE_SCAN.search(step) for step in plan), (sql, plan)
        checked += 1
    assert checked > 10


# --- migration -------------------------------------------------------------------------------------------


def test_m002_fills_due_day_of_reviewed_cards(tmp_path: Path, empty_bundled: Path) -> None:
    decks = tmp_path / "d"
    decks.mkdir()
    (decks / "t.yaml").write_text(deck_yaml("t", basic=2))
    path = tmp_path / "old.sqlite"
    col = Collection.open(path, stop_before="m002_due_day")
    col.sync_decks(empty_bundled, decks, NOW)
    last = clock.to_ms(NOW)
    with col.transaction() as conn:
        conn.execute(
            "UPDATE schedule SET state = 2, stability = 8, difficulty = 5, last_review = ?, due = ?,"
            " reps = 1 WHERE card_pk = 1",
            (last, last + 8 * 86_400_000),
        )
    col.close()
    col = Collection.open(path)
    assert "m002_due_day" in col.migrations()
    assert schedule_row(col, 1)["due_day"] == "2026-03-10"
    assert schedule_row(col, 2)["due_day"] is None
    col.close()
