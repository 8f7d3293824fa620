"""Bulk actions and their undo: each is one change in the undo log, and ``undo`` restores the collection exactly.

Also: tags written back to the user's deck files (and back again on undo), bundled cards' tags kept in the
collection over a new version of the deck, ratings as changes, and a session's undo agreeing with the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cvquiz import cards
from cvquiz.collection import Collection, undo
from cvquiz.collection.scheduling import undo_review
from cvquiz.config import DEFAULT_PARAMETERS, Settings
from cvquiz.errors import CardInputError
from cvquiz.model import Rating, Text
from cvquiz.review_policy import record_review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CTX = cards.SearchContext(NOW, 4, DEFAULT_PARAMETERS[20])

LOSSES = """\
deck: losses
name: Losses
tags: [losses]
cards:
  - id: ce
    question: Cross-entropy?
    answer: -log p
  - id: focal
    question: Focal loss?
    answer: down-weights easy examples
    tags: [focal]
"""

MINE = """\
# my own cards
deck: my/notes
name: My::Notes
tags: [mine]

cards:
  - id: iou
    question: What is IoU?   # keep this comment
    answer: Intersection over union.
    tags: [detection]

  - id: relu
    type: reversed
    question: ReLU
    answer: $\\max(0, x)$
"""


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    user, bundled = tmp_path / "decks", tmp_path / "bundled"
    (user / "my").mkdir(parents=True)
    bundled.mkdir()
    (user / "my" / "notes.yaml").write_text(MINE, encoding="utf-8")
    (bundled / "losses.yaml").write_text(LOSSES, encoding="utf-8")
    return user, bundled


@pytest.fixture
def col(tmp_path: Path, dirs: tuple[Path, Path]) -> Iterator[Collection]:
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(dirs[1], dirs[0], NOW)
        yield opened


def schedule(col: Collection) -> list[tuple[Any, ...]]:
    return col.conn.execute("SELECT * FROM schedule ORDER BY card_pk").fetchall()


def tags(col: Collection) -> dict[str, str]:
    return dict(col.conn.execute("SELECT deck_id || '/' || card_id || '/' || ord, tags FROM cards"))


def study_everything(col: Collection) -> None:
    settings = Settings(fuzz=False)
    for (pk,) in col.conn.execute("SELECT pk FROM cards ORDER BY pk").fetchall():
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=3), settings)
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=2), settings)


@pytest.mark.parametrize("action", ["suspend", "bury", "forget"])
def test_a_bulk_action_on_a_query_and_its_undo(col: Collection, action: str) -> None:
    study_everything(col)
    before = schedule(col)
    chosen = cards.select(col, ["deck:losses"], CTX)
    assert chosen.by_query and chosen.refs == ("losses/ce", "losses/focal")
    result = cards.change(col, action, chosen, NOW, 4)
    assert result.review_cards == 2 and result.change_id is not None
    assert schedule(col) != before
    done = cards.undo_last(col)
    assert done.op == action and done.cards == 2 and done.label == "deck:losses"
    assert schedule(col) == before  # every column, exactly


def test_unsuspend_undo_suspends_again(col: Collection) -> None:
    cards.change(col, "suspend", cards.select(col, ["relu"], CTX), NOW, 4)
    suspended = schedule(col)
    cards.change(col, "unsuspend", cards.select(col, ["is:suspended"], CTX), NOW, 4)
    cards.undo_last(col)
    assert schedule(col) == suspended


def test_only_the_cards_a_change_changed_are_restored(col: Collection) -> None:
    cards.change(col, "suspend", cards.select(col, ["iou"], CTX), NOW, 4)
    result = cards.change(col, "suspend", cards.select(col, ["deck:my"], CTX), NOW, 4)
    assert result.review_cards == 2  # relu's two sides; iou was suspended already
    cards.undo_last(col)
    assert cards.search(col, "is:suspended", CTX).hits[0].ref == "my/notes/iou"


def test_nothing_changed_is_not_logged(col: Collection) -> None:
    result = cards.change(col, "unsuspend", cards.select(col, ["deck:losses"], CTX), NOW, 4)
    assert result.review_cards == 0 and result.change_id is None
    with pytest.raises(undo.NothingToUndoError, match="nothing to undo"):
        cards.undo_last(col)


def test_undo_goes_back_one_change_at_a_time(col: Collection) -> None:
    states = [schedule(col)]
    for query in (["deck:losses"], ["iou"], ["relu"]):
        cards.change(col, "suspend", cards.select(col, query, CTX), NOW, 4)
        states.append(schedule(col))
    for expected in reversed(states[:-1]):
        cards.undo_last(col)
        assert schedule(col) == expected
    with pytest.raises(undo.NothingToUndoError):
        cards.undo_last(col)


def test_a_rating_is_a_change_and_undo_takes_it_back(col: Collection) -> None:
    before = schedule(col)
    pk = cards.resolve(col, "losses/ce").pks[0]
    outcome = record_review(col, pk, Rating.EASY, NOW, Settings(fuzz=False))
    assert outcome.change_id is not None
    done = cards.undo_last(col)
    assert (done.op, done.label, done.rating) == ("review", "losses/ce", 4)
    assert schedule(col) == before
    assert col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)


def test_the_last_change_is_the_newest_whatever_made_it(col: Collection) -> None:
    pk = cards.resolve(col, "losses/ce").pks[0]
    outcome = record_review(col, pk, Rating.GOOD, NOW, Settings(fuzz=False))
    cards.change(col, "suspend", cards.select(col, ["iou"], CTX), NOW, 4)
    # a study session's own undo refuses while a later change stands, and says what to do
    with pytest.raises(undo.UndoError, match=r"a later change \(suspend\).*cvquiz undo"):
        undo.undo_change(col, outcome.change_id)
    assert cards.undo_last(col).op == "suspend"
    undo.undo_change(col, outcome.change_id)  # now it is the last change
    assert undo.last_change(col) is None


def test_the_refusal_names_the_later_change_in_the_users_language(col: Collection) -> None:
    from cvquiz import i18n

    pk = cards.resolve(col, "losses/ce").pks[0]
    outcome = record_review(col, pk, Rating.GOOD, NOW, Settings(fuzz=False))
    cards.tag_cards(col, "add", "later", cards.select(col, ["losses/focal"], CTX), NOW)
    i18n.set_language("zh")
    with pytest.raises(undo.UndoError, match="之后又有一次更改（添加标签）"):
        undo.undo_change(col, outcome.change_id)


def test_undoing_a_review_the_old_way_drops_its_log_entry(col: Collection) -> None:
    pk = cards.resolve(col, "losses/ce").pks[0]
    cards.change(col, "suspend", cards.select(col, ["iou"], CTX), NOW, 4)
    outcome = record_review(col, pk, Rating.GOOD, NOW, Settings(fuzz=False))
    undo_review(col, outcome.review_id)
    last = undo.last_change(col)
    assert last is not None and last.op == "suspend"


def test_the_log_keeps_the_newest_changes(col: Collection) -> None:
    pk = cards.resolve(col, "losses/ce").pks[0]
    settings = Settings(fuzz=False)
    for n in range(undo.DEPTH + 5):
        record_review(col, pk, Rating.GOOD, NOW + timedelta(minutes=n), settings)
    assert undo.count(col) == undo.DEPTH


# --- tags ------------------------------------------------------------------------------------------------


def test_tag_add_writes_the_users_file_and_undo_restores_it(
    col: Collection, dirs: tuple[Path, Path]
) -> None:
    path = dirs[0] / "my" / "notes.yaml"
    before_tags = tags(col)
    result = cards.tag_cards(col, "add", "review::later", cards.select(col, ["deck:my"], CTX), NOW)
    assert result.changed == ("my/notes/iou", "my/notes/relu") and result.files == (str(path),)
    text = path.read_text(encoding="utf-8")
    assert "    tags: [detection, review::later]\n" in text and "# keep this comment" in text
    assert "  - id: relu\n    tags: [review::later]\n" in text
    assert [h.ref for h in cards.search(col, "tag:review", CTX).hits] == [
        "my/notes/iou",
        "my/notes/relu",
    ]
    col.sync_decks(
        dirs[1], dirs[0], NOW + timedelta(seconds=1)
    )  # the file agrees with the collection
    assert cards.search(col, "tag:review::later", CTX).review_cards == 3
    done = cards.undo_last(col)
    assert done.op == "tag-add" and done.files == (str(path),)
    assert path.read_text(encoding="utf-8") == MINE
    assert tags(col) == before_tags


def test_tag_remove_leaves_a_tag_the_deck_gives(col: Collection, dirs: tuple[Path, Path]) -> None:
    result = cards.tag_cards(col, "remove", "mine", cards.select(col, ["iou"], CTX), NOW)
    assert result.changed == () and result.from_deck == ("my/notes/iou",)
    assert result.from_deck_files == (str(dirs[0] / "my" / "notes.yaml"),)
    result = cards.tag_cards(col, "remove", "DETECTION", cards.select(col, ["iou"], CTX), NOW)
    assert result.changed == ("my/notes/iou",)
    text = (dirs[0] / "my" / "notes.yaml").read_text(encoding="utf-8")
    assert (
        "detection" not in text and "    answer: Intersection over union.\n\n  - id: relu" in text
    )


def test_bundled_cards_keep_their_tags_in_the_collection(
    col: Collection, dirs: tuple[Path, Path]
) -> None:
    bundled_file = dirs[1] / "losses.yaml"
    cards.tag_cards(col, "add", "exam", cards.select(col, ["deck:losses"], CTX), NOW)
    cards.tag_cards(col, "remove", "focal", cards.select(col, ["focal"], CTX), NOW)
    assert bundled_file.read_text(encoding="utf-8") == LOSSES  # never written
    assert cards.search(col, "tag:exam", CTX).review_cards == 2
    assert cards.search(col, "card:focal", CTX).hits[0].tags == ("losses", "exam")
    # a new version of the bundled deck: its own changes arrive, the collection's tags stay on top
    bundled_file.write_text(LOSSES.replace("Focal loss?", "What is focal loss?"), encoding="utf-8")
    col.sync_decks(dirs[1], dirs[0], NOW + timedelta(seconds=1))
    (focal,) = cards.search(col, "focal loss", CTX).hits
    question = cards.show(col, "losses/focal").content["question"]
    assert focal.tags == ("losses", "exam") and question == Text.from_data("What is focal loss?")
    cards.undo_last(col)  # the removal of 'focal'
    col.sync_decks(dirs[1], dirs[0], NOW + timedelta(seconds=2))
    assert cards.search(col, "tag:focal", CTX).hits[0].tags == ("focal", "losses", "exam")


def test_tag_remove_leaves_a_tag_a_bundled_deck_gives(
    col: Collection, dirs: tuple[Path, Path]
) -> None:
    """A bundled deck's own ``tags:`` are every card's too, as a user's deck's are: one card cannot lose them."""
    before = tags(col)
    result = cards.tag_cards(col, "remove", "LOSSES", cards.select(col, ["deck:losses"], CTX), NOW)
    assert result.changed == () and result.from_deck == ("losses/ce", "losses/focal")
    assert result.from_deck_files == (str(dirs[1] / "losses.yaml"),)
    assert result.change_id is None and undo.last_change(col) is None
    assert tags(col) == before
    assert cards.search(col, "deck:losses -tag:losses", CTX).hits == ()
    col.sync_decks(dirs[1], dirs[0], NOW + timedelta(seconds=1))
    assert cards.search(col, "deck:losses -tag:losses", CTX).hits == ()


def test_tag_remove_leaves_a_tag_both_the_card_and_its_deck_give(
    col: Collection, dirs: tuple[Path, Path]
) -> None:
    path = dirs[0] / "my" / "notes.yaml"
    path.write_text(MINE.replace("tags: [detection]", "tags: [detection, mine]"), encoding="utf-8")
    col.sync_decks(dirs[1], dirs[0], NOW + timedelta(seconds=1))
    written = path.read_text(encoding="utf-8")
    result = cards.tag_cards(col, "remove", "mine", cards.select(col, ["iou"], CTX), NOW)
    assert result.changed == () and result.from_deck == ("my/notes/iou",)
    assert (
        path.read_text(encoding="utf-8") == written
    )  # removing it from the card would change nothing
    assert [h.ref for h in cards.search(col, "tag:mine", CTX).hits] == [
        "my/notes/iou",
        "my/notes/relu",
    ]


@pytest.mark.parametrize("tag", ["two words", "x/y", "a*b", "(x)", "-neg"])
def test_a_bad_tag_changes_nothing(col: Collection, dirs: tuple[Path, Path], tag: str) -> None:
    with pytest.raises(CardInputError, match=f"bad tag '{re.escape(tag)}'"):
        cards.tag_cards(col, "add", tag, cards.select(col, ["deck:my or deck:losses"], CTX), NOW)
    assert (dirs[0] / "my" / "notes.yaml").read_text(encoding="utf-8") == MINE
    assert undo.last_change(col) is None


def test_an_imported_tag_outside_the_rule_is_found_and_removed(
    col: Collection, dirs: tuple[Path, Path]
) -> None:
    """Anki imports keep tags such as ``(x)`` or ``c++``: a search finds them quoted, tag remove takes them."""
    path = dirs[0] / "my" / "notes.yaml"
    path.write_text(
        MINE.replace("tags: [detection]", 'tags: [detection, "(x)", c++, a/b]'), "utf-8"
    )
    col.sync_decks(dirs[1], dirs[0], NOW + timedelta(seconds=1))
    for query in ('tag:"(x)"', "tag:\\(x\\)", "tag:c++", "tag:a/b"):
        assert [h.ref for h in cards.search(col, query, CTX).hits] == ["my/notes/iou"], query
    for tag in ("(x)", "c++", "a/b"):
        result = cards.tag_cards(col, "remove", tag, cards.select(col, ["iou"], CTX), NOW)
        assert result.changed == ("my/notes/iou",)
    assert "    tags: [detection]\n" in path.read_text(encoding="utf-8")
