"""The fast card emitter: whatever the text, the strict loader reads back exactly the card written."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvquiz.deckfile.emit import card_block, scalar
from cvquiz.deckfile.loader import load_deck_text

TRICKY = list(
    " \t\n\r-?:,[]{}#&*!|>'\"%@`~.0123456789 yesnoNULLtrueFalse\x85\u2028\u2029\ufeff\xa0<=\x00\x1b"
)
text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.text(alphabet=st.sampled_from(TRICKY), max_size=25),
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "a\n",
            "a\n\n",
            " a",
            "a ",
            "- a",
            "no",
            "1e3",
            "~",
            "0x1F",
            "2024-01-01",
            "<<",
            "=",
            "a: b",
            "a #b",
            "# c",
            "'q'",
            '"q"',
            "|",
            ">",
            "...",
            "---",
            "a:",
            "::",
        ]
    ),
)


def deck_with(lines: list[str]) -> str:
    # The card stands between others, as in a real deck: what follows must still read right.
    return (
        "deck: x\nname: x\ncards:\n  - id: before\n    question: q\n    answer: a\n\n  - "
        + "\n".join(lines)
        + "\n\n  - id: after\n    question: q\n    answer: a\n"
    )


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=text, answer=text, zh=text, tags=st.lists(text, max_size=3))
def test_any_text_reads_back_exactly(question: str, answer: str, zh: str, tags: list[str]) -> None:
    data: dict[str, Any] = {
        "id": "c",
        "type": "basic",
        "question": {"zh": zh, "en": question},
        "answer": answer,
        "tags": tags,
    }
    lines = card_block(data, 4)
    assert lines is not None
    source = deck_with(lines)
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):  # libyaml and PyYAML's own parser agree
        cards = yaml.load(source, Loader=loader)["cards"]
        assert cards[1] == data and cards[2]["id"] == "after"


def test_styles_people_would_write() -> None:
    assert scalar("What is IoU?", 4) == ["What is IoU?"]
    assert scalar("交并比", 4) == ["交并比"]
    assert scalar("Answer: yes", 4) == ["'Answer: yes'"]
    assert scalar("it's #1", 4) == ["'it''s #1'"]
    assert scalar("yes", 4) == ["'yes'"] and scalar("3.5", 4) == ["'3.5'"]
    assert scalar("line one\nline two", 4) == ["|-", "      line one", "      line two"]
    assert scalar("  indented code\nx = 1\n", 4) == ["|2", "        indented code", "      x = 1"]
    assert scalar("tab\there", 4) == ['"tab\\there"']
    assert scalar("ends with blank lines\n\n", 4) == ['"ends with blank lines\\n\\n"']
    assert scalar("cv::conv", 4, flow=True) == ["cv::conv"]
    assert scalar("a, b", 4, flow=True) == ["'a, b'"]


def test_the_strict_loader_reads_a_card_with_every_field_back() -> None:
    data = {
        "id": "full",
        "type": "cloze",
        "question": {
            "zh": "{{c1::交并比}} 是什么？",
            "en": "What is {{c1::IoU}}: overlap / union?",
        },
        "explanation": "Line one.\n  - not a list\n# not a comment",
        "tags": ["detection", "cv::metrics", "中文标签"],
        "source": "https://example.com/a?b=c#d",
    }
    lines = card_block(data, 4)
    assert lines is not None
    deck = load_deck_text(deck_with(lines), "d.yaml")
    card = deck.cards[1]
    assert card.to_data() == data and card.line == 8 and card.column == 5


@pytest.mark.parametrize(
    "data",
    [
        {"id": "c", "type": "compute", "generator": "conv2d", "params": {"k": [3]}},
        {"id": "c", "question": "q", "answer": "a", "decimals": 2},
        {"id": "c", "question": ["a list"], "answer": "a"},
    ],
)
def test_what_the_fast_emitter_does_not_write_goes_to_pyyaml(data: dict[str, Any]) -> None:
    assert card_block(data, 4) is None
