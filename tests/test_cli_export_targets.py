"""Where exports go, through the installed ``cvquiz``: symlinks, FIFOs, devices, stdout, folders, full disks.

Every export (``export json``, ``export anki``, ``export text``, ``stats --html``) writes through one writer,
so an existing file keeps its mode, a symlink stays a link, a FIFO or a device is streamed to and never replaced,
and a failure leaves the old file and no temporary file behind.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from tests._faults import cvquiz_command, on_small_disk, run, unprivileged

DECK = """\
deck: mine
name: Mine
cards:
  - id: one
    question: What is a stride?
    answer: The step of the kernel.
"""

EXPORTS = {
    "json": ["export", "json", "-o"],
    "anki": ["export", "anki", "--deck", "mine", "-o"],
    "text": ["export", "text", "--deck", "mine", "-o"],
    "html": ["stats", "--html"],
}


@pytest.fixture
def deck(user_decks: Path) -> Path:
    path = user_decks / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def export(kind: str, target: str | Path) -> list[str]:
    return [cvquiz_command(), *EXPORTS[kind], str(target)]


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_an_existing_file_keeps_its_mode_and_a_new_one_gets_the_umask(
    kind: str, deck: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.out"
    old.write_bytes(b"previous export")
    old.chmod(0o644)
    done = run(export(kind, old))
    assert done.returncode == 0, done.stderr
    assert old.read_bytes() != b"previous export"
    assert stat.S_IMODE(old.stat().st_mode) == 0o644
    fresh = tmp_path / "fresh.out"
    done = run(["sh", "-c", 'umask 002 && exec "$@"', "sh", *export(kind, fresh)])
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o664
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("kind", ["json", "html"])
def test_a_symlink_is_written_through(kind: str, deck: Path, tmp_path: Path) -> None:
    real = tmp_path / "store" / "real.out"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.out"
    link.symlink_to(real)
    done = run(export(kind, link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and real.read_bytes() != b"old"


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_a_fifo_is_streamed_to_and_stays_a_fifo(kind: str, deck: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = run(export(kind, fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and len(got[0]) > 0


@pytest.mark.parametrize("kind", ["anki", "json"])
def test_dev_null_stays_a_device(kind: str, deck: Path) -> None:
    done = run(export(kind, "/dev/null"))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dash_writes_to_standard_output(deck: Path) -> None:
    done = run(export("text", "-"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("#separator:tab")
    assert "standard output" in done.stderr
    assert not Path("-").exists()


@pytest.mark.parametrize("kind", ["anki", "text"])
def test_too_many_instances_is_a_usage_error_and_writes_nothing(
    kind: str, deck: Path, tmp_path: Path
) -> None:
    """-n 99999999999 ran until killed: the number of notes per compute card is bounded."""
    target = tmp_path / "out"
    done = run([*export(kind, target), "-n", "99999999999"])
    assert done.returncode == 2, done.stderr
    assert "largest allowed value, 100" in " ".join(done.stderr.replace("│", " ").split())
    assert not target.exists()


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_a_folder_is_refused_with_one_line(kind: str, deck: Path, tmp_path: Path) -> None:
    folder = tmp_path / "a:fire:[b]folder"
    folder.mkdir()
    done = run(export(kind, folder))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert str(folder) in done.stderr  # as written: no emoji, no markup eaten
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", sorted(EXPORTS))
@pytest.mark.parametrize("name", ["old.out", "new.out"])
def test_a_folder_without_write_permission_is_one_clear_line(
    kind: str, name: str, deck: Path, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "old.out").write_bytes(b"keep me")
    locked.chmod(0o555)
    try:
        done = run(unprivileged(export(kind, locked / name)))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"Error: {locked / name}: cannot write: permission denied"]
    assert (locked / "old.out").read_bytes() == b"keep me"
    assert [p.name for p in locked.iterdir()] == ["old.out"]


@pytest.mark.parametrize("kind", sorted(EXPORTS))
@pytest.mark.parametrize("under", ["out.txt/x", "out.txt/x/y"])
def test_a_path_under_a_file_says_a_part_is_not_a_folder(
    kind: str, under: str, deck: Path, tmp_path: Path
) -> None:
    (tmp_path / "out.txt").write_bytes(b"keep me")
    done = run(export(kind, tmp_path / under))
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"Error: {tmp_path / under}: cannot write: a part of the path is not a folder"]
    assert (tmp_path / "out.txt").read_bytes() == b"keep me"


@pytest.mark.skipif(
    os.geteuid() != 0, reason="only root gets past /proc's modes to the missing file"
)
def test_a_file_in_a_folder_that_makes_no_new_files_is_not_said_to_be_missing(deck: Path) -> None:
    """/proc/version exists; /proc takes no new file, so the export's temporary file cannot be made."""
    if not Path("/proc/version").is_file():
        pytest.skip("no /proc/version")
    done = run(export("json", "/proc/version"))
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == ["Error: /proc/version: cannot write: no new file can be made in its folder"]


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_a_full_disk_is_one_clear_line_and_leaves_the_old_file(
    kind: str, deck: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    # Inside the run: a disk of one 4 KiB page, which the old export fills: not one byte more fits.
    script = (
        'printf "old export" > "$1/out" && "${@:2}"; rc=$?; '
        'echo "left: $(ls -A "$1" | tr "\\n" " ")"; echo "old: $(cat "$1/out")"; exit $rc'
    )
    argv = ["bash", "-c", script, "bash", str(disk), *export(kind, disk / "out")]
    done = run(on_small_disk(disk, argv, size_kb=4))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1] == f"Error: {disk / 'out'}: cannot write: no space left on the disk"
    assert "left: out \n" in done.stdout  # no temporary file
    assert "old: old export" in done.stdout


def test_stale_temporary_files_of_a_killed_export_are_swept(deck: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.json"
    stale = [tmp_path / ".backup.json.a1b2c3d4.tmp", tmp_path / ".backup.json.cvquiz-a1b2c3d4.tmp"]
    recent = tmp_path / ".backup.json.cvquiz-zzzzzzzz.tmp"
    then = time.time() - 2 * 3600
    for p in [*stale, recent]:
        p.write_bytes(b"x" * 1000)
    for p in stale:
        os.utime(p, (then, then))
    done = run(export("json", out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")) == [
        recent.name
    ]


def test_stale_temporary_files_in_the_decks_folder_are_swept(deck: Path) -> None:
    sub = deck.parent / "sub"
    sub.mkdir()
    stale = [deck.parent / ".mine.yaml.k9j8h7g6.tmp", sub / ".x.yaml.cvquiz-k9j8h7g6.tmp"]
    then = time.time() - 2 * 3600
    for p in stale:
        p.write_bytes(b"x")
        os.utime(p, (then, then))
    done = run([cvquiz_command(), "decks"])
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in stale)


def test_stale_temporary_files_beside_the_collection_are_swept(deck: Path) -> None:
    """A cvquiz killed while it created the collection (or a backup) left its temporary database there."""
    collection = Path(os.environ["CVQUIZ_COLLECTION"])
    backups = collection.parent / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    temp = f".{collection.name}.cvquiz-k9j8h7g6.tmp"
    stale = [
        collection.parent / temp,
        collection.parent / f"{temp}-wal",
        backups / ".b.cvquiz-a1b2c3d4.tmp",
    ]
    fresh = (
        collection.parent / f".{collection.name}.cvquiz-z9y8x7w6.tmp"
    )  # may be another cvquiz's, now
    then = time.time() - 2 * 3600
    for p in [*stale, fresh]:
        p.write_bytes(b"x")
    for p in stale:
        os.utime(p, (then, then))
    done = run([cvquiz_command(), "decks"])
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in stale) and fresh.exists()


# A real kill -9 at the worst moment: the temporary file is written and flushed, and cvquiz dies before it
# renames it over the target (os.replace, or os.link for a new deck file, is where fileio publishes it).
_KILLED_BEFORE_RENAME = """\
import os, signal, sys
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = os.link = die
sys.argv = ["cvquiz", *sys.argv[1:]]
from cvquiz.cli.entry import main
main()
"""


def _killed(argv: list[str]) -> None:
    import sys

    done = run(
        [cvquiz_command(), "decks"]
    )  # the collection exists and is synced: the kill is the command's
    assert done.returncode == 0, done.stderr
    done = run([sys.executable, "-c", _KILLED_BEFORE_RENAME, *argv])
    assert done.returncode == -9, done.stderr


def _age(paths: list[Path], hours: float = 2) -> None:
    then = time.time() - hours * 3600
    for p in paths:
        os.utime(p, (then, then))


def test_an_export_killed_before_its_rename_leaves_the_old_file_and_the_next_sweeps(
    deck: Path, tmp_path: Path
) -> None:
    out = tmp_path / "backup.json"
    out.write_bytes(b"the previous backup")
    _killed(["export", "json", "-o", str(out)])
    assert out.read_bytes() == b"the previous backup"
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".backup.json.")]
    assert len(left) == 1 and left[0].stat().st_size > 0  # what kill -9 leaves
    _age(left)
    done = run(export("json", out))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_import_killed_before_its_rename_leaves_the_deck_and_the_next_run_sweeps(
    deck: Path, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("What is padding?,Zeros around the input.\n", encoding="utf-8")
    before = deck.read_bytes()
    _killed(["import", "csv", str(rows), "--deck", "mine"])
    assert deck.read_bytes() == before
    left = [p for p in deck.parent.iterdir() if p.name.startswith(".mine.yaml.")]
    assert len(left) == 1
    _age(left)
    done = run([cvquiz_command(), "decks"])
    assert done.returncode == 0, done.stderr
    assert [p.name for p in deck.parent.iterdir()] == ["mine.yaml"]
