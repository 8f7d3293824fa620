"""The one injectable environment every command works in (paths, clock, language, consoles).

Commands never read ``os.environ`` or the clock themselves: they ask the `Env` that the app callback built
from the global options, so tests can swap any part of it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cvquiz import clock
from cvquiz.cli import cjk
from cvquiz.paths import Paths

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.collection import BrokenFile, Collection, LeftOutCard, SyncReport
    from cvquiz.config import Settings
    from cvquiz.deckfile.written import WrittenDeck
    from cvquiz.model import Card


@dataclass
class Env:
    """Everything a command needs from the outside world.

    Attributes:
        paths: where the collection, decks and settings live.
        lang_option: the language asked for with ``--lang``, or None.
        environ: the environment variables.
        out: the console for data (stdout).
        err: the console for diagnostics and progress (stderr).

    Neither console turns ``:name:`` into an emoji: messages carry paths and card text, in which
    ``a:fire:b.yaml`` must print as written. Markup (``[...]``) in user text is escaped where it is printed.
    """

    paths: Paths
    lang_option: str | None = None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _collection: Collection | None = None
    _warned: set[str] = field(default_factory=set)

    @cached_property
    def out(self) -> Console:
        """The console for data (created when first used: commands that print plainly never load rich's)."""
        console: Console = cjk.console(emoji=False)
        return console

    @cached_property
    def err(self) -> Console:
        """The console for diagnostics and progress (created when first used)."""
        console: Console = cjk.console(stderr=True, emoji=False)
        return console

    @cached_property
    def now(self) -> datetime:
        """The current time, read once (``CVQUIZ_NOW`` honoured)."""
        return clock.now(self.environ)

    @cached_property
    def settings(self) -> Settings:
        """The user's settings (defaults where the file says nothing)."""
        from cvquiz.config import load_settings

        return load_settings(self.paths.config)

    @cached_property
    def lang(self) -> str:
        """The language of cards and messages: ``--lang``, ``CVQUIZ_LANG``, the ``lang`` setting, the locale."""
        from cvquiz.cli.language import resolve_lang

        return resolve_lang(self.lang_option, self.environ, self.paths.config)

    @property
    def stdin_is_tty(self) -> bool:
        """True when standard input is an interactive terminal."""
        return sys.stdin.isatty()

    def collection(self, sync: bool = True, written: Sequence[WrittenDeck] = ()) -> Collection:
        """Open the collection (created on first use) and, by default, sync the decks into it.

        A deck file that does not load is reported with one warning line on stderr and left as it was last
        synced; the command goes on (see `sync`).

        Args:
            sync: sync bundled and user decks first (commands that only read the log pass False).
            written: deck files the command has just written, synced without parsing them again (they are
                synced even when the collection was already open).
        """
        if self._collection is None:
            from cvquiz.collection import Collection

            self._collection = Collection.open(
                self.paths.collection,
                now=self.now,
                create_folder=not self.paths.collection_given,
            )
            if self._collection.created and not self.paths.collection_given:
                # Where the default location is, nobody knows before the first run: say it once.
                from rich.markup import escape

                from cvquiz.i18n import _

                created = _("Created a new collection at {path}").format(path=self.paths.collection)
                self.err.print(escape(created), highlight=False, soft_wrap=True)
            if sync:
                from cvquiz.fileio import clean_stale_temp_files

                # what a killed `add` or `import` left behind (cvquiz 0.1 named them .NAME.yaml.XXXXXXXX.tmp)
                clean_stale_temp_files(
                    self.paths.decks, recursive=True, legacy_names=_is_deck_file_name
                )
                # and a cvquiz killed while it created the collection, a backup or a restore's copy
                clean_stale_temp_files(self.paths.collection.parent)
                # backups.FOLDER (that module is 6 ms of start-up a reading command does not need)
                clean_stale_temp_files(self.paths.collection.parent / "backups")
                self.sync(written)
        elif written:
            self.sync(written)
        return self._collection

    @property
    def opened_collection(self) -> Path | None:
        """The collection file, once `collection` has opened it (for naming it in errors)."""
        return None if self._collection is None else self._collection.path

    def sync(self, written: Sequence[WrittenDeck] = ()) -> SyncReport:
        """Sync the decks into the open collection, with a progress bar and a warning per broken file.

        Args:
            written: deck files just written, taken without parsing them again.

        Returns:
            What the sync did.
        """
        from cvquiz.cli.progress import progress_bar

        col = self.collection(sync=False)
        with progress_bar(lambda: self.err) as progress:
            report = col.sync_decks(
                self.paths.bundled,
                self.paths.decks,
                self.now,
                self.settings.rollover_hour,
                written=written,
                progress=progress,
                vet=_card_problem,
            )
        for broken in report.broken:
            if broken.path not in self._warned:
                self._warned.add(broken.path)
                self.err.print(broken_file_warning(broken), highlight=False, soft_wrap=True)
        for card in report.left_out:
            if card.problem not in self._warned:
                self._warned.add(card.problem)
                self.err.print(left_out_warning(card), highlight=False, soft_wrap=True)
        return report

    def discard_collection(self) -> None:
        """Close the collection without a backup, removing it when this run created it (`Collection.discard`)."""
        if self._collection is not None:
            collection, self._collection = self._collection, None
            collection.discard()

    def close(self) -> None:
        """Close the collection if it was opened, backing it up first when a backup is due.

        A backup is due when the command changed the collection and the newest backup is older than the
        ``backup_interval`` setting (`cvquiz.collection.backups.maybe_back_up`); a command that ends in an
        error (a full disk...) has said what went wrong and makes none.
        """
        if self._collection is not None:
            try:
                if self._collection.conn.total_changes and not _failing():
                    self._periodic_backup(self._collection)
            finally:
                self._collection.close()
                self._collection = None

    def _periodic_backup(self, col: Collection) -> None:
        from cvquiz.collection.backups import maybe_back_up
        from cvquiz.errors import CvquizError
        from cvquiz.i18n import _

        try:
            maybe_back_up(col, clock.now(self.environ), self.settings.backup_interval)
        except (
            CvquizError
        ) as error:  # the command itself succeeded: say so, and why there is no backup
            self.err.print(
                _("Warning: no automatic backup: {error}").format(error=error),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


def _failing() -> bool:
    """True while the command ends in an error (the context closes as its exit unwinds): no backup then."""
    error = sys.exc_info()[1]
    return error is not None and getattr(error, "exit_code", 1) != 0


def _card_problem(card: Card) -> str | None:
    """Why a compute card cannot be studied (the generators, and NumPy, load only for a deck file read)."""
    from cvquiz.generators import card_problem

    return card_problem(card)


def _is_deck_file_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def broken_file_warning(broken: BrokenFile) -> str:
    """Return the one warning line (rich markup) for a deck file that did not load."""
    from rich.markup import escape

    from cvquiz.i18n import _, after_label

    if broken.kept is not None:
        tail = _("this file is skipped and its cards stay as last synced; run cvquiz check {path}")
    else:
        tail = _("this file is skipped until it loads; run cvquiz check {path}")
    label = escape(_("Warning:"))
    line = _("{problem} — {advice}").format(
        problem=broken.problem.splitlines()[0], advice=tail.format(path=broken.path)
    )
    return f"[yellow]{label}[/]{after_label(label)}{escape(line)}"


def left_out_warning(card: LeftOutCard) -> str:
    """Return the one warning line (rich markup) for a card left out of study."""
    from rich.markup import escape

    from cvquiz.i18n import _, after_label

    tail = _("this card is left out of study until it is fixed; run cvquiz check {path}")
    label = escape(_("Warning:"))
    line = _("{problem} — {advice}").format(
        problem=card.problem, advice=tail.format(path=card.path)
    )
    return f"[yellow]{label}[/]{after_label(label)}{escape(line)}"


def get_env(ctx: typer.Context) -> Env:
    """Return the `Env` the app callback stored on the context (building a default one if absent)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env(paths=Paths.from_env())
    return root.obj


def collection_override(path: Path | None, environ: dict[str, str]) -> dict[str, str]:
    """Return ``environ`` with ``--collection PATH`` applied as ``CVQUIZ_COLLECTION``."""
    if path is not None:
        environ = {**environ, "CVQUIZ_COLLECTION": str(path)}
    return environ


QUERY_CONTEXT = {"ignore_unknown_options": True}
"""The click settings of a command that takes a search query: a term may start with '-' (``-is:new``, Anki's
negation) and is a term, not an unknown option."""


def query_words(words: list[str] | None) -> list[str]:
    """The words of a search query as typed; a word starting with ``--`` is a mistyped option, not a term.

    Raises:
        UsageError: for such a word (an Anki negation has a single dash: ``-is:new``).
    """
    from cvquiz.errors import UsageError
    from cvquiz.i18n import _

    for word in words or []:
        if word.startswith("--") and len(word) > 2:
            raise UsageError(
                _(
                    "no such option: {option} (a search term is negated with one dash: -is:new)"
                ).format(option=word)
            )
    return list(words or [])
