"""Importing an Anki package (``.apkg``, ``.colpkg``): its reviews merged, its shared notes made a user deck.

One service over the Anki pieces (`cvquiz.anki`): read the package (`cvquiz.anki.package_reader`); merge the
reviews of the notes cvquiz exported (`cvquiz.anki.merge`); with a deck named, turn the other notes into that
user deck (`cvquiz.anki.shared_deck` converts them; this module writes the deck file, its media folder, and
updates cards in place through `cvquiz.deckfile.writer`) and, with ``with_progress``, merge their reviews too
once the deck is in the collection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cvquiz.anki.merge import MergeResult, match_exported, merge_package, readable
from cvquiz.anki.package_reader import Package, PackageNote, read_package
from cvquiz.anki.shared_deck import (
    convert_note,
    first_of_each_guid,
    foreign_notes,
    media_folder,
    shared_targets,
)
from cvquiz.cards.ids import key_tag, make_card_id
from cvquiz.cards.userdecks import user_deck_path
from cvquiz.cards.validation import validate_card
from cvquiz.deckfile.messages import card_prefix
from cvquiz.errors import DeckError, UsageError
from cvquiz.i18n import _, ngettext
from cvquiz.model import Card

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.config import Settings

__all__ = [
    "PACKAGE_SUFFIXES",
    "PackageImportResult",
    "SharedDeckResult",
    "import_package",
    "is_package",
    "write_shared_deck",
]

PACKAGE_SUFFIXES = (".apkg", ".colpkg")
"""What an Anki package's file name ends with."""


def is_package(path: Path) -> bool:
    """True when ``path`` names an Anki package (by its extension)."""
    return path.suffix.lower() in PACKAGE_SUFFIXES


@dataclass(frozen=True)
class SharedDeckResult:
    """What turning a package's notes into a deck did (or, with ``dry_run``, would do).

    Attributes:
        deck: the deck id.
        path: its file.
        created: True when the file was (or would be) created.
        added: cards added.
        updated: cards rewritten because their note changed.
        unchanged: cards already as their note says.
        kept: cards whose note changed but that were edited in the deck since (left as they are).
        media: media files copied.
        problems: notes that could not become cards, one line each.
        warnings: note types mapped by their first two fields, one line each with how many notes.
        reviews: review-log entries in the package for these notes (what ``--with-progress`` merges).
        dry_run: True when nothing was written.
        cards: each note's card id in the deck, by GUID.
        notes: the package's notes the deck is made of (those cvquiz did not export, one per GUID); with
            none, no deck file is created.
    """

    deck: str
    path: str
    created: bool
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int
    kept: tuple[str, ...]
    media: int
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    reviews: int
    dry_run: bool
    cards: dict[str, str] = field(default_factory=dict)
    notes: int = 0


def _deck_name(package: Package, notes: Sequence[PackageNote], deck_id: str) -> str:
    from cvquiz.deckfile.writer import deck_id_to_name

    ids = {n.id for n in notes}
    counts = Counter(c.deck_id for c in package.cards if c.note_id in ids)
    for did, _count in counts.most_common():
        deck = package.decks.get(did)
        if deck is not None and deck.name and deck.name != "Default":
            return deck.name
    return deck_id_to_name(deck_id)


def _same(card: Card, data: Mapping[str, Any], deck_tags: Sequence[str]) -> bool:
    expected = Card.from_data({**data, "id": card.id})
    tags = list(dict.fromkeys((*expected.tags, *deck_tags)))
    return expected.to_data() | {"tags": tags} == card.to_data() | {"tags": list(card.tags)}


def _copy_media(package: Package, folder: Path, names: Sequence[str]) -> tuple[int, list[str]]:
    from cvquiz.fileio import atomic_write

    copied = 0
    problems: list[str] = []
    for name in names:
        if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
            problems.append(
                _("media file {name!r}: not a plain file name; left out").format(name=name)
            )
            continue
        if name not in package.media:
            problems.append(
                _("media file {name!r}: not in the package; the card shows its name only").format(
                    name=name
                )
            )
            continue
        data = package.read_media(name)
        target = folder / name
        try:
            if target.is_file() and target.read_bytes() == data:
                continue
        except OSError:
            pass
        atomic_write(target, data)
        copied += 1
    return copied, problems


def write_shared_deck(
    package: Package,
    notes: Sequence[PackageNote],
    deck_id: str,
    *,
    decks_dir: Path,
    bundled_dir: Path,
    collection: Collection | None = None,
    dry_run: bool = False,
) -> SharedDeckResult:
    """Turn notes of a package into the user deck ``deck_id``: add new cards, update changed ones in place.

    Args:
        package: the package.
        notes: the notes to convert (those cvquiz did not export).
        deck_id: the user deck (created when new).
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        collection: the collection, to tell when each card last changed in cvquiz (None: always update).
        dry_run: work everything out; write nothing.

    Returns:
        What was (or would be) written.

    Raises:
        DeckError: for a bad or bundled deck id, or a deck file that cannot be read or written.
    """
    from cvquiz.deckfile.writer import append_cards, read_deck_file, replace_cards

    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    current = read_deck_file(path) if path.exists() else None
    deck = current[1] if current is not None else None
    existing: dict[str, Card] = {}
    for card in deck.cards if deck is not None else ():
        # the first card with a note's hash is that note's (an older cvquiz made one of each duplicate)
        existing.setdefault(card.id.rsplit("-", 1)[-1], card)
    taken = {c.id for c in deck.cards} if deck is not None else set()
    folder = media_folder(path)
    prefix = f"media/{quote(path.stem)}/"
    changed_at: dict[str, int] = {}
    if collection is not None and deck is not None:
        from cvquiz.collection.anki_merge import card_rows

        for row in card_rows(collection, [deck_id]):
            changed_at[row.card_id] = max(changed_at.get(row.card_id, 0), row.modified_at)
    added: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    kept: list[str] = []
    unchanged = 0
    problems: list[str] = []
    warnings: Counter[str] = Counter()
    media: list[str] = []
    ids: dict[str, str] = {}
    notes, repeated = first_of_each_guid(notes)
    for note in repeated:
        problems.append(
            _("note {guid}: an earlier note of the package has the same GUID; left out").format(
                guid=note.guid
            )
        )
    for note in notes:
        notetype = package.notetypes.get(note.notetype_id)
        if notetype is None:
            problems.append(_("note {guid}: its note type is missing").format(guid=note.guid))
            continue
        converted = convert_note(note, notetype, prefix)
        if isinstance(converted, str):
            problems.append(converted)
            continue
        if converted.warning:
            warnings[converted.warning] += 1
        old = existing.get(key_tag(converted.key))
        card_id = old.id if old is not None else None
        try:
            probe = validate_card({**converted.data, "id": card_id or "new"})
        except DeckError as error:
            problems.append(
                _("note {guid}: {reason}").format(
                    guid=note.guid, reason=str(error).replace(card_prefix("new"), "")
                )
            )
            continue
        media.extend(converted.media)
        if old is None:
            card_id = make_card_id(probe, taken, converted.key)
            taken.add(card_id)
            added.append({"id": card_id, **converted.data})
        elif _same(old, converted.data, deck.tags if deck is not None else ()):
            unchanged += 1
        elif note.mod * 1000 > changed_at.get(old.id, 0):
            updated.append({"id": old.id, **converted.data})
        else:
            kept.append(old.id)
        ids[note.guid] = str(card_id)
    copied = 0
    if not dry_run:
        copied, media_problems = _copy_media(package, folder, list(dict.fromkeys(media)))
        problems.extend(media_problems)
        if updated:
            replace_cards(path, updated, current)
            current = read_deck_file(path)
        if added:  # a deck with no cards to add is not created
            append_cards(
                path, added, create=(deck_id, _deck_name(package, notes, deck_id)), current=current
            )
    note_ids = {n.id for n in notes}
    card_ids = {c.id for c in package.cards if c.note_id in note_ids}
    reviews = sum(1 for e in package.revlog if e.card_id in card_ids and e.ease > 0 and readable(e))
    return SharedDeckResult(
        deck=deck_id,
        path=str(path),
        created=current is None and bool(added),
        added=tuple(c["id"] for c in added),
        updated=tuple(c["id"] for c in updated),
        unchanged=unchanged,
        kept=tuple(kept),
        media=copied,
        problems=tuple(problems),
        warnings=tuple(
            ngettext("{warning} ({count} note)", "{warning} ({count} notes)", n).format(
                warning=w, count=n
            )
            for w, n in warnings.items()
        ),
        reviews=reviews,
        dry_run=dry_run,
        cards=ids,
        notes=len(notes) + len(repeated),
    )


@dataclass(frozen=True)
class PackageImportResult:
    """What importing a package did (or, with a dry run, would do).

    Attributes:
        path: the package.
        version: its format: 1 and 2 legacy (``collection.anki2``/``.anki21``), 3 current (``.anki21b``).
        notes: notes in the package.
        reviews: the merge of the exported notes' reviews.
        deck: the shared deck written, when a deck was named.
        deck_reviews: the merge of that deck's reviews (``with_progress``).
    """

    path: str
    version: int
    notes: int
    reviews: MergeResult
    deck: SharedDeckResult | None = None
    deck_reviews: MergeResult | None = None


def _converted_into(col: Collection, notes: Sequence[PackageNote]) -> str | None:
    """The user deck most of these notes were converted into earlier (their card ids end in their key's
    hash), or None."""
    from cvquiz.collection.anki_merge import card_rows

    tags = {key_tag(f"anki:{note.guid}") for note in notes}
    decks = Counter(row.deck_id for row in card_rows(col) if row.card_id.rsplit("-", 1)[-1] in tags)
    if not decks:
        return None
    deck, _count = decks.most_common(1)[0]
    return deck


def import_package(
    path: Path,
    collection: Callable[[], Collection],
    settings: Settings,
    now: datetime,
    *,
    decks_dir: Path,
    bundled_dir: Path,
    deck_id: str | None = None,
    with_progress: bool = False,
    dry_run: bool = False,
) -> PackageImportResult:
    """Import an Anki package.

    Args:
        path: the ``.apkg`` or ``.colpkg`` file.
        collection: opens the collection, syncing the decks into it (called again after a deck is written).
        settings: the scheduler settings.
        now: the current time (when a written deck is synced).
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        deck_id: the user deck to turn the notes cvquiz did not make into, or None to leave them out.
        with_progress: also merge the reviews of those notes.
        dry_run: work everything out; write nothing.

    Returns:
        What was merged and written, and what was left out.

    Raises:
        PackageError: the file is not an Anki package cvquiz reads.
        UsageError: the package holds only notes cvquiz did not make and no deck is named, or
            ``with_progress`` without a deck.
        DeckError: the deck cannot be written.
    """
    if with_progress and deck_id is None:
        raise UsageError(
            _("--with-progress brings in a shared deck's scheduling: name the deck with --deck")
        )
    package = read_package(path)
    col = collection()
    targets = match_exported(col, package)
    if deck_id is None and targets.notes.get("unknown") == len(package.notes) and package.notes:
        converted = _converted_into(col, package.notes)
        if converted is not None:
            raise UsageError(
                _(
                    "{path}: its notes are your deck {deck}, converted from a shared deck; to update it "
                    "and bring its reviews: cvquiz import anki {path} --deck {deck} --with-progress"
                ).format(path=path, deck=converted)
            )
        raise UsageError(
            _(
                "{path}: none of its {count} notes was exported by cvquiz; "
                "to study them, make them a deck: cvquiz import anki {path} --deck mine/NAME"
            ).format(path=path, count=len(package.notes))
        )
    deck = deck_reviews = None
    if deck_id is not None:
        notes = foreign_notes(package, targets)
        targets.notes.pop("unknown", None)
        deck = write_shared_deck(
            package,
            notes,
            deck_id,
            decks_dir=decks_dir,
            bundled_dir=bundled_dir,
            collection=col,
            dry_run=dry_run,
        )
        if with_progress:
            if not dry_run:
                col = collection()
                from cvquiz.generators import card_problem

                col.sync_decks(
                    bundled_dir, decks_dir, now, settings.rollover_hour, vet=card_problem
                )
            deck_targets = shared_targets(col, package, notes, deck_id, deck.cards, dry_run=dry_run)
            deck_reviews = merge_package(col, package, deck_targets, settings, dry_run=dry_run)
    reviews = merge_package(col, package, targets, settings, dry_run=dry_run)
    return PackageImportResult(
        path=str(path),
        version=package.version,
        notes=len(package.notes),
        reviews=reviews,
        deck=deck,
        deck_reviews=deck_reviews,
    )
