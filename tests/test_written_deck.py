"""The deck the writer hands to the sync is the deck the loader reads from the file, line for line.

Import and add write a deck file and sync it without parsing it again; these tests parse it again and compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvquiz.deckfile.loader import card_from_data, load_deck
from cvquiz.deckfile.writer import append_cards

words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
multiline = st.lists(words, min_size=1, max_size=3).map("\n".join)
text = st.one_of(words, multiline).filter(lambda t: t.strip() != "")


@st.composite
def cards(draw: st.DrawFn, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(count):
        card: dict[str, Any] = {"id": f"new-{n}", "type": "basic", "answer": draw(text)}
        card["question"] = draw(st.one_of(text, st.fixed_dictionaries({"zh": text, "en": text})))
        if draw(st.booleans()):
            card["tags"] = draw(st.lists(st.sampled_from(["a", "b::c", "中文"]), unique=True))
        if draw(st.booleans()):
            card["explanation"] = draw(text)
        out.append(card)
    return out


EXISTING = {
    "plain": "deck: mine\nname: Mine\ntags: [mine]\ncards:\n  - id: old\n    question: q\n    answer: a\n",
    "spaced": (
        "# my deck\ndeck: mine\nname: Mine\n\ncards:\n\n  - id: old\n    question: q\n    answer: |\n"
        "      two\n      lines\n\n  - id: older\n    question: q2\n    answer: a2\n    # a note\n\n"
        "# trailing comment\n"
    ),
    "wide": "deck: mine\nname: Mine\ncards:\n    -   id: old\n        question: q\n        answer: a\n",
    "crlf-bom": "\ufeffdeck: mine\r\nname: Mine\r\ncards:\r\n  - id: old\r\n    question: q\r\n    answer: a\r\n",
    "empty": "deck: mine\nname: Mine\ncards: []\n",
    "after": "deck: mine\ncards:\n  - id: old\n    question: q\n    answer: a\nname: Mine\n",
}


def parsed(batch: list[dict[str, Any]]) -> list[Any]:
    return [card_from_data(dict(c))[0] for c in batch]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=cards(3))
def test_a_new_deck_as_written_is_the_deck_read(batch: list[dict[str, Any]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "my" / "new.yaml"
        result = append_cards(path, batch, create=("my/new", "My::New"), parsed=parsed(batch))
        assert result.created
        assert result.written.deck == load_deck(path)
        assert result.written.fingerprint[:2] == (path.stat().st_mtime_ns, path.stat().st_size)


@pytest.mark.parametrize("layout", sorted(EXISTING))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=cards(2))
def test_cards_appended_as_written_are_the_deck_read(
    layout: str, batch: list[dict[str, Any]]
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mine.yaml"
        path.write_bytes(EXISTING[layout].encode("utf-8"))
        result = append_cards(path, batch, parsed=parsed(batch))
        assert not result.created
        read = load_deck(path)
        assert result.written.deck == read
        assert [c.id for c in result.added] == [c["id"] for c in batch]
