"""Adding cards to the user's own deck files: check them against the deck, give them ids, write them.

`prepare_cards` sorts new cards into ready, already-there (skipped) and rejected, with the loader's rules
applied to each card as data (nothing is written out and parsed back to find out); `add_cards` writes the
ready ones into the deck file (created if new), keeping every other byte of it, while holding the decks
folder's lock so a second cvquiz never loses them. The result carries the deck as written, so the sync that
follows takes it without parsing the file again. ``cvquiz add`` (flags, prompts, the editor) and
``cvquiz import`` both come here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.cards.ids import card_keys, key_tag, make_card_id
from cvquiz.cards.userdecks import user_deck_path
from cvquiz.cards.validation import check_compute, validate_card
from cvquiz.deckfile.messages import card_prefix
from cvquiz.errors import DeckError, DuplicateCardError
from cvquiz.i18n import _
from cvquiz.model import Card, CardType, Deck
from cvquiz.progress import REPORT_EVERY, Progress, no_progress

if TYPE_CHECKING:
    from cvquiz.deckfile.written import WrittenDeck

__all__ = [
    "AddResult",
    "AddedCard",
    "Prepared",
    "Rejected",
    "add_cards",
    "prepare_cards",
    "write_prepared",
]

INTERNAL = {"json": False}
"""Field metadata of what a result carries for the library only (left out of ``--json``)."""


@dataclass(frozen=True)
class AddedCard:
    """A card written to a deck file.

    Attributes:
        ref: the card reference, ``deck/id``.
        id: the card id.
        line: its line in the deck file.
        question: the first line of its question (or its generator), for listings.
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
        written: the deck file as written, for the sync (None when nothing was written).
    """

    deck: str
    path: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int = 0
    dry_run: bool = False
    written: WrittenDeck | None = field(default=None, repr=False, metadata=INTERNAL)


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
        parsed: the same cards as the loader's rules read them (deck tags not added yet; an id made here is
            in ``cards`` only, the card keeps a placeholder until it is written).
        indexes: for each, its position in the cards given.
        skipped: positions of cards already in the deck (same question, or same id from the same key).
        rejected: cards that cannot be added.
    """

    cards: tuple[dict[str, Any], ...]
    parsed: tuple[Card, ...]
    indexes: tuple[int, ...]
    skipped: tuple[int, ...]
    rejected: tuple[Rejected, ...]


class _Seen:
    """What the deck already holds: ids, the key hashes ids end in, and questions."""

    def __init__(self, deck: Deck | None) -> None:
        existing = deck.cards if deck is not None else ()
        self.ids = {c.id for c in existing}
        self.key_tags = {i.rsplit("-", 1)[-1] for i in self.ids}
        self.questions: dict[str, str] = {}
        for card in existing:
            for k in card_keys(card):
                self.questions.setdefault(k, card.id)

    def add(self, card: Card, card_id: str) -> None:
        for k in card_keys(card):
            self.questions[k] = card_id
        self.ids.add(card_id)
        self.key_tags.add(card_id.rsplit("-", 1)[-1])

    def question_of(self, card: Card) -> str | None:
        return next((self.questions[k] for k in card_keys(card) if k in self.questions), None)

    def plainly_there(self, data: Mapping[str, Any]) -> bool:
        """Whether a card that is not valid is nevertheless in the deck already (by its question)."""
        try:
            card = Card.from_data({**data, "id": "new"})
        except (KeyError, ValueError, TypeError, AttributeError):
            return False
        return self.question_of(card) is not None


def prepare_cards(
    deck: Deck | None,
    cards: Sequence[Mapping[str, Any]],
    keys: Sequence[str | None] | None = None,
    skip_existing: bool = False,
    progress: Progress = no_progress,
) -> Prepared:
    """Check new cards against the deck they go to, give them ids, and sort out duplicates.

    Args:
        deck: the deck as it stands, or None for a new deck.
        cards: the new cards' fields (an ``id`` is kept if given).
        keys: per card, a stable key to derive its id from (imported GUIDs), or None.
        skip_existing: skip cards whose question (or derived id) is already in the deck instead of
            rejecting them; used by import so that importing twice adds nothing.
        progress: told how many cards are checked.

    Returns:
        The cards ready to write, the skipped and the rejected ones.
    """
    seen = _Seen(deck)
    ready: list[dict[str, Any]] = []
    parsed: list[Card] = []
    indexes: list[int] = []
    skipped: list[int] = []
    rejected: list[Rejected] = []
    total = len(cards)
    stage = _("Checking cards")

    def duplicate(index: int, message: str) -> None:
        if skip_existing:
            skipped.append(index)
        else:
            rejected.append(Rejected(index, message, True))

    for index, raw in enumerate(cards):
        if index % REPORT_EVERY == 0:
            progress(stage, index, total)
        data = dict(raw)
        given_id = data.get("id")
        key = keys[index] if keys is not None else None
        if given_id is not None and given_id in seen.ids:
            duplicate(index, _("the deck already has a card {id!r}").format(id=given_id))
            continue
        # A key (an Anki GUID) names the same note on every import, however its text changed since:
        # the id ends in the key's hash, so a card already holding that hash is that note.
        if given_id is None and key is not None and key_tag(key) in seen.key_tags:
            duplicate(index, _("the deck already has this note"))
            continue
        try:
            card = validate_card({**data, "id": given_id or "new"})
        except DeckError as error:
            if skip_existing and seen.plainly_there(data):
                skipped.append(index)
            else:
                rejected.append(Rejected(index, str(error).replace(card_prefix("new"), "")))
            continue
        same = seen.question_of(card)
        if same is not None:
            duplicate(index, _("the deck already has this question (card {id!r})").format(id=same))
            continue
        card_id = given_id
        if card_id is None:
            card_id = make_card_id(card, seen.ids, key)
            data = {"id": card_id, **data}
        seen.add(card, card_id)
        ready.append(data)
        parsed.append(card)
        indexes.append(index)
    progress(stage, total, total)
    return Prepared(tuple(ready), tuple(parsed), tuple(indexes), tuple(skipped), tuple(rejected))


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
    progress: Progress = no_progress,
) -> AddResult:
    """Add cards to a user deck file (created if new), atomically, keeping every other byte of it.

    Args:
        decks_dir: the user's decks folder (its lock is held from reading the deck to writing it).
        bundled_dir: the bundled decks folder (adding there is refused).
        deck_id: the deck to add to.
        cards: the cards' fields (see `cvquiz.cards.fields.card_data`).
        keys: per card, a stable key for its id (imported GUIDs), or None.
        skip_existing: skip cards already in the deck instead of failing (import).
        dry_run: check everything, write nothing.
        deck_name: the display name of a new deck (default: from its id).
        progress: told how many cards are checked.

    Returns:
        What was added, and the deck file as written.

    Raises:
        DeckError: for a bundled deck, a deck file that does not parse, an invalid or duplicate card, an
            unknown generator, or another cvquiz creating the same deck meanwhile ("try again"); the deck
            file is then unchanged.
    """
    from cvquiz.deckfile.lock import decks_folder_lock
    from cvquiz.deckfile.writer import read_deck_file

    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    with decks_folder_lock(decks_dir):
        current = read_deck_file(path) if path.exists() else None
        deck = current[1] if current is not None else None
        if deck is not None and deck.id != deck_id:  # pragma: no cover - found by its deck: line
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
                message = _("card {number}: {problem}").format(
                    number=first.index + 1, problem=message
                )
            raise (DuplicateCardError if first.duplicate else DeckError)(message)
        for data, card in zip(prepared.cards, prepared.parsed, strict=True):
            if card.type is CardType.COMPUTE:
                check_compute(replace(card, id=data["id"]))
        return write_prepared(path, current, deck_id, prepared, dry_run, deck_name)


def write_prepared(
    path: Path,
    current: tuple[str, Deck] | None,
    deck_id: str,
    prepared: Prepared,
    dry_run: bool,
    deck_name: str | None,
) -> AddResult:
    """Write prepared cards into their deck file (the caller holds the decks folder's lock).

    Args:
        path: the deck file.
        current: its text and deck as read under the lock, or None for a new deck.
        deck_id: the deck id.
        prepared: the cards, from `prepare_cards`.
        dry_run: write nothing; report what would be added.
        deck_name: the display name of a new deck (default: from its id).

    Returns:
        What was added, and the file as written.
    """
    from cvquiz.deckfile.writer import append_cards, deck_id_to_name

    if dry_run or not prepared.cards:
        added = tuple(_added(deck_id, c) for c in prepared.cards)
        created = current is None and bool(added)
        return AddResult(deck_id, str(path), created, added, len(prepared.skipped), dry_run)
    result = append_cards(
        path,
        prepared.cards,
        create=(deck_id, deck_name or deck_id_to_name(deck_id)),
        current=current,
        parsed=prepared.parsed,
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
        written=result.written,
    )
