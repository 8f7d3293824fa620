"""Automatic backups of the collection file, kept as Anki keeps them, and restoring one.

A backup is a consistent copy of the whole collection made with SQLite's ``VACUUM INTO`` (safe while other
processes read or write), written under a temporary name and renamed into the backups folder beside the
collection: ``<folder of the collection>/backups/<collection name>-YYYY-MM-DD-HHMMSS[-reason].sqlite``, the
time in UTC. One is made before any migration of an existing collection, before a restore, and at most once per
``backup_interval`` minutes of study (when something changed since the last one).

After each backup the folder is thinned as Anki thins its own (the same rule): every backup of today and
yesterday stays; beyond them, the newest backup of each of the last `DAILY` days that have one, then of each of
the next `WEEKLY` weeks (Monday to Sunday), then of each of the next `MONTHLY` months; the rest are deleted.
Only files this module named are ever deleted. (The JSON export, ``cvquiz export json``, is `backup`.)
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import store
from cvquiz.errors import CollectionError
from cvquiz.fileio import describe_os_error, temp_file
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "DAILY",
    "MONTHLY",
    "WEEKLY",
    "BackupFile",
    "RestoreResult",
    "back_up",
    "backup_folder",
    "list_backups",
    "maybe_back_up",
    "obsolete",
    "restore",
    "thin",
]

DAILY = 30
WEEKLY = 8
MONTHLY = 12
FOLDER = "backups"
_STAMP = "%Y-%m-%d-%H%M%S"


@dataclass(frozen=True)
class BackupFile:
    """One backup of the collection.

    Attributes:
        path: the file.
        made_at: when it was made (UTC).
        size: its size in bytes.
        reason: why, when not the periodic backup: ``before-upgrade``, ``before-restore``, ``manual``.
    """

    path: Path
    made_at: datetime
    size: int
    reason: str = ""


@dataclass(frozen=True)
class RestoreResult:
    """What ``cvquiz restore`` did.

    Attributes:
        restored: the backup now in the collection's place.
        saved: the backup made of the collection as it was just before, or None when there was none.
        cards: review cards in the restored collection.
        reviews: reviews in it.
    """

    restored: Path
    saved: BackupFile | None
    cards: int
    reviews: int


def backup_folder(collection: Path) -> Path:
    """The backups folder of a collection file: ``backups`` beside it."""
    return collection.parent / FOLDER


def _pattern(collection: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(collection.stem)
        + r"-(\d{4}-\d{2}-\d{2}-\d{6})(?:-([a-z-]+?))?(?:-(\d+))?\.sqlite"
    )


def list_backups(collection: Path) -> list[BackupFile]:
    """Return the backups of a collection, newest first."""
    folder = backup_folder(collection)
    pattern = _pattern(collection)
    found: list[tuple[datetime, int, BackupFile]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file():
            continue
        made = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        stat = entry.stat()
        found.append(
            (
                made,
                stat.st_mtime_ns,
                BackupFile(Path(entry.path), made, stat.st_size, match.group(2) or ""),
            )
        )
    # names count seconds: within one second, the file written last is the newest
    return [b for _, _, b in sorted(found, key=lambda t: (t[0], t[1]), reverse=True)]


def _target(collection: Path, made_at: datetime, reason: str) -> Path:
    stamp = made_at.astimezone(UTC).strftime(_STAMP)
    base = f"{collection.stem}-{stamp}" + (f"-{reason}" if reason else "")
    folder = backup_folder(collection)
    target = folder / f"{base}.sqlite"
    n = 2
    while target.exists():  # two backups within one second
        target = folder / f"{base}-{n}.sqlite"
        n += 1
    return target


def back_up(
    conn: sqlite3.Connection, collection: Path, now: datetime, reason: str = ""
) -> BackupFile:
    """Copy the collection into its backups folder now, then thin the folder.

    Args:
        conn: an open connection to the collection (not inside a transaction).
        collection: the collection file (names the folder and the backup).
        now: the time of the backup (names it).
        reason: ``before-upgrade``, ``before-restore``, ``manual``, or empty for a periodic backup.

    Returns:
        The new backup.

    Raises:
        CollectionError: when the backup cannot be written (the folder is left without a partial file).
    """
    folder = backup_folder(collection)
    target = _target(collection, now, reason)
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a name of its own (VACUUM INTO takes an empty file): two cvquiz backing up in the same second
        # each write their own file, and the last rename wins, instead of one failing on the other's file
        tmp = temp_file(target)
        conn.execute("VACUUM INTO ?", (str(tmp),))
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as error:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise CollectionError(
            _("{path}: cannot write a backup: {error}").format(path=target, error=_reason(error))
        ) from None
    made = BackupFile(
        target, now.astimezone(UTC).replace(microsecond=0), target.stat().st_size, reason
    )
    thin(collection, now)
    return made


def _reason(error: OSError | sqlite3.Error) -> str:
    """Why a backup or a restore could not be written, in the person's language."""
    return describe_os_error(error) if isinstance(error, OSError) else store.sqlite_reason(error)


def _day(backup: BackupFile) -> date:
    return backup.made_at.astimezone(clock.local_zone()).date()


def _week(day: date) -> int:
    return (day.toordinal() - 1) // 7  # day 1 (0001-01-01) is a Monday: weeks run Monday to Sunday


def _month(day: date) -> int:
    return day.year * 12 + day.month


def obsolete(
    backups: Iterable[BackupFile],
    today: date,
    daily: int = DAILY,
    weekly: int = WEEKLY,
    monthly: int = MONTHLY,
) -> list[BackupFile]:
    """Return the backups that thinning deletes (the rule is in the module's docstring).

    Args:
        backups: every backup.
        today: the local date now.
        daily: how many days keep their newest backup (beyond today and yesterday).
        weekly: how many weeks then keep theirs.
        monthly: how many months then keep theirs.
    """
    yesterday = today - timedelta(days=1)
    left = {"daily": daily, "weekly": weekly, "monthly": monthly}
    last_day: date | None = None
    gone: list[BackupFile] = []
    for backup in sorted(backups, key=lambda b: b.made_at, reverse=True):
        day = _day(backup)
        if day >= yesterday:
            keep, stage = True, None
        elif left["daily"] > 0:
            keep, stage = last_day is None or day < last_day, "daily"
        elif left["weekly"] > 0:
            keep, stage = last_day is None or _week(day) < _week(last_day), "weekly"
        elif left["monthly"] > 0:
            keep, stage = last_day is None or _month(day) < _month(last_day), "monthly"
        else:
            keep, stage = False, None
        if keep:
            last_day = day
            if stage is not None:
                left[stage] -= 1
        else:
            gone.append(backup)
    return gone


def thin(collection: Path, now: datetime) -> list[Path]:
    """Delete the backups the keeping rule no longer needs; return them."""
    today = now.astimezone(clock.local_zone()).date()
    removed = []
    for backup in obsolete(list_backups(collection), today):
        try:
            backup.path.unlink()
        except OSError:  # a backup that cannot be deleted stays; the next thinning tries again
            continue
        removed.append(backup.path)
    return removed


def maybe_back_up(col: Collection, now: datetime, interval_minutes: int) -> BackupFile | None:
    """Back the collection up if it changed since the newest backup and that one is ``interval`` old.

    A change is anything in the undo log: a rating, a suspend, a tag change... (a deck sync alone is not: the
    deck files are the user's own to keep).

    Returns:
        The new backup, or None when none was due.
    """
    if interval_minutes <= 0:
        return None
    row = col.conn.execute("SELECT MAX(made_at) FROM undo_log").fetchone()
    changed_at = row[0] if row is not None else None
    if changed_at is None:
        return None
    newest = next(iter(list_backups(col.path)), None)
    if newest is not None:
        newest_ms = clock.to_ms(newest.made_at)
        if changed_at < newest_ms or now - newest.made_at < timedelta(minutes=interval_minutes):
            return None
    return back_up(col.conn, col.path, now)


def _sqlite_detail(error: sqlite3.Error) -> str:
    """Why SQLite cannot read a file as a cvquiz collection, in the current language where it is known."""
    if getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB:
        return _("not an SQLite database")
    if str(error).startswith(("no such table", "no such column")):
        return _("an SQLite database without cvquiz's tables")
    return store.sqlite_reason(error)


def _describe(path: Path) -> tuple[list[str], int, int]:
    """Check that a file is a whole cvquiz collection; return its migrations, cards and reviews.

    Raises:
        CollectionError: when it is not a SQLite file, is damaged, or is not a cvquiz collection.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise CollectionError(
            _("{path}: cannot open it: {error}").format(path=path, error=_sqlite_detail(error))
        ) from None
    try:
        (check,) = conn.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise CollectionError(
                _("{path}: the backup is damaged ({detail})").format(path=path, detail=check)
            )
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'cvquiz' ORDER BY id"
            )
        ]
        (cards,) = conn.execute("SELECT COUNT(*) FROM cards").fetchone()
        (reviews,) = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
    except sqlite3.Error as error:
        raise CollectionError(
            _("{path}: not a cvquiz collection ({error})").format(
                path=path, error=_sqlite_detail(error)
            )
        ) from None
    finally:
        conn.close()
    return names, int(cards), int(reviews)


def find_backup(collection: Path, name: str) -> Path:
    """The backup a person named: a path, a file name in the backups folder, or its number in the list.

    Raises:
        CollectionError: when nothing matches.
    """
    given = Path(name).expanduser()
    if given.is_file():
        return given
    inside = backup_folder(collection) / name
    if inside.is_file():
        return inside
    backups = list_backups(collection)
    if name.isdigit() and 1 <= int(name) <= len(backups):
        return backups[int(name) - 1].path
    raise CollectionError(
        _("no backup {name!r}: give a file, or a number from cvquiz backups").format(name=name)
    )


def restore(
    collection: Path, source: Path, now: datetime, known_migrations: Sequence[str]
) -> RestoreResult:
    """Put a backup's content in the collection, after backing up the collection as it is.

    The backup is checked before anything is touched; the current collection is saved as a ``before-restore``
    backup (copied as it is when SQLite cannot read it); the backup is copied, the copy brought up to this
    cvquiz's schema, and its content written into the collection file through SQLite (its backup API), in one
    write transaction under SQLite's locks. The file itself stays: a drill or any other cvquiz that has it open
    keeps a valid connection, sees the restored content on its next transaction, and every rating it makes
    afterwards is kept. A collection SQLite cannot read (so no cvquiz can have it open), or none at all, gets
    the copy renamed into its place instead.

    Args:
        collection: the collection file.
        source: the backup to restore.
        now: the time (names the safety backup).
        known_migrations: the migrations this cvquiz knows (a backup from a newer cvquiz is refused).

    Raises:
        CollectionError: when the backup is damaged, not a cvquiz collection, or from a newer cvquiz, or when
            it cannot be written into the collection (the collection is then as it was).
    """
    names, cards, reviews = _describe(source)
    newer = [n for n in names if n not in set(known_migrations)]
    if newer:
        raise CollectionError(
            _("{path} was made by a newer cvquiz (schema {names}); upgrade cvquiz first").format(
                path=source, names=", ".join(newer)
            )
        )
    saved = None
    if collection.exists():
        saved = _save_current(collection, now)
    copy: Path | None = None
    try:
        copy = temp_file(collection)
        shutil.copyfile(source, copy)
        _bring_up_to_date(copy, now)
        if not collection.exists() or not _write_into(copy, collection):
            for suffix in ("-wal", "-shm"):  # they belong to the file being replaced
                Path(f"{collection}{suffix}").unlink(missing_ok=True)
            os.replace(copy, collection)
            copy = None
    except (OSError, sqlite3.Error) as error:
        raise CollectionError(
            _("{path}: cannot restore: {error}").format(path=collection, error=_reason(error))
        ) from None
    finally:
        if copy is not None:
            for suffix in ("", "-journal"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return RestoreResult(source, saved, cards, reviews)


def _bring_up_to_date(copy: Path, now: datetime) -> None:
    """Apply this cvquiz's pending migrations to the copy of a backup (nobody else has it open).

    Done before the content goes into the collection, so a drill that has the collection open never meets an
    older schema. The copy leaves WAL mode first: it stays one file, which the caller removes.
    """
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        store.migrate(conn, now=now, back_up_first=False)
    finally:
        conn.close()


def _write_into(copy: Path, collection: Path) -> bool:
    """Write the copy's content into the collection file with SQLite's backup API, in one write transaction.

    Returns:
        True when done; False when SQLite cannot read the collection (damaged), which is then untouched.

    Raises:
        sqlite3.Error: when the content cannot be written (the transaction is rolled back: nothing changed).
    """
    target = sqlite3.connect(collection, timeout=store.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        source = sqlite3.connect(copy, isolation_level=None)
        try:
            try:
                (page_size,) = target.execute("PRAGMA page_size").fetchone()
                (mode,) = target.execute("PRAGMA journal_mode").fetchone()
            except sqlite3.DatabaseError as error:
                if getattr(error, "sqlite_errorcode", 0) & 0xFF in (
                    sqlite3.SQLITE_CORRUPT,
                    sqlite3.SQLITE_NOTADB,
                ):
                    return False
                raise
            if mode == "wal" and source.execute("PRAGMA page_size").fetchone()[0] != page_size:
                # SQLite cannot change a WAL database's page size: give the copy the collection's
                source.execute(f"PRAGMA page_size = {int(page_size)}")
                source.execute("VACUUM")
            source.backup(target)
        finally:
            source.close()
    finally:
        target.close()
    return True


def _save_current(collection: Path, now: datetime) -> BackupFile:
    try:
        conn = sqlite3.connect(collection, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return back_up(conn, collection, now, "before-restore")
        finally:
            conn.close()
    except (sqlite3.Error, CollectionError):
        pass
    # SQLite cannot read it (damaged): keep its bytes as they are
    target = _target(collection, now, "before-restore")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(collection, target)
    except OSError as error:
        raise CollectionError(
            _("{path}: cannot save the collection before restoring: {error}").format(
                path=target, error=describe_os_error(error)
            )
        ) from None
    return BackupFile(
        target, now.astimezone(UTC).replace(microsecond=0), target.stat().st_size, "before-restore"
    )
