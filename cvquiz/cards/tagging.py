"""``cvquiz tag add|remove TAG QUERY``: a tag added to or removed from many cards, in one undoable change.

A card of the user's own decks keeps its tags in its deck file, so the file is rewritten (only the card's
``tags:`` entry changes; `cvquiz.deckfile.tags`) and then the collection. A bundled card's file is never
written: its tags change in the collection only, and deck sync keeps them over later versions of the deck. In
either kind of deck, a tag the deck gives every card (the deck's own ``tags:``) cannot be taken from one card: it
is left, and reported with the deck file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import changes
from cvquiz.collection.undo import FileTags
from cvquiz.errors import CardInputError, DeckError, UsageError
from cvquiz.fileio import describe_decode_error, describe_os_error
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.cards.searching import Selection
    from cvquiz.collection import Collection

__all__ = ["TagResult", "tag_cards", "write_file_tags"]


@dataclass(frozen=True)
class TagResult:
    """What ``tag add`` or ``tag remove`` did.

    Attributes:
        op: ``add`` or ``remove``.
        tag: the tag.
        changed: the cards whose tags changed (``deck/id``).
        unchanged: how many cards already had it (add) or did not have it (remove).
        from_deck: cards whose tag comes from their deck's ``tags:`` (remove only; left as they are).
        from_deck_files: the deck files whose ``tags:`` give it to them.
        files: the deck files rewritten.
        change_id: the entry in the undo log, or None when nothing changed.
    """

    op: str
    tag: str
    changed: tuple[str, ...]
    unchanged: int
    from_deck: tuple[str, ...]
    from_deck_files: tuple[str, ...]
    files: tuple[str, ...]
    change_id: int | None


def _check_tag(tag: str, op: str) -> str:
    """A tag to add keeps to the commands' rule; one to remove may be any tag a deck file holds (an import's)."""
    from cvquiz.cards.fields import check_new_tag
    from cvquiz.deckfile.loader import TAG_RE

    if op == "add":
        return check_new_tag(tag)
    tag = tag.strip()
    if not TAG_RE.match(tag):
        raise CardInputError(
            _("bad tag {tag!r}: letters, digits, '_' and '-' joined by '::', no spaces").format(
                tag=tag
            )
        )
    return tag


def _has(tags: Sequence[str], tag: str) -> bool:
    key = tag.casefold()
    return any(t.casefold() == key for t in tags)


def _without(tags: Sequence[str], tag: str) -> list[str]:
    key = tag.casefold()
    return [t for t in tags if t.casefold() != key]


def _read(path: Path) -> tuple[str, str]:
    """A deck file's text without its BOM, and the BOM (or nothing)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise DeckError(
            _("{path}: cannot read: {reason}").format(path=path, reason=describe_os_error(error))
        ) from None
    except UnicodeDecodeError as error:
        raise DeckError(
            _("{path}: not UTF-8 text ({reason})").format(
                path=path, reason=describe_decode_error(error)
            )
        ) from None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return text[len(bom) :], bom


def _new_file_texts(own_tags: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, bytes]:
    """Every file's new bytes, worked out before any is written (so one bad file writes none)."""
    from cvquiz.deckfile.loader import load_deck_text
    from cvquiz.deckfile.tags import set_card_tags

    out: dict[str, bytes] = {}
    for path, tags in own_tags.items():
        text, bom = _read(Path(path))
        deck = load_deck_text(text, path, path=Path(path))
        out[path] = (bom + set_card_tags(text, tags, path, deck)).encode("utf-8")
    return out


def _write(texts: Mapping[str, bytes]) -> None:
    from cvquiz.fileio import atomic_write

    for path, data in texts.items():
        atomic_write(Path(path), data)


def _folder_lock(decks_dir: Path | None) -> AbstractContextManager[None]:
    """The decks folder's write lock (`decks_folder_lock`), which ``add``, ``import`` and ``edit`` hold too:
    a deck file is read, changed and written with no other cvquiz writing it in between."""
    if decks_dir is None:
        return nullcontext()
    from cvquiz.deckfile.lock import decks_folder_lock

    return decks_folder_lock(decks_dir)


def write_file_tags(files: Sequence[FileTags], decks_dir: Path | None = None) -> None:
    """Write cards' own tags back into their deck files (undo of a tag change).

    Args:
        files: each card's own tags as they were.
        decks_dir: the user's decks folder, whose write lock is held while the files are read and written.

    Raises:
        DeckError: when a file cannot be read or written, or no longer holds the card (nothing is written).
    """
    wanted: dict[str, dict[str, Sequence[str]]] = {}
    for f in files:
        wanted.setdefault(f.path, {})[f.card] = f.tags
    with _folder_lock(decks_dir):
        _write(_new_file_texts(wanted))


def tag_cards(
    col: Collection,
    op: str,
    tag: str,
    selection: Selection,
    now: datetime,
    decks_dir: Path | None = None,
) -> TagResult:
    """Add a tag to, or remove it from, the selected cards.

    Args:
        col: the collection (synced: the user's files are what it last read).
        op: ``add`` or ``remove``.
        tag: the tag (to add: letters, digits, ``_`` and ``-``, joined by ``::``; to remove: any a card has).
        selection: the cards (`cvquiz.cards.searching.select`).
        now: the time of the change.
        decks_dir: the user's decks folder: its write lock is held from reading the deck files to writing
            them, so a card another cvquiz adds meanwhile, or its tag, is not written over.

    Raises:
        CardInputError: for a malformed tag.
        UsageError: for an unknown operation.
        DeckError: when a deck file cannot be read or changed (nothing is changed then).
        FileError: when a deck file cannot be written.
    """
    if op not in ("add", "remove"):
        raise UsageError(_("unknown tag operation {op!r}: use add or remove").format(op=op))
    tag = _check_tag(tag, op)
    entries: list[changes.EntryTags] = []
    own_new: dict[str, dict[str, Sequence[str]]] = {}
    unchanged = 0
    from_deck: list[str] = []
    from_deck_files: dict[str, None] = {}
    with _folder_lock(decks_dir):
        rows = changes.entry_tags(col, [tuple(ref.rsplit("/", 1)) for ref in selection.refs])
        files: dict[str, dict[str, tuple[str, ...]]] = {}
        for row in rows:
            if not row.bundled and row.path:
                files.setdefault(row.path, {})
        for path in files:
            from cvquiz.deckfile.tags import card_tags

            text, _bom = _read(Path(path))
            files[path] = {card: found.own for card, found in card_tags(text, path).items()}
        for row in rows:
            ref = f"{row.deck}/{row.card}"
            present = _has(row.tags, tag)
            if (op == "add") == present:
                unchanged += 1
                continue
            if op == "remove" and _has(row.deck_tags, tag):
                # the deck gives it to every card (a bundled deck's too): taking it from one card cannot last
                from_deck.append(ref)
                from_deck_files[row.path or row.deck] = None
                continue
            new = [*row.tags, tag] if op == "add" else _without(row.tags, tag)
            if row.bundled or not row.path:
                local = dict(changes.local_tags(col, row.deck, row.card))
                from_file = _has(row.file_tags, tag)
                local = {t: a for t, a in local.items() if t.casefold() != tag.casefold()}
                if op == "add" and not from_file:
                    local[tag] = True
                elif op == "remove" and from_file:
                    for t in row.file_tags:
                        if t.casefold() == tag.casefold():
                            local[t] = False
                entries.append(changes.EntryTags(row.deck, row.card, tuple(new), local=local))
                continue
            own = files.get(row.path, {}).get(row.card)
            if own is None:
                raise DeckError(
                    _("{path}: card {card!r} is not in the file any more; run cvquiz check").format(
                        path=row.path, card=row.card
                    )
                )
            if op == "remove" and not _has(own, tag):
                from_deck.append(ref)
                from_deck_files[row.path] = None
                continue
            own_after = [*own, tag] if op == "add" else _without(own, tag)
            own_new.setdefault(row.path, {})[row.card] = own_after
            merged = tuple(dict.fromkeys((*own_after, *row.deck_tags)))
            entries.append(
                changes.EntryTags(
                    row.deck, row.card, merged, file=FileTags(row.path, row.card, tuple(own))
                )
            )
        texts = _new_file_texts(own_new)
        _write(texts)
        label = f"{tag} {selection.label}"
        done = changes.set_tags(col, f"tag-{op}", entries, clock.to_ms(now), label)
    return TagResult(
        op=op,
        tag=tag,
        changed=tuple(f"{e.deck}/{e.card}" for e in entries),
        unchanged=unchanged,
        from_deck=tuple(from_deck),
        from_deck_files=tuple(from_deck_files),
        files=tuple(texts),
        change_id=done.id,
    )
