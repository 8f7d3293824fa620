"""Adding cards to the user's own deck files: check them against the deck, give them ids, write them.

`prepare_cards` sorts new cards into ready, already-there (skipped) and rejected, with the loader's rules
applied to each card as data; `add_cards` writes the ready ones into the deck file (created if new), keeping
every other byte of it. ``cvquiz add`` (flags, prompts, the editor) and ``cvquiz import`` both come here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvquiz.cards.ids import card_keys, key_tag, make_card_id
from cvquiz.cards.userdecks import user_deck_path
from cvquiz.cards.validation import check_compute, validate_card
from cvquiz.errors import DeckError, DuplicateCardError
from cvquiz.i18n import _
from cvquiz.model import Card, CardType, Deck

__all__ = ["AddResult", "AddedCard", "Prepared", "Rejected", "add_cards", "prepare_cards"]


@dataclass(frozen=True)
class AddedCard:
    """A card written to a deck file.

    Attributes:
        ref: the card reference, ``deck/id``.
        id: the card id.
        line: its line in the deck file.
    """

    ref: str
    id: str
    line: int
    question: str = ""


def _headline(question: Any) -> str:
    """The first line of a question in deck form (a string or ``{zh, en}``), for listings."""
    if isinstance(question, Mapping):
        question = question.get("en") or question.get("zh") or ""
    text = str(question or "").strip()
    return text.splitlines()[0] if text else ""


def _added(deck_id: str, data: Mapping[str, Any], line: int = 0) -> AddedCard:
    ref = f"{deck_id}/{data['id']}"
    head = _headline(data.get("question")) or str(data.get("generator") or "")
    return AddedCard(ref, str(data["id"]), line, head)


@dataclass(frozen=True)
class AddResult:
    """What adding cards did.

    Attributes:
        deck: the deck id.
        path: the deck file.
        created: True when the deck file was created.
        added: the new cards.
        skipped: how many cards were already in the deck (import only).
        dry_run: True when nothing was written.
    """

    deck: str
    path: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class Rejected:
    """A card that cannot be added.

    Attributes:
        index: its position in the cards given.
        message: why.
        duplicate: True when it is already in the deck (same id, note or question).
    """

    index: int
    message: str
    duplicate: bool = False


@dataclass(frozen=True)
class Prepared:
    """New cards checked against a deck, ready to write.

    Attributes:
        cards: the cards' fields, with ids.
        indexes: for each, its position in the cards given.
        skipped: positions of cards already in the deck (same question, or same id from the same key).
        rejected: cards that cannot be added.
    """

    cards: tuple[dict[str, Any], ...]
    indexes: tuple[int, ...]
    skipped: tuple[int, ...]
    rejected: tuple[Rejected, ...]


def _already_there(
    data: Mapping[str, Any],
    key: str | None,
    taken: set[str],
    tags_taken: set[str],
    seen: Mapping[str, str],
) -> bool:
    """Tell, without validating, whether a card is plainly in the deck already (by id, key or question)."""
    if data.get("id") in taken or (key is not None and key_tag(key) in tags_taken):
        return True
    try:
        card = Card.from_data({**data, "id": "new"})
    except (KeyError, ValueError, TypeError, AttributeError):
        return False  # not even shaped like a card: validation will say why
    return any(k in seen for k in card_keys(card))


def prepare_cards(
    deck: Deck | None,
    cards: Sequence[Mapping[str, Any]],
    keys: Sequence[str | None] | None = None,
    skip_existing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Prepared:
    """Check new cards against the deck they go to, give them ids, and sort out duplicates.

    Args:
        deck: the deck as it stands, or None for a new deck.
        cards: the new cards' fields (an ``id`` is kept if given).
        keys: per card, a stable key to derive its id from (imported GUIDs), or None.
        skip_existing: skip cards whose question (or derived id) is already in the deck instead of
            rejecting them; used by import so that importing twice adds nothing.
        progress: called with (done, total) as cards are checked.

    Returns:
        The cards ready to write, the skipped and the rejected ones.
    """
    existing = deck.cards if deck is not None else ()
    taken = {c.id for c in existing}
    tags_taken = {i.rsplit("-", 1)[-1] for i in taken}
    seen: dict[str, str] = {}
    for card in existing:
        for k in card_keys(card):
            seen.setdefault(k, card.id)
    ready: list[dict[str, Any]] = []
    indexes: list[int] = []
    skipped: list[int] = []
    rejected: list[Rejected] = []
    total = len(cards)
    for index, raw in enumerate(cards):
        if progress is not None and (index % 50 == 0 or index == total - 1):
            progress(index + 1, total)
        data = dict(raw)
        given_id = data.get("id")
        key = keys[index] if keys is not None else None
        if skip_existing and _already_there(data, key, taken, tags_taken, seen):
            skipped.append(index)  # re-importing a big file should not re-check every note
            continue
        try:
            probe = validate_card({**data, "id": given_id or "new"})
        except DeckError as error:
            rejected.append(Rejected(index, str(error).replace("card 'new': ", "")))
            continue
        if given_id is None:
            # A key (an Anki GUID) names the same note on every import, however its text changed since:
            # the id ends in the key's hash, so a card already holding that hash is that note.
            if key is not None and key_tag(key) in tags_taken:
                if skip_existing:
                    skipped.append(index)
                    continue
                rejected.append(Rejected(index, _("the deck already has this note"), True))
                continue
            data = {"id": make_card_id(probe, taken, key), **data}
        elif given_id in taken:
            if skip_existing:
                skipped.append(index)
                continue
            rejected.append(
                Rejected(index, _("the deck already has a card {id!r}").format(id=given_id), True)
            )
            continue
        dup = next((seen[k] for k in card_keys(probe) if k in seen), None)
        if dup is not None:
            if skip_existing:
                skipped.append(index)
                continue
            rejected.append(
                Rejected(
                    index,
                    _("the deck already has this question (card {id!r})").format(id=dup),
                    True,
                )
            )
            continue
        for k in card_keys(probe):
            seen[k] = data["id"]
        taken.add(data["id"])
        tags_taken.add(data["id"].rsplit("-", 1)[-1])
        ready.append(data)
        indexes.append(index)
    return Prepared(tuple(ready), tuple(indexes), tuple(skipped), tuple(rejected))


def add_cards(
    decks_dir: Path,
    bundled_dir: Path,
    deck_id: str,
    cards: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str | None] | None = None,
    skip_existing: bool = False,
    dry_run: bool = False,
    deck_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Add cards to a user deck file (created if new), atomically, keeping every other byte of it.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder (adding there is refused).
        deck_id: the deck to add to.
        cards: the cards' fields (see `card_data`).
        keys: per card, a stable key for its id (imported GUIDs), or None.
        skip_existing: skip cards already in the deck instead of failing (import).
        dry_run: check everything, write nothing.
        deck_name: the display name of a new deck (default: from its id).
        progress: called with (done, total) while cards are checked.

    Returns:
        What was added.

    Raises:
        DeckError: for a bundled deck, a deck file that does not parse, an invalid or duplicate card, or an
            unknown generator; the deck file is then unchanged.
    """
    from cvquiz.deckfile.writer import read_deck_file

    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    deck: Deck | None = None
    current = None
    if path.exists():
        current = read_deck_file(path)
        deck = current[1]
        if deck.id != deck_id:  # pragma: no cover - user_deck_path matched the deck: line
            raise DeckError(
                _("{path} holds deck {other!r}, not {id!r}; choose another deck id").format(
                    path=path, other=deck.id, id=deck_id
                )
            )
    prepared = prepare_cards(deck, cards, keys, skip_existing, progress)
    if prepared.rejected:
        first = prepared.rejected[0]
        message = first.message
        if len(cards) > 1:
            message = _("card {number}: {problem}").format(number=first.index + 1, problem=message)
        error_type = DuplicateCardError if first.duplicate else DeckError
        raise error_type(message)
    for data in prepared.cards:
        if data.get("type") == CardType.COMPUTE.value:
            check_compute(Card.from_data(data))
    return write_prepared(path, current, deck_id, prepared, dry_run, deck_name)


def write_prepared(
    path: Path,
    current: tuple[str, Deck] | None,
    deck_id: str,
    prepared: Prepared,
    dry_run: bool,
    deck_name: str | None,
) -> AddResult:
    from cvquiz.deckfile.writer import append_cards, deck_id_to_name

    if dry_run or not prepared.cards:
        added = tuple(_added(deck_id, c) for c in prepared.cards)
        return AddResult(
            deck_id,
            str(path),
            current is None and bool(added),
            added,
            len(prepared.skipped),
            dry_run,
        )
    result = append_cards(
        path,
        prepared.cards,
        create=(deck_id, deck_name or deck_id_to_name(deck_id)),
        current=current,
    )
    return AddResult(
        deck=deck_id,
        path=str(path),
        created=result.created,
        added=tuple(
            _added(deck_id, data, card.line)
            for card, data in zip(result.added, prepared.cards, strict=True)
        ),
        skipped=len(prepared.skipped),
    )
