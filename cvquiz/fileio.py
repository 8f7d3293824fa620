"""Reading and writing files: the one atomic write, the one writer of export targets, the one JSON reader.

Every file cvquiz writes goes through here, so that each of these holds everywhere:

- A file is replaced whole or not at all: the bytes go to a temporary file in the target's folder, named
  ``.NAME.cvquiz-XXXXXXXX.tmp``, are flushed to disk, and the temporary file is renamed over the target
  (`atomic_write`). A crash leaves the old file or the new one, never a mix; a failed write (disk full,
  permission denied) leaves the old file and removes the temporary one.
- The target keeps its permission bits (and, where the process may, its owner); a new file gets the mode the
  umask gives, as a shell redirection would (never 0600). A symbolic link is written through: its target is
  replaced and the link stays.
- An export target (`write_output`) may also be ``-`` (standard output), a FIFO or a character device, which
  are streamed to and never replaced by a regular file; a folder is refused.
- Temporary files that a killed cvquiz left behind are removed by the next write into the same folder, and by
  `clean_stale_temp_files` (the decks folder is swept on every sync), once they are an hour old.
- Every failure is a `FileError` with a one-line message naming the file and what the system said.

Files a person names to be read (a CSV, a deck to check, a backup, a code card's answer) go through
`read_limited`: at most a limit's worth of bytes is read, so ``/dev/zero``, ``/dev/urandom`` or an endless pipe
ends in a one-line error instead of filling the memory, while ``<(...)`` (a FIFO) still works.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from cvquiz.errors import CvquizError, FileError, TargetExistsError, UnreadableFileError
from cvquiz.i18n import N_, _

__all__ = [
    "JSON_FILE_LIMIT",
    "MB",
    "SETTINGS_FILE_LIMIT",
    "STALE_TEMP_AGE_S",
    "STDOUT",
    "TEXT_FILE_LIMIT",
    "Content",
    "atomic_write",
    "clean_stale_temp_files",
    "describe_os_error",
    "describe_size",
    "is_temp_file",
    "new_file_mode",
    "read_json_file",
    "read_limited",
    "read_stdin_text",
    "read_text_file",
    "temp_file",
    "text_writer",
    "write_output",
]

STDOUT = "-"
"""The output target that means standard output."""

STALE_TEMP_AGE_S = 3600
"""Temporary files of cvquiz older than this (seconds) were left by a process that died: they are removed."""

MB = 1024 * 1024

TEXT_FILE_LIMIT = 64 * MB
"""The most cvquiz reads of a text file a person names: a deck to check, a CSV, Anki's plain-text notes."""

JSON_FILE_LIMIT = 256 * MB
"""The most cvquiz reads of a JSON file a person names: a backup to restore, detections to score."""

SETTINGS_FILE_LIMIT = 1 * MB
"""The most cvquiz reads of the settings file."""

_READ_CHUNK = MB

Content = bytes | Callable[[IO[bytes]], object]
"""What to write: the bytes, or a function that writes them to a binary file object."""

_TEMP_MARK = ".cvquiz-"
_TEMP_SUFFIX = ".tmp"
_NAME_KEEP = 100
"""At most this many characters of the target's name go into its temporary file's name (255 is the limit)."""
_TEMP_RE = re.compile(r"\A\..*\.cvquiz-[a-z0-9_]{8}\.tmp(-wal|-shm|-journal)?\Z", re.DOTALL)
"""cvquiz's temporary files (an SQLite file being created has its journal beside it)."""
# cvquiz 0.1 named its temporary files ``.NAME.XXXXXXXX.tmp``: recognised only for a NAME cvquiz writes.
_LEGACY_RE = re.compile(r"\A\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp\Z", re.DOTALL)

_REASONS = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EROFS: N_("the file system is read-only"),
    errno.ENOENT: N_("no such file or folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENAMETOOLONG: N_("the file name is too long"),
    errno.ELOOP: N_("too many levels of symbolic links"),
    errno.EIO: N_("input/output error (the disk may be failing)"),
    errno.EFBIG: N_("the file is too large"),
    errno.EPIPE: N_("the reading end was closed"),
    errno.ENXIO: N_("no reader at the other end"),
    errno.ETXTBSY: N_("the file is busy"),
}


def describe_os_error(error: OSError) -> str:
    """Return what went wrong in a few words, in the current language (the system's text when unknown)."""
    reason = _REASONS.get(error.errno or 0)
    if reason is not None:
        return _(reason)
    return error.strerror or str(error) or type(error).__name__


_DECODE_REASONS = frozenset(
    (N_("invalid start byte"), N_("invalid continuation byte"), N_("unexpected end of data"))
)
"""Python's words for bytes that are not UTF-8, as catalog messages."""

_JSON_PROBLEMS = frozenset(
    (
        N_("Expecting value"),
        N_("Expecting ',' delimiter"),
        N_("Expecting ':' delimiter"),
        N_("Expecting property name enclosed in double quotes"),
        N_("Unterminated string starting at"),
        N_("Invalid control character at"),
        N_("Invalid \\escape"),
        N_("Invalid \\uXXXX escape"),
        N_("Extra data"),
        N_("Illegal trailing comma before end of object"),
        N_("Illegal trailing comma before end of array"),
    )
)
"""Python's words for a JSON syntax error, as catalog messages."""


def describe_decode_error(error: UnicodeDecodeError) -> str:
    """Return why some bytes are not UTF-8, in the current language (Python's words when unknown)."""
    return _(error.reason) if error.reason in _DECODE_REASONS else error.reason


def _json_problem(message: str) -> str:
    return _(message) if message in _JSON_PROBLEMS else message


def _write_error(path: Path | str, error: OSError) -> FileError:
    return FileError(
        _("{path}: cannot write: {reason}").format(path=path, reason=describe_os_error(error))
    )


def _resolve(path: Path) -> Path:
    """Return the file that writing ``path`` must change: symbolic links followed (a dangling one too)."""
    return Path(os.path.realpath(path))


def _umask() -> int:
    """Return the process umask without changing it (from /proc where there is one)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)  # pragma: no cover - platforms without /proc
    os.umask(current)  # pragma: no cover
    return current  # pragma: no cover


def new_file_mode() -> int:
    """Return the permission bits a new file gets under the current umask (``0o666 & ~umask``)."""
    return 0o666 & ~_umask()


def temp_file(target: Path) -> Path:
    """Create an empty temporary file named for ``target`` in its folder (``.NAME.cvquiz-XXXXXXXX.tmp``).

    The caller fills it and renames (or links) it into place, or removes it; one left behind by a process
    that died is swept by `clean_stale_temp_files`.

    Raises:
        OSError: when the folder does not let the file be created.
    """
    import tempfile  # only when writing (it loads random and shutil)

    fd, name = tempfile.mkstemp(
        prefix=f".{target.name[:_NAME_KEEP]}{_TEMP_MARK}", suffix=_TEMP_SUFFIX, dir=target.parent
    )
    os.close(fd)
    os.chmod(name, new_file_mode())
    return Path(name)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ENOTDIR:
            return None
        raise


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _emit(handle: IO[bytes], content: Content) -> None:
    if isinstance(content, bytes | bytearray | memoryview):
        handle.write(content)
    else:
        content(handle)
    handle.flush()


def atomic_write(
    path: Path | str, content: Content, *, exclusive: bool = False, make_parents: bool = True
) -> Path:
    """Replace (or create) a regular file with ``content``, all at once.

    Args:
        path: the file; a symbolic link is followed and its target replaced.
        content: the bytes, or a function writing them to a binary file object.
        exclusive: create the file only if it does not exist yet, as one atomic step (two processes creating
            the same file: one wins, the other gets `TargetExistsError`).
        make_parents: create missing folders on the way.

    Returns:
        The file written (symbolic links resolved).

    Raises:
        TargetExistsError: with ``exclusive``, when the file exists (nothing written).
        FileError: when the target is a folder or not a regular file, or the file cannot be written (disk
            full, permission denied...): the old file is then untouched and no temporary file is left.
    """
    target = _resolve(Path(path))
    folder = target.parent
    try:
        if make_parents:
            folder.mkdir(parents=True, exist_ok=True)
        old = _stat(target)
    except FileExistsError:  # mkdir met a file where a folder of the path should be
        raise _write_error(path, NotADirectoryError(errno.ENOTDIR, "")) from None
    except OSError as error:
        raise _write_error(path, error) from None
    if old is not None:
        if exclusive:
            raise TargetExistsError(_("{path}: the file already exists").format(path=path))
        if stat.S_ISDIR(old.st_mode):
            raise FileError(
                _("{path}: cannot write: it is a folder; give a file name").format(path=path)
            )
        if not stat.S_ISREG(old.st_mode):
            raise FileError(_("{path}: cannot write: not a regular file").format(path=path))
    clean_stale_temp_files(folder, legacy_names=(target.name,))
    try:
        import tempfile

        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name[:_NAME_KEEP]}{_TEMP_MARK}", suffix=_TEMP_SUFFIX, dir=folder
        )
    except OSError as error:
        if error.errno == errno.ENOENT and folder.is_dir():
            # The folder is there but makes no new file (/proc, some FUSE file systems): saying "no such file"
            # of a file that exists would be wrong.
            raise FileError(
                _("{path}: cannot write: no new file can be made in its folder").format(path=path)
            ) from None
        raise _write_error(path, error) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _emit(handle, content)
            os.fsync(handle.fileno())
        if old is None:
            os.chmod(tmp, new_file_mode())
        else:
            _copy_owner_and_mode(tmp, old)
        if exclusive:
            _link_new(tmp, target, path)
        else:
            os.replace(tmp, target)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_error(path, error) from None
        raise
    _fsync_dir(folder)
    return target


def _copy_owner_and_mode(tmp: Path, old: os.stat_result) -> None:
    mine = os.stat(tmp)
    if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.chown(tmp, old.st_uid, old.st_gid)
        except OSError:  # only root may give a file away; the group may still be ours to set
            with contextlib.suppress(OSError):
                os.chown(tmp, -1, old.st_gid)
    os.chmod(tmp, stat.S_IMODE(old.st_mode))


def _link_new(tmp: Path, target: Path, shown: Path | str) -> None:
    """Put ``tmp`` at ``target`` only if nothing is there (a hard link cannot replace a file)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise TargetExistsError(_("{path}: the file already exists").format(path=shown)) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: an exclusive create, then the rename over it.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise TargetExistsError(
                _("{path}: the file already exists").format(path=shown)
            ) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def write_output(target: Path | str, content: Content) -> str:
    """Write an export to where the person asked: a file, ``-`` (standard output), a FIFO or a device.

    A regular file (or a new one) is written with `atomic_write`, through a symbolic link if ``target`` is
    one; standard output, a FIFO and a character device are streamed to, as a shell redirection would.

    Args:
        target: the path given with ``-o``, or ``-``.
        content: the bytes, or a function writing them to a binary file object.

    Returns:
        Where the export went, for a message: the path as given, or "standard output".

    Raises:
        FileError: for a folder, a socket or a block device, or when the target cannot be written (a regular
            file is then untouched and no temporary file is left).
    """
    if str(target) == STDOUT:
        try:
            sys.stdout.flush()
            _emit(sys.stdout.buffer, content)
        except OSError as error:
            raise _write_error(_("standard output"), error) from None
        return _("standard output")
    path = Path(target)
    try:
        found = _stat(_resolve(path))
    except OSError as error:
        raise _write_error(path, error) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise FileError(
            _("{path}: cannot write: it is a folder; give a file name").format(path=path)
        )
    if found is not None and (stat.S_ISFIFO(found.st_mode) or stat.S_ISCHR(found.st_mode)):
        _stream_to(path, content)
        return str(path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise FileError(
            _("{path}: cannot write: not a regular file, a FIFO or a device").format(path=path)
        )
    atomic_write(path, content)
    return str(path)


def _stream_to(path: Path, content: Content) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "wb") as handle:
            _emit(handle, content)
    except OSError as error:
        raise _write_error(path, error) from None


LOCK_POLL = 0.05
"""Seconds between two tries at a folder lock another cvquiz holds."""


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    timeout: float,
    *,
    busy: str,
    unopenable: str,
    error: type[CvquizError] = FileError,
) -> Iterator[None]:
    """Hold an advisory ``flock`` on a folder for the block (the folder is created if needed).

    The lock is on the folder itself, so no lock file appears in it, and the system drops it if cvquiz dies.
    Where ``flock`` does not exist (Windows) no lock is taken.

    Args:
        folder: the folder to lock.
        timeout: seconds to wait for another cvquiz to let go of it.
        busy: the message when it does not in time (``{path}`` is the folder).
        unopenable: the message when the folder cannot be created or opened (``{path}``, ``{reason}``).
        error: the error raised with either message.

    Raises:
        CvquizError: ``error``, with ``busy`` or ``unopenable``.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as os_error:
        raise error(unopenable.format(path=folder, reason=describe_os_error(os_error))) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise error(busy.format(path=folder)) from None
                time.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def describe_size(size: int) -> str:
    """Return a size in bytes as a person reads it: whole megabytes (``64 MB``), else bytes."""
    if size >= MB and size % MB == 0:
        return _("{count} MB").format(count=size // MB)
    return _("{count} bytes").format(count=size)


def read_limited(path: Path | str, limit: int) -> bytes:
    """Read a file a person named, whatever it is (a FIFO such as ``<(...)`` or a device too), up to a limit.

    At most ``limit + 1`` bytes are ever read, so ``/dev/zero`` or a pipe that never ends is an error, not a
    process that fills the memory. (Looking at the size first would not do: a device's size is 0.)

    Args:
        path: the file, as the person named it.
        limit: the most bytes the file may hold.

    Returns:
        What the file holds.

    Raises:
        UnreadableFileError: the file cannot be read (a folder, permission denied...: the system's reason), or
            holds more than ``limit`` bytes.
    """
    try:
        with open(path, "rb", buffering=0) as handle:
            return _read_up_to(handle, limit, path)
    except OSError as error:
        raise UnreadableFileError(
            path, _("cannot read: {reason}").format(reason=describe_os_error(error)), error
        ) from None


def _read_up_to(handle: IO[bytes], limit: int, name: object) -> bytes:
    """Read ``handle`` to its end, reading ``limit + 1`` bytes at most.

    Raises:
        UnreadableFileError: for more than ``limit`` bytes.
        OSError: when reading fails.
    """
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = handle.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise UnreadableFileError(
            name, _("larger than {size}; cvquiz reads no more").format(size=describe_size(limit))
        )
    return b"".join(chunks)


def read_text_file(
    path: Path | str, limit: int, *, error: type[CvquizError] = FileError, bom: bool = False
) -> str:
    """Read a file a person named as UTF-8 text (`read_limited`: a FIFO or a device too, up to ``limit``).

    Args:
        path: the file, as the person named it.
        limit: the most bytes the file may hold.
        error: the `CvquizError` subclass to raise.
        bom: drop a byte-order mark at the start.

    Raises:
        error: naming ``path``, when the file cannot be read, holds more than ``limit`` bytes, or is not UTF-8.
    """
    try:
        blob = read_limited(path, limit)
    except UnreadableFileError as unreadable:
        raise error(str(unreadable)) from None
    try:
        return blob.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as decode_error:
        raise error(
            _("{path}: not UTF-8 text ({reason} at byte {byte})").format(
                path=path, reason=describe_decode_error(decode_error), byte=decode_error.start
            )
        ) from None


def read_stdin_text(option: str, limit: int = TEXT_FILE_LIMIT) -> str:
    """Read standard input whole as UTF-8 text, for an option given as ``-`` (``cvquiz add -a -``).

    The bytes are read and decoded here, strictly: Python's own reading of standard input lets bytes that are
    not UTF-8 through as lone surrogates, which no file can hold.

    Args:
        option: the option given as ``-``, for the messages.
        limit: the most bytes standard input may hold.

    Raises:
        FileError: naming the option, when standard input cannot be read, holds more than ``limit`` bytes, or
            is not UTF-8 text.
    """
    try:
        data = _read_up_to(sys.stdin.buffer, limit, STDOUT)
    except UnreadableFileError as error:
        raise FileError(
            _("{option} -: standard input: {problem}").format(option=option, problem=error.reason)
        ) from None
    except OSError as error:
        raise FileError(
            _("{option} -: cannot read standard input: {reason}").format(
                option=option, reason=describe_os_error(error)
            )
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            _("{option} -: standard input is not UTF-8 text ({reason} at byte {byte})").format(
                option=option, reason=describe_decode_error(error), byte=error.start
            )
        ) from None


def read_json_file(
    path: Path | str, *, error: type[CvquizError] = FileError, limit: int = JSON_FILE_LIMIT
) -> Any:
    """Read a JSON file (UTF-8, a byte-order mark allowed) and return what it holds.

    ``NaN`` and ``Infinity`` are read as floats: a caller that validates the values says where they are.

    Args:
        path: the file (a FIFO or a device too: see `read_limited`).
        error: the `CvquizError` subclass to raise.
        limit: the most bytes the file may hold.

    Raises:
        error: with ``path`` (and the line and column of a syntax error) when the file cannot be read, is
            larger than ``limit``, is not UTF-8 text, or is not JSON (too deeply nested or holding a number too
            long to read included).
    """
    try:
        data = read_limited(path, limit)
    except UnreadableFileError as unreadable:
        raise error(str(unreadable)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as decode_error:
        raise error(
            _("{path}: not UTF-8 text (byte {offset})").format(path=path, offset=decode_error.start)
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as json_error:
        raise error(
            _("{path}:{line}:{column}: not valid JSON: {problem}").format(
                path=path,
                line=json_error.lineno,
                column=json_error.colno,
                problem=_json_problem(json_error.msg),
            )
        ) from None
    except RecursionError:
        raise error(_("{path}: not valid JSON: nested too deeply").format(path=path)) from None
    except ValueError:  # an integer beyond the digits Python converts
        raise error(
            _("{path}: not valid JSON: a number with too many digits").format(path=path)
        ) from None


def is_temp_file(name: str) -> bool:
    """Tell whether ``name`` is the name of one of cvquiz's temporary files (``.NAME.cvquiz-XXXXXXXX.tmp``)."""
    return _TEMP_RE.match(name) is not None


def clean_stale_temp_files(
    folder: Path,
    *,
    legacy_names: Iterable[str] | Callable[[str], bool] = (),
    recursive: bool = False,
    now: float | None = None,
) -> int:
    """Remove the temporary files a killed cvquiz left in ``folder``, once they are an hour old.

    Only cvquiz's own pattern is touched (``.NAME.cvquiz-XXXXXXXX.tmp``), and cvquiz 0.1's
    ``.NAME.XXXXXXXX.tmp`` for a NAME in ``legacy_names`` (a file cvquiz writes there). Newer files may belong
    to a cvquiz that is still writing, and stay. Nothing here raises: a file that cannot be removed stays.

    Args:
        folder: where to look.
        legacy_names: target names (or a test on them) whose cvquiz 0.1 temporary files are recognised.
        recursive: look in subfolders too (hidden ones excepted).
        now: the current time in seconds since the epoch (default: the clock), to compare modification times.

    Returns:
        How many files were removed.
    """
    cutoff = (time.time() if now is None else now) - STALE_TEMP_AGE_S
    if callable(legacy_names):
        legacy: Callable[[str], bool] = legacy_names
    else:
        names = frozenset(legacy_names)
        legacy = names.__contains__
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        try:
            if recursive and not name.startswith(".") and entry.is_dir(follow_symlinks=False):
                removed += clean_stale_temp_files(
                    Path(entry.path), legacy_names=legacy, recursive=True, now=now
                )
                continue
            if not name.startswith(".") or ".tmp" not in name:
                continue
            ours = _TEMP_RE.match(name) is not None
            if not ours:
                old = _LEGACY_RE.match(name)
                ours = old is not None and legacy(old.group("name"))
            if not ours or not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def text_writer(write: Callable[[TextIO], object]) -> Callable[[IO[bytes]], None]:
    """Adapt a function that writes text to one that writes UTF-8 bytes (for `atomic_write`/`write_output`)."""

    def emit(handle: IO[bytes]) -> None:
        wrapper = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        try:
            write(wrapper)
            wrapper.flush()
        finally:
            wrapper.detach()

    return emit
