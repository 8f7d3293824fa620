"""The card services: adding to user decks, ids, duplicates, import, references, show, search, suspend."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvquiz import cards
from cvquiz.collection import Collection
from cvquiz.config import Settings
from cvquiz.deckfile.loader import CARD_ID_RE, load_deck
from cvquiz.errors import CardNotFoundError, DeckError, DeckProblems, UsageError
from cvquiz.model import Card, CardType, Rating, Text
from cvquiz.review_policy import record_review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

MINE = """\
# my deck
deck: my/notes
name: My::Notes
tags: [mine]

cards:
  - id: iou
    question: What is IoU?
    answer: Intersection over union.
    tags: [detection]

  - id: relu
    type: reversed
    question: ReLU
    answer: $\\max(0, x)$
"""


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(user decks, bundled decks) with one user deck and one bundled deck."""
    user = tmp_path / "decks"
    (user / "my").mkdir(parents=True)
    (user / "my" / "notes.yaml").write_text(MINE, encoding="utf-8")
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "losses.yaml").write_text(
        "deck: losses\nname: Losses\ncards:\n  - id: ce\n    question: 交叉熵是什么？\n    answer: -log p\n",
        encoding="utf-8",
    )
    return user, bundled


def add(dirs: tuple[Path, Path], deck: str, *datas: dict[str, Any]) -> cards.AddResult:
    return cards.add_cards(dirs[0], dirs[1], deck, list(datas))


# --- ids -----------------------------------------------------------------------------------------------


def test_slugify_keeps_the_meaningful_words() -> None:
    assert cards.slugify("What is the gradient of softmax cross-entropy?") == (
        "gradient-softmax-cross-entropy"
    )
    assert cards.slugify("Why is $\\frac{1}{\\sqrt{d}}$ used in attention?") == "used-attention"
    assert cards.slugify("什么是感受野？") == ""
    assert cards.slugify("BatchNorm 在训练时怎么算？") == "batchnorm"
    assert cards.slugify("Two convs see {{c1::5x5}}") == "two-convs-see-5x5"


@given(st.text(min_size=1, max_size=80).filter(lambda s: s.strip() != ""))
def test_card_ids_are_always_valid_and_unique(question: str) -> None:
    card = Card(id="x", question=Text(zh=question, en=question), answer=Text(en="a"))
    first = cards.make_card_id(card, ())
    assert CARD_ID_RE.match(first)
    second = cards.make_card_id(card, {first})
    assert second != first and CARD_ID_RE.match(second)
    assert cards.make_card_id(card, ()) == first  # the same question gets the same id


# --- finding the deck file -----------------------------------------------------------------------------


def test_user_deck_path(dirs: tuple[Path, Path]) -> None:
    user, bundled = dirs
    assert cards.user_deck_path(user, bundled, "my/notes") == user / "my" / "notes.yaml"
    assert cards.user_deck_path(user, bundled, "my/new") == user / "my" / "new.yaml"
    (user / "elsewhere.yaml").write_text("deck: far/away\nname: F\ncards: []\n")
    assert cards.user_deck_path(user, bundled, "far/away") == user / "elsewhere.yaml"
    with pytest.raises(DeckError, match=r"bundled deck.*add to a user deck"):
        cards.user_deck_path(user, bundled, "losses")
    with pytest.raises(DeckError, match="bad deck id"):
        cards.user_deck_path(user, bundled, "My Deck")
    (user / "taken.yaml").write_text("deck: other\nname: O\ncards: []\n")
    with pytest.raises(DeckError, match="holds deck 'other'"):
        cards.user_deck_path(user, bundled, "taken")
    assert [d.id for d in cards.list_user_decks(user)] == ["far/away", "my/notes", "other"]


# --- adding --------------------------------------------------------------------------------------------


def test_add_appends_to_the_users_deck(dirs: tuple[Path, Path]) -> None:
    data = cards.card_data(
        "What does NMS do?", "Drops boxes that overlap a better one.", tags=["detection"]
    )
    result = add(dirs, "my/notes", data)
    path = dirs[0] / "my" / "notes.yaml"
    assert result.path == str(path) and not result.created
    (added,) = result.added
    assert added.ref == f"my/notes/{added.id}" and added.id.startswith("nms-")
    assert added.question == "What does NMS do?"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(MINE)
    deck = load_deck(path)
    assert deck.cards[-1].id == added.id and deck.cards[-1].line == added.line
    assert deck.cards[-1].tags == ("detection", "mine")


@pytest.mark.parametrize("tag", ["detection", "a_b-c", "notes::3", "损失::交叉熵", "x::-y"])
def test_the_tags_a_person_may_add(tag: str) -> None:
    assert cards.check_new_tag(f" {tag} ") == tag


@pytest.mark.parametrize(
    "tag", ["x/y", "a*b", "(x)", "-neg", "c++", "v1.0", "a::", "::a", "a:b", "two words"]
)
def test_the_tags_a_person_may_not_add(tag: str) -> None:
    with pytest.raises(cards.CardInputError, match="letters, digits, '_' and '-' joined by '::'"):
        cards.check_new_tag(tag)


def test_add_creates_a_new_deck(dirs: tuple[Path, Path]) -> None:
    result = add(dirs, "work/cv", cards.card_data("交叉熵的梯度？", "p - y", lang="zh"))
    assert result.created
    deck = load_deck(dirs[0] / "work" / "cv.yaml")
    assert deck.id == "work/cv" and deck.name == "Work::Cv"
    assert deck.cards[0].question == Text(zh="交叉熵的梯度？")
    assert CARD_ID_RE.match(deck.cards[0].id)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: cards.card_data("  ", "a"), cards.CardInputError, "question is empty"),
        (lambda: cards.card_data("q", None), cards.CardInputError, "answer is empty"),
        (
            lambda: cards.card_data("q", "a", card_type="flash"),
            cards.CardInputError,
            "unknown card type",
        ),
        (lambda: cards.card_data("q", "a", lang="fr"), cards.CardInputError, "unknown language"),
        (lambda: cards.card_data("q", "a", generator="x"), cards.CardInputError, "compute cards"),
        (lambda: cards.card_data(None, card_type="compute"), cards.CardInputError, "--generator"),
        (lambda: cards.card_data("q", "a", tags=["ok", "x/y"]), cards.CardInputError, "'x/y'"),
        (
            lambda: cards.card_data("q", "a", tags=["(x)"]),
            cards.CardInputError,
            "bad tag '\\(x\\)'",
        ),
        (lambda: cards.card_data("q", "a", tags=["-neg"]), cards.CardInputError, "no '-' first"),
    ],
)
def test_bad_card_input(make: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "basic", "question": "what is iou?"}, "missing field 'answer'"),
        (
            {"type": "basic", "question": "What is  IoU?", "answer": "x"},
            "already has this question",
        ),
        (
            {"id": "iou", "type": "basic", "question": "Other", "answer": "x"},
            "already has a card 'iou'",
        ),
        ({"type": "cloze", "question": "no deletion"}, "no {{c1::...}} deletion"),
        ({"type": "basic", "question": "q", "answer": "a", "tags": ["two words"]}, "bad tag"),
        ({"type": "basic", "question": "q", "answer": "a", "source": "ftp://x"}, "http"),
        ({"type": "compute", "generator": "conv2d_shape"}, "unknown generator 'conv2d_shape'"),
        (
            {"type": "compute", "generator": "conv2d_output_shape", "params": {"stride": [99]}},
            "not allowed",
        ),
    ],
)
def test_bad_cards_leave_the_deck_file_unchanged(
    dirs: tuple[Path, Path], data: dict[str, Any], message: str
) -> None:
    path = dirs[0] / "my" / "notes.yaml"
    before = path.read_bytes()
    with pytest.raises(DeckError, match=message.replace("{", r"\{").replace("}", r"\}")):
        add(dirs, "my/notes", data)
    assert path.read_bytes() == before


def test_a_deck_file_that_does_not_parse_is_left_alone(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / "my" / "notes.yaml"
    path.write_text(MINE + "  - id: broken\n    question: [\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(DeckProblems):
        add(dirs, "my/notes", cards.card_data("q", "a"))
    assert path.read_bytes() == before


def test_compute_card_is_checked_and_written(dirs: tuple[Path, Path]) -> None:
    name, value = cards.parse_param("stride=1,2")
    data = cards.card_data(
        None, card_type="compute", generator="conv2d_output_shape", params={name: value}
    )
    result = add(dirs, "my/notes", data)
    card = load_deck(dirs[0] / "my" / "notes.yaml").card(result.added[0].id)
    assert card.type is CardType.COMPUTE and card.params == {"stride": [1, 2]}
    assert result.added[0].id.startswith("conv2d-output-shape-")


def test_parse_param() -> None:
    assert cards.parse_param("stride=1,2") == ("stride", [1, 2])
    assert cards.parse_param("batch=1..4") == ("batch", {"min": 1, "max": 4})
    assert cards.parse_param("mode=same") == ("mode", ["same"])
    assert cards.parse_param("kernel=[3, 3],[5, 5]") == ("kernel", [[3, 3], [5, 5]])
    for bad in ("stride", "=1", "Stride=1", "x=[1"):
        with pytest.raises(UsageError):
            cards.parse_param(bad)


def test_dry_run_writes_nothing(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / "my" / "notes.yaml"
    before = path.read_bytes()
    result = cards.add_cards(
        dirs[0], dirs[1], "my/notes", [cards.card_data("q?", "a")], dry_run=True
    )
    assert result.dry_run and len(result.added) == 1
    assert path.read_bytes() == before


# --- the editor template --------------------------------------------------------------------------------


def test_template_round_trip_and_errors() -> None:
    text = cards.card_template("my/notes", {"type": "basic", "tags": ["a"]})
    assert "deck: my/notes\ntype: basic\nquestion:\nanswer:\ntags: [a]\n" in text
    filled = text.replace("question:\n", "question: 什么是 IoU？\n").replace(
        "answer:\n", "answer: |\n  交并比\n  第二行\n"
    )
    card = cards.parse_template(filled)
    assert card == cards.TemplateCard(
        "my/notes",
        {"type": "basic", "question": "什么是 IoU？", "answer": "交并比\n第二行\n", "tags": ["a"]},
    )
    assert cards.parse_template("# only comments\n\n") is None
    with pytest.raises(DeckProblems) as caught:
        cards.parse_template("question: [unclosed\n")
    shown = cards.with_errors("question: [unclosed\n", caught.value.problems)
    # The '[' on line 1 of the body, moved down by the one error line above it.
    assert shown.startswith(cards.ERROR_MARK + "line 2, column 11: this '[' is never closed")
    again = cards.with_errors(shown, ["other"])
    assert again == cards.ERROR_MARK + "other\nquestion: [unclosed\n"


# --- import --------------------------------------------------------------------------------------------

ANKI = (
    "#separator:tab\n#html:true\n#guid column:1\n#tags column:4\n"
    "abc\tWhat is <b>mAP</b>?\tMean of per-class AP\tdetection\n"
    "def\tWhat is IoU?\tduplicate of a card the deck has\t\n"
    "ghi\t什么是 NMS？\t非极大值抑制\tdetection\n"
)


def test_import_is_idempotent(dirs: tuple[Path, Path]) -> None:
    user, bundled = dirs
    first = cards.import_notes(user, bundled, ANKI, "export.txt", "my/notes")
    assert [a.question for a in first.added] == ["What is **mAP**?", "什么是 NMS？"]
    assert first.skipped == 1  # "What is IoU?" is already in the deck
    path = user / "my" / "notes.yaml"
    after_first = path.read_bytes()
    second = cards.import_notes(user, bundled, ANKI, "export.txt", "my/notes")
    assert second.added == () and second.skipped == 3
    assert path.read_bytes() == after_first
    # An edited question keeps the note's id (from its GUID), so it is not imported again either.
    edited = ANKI.replace("什么是 NMS？", "什么是非极大值抑制？")
    assert cards.import_notes(user, bundled, edited, "export.txt", "my/notes").added == ()


def test_import_csv_into_a_new_deck_and_dry_run(dirs: tuple[Path, Path]) -> None:
    user, bundled = dirs
    text = "question,answer,tags\nq1,a1,x\nq2,a2,\n"
    dry = cards.import_notes(user, bundled, text, "n.csv", "my/csv", dry_run=True)
    assert len(dry.added) == 2 and dry.created and not (user / "my" / "csv.yaml").exists()
    done = cards.import_notes(user, bundled, text, "n.csv", "my/csv")
    assert done.format == "csv" and len(done.added) == 2
    assert [c.id for c in load_deck(user / "my" / "csv.yaml").cards] == [a.id for a in done.added]
    assert cards.import_notes(user, bundled, text, "n.csv", "my/csv").added == ()


def test_import_reports_malformed_rows_and_writes_nothing(dirs: tuple[Path, Path]) -> None:
    user, bundled = dirs
    text = 'question,answer\nq1,a1\n,no question\nq3,"bad tag"\n'
    with pytest.raises(DeckProblems) as caught:
        cards.import_notes(user, bundled, text, "n.csv", "my/new")
    assert caught.value.problems[0] == "n.csv:3: the question is empty"
    assert "--skip-bad" in caught.value.problems[-1]
    assert not (user / "my" / "new.yaml").exists()
    result = cards.import_notes(user, bundled, text, "n.csv", "my/new", skip_bad=True)
    assert len(result.added) == 2 and result.problems == ("n.csv:3: the question is empty",)


def test_import_needs_a_deck(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(UsageError, match="--deck"):
        cards.import_notes(dirs[0], dirs[1], "q\ta\n", "x.txt")
    named = cards.import_notes(dirs[0], dirs[1], "#deck:Anki::Imported\nq\ta\n", "x.txt")
    assert named.deck == "anki/imported"


# --- the collection side -------------------------------------------------------------------------------


@pytest.fixture
def col(dirs: tuple[Path, Path], tmp_path: Path) -> Collection:
    collection = Collection.open(tmp_path / "c.sqlite")
    collection.sync_decks(dirs[1], dirs[0], NOW)
    return collection


def test_resolve_references(col: Collection) -> None:
    assert cards.resolve(col, "my/notes/iou").ref == "my/notes/iou"
    assert cards.resolve(col, "my/notes/re").id == "relu"
    relu = cards.resolve(col, "relu")
    assert relu.ords == (0, 1) and len(relu.pks) == 2 and relu.line == 12
    assert cards.resolve(col, "losses/ce").bundled
    with pytest.raises(CardNotFoundError, match="matches 2 cards: my/notes/iou, my/notes/relu"):
        cards.resolve(col, "my/notes/")
    with pytest.raises(CardNotFoundError, match="no card matches 'nothing'"):
        cards.resolve(col, "nothing")
    with pytest.raises(CardNotFoundError) as caught:
        cards.resolve_many(col, ["nothing", "my/notes/", "iou"])
    assert len(str(caught.value).splitlines()) == 2


def test_show_has_schedule_and_history(col: Collection) -> None:
    pk = cards.resolve(col, "iou").pks[0]
    record_review(col, pk, Rating.GOOD, NOW, Settings(fuzz=False), duration_ms=4200)
    details = cards.show(col, "my/notes/iou")
    assert details.content["answer"] == Text("Intersection over union.", "Intersection over union.")
    assert details.tags == ("detection", "mine")
    assert details.path is not None and details.path.endswith("notes.yaml") and details.line == 7
    (sched,) = details.schedule
    assert sched.state == 1 and sched.reps == 1 and sched.last_review == "2026-03-02T09:00:00.000Z"
    (review,) = details.reviews
    assert review.rating == 3 and review.state_before == 0 and review.duration_ms == 4200


CTX = cards.SearchContext(NOW, 4, 0.1542)


def _refs(col: Collection, text: str, **options: str) -> list[str]:
    return [h.ref for h in cards.search(col, text, CTX, **options).hits]


def test_search_matches_every_word_in_any_language(col: Collection) -> None:
    assert _refs(col, "intersection iou") == ["my/notes/iou"]
    assert _refs(col, "交叉熵") == ["losses/ce"]
    assert _refs(col, '"max(0"') == ["my/notes/relu"]  # one hit per entry
    found = cards.search(col, "relu", CTX)
    assert found.review_cards == 2 and found.hits[0].ords == (0, 1)
    assert _refs(col, "iou", deck="losses") == []
    assert _refs(col, "", deck="my") == ["my/notes/iou", "my/notes/relu"]
    assert _refs(col, "", tag="detection") == ["my/notes/iou"]
    assert _refs(col, "nothing like this") == []


def test_suspend_unsuspend_forget(col: Collection) -> None:
    chosen = cards.select(col, ["relu", "iou"], CTX)
    assert not chosen.by_query
    result = cards.change(col, "suspend", chosen, NOW, 4)
    assert result.cards == ("my/notes/relu", "my/notes/iou") and result.review_cards == 3
    assert all(s.suspended for s in cards.show(col, "relu").schedule)
    cards.change(col, "unsuspend", cards.select(col, ["relu"], CTX), NOW, 4)
    assert not any(s.suspended for s in cards.show(col, "relu").schedule)
    pk = cards.resolve(col, "iou").pks[0]
    record_review(col, pk, Rating.GOOD, NOW, Settings(fuzz=False))
    cards.change(col, "forget", cards.select(col, ["iou"], CTX), NOW, 4)
    details = cards.show(col, "iou")
    assert details.schedule[0].state == 0 and details.schedule[0].reps == 0
    assert len(details.reviews) == 1  # the history stays
    with pytest.raises(UsageError):
        cards.change(col, "delete", chosen, NOW, 4)


def test_edit_target(col: Collection) -> None:
    target = cards.edit_target(col, "relu")
    assert target.path.endswith("notes.yaml") and target.line == 12
    with pytest.raises(DeckError, match="bundled deck"):
        cards.edit_target(col, "losses/ce")
