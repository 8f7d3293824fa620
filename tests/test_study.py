"""Whole study sessions in process: a scripted UI, a fixed clock and seed, a real collection; no terminal."""

from __future__ import annotations

import random
import sqlite3
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from study_fakes import NOW, Clock, ScriptedUI

from cvquiz import cards
from cvquiz.collection import Collection, changes, undo
from cvquiz.collection.queue import QueueFilter
from cvquiz.collection.scheduling import schedule_row
from cvquiz.config import Settings
from cvquiz.model import CardType, Rating
from cvquiz.study import (
    Action,
    Reveal,
    Screen,
    Session,
    Status,
    Summary,
    register_front,
    run_session,
)
from cvquiz.study.fronts import FrontContext, front_for, recall_front

DECK = """\
deck: mine
name: Mine
cards:
  - {id: alpha, question: First question, answer: First answer}
  - {id: beta, question: Second question, answer: Second answer}
  - {id: gamma, question: Third question, answer: Third answer}
"""

COMPUTE = """\
deck: calc
name: Calc
cards:
  - id: conv
    type: compute
    generator: conv2d_output_shape
    params: {batch: [1], channels: [3], size: [8], square: [true], out_channels: [8], kernel: [3],
             stride: [2], padding: [1], dilation: [1], groups: [1]}
"""
# floor((8 + 2*1 - 3) / 2) + 1 = 4, worked by hand: the answer is (1, 8, 4, 4).


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(DECK, encoding="utf-8")
    (decks / "calc.yaml").write_text(COMPUTE, encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(tmp_path / "none", decks, NOW)
        yield opened


def session(col: Collection, deck: str = "mine", clock: Clock | None = None, **kw: Any) -> Session:
    return Session(
        col=col,
        settings=kw.pop("settings", Settings()),
        now=clock or Clock(),
        flt=QueueFilter(decks=(deck,)),
        rng=random.Random(7),
        **kw,
    )


def play(s: Session, *script: Any) -> tuple[ScriptedUI, Summary]:
    ui = ScriptedUI(deque(script))
    ticks = iter(range(0, 10_000, 2))
    summary = run_session(s, ui, timer=lambda: float(next(ticks)))
    return ui, summary


def reviews(col: Collection) -> list[tuple[str, int, str | None, int | None]]:
    return col.conn.execute(
        """SELECT c.card_id, r.rating, r.answer, r.correct FROM reviews r
           JOIN cards c ON c.pk = r.card_pk ORDER BY r.id"""
    ).fetchall()


def row(col: Collection, card_id: str) -> dict[str, Any]:
    (pk,) = col.conn.execute("SELECT pk FROM cards WHERE card_id = ?", (card_id,)).fetchone()
    return schedule_row(col, pk)


def test_a_whole_recall_session_is_committed_rating_by_rating(col: Collection) -> None:
    ui, summary = play(
        session(col),
        Action.REVEAL, Rating.GOOD,
        Action.REVEAL, Rating.AGAIN,
        Action.REVEAL, "enter",
        Action.QUIT,
    )  # fmt: skip
    fronts = [v.card_id for v in ui.of("front")]
    assert fronts[:3] == ["alpha", "beta", "gamma"]
    assert reviews(col) == [
        ("alpha", 3, None, None),
        ("beta", 1, None, None),
        ("gamma", 3, None, None),
    ]
    assert [r.rating for r in ui.of("rated")] == [Rating.GOOD, Rating.AGAIN, Rating.GOOD]
    assert ui.of("rated")[0].interval == "10m"  # the second learning step
    assert (summary.reviews, summary.cards, summary.again) == (3, 3, 1)
    assert summary.seconds > 0  # the session's wall time, from the injected timer


def test_the_buttons_show_what_rating_gives(col: Collection) -> None:
    ui, _ = play(session(col), Action.REVEAL, Rating.EASY, Action.QUIT)
    ((_view, _reveal, buttons),) = ui.of("back")
    assert [b.rating for b in buttons] == list(Rating)
    easy = next(b for b in buttons if b.rating is Rating.EASY)
    assert ui.of("rated")[0].interval == easy.interval


def test_enter_on_a_compute_card_is_i_dont_know(col: Collection) -> None:
    ui, summary = play(session(col, "calc"), "", "enter", None)
    ((_view, reveal, _),) = ui.of("back")
    assert reveal.proposed is Rating.AGAIN
    assert reveal.verdict is not None and reveal.verdict.gave_up and not reveal.verdict.correct
    assert reveal.verdict.expected == "(1, 8, 4, 4)"
    assert reveal.solution and "4" in reveal.solution  # the worked solution is shown
    assert reviews(col) == [("conv", 1, None, 0)]  # no answer, correct = false, rated Again
    assert (summary.compute_answered, summary.compute_correct) == (1, 0)


def test_a_wrong_arity_is_unreadable_and_asked_again(col: Collection) -> None:
    ui, _ = play(session(col, "calc"), "111x111", "1 8 4", "(1, 8, 4, 4)", "enter", None)
    unreadable = [s for s in ui.of("status") if s.kind == "unreadable"]
    assert len(unreadable) == 2
    assert "this card wants 4 numbers: (N, C, H, W)" in unreadable[0].message
    # hints name only formats this card accepts: four numbers, never "112x112"
    assert "(try 1x64x112x112 or (1, 64, 112, 112))" in unreadable[0].message
    assert reviews(col) == [("conv", 3, "(1, 8, 4, 4)", 1)]  # two unreadable tries cost nothing


@pytest.mark.parametrize(
    "text",
    [
        "1e9999",
        "1 x 10^4400",
        "9" * 1_000_000,
        "(1, 8, 4, 4" + ")" * 5000,
        "１２３ x ∞",
        "\x00\x1b[2J",
    ],
)
def test_any_input_gets_one_line_never_a_traceback(col: Collection, text: str) -> None:
    ui, _ = play(session(col, "calc"), text, "1x8x4x4", "enter", None)
    unreadable = [s for s in ui.of("status") if s.kind == "unreadable"]
    assert len(unreadable) == 1
    assert "\n" not in unreadable[0].message and len(unreadable[0].message) < 300
    assert reviews(col)[0][1:] == (3, "1x8x4x4", 1)


def test_question_mark_shows_the_help_of_the_screen(col: Collection) -> None:
    ui, _ = play(session(col, "calc"), "?", "", Action.HELP, "enter", None)
    screens = [screen for screen, _text in ui.of("help")]
    assert screens == [Screen.ANSWER, Screen.BACK]
    answer_help = ui.of("help")[0][1]
    assert "Enter on an empty line" in answer_help and "show the answer" not in answer_help
    ui, _ = play(session(col), "?", Action.QUIT)
    assert (
        ui.of("help") == []
    )  # the scripted UI passes actions, not keys: '?' is not a recall action


def test_help_and_where_on_a_recall_front(col: Collection) -> None:
    ui, _ = play(session(col), Action.HELP, Action.WHERE, Action.QUIT)
    assert [screen for screen, _ in ui.of("help")] == [Screen.FRONT]
    where = ui.of("status")[0]
    assert where.kind == "info" and "mine/alpha is defined at" in where.message
    assert where.message.endswith("mine.yaml:4")


def test_undo_is_a_stack_and_says_what_it_undid(col: Collection) -> None:
    before = {c: row(col, c) for c in ("alpha", "beta", "gamma")}
    ui, _ = play(
        session(col),
        Action.SUSPEND,  # alpha
        Action.BURY,  # beta
        Action.REVEAL, Rating.GOOD,  # gamma: a learning step of 10 min, shown again (learn-ahead)
        Action.UNDO,  # the rating of gamma
        Action.UNDO,  # the bury of beta
        Action.UNDO,  # the suspend of alpha
        Action.UNDO,  # nothing left
        Action.QUIT,
    )  # fmt: skip
    statuses = [(s.kind, s.message) for s in ui.of("status")]
    assert statuses == [
        ("suspend", "Suspended mine/alpha · u: undo"),
        ("bury", "Buried mine/beta until tomorrow · u: undo"),
        ("undo", "Undid rating Good on mine/gamma"),
        ("undo", "Unburied mine/beta"),
        ("undo", "Unsuspended mine/alpha"),
        ("nothing-to-undo", "Nothing to undo"),
    ]
    # each undone card comes back on screen, and every row is exactly as it was
    fronts = [v.card_id for v in ui.of("front")]
    assert fronts == ["alpha", "beta", "gamma", "gamma", "gamma", "beta", "alpha", "alpha"]
    assert {c: row(col, c) for c in before} == before
    assert reviews(col) == []


def test_the_drill_and_cvquiz_undo_agree_on_the_last_change(col: Collection) -> None:
    play(session(col), Action.SUSPEND, Action.REVEAL, Rating.GOOD, Action.QUIT)  # alpha; beta
    last = undo.last_change(col)
    assert last is not None and (last.op, last.label, last.rating) == ("review", "mine/beta", 3)
    assert cards.undo_last(col).op == "review"  # what cvquiz undo does
    assert reviews(col) == []
    assert cards.undo_last(col).op == "suspend"
    assert row(col, "alpha")["suspended"] == 0


def test_a_drill_undo_takes_its_change_out_of_the_undo_log(col: Collection) -> None:
    before = row(col, "alpha")
    play(
        session(col), Action.REVEAL, Rating.GOOD, Action.BURY, Action.UNDO, Action.UNDO, Action.QUIT
    )
    assert undo.count(col) == 0 and reviews(col) == [] and row(col, "alpha") == before


def test_a_drill_undo_waits_for_a_later_change_made_elsewhere(col: Collection) -> None:
    s = session(col)
    play(s, Action.REVEAL, Rating.GOOD, Action.QUIT)  # alpha
    gamma = cards.resolve(col, "mine/gamma").pks
    changes.suspend(col, gamma, 0, "mine/gamma")  # cvquiz suspend, in another terminal
    ui, _ = play(s, Action.UNDO, Action.QUIT)
    (refused,) = ui.of("status")
    assert refused.kind == "cannot-undo"
    assert refused.message == (
        "a later change (suspend) was made since; undo that first with cvquiz undo"
    )
    assert reviews(col) == [("alpha", 3, None, None)] and len(s.rated) == 1
    cards.undo_last(col)  # the suspend
    ui, _ = play(s, Action.UNDO, Action.QUIT)
    assert [st.message for st in ui.of("status")] == ["Undid rating Good on mine/alpha"]
    assert reviews(col) == [] and undo.count(col) == 0


def test_a_drill_undo_of_a_rating_undone_elsewhere_says_so_and_carries_on(
    col: Collection,
) -> None:
    s = session(col)
    play(s, Action.REVEAL, Rating.GOOD, Action.REVEAL, Rating.GOOD, Action.QUIT)  # alpha, beta
    (beta,) = [r for r in s.rated if r.view.card_id == "beta"]
    cards.undo_last(col)  # cvquiz undo, in another terminal: beta's rating is gone
    ui, _ = play(s, Action.UNDO, Action.REVEAL, Rating.GOOD, Action.QUIT)
    (refused, *_) = ui.of("status")
    assert refused.kind == "cannot-undo"
    assert refused.message == f"review #{beta.review_id} is no longer in the review log"
    # the drill goes on: beta, whose rating was undone, is rated again
    assert [r[0] for r in reviews(col)] == ["alpha", "beta"]


def test_the_cannot_undo_notice_speaks_the_drills_language(col: Collection) -> None:
    from cvquiz import i18n

    s = session(col)
    play(s, Action.REVEAL, Rating.GOOD, Action.QUIT)
    (alpha,) = s.rated
    cards.undo_last(col)
    i18n.set_language("zh")
    ui, _ = play(s, Action.UNDO, Action.QUIT)
    (refused,) = ui.of("status")
    assert refused.kind == "cannot-undo"
    assert refused.message == f"复习记录 #{alpha.review_id} 已不在复习日志里"


def test_a_leech_is_reported_and_undoable(col: Collection) -> None:
    settings = Settings(leech_threshold=1, leech_action="suspend", fuzz=False)
    clock = Clock()
    s = session(col, settings=settings, clock=clock)
    play(s, Action.REVEAL, Rating.EASY, Action.QUIT)  # alpha to review
    clock.now += timedelta(days=30)
    ui, _ = play(s, Action.REVEAL, Rating.AGAIN, Action.UNDO, Action.QUIT)
    leech, undo = ui.of("status")
    assert leech.kind == "leech" and leech.message == (
        "mine/alpha is a leech (1 lapses): suspended · u: undo"
    )
    assert undo.message == "Undid rating Again on mine/alpha"
    assert row(col, "alpha")["suspended"] == 0 and row(col, "alpha")["leech"] == 0


def test_the_summary_says_when_to_come_back(col: Collection) -> None:
    _, summary = play(
        session(col), Action.REVEAL, Rating.GOOD, Action.REVEAL, Rating.AGAIN, Action.QUIT
    )
    # alpha (Good: 10 min) and beta (Again: 1 min) are learning cards due later today
    assert summary.due_later_today == 2
    assert summary.next_learning_minutes == 1
    assert summary.due_tomorrow == 0
    assert summary.streak == 1
    # quit early: gamma is still new today, and both learning cards fall within the learn-ahead window
    assert summary.left_today == 3
    _, finished = play(session(col), *[Action.REVEAL, Rating.EASY] * 6)  # Easy until none is left
    assert (finished.reviews, finished.left_today) == (3, 0)


def test_a_new_kind_of_card_plugs_in_its_own_front(col: Collection) -> None:
    seen: list[str] = []

    def shouting_front(ctx: FrontContext) -> Reveal | Action:
        seen.append(ctx.view.card_id)
        return recall_front(ctx)

    try:
        register_front(CardType.BASIC, shouting_front)
        play(session(col), Action.REVEAL, Rating.GOOD, Action.QUIT)
    finally:
        register_front(CardType.BASIC, recall_front)
    assert seen == ["alpha", "beta"]
    view = session(col).next()
    assert view is not None and front_for(view) is recall_front


def test_every_button_tells_the_interval_the_card_gets(tmp_path: Path) -> None:
    """Over some hundreds of reviews with fuzz on, each button's preview is the due date after rating."""
    decks = tmp_path / "decks"
    decks.mkdir()
    cards = "".join(f"  - {{id: c{i}, question: q{i}, answer: a{i}}}\n" for i in range(40))
    (decks / "many.yaml").write_text(f"deck: many\nname: Many\ncards:\n{cards}", encoding="utf-8")
    clock = Clock()
    rng = random.Random(12)
    checked = review_cards = 0
    with Collection.open(tmp_path / "c.sqlite") as col:
        col.sync_decks(tmp_path / "none", decks, NOW)
        s = session(col, "many", clock=clock, settings=Settings(fuzz=True, new_per_day=40))
        for _ in range(400):
            view = s.next()
            if view is None:
                clock.now += timedelta(days=rng.choice([1, 2, 5, 13, 40]))
                continue
            buttons = {b.rating: b for b in s.buttons(view)}
            if view.state == 2:
                review_cards += 1
                days = [buttons[r].days for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]
                assert days[0] < days[1] < days[2]  # never three identical intervals
            rating = rng.choice([Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY])
            now = clock.now
            outcome = s.rate(view, rating, duration_ms=1000)
            assert outcome.after.due is not None
            assert outcome.after.due - now == timedelta(days=buttons[rating].days)
            checked += 1
            clock.now += timedelta(minutes=rng.choice([1, 5, 11, 30]))
    assert checked >= 300 and review_cards >= 50


def test_day_one_mixes_decks_and_compute_cards(tmp_path: Path) -> None:
    """With the bundled decks and the default settings, the first 20 new cards span many decks."""
    from cvquiz.paths import bundled_decks_dir

    with Collection.open(tmp_path / "c.sqlite") as col:
        col.sync_decks(bundled_decks_dir(), tmp_path / "none", NOW)
        s = Session(col=col, settings=Settings(), now=Clock(), rng=random.Random(1))
        shown = []
        for _ in range(20):
            view = s.next()
            assert view is not None and view.state == 0
            shown.append(view)
            s.rate(view, Rating.GOOD, duration_ms=1000)
        after = s.next()
        assert after is None or after.state != 0  # the daily limit of 20 new cards
    assert len({v.deck_id for v in shown}) >= 8
    assert any(v.type is CardType.COMPUTE for v in shown)


def test_cram_reviews_are_logged_and_leave_the_schedule_and_the_statistics_alone(
    col: Collection,
) -> None:
    from datetime import date

    from cvquiz.collection.activity import review_retention
    from cvquiz.collection.queue import QueueFilter as Q
    from cvquiz.collection.queue import studied_today
    from cvquiz.collection.stats_queries import day_summary, training_reviews

    clock = Clock()
    play(session(col, clock=clock), Action.REVEAL, Rating.EASY, Action.QUIT)  # alpha to review
    before = {c: row(col, c) for c in ("alpha", "beta", "gamma")}
    logged = (training_reviews(col), day_summary(col, date(2026, 3, 1)))
    cram = Session(col=col, settings=Settings(), now=clock, flt=Q(decks=("mine",), cram=True))
    ui, summary = play(
        cram,
        Action.REVEAL, Rating.AGAIN,  # alpha
        Action.REVEAL, "enter",  # beta
        Action.UNDO,  # on gamma's front: a cram rating is undone like any other; beta comes back
        Action.REVEAL, Rating.GOOD,  # beta
        Action.REVEAL, Rating.HARD,  # gamma
        Action.QUIT,
    )  # fmt: skip
    # every card of the selection, due or not, once each, in deck order; no button promises an interval
    assert [v.card_id for v in ui.of("front")] == ["alpha", "beta", "gamma", "beta", "gamma"]
    assert all(b.interval == "–" for _v, _r, buttons in ui.of("back") for b in buttons)
    assert all(r.cram and r.due is None for r in ui.of("rated"))
    assert {c: row(col, c) for c in before} == before  # the schedule is as it was
    assert col.conn.execute("SELECT COUNT(*) FROM reviews WHERE cram = 1").fetchone() == (3,)
    assert (training_reviews(col), day_summary(col, date(2026, 3, 1))) == logged
    assert review_retention(col, date(2026, 3, 1), date(2026, 3, 3)) == (0, 0)
    assert studied_today(col, clock(), 4) == {"mine": (1, 0)}  # cram reviews use no daily limit
    assert summary.reviews == 3
    # what is left for today is today's queue of the selection, not every card cram could show
    from cvquiz.collection.queue import queue_counts

    assert summary.left_today == queue_counts(col, clock(), Settings(), Q(decks=("mine",))).total
    assert summary.left_today == 2  # beta and gamma: new, within the daily limit (alpha is not due)
    # status counts them as study, and says how many were cram (the reviews stats leave out)
    from cvquiz.status import today_status

    status = today_status(col, clock(), Settings())
    assert (status.studied_reviews, status.cram_today) == (4, 3)


def test_a_summary_of_no_review_has_no_again_rate() -> None:
    from cvquiz.cli.drill_text import summary_rows

    empty = Summary(
        reviews=0,
        cards=0,
        again=0,
        compute_answered=0,
        compute_correct=0,
        seconds=3.0,
        streak=0,
        due_later_today=0,
        next_learning_minutes=None,
        due_tomorrow=0,
    )
    rows = dict(summary_rows(empty))
    assert rows["Again rate"] == "–"


def test_a_session_resolves_its_decks_once_and_draws_the_same_queue(col: Collection) -> None:
    from cvquiz.collection import queue

    for decks in (("mine",), ("Mine",), ("calc", "mine"), ("nothing-like-it",)):
        asked = QueueFilter(decks=decks)
        resolved = queue.resolve_decks(col, asked)
        assert resolved.deck_ids is not None and set(resolved.deck_ids) <= {"mine", "calc"}
        for flt in (asked, replace(asked, tags=("x",)), replace(asked, states=("new",))):
            exact = replace(flt, deck_ids=resolved.deck_ids)
            assert queue.queue_counts(col, NOW, Settings(), exact) == queue.queue_counts(
                col, NOW, Settings(), flt
            )
    assert session(col).flt.deck_ids == ("mine",)


def test_nothing_to_undo_on_the_back_keeps_the_back(col: Collection) -> None:
    ui, _ = play(session(col), Action.REVEAL, Action.UNDO, Rating.GOOD, Action.QUIT)
    assert [(s.kind, s.message) for s in ui.of("status")] == [
        ("nothing-to-undo", "Nothing to undo")
    ]
    # the answer stayed shown (alpha's front was not shown again) and the rating was given on that back
    assert [v.card_id for v in ui.of("front")] == ["alpha", "beta"]
    assert reviews(col)[0][:2] == ("alpha", 3)


def test_a_rating_waits_for_another_cvquiz_writing_and_is_asked_again_when_it_takes_too_long(
    col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvquiz.collection import store

    monkeypatch.setattr(store, "FIRST_WAIT_MS", 10)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)  # the whole wait, made short for the test
    other = sqlite3.connect(tmp_path / "c.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another cvquiz writing: an import, say

    class WriterFinishes(ScriptedUI):
        def show_status(self, status: Status) -> None:
            super().show_status(status)
            if status.kind == "not-saved":
                other.execute("ROLLBACK")  # it is done by the time the person rates again

    ui = WriterFinishes(deque([Action.REVEAL, Rating.GOOD, Rating.GOOD, Action.QUIT]))
    ticks = iter(range(0, 10_000, 2))
    summary = run_session(session(col), ui, timer=lambda: float(next(ticks)))
    other.close()
    assert [s.kind for s in ui.of("status")] == ["waiting", "not-saved"]
    refused = ui.of("status")[1]
    assert refused.card is not None and refused.card.endswith("/alpha")
    assert refused.message.startswith("Not saved") and refused.message.endswith("rate again")
    assert len(refused.message) <= 78  # the back's one status line, whole at 80 columns
    assert len(ui.of("back")) == 2  # the back again, to rate again: the session went on
    assert reviews(col) == [("alpha", 3, None, None)]
    assert summary.reviews == 1
