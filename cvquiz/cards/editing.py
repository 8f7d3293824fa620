"""``cvquiz edit``: open the user's deck file at a card, and write it back only when it loads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz.cards.editloop import EditorRunner, edit_until_valid
from cvquiz.cards.references import resolve
from cvquiz.cards.userdecks import bundled_hint
from cvquiz.errors import DeckError
from cvquiz.fileio import describe_decode_error, describe_os_error
from cvquiz.i18n import _
from cvquiz.model import Deck

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.deckfile.written import WrittenDeck

__all__ = ["EditResult", "EditTarget", "edit_card", "edit_file", "edit_target"]


@dataclass(frozen=True)
class EditTarget:
    """Where to open an editor on a card.

    Attributes:
        ref: ``deck/id``.
        path: the deck file.
        line: the card's line.
    """

    ref: str
    path: str
    line: int


def edit_target(col: Collection, reference: str) -> EditTarget:
    """Return the deck file and line of a card the user may edit.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: for a card of a bundled deck (edits there are lost on upgrade).
    """
    found = resolve(col, reference)
    if found.bundled or not found.path:
        raise DeckError(
            _("{ref} is in a bundled deck: {hint}").format(
                ref=found.ref, hint=bundled_hint(found.deck)
            )
        )
    return EditTarget(found.ref, found.path, max(found.line, 1))


@dataclass(frozen=True)
class EditResult:
    """What ``cvquiz edit`` did.

    Attributes:
        ref: the card edited, ``deck/id``.
        path: its deck file.
        changed: True when the file was rewritten.
        written: the file as written, for the sync (None when nothing changed).
    """

    ref: str
    path: str
    changed: bool
    written: WrittenDeck | None = None


def edit_card(
    col: Collection,
    reference: str,
    decks_dir: Path,
    run_editor: EditorRunner,
    sound_deck: Callable[[str, Path], Deck],
) -> EditResult:
    """Open a copy of a card's deck file in the editor, at the card, until it loads; then write it back.

    Args:
        col: the collection (to find the card).
        reference: the card, ``deck/id`` or a unique prefix.
        decks_dir: the user's decks folder (its write lock is held while the file is replaced).
        run_editor: opens the editor on a file at a line.
        sound_deck: the deck a saved text holds, or `DeckProblems` listing every problem (the whole check
            ``cvquiz check`` makes: `cvquiz.deckcheck.sound_deck`).

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: for a bundled card, and as `edit_file` does.
    """
    target = edit_target(col, reference)
    return edit_file(target, decks_dir, run_editor, sound_deck)


def edit_file(
    target: EditTarget,
    decks_dir: Path,
    run_editor: EditorRunner,
    sound_deck: Callable[[str, Path], Deck],
) -> EditResult:
    """Open a copy of a deck file in the editor, at a card, until it loads; then write it back.

    The deck file itself is replaced only by a text that loads and whose compute cards draw problems, so a
    broken deck is never left behind; problems go into the copy as ``# ERROR:`` lines and the editor opens
    again. If the file changed on disk meanwhile, nothing is written and the edited copy is kept.

    Args:
        target: the card, its deck file (one of the user's decks, or a file of their versions of bundled
            cards) and its line.
        decks_dir: the user's decks folder (its write lock is held while the file is replaced).
        run_editor: opens the editor on a file at a line.
        sound_deck: the deck a saved text holds, or `DeckProblems` listing every problem.

    Raises:
        DeckError: a deck file that cannot be read or written, an edit saved unchanged while it has
            problems, or a file changed meanwhile.
    """
    from cvquiz.deckfile.lock import decks_folder_lock
    from cvquiz.deckfile.writer import BOM, replace_deck_text

    path = Path(target.path)
    try:
        original = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = (
            describe_os_error(error) if isinstance(error, OSError) else describe_decode_error(error)
        )
        raise DeckError(
            _("{path}: cannot read: {reason}").format(path=path, reason=reason)
        ) from None
    bom = BOM if original.startswith(BOM) else ""
    body = original[len(bom) :]

    edited = edit_until_valid(
        body,
        lambda text: sound_deck(text, path),
        run_editor,
        label=str(path),
        line=target.line,
        filename=path.name,
    )
    if edited is None or edited.text == body:
        return EditResult(target.ref, target.path, False)
    with decks_folder_lock(decks_dir):
        written = replace_deck_text(path, original, bom + edited.text, edited.value)
    return EditResult(target.ref, target.path, True, written)
