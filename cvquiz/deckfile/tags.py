"""Rewriting cards' tags in a deck file the user owns, keeping every other byte.

Only the ``tags:`` entry of each card named changes: a card's tags are written as one flow list in place of
the old value (``tags: [detection, nms]``), a card without tags gets a ``tags:`` line under its ``id:``, and a
card whose tags all go loses its ``tags:`` line (or gets ``tags: []`` where the old list took several lines).
The new text is parsed again and must give the same deck with only those tags changed, or nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

from cvquiz.deckfile.loader import SafeLoaderBase, load_deck_text
from cvquiz.errors import DeckError
from cvquiz.i18n import _
from cvquiz.model import Deck

__all__ = ["CardTags", "card_tags", "set_card_tags", "tag_list"]

_PLAIN_TAG = re.compile(r"[\w.+/-]+(?:::[\w.+/-]+)*")


@dataclass(frozen=True)
class CardTags:
    """Where a card's ``tags:`` stand in a deck file.

    Attributes:
        card: the card id.
        own: the tags the card itself lists (not its deck's).
        key: the ``tags`` key node, or None when the card has none.
        value: the value node of ``tags``, or None.
        id_value: the ``id`` value node (a new ``tags:`` line goes after its line).
        indent: the column of the card's keys.
    """

    card: str
    own: tuple[str, ...]
    key: yaml.Node | None
    value: yaml.Node | None
    id_value: yaml.Node
    indent: int


def _scalar(value: str) -> str:
    # plain when YAML reads it back as this very string (not `yes`, `null`, `1e3`...)
    if _PLAIN_TAG.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return "'" + value.replace("'", "''") + "'"


def tag_list(tags: Sequence[str]) -> str:
    """Return tags as a YAML flow list (``[detection, nms]``), quoting any that YAML would read otherwise."""
    return "[" + ", ".join(_scalar(t) for t in tags) + "]"


def card_tags(text: str, label: str) -> dict[str, CardTags]:
    """Find every card of a deck file and its own tags.

    Raises:
        DeckError: when the text is not a deck with a block list of block-mapping cards.
    """
    try:
        root = yaml.compose(text, Loader=SafeLoaderBase)
    except yaml.YAMLError as error:
        raise DeckError(
            _("{file}: cannot parse the deck file: {error}").format(file=label, error=error)
        ) from None
    cards = None
    if isinstance(root, yaml.MappingNode):
        cards = next(
            (v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "cards"),
            None,
        )
    if not isinstance(cards, yaml.SequenceNode):
        raise DeckError(_("{file}: the deck has no 'cards:' list").format(file=label))
    found: dict[str, CardTags] = {}
    for item in cards.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        keys = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        if "id" not in keys or not isinstance(keys["id"][1], yaml.ScalarNode):
            continue
        card = str(keys["id"][1].value)
        key, value = keys.get("tags", (None, None))
        own: tuple[str, ...] = ()
        if isinstance(value, yaml.SequenceNode):
            own = tuple(str(v.value) for v in value.value if isinstance(v, yaml.ScalarNode))
        found[card] = CardTags(
            card=card,
            own=own,
            key=key,
            value=value,
            id_value=keys["id"][1],
            indent=int(keys["id"][0].start_mark.column),
        )
        if item.flow_style:
            found[card] = CardTags(card, own, key, value, keys["id"][1], -1)
    return found


def _line_end(text: str, pos: int) -> int:
    cut = text.find("\n", pos)
    return len(text) if cut < 0 else cut + 1


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _edit(
    text: str, where: CardTags, tags: Sequence[str], newline: str, label: str
) -> tuple[int, int, str]:
    """The one edit that gives a card ``tags``: (start, end, replacement)."""
    if where.indent < 0:
        raise DeckError(
            _(
                "{file}: card {card!r} is written in flow style ({{...}}); edit its tags by hand"
            ).format(file=label, card=where.card)
        )
    if where.key is None or where.value is None:
        if not tags:
            return 0, 0, ""
        pos = _line_end(text, int(where.id_value.end_mark.index))
        line = " " * where.indent + "tags: " + tag_list(tags) + newline
        if pos == len(text) and not text.endswith("\n"):
            line = newline + line
        return pos, pos, line
    start = int(where.key.start_mark.index)
    value = where.value
    if int(value.end_mark.line) == int(where.key.start_mark.line):  # all on the key's line
        if not tags:  # drop the whole line (and only it)
            return _line_start(text, start), _line_end(text, int(value.end_mark.index)), ""
        return start, int(value.end_mark.index), "tags: " + tag_list(tags)
    # a block list (or a flow list over several lines): everything from the key to its last item
    end = int(value.end_mark.index)
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        end = int(value.value[-1].end_mark.index)
    return start, end, "tags: " + tag_list(tags)


def set_card_tags(text: str, tags: Mapping[str, Sequence[str]], label: str, deck: Deck) -> str:
    """Return a deck file's text with new own tags for some of its cards, every other byte kept.

    Args:
        text: the file's text (a BOM, if any, already removed).
        tags: card id -> the card's own new tags.
        label: the file name for messages.
        deck: the deck as loaded from ``text`` (the result must give it back with only these tags changed).

    Raises:
        DeckError: when a card is missing or written in a way this cannot edit safely, or when the result
            does not read back as expected (nothing is written then).
    """
    found = card_tags(text, label)
    newline = "\r\n" if "\r\n" in text else "\n"
    edits = []
    for card, new in tags.items():
        if card not in found:
            raise DeckError(_("{file}: no card {card!r}").format(file=label, card=card))
        edits.append(_edit(text, found[card], new, newline, label))
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        if start == end == 0 and not replacement:
            continue
        out = out[:start] + replacement + out[end:]
    _check(out, label, deck, tags)
    return out


def _check(text: str, label: str, deck: Deck, tags: Mapping[str, Sequence[str]]) -> None:
    try:
        again = load_deck_text(text, label, path=deck.path, bundled=deck.bundled)
    except DeckError as error:  # pragma: no cover - an edit that breaks the file is a bug here
        raise DeckError(
            _(
                "{file}: changing the tags would break the deck ({error}); nothing was written"
            ).format(file=label, error=str(error).splitlines()[0])
        ) from None
    expected = []
    for card in deck.cards:
        data = card.to_data()
        if card.id in tags:
            merged = list(dict.fromkeys((*tags[card.id], *deck.tags)))
            data.pop("tags", None)
            if merged:
                data["tags"] = merged
        expected.append(data)
    if [c.to_data() for c in again.cards] != expected or again.tags != deck.tags:
        raise DeckError(
            _(
                "{file}: the tags could not be changed without changing something else; nothing was written"
            ).format(file=label)
        )
