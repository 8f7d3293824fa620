"""The loader under random input: any bytes and any YAML document give a deck or a clear error, nothing else.

A clear error is a `DeckProblems` whose every line names the file (``label:line:column: ...`` or
``label: ...``) and is one line. Everything else a loader could raise (TypeError on a key that is not text,
RecursionError on deep nesting, OverflowError on a huge cloze number...) is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvquiz.deckfile import load_deck, load_deck_text
from cvquiz.deckfile.loader import CARD_FIELDS, DECK_FIELDS
from cvquiz.errors import DeckProblems
from cvquiz.model import Deck

LABEL = "fuzz.yaml"


def outcome(text: str) -> Deck | DeckProblems:
    try:
        return load_deck_text(text, LABEL)
    except DeckProblems as error:
        assert error.problems
        for line in error.problems:
            assert line.startswith(LABEL) and "\n" not in line, line
        return error


# Scalars YAML may hold, including the ones that read as something other than text.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "{{c1::x}}",
            "{{c0::x}}",
            "{{c1::}}",
            "{{c99999999999999999999::x}}",
            "a\n",
            "$x$",
            "yes",
            "~",
        ]
    ),
)
_keys = st.one_of(
    st.sampled_from([*DECK_FIELDS, *CARD_FIELDS, "zh", "en", "min", "max"]),
    st.text(max_size=8),
    st.integers(-3, 3),
    st.booleans(),
    st.none(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=25,
)
_card_types = st.sampled_from(["basic", "reversed", "cloze", "compute", "code", "essay"])


@st.composite
def _cards(draw: st.DrawFn) -> dict[Any, Any]:
    card: dict[Any, Any] = {
        "id": draw(st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), _scalars))
    }
    card["type"] = draw(_card_types)
    for field in draw(st.lists(st.sampled_from(CARD_FIELDS), max_size=6, unique=True)):
        card[field] = draw(_values)
    card.update(draw(st.dictionaries(_keys, _values, max_size=2)))
    return card


_decks = st.fixed_dictionaries(
    {"deck": st.one_of(st.just("fuzz"), _scalars), "name": st.one_of(st.just("Fuzz"), _scalars)},
    optional={"cards": st.lists(_cards(), max_size=4), "tags": _values, "description": _values},
)


@given(st.binary(max_size=300))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_bytes_give_a_deck_or_a_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_deck(path)
    except DeckProblems as error:
        assert all(line.startswith(str(path)) and "\n" not in line for line in error.problems)


@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#%@` \n\t?~1")), max_size=120))
@settings(max_examples=400, deadline=None)
def test_random_yaml_text_gives_a_deck_or_a_clear_error(text: str) -> None:
    outcome(text)


@given(st.one_of(_decks, _values), st.booleans(), st.integers(min_value=0, max_value=2))
@settings(max_examples=400, deadline=None)
def test_random_yaml_documents_give_a_deck_or_a_clear_error(
    document: Any, flow: bool, wrap: int
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    if wrap == 1:  # nested far deeper than any deck
        text = "deck: fuzz\nname: Fuzz\ncards: " + "[" * 500 + "]" * 500 + "\n"
    elif wrap == 2:  # a second document
        text += "---\n" + text
    outcome(text)
