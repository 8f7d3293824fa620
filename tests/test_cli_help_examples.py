"""Every "Example:" in a command's help can be copied as it is: its options parse, and the decks, tags and cards
it names are among the bundled ones (or are the user's own decks, under my/, as `add` creates them)."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cvquiz.cli import lazy
from cvquiz.deckfile import deck_files, load_deck

BUNDLED = Path(__file__).resolve().parent.parent / "decks"


def _examples() -> list[str]:
    found = []
    for entry in lazy.COMMANDS:
        for holder, attribute in lazy.help_texts(lazy.build_command(entry)):
            found += re.findall(r"Example: (cvquiz .+)$", getattr(holder, attribute), re.M)
    return sorted(set(found))


@cache
def _bundled() -> tuple[set[str], set[str], set[str]]:
    decks, cards, tags = set(), set(), set()
    for path in deck_files(BUNDLED):
        deck = load_deck(path, bundled=True)
        decks.add(deck.id)
        for card in deck.cards:
            cards.add(f"{deck.id}/{card.id}")
            tags.update(card.tags)
    return decks, cards, tags


def _parsed(example: str) -> dict[str, Any]:
    argv = shlex.split(example)[1:]
    entry = next(e for e in lazy.COMMANDS if e.name == argv[0])
    command, name, rest = lazy.load_command(entry), argv[0], argv[1:]
    while getattr(command, "commands", None) and rest and rest[0] in command.commands:
        name, command, rest = rest[0], command.commands[rest[0]], rest[1:]
    return dict(command.make_context(name, list(rest)).params)  # a bad option raises


def _deck_ok(deck: str) -> bool:
    decks = _bundled()[0]
    return deck.startswith("my/") or deck in decks or any(d.startswith(deck + "/") for d in decks)


@pytest.mark.parametrize("example", _examples())
def test_a_help_example_parses_and_names_what_exists(example: str) -> None:
    params = _parsed(example)
    _decks, cards, tags = _bundled()
    for deck in _as_list(params.get("deck")):
        assert _deck_ok(deck), f"{example}: no bundled deck {deck!r}"
    for tag in _as_list(params.get("tag")) if "--tag" in example else ():
        assert tag in tags, f"{example}: no bundled card has the tag {tag!r}"
    for word in _as_list(params.get("card")) + _as_list(params.get("query")):
        kind, colon, value = word.lstrip("-").partition(":")
        if colon and kind == "deck":
            assert _deck_ok(value), f"{example}: no bundled deck {value!r}"
        elif colon and kind == "tag":
            assert value in tags, f"{example}: no bundled card has the tag {value!r}"
        elif not colon and "/" in word and not word.startswith("my/"):
            assert word in cards, f"{example}: no bundled card {word!r}"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def test_there_are_examples_to_check() -> None:
    assert len(_examples()) > 40


def test_a_negated_search_term_is_a_term_and_a_mistyped_option_an_error(
    cvquiz_env: dict[str, str],
) -> None:
    from typer.testing import CliRunner

    from cvquiz.cli.app import app

    runner = CliRunner()
    negated = runner.invoke(app, ["search", "deck:activations", "-is:new"])
    assert negated.exit_code == 0, negated.output  # Anki's negation, not an unknown option -i
    assert "No cards match." in negated.output  # every card is new in a fresh collection
    plain = runner.invoke(app, ["search", "deck:activations", "is:new"])
    assert plain.exit_code == 0 and "activations/" in plain.output
    typo = runner.invoke(app, ["search", "--jsno", "relu"])
    assert typo.exit_code != 0
    assert "no such option: --jsno" in typo.output
