"""The collection file under faults, through the installed ``cvquiz``: never replaced, never changed, one line.

An empty file, another program's file or database, a collection of a newer cvquiz and a damaged file are each
refused with what was found (and where the backups are), and left byte for byte as they were; a read-only
collection serves the commands that only read; a full disk during a drill keeps every rating made before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from tests._faults import cvquiz_command, on_small_disk, run, unprivileged

DECK = "deck: mine\nname: Mine\ncards:\n" + "".join(
    f"  - id: c{n}\n    question: Question {n}?\n    answer: Answer {n}.\n" for n in range(30)
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ") and "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def collection(cvquiz_env: dict[str, str]) -> Path:
    return Path(cvquiz_env["CVQUIZ_COLLECTION"])


@pytest.fixture
def studied(collection: Path, user_decks: Path) -> Path:
    """A collection with three reviews in it."""
    (user_decks / "mine.yaml").write_text(DECK, encoding="utf-8")
    done = run([cvquiz_command(), "drill", "--deck", "mine"], stdin="\n3\n\n3\n\n1\n")
    assert done.returncode == 0, done.stderr
    assert reviews(collection) == 3
    return collection


def reviews(path: Path) -> int:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])


# --- item 3: an empty, foreign or damaged file is an error and is never replaced --------------------------


def test_an_empty_collection_file_is_refused_and_kept(collection: Path) -> None:
    collection.parent.mkdir(parents=True, exist_ok=True)
    collection.write_bytes(b"")
    done = run([cvquiz_command(), "status"])
    assert done.returncode == 1
    line = error_line(done.stderr)
    assert f"{collection}: the collection file is empty (0 bytes)" in line
    assert "see `cvquiz backups`" in line
    assert collection.read_bytes() == b""
    assert sorted(p.name for p in collection.parent.iterdir()) == [collection.name]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"PK\x03\x04" + b"\0" * 100, "a ZIP archive"),
        (b'{"decks": []}\n', "JSON text"),
        (b"just some notes\n", "a text file"),
        (bytes(range(256)) * 4, "binary data"),
    ],
)
def test_a_file_that_is_not_sqlite_is_refused_and_kept(
    collection: Path, content: bytes, found: str
) -> None:
    collection.parent.mkdir(parents=True, exist_ok=True)
    collection.write_bytes(content)
    done = run([cvquiz_command(), "decks"])
    assert done.returncode == 1
    line = error_line(done.stderr)
    assert f"{collection}: not a cvquiz collection but {found}" in line
    assert "see `cvquiz backups`" in line
    assert collection.read_bytes() == content


def test_another_programs_database_is_refused_and_not_changed(collection: Path) -> None:
    collection.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(collection) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = digest(collection)
    for command in (["status"], ["export", "json", "-o", "-"], ["drill"]):
        done = run([cvquiz_command(), *command])
        assert done.returncode == 1, command
        line = error_line(done.stderr)
        assert "not a cvquiz collection but an SQLite database with the tables notes" in line
    assert digest(collection) == before
    with sqlite3.connect(collection) as conn:  # not switched to WAL, not even for a moment
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert sorted(p.name for p in collection.parent.iterdir()) == [collection.name]


# --- item 4: a collection of a newer cvquiz is refused -----------------------------------------------------


def _from_the_future(path: Path, *, name: str | None, version: int) -> None:
    with sqlite3.connect(path) as conn:
        if name is not None:
            conn.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                " VALUES ('cvquiz', ?, '2031-01-01')",
                (name,),
            )
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


@pytest.mark.parametrize(
    ("name", "version", "schema"), [("m042_hologram_cards", 0, 5), (None, 42, 42)]
)
def test_a_newer_collection_is_refused_and_not_written(
    studied: Path, name: str | None, version: int, schema: int
) -> None:
    from cvquiz.collection.store import MIGRATION_NAMES

    if name is not None:
        schema = len(MIGRATION_NAMES) + 1
    _from_the_future(studied, name=name, version=version)
    before = digest(studied)
    for command in (["status"], ["drill"], ["export", "json", "-o", "-"]):
        done = run([cvquiz_command(), *command], stdin="\n3\n")
        assert done.returncode == 1, command
        assert error_line(done.stderr) == (
            f"Error: {studied}: made by a newer cvquiz (schema {schema}); upgrade cvquiz"
        )
    assert digest(studied) == before


def test_the_schema_number_is_recorded(studied: Path) -> None:
    from cvquiz.collection.store import MIGRATION_NAMES

    with sqlite3.connect(studied) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATION_NAMES)
    conn.close()


# --- item 7: read-only, damaged, full -------------------------------------------------------------------------


READING = [
    ["status"],
    ["decks"],
    ["show", "mine/c1"],
    ["search", "Question"],
    ["stats"],
    ["export", "json", "-o", "-"],
    ["export", "anki", "--deck", "mine", "-o", "/dev/null"],
]


def test_a_read_only_collection_serves_the_commands_that_read(studied: Path) -> None:
    studied.chmod(0o444)
    before = digest(studied)
    for command in READING:
        done = run(unprivileged([cvquiz_command(), *command]))
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
    for command, stdin in ((["drill", "--deck", "mine"], "\n3\n"), (["suspend", "mine/c2"], "")):
        done = run(unprivileged([cvquiz_command(), *command]), stdin=stdin)
        assert done.returncode == 1, command
        assert error_line(done.stderr).startswith(f"Error: {studied}: the collection is read-only;")
        assert "Question" not in done.stdout  # the drill says so before the first card
    assert digest(studied) == before and reviews(studied) == 3


def _lock_with_mode(folder: Path) -> Callable[[], None]:
    folder.chmod(0o555)
    return lambda: folder.chmod(0o755)


def _lock_immutable(folder: Path) -> Callable[[], None]:
    chattr = shutil.which("chattr")
    if chattr is None or os.geteuid() != 0:
        pytest.skip("chattr +i needs the chattr command and root")
    if subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False).returncode:
        pytest.skip("this file system does not take chattr +i")
    return lambda: subprocess.run([chattr, "-i", str(folder)], check=True)


@pytest.mark.parametrize("lock", [_lock_with_mode, _lock_immutable], ids=["0555", "chattr +i"])
def test_a_collection_in_a_read_only_folder_serves_the_commands_that_read(
    studied: Path, tmp_path: Path, lock: Callable[[Path], Callable[[], None]]
) -> None:
    """The file may be written but its folder not: SQLite could make no -wal or -shm file there."""
    folder = tmp_path / "locked"
    folder.mkdir()
    collection = folder / "collection.sqlite"
    shutil.copyfile(studied, collection)
    before = digest(collection)
    env = {"CVQUIZ_COLLECTION": str(collection)}
    unlock = lock(folder)
    try:
        for command in READING:
            done = run(unprivileged([cvquiz_command(), *command]), env=env)
            assert done.returncode == 0, (command, done.stderr)
            assert "Traceback" not in done.stderr
        done = run(unprivileged([cvquiz_command(), "suspend", "mine/c2"]), env=env)
        assert done.returncode == 1
        assert error_line(done.stderr).startswith(
            f"Error: {collection}: the collection is read-only;"
        )
    finally:
        unlock()
    assert [p.name for p in folder.iterdir()] == ["collection.sqlite"]
    assert digest(collection) == before and reviews(collection) == 3


def _damage(path: Path) -> None:
    """Overwrite the first pages of the tables every command reads (decks, cards, schedule) with noise."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        roots = [
            int(r[0])
            for r in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name IN ('decks', 'cards', 'schedule')"
            )
        ]
    with path.open("r+b") as handle:
        for page in roots:
            handle.seek((page - 1) * size)
            handle.write(bytes((n * 97 + 13) % 256 for n in range(size)))


def test_a_damaged_collection_is_named_with_the_way_out(studied: Path) -> None:
    with sqlite3.connect(studied) as conn:  # every row in the file itself, none left in the WAL
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _damage(studied)
    before = digest(studied)
    for command in (["status"], ["decks"], ["stats"], ["export", "json", "-o", "-"]):
        done = run([cvquiz_command(), *command])
        assert done.returncode == 1, command
        line = error_line(done.stderr)
        assert line.startswith(f"Error: {studied}: the collection is damaged ("), line
        assert "see `cvquiz backups`" in line and ".recover" in line
    done = run([cvquiz_command(), "--lang", "zh", "status"])
    (line,) = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and line.startswith(f"错误：{studied}：")
    assert "数据库文件已损坏" in line or "不是 SQLite 数据库" in line, (
        line
    )  # SQLite's reason, in Chinese
    assert "malformed" not in line and "not a database" not in line
    assert digest(studied) == before


def test_a_full_disk_during_a_drill_keeps_every_rating_made(studied: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    out = tmp_path / "out"
    out.mkdir()
    # Inside the run: the collection on a small disk with about 120 KiB left, enough for a few ratings.
    script = (
        'cp "$1" "$2/c.sqlite" && avail=$(df --output=avail -k "$2" | tail -1) && '
        'dd if=/dev/zero of="$2/fill" bs=1k count=$((avail - 120)) 2>/dev/null; '
        'CVQUIZ_COLLECTION="$2/c.sqlite" "$3" drill --deck mine --json < "$4" > "$5/out" 2> "$5/err"; '
        'echo $? > "$5/rc"; cp "$2/c.sqlite" "$5/after.sqlite"'
    )
    answers = tmp_path / "answers"
    answers.write_text("\n3\n" * 27, encoding="utf-8")
    argv = ["bash", "-c", script, "bash", str(studied), str(disk), cvquiz_command()]
    done = run(on_small_disk(disk, [*argv, str(answers), str(out)], size_kb=8192))
    assert done.returncode == 0, done.stderr
    assert (out / "rc").read_text().strip() == "1"
    error = json.loads((out / "err").read_text())["error"]  # under --json, the error is JSON too
    assert error["message"] == (
        f"{disk / 'c.sqlite'}: cannot write the collection: no space left on the disk."
        " Everything saved before is kept; free some space and run the command again"
    )
    events = [json.loads(line) for line in (out / "out").read_text().splitlines()]
    rated = sum(1 for e in events if e["event"] == "rated")
    assert 0 < rated < 27
    assert reviews(out / "after.sqlite") == 3 + rated  # every rating shown as saved is in the file


# --- creation --------------------------------------------------------------------------------------------------


def test_processes_creating_the_collection_at_once_all_succeed(collection: Path) -> None:
    procs = [
        subprocess.Popen(
            [cvquiz_command(), "status"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outs]
    assert sorted(p.name for p in collection.parent.iterdir() if p.name.startswith(".")) == []
