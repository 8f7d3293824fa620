"""Writing cards into deck files the user owns, keeping every other byte and never leaving half a file.

A new card is inserted as text right after the last card of the ``cards:`` list, in the indentation the file
already uses; nothing else in the file is re-emitted, so comments, key order, quoting, blank lines, a BOM and
CRLF line ends all survive. Cards are written by the fast emitter (`cvquiz.deckfile.emit`), whose output the
loader reads back exactly, so the new cards are not parsed again: the writer knows each card's line, and
returns the whole deck as the loader would read it (`WrittenDeck`) for the sync to take as is. Where the text
around the insertion decides how it reads (the file's last card, what follows it), that part is parsed and
checked before anything is written. Files are replaced with `cvquiz.fileio.atomic_write`, and a new deck file
is created only if no other appeared meanwhile, so a crash or a second cvquiz leaves either the old file or
the new one, never a mix and never a lost card.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from cvquiz.deckfile.emit import card_block
from cvquiz.deckfile.loader import CARD_FIELDS, SafeLoaderBase, card_from_data, load_deck_text
from cvquiz.deckfile.written import WrittenDeck
from cvquiz.errors import DeckError, DeckProblems, TargetExistsError
from cvquiz.fileio import atomic_write, describe_decode_error, describe_os_error
from cvquiz.i18n import _
from cvquiz.model import Card, Deck

CARD_KEY_ORDER = CARD_FIELDS
"""The order fields are written in: the deck format's own order."""
BOM = "\ufeff"

_Composer = (
    SafeLoaderBase  # the C loader where available: composing nodes to find each card's lines
)


class _Flow(dict[str, Any]):
    """A mapping written in flow style (``{min: 1, max: 3}``)."""


class _CardDumper(yaml.SafeDumper):
    """Writes cards the way people write them: block text for multi-line strings, flow lists."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a literal block cannot hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(
    dumper: yaml.SafeDumper, value: list[Any] | tuple[Any, ...]
) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(value), flow_style=True)


_CardDumper.add_representer(str, _represent_str)
_CardDumper.add_representer(list, _represent_list)
_CardDumper.add_representer(tuple, _represent_list)
_CardDumper.add_representer(_Flow, _represent_flow)


@dataclass(frozen=True)
class WriteResult:
    """What a write into a deck file did.

    Attributes:
        path: the deck file.
        added: the new cards, with their lines in the file.
        created: True when the file was created.
        written: the file as written, with the whole deck it holds.
    """

    path: Path
    added: tuple[Card, ...]
    created: bool
    written: WrittenDeck


@dataclass(frozen=True)
class Insertion:
    """New cards inserted into a deck's text.

    Attributes:
        text: the new text.
        lines: the line of each new card (its ``- id:`` line), or None when they went into a flow list.
        column: the column of the new cards' keys.
        fast: True when the fast emitter wrote every new card (nothing needs reading back).
    """

    text: str
    lines: tuple[int, ...] | None
    column: int
    fast: bool = False


class DeckExistsError(DeckError):
    """A new deck file could not be created: another one appeared at its path meanwhile."""


def _plain(value: Any) -> Any:
    """Turn mappings (the loader's position-keeping dicts too) into plain data in card key order."""
    if isinstance(value, Mapping):
        items = {str(k): _plain(v) for k, v in value.items()}
        if items and set(items) <= {"min", "max"} | {"rel", "abs"}:
            return _Flow(items)
        return items
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def plain_data(value: Mapping[str, Any]) -> dict[str, Any]:
    """Return parsed YAML (the loader's position-keeping mappings too) as plain dicts and lists."""

    def plain(item: Any) -> Any:
        if isinstance(item, Mapping):
            return {str(k): plain(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [plain(v) for v in item]
        return item

    return {str(k): plain(v) for k, v in value.items()}


def card_yaml(data: Mapping[str, Any]) -> str:
    """Return one card as a YAML block mapping (not indented, ending in a newline).

    Args:
        data: the card's fields, as `cvquiz.model.Card.to_data` gives them (unknown keys kept, at the end).

    Returns:
        The YAML text.
    """
    ordered = {k: data[k] for k in CARD_KEY_ORDER if k in data and data[k] is not None}
    ordered.update({k: v for k, v in data.items() if k not in ordered and v is not None})
    return yaml.dump(
        {k: _plain(v) for k, v in ordered.items()},
        Dumper=_CardDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )


def card_item(data: Mapping[str, Any], dash_col: int, item_col: int, newline: str = "\n") -> str:
    """Return one card as a block-sequence item: ``- id: ...`` with its keys at ``item_col``.

    Args:
        data: the card's fields.
        dash_col: the column of the ``-``.
        item_col: the column of the card's keys (more than ``dash_col``).
        newline: the line end to use.
    """
    return _item(data, dash_col, item_col, newline)[0]


def _item(
    data: Mapping[str, Any], dash_col: int, item_col: int, newline: str = "\n"
) -> tuple[str, bool]:
    """`card_item`, and whether the fast emitter wrote it (its text then needs no reading back)."""
    lines = card_block(data, item_col)
    fast = lines is not None
    if lines is None:
        general = card_yaml(data).splitlines()
        # Blank lines inside block text stay empty: indenting them would add trailing spaces to the file.
        lines = [general[0], *((" " * item_col + line) if line else "" for line in general[1:])]
    first = " " * dash_col + "-" + " " * (item_col - dash_col - 1) + lines[0]
    return newline.join([first, *lines[1:]]) + newline, fast


def _items(
    cards: Sequence[Mapping[str, Any]], dash_col: int, item_col: int, newline: str = "\n"
) -> tuple[list[str], bool]:
    """Every card as an item, and whether the fast emitter wrote them all."""
    items = []
    fast = True
    for data in cards:
        item, quick = _item(data, dash_col, item_col, newline)
        items.append(item)
        fast = fast and quick
    return items, fast


def deck_id_to_name(deck_id: str) -> str:
    """Return a display name for a new deck from its id (``my/interviews`` gives ``My::Interviews``)."""
    parts = [p.replace("-", " ").replace("_", " ").strip() for p in deck_id.split("/")]
    return "::".join(p[:1].upper() + p[1:] for p in parts if p)


def _new_deck(deck_id: str, name: str, cards: Sequence[Mapping[str, Any]]) -> Insertion:
    header = (
        "# Your own cvquiz deck: plain YAML you can read, diff and keep in git.\n"
        "# The format is described in cvquiz's docs/deck-format.md; `cvquiz add` appends cards here.\n"
        + card_yaml({"deck": deck_id, "name": name})
        + "\ncards:\n"
    )
    if not cards:
        return Insertion(header.rstrip("\n") + " []\n", (), 5, True)
    items, fast = _items(cards, 2, 4)
    lines = _item_lines(header.count("\n") + 1, items, True)
    return Insertion(header + "\n".join(items), lines, 5, fast)


def new_deck_text(deck_id: str, name: str, cards: Sequence[Mapping[str, Any]]) -> str:
    """Return the text of a new deck file holding ``cards``.

    Args:
        deck_id: the deck id.
        name: the display name.
        cards: the cards' fields.
    """
    return _new_deck(deck_id, name, cards).text


def _line_end(text: str, pos: int) -> int:
    """Return the index just past the line break ending the line that holds ``pos`` (or len(text))."""
    cut = text.find("\n", pos)
    return len(text) if cut < 0 else cut + 1


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _item_end(node: yaml.Node, text: str) -> tuple[int, bool]:
    """Return where text may go after a list item: the start of the line after its content.

    Returns:
        The index, and whether the item ends in a keep-chomped block scalar (``|+``), whose trailing blank
        lines are part of its value: nothing may be inserted before them, and no blank line after them.
    """
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style:
        if not node.value:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = int(node.end_mark.index)
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        header = text[int(node.start_mark.index) : _line_end(text, int(node.start_mark.index))]
        if "+" in header.split("#", 1)[0]:
            return (end if end == _line_start(text, end) else _line_end(text, end)), True
    # A block scalar's end mark sits after its line breaks; step back to its last character.
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return _line_end(text, end), False


def _is_comment_line(line: str, deeper_than: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) > deeper_than


_TAIL_HEAD = "cards:\n"


def _insert_in_tail(
    text: str, cards: Sequence[Mapping[str, Any]], label: str, last_line: int
) -> tuple[Insertion, int] | None:
    """Insert after the last card by composing only the text from that card on; None when that is unsafe.

    A big deck is mostly cards before the last one, and composing them is most of the cost of an add. From
    the line where the last card's ``-`` stands, the rest of the file reads the same under a lone top-level
    ``cards:`` key as in the file, provided ``cards:`` is a top-level block key at column 0.

    Returns:
        The insertion (lines counted in ``text``), and where the last card's line starts in ``text``.
    """
    lines = text.splitlines(keepends=True)
    if not 1 <= last_line <= len(lines) or not lines[last_line - 1].lstrip(" ").startswith("-"):
        return None
    if not re.search(r"^cards:[ \t]*(#.*)?\r?$", text, re.M):
        return None
    start = sum(len(line) for line in lines[: last_line - 1])
    tail = _TAIL_HEAD + text[start:]
    try:
        root = yaml.compose(tail, Loader=_Composer)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return None
    key, seq = root.value[0]
    if (
        key.value != "cards"
        or not isinstance(seq, yaml.SequenceNode)
        or seq.flow_style
        or len(seq.value) != 1
    ):
        return None
    done = _insert(tail, cards, label)
    shift = last_line - 2  # line 2 of the tail is the file's line `last_line`
    moved = None if done.lines is None else tuple(line + shift for line in done.lines)
    return Insertion(
        text[:start] + done.text[len(_TAIL_HEAD) :], moved, done.column, done.fast
    ), start


def insert_cards(
    text: str, cards: Sequence[Mapping[str, Any]], label: str, last_line: int | None = None
) -> str:
    """Return ``text`` with ``cards`` appended to its ``cards:`` list, every other byte kept.

    The new cards follow the last card (and the comment lines indented under it), in the file's own
    indentation and line ends, separated by a blank line when the file separates its cards so. An empty
    flow list (``cards: []``) becomes a block list; a non-empty flow list gets the cards in flow style.

    Args:
        text: the deck file's text (a BOM, if any, already removed).
        cards: the cards' fields.
        label: the file name for messages.
        last_line: the line of the deck's last card, when known: only the text from there on is parsed.

    Returns:
        The new text.

    Raises:
        DeckError: when the text has no ``cards:`` list to append to.
    """
    if last_line and cards:
        fast = _insert_in_tail(text, cards, label, last_line)
        if fast is not None:
            return fast[0].text
    return _insert(text, cards, label).text


def _insert(text: str, cards: Sequence[Mapping[str, Any]], label: str) -> Insertion:
    """`insert_cards` over the whole text, telling where each new card went."""
    if not cards:
        return Insertion(text, (), 0, True)
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.YAMLError as error:  # the loader has already accepted the text; be safe anyway
        raise DeckError(
            _("{path}: cannot parse the deck file: {reason}").format(path=label, reason=error)
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise DeckError(
            _("{path}: a deck file is a mapping with deck, name and cards").format(path=label)
        )
    found = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "cards"]
    if not found or not isinstance(found[0][1], yaml.SequenceNode):
        raise DeckError(_("{path}: the deck has no 'cards:' list to add to").format(path=label))
    key, seq = found[0]
    if not text[key.start_mark.index :].startswith("cards"):  # pragma: no cover - mark sanity
        raise DeckError(_("{path}: cannot locate the 'cards:' list in the file").format(path=label))

    if seq.flow_style:
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        if not seq.value and not root.flow_style:
            # `cards: []` becomes a block list under the key; the rest of that line is kept.
            line_end = _line_end(text, end)
            rest = text[end:line_end]
            head = text[:start]
            if not rest.strip():
                head = head.rstrip(" ")
            if not rest.endswith("\n"):
                rest += newline
            dash = int(key.start_mark.column) + 2
            items, fast = _items(cards, dash, dash + 2, newline)
            return Insertion(
                head + rest + newline.join(items) + text[line_end:],
                _item_lines((head + rest).count("\n") + 1, items, True),
                dash + 3,
                fast,
            )
        flow = ", ".join(json.dumps(_strip_flow(c), ensure_ascii=False) for c in cards)
        close = text.rfind("]", start, end)
        joiner = ", " if seq.value else ""
        return Insertion(text[:close] + joiner + flow + text[close:], None, 0)

    entries = seq.value
    dash_col = int(seq.start_mark.column)
    item_col = int(entries[-1].start_mark.column)
    if item_col <= dash_col:  # pragma: no cover - a block item always stands right of its dash
        item_col = dash_col + 2
    pos, kept_breaks = _item_end(entries[-1], text)
    while pos < len(text):
        line = text[pos : _line_end(text, pos)].rstrip("\r\n")
        if not _is_comment_line(line, dash_col):
            break
        pos = _line_end(text, pos)
    blank = True
    if len(entries) >= 2:
        item_line = _line_start(text, int(entries[-1].start_mark.index))
        previous = text[_line_start(text, max(item_line - 1, 0)) : item_line]
        blank = not previous.strip() and item_line > 0
    head = text[:pos]
    if head and not head.endswith("\n"):
        head += newline
    sep = newline if blank and not kept_breaks else ""
    items, fast = _items(cards, dash_col, item_col, newline)
    first = head.count("\n") + 1 + (1 if sep else 0)
    return Insertion(
        head + "".join(sep + item for item in items) + text[pos:],
        _item_lines(first, items, bool(sep)),
        item_col + 1,
        fast,
    )


def _item_lines(first: int, items: Sequence[str], blank: bool) -> tuple[int, ...]:
    """The line of each of ``items`` written one after the other from line ``first``."""
    lines = []
    line = first
    for item in items:
        lines.append(line)
        line += item.count("\n") + (1 if blank else 0)
    return tuple(lines)


def _strip_flow(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> os.stat_result:
    """Replace (or create) a deck file with ``data`` atomically (`cvquiz.fileio.atomic_write`).

    Args:
        path: the file.
        data: its new bytes.
        exclusive: create the file only if it does not exist.

    Returns:
        The file's status right after the write (its size and modification time then identify this very
        content: callers hold the decks folder's lock, so no other cvquiz writes in between).

    Raises:
        DeckExistsError: with ``exclusive``, when the file exists (nothing is written).
        FileError: when the file cannot be written (the old file is then untouched).
    """
    try:
        written = atomic_write(path, data, exclusive=exclusive)
    except TargetExistsError:
        raise DeckExistsError(
            _(
                "{path} was created by another cvquiz meanwhile; nothing was written, try again"
            ).format(path=path)
        ) from None
    return written.stat()


def read_deck_file(path: Path) -> tuple[str, Deck]:
    """Read and validate a deck file the way `append_cards` needs it.

    Returns:
        The text (BOM kept) and the deck.

    Raises:
        DeckProblems: when it cannot be read or does not follow the deck format.
    """
    try:
        blob = path.read_bytes()
    except OSError as error:
        raise DeckProblems(
            [_("{path}: cannot read: {reason}").format(path=path, reason=describe_os_error(error))]
        ) from None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DeckProblems(
            [
                _("{path}:1:1: not UTF-8 text ({reason} at byte {byte})").format(
                    path=path, reason=describe_decode_error(error), byte=error.start
                )
            ]
        ) from None
    body = text[1:] if text.startswith(BOM) else text
    return text, load_deck_text(body, str(path), path=path)


def _same_content(card: Card, data: Mapping[str, Any], deck: Deck) -> bool:
    expected = Card.from_data(data)
    tags = tuple(dict.fromkeys((*expected.tags, *deck.tags)))
    return (
        expected.to_data() | {"tags": list(tags)} == card.to_data() | {"tags": list(card.tags)}
        and card.id == expected.id
    )


def _read_back(
    body: str, path: Path, old_cards: Sequence[Card], cards: Sequence[Mapping[str, Any]]
) -> Deck:
    """Parse the new text and check it gives the old cards unchanged plus the new ones; return the deck."""
    try:
        deck = load_deck_text(body, str(path), path=path)
    except DeckProblems as error:
        raise DeckError(
            _(
                "{path}: the card would not read back from the file ({problem}); nothing was written"
            ).format(path=path, problem=error.problems[0])
        ) from None
    kept = deck.cards[: len(old_cards)]
    added = deck.cards[len(old_cards) :]
    if (
        [c.to_data() for c in kept] != [c.to_data() for c in old_cards]
        or len(added) != len(cards)
        or not all(_same_content(c, d, deck) for c, d in zip(added, cards, strict=True))
    ):
        raise DeckError(
            _(
                "{path}: the card does not read back exactly from the file; nothing was written"
            ).format(path=path)
        )
    return deck


_CHECK_HEAD = "deck: read-back\nname: read-back\n"


def _read_back_tail(
    old_body: str,
    new_body: str,
    start: int,
    path: Path,
    cards: Sequence[Mapping[str, Any]],
) -> tuple[Card, ...] | None:
    """Check new cards by parsing only the text from the old last card on, before and after.

    The text before ``start`` is the same bytes in both and ends where the last card's line begins, so it
    reads the same; what remains to check is that the last card reads the same and the new cards read as
    given. Returns the new cards with their lines in the file, or None to fall back to a whole-file check.
    """
    first_line = old_body.count("\n", 0, start) + 1
    offset = first_line - (_CHECK_HEAD + _TAIL_HEAD).count("\n") - 1
    try:
        before = load_deck_text(_CHECK_HEAD + _TAIL_HEAD + old_body[start:], str(path))
        after = load_deck_text(_CHECK_HEAD + _TAIL_HEAD + new_body[start:], str(path))
    except DeckProblems:
        return None
    if (
        len(before.cards) != 1
        or len(after.cards) != 1 + len(cards)
        or after.cards[0].to_data() != before.cards[0].to_data()
        or not all(_same_content(c, d, after) for c, d in zip(after.cards[1:], cards, strict=True))
    ):
        return None
    return tuple(replace(c, line=c.line + offset) for c in after.cards[1:])


def _validated(data: Mapping[str, Any]) -> Card:
    card, problems = card_from_data(dict(data))
    if card is None:
        raise DeckError(problems[0] if problems else _("not a valid card"))
    return card


def _placed(
    parsed: Sequence[Card],
    cards: Sequence[Mapping[str, Any]],
    insertion: Insertion,
    deck_tags: tuple[str, ...],
) -> tuple[Card, ...]:
    """The new cards as the loader will read them from the file: ids, deck tags, lines and column set."""
    assert insertion.lines is not None
    return tuple(
        replace(
            card,
            id=data["id"],
            tags=tuple(dict.fromkeys((*card.tags, *deck_tags))) if deck_tags else card.tags,
            line=line,
            column=insertion.column,
        )
        for card, data, line in zip(parsed, cards, insertion.lines, strict=True)
    )


def append_cards(
    path: Path,
    cards: Sequence[Mapping[str, Any]],
    create: tuple[str, str] | None = None,
    current: tuple[str, Deck] | None = None,
    parsed: Sequence[Card] | None = None,
) -> WriteResult:
    """Append cards to a deck file (creating it if asked), atomically, keeping every other byte.

    Callers that change a user's decks folder hold its lock (`cvquiz.deckfile.lock`) from reading the file
    (``current``) to this write, so no other cvquiz writes in between.

    Args:
        path: the deck file.
        cards: the new cards' fields (ids already chosen and unique).
        create: ``(deck id, name)`` to create the file when it does not exist; None to require it.
        current: the file's text and deck as `read_deck_file` gave them, to save reading it again.
        parsed: the new cards as the loader's rules read their fields (`card_from_data`), when the caller
            has them already (their ids may be a placeholder: the fields' ``id`` is the one written); they
            are worked out here otherwise.

    Returns:
        What was written, with the whole deck as the loader would read it back.

    Raises:
        DeckProblems: when the existing file does not parse or follow the format.
        DeckExistsError: when a new deck file appeared at ``path`` meanwhile (nothing is written).
        DeckError: when a card id is already in the deck, the new text does not read back exactly, the file
            changed meanwhile, or it cannot be written. In every case the file is left as it was.
    """
    new_cards = tuple(parsed) if parsed is not None else tuple(_validated(c) for c in cards)
    if not path.exists():
        if create is None:
            raise DeckError(_("{path}: no such deck file").format(path=path))
        insertion = _new_deck(create[0], create[1], cards)
        if insertion.fast:
            made = Deck(
                create[0], create[1], cards=_placed(new_cards, cards, insertion, ()), path=path
            )
        else:
            made = _read_back(insertion.text, path, (), cards)
        data = insertion.text.encode("utf-8")
        stat = write_atomic(path, data, exclusive=True)
        written = WrittenDeck.of(path, made, data, stat)
        return WriteResult(path=path, added=made.cards, created=True, written=written)

    old_text, old_deck = current if current is not None else read_deck_file(path)
    bom = BOM if old_text.startswith(BOM) else ""
    old_body = old_text[len(bom) :]
    existing = {c.id for c in old_deck.cards}
    clash = [c["id"] for c in cards if c["id"] in existing]
    if clash:
        raise DeckError(
            _("{path}: deck {deck!r} already has a card {id!r}").format(
                path=path, deck=old_deck.id, id=clash[0]
            )
        )
    label = str(path)
    fast = (
        _insert_in_tail(old_body, cards, label, old_deck.cards[-1].line)
        if old_deck.cards and cards
        else None
    )
    deck: Deck | None = None
    if fast is not None:
        insertion, start = fast
        if insertion.fast and insertion.lines is not None:
            # What the new text around the insertion point reads as (the old last card, the first new
            # card, whatever follows) decides whether the rest reads right: check that part only.
            probe = _insert_in_tail(old_body, cards[:1], label, old_deck.cards[-1].line)
            first = (
                _read_back_tail(old_body, probe[0].text, start, path, cards[:1]) if probe else None
            )
            placed = _placed(new_cards, cards, insertion, old_deck.tags)
            if first is not None and (first[0].line, first[0].column) == (
                placed[0].line,
                placed[0].column,
            ):
                deck = replace(old_deck, cards=old_deck.cards + placed)
    else:
        insertion = _insert(old_body, cards, label)
    if deck is None:
        deck = _read_back(insertion.text, path, old_deck.cards, cards)
    _check_unchanged(path, old_text)
    data = (bom + insertion.text).encode("utf-8")
    stat = write_atomic(path, data)
    added = deck.cards[len(old_deck.cards) :]
    written = WrittenDeck.of(path, deck, data, stat)
    return WriteResult(path=path, added=added, created=False, written=written)


def replace_deck_text(path: Path, old_text: str, new_text: str, deck: Deck) -> WrittenDeck:
    """Replace a deck file's whole text, if it still holds ``old_text``.

    Args:
        path: the deck file.
        old_text: the text it held when it was read (a BOM included).
        new_text: its new text.
        deck: the deck ``new_text`` holds, as the loader reads it.

    Returns:
        The file as written.

    Raises:
        DeckError: when the file changed since it was read, or cannot be written (it is left as it was).
    """
    _check_unchanged(path, old_text)
    data = new_text.encode("utf-8")
    return WrittenDeck.of(path, deck, data, write_atomic(path, data))


class DeckChangedError(DeckError):
    """A deck file changed on disk between being read and being written back."""


def _check_unchanged(path: Path, old_text: str | None) -> None:
    """Refuse to write when the file changed since it was read (another program, an editor)."""
    try:
        now = path.read_bytes().decode("utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError):
        now = ""
    if now != old_text:
        raise DeckChangedError(
            _(
                "{path}: the file changed while cvquiz was writing to it; nothing was written, try again"
            ).format(path=path)
        )


def _dash_start(text: str, item: yaml.Node, dash_col: int) -> int:
    """Return the start of the line holding the ``-`` of a block-sequence item."""
    pos = int(item.start_mark.index)
    while pos > 0:
        start = _line_start(text, pos)
        if text[start + dash_col : start + dash_col + 1] == "-":
            return start
        pos = start - 1
    return 0


def replace_cards(
    path: Path, cards: Sequence[Mapping[str, Any]], current: tuple[str, Deck] | None = None
) -> WriteResult:
    """Replace cards of a deck file in place (matched by id), atomically, keeping every other byte.

    Each card's whole list item is written anew in the file's indentation and line ends; the cards around it,
    comments between cards, and everything outside the ``cards:`` list stay as they are.

    Args:
        path: the deck file.
        cards: the cards' new fields; each ``id`` must be in the deck.
        current: the file's text and deck as `read_deck_file` gave them.

    Returns:
        What was written (``added`` holds the replaced cards, with their lines).

    Raises:
        DeckProblems: when the file does not parse or follow the format.
        DeckError: when an id is not in the deck, the cards are a flow list, the new text does not read back
            exactly, the file changed meanwhile, or it cannot be written. The file is then left as it was.
    """
    old_text, old_deck = current if current is not None else read_deck_file(path)
    if not cards:
        unchanged = old_text.encode("utf-8")
        written = WrittenDeck.of(path, old_deck, unchanged, path.stat())
        return WriteResult(path=path, added=(), created=False, written=written)
    bom = BOM if old_text.startswith(BOM) else ""
    body = old_text[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    wanted = {str(c["id"]): c for c in cards}
    root = yaml.compose(body, Loader=_Composer)
    found = [
        v
        for k, v in (root.value if isinstance(root, yaml.MappingNode) else [])
        if isinstance(k, yaml.ScalarNode) and k.value == "cards"
    ]
    if not found or not isinstance(found[0], yaml.SequenceNode) or found[0].flow_style:
        raise DeckError(
            _("{path}: cards can only be updated in a block list ('- id: ...')").format(path=path)
        )
    seq = found[0]
    dash_col = int(seq.start_mark.column)
    spans: list[tuple[int, int, str]] = []
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        ids = [v.value for k, v in item.value if isinstance(k, yaml.ScalarNode) and k.value == "id"]
        if not ids or ids[0] not in wanted:
            continue
        end, kept_breaks = _item_end(item, body)
        if kept_breaks:
            raise DeckError(
                _("{path}: card {card!r} ends in a '|+' block; edit it by hand").format(
                    path=path, card=ids[0]
                )
            )
        item_col = max(int(item.start_mark.column), dash_col + 2)
        text = card_item(wanted[ids[0]], dash_col, item_col, newline)
        spans.append((_dash_start(body, item, dash_col), end, text))
    missing = set(wanted) - {c.id for c in old_deck.cards}
    if missing or len(spans) != len(wanted):
        raise DeckError(
            _("{path}: deck {deck!r} has no card {card!r}").format(
                path=path, deck=old_deck.id, card=sorted(missing)[0]
            )
        )
    new_body = body
    for start, end, text in sorted(spans, reverse=True):
        new_body = new_body[:start] + text + new_body[end:]
    try:
        deck = load_deck_text(new_body, str(path), path=path)
    except DeckProblems as error:
        raise DeckError(
            _(
                "{path}: the cards would not read back from the file ({problem}); nothing was written"
            ).format(path=path, problem=error.problems[0])
        ) from None
    replaced = [c for c in deck.cards if c.id in wanted]
    exact = len(deck.cards) == len(old_deck.cards) and all(
        old.id == new.id
        and (
            _same_content(new, wanted[new.id], deck)
            if new.id in wanted
            else old.to_data() == new.to_data()
        )
        for old, new in zip(old_deck.cards, deck.cards, strict=False)
    )
    if not exact or len(replaced) != len(wanted):
        raise DeckError(
            _(
                "{path}: the cards do not read back exactly from the file; nothing was written"
            ).format(path=path)
        )
    _check_unchanged(path, old_text)
    data = (bom + new_body).encode("utf-8")
    written = WrittenDeck.of(path, deck, data, write_atomic(path, data))
    return WriteResult(path=path, added=tuple(replaced), created=False, written=written)
