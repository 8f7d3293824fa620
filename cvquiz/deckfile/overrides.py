"""The user's own versions of bundled cards: files of overrides in the decks folder, written and trimmed.

``cvquiz edit`` on a bundled card copies it into ``<decks folder>/overrides/<deck id>.yaml``, a file with
``overrides: DECK`` in place of ``deck:``/``name:`` (docs/deck-format.md). Deck sync puts each card there in
place of the bundled card with the same id, so the card keeps its collection rows and its history. Reverting a
card removes it from the file (and the file, once empty). Every text written is read back before it is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cvquiz.deckfile.loader import SafeLoaderBase, load_deck_text
from cvquiz.errors import DeckError
from cvquiz.i18n import _

__all__ = ["FOLDER", "add_card", "new_text", "override_path", "remove_card"]

FOLDER = "overrides"
"""Where in the user's decks folder ``cvquiz edit`` puts the overrides of bundled decks."""

_HEADER = (
    "# Your own versions of cards of the bundled deck {id}, written by cvquiz edit. Each card here replaces\n"
    "# the bundled card with the same id and keeps its history; `cvquiz edit --revert {id}/CARD` drops it.\n"
)


def override_path(decks_dir: Path, deck_id: str) -> Path:
    """Where the overrides of a bundled deck go: ``overrides/<deck id>.yaml`` in the user's decks folder."""
    return decks_dir / FOLDER / f"{deck_id}.yaml"


def new_text(deck_id: str, card: Mapping[str, Any]) -> str:
    """The text of a new file of overrides holding one card."""
    from cvquiz.deckfile.writer import card_item

    return _HEADER.format(id=deck_id) + f"overrides: {deck_id}\n\ncards:\n" + card_item(card, 2, 4)


def add_card(text: str, card: Mapping[str, Any], label: str) -> str:
    """A file of overrides with one more card, appended after the others (every other byte kept)."""
    from cvquiz.deckfile.writer import insert_cards

    return insert_cards(text, [card], label)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    cut = text.find("\n", pos)
    return len(text) if cut < 0 else cut + 1


def remove_card(text: str, card_id: str, label: str) -> str | None:
    """A deck file's text without one card (its lines, from its ``-`` to the next card's), or None when none is left.

    Raises:
        DeckError: when the card is not in the file, or the file cannot be read back without only that change.
    """
    before = load_deck_text(text, label)
    try:
        root = yaml.compose(text, Loader=SafeLoaderBase)
    except yaml.YAMLError as error:  # pragma: no cover - the loader has just read it
        raise DeckError(
            _("{file}: cannot parse the deck file: {error}").format(file=label, error=error)
        ) from None
    cards = next(
        (v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "cards"), None
    )
    items = list(cards.value) if isinstance(cards, yaml.SequenceNode) else []
    index = next(
        (
            i
            for i, item in enumerate(items)
            if isinstance(item, yaml.MappingNode)
            and any(k.value == "id" and v.value == card_id for k, v in item.value)
        ),
        None,
    )
    if index is None or cards is None or cards.flow_style:
        raise DeckError(_("{file}: no card {card!r}").format(file=label, card=card_id))
    remaining = [c for c in before.cards if c.id != card_id]
    if not remaining:
        return None
    start = _line_start(text, int(items[index].start_mark.index))
    if index + 1 < len(items):
        end = _line_start(text, int(items[index + 1].start_mark.index))
    else:
        # the last card: up to the end of its own text, so what follows the list stays
        end = _line_end(text, max(int(items[index].end_mark.index) - 1, start))
        start = (
            _line_start(text, max(start - 1, 0))
            if text[max(start - 2, 0) : start] == "\n\n"
            else start
        )
    out = text[:start] + text[end:]
    after = load_deck_text(out, label)
    if [c.to_data() for c in after.cards] != [c.to_data() for c in remaining]:
        raise DeckError(
            _(
                "{file}: card {card!r} could not be removed without changing others; nothing was written"
            ).format(file=label, card=card_id)
        )
    return out
