"""Replacing cards of a deck file in place: the card is rewritten, every other byte stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvquiz.deckfile.writer import replace_cards
from cvquiz.errors import DeckError

DECK = """\
# my deck, in git
deck: mine
name: Mine

cards:
  # first
  - id: a
    question: alpha?   # a comment on a
    answer: alpha

  - id: b
    question: beta?
    answer: beta
  - id: c
    type: cloze
    question: "{{c1::gamma}}"
"""


def test_a_card_is_replaced_and_the_rest_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    result = replace_cards(path, [{"id": "b", "question": "beta, new?", "answer": "two\nlines"}])
    text = path.read_text(encoding="utf-8")
    assert text == DECK.replace(
        "  - id: b\n    question: beta?\n    answer: beta\n",
        "  - id: b\n    question: beta, new?\n    answer: |-\n      two\n      lines\n",
    )
    assert [c.id for c in result.added] == ["b"]


def test_several_cards_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes(DECK.replace("\n", "\r\n").encode())
    replace_cards(
        path,
        [
            {"id": "c", "type": "cloze", "question": "{{c1::gamma}} {{c2::delta}}"},
            {"id": "a", "question": "alpha!", "answer": "alpha"},
        ],
    )
    text = path.read_bytes().decode()
    assert "\n" not in text.replace("\r\n", "")
    assert "  - id: a\r\n    question: alpha!\r\n    answer: alpha\r\n\r\n  - id: b" in text
    assert "# my deck, in git\r\n" in text and "  # first\r\n" in text
    assert text.endswith('question: "{{c1::gamma}} {{c2::delta}}"\r\n') or text.endswith(
        "question: '{{c1::gamma}} {{c2::delta}}'\r\n"
    )


def test_an_unknown_card_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    with pytest.raises(DeckError, match="no card 'zzz'"):
        replace_cards(path, [{"id": "zzz", "question": "q", "answer": "a"}])
    with pytest.raises(DeckError, match="read back"):
        replace_cards(path, [{"id": "a", "question": "q", "answer": "a", "tags": "not a list"}])
    assert path.read_text(encoding="utf-8") == DECK
