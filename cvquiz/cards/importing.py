"""Importing a notes file (Anki's plain-text export, or CSV) into one of the user's decks.

Parsing the file is `cvquiz.anki.importer`'s job; this module checks the notes against the deck they go to
(importing the same file twice adds nothing) and writes them through `cvquiz.cards.adding`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz.cards.adding import INTERNAL, AddedCard, prepare_cards, write_prepared
from cvquiz.cards.userdecks import user_deck_path
from cvquiz.errors import DeckProblems, UsageError
from cvquiz.i18n import _, ngettext
from cvquiz.progress import Progress, no_progress

if TYPE_CHECKING:
    from cvquiz.deckfile.written import WrittenDeck

__all__ = ["ImportResult", "import_notes"]


@dataclass(frozen=True)
class ImportResult:
    """What importing a notes file did (or, with ``dry_run``, would do).

    Attributes:
        deck: the deck imported into.
        path: its file.
        format: ``anki`` or ``csv``.
        separator: the separator the records were read with.
        created: True when the deck file was created.
        added: the new cards.
        skipped: notes already in the deck.
        problems: records that could not be imported, as ``file:line: message`` (only with ``skip_bad``).
        ignored_columns: header-row columns cvquiz does not read (left out).
        dry_run: True when nothing was written.
        written: the deck file as written, for the sync (None when nothing was written).
    """

    deck: str
    path: str
    format: str
    separator: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int
    problems: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    dry_run: bool
    written: WrittenDeck | None = field(default=None, repr=False, metadata=INTERNAL)


def import_notes(
    decks_dir: Path,
    bundled_dir: Path,
    text: str,
    filename: str,
    deck_id: str | None = None,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    separator: str | None = None,
    columns: Sequence[str | None] | None = None,
    progress: Progress = no_progress,
) -> ImportResult:
    """Import an Anki plain-text export or a CSV into a user deck; importing the same file again adds nothing.

    The deck file is written once, with every new card; the result carries it as written, so the sync that
    follows does not parse it again.

    Args:
        decks_dir: the user's decks folder (its lock is held from reading the deck to writing it).
        bundled_dir: the bundled decks folder.
        text: the file's text.
        filename: its name (for messages; a ``.csv`` file is comma-separated when sniffing cannot tell).
        deck_id: the deck to import into (default: from the file's ``#deck:`` header).
        dry_run: check everything, write nothing.
        skip_bad: import the good records even when some cannot be read (they are listed in the result).
        separator: the field separator, instead of the file's header or sniffing.
        columns: the columns' names in file order (None leaves one out), instead of a header row.
        progress: told how far reading, checking and writing have come.

    Returns:
        What was (or would be) added.

    Raises:
        UsageError: when no deck is named and the file names none cvquiz can use.
        DeckProblems: one line per record that cannot be imported (without ``skip_bad``); nothing is
            written then.
        DeckError: for a bundled deck or a deck file that does not parse.
    """
    from cvquiz.anki.importer import anki_deck_id, parse_notes
    from cvquiz.deckfile.lock import decks_folder_lock
    from cvquiz.deckfile.writer import read_deck_file

    progress(_("Reading notes"), 0, 0)
    parsed = parse_notes(text, filename, separator=separator, columns=columns)
    if deck_id is None:
        deck_id = anki_deck_id(parsed.deck) if parsed.deck else None
        if deck_id is None:
            raise UsageError(_("name the deck to import into, e.g. --deck my/anki"))
    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    with decks_folder_lock(decks_dir):
        current = read_deck_file(path) if path.exists() else None
        deck = current[1] if current is not None else None
        rows = parsed.rows
        prepared = prepare_cards(
            deck, [r.data for r in rows], [r.key for r in rows], True, progress
        )
        problems = sorted(
            [(p.line, p.message) for p in parsed.problems]
            + [(rows[r.index].line, r.message) for r in prepared.rejected]
        )
        lines = tuple(f"{filename}:{line}: {message}" for line, message in problems)
        if lines and not skip_bad:
            raise DeckProblems(
                [
                    *lines,
                    ngettext(
                        "{count} record cannot be imported; nothing was written "
                        "(fix it, or pass --skip-bad to import the rest)",
                        "{count} records cannot be imported; nothing was written "
                        "(fix them, or pass --skip-bad to import the rest)",
                        len(lines),
                    ).format(count=len(lines)),
                ]
            )
        progress(_("Writing the deck"), 0, 0)
        result = write_prepared(path, current, deck_id, prepared, dry_run, None)
    return ImportResult(
        deck=deck_id,
        path=result.path,
        format=parsed.format,
        separator=parsed.separator,
        created=result.created,
        added=result.added,
        skipped=result.skipped,
        problems=lines,
        ignored_columns=parsed.ignored,
        dry_run=dry_run,
        written=result.written,
    )
