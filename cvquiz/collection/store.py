"""Opening the collection: one SQLite file, WAL, a busy timeout, migrations applied on open.

The sqlite3 connection is opened here, in autocommit mode, so that cvquiz decides where each transaction
starts and ends (`Store.transaction` takes the write lock at once with BEGIN IMMEDIATE, so two processes
wait for each other instead of failing).

A file is looked at before it is changed: a new collection is created whole or not at all, and an empty file,
another program's database, a collection of a newer cvquiz or a damaged file is refused with what was found,
never replaced (`open_collection`, `explain_error`).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cvquiz.errors import (
    CollectionBusyError,
    CollectionDamagedError,
    CollectionError,
    CollectionReadOnlyError,
)
from cvquiz.i18n import N_, _

MIGRATION_NAMES = (
    "m001_initial",
    "m002_due_day",
    "m003_covering_indexes",
    "m004_reviews_by_day_and_card",
    "m005_code_attempts",
    "m006_anki_note_cache",
    "m007_practice_deck_ids",
    "m008_cram_reviews",
    "m009_card_text_index",
    "m010_undo_log_and_collection_tags",
    "m011_vet_compute_cards",
    "m012_deck_entries",
    "m013_deck_tally",
)
"""Every migration in `cvquiz.collection.migrations`, in order (a test keeps the two in step).

Knowing the names without importing sqlite-utils lets an up-to-date collection open without it (and without
the NumPy that sqlite-utils imports), which keeps every command's start-up short.
"""

BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another cvquiz holding the collection's write lock before it gives up."""
FIRST_WAIT_MS = 300
"""How long `Collection.write_patiently` waits before it says that it is waiting (a short write of another
cvquiz, a sync say, ends well within it)."""

SCHEDULE_COLUMNS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "suspended",
    "buried_until",
    "leech",
    "due_day",
)
"""The columns of a schedule row besides its key: what a review's ``before``/``after`` JSON and the undo log
record, and what undoing writes back."""


SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"
SCHEMA = len(MIGRATION_NAMES)
"""The schema this cvquiz writes: the number of its migrations, kept in the file's ``user_version``."""


def open_collection(
    path: Path, stop_before: str | None = None, now: datetime | None = None
) -> tuple[sqlite3.Connection, bool]:
    """Open the collection file, creating it if there is none, and bring its schema up to date.

    A new collection is built in a temporary file beside ``path`` and put in place only when complete, so
    no process ever sees (or leaves) a half-made one. An existing file is looked at before anything is
    written to it: an empty file, a file that is not SQLite, an SQLite database of another program and a
    collection of a newer cvquiz are refused and left exactly as they were (journal mode included).
    A file cvquiz may not write is opened read-only, and so is a file in a folder cvquiz may not write: SQLite
    writes its journal (the ``-wal`` and ``-shm`` files) beside the collection, so nothing could be written.

    Args:
        path: the collection file.
        stop_before: for tests: leave migrations from this one on unapplied.
        now: the time, for the name of the backup made before migrating an existing collection.

    Returns:
        The connection (autocommit, busy timeout, WAL) and whether it is read-only.

    Raises:
        CollectionError: with what was found, for a file that cannot be opened or is not a collection.
    """
    if not path.exists() and not path.is_symlink():
        _create(path, stop_before)
    _check_header(path)
    read_only = not os.access(path, os.W_OK) or not os.access(
        Path(os.path.realpath(path)).parent, os.W_OK
    )
    try:
        conn = _connect(path, read_only)
    except sqlite3.Error as error:
        raise explain_error(error, path) from None
    try:
        kind = _inspect(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            # journal_mode must be set outside a transaction; WAL lets readers and one writer work at once.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            if kind != "cvquiz" or _pending(conn, stop_before):
                raise CollectionError(
                    _(
                        "{path}: the collection is read-only and needs an upgrade to schema {schema};"
                        " make it writable and run cvquiz again"
                    ).format(path=path, schema=SCHEMA)
                )
        else:
            migrate(conn, stop_before=stop_before, now=now)
    except BaseException as error:
        conn.close()
        if isinstance(error, sqlite3.Error):
            raise explain_error(error, path) from None
        raise
    return conn, read_only


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    uri = path.resolve().as_uri() + "?mode=ro"
    if not os.access(path.resolve().parent, os.W_OK) and not any(
        Path(f"{path}{end}").exists() for end in ("-wal", "-shm")
    ):
        # Nobody can be writing: a WAL needs a file in this folder. Without one, SQLite would have to
        # create the -shm file to read a WAL-mode database, and cannot.
        uri += "&immutable=1"
    return sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )


def _create(path: Path, stop_before: str | None) -> None:
    """Build a new collection in a temporary file and link it into place (another process may win)."""
    from cvquiz.fileio import describe_os_error, temp_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_file(path)
    except OSError as error:
        raise CollectionError(
            _("{path}: cannot create the collection: {reason}").format(
                path=path, reason=describe_os_error(error)
            )
        ) from None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn, stop_before=stop_before)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another cvquiz created it first: use theirs
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links: create exclusively, then rename over the empty file
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                return
            os.replace(tmp, path)
    except sqlite3.Error as error:
        raise explain_error(error, path) from None
    except OSError as error:
        raise CollectionError(
            _("{path}: cannot create the collection: {reason}").format(
                path=path, reason=describe_os_error(error)
            )
        ) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)


_LOOKS_LIKE = (
    (b"PK\x03\x04", N_("a ZIP archive (an Anki package? cvquiz import reads it)")),
    (b"{", N_("JSON text (a cvquiz export? cvquiz import restores it)")),
    (b"[", N_("JSON text")),
)


def _check_header(path: Path) -> None:
    """Refuse an existing file that is empty or not an SQLite database, saying what it is."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        from cvquiz.fileio import describe_os_error

        raise CollectionError(
            _("{path}: cannot open the collection: {reason}").format(
                path=path, reason=describe_os_error(error)
            )
        ) from None
    if not head:
        raise CollectionError(
            _(
                "{path}: the collection file is empty (0 bytes); it was left as it is. Restore a backup"
                " (see `cvquiz backups`), or move the file away to start a new collection"
            ).format(path=path)
        )
    if head == SQLITE_HEADER:
        return
    what = next((_(text) for magic, text in _LOOKS_LIKE if head.startswith(magic)), None)
    if what is None:
        what = _("a text file") if _is_text(head) else _("binary data")
    raise CollectionError(
        _(
            "{path}: not a cvquiz collection but {what}; it was left as it is. Restore a backup"
            " (see `cvquiz backups`), or give your collection with --collection"
        ).format(path=path, what=what)
    )


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c >= 0x20 or c in b"\t\r\n" for c in head)


def _inspect(conn: sqlite3.Connection, path: Path) -> str:
    """Tell what the SQLite file is, reading only: ``"cvquiz"``, or ``"new"`` for one with no table yet.

    Raises:
        CollectionError: another program's database, or a collection made by a newer cvquiz.
    """
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    names = applied_names(conn) if MIGRATIONS_TABLE in tables else []
    if not names:
        if not [t for t in tables if t != MIGRATIONS_TABLE] and not _other_migrations(conn, tables):
            return "new"  # e.g. left by a cvquiz 0.1 stopped before its first migration: nothing to lose
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise CollectionError(
            _(
                "{path}: not a cvquiz collection but an SQLite database with the tables {tables}; it"
                " was left as it is. Restore a backup (see `cvquiz backups`), or give your collection"
                " with --collection"
            ).format(path=path, tables=shown)
        )
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    unknown = [n for n in names if n not in MIGRATION_NAMES]
    if unknown or version > SCHEMA:
        schema = max(int(version), len(names))
        raise CollectionError(
            _("{path}: made by a newer cvquiz (schema {schema}); upgrade cvquiz").format(
                path=path, schema=schema
            )
        )
    return "cvquiz"


def _other_migrations(conn: sqlite3.Connection, tables: list[str]) -> bool:
    if MIGRATIONS_TABLE not in tables:
        return False
    return conn.execute(f"SELECT 1 FROM {MIGRATIONS_TABLE} LIMIT 1").fetchone() is not None


def _pending(conn: sqlite3.Connection, stop_before: str | None) -> bool:
    wanted = list(MIGRATION_NAMES)
    if stop_before is not None and stop_before in wanted:
        wanted = wanted[: wanted.index(stop_before)]
    return applied_names(conn)[: len(wanted)] != wanted


_SQLITE_REASONS = {
    "SQL logic error": N_("SQL logic error"),
    "access permission denied": N_("access permission denied"),
    "attempt to write a readonly database": N_("attempt to write a read-only database"),
    "authorization denied": N_("authorization denied"),
    "database disk image is malformed": N_("the database file is damaged"),
    "database is locked": N_("the database is locked by another program"),
    "database or disk is full": N_("the database or the disk is full"),
    "database table is locked": N_("a table of the database is locked"),
    "disk I/O error": N_("disk input/output error"),
    "file is not a database": N_("not an SQLite database"),
    "interrupted": N_("interrupted"),
    "locking protocol": N_("locking protocol error"),
    "out of memory": N_("out of memory"),
    "unable to open database file": N_("cannot open the database file"),
}
"""SQLite's own wording of its result codes (``sqlite3_errstr``), each with what cvquiz says of it."""


def sqlite_reason(error: sqlite3.Error) -> str:
    """Why SQLite failed, in the person's language where SQLite gave its standard wording of the result code
    (a more specific message, such as a missing table's name, is shown as SQLite wrote it)."""
    text = str(error)
    known = _SQLITE_REASONS.get(text)
    return _(known) if known else text


def is_busy(error: sqlite3.Error) -> bool:
    """Whether an SQLite error says another connection holds the lock (the busy timeout ran out)."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def explain_error(error: sqlite3.Error, path: Path) -> CollectionError:
    """Turn an SQLite error on the collection into a one-line message a person can act on.

    A damaged file points to the backups and to ``sqlite3 .recover``; a read-only or full disk says so.
    """
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        import shlex

        return CollectionDamagedError(
            _(
                "{path}: the collection is damaged ({detail}). Restore a backup (see `cvquiz backups`),"
                " or recover what is readable: sqlite3 {quoted} .recover | sqlite3 recovered.sqlite"
            ).format(path=path, detail=sqlite_reason(error), quoted=shlex.quote(str(path)))
        )
    if code == sqlite3.SQLITE_READONLY:
        return CollectionReadOnlyError(
            _("{path}: the collection is read-only; this command needs to write to it").format(
                path=path
            )
        )
    if code == sqlite3.SQLITE_FULL:
        return CollectionError(
            _(
                "{path}: cannot write the collection: no space left on the disk. Everything saved"
                " before is kept; free some space and run the command again"
            ).format(path=path)
        )
    if code == sqlite3.SQLITE_BUSY:
        return CollectionBusyError(
            _("{path}: the collection is busy (another cvquiz is writing to it); try again").format(
                path=path
            )
        )
    if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
        return CollectionError(
            _("{path}: cannot read or write the collection: {detail}").format(
                path=path, detail=sqlite_reason(error)
            )
        )
    return CollectionError(
        _("{path}: collection error: {detail}").format(path=path, detail=sqlite_reason(error))
    )


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """Return the names of the applied migrations, oldest first, with plain SQL."""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'cvquiz' ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:  # no migrations table yet: a new collection
        return []
    return [row[0] for row in rows]


def migrate(
    conn: sqlite3.Connection,
    stop_before: str | None = None,
    now: datetime | None = None,
    *,
    back_up_first: bool = True,
) -> None:
    """Apply pending migrations in one write transaction, so concurrent openers never race.

    An existing collection is backed up first (`cvquiz.collection.backups`, reason ``before-upgrade``).

    Args:
        conn: the collection connection.
        stop_before: apply only the migrations before this one (tests build old collections this way).
        now: the time, for the backup's name (default: the system clock).
        back_up_first: back an existing collection up first; False for a copy being restored, whose
            original stays as it is.
    """
    applied = applied_names(conn)
    if stop_before is None and applied == list(MIGRATION_NAMES):
        return
    from sqlite_utils import Database

    from cvquiz.collection.migrations import migrations

    db = Database(conn)
    if not migrations.pending(db):
        return
    if applied and stop_before is None and back_up_first:
        from cvquiz.collection.backups import back_up

        path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        back_up(conn, path, now or datetime.now(UTC), "before-upgrade")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db, stop_before=stop_before)
        # the schema a newer cvquiz would see: it refuses nothing, an older cvquiz refuses a higher one
        db.conn.execute(f"PRAGMA user_version = {len(applied_names(conn))}")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def has_retired(conn: sqlite3.Connection) -> bool:
    """Whether any card is retired (one seek in the index ``cards(active, position)``): the big counts leave
    retired cards out by key only when there are some."""
    return conn.execute("SELECT 1 FROM cards WHERE active = 0 LIMIT 1").fetchone() is not None


def count_entries(conn: sqlite3.Connection, deck_id: str | None = None) -> None:
    """Store in ``decks.entries`` how many entries (cards as written) each deck's file holds: its active cards'
    distinct ids. Sync calls it for each deck it writes, a restore for every deck, so that ``cvquiz decks``
    reads the count instead of counting distinct ids over every card.

    A collection opened short of ``m012_deck_entries`` (``Collection.open(stop_before=...)``, as the tests of
    upgrades do) has no such column and nothing to keep.

    Args:
        conn: the collection connection, inside the transaction that changed the cards.
        deck_id: the deck whose cards changed; None: every deck.
    """
    if not any(row[1] == "entries" for row in conn.execute("PRAGMA table_info(decks)")):
        return
    sql = """UPDATE decks SET entries = (SELECT COUNT(DISTINCT c.card_id) FROM cards c
                                         WHERE c.deck_id = decks.id AND c.active = 1)"""
    if deck_id is None:
        conn.execute(sql)
    else:
        conn.execute(sql + " WHERE id = ?", (deck_id,))


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
