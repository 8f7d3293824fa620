"""Deck files in and out: the strict YAML loader with file:line:column errors, validation, the JSON Schema.

It reads decks; it is not the decks (they live in the top-level ``decks/`` folder and the user's folder).
"""

from cvquiz.deckfile.loader import (
    DeckSource,
    find_deck_files,
    load_deck,
    load_deck_text,
    load_decks,
)

__all__ = ["DeckSource", "find_deck_files", "load_deck", "load_deck_text", "load_decks"]
