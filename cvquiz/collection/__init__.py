"""The collection: one SQLite file holding decks, cards, their scheduling state and the review log.

`Collection` is the only door to it; sqlite-utils and SQL live in this package and nowhere else.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cvquiz import clock
from cvquiz.collection import store
from cvquiz.collection.sync import BrokenFile, LeftOutCard, SyncReport, Vet, sync_decks
from cvquiz.progress import Progress, no_progress

if TYPE_CHECKING:
    from sqlite_utils import Database

    from cvquiz.deckfile.written import WrittenDeck

__all__ = ["BrokenFile", "Collection", "DeckSummary", "LeftOutCard", "SyncReport"]

T = TypeVar("T")


@dataclass(frozen=True)
class DeckSummary:
    """Counts for one deck, as ``cvquiz decks`` shows them.

    Attributes:
        id: the deck id.
        name: the display name.
        bundled: shipped with cvquiz.
        cards: active cards as written in the deck file.
        study_cards: the active study cards they expand to (a reversed card is two, a cloze card one per
            deletion); the counts below are of study cards.
        new: study cards never studied.
        due: learning cards due by the end of today's study day and review cards due today or earlier
            (by study day, as the queue counts them).
        suspended: suspended study cards.
        path: the deck file.
    """

    id: str
    name: str
    bundled: bool
    cards: int
    study_cards: int
    new: int
    due: int
    suspended: int
    path: str | None


class Collection:
    """An open collection file.

    Attributes:
        path: the file.
        conn: the sqlite3 connection (autocommit; use `transaction` for writes).
        read_only: the file cannot be written (commands that only read work; a write raises
            `CollectionReadOnlyError`).
        created: True when opening it created the file.
        db: the same connection as a sqlite-utils Database.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.read_only = False
        self.created = False
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The connection as a sqlite-utils Database (imported on first use: it brings NumPy along)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    @classmethod
    def open(
        cls,
        path: Path,
        stop_before: str | None = None,
        now: datetime | None = None,
        *,
        create_folder: bool = True,
    ) -> Collection:
        """Open a collection, creating it and applying migrations as needed.

        An existing collection is backed up before it is migrated (see `cvquiz.collection.backups`).

        Args:
            path: the collection file (created on first use; its ``created`` attribute then says so).
            stop_before: for tests: leave migrations from this one on unapplied.
            now: the time, for the name of a backup made before migrating (default: the system clock).
            create_folder: create the file's folder when it is missing; when False, a missing folder is an
                error (a path the person typed: a typo must not start a new collection elsewhere).

        Raises:
            CollectionError: when the folder is missing (without ``create_folder``), or the file cannot be
                opened or is not a collection (see `cvquiz.collection.store.open_collection`); nothing is
                changed in it then.
        """
        from cvquiz.errors import CollectionError
        from cvquiz.i18n import _

        new = not path.exists() and not path.is_symlink()
        if new and not create_folder and not path.parent.is_dir():
            raise CollectionError(
                _(
                    "{folder}: no such folder for the collection {path}; create the folder, or name "
                    "another file with --collection or CVQUIZ_COLLECTION"
                ).format(folder=path.parent, path=path)
            )
        conn, read_only = store.open_collection(path, stop_before=stop_before, now=now)
        collection = cls(path, conn)
        collection.read_only = read_only
        collection.created = new
        return collection

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def discard(self) -> None:
        """Close a collection this run created and remove its file, as if it had never been opened.

        For a command that failed before putting anything in a new collection (a refused restore): it leaves
        no empty collection behind. A collection that existed before is only closed.
        """
        self.close()
        if self.created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_patiently(self, write: Callable[[], T], waiting: Callable[[], None]) -> T:
        """Run ``write`` (one write transaction), saying so when it has to wait for another cvquiz writing.

        When another cvquiz holds the write lock (an ``import``, say) for longer than `store.FIRST_WAIT_MS`,
        ``waiting`` is called (to tell the person) and ``write`` is tried again, waiting up to the busy
        timeout. A failed try has written nothing (the transaction was rolled back).

        Raises:
            CollectionBusyError: when the other cvquiz still holds the lock after the busy timeout.
        """
        self.conn.execute(f"PRAGMA busy_timeout = {store.FIRST_WAIT_MS}")
        try:
            return write()
        except sqlite3.OperationalError as error:
            if not store.is_busy(error):
                raise
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {store.BUSY_TIMEOUT_MS}")
        waiting()
        try:
            return write()
        except sqlite3.OperationalError as error:
            if store.is_busy(error):
                raise store.explain_error(error, self.path) from None
            raise

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Return a context manager running its block in one write transaction."""
        return store.transaction(self.conn)

    def migrations(self) -> list[str]:
        """Return the names of the applied migrations."""
        return store.applied_names(self.conn)

    def sync_decks(
        self,
        bundled: Path,
        user: Path,
        now: datetime,
        rollover_hour: int = 4,
        *,
        written: Sequence[WrittenDeck] = (),
        progress: Progress = no_progress,
        vet: Vet | None = None,
    ) -> SyncReport:
        """Sync the bundled and user deck folders into the collection (see `cvquiz.collection.sync`).

        A deck file that does not load is left as it was last synced and listed in the report's ``broken``;
        the other files are synced all the same.

        Args:
            bundled: the bundled decks folder.
            user: the user's decks folder.
            now: the current time.
            rollover_hour: the hour the study day starts.
            written: deck files just written by cvquiz, taken without parsing them again.
            progress: told of the files read and the cards written.
            vet: why a compute card cannot be studied, or None when it can (`cvquiz.generators.card_problem`):
                such a card is left out and listed in the report's ``left_out``.
        """
        return sync_decks(self.conn, bundled, user, clock.to_ms(now), written, progress, vet)

    def day_bounds(self, now: datetime, rollover_hour: int) -> tuple[int, int]:
        """Return today's study day as [start, end) in ms since the epoch."""
        day = clock.study_day(now, rollover_hour)
        start = clock.day_start(day, rollover_hour)
        end = clock.day_start(day + timedelta(days=1), rollover_hour)
        return clock.to_ms(start), clock.to_ms(end)

    def deck_summaries(self, now: datetime, rollover_hour: int = 4) -> list[DeckSummary]:
        """Return per-deck counts of cards and study cards, new, due today and suspended, in deck order."""
        today = clock.study_day(now, rollover_hour).isoformat()
        _, end = self.day_bounds(now, rollover_hour)
        # The collection keeps each deck's counts (deck_tally, kept by triggers: m013_deck_tally), with the
        # review cards by the day they are due; "due today" adds the learning cards due before the day ends and
        # leaves out buried cards, both few and found by index. The deck's entries are counted by sync.
        live = "c.pk = s.card_pk AND c.active = 1 AND s.suspended = 0"
        rows = self.conn.execute(
            f"""
            SELECT d.id, d.name, d.bundled, d.path, d.entries, t.study, t.new,
                   COALESCE(t.due, 0) + COALESCE(l.due, 0) - COALESCE(b.due, 0), t.suspended
            FROM decks d
            LEFT JOIN (
                SELECT deck_id, SUM(study) AS study, SUM(new) AS new, SUM(suspended) AS suspended,
                       SUM(CASE WHEN day != '' AND day <= :today THEN review ELSE 0 END) AS due
                FROM deck_tally GROUP BY deck_id
            ) t ON t.deck_id = d.id
            LEFT JOIN (
                SELECT c.deck_id, COUNT(*) AS due FROM schedule s, cards c
                WHERE s.state IN (1, 3) AND s.due < :end AND {live}
                  AND (s.buried_until IS NULL OR s.buried_until <= :today)
                GROUP BY c.deck_id
            ) l ON l.deck_id = d.id
            LEFT JOIN (
                SELECT c.deck_id, COUNT(*) AS due FROM schedule s INDEXED BY schedule_buried, cards c
                WHERE s.buried_until > :today AND s.state = 2 AND s.due_day <= :today AND {live}
                GROUP BY c.deck_id
            ) b ON b.deck_id = d.id
            WHERE d.active = 1 ORDER BY d.name
            """,
            {"end": end, "today": today},
        ).fetchall()
        return [
            DeckSummary(
                id=r[0],
                name=r[1],
                bundled=bool(r[2]),
                path=r[3],
                cards=r[4] or 0,
                study_cards=r[5] or 0,
                new=r[6] or 0,
                due=r[7] or 0,
                suspended=r[8] or 0,
            )
            for r in rows
        ]

    @staticmethod
    def loads(blob: str | None) -> Any:
        """Decode a JSON column (None stays None)."""
        return None if blob is None else json.loads(blob)
