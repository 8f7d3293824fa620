"""``cvquiz import anki FILE.apkg|.colpkg``: an Anki package's reviews, and its shared notes, brought in.

One service over the pieces: read the package (`cvquiz.anki.package_reader`); merge the reviews of the notes
cvquiz exported (`cvquiz.anki.merge`); with a deck named, turn the other notes into that user deck
(`cvquiz.anki.shared_deck`) and, with ``with_progress``, merge their reviews too once the deck is in the
collection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz.anki.merge import MergeResult, match_exported, merge_package
from cvquiz.anki.package_reader import read_package
from cvquiz.errors import UsageError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.anki.shared_deck import SharedDeckResult
    from cvquiz.collection import Collection
    from cvquiz.config import Settings

__all__ = ["PACKAGE_SUFFIXES", "PackageImportResult", "import_package", "is_package"]

PACKAGE_SUFFIXES = (".apkg", ".colpkg")
"""What an Anki package's file name ends with."""


def is_package(path: Path) -> bool:
    """True when ``path`` names an Anki package (by its extension)."""
    return path.suffix.lower() in PACKAGE_SUFFIXES


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
        raise UsageError(
            _(
                "{path}: none of its {count} notes was exported by cvquiz; "
                "to study them, make them a deck: cvquiz import anki {path} --deck mine/NAME"
            ).format(path=path, count=len(package.notes))
        )
    deck = deck_reviews = None
    if deck_id is not None:
        from cvquiz.anki.shared_deck import foreign_notes, shared_targets, write_shared_deck

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
                col.sync_decks(bundled_dir, decks_dir, now, settings.rollover_hour)
            deck_targets = shared_targets(col, package, notes, deck_id, dry_run=dry_run)
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
