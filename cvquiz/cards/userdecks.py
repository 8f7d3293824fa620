"""The user's own decks: which decks the decks folder holds, and which file a deck id writes to.

Bundled decks are read-only here (they are replaced on upgrade); a new deck ``my/interviews`` goes to
``<decks folder>/my/interviews.yaml``. Files are found by `cvquiz.deckfile.discovery`, the one discovery sync
and ``cvquiz check`` use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cvquiz.deckfile.discovery import deck_files, deck_id_of
from cvquiz.deckfile.loader import DECK_ID_RE, MAX_ID_LENGTH, too_long_id_message
from cvquiz.errors import DeckError
from cvquiz.i18n import _

__all__ = [
    "UserDeck",
    "bundled_deck_ids",
    "bundled_hint",
    "check_deck_id",
    "list_user_decks",
    "user_deck_path",
]


def bundled_hint(deck_id: str) -> str:
    """Return the hint for a change refused in a bundled deck (``deck_id`` names the example user deck)."""
    return _(
        "bundled decks are replaced on upgrade; add to a user deck instead (e.g. --deck my/{id})"
    ).format(id=deck_id.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class UserDeck:
    """A deck in the user's decks folder.

    Attributes:
        id: the deck id.
        path: its file.
    """

    id: str
    path: Path


def list_user_decks(decks_dir: Path) -> list[UserDeck]:
    """Return the decks of the user's decks folder, by id (files without a readable id are left out)."""
    decks = [UserDeck(i, p) for p in deck_files(decks_dir) if (i := deck_id_of(p))]
    return sorted(decks, key=lambda d: d.id)


def bundled_deck_ids(bundled_dir: Path) -> set[str]:
    """Return the ids of the bundled decks."""
    return {i for p in deck_files(bundled_dir, recursive=False) if (i := deck_id_of(p))}


def check_deck_id(deck_id: str) -> None:
    """Refuse a malformed deck id.

    Raises:
        DeckError: naming the id and the rule.
    """
    if not DECK_ID_RE.match(deck_id) or "//" in deck_id or deck_id.endswith("/"):
        raise DeckError(
            _(
                "bad deck id {id!r}: lowercase letters, digits, '-', '_' and '/' (e.g. my/interviews)"
            ).format(id=deck_id)
        )
    if len(deck_id) > MAX_ID_LENGTH:
        raise DeckError(too_long_id_message("deck", deck_id))


def user_deck_path(decks_dir: Path, bundled_dir: Path, deck_id: str) -> Path:
    """Return the file of the user deck ``deck_id``: where it is, or ``<decks dir>/<deck id>.yaml`` if new.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        deck_id: the deck id.

    Raises:
        DeckError: for a malformed id, a bundled deck (with a hint), or a default file holding another deck.
    """
    check_deck_id(deck_id)
    if deck_id in bundled_deck_ids(bundled_dir):
        raise DeckError(
            _("deck {id!r} is a bundled deck: {hint}").format(
                id=deck_id, hint=bundled_hint(deck_id)
            )
        )
    default = decks_dir / f"{deck_id}.yaml"
    for candidate in (default, default.with_suffix(".yml")):
        if candidate.is_file() and deck_id_of(candidate) == deck_id:
            return candidate
    for deck in list_user_decks(decks_dir):
        if deck.id == deck_id:
            return deck.path
    if default.exists():
        raise DeckError(
            _("{path} holds deck {other!r}, not {id!r}; choose another deck id").format(
                path=default, other=deck_id_of(default), id=deck_id
            )
        )
    return default
