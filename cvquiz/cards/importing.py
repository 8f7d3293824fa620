"""Importing a notes file (Anki's plain-text export, or CSV) into one of the user's decks.

Parsing the file is `cvquiz.anki.importer`'s job; this module checks the notes against the deck they go to
(importing the same file twice adds nothing) and writes them through `cvquiz.cards.adding`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cvquiz.cards.adding import AddedCard, prepare_cards, write_prepared
from cvquiz.cards.userdecks import user_deck_path
from cvquiz.errors import DeckProblems, UsageError
from cvquiz.i18n import _, ngettext

__all__ = ["ImportResult", "import_notes"]


@dataclass(frozen=True)
class ImportResult:
    """What importing a notes file did (or, with ``dry_run``, would do).

    Attributes:
        deck: the deck imported into.
        path: its file.
        format: ``anki`` or ``csv``.
        created: True when the deck file was created.
        added: the new cards.
        skipped: notes already in the deck.
        problems: records that could not be imported, as ``file:line: message`` (only with ``skip_bad``).
        dry_run: True when nothing was written.
    """

    deck: str
    path: str
    format: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int
    problems: tuple[str, ...]
    dry_run: bool


def import_notes(
    decks_dir: Path,
    bundled_dir: Path,
    text: str,
    filename: str,
    deck_id: str | None = None,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import an Anki plain-text export or a CSV into a user deck; importing the same file again adds nothing.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        text: the file's text.
        filename: its name (for messages, and ``.csv`` means comma-separated).
        deck_id: the deck to import into (default: from the file's ``#deck:`` header).
        dry_run: check everything, write nothing.
        skip_bad: import the good records even when some cannot be read (they are listed in the result).
        progress: called with (done, total) while notes are checked.

    Returns:
        What was (or would be) added.

    Raises:
        UsageError: when no deck is named and the file names none cvquiz can use.
        DeckProblems: one line per record that cannot be imported (without ``skip_bad``); nothing is
            written then.
        DeckError: for a bundled deck or a deck file that does not parse.
    """
    from cvquiz.anki.importer import anki_deck_id, parse_notes
    from cvquiz.deckfile.writer import read_deck_file

    parsed = parse_notes(text, filename)
    if deck_id is None:
        deck_id = anki_deck_id(parsed.deck) if parsed.deck else None
        if deck_id is None:
            raise UsageError(_("name the deck to import into, e.g. --deck my/anki"))
    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    current = read_deck_file(path) if path.exists() else None
    deck = current[1] if current is not None else None
    rows = parsed.rows
    prepared = prepare_cards(deck, [r.data for r in rows], [r.key for r in rows], True, progress)
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
    result = write_prepared(path, current, deck_id, prepared, dry_run, None)
    return ImportResult(
        deck=deck_id,
        path=result.path,
        format=parsed.format,
        created=result.created,
        added=result.added,
        skipped=result.skipped,
        problems=lines,
        dry_run=dry_run,
    )
