"""The deck writer: cards appended keep every other byte of the file, and writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvquiz.deckfile.loader import load_deck_text
from cvquiz.deckfile.writer import (
    append_cards,
    card_yaml,
    deck_id_to_name,
    insert_cards,
    new_deck_text,
)
from cvquiz.errors import DeckError, DeckProblems
from cvquiz.model import Card

ODD_DECK = """\
# My interview notes -- kept in git.
# yaml-language-server: $schema=whatever

deck: mine        # the id; never change it
name: "Mine::Notes"
description: {zh: 我的笔记, en: 'My notes'}
tags: [ mine ]


cards:
  # --- convolution ---
  - id: conv-out
    question: 'Output size of a conv: "valid" mode?'
    answer: >-
      floor((H - K) / S) + 1
      for valid padding
    tags: [ conv ]   # trailing comment

  -   id: weird-indent
      question: "Tab\\tescaped and a \\"quote\\""
      answer: |
        line one

        line three
      # a note under the last card, indented with it


# footer comment, after the list
"""


def new_card(card_id: str = "new-1", **extra: Any) -> dict[str, Any]:
    return {
        "id": card_id,
        "type": "basic",
        "question": {"zh": "什么是感受野？", "en": "What is a receptive field?"},
        "answer": "The input region that\naffects one output unit.",
        "tags": ["conv", "rf::basics"],
        **extra,
    }


def kept_every_byte(old: str, new: str) -> bool:
    """True when ``new`` is ``old`` with one run of text inserted (or one run of ``old`` replaced)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix + suffix == len(old)


def test_append_keeps_comments_quoting_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ODD_DECK, encoding="utf-8")
    result = append_cards(path, [new_card()])
    text = path.read_text(encoding="utf-8")
    assert kept_every_byte(ODD_DECK, text)
    # The new card follows the last card and the comment indented under it, before the footer.
    assert text.index("a note under the last card") < text.index("id: new-1")
    assert text.index("id: new-1") < text.index("# footer comment")
    # Separated by a blank line, indented like the last card (whose keys stand at column 6).
    assert "\n\n  -   id: new-1\n      type: basic\n" in text
    deck = load_deck_text(text, "mine.yaml")
    assert [c.id for c in deck.cards] == ["conv-out", "weird-indent", "new-1"]
    assert deck.cards[2].question.zh == "什么是感受野？"
    assert (
        deck.cards[1].answer is not None and deck.cards[1].answer.en == "line one\n\nline three\n"
    )
    assert result.added[0].line == text[: text.index("-   id: new-1")].count("\n") + 1
    assert not result.created


def test_append_keeps_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "win.yaml"
    original = ("\ufeff" + ODD_DECK.replace("\n", "\r\n")).encode("utf-8")
    path.write_bytes(original)
    append_cards(path, [new_card()])
    blob = path.read_bytes()
    assert blob.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in blob.replace(b"\r\n", b"")  # every line end is still CRLF
    assert kept_every_byte(original.decode(), blob.decode())


def test_append_to_an_indentless_list_without_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "flat.yaml"
    old = "deck: flat\nname: Flat\ncards:\n- id: a\n  question: q\n  answer: a"
    path.write_text(old)
    append_cards(path, [new_card()])
    text = path.read_text()
    assert text.startswith(old + "\n")
    assert "\n- id: new-1\n  type: basic\n" in text
    assert [c.id for c in load_deck_text(text, "x").cards] == ["a", "new-1"]


def test_cards_without_blank_lines_get_none(tmp_path: Path) -> None:
    old = (
        "deck: d\nname: D\ncards:\n  - id: a\n    question: q\n    answer: a\n"
        "  - id: b\n    question: r\n    answer: b\ntags: [x]\n"
    )
    new = insert_cards(old, [new_card()], "d")
    assert "    answer: b\n  - id: new-1\n" in new
    assert new.endswith("tags: [x]\n")


def test_empty_flow_list_becomes_a_block_list() -> None:
    old = "deck: d\nname: D\ncards: []   # nothing yet\ntags: [x]\n"
    new = insert_cards(old, [new_card(), new_card("new-2")], "d")
    assert new.startswith("deck: d\nname: D\ncards:    # nothing yet\n  - id: new-1\n")
    assert new.endswith("tags: [x]\n")
    deck = load_deck_text(new, "d")
    assert [c.id for c in deck.cards] == ["new-1", "new-2"]
    assert deck.tags == ("x",)


def test_non_empty_flow_list_gets_flow_items() -> None:
    old = "deck: d\nname: D\ncards: [{id: a, question: q, answer: a}]  # flow\n"
    new = insert_cards(old, [new_card()], "d")
    assert kept_every_byte(old, new)
    assert [c.id for c in load_deck_text(new, "d").cards] == ["a", "new-1"]


def test_keep_chomped_last_answer_keeps_its_trailing_lines() -> None:
    old = "deck: d\nname: D\ncards:\n  - id: a\n    question: q\n    answer: |+\n      text\n\n\n"
    new = insert_cards(old, [new_card()], "d")
    deck = load_deck_text(new, "d")
    assert deck.cards[0].answer is not None and deck.cards[0].answer.en == "text\n\n\n"
    assert kept_every_byte(old, new)


def test_new_deck_file_is_created_with_a_header(tmp_path: Path) -> None:
    path = tmp_path / "my" / "interviews.yaml"
    result = append_cards(path, [new_card()], create=("my/interviews", "My::Interviews"))
    assert result.created
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    deck = load_deck_text(text, "x")
    assert deck.id == "my/interviews" and deck.name == "My::Interviews"
    assert [c.id for c in deck.cards] == ["new-1"]
    assert deck_id_to_name("my/cv-interviews") == "My::Cv interviews"
    empty = load_deck_text(new_deck_text("e", "E", []), "e")
    assert empty.cards == ()


def test_missing_file_without_create_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no such deck file"):
        append_cards(tmp_path / "nope.yaml", [new_card()])


def test_broken_deck_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    old = b"deck: bad\nname: Bad\ncards:\n  - id: a\n    question: [unclosed\n"
    path.write_bytes(old)
    with pytest.raises(DeckProblems):
        append_cards(path, [new_card()])
    assert path.read_bytes() == old


def test_duplicate_id_is_refused_and_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ODD_DECK, encoding="utf-8")
    with pytest.raises(DeckError, match="already has a card 'conv-out'"):
        append_cards(path, [new_card("conv-out")])
    assert path.read_text(encoding="utf-8") == ODD_DECK


def test_invalid_card_never_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ODD_DECK, encoding="utf-8")
    with pytest.raises(DeckError, match="bad tag 'has space'"):
        append_cards(path, [new_card(tags=["has space"])])
    assert path.read_text(encoding="utf-8") == ODD_DECK


def test_crash_mid_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ODD_DECK, encoding="utf-8")
    os.chmod(path, 0o640)

    def crash(fd: int) -> None:
        raise KeyboardInterrupt  # the process is stopped after writing the new bytes, before the rename

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        append_cards(path, [new_card()])
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == ODD_DECK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]  # no temporary file left
    append_cards(path, [new_card()])
    assert path.stat().st_mode & 0o777 == 0o640  # permissions survive the replace


def test_card_yaml_writes_block_text_and_flow_lists() -> None:
    text = card_yaml(
        {
            "id": "c",
            "type": "compute",
            "generator": "conv2d_output_shape",
            "params": {"stride": [1, 2], "batch": {"min": 1, "max": 4}},
            "question": "line\nnext",
        }
    )
    assert text == (
        "id: c\ntype: compute\nquestion: |-\n  line\n  next\ngenerator: conv2d_output_shape\n"
        "params:\n  stride: [1, 2]\n  batch: {min: 1, max: 4}\n"
    )


# Text a person may type: any letters (CJK too), digits, punctuation YAML cares about, line breaks.
_CHARS = st.characters(
    categories=("L", "N", "P", "S", "Zs"),
    include_characters="\n\t:#'\"{}[]|>&*!%@`-",
    exclude_characters="\x85\u2028\u2029\ufeff",
)
texts = st.text(_CHARS, min_size=1, max_size=60).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    question=texts,
    answer=texts,
    zh=st.one_of(st.none(), texts),
    tags=st.lists(st.from_regex(r"[a-z0-9_-]{1,8}(::[a-z0-9]{1,5})?", fullmatch=True), max_size=3),
)
def test_any_card_text_round_trips_and_keeps_the_file(
    question: str, answer: str, zh: str | None, tags: list[str]
) -> None:
    q: Any = question if zh is None else {"zh": zh, "en": question}
    data = {"id": "prop", "type": "basic", "question": q, "answer": answer, "tags": tags}
    new = insert_cards(ODD_DECK, [data], "mine.yaml")
    assert kept_every_byte(ODD_DECK, new)
    deck = load_deck_text(new, "mine.yaml")
    assert [c.id for c in deck.cards] == ["conv-out", "weird-indent", "prop"]
    card = deck.cards[2]
    expected = Card.from_data(data)
    assert card.question == expected.question
    assert card.answer == expected.answer
    assert card.tags == tuple(dict.fromkeys((*tags, "mine")))


@pytest.mark.parametrize(
    "text",
    [
        ODD_DECK,
        ODD_DECK.replace("\n", "\r\n"),
        # The last card's '-' stands alone on its line: only the whole-file path can place the card.
        "deck: d\nname: D\ncards:\n  - id: a\n    question: q\n    answer: a\n  -\n    id: b\n"
        "    question: r\n    answer: b\ntags: [x]\n",
        # Top-level keys after the list, and the deck's tags there too.
        "deck: d\ncards:\n  - id: a\n    question: q\n    answer: a\nname: D\ntags: [late]\n",
    ],
)
def test_tail_and_whole_file_insertion_agree(tmp_path: Path, text: str) -> None:
    deck = load_deck_text(text, "d")
    whole = insert_cards(text, [new_card()], "d")
    assert insert_cards(text, [new_card()], "d", last_line=deck.cards[-1].line) == whole
    path = tmp_path / "d.yaml"
    path.write_bytes(text.encode())
    result = append_cards(path, [new_card(), new_card("new-2")])
    assert path.read_bytes().decode() == insert_cards(text, [new_card(), new_card("new-2")], "d")
    reread = load_deck_text(path.read_bytes().decode(), "d")
    assert [(c.id, c.line) for c in result.added] == [(c.id, c.line) for c in reread.cards[-2:]]
    assert reread.cards[-1].tags == tuple(dict.fromkeys(("conv", "rf::basics", *deck.tags)))


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(ODD_DECK, encoding="utf-8")
    stale = (ODD_DECK, load_deck_text(ODD_DECK, "mine.yaml"))
    edited = ODD_DECK + "# edited in another window\n"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(DeckError, match="the file changed while cvquiz was writing to it"):
        append_cards(path, [new_card()], current=stale)
    assert path.read_text(encoding="utf-8") == edited
