"""Editing a bundled card: your own version of it, kept in your decks folder, and dropping it again.

``cvquiz edit`` on a card of a bundled deck first copies the card as it is into a file of overrides
(`cvquiz.deckfile.overrides`: ``overrides/<deck id>.yaml`` in your decks folder), then opens the editor there;
deck sync puts your version in place of the bundled one under the same id, so the card keeps its history and a
new version of the bundled deck does not undo your edit. ``cvquiz edit --revert`` takes the card out of the file
(and the file away once it is empty): the bundled version is back at the next sync, history still kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.cards.references import resolve
from cvquiz.deckfile.lock import decks_folder_lock
from cvquiz.errors import DeckError
from cvquiz.fileio import describe_decode_error, describe_os_error
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["OverrideTarget", "Reverted", "override_target", "revert"]


@dataclass(frozen=True)
class OverrideTarget:
    """Where the user's version of a bundled card is.

    Attributes:
        ref: ``deck/id``.
        path: the file of overrides.
        line: the card's line in it.
        created: True when the card was copied there just now.
    """

    ref: str
    path: str
    line: int
    created: bool


@dataclass(frozen=True)
class Reverted:
    """What ``cvquiz edit --revert`` did.

    Attributes:
        ref: ``deck/id``.
        path: the file of overrides it was taken out of.
        removed_file: True when that was its last card, and the file is gone.
    """

    ref: str
    path: str
    removed_file: bool


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as error:
        reason = (
            describe_os_error(error) if isinstance(error, OSError) else describe_decode_error(error)
        )
        raise DeckError(
            _("{path}: cannot read: {reason}").format(path=path, reason=reason)
        ) from None


def _find(col: Collection, decks_dir: Path, deck: str, card: str) -> tuple[Path, int] | None:
    """The file of overrides holding the user's version of a card, and its line, if there is one."""
    from cvquiz.collection.overrides import override_files
    from cvquiz.deckfile.loader import load_deck_text
    from cvquiz.deckfile.overrides import override_path

    candidates = [Path(p) for p in override_files(col, deck)]
    default = override_path(decks_dir, deck)
    if default not in candidates:
        candidates.append(default)
    for path in candidates:
        if not path.is_file():
            continue
        found = load_deck_text(_read(path), str(path), path=path)
        for entry in found.cards:
            if entry.id == card:
                return path, entry.line
    return None


def _own_data(content: dict[str, Any], deck_tags: tuple[str, ...]) -> dict[str, Any]:
    """A card's fields as its file of overrides holds them: without the tags its deck gives every card."""
    from cvquiz.model import Text

    # `show` gives text fields as `Text`; the file holds them as written (a string, or zh and en)
    data = {k: v.to_data() if isinstance(v, Text) else v for k, v in content.items()}
    own = [t for t in data.pop("tags", []) if t not in deck_tags]
    if own:
        data["tags"] = own
    return data


def override_target(col: Collection, decks_dir: Path, reference: str) -> OverrideTarget:
    """Return where to edit a bundled card: the user's version of it, copied there first if there is none.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: for a card of the user's own decks (edit it where it is), or a file that cannot be read
            or written (nothing is written then).
    """
    from cvquiz.cards.details import show
    from cvquiz.collection.changes import entry_tags
    from cvquiz.deckfile import overrides
    from cvquiz.fileio import atomic_write

    found = resolve(col, reference)
    if not found.bundled:
        raise DeckError(
            _("{ref} is in your own deck {path}; edit it there").format(
                ref=found.ref, path=found.path
            )
        )
    with decks_folder_lock(decks_dir):  # another cvquiz adding to the same file waits, then is read
        existing = _find(col, decks_dir, found.deck, found.id)
        if existing is not None:
            return OverrideTarget(found.ref, str(existing[0]), existing[1], False)
        details = show(col, found.ref)
        (row,) = entry_tags(col, [(found.deck, found.id)])
        data = _own_data(dict(details.content), row.deck_tags)
        path = overrides.override_path(decks_dir, found.deck)
        if path.is_file():
            text = overrides.add_card(_read(path), data, str(path))
        else:
            text = overrides.new_text(found.deck, data)
        atomic_write(path, text.encode("utf-8"))
        where = _find(col, decks_dir, found.deck, found.id)
    assert where is not None
    return OverrideTarget(found.ref, str(path), where[1], True)


def revert(col: Collection, decks_dir: Path, reference: str) -> Reverted:
    """Drop the user's version of a bundled card: the bundled version is back at the next sync.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: when the card has no version of the user's, or its file cannot be rewritten.
    """
    from cvquiz.deckfile.overrides import remove_card
    from cvquiz.fileio import atomic_write

    found = resolve(col, reference)
    with decks_folder_lock(decks_dir):
        where = _find(col, decks_dir, found.deck, found.id) if found.bundled else None
        if where is None:
            raise DeckError(
                _(
                    "{ref} has no version of yours to revert (only edited bundled cards have)"
                ).format(ref=found.ref)
            )
        path = where[0]
        text = remove_card(_read(path), found.id, str(path))
        if text is None:
            try:
                path.unlink()
            except OSError as error:
                raise DeckError(
                    _("{path}: cannot remove: {reason}").format(
                        path=path, reason=describe_os_error(error)
                    )
                ) from None
            return Reverted(found.ref, str(path), True)
        atomic_write(path, text.encode("utf-8"))
    return Reverted(found.ref, str(path), False)
