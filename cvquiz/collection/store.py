"""Opening the collection: one SQLite file, WAL, a busy timeout, migrations applied on open.

The sqlite3 connection is opened here, in autocommit mode, so that cvquiz decides where each transaction
starts and ends (`Store.transaction` takes the write lock at once with BEGIN IMMEDIATE, so two processes
wait for each other instead of failing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz.errors import CollectionError

if TYPE_CHECKING:
    pass

MIGRATION_NAMES = (
    "m001_initial",
    "m002_due_day",
    "m003_covering_indexes",
    "m004_reviews_by_day_and_card",
)
"""Every migration in `cvquiz.collection.migrations`, in order (a test keeps the two in step).

Knowing the names without importing sqlite-utils lets an up-to-date collection open without it (and without
the NumPy that sqlite-utils imports), which keeps every command's start-up short.
"""

BUSY_TIMEOUT_MS = 30_000


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a collection file with WAL and a busy timeout.

    Raises:
        CollectionError: when the file cannot be opened or is not a SQLite database.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # journal_mode must be set outside a transaction; WAL lets readers and one writer work at once.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        raise CollectionError(f"{path}: cannot open the collection: {error}") from None
    except OSError as error:
        raise CollectionError(f"{path}: cannot open the collection: {error.strerror}") from None
    return conn


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """Return the names of the applied migrations, oldest first, with plain SQL."""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'cvquiz' ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:  # no migrations table yet: a new collection
        return []
    return [row[0] for row in rows]


def migrate(conn: sqlite3.Connection, stop_before: str | None = None) -> None:
    """Apply pending migrations in one write transaction, so concurrent openers never race.

    Args:
        conn: the collection connection.
        stop_before: apply only the migrations before this one (tests build old collections this way).
    """
    if stop_before is None and applied_names(conn) == list(MIGRATION_NAMES):
        return
    from sqlite_utils import Database

    from cvquiz.collection.migrations import migrations

    db = Database(conn)
    if not migrations.pending(db):
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db, stop_before=stop_before)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block in one write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
