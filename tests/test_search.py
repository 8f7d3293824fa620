"""Search in a real collection: what each term matches, negation, ``or`` and grouping, and the text index.

The cards' scheduling states are set with plain SQL (the scheduler is tested elsewhere); ratings go through
`record_review` so ``rated:`` and ``introduced:`` read a real review log. Retrievability is checked against
py-fsrs itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from cvquiz import cards
from cvquiz.collection import Collection
from cvquiz.collection.filters import UnknownFilterError
from cvquiz.collection.search import retrievability
from cvquiz.config import DEFAULT_PARAMETERS, Settings
from cvquiz.errors import CardNotFoundError
from cvquiz.model import Rating
from cvquiz.query import MAX_DEPTH, MAX_TERMS, QuerySyntaxError
from cvquiz.review_policy import record_review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # study day 2026-03-02 (rollover 04:00 UTC)
DAY = 86_400_000
NOW_MS = int(NOW.timestamp() * 1000)
CTX = cards.SearchContext(NOW, 4, DEFAULT_PARAMETERS[20])

LOSSES = """\
deck: losses
name: CV Interview::Losses
tags: [losses]
cards:
  - id: ce
    question: {zh: 交叉熵是什么？, en: What is cross-entropy?}
    answer: $-\\log p_y$
  - id: focal
    question: Focal loss down-weights easy examples.
    answer: (1 - p)^gamma
    tags: [losses::focal]
  - id: hinge
    question: Hinge loss
    answer: max(0, 1 - y f(x))
"""

MINE = """\
deck: my/notes
name: My::Notes
cards:
  - id: iou
    question: What is IoU?
    answer: Intersection over union.
    tags: [detection]
  - id: relu
    type: reversed
    question: ReLU
    answer: $\\max(0, x)$
  - id: nms
    question: 什么是 NMS？
    answer: 非极大值抑制
    explanation: Non-maximum suppression keeps the best box.
    tags: [detection::nms]
  - id: shape
    type: compute
    generator: conv2d_output_shape
"""


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    user, bundled = tmp_path / "decks", tmp_path / "bundled"
    (user / "my").mkdir(parents=True)
    bundled.mkdir()
    (user / "my" / "notes.yaml").write_text(MINE, encoding="utf-8")
    (bundled / "losses.yaml").write_text(LOSSES, encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(bundled, user, NOW)
        yield opened


def refs(col: Collection, text: str) -> list[str]:
    return [h.ref for h in cards.search(col, text, CTX).hits]


def set_schedule(col: Collection, ref: str, **values: object) -> None:
    deck, card = ref.rsplit("/", 1)
    sets = ", ".join(f"{k} = :{k}" for k in values)
    col.conn.execute(
        f"""UPDATE schedule SET {sets} WHERE card_pk IN
            (SELECT pk FROM cards WHERE deck_id = :deck AND card_id = :card)""",
        {**values, "deck": deck, "card": card},
    )


def review_state(col: Collection, ref: str, interval: int, due_in: int, **more: object) -> None:
    """Make a card a review card last studied ``interval - due_in`` days ago, due in ``due_in`` days."""
    last = NOW_MS - (interval - due_in) * DAY
    due = last + interval * DAY
    due_day = (NOW + timedelta(days=due_in)).date().isoformat()
    values = {"state": 2, "stability": float(interval), "difficulty": 5.0, "last_review": last}
    set_schedule(col, ref, **{**values, "due": due, "due_day": due_day, "reps": 3, **more})


ALL = [
    "my/notes/iou",
    "my/notes/relu",
    "my/notes/nms",
    "my/notes/shape",
    "losses/ce",
    "losses/focal",
    "losses/hinge",
]


def test_everything_in_deck_and_file_order(col: Collection) -> None:
    assert refs(col, "") == ALL  # the user's decks come first, as new cards do


# --- text ------------------------------------------------------------------------------------------------


def test_words_match_question_answer_and_explanation_in_any_case(col: Collection) -> None:
    assert refs(col, "intersection") == ["my/notes/iou"]  # the answer
    assert refs(col, "SUPPRESSION") == ["my/notes/nms"]  # the explanation, any case
    assert refs(col, "union iou") == ["my/notes/iou"]  # every word
    assert refs(col, "conv2d_output") == ["my/notes/shape"]  # a compute card's generator
    assert refs(col, "intersection hinge") == []


def test_chinese_text_of_any_length(col: Collection) -> None:
    assert refs(col, "交叉熵") == ["losses/ce"]  # three characters: the trigram index
    assert refs(col, "抑制") == ["my/notes/nms"]  # two characters: a scan
    assert refs(col, "熵") == ["losses/ce"]  # one character
    assert refs(col, "cross-entropy") == ["losses/ce"]  # both languages are indexed


def test_short_latin_text(col: Collection) -> None:
    assert refs(col, "IO") == ["my/notes/iou", "my/notes/nms"]  # IoU, suppression
    assert refs(col, "IoU") == ["my/notes/iou"]


def test_phrases_and_wildcards(col: Collection) -> None:
    assert refs(col, '"best box"') == ["my/notes/nms"]
    assert refs(col, '"box best"') == []
    assert refs(col, "down*easy") == ["losses/focal"]
    assert refs(col, "d*y") == ["losses/focal"]  # a wildcard between short pieces still matches
    assert refs(col, '"max(0"') == ["my/notes/relu", "losses/hinge"]


def test_the_index_follows_changes_to_the_cards(col: Collection, tmp_path: Path) -> None:
    path = tmp_path / "decks" / "my" / "notes.yaml"
    path.write_text(MINE.replace("Intersection over union.", "Overlap ratio."), encoding="utf-8")
    col.sync_decks(tmp_path / "bundled", tmp_path / "decks", NOW + timedelta(seconds=1))
    assert refs(col, "intersection") == []
    assert refs(col, "overlap") == ["my/notes/iou"]


# --- deck, tag, card -------------------------------------------------------------------------------------


def test_deck_by_id_name_and_wildcard(col: Collection) -> None:
    assert refs(col, "deck:losses") == ["losses/ce", "losses/focal", "losses/hinge"]
    assert refs(col, 'deck:"CV Interview"') == ["losses/ce", "losses/focal", "losses/hinge"]
    assert refs(col, "deck:my") == ALL[:4]  # the deck and those under it
    assert refs(col, "deck:*notes") == ALL[:4]
    assert refs(col, "deck:*::losses") == ["losses/ce", "losses/focal", "losses/hinge"]
    with pytest.raises(UnknownFilterError, match="no deck 'lossse' \\(did you mean 'losses'\\?\\)"):
        refs(col, "deck:lossse")


def test_tag_with_children_wildcards_and_none(col: Collection) -> None:
    assert refs(col, "tag:detection") == ["my/notes/iou", "my/notes/nms"]  # and detection::nms
    assert refs(col, "tag:detection::nms") == ["my/notes/nms"]
    assert refs(col, "tag:DETECTION::NMS") == ["my/notes/nms"]
    assert refs(col, "tag:*::focal") == ["losses/focal"]
    assert refs(col, "tag:none") == ["my/notes/relu", "my/notes/shape"]
    with pytest.raises(UnknownFilterError, match="no card has the tag 'detecton'"):
        refs(col, "tag:detecton")


def test_card_ids(col: Collection) -> None:
    assert refs(col, "card:losses/ce") == ["losses/ce"]
    assert refs(col, "card:relu") == ["my/notes/relu"]
    assert refs(col, "card:*e") == ["my/notes/shape", "losses/ce", "losses/hinge"]
    assert refs(col, "card:my/notes/*") == ALL[:4]


# --- states --------------------------------------------------------------------------------------------


@pytest.fixture
def studied(col: Collection) -> Collection:
    review_state(col, "losses/ce", interval=12, due_in=-1)  # overdue
    review_state(col, "losses/focal", interval=4, due_in=3, lapses=3, leech=1)
    review_state(
        col, "my/notes/iou", interval=30, due_in=0, suspended=1
    )  # due today, but suspended
    set_schedule(col, "losses/hinge", state=1, step=0, stability=0.5, difficulty=6.0, reps=1,
                 last_review=NOW_MS - 600_000, due=NOW_MS + 600_000, due_day="2026-03-02")  # fmt: skip
    set_schedule(col, "my/notes/nms", buried_until="2026-03-03")
    return col


def test_is_new_learn_review(studied: Collection) -> None:
    assert refs(studied, "is:new") == ["my/notes/relu", "my/notes/nms", "my/notes/shape"]
    assert refs(studied, "is:learn") == ["losses/hinge"]
    assert refs(studied, "is:review") == ["my/notes/iou", "losses/ce", "losses/focal"]
    set_schedule(studied, "losses/hinge", state=3)  # relearning is both, as in Anki
    assert "losses/hinge" in refs(studied, "is:learn") and "losses/hinge" in refs(
        studied, "is:review"
    )


def test_is_due_leaves_out_suspended_buried_and_future(studied: Collection) -> None:
    assert refs(studied, "is:due") == ["losses/ce", "losses/hinge"]


def test_is_suspended_buried_leech(studied: Collection) -> None:
    assert refs(studied, "is:suspended") == ["my/notes/iou"]
    assert refs(studied, "is:buried") == ["my/notes/nms"]
    assert refs(studied, "is:leech") == ["losses/focal"]


# --- properties ------------------------------------------------------------------------------------------


def test_prop_ivl(studied: Collection) -> None:
    assert refs(studied, "prop:ivl>=10") == ["my/notes/iou", "losses/ce"]
    assert refs(studied, "prop:ivl=4") == ["losses/focal"]


def test_prop_due(studied: Collection) -> None:
    assert refs(studied, "prop:due<=0") == ["my/notes/iou", "losses/ce", "losses/hinge"]
    assert refs(studied, "prop:due=-1") == ["losses/ce"]
    assert refs(studied, "prop:due>1") == ["losses/focal"]


def test_prop_lapses_and_reps(studied: Collection) -> None:
    assert refs(studied, "prop:lapses>2") == ["losses/focal"]
    assert refs(studied, "prop:reps=0") == ["my/notes/relu", "my/notes/nms", "my/notes/shape"]
    assert refs(studied, "prop:reps>=3") == ["my/notes/iou", "losses/ce", "losses/focal"]


def test_prop_stability_and_difficulty(studied: Collection) -> None:
    assert refs(studied, "prop:s>10") == ["my/notes/iou", "losses/ce"]
    assert refs(studied, "prop:s<1") == ["losses/hinge"]
    assert refs(studied, "prop:d>5.5") == ["losses/hinge"]


def test_prop_r_is_pyfsrs_retrievability_now(studied: Collection) -> None:
    scheduler = fsrs.Scheduler(parameters=DEFAULT_PARAMETERS)
    expected = {}
    for ref, stability, days in (
        ("losses/ce", 12.0, 13),
        ("losses/focal", 4.0, 1),
        ("my/notes/iou", 30.0, 30),
    ):
        card = fsrs.Card(state=fsrs.State.Review, stability=stability, difficulty=5.0,
                         last_review=NOW - timedelta(days=days))  # fmt: skip
        expected[ref] = scheduler.get_card_retrievability(card, NOW)
        assert retrievability(
            stability, CTX.now_ms - days * DAY, CTX.now_ms, DEFAULT_PARAMETERS[20]
        ) == (pytest.approx(expected[ref], abs=1e-12))
    below = sorted(r for r, value in expected.items() if value < 0.9)
    assert (
        sorted(refs(studied, "prop:r<0.9")) == below and below
    )  # at least one card below, one above
    assert len(below) < len(expected)
    assert "losses/hinge" in refs(studied, "prop:r>0.5")  # learning cards have a memory too


# --- the review log ----------------------------------------------------------------------------------------


def test_rated_and_introduced(col: Collection) -> None:
    settings = Settings(fuzz=False)
    pk = {
        ref: cards.resolve(col, ref).pks[0] for ref in ("losses/ce", "losses/focal", "my/notes/iou")
    }
    record_review(col, pk["losses/ce"], Rating.GOOD, NOW - timedelta(days=5), settings)
    record_review(col, pk["losses/ce"], Rating.AGAIN, NOW, settings)
    record_review(col, pk["losses/focal"], Rating.EASY, NOW - timedelta(days=1), settings)
    record_review(col, pk["my/notes/iou"], Rating.HARD, NOW - timedelta(hours=1), settings)
    assert refs(col, "rated:1") == ["my/notes/iou", "losses/ce"]  # today
    assert refs(col, "rated:2") == ["my/notes/iou", "losses/ce", "losses/focal"]
    assert refs(col, "rated:7:1") == ["losses/ce"]
    assert refs(col, "rated:7:4") == ["losses/focal"]
    assert refs(col, "introduced:2") == [
        "my/notes/iou",
        "losses/focal",
    ]  # ce was first studied 5 days ago
    assert refs(col, "introduced:6") == ["my/notes/iou", "losses/ce", "losses/focal"]


# --- combining ---------------------------------------------------------------------------------------------


def test_negation(studied: Collection) -> None:
    assert refs(studied, "-deck:losses") == ALL[:4]
    assert refs(studied, "deck:losses -is:review") == ["losses/hinge"]
    assert refs(studied, "-prop:s>1") == [
        "my/notes/relu",
        "my/notes/nms",
        "my/notes/shape",
        "losses/hinge",
    ]


def test_or(studied: Collection) -> None:
    assert refs(studied, "is:leech or is:suspended") == ["my/notes/iou", "losses/focal"]
    assert refs(studied, "交叉熵 or iou") == ["my/notes/iou", "losses/ce"]


def test_grouping(studied: Collection) -> None:
    assert refs(studied, "deck:losses (is:leech or is:learn)") == ["losses/focal", "losses/hinge"]
    assert refs(studied, "deck:losses is:leech or is:learn") == ["losses/focal", "losses/hinge"]
    assert refs(studied, "deck:my (is:leech or is:learn)") == []
    assert refs(studied, "deck:my is:leech or is:learn") == ["losses/hinge"]  # 'or' binds loosest
    assert refs(studied, "-(deck:losses or tag:detection)") == ["my/notes/relu", "my/notes/shape"]


def test_a_reversed_card_is_one_hit_with_the_sides_that_matched(col: Collection) -> None:
    set_schedule(col, "my/notes/relu", suspended=1)
    col.conn.execute(
        "UPDATE schedule SET suspended = 0 WHERE card_pk = (SELECT pk FROM cards WHERE card_id = 'relu' AND ord = 1)"
    )
    (hit,) = cards.search(col, "relu is:suspended", CTX).hits
    assert hit.ords == (0,) and len(hit.pks) == 1
    (hit,) = cards.search(col, "relu", CTX).hits
    assert hit.ords == (0, 1)


def test_errors_reach_the_caller(col: Collection) -> None:
    with pytest.raises(QuerySyntaxError, match="column 8: unknown property 'foo'"):
        refs(col, "a prop:foo>1")


def test_the_plain_table_fallback_finds_the_same(col: Collection) -> None:
    """Where SQLite has no trigram tokenizer, card_text is a plain table: searches scan it."""
    conn = col.conn
    rows = conn.execute("SELECT rowid, text FROM card_text").fetchall()
    conn.execute("DROP TABLE card_text")
    conn.execute("CREATE TABLE card_text (rowid INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    conn.executemany("INSERT INTO card_text (rowid, text) VALUES (?, ?)", rows)
    assert refs(col, "交叉熵") == ["losses/ce"]
    assert refs(col, "intersection") == ["my/notes/iou"]
    assert refs(col, "down*easy") == ["losses/focal"]


# --- limits: every query that parses is one SQLite can run -------------------------------------------------

LEAVES = [
    "a",
    "softmax*x",
    "is:due",
    "-is:due",
    "introduced:3",
    "rated:3:1",
    "prop:r<0.5",
    "prop:due<3",
    "tag:detection",
    "deck:losses",
    "card:x*",
]


@pytest.mark.parametrize("leaf", LEAVES)
def test_the_longest_and_deepest_queries_run(col: Collection, leaf: str) -> None:
    """At `MAX_TERMS` terms and `MAX_DEPTH` levels, in the shapes that nest SQL deepest, SQLite runs the query.

    ``(a or a (...))`` puts a parenthesis in the SQL at every level (an OR inside an AND) and ``-(a or a
    (...))`` a NOT as well; the rest of the terms are one long OR chain at the bottom, the tallest expression.
    """
    depth = MAX_DEPTH - (leaf[0] == "-")  # a negated leaf is a level itself
    longest = " or ".join([leaf] * MAX_TERMS)
    nested = "(a or a " * depth + " or ".join([leaf] * (MAX_TERMS - 2 * depth))
    half = depth // 2
    negated = "-(a or a " * half + " or ".join([leaf] * (MAX_TERMS - 2 * half))
    for text in (longest, nested + ")" * depth, negated + ")" * half):
        cards.search(col, text, CTX, deck="my", tag="detection")
        cards.search(col, text, CTX)
        with contextlib.suppress(CardNotFoundError):  # (when the query matches nothing)
            cards.select(col, [text], CTX)  # the bulk actions' query


def test_a_tag_pattern_naming_hundreds_of_tags(tmp_path: Path) -> None:
    """``tag:t*`` over an import's 700 tags is one condition, not a chain of ORs too tall for SQLite."""
    user, bundled = tmp_path / "decks", tmp_path / "bundled"
    user.mkdir()
    bundled.mkdir()
    many = "".join(
        f"  - id: c{i}\n    question: q{i}\n    answer: a{i}\n    tags: [t{i}]\n"
        for i in range(700)
    )
    (user / "many.yaml").write_text(f"deck: many\nname: Many\ncards:\n{many}", encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(bundled, user, NOW)
        assert len(cards.search(opened, "tag:t*", CTX).hits) == 700
        assert len(cards.search(opened, "tag:t1* -tag:t1", CTX).hits) == 110
        assert len(cards.search(opened, "", CTX, tag="t6*").hits) == 111  # t6, t60-t69, t600-t699
