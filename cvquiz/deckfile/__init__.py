"""Deck files in and out: the strict YAML loader with file:line:column errors, validation, the JSON Schema.

It reads decks; it is not the decks (they live in the top-level ``decks/`` folder and the user's folder).
The names below load lazily, so finding deck files (`cvquiz.deckfile.discovery`) does not import YAML.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvquiz.deckfile.discovery import deck_files, expand_deck_paths
    from cvquiz.deckfile.loader import DeckSource, load_deck, load_deck_text, load_decks

__all__ = [
    "DeckSource",
    "deck_files",
    "expand_deck_paths",
    "load_deck",
    "load_deck_text",
    "load_decks",
]

_HOMES = {
    "DeckSource": "loader",
    "deck_files": "discovery",
    "expand_deck_paths": "discovery",
    "load_deck": "loader",
    "load_deck_text": "loader",
    "load_decks": "loader",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cvquiz.deckfile' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cvquiz.deckfile.{home}"), name)
