"""cvquiz.fileio: the atomic write, the export-target writer, the JSON reader and the temp-file sweep."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from cvquiz import fileio
from cvquiz.errors import CollectionError, FileError, TargetExistsError, UnreadableFileError


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- atomic_write ------------------------------------------------------------------------------------------


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        fileio.atomic_write(tmp_path / "a.txt", b"hello")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").read_bytes() == b"hello"
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o664


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, mode: int, umask_022: None) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")
    path.chmod(mode)
    fileio.atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "deck.yaml"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    written = fileio.atomic_write(link, b"new")
    assert link.is_symlink() and written == real.resolve()
    assert real.read_bytes() == b"new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert names(tmp_path) == ["link.yaml", "real"] and names(real.parent) == ["deck.yaml"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    fileio.atomic_write(link, b"{}")
    assert link.is_symlink() and (tmp_path / "target.json").read_bytes() == b"{}"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(FileError, match=r"out: cannot write: it is a folder; give a file name"):
        fileio.atomic_write(tmp_path / "out", b"x")


def test_missing_folders_are_created(tmp_path: Path) -> None:
    fileio.atomic_write(tmp_path / "a" / "b" / "c.txt", b"x")
    assert (tmp_path / "a" / "b" / "c.txt").read_bytes() == b"x"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on the disk"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EIO, "input/output error"),
    ],
)
def test_a_failed_flush_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    path = tmp_path / "report.html"
    path.write_bytes(b"the old report")

    def full(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(FileError) as caught:
        fileio.atomic_write(path, b"x" * 100_000)
    assert str(caught.value) == f"{path}: cannot write: {words}" or words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == b"the old report"
    assert names(tmp_path) == ["report.html"]


def test_a_failed_write_in_the_callback_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_then_full(handle: IO[bytes]) -> None:
        handle.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(FileError, match="no space left on the disk"):
        fileio.atomic_write(tmp_path / "new.json", half_then_full)
    assert names(tmp_path) == []


def test_a_refused_rename_is_an_error_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("deck: old\n", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(FileError, match=r"mine.yaml: cannot write: permission denied"):
        fileio.atomic_write(path, b"deck: x\n")
    assert path.read_text(encoding="utf-8") == "deck: old\n"
    assert names(tmp_path) == ["mine.yaml"]


def test_a_folder_that_makes_no_new_file_is_not_said_to_be_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    path = tmp_path / "mine.yaml"
    path.write_text("deck: old\n", encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")  # as /proc answers

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(
        FileError, match=r"mine.yaml: cannot write: no new file can be made in its folder$"
    ):
        fileio.atomic_write(path, b"deck: x\n")
    assert path.read_text(encoding="utf-8") == "deck: old\n"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "operation not permitted"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EISDIR, "it is a folder"),
        (errno.ENOENT, "no such file or folder"),
        (errno.ENOTDIR, "a part of the path is not a folder"),
    ],
)
def test_each_refusal_has_its_own_words(number: int, words: str) -> None:
    assert fileio.describe_os_error(OSError(number, os.strerror(number))) == words


def test_an_interrupted_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")

    def stop(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", stop)
    with pytest.raises(KeyboardInterrupt):
        fileio.atomic_write(path, b"new")
    assert path.read_bytes() == b"old" and names(tmp_path) == ["config.toml"]


def test_the_temporary_file_has_cvquiz_s_name_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def look(handle: IO[bytes]) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())
        handle.write(b"x")

    fileio.atomic_write(tmp_path / ("d" * 250 + ".yaml"), look)
    assert len(seen) == 1 and fileio.is_temp_file(seen[0]) and len(seen[0]) < 255


def test_exclusive_creates_once(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    fileio.atomic_write(path, b"first", exclusive=True)
    with pytest.raises(TargetExistsError, match="already exists"):
        fileio.atomic_write(path, b"second", exclusive=True)
    assert path.read_bytes() == b"first" and names(tmp_path) == ["new.yaml"]


def test_exclusive_creates_among_racing_threads_exactly_one(tmp_path: Path) -> None:
    path = tmp_path / "race.yaml"
    outcomes: list[str] = []

    def create(n: int) -> None:
        try:
            fileio.atomic_write(path, f"writer {n}".encode(), exclusive=True)
            outcomes.append(f"writer {n}")
        except TargetExistsError:
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1 and path.read_text(encoding="utf-8") == winners[0]
    assert names(tmp_path) == ["race.yaml"]


# --- write_output ------------------------------------------------------------------------------------------


def test_output_to_a_regular_file_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.apkg"
    path.write_bytes(b"old")
    path.chmod(0o644)
    assert fileio.write_output(path, b"new") == str(path)
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o644


def test_output_to_dev_null_streams_and_leaves_the_device(tmp_path: Path) -> None:
    fileio.write_output("/dev/null", b"x" * 1000)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_to_a_fifo_streams_to_the_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    fileio.write_output(fifo, b"streamed bytes")
    reader.join(timeout=10)
    assert got == [b"streamed bytes"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and names(tmp_path) == ["pipe"]


def test_output_through_a_symlink_to_a_fifo_streams(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    fileio.write_output(link, b"via the link")
    reader.join(timeout=10)
    assert got == [b"via the link"] and link.is_symlink()


def test_output_dash_is_standard_output(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert fileio.write_output("-", b"to stdout") == "standard output"
    assert capfdbinary.readouterr().out == b"to stdout"


def test_output_to_a_folder_or_socket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="it is a folder; give a file name"):
        fileio.write_output(tmp_path, b"x")
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(FileError, match="not a regular file, a FIFO or a device"):
            fileio.write_output(sock_path, b"x")


def test_text_writer_writes_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    fileio.write_output(path, fileio.text_writer(lambda h: h.write('{"zh": "卷积"}\n')))
    assert path.read_text(encoding="utf-8") == '{"zh": "卷积"}\n'


# --- read_limited -------------------------------------------------------------------------------------------


def test_read_limited_reads_a_file_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(b"x" * 10)
    assert fileio.read_limited(path, 10) == b"x" * 10
    with pytest.raises(UnreadableFileError, match=r"notes.csv: larger than 9 bytes") as caught:
        fileio.read_limited(path, 9)
    assert caught.value.os_error is None


def test_read_limited_stops_an_endless_device() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(
        UnreadableFileError, match=r"^/dev/zero: larger than 2 MB; cvquiz reads no more$"
    ):
        fileio.read_limited("/dev/zero", 2 * fileio.MB)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize(("size", "fits"), [(3 * 1024 * 1024, True), (3 * 1024 * 1024 + 1, False)])
def test_read_limited_reads_a_fifo_within_its_limit(tmp_path: Path, size: int, fits: bool) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with open(fifo, "wb") as handle:
                handle.write(b"y" * size)
        except BrokenPipeError:  # the reader stopped at its limit
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        if fits:
            assert fileio.read_limited(fifo, 3 * fileio.MB) == b"y" * size
        else:
            with pytest.raises(UnreadableFileError, match="larger than 3 MB"):
                fileio.read_limited(fifo, 3 * fileio.MB)
    finally:
        writer.join()


def test_read_limited_says_why_a_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"cannot read: it is a folder$") as caught:
        fileio.read_limited(tmp_path, 10)
    assert isinstance(caught.value.os_error, IsADirectoryError)
    with pytest.raises(FileError, match=r"missing.csv: cannot read: no such file or folder$"):
        fileio.read_limited(tmp_path / "missing.csv", 10)


# --- read_json_file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1,\n  "b": }', r"x.json:2:8: not valid JSON: Expecting value"),
        (b"\xff\xfe{}", r"x.json: not UTF-8 text \(byte 0\)"),
        (b"[" * 100_000 + b"]" * 100_000, r"x.json: not valid JSON: nested too deeply"),
        (b"[" + b"9" * 5000 + b"]", r"x.json: not valid JSON: a number with too many digits"),
    ],
)
def test_bad_json_files_give_one_clear_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(data)
    with pytest.raises(FileError, match=message) as caught:
        fileio.read_json_file(path)
    assert "\n" not in str(caught.value)


def test_json_reader_takes_a_bom_and_raises_the_asked_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": [1, NaN]}')
    value = fileio.read_json_file(path)
    assert value["a"][0] == 1 and value["a"][1] != value["a"][1]
    with pytest.raises(CollectionError, match="cannot read: no such file or folder"):
        fileio.read_json_file(tmp_path / "missing.json", error=CollectionError)
    with pytest.raises(FileError, match="cannot read: it is a folder"):
        fileio.read_json_file(tmp_path)


# --- stale temporary files ---------------------------------------------------------------------------------


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temp_files_of_cvquiz_are_removed_and_others_kept(tmp_path: Path) -> None:
    old_ours = tmp_path / ".export.json.cvquiz-abcd_123.tmp"
    new_ours = tmp_path / ".export.json.cvquiz-zyxw9876.tmp"
    old_legacy = tmp_path / ".export.json.q1w2e3r4.tmp"
    old_foreign = tmp_path / ".notes.txt.q1w2e3r4.tmp"
    kept_plain = tmp_path / "export.json.tmp"
    for p in (old_ours, new_ours, old_legacy, old_foreign, kept_plain):
        p.write_bytes(b"x" * 10)
    for p in (old_ours, old_legacy, old_foreign, kept_plain):
        _age(p, 2 * 3600)
    assert fileio.clean_stale_temp_files(tmp_path, legacy_names=("export.json",)) == 2
    assert names(tmp_path) == sorted(p.name for p in (new_ours, old_foreign, kept_plain))


def test_the_sweep_goes_into_subfolders_when_asked(tmp_path: Path) -> None:
    deep = tmp_path / "my" / "decks"
    deep.mkdir(parents=True)
    stale = deep / ".notes.yaml.cvquiz-abcdefgh.tmp"
    stale.write_bytes(b"x")
    _age(stale, 7200)
    assert fileio.clean_stale_temp_files(tmp_path) == 0
    assert fileio.clean_stale_temp_files(tmp_path, recursive=True) == 1
    assert not stale.exists()


def test_a_write_sweeps_its_folder(tmp_path: Path) -> None:
    stale = tmp_path / ".backup.json.cvquiz-abcdefgh.tmp"
    stale.write_bytes(b"x" * 1000)
    _age(stale, 7200)
    fileio.atomic_write(tmp_path / "backup.json", b"{}")
    assert names(tmp_path) == ["backup.json"]


def test_describe_os_error_falls_back_to_the_system_text() -> None:
    assert fileio.describe_os_error(OSError(errno.ENOSPC, "x")) == "no space left on the disk"
    assert fileio.describe_os_error(OSError(errno.ECONNRESET, "Connection reset")) == (
        "Connection reset"
    )


def test_messages_are_translated(tmp_path: Path) -> None:
    from cvquiz import i18n

    i18n.set_language("zh")
    with pytest.raises(FileError) as caught:
        fileio.atomic_write(tmp_path, b"x")
    assert "cannot write" not in str(caught.value) and str(tmp_path) in str(caught.value)
