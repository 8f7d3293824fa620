"""The strict deck loader: every kind of bad input is one clear file:line:column error naming the card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.deckfile import DeckSource, load_deck, load_deck_text, load_decks
from cvquiz.errors import DeckProblems
from cvquiz.model import Card, CardType, Text
from cvquiz.paths import bundled_decks_dir

GOOD = """\
deck: demo
name: Demo::Sub
tags: [demo]
cards:
  - id: one
    question: {zh: 问题, en: Question}
    answer: Answer
  - id: two
    type: reversed
    question: a
    answer: b
    tags: [x::y]
  - id: three
    type: cloze
    question: "x {{c1::y}} and {{c2::z::hint}}"
  - id: four
    type: compute
    generator: conv2d_output_shape
    params:
      stride: [1, 2]
      size: {min: 8, max: 32}
    decimals: 2
"""


def problems(text: str, label: str = "d.yaml") -> list[str]:
    with pytest.raises(DeckProblems) as info:
        load_deck_text(text, label)
    return info.value.problems


def test_good_deck_loads_with_positions_and_types() -> None:
    deck = load_deck_text(GOOD, "d.yaml")
    assert deck.id == "demo" and deck.name == "Demo::Sub"
    assert [c.id for c in deck.cards] == ["one", "two", "three", "four"]
    one, two, three, four = deck.cards
    assert one.question == Text(zh="问题", en="Question")
    assert (one.line, one.column) == (5, 5)
    assert two.tags == ("x::y", "demo")
    assert two.ords() == (0, 1)
    assert three.ords() == (1, 2)
    assert four.type is CardType.COMPUTE and four.params == {
        "stride": [1, 2],
        "size": {"min": 8, "max": 32},
    }
    assert four.decimals == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    anwser: b\n",
            "d.yaml:6:5: card 'a': unknown field 'anwser' (did you mean 'answer'?)",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    answer: b\n  - id: a\n    question: r\n    answer: s\n",
            "d.yaml:7:5: card 'a': duplicate id (first used on line 4)",
        ),
        ("deck: d\nname: n\nname: m\ncards: []\n", "d.yaml:3:1: duplicate key 'name'"),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    answer: b\n    answer: c\n",
            "d.yaml:7:5: duplicate key 'answer'",
        ),
        (
            "deck: d\nname: !!python/object:os.system ls\ncards: []\n",
            "d.yaml:2:7: tag not allowed in deck files: 'tag:yaml.org,2002:python/object:os.system'",
        ),
        (
            "deck: d\nname: n\ncards:\n  - question: q\n    answer: b\n",
            "d.yaml:4:5: cards[0] has no id",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: [1, 2]\n    answer: b\n",
            "d.yaml:5:5: card 'a': question must be text or a {zh, en} mapping",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: What is 2 + 2?\n    answer: 4\n",
            "d.yaml:6:5: card 'a': answer is read as a number, not text: put it in quotes (answer: \"...\")",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: Is it?\n    answer: yes\n",
            "d.yaml:6:5: card 'a': answer is read as true/false, not text: put it in quotes (answer: \"...\")",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    type: basik\n    question: q\n    answer: b\n",
            "d.yaml:5:5: card 'a': unknown type 'basik' (basic, reversed, cloze, compute or code) (did you mean 'basic'?)",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: Bad Id\n    question: q\n    answer: b\n",
            "d.yaml:4:5: bad card id 'Bad Id': lowercase letters, digits, '-' and '_', starting with a letter or digit",
        ),
        ("deck: d\nname: n\ncards: 3\n", "d.yaml:3:1: cards must be a list"),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    type: cloze\n    question: no deletion here\n",
            "d.yaml:6:5: card 'a': cloze question has no {{c1::...}} deletion",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    type: cloze\n"
            "    question: {zh: '{{c1::这里}}有挖空', en: no deletion here}\n",
            "d.yaml:6:5: card 'a': cloze question (en) has no {{c1::...}} deletion",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    answer: b\n    generator: x\n",
            "d.yaml:7:5: card 'a': 'generator' is only for compute cards",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    type: cloze\n"
            "    question: 'x {{c1::$\\\\frac{a}{b_{c}}$}} y'\n",
            "d.yaml:6:5: card 'a': cloze question: deletion "
            "'{{c1::$\\\\frac{a}{b_{c}}' is cut short by a '}}' inside it; put spaces between closing "
            "braces in math ('} }') or move the math out of the deletion",
        ),
        ("deck: d\nname: [n\n", "d.yaml:2:7: this '[' is never closed with ']'"),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    tags: [a, b\n    answer: b\n",
            "d.yaml:5:11: this '[' is never closed with ']' (line 6 cannot be part of it)",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: {zh: a\n    answer: b\n",
            "d.yaml:5:15: this '{' is never closed with '}' (line 6 cannot be part of it)",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: 'it is\n    answer: b\n",
            "d.yaml:5:15: this quote is never closed",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n   answer: a\n",
            "d.yaml:6:4: did not find expected '-' indicator while parsing a block collection",
        ),
        (  # a bad escape inside a closed quote is not an unclosed quote
            'deck: d\nname: n\ncards:\n  - id: a\n    question: "a \\q b"\n    answer: a\n',
            "d.yaml:5:18: found unknown escape character while parsing a quoted scalar",
        ),
        (
            "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    answer: {zh: b, fr: c}\n",
            "d.yaml:6:21: card 'a': unknown language 'fr' in answer (use zh and/or en)",
        ),
    ],
)
def test_bad_input_names_file_line_column_and_card(text: str, expected: str) -> None:
    assert expected in problems(text)


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    found = problems(bomb)
    assert found == ["d.yaml:1:4: anchors and aliases (&name, *name) are not allowed in deck files"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = "deck: d\nname: n\ncards:\n  - id: a\n    qestion: q\n  - id: b\n    question: q\n    answer: a\n    tagz: []\n"
    found = problems(text)
    assert "d.yaml:5:5: card 'a': unknown field 'qestion' (did you mean 'question'?)" in found
    assert "d.yaml:9:5: card 'b': unknown field 'tagz' (did you mean 'tags'?)" in found
    assert len(found) >= 3


def test_timestamps_stay_text() -> None:
    deck = load_deck_text(
        "deck: d\nname: n\ncards:\n  - id: a\n    question: 2024-01-01\n    answer: b\n", "d"
    )
    assert deck.cards[0].question.en == "2024-01-01"


def test_deck_id_used_by_two_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("deck: same\nname: n\ncards: []\n")
    with pytest.raises(DeckProblems) as info:
        load_decks([DeckSource(tmp_path / "a.yaml"), DeckSource(tmp_path / "b.yaml")])
    assert info.value.problems == [
        f"{tmp_path / 'b.yaml'}:1:1: deck id 'same' is already used by {tmp_path / 'a.yaml'}"
    ]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"deck: d\nname: \xff\n")
    with pytest.raises(DeckProblems, match=r"x.yaml:1:1: not UTF-8"):
        load_deck(path)


def test_bundled_decks_load_cleanly() -> None:
    files = sorted(bundled_decks_dir().glob("*.yaml"))
    decks = load_decks([DeckSource(p, bundled=True) for p in files])
    assert len(decks) == len(files)


def test_bundled_decks_match_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(
        (Path(__file__).parent.parent / "cvquiz/deckfile/deck.schema.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, f"{path}: {errors[0].message}"
    bad = yaml.safe_load("deck: d\nname: n\ncards:\n  - id: a\n    question: q\n    anwser: b\n")
    assert list(validator.iter_errors(bad))


# YAML folds line-break characters (NEL, LS, PS) and has no control characters: card text never holds them.
text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


@given(
    card_id=st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True),
    zh=text_values,
    en=text_values,
    answer=text_values,
    tags=st.lists(
        st.from_regex(r"[a-z][a-z0-9_-]{0,6}(::[a-z][a-z0-9_-]{0,6})?", fullmatch=True),
        max_size=3,
        unique=True,
    ),
)
def test_card_data_round_trips_through_yaml(
    card_id: str, zh: str, en: str, answer: str, tags: list[str]
) -> None:
    import yaml

    card = Card(
        id=card_id, question=Text(zh=zh, en=en), answer=Text(zh=answer, en=answer), tags=tuple(tags)
    )
    text = yaml.safe_dump({"deck": "d", "name": "n", "cards": [card.to_data()]}, allow_unicode=True)
    loaded = load_deck_text(text, "d").cards[0]
    assert loaded.to_data() == card.to_data()
    assert loaded.content_hash() == card.content_hash()
