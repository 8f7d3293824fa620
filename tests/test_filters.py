"""The one deck / tag / state filter, in a real collection: what it covers and what it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cvquiz.collection import Collection
from cvquiz.collection.filters import CardFilter, UnknownFilterError, check, deck_ids, where
from cvquiz.errors import UsageError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECKS = {
    "cv.yaml": ("cv", "Interview::Vision", [("a", "losses"), ("b", "losses::focal")]),
    "cv-conv.yaml": ("cv/conv", "Interview::Vision::Conv", [("c", "conv")]),
    "cvx.yaml": ("cvx", "Other::CVX", [("d", "Losses_Extra")]),
    "practice.yaml": ("practice/losses", "Interview::Practice::Losses", [("e", "")]),
}


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    decks = tmp_path / "decks"
    decks.mkdir()
    for name, (deck, title, cards) in DECKS.items():
        lines = [f"deck: {deck}", f"name: '{title}'", "cards:"]
        for card_id, tag in cards:
            lines += [f"  - id: {card_id}", "    question: q", "    answer: a"]
            if tag:
                lines.append(f"    tags: [{tag}]")
        (decks / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(tmp_path / "none", decks, NOW)
        yield opened


def cards(col: Collection, flt: CardFilter) -> list[str]:
    params: dict[str, object] = {}
    sql = f"""SELECT c.card_id FROM cards c JOIN schedule s ON s.card_pk = c.pk
              WHERE {where(col.conn, flt, params)} ORDER BY c.card_id"""
    return [row[0] for row in col.conn.execute(sql, params)]


def test_an_empty_filter_covers_everything(col: Collection) -> None:
    assert cards(col, CardFilter()) == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("asked", "covered"),
    [
        (("cv",), ["a", "b", "c"]),  # the deck and those nested under it by '/', never "cvx"
        (("cv/",), ["c"]),  # only those under it
        (("cv/conv",), ["c"]),
        (("cvx",), ["d"]),
        (("Interview::Vision",), ["a", "b", "c"]),  # by display name, nested by '::'
        (("interview::vision::",), ["a", "b", "c"]),  # names compare case-insensitively
        (("Interview",), ["a", "b", "c", "e"]),
        (("practice",), ["e"]),
        (("cv/conv", "cvx"), ["c", "d"]),
    ],
)
def test_decks_nest_by_id_and_by_display_name(
    col: Collection, asked: tuple[str, ...], covered: list[str]
) -> None:
    check(col.conn, CardFilter(decks=asked))
    assert cards(col, CardFilter(decks=asked)) == covered


@pytest.mark.parametrize(
    ("asked", "covered"),
    [
        (("losses",), ["a", "b"]),  # a tag and its children
        (("losses::focal",), ["b"]),
        (("LOSSES",), ["a", "b"]),  # tags compare case-insensitively, as in Anki
        (("losses_extra",), ["d"]),  # '_' is a character, not a LIKE wildcard
        (("conv", "losses::focal"), ["b", "c"]),
    ],
)
def test_tags_nest_by_double_colon(
    col: Collection, asked: tuple[str, ...], covered: list[str]
) -> None:
    check(col.conn, CardFilter(tags=asked))
    assert cards(col, CardFilter(tags=asked)) == covered


def test_states_and_the_leech_tag_read_the_schedule(col: Collection) -> None:
    col.conn.execute(
        "UPDATE schedule SET state = 2, leech = 1 WHERE card_pk = "
        "(SELECT pk FROM cards WHERE card_id = 'c')"
    )
    assert cards(col, CardFilter(states=("review",))) == ["c"]
    assert cards(col, CardFilter(states=("new",))) == ["a", "b", "d", "e"]
    assert cards(col, CardFilter(tags=("leech",))) == ["c"]
    assert cards(col, CardFilter(decks=("cv",), states=("new",))) == ["a", "b"]
    with pytest.raises(UsageError, match="unknown card state 'old'"):
        check(col.conn, CardFilter(states=("old",)))


def test_an_unknown_deck_or_tag_is_one_error_with_the_closest(col: Collection) -> None:
    with pytest.raises(UnknownFilterError) as caught:
        check(col.conn, CardFilter(decks=("cv/conf", "cv"), tags=("losess", "conv")))
    assert str(caught.value).splitlines() == [
        "no deck 'cv/conf' (did you mean 'cv/conv'?); cvquiz decks lists them",
        "no card has the tag 'losess' (did you mean 'losses'?); cvquiz stats --json lists every tag",
    ]
    with pytest.raises(UnknownFilterError, match="no deck 'zzz'; cvquiz decks"):
        check(col.conn, CardFilter(decks=("zzz",)))
    # a tag sharing half its letters is no suggestion ('nosuch' got 'einsum'; here 'cxnz' got 'conv')
    with pytest.raises(UnknownFilterError) as caught:
        check(col.conn, CardFilter(tags=("cxnz",)))
    assert "did you mean" not in str(caught.value)


def test_retired_decks_count_only_when_asked(col: Collection) -> None:
    col.conn.execute("UPDATE decks SET active = 0 WHERE id = 'cvx'")
    assert deck_ids(col.conn, ["cvx"]) == []
    assert deck_ids(col.conn, ["cvx"], retired=True) == ["cvx"]
    with pytest.raises(UnknownFilterError):
        check(col.conn, CardFilter(decks=("cvx",)))
    check(col.conn, CardFilter(decks=("cvx",)), retired=True)


@pytest.mark.parametrize(
    ("asked", "covered"),
    [
        (("c*",), ["a", "b", "c", "d"]),  # cv, cv/conv, cvx
        (("cv/*",), ["c"]),
        (("*::Conv",), ["c"]),  # by display name
        (("interview::*",), ["a", "b", "c", "e"]),
        (("*losses",), ["e"]),  # practice/losses, and no deck is named so
    ],
)
def test_a_star_in_a_deck_stands_for_any_text(
    col: Collection, asked: tuple[str, ...], covered: list[str]
) -> None:
    check(col.conn, CardFilter(decks=asked))
    assert cards(col, CardFilter(decks=asked)) == covered


def test_a_star_in_a_tag_stands_for_any_text(col: Collection) -> None:
    assert cards(col, CardFilter(tags=("loss*",))) == ["a", "b", "d"]  # with losses::focal
    assert cards(col, CardFilter(tags=("*::focal",))) == ["b"]
    with pytest.raises(UnknownFilterError, match="no card has the tag 'zz\\*'"):
        check(col.conn, CardFilter(tags=("zz*",)))


def test_two_filters_in_one_query_keep_their_own_parameters(col: Collection) -> None:
    params: dict[str, object] = {}
    first = where(col.conn, CardFilter(decks=("cv/conv",)), params, prefix="one_")
    second = where(col.conn, CardFilter(tags=("losses::focal",)), params, prefix="two_")
    sql = f"SELECT c.card_id FROM cards c JOIN schedule s ON s.card_pk = c.pk WHERE ({first}) OR ({second})"
    assert sorted(row[0] for row in col.conn.execute(sql, params)) == ["b", "c"]
