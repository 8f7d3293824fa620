"""Reading Anki packages: every format, and a clear one-line error for anything that is not one."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard

from cvquiz.anki.exporter import AnkiExportOptions, export_anki, note_guid
from cvquiz.anki.package_reader import PackageError, RevlogEntry, read_package
from cvquiz.collection import Collection
from cvquiz.config import Settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DECK = """
deck: pr
name: Reader::Test
cards:
  - {id: a, question: alpha question, answer: alpha, tags: [x::y]}
  - {id: c, type: cloze, question: "{{c1::delta}} and {{c2::epsilon}}"}
"""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


@pytest.fixture
def exported(tmp_path: Path, empty_bundled: Path) -> Path:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "pr.yaml").write_text(DECK, encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(empty_bundled, decks, NOW)
    out = tmp_path / "pr.apkg"
    export_anki(col, out, NOW, Settings(), AnkiExportOptions(lang="en"))
    col.close()
    return out


def test_reads_a_legacy_package_without_meta(exported: Path) -> None:
    package = read_package(exported)
    assert package.version == 1
    names = {nt.name for nt in package.notetypes.values()}
    assert {"cvquiz Basic", "cvquiz Cloze"} <= names
    cloze = next(nt for nt in package.notetypes.values() if nt.name == "cvquiz Cloze")
    assert cloze.cloze and cloze.fields == ("Text", "Back Extra", "Explanation", "Source")
    assert "Reader::Test" in {d.name for d in package.decks.values()}
    note = next(n for n in package.notes if n.guid == note_guid("pr", "a"))
    assert note.fields[:2] == ("alpha question", "alpha") and note.tags == ("cvquiz::x::y",)
    assert sorted(c.ord for c in package.cards) == [0, 0, 1]
    assert package.media == {} and package.revlog == []


def _repack(source: Path, target: Path, *, zstd: bool, meta: int | None, media: bytes) -> None:
    with zipfile.ZipFile(source) as zf:
        blob = zf.read("collection.anki2")
    with zipfile.ZipFile(target, "w") as zf:
        if meta is not None:
            zf.writestr("meta", _varint(1 << 3) + _varint(meta))
        name = "collection.anki21b" if zstd else "collection.anki21"
        zf.writestr(name, zstandard.ZstdCompressor().compress(blob) if zstd else blob)
        zf.writestr("collection.anki2", b"not the real one")
        zf.writestr("media", zstandard.ZstdCompressor().compress(media) if zstd else media)
        zf.writestr("0", zstandard.ZstdCompressor().compress(b"PNG!") if zstd else b"PNG!")


def test_reads_the_current_format_with_its_protobuf_media_list(
    exported: Path, tmp_path: Path
) -> None:
    entry = _field(1, b"cat.png") + _varint(2 << 3) + _varint(4) + _field(3, b"\x00" * 20)
    target = tmp_path / "new.apkg"
    _repack(exported, target, zstd=True, meta=3, media=_field(1, entry))
    package = read_package(target)
    assert package.version == 3
    assert package.media == {"cat.png": "0"}
    assert package.read_media("cat.png") == b"PNG!"
    assert len(package.notes) == 2


def test_reads_the_anki21_legacy_format(exported: Path, tmp_path: Path) -> None:
    target = tmp_path / "old.colpkg"
    _repack(exported, target, zstd=False, meta=None, media=json.dumps({"0": "cat.png"}).encode())
    package = read_package(target)
    assert package.version == 2 and package.media == {"cat.png": "0"}
    assert package.read_media("cat.png") == b"PNG!"


def test_revlog_rows_are_read_as_anki_writes_them(exported: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported) as zf:
        blob = zf.read("collection.anki2")
    db = tmp_path / "c.anki2"
    db.write_bytes(blob)
    conn = sqlite3.connect(db)
    (cid,) = conn.execute("SELECT id FROM cards LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO revlog VALUES (1772442000123, ?, -1, 3, 4, -600, 2500, 6000, 1)", (cid,)
    )
    conn.commit()
    conn.close()
    target = tmp_path / "r.apkg"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("collection.anki2", db.read_bytes())
    assert read_package(target).revlog == [
        RevlogEntry(1772442000123, cid, 3, 4, -600, 2500, 6000, 1)
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder, not an Anki package"),
        (lambda p: p.write_text("hello"), "not an Anki package (.apkg or .colpkg files are zip"),
        (lambda p: zipfile.ZipFile(p, "w").close(), "it holds no collection"),
    ],
)
def test_what_is_not_a_package_is_one_clear_error(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "x.apkg"
    make(path)
    with pytest.raises(PackageError, match=re.escape(message)) as info:
        read_package(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_a_newer_package_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.apkg"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta", _varint(1 << 3) + _varint(7))
    with pytest.raises(PackageError, match="newer Anki"):
        read_package(path)


def test_damaged_collections_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.apkg"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta", _varint(1 << 3) + _varint(3))
        zf.writestr("collection.anki21b", b"not zstd at all")
    with pytest.raises(PackageError, match="damaged"):
        read_package(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("collection.anki2", b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(PackageError, match="cannot be read"):
        read_package(path)


def _damaged(exported: Path, target: Path, sql: str, media: bytes = b"{}") -> Path:
    """A copy of ``exported`` with ``sql`` run on its collection and ``media`` as its media list."""
    with zipfile.ZipFile(exported) as zf:
        blob = zf.read("collection.anki2")
    db = target.with_suffix(".anki2")
    db.write_bytes(blob)
    conn = sqlite3.connect(db)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("collection.anki2", db.read_bytes())
        zf.writestr("media", media)
    return target


DAMAGE = {
    "no col row": ("DELETE FROM col", b"{}", "cannot be read (it has no col row)"),
    "text card id": (
        "INSERT INTO revlog SELECT 1772442000123, 'abc', -1, 3, 1, 0, 2500, 6000, 1",
        b"{}",
        "cannot be read (revlog.cid: 'abc' is not a whole number)",
    ),
    "infinite card id": (
        "INSERT INTO revlog VALUES (1772442000123, 9e999, -1, 3, 1, 0, 2500, 6000, 1)",
        b"{}",
        "cannot be read (revlog.cid: inf is not a whole number)",
    ),
    "models not JSON": (
        "UPDATE col SET models = 'nope'",
        b"{}",
        "cannot be read (col.models: not valid JSON)",
    ),
    "models a list": (
        "UPDATE col SET models = '[1]'",
        b"{}",
        "cannot be read (col.models: not a JSON object)",
    ),
    "a field not UTF-8": (
        "UPDATE notes SET flds = CAST(x'ff41' AS TEXT) WHERE id = (SELECT min(id) FROM notes)",
        b"{}",
        "cannot be read (notes: text that is not UTF-8)",
    ),
    "no revlog table": (
        "DROP TABLE revlog",
        b"{}",
        "cannot be read (not an Anki collection: no revlog table)",
    ),
    "media a list": ("SELECT 1", b"[]", "media list is damaged (not a JSON object)"),
    "media not UTF-8": ("SELECT 1", b"\xff\xfe", "media list is damaged (not UTF-8 text)"),
    "media not JSON": ("SELECT 1", b"{", "media list is damaged (not valid JSON)"),
}


@pytest.mark.parametrize(("sql", "media", "message"), DAMAGE.values(), ids=DAMAGE.keys())
def test_damage_is_named_in_cvquiz_words(
    exported: Path, tmp_path: Path, sql: str, media: bytes, message: str
) -> None:
    path = _damaged(exported, tmp_path / "bad.apkg", sql, media)
    with pytest.raises(PackageError) as info:
        read_package(path)
    where = "the package's" if message.startswith("media") else "the collection in the package"
    assert str(info.value) == f"{path}: {where} {message}"


def test_damage_is_told_in_chinese(exported: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cvquiz.cli.app import app

    runner = CliRunner()
    for sql, media, reason in [
        ("DELETE FROM col", b"{}", "没有 col 行"),
        ("SELECT 1", b"[]", "不是 JSON 对象"),
        ("UPDATE col SET models = 'nope'", b"{}", "col.models：不是有效的 JSON"),
    ]:
        path = _damaged(exported, tmp_path / "bad.apkg", sql, media)
        result = runner.invoke(app, ["--lang", "zh", "import", "anki", str(path)])
        assert result.exit_code == 1, result.output
        assert reason in result.stderr, result.stderr
        assert re.search(r"[A-Za-z]{4,} [a-z]{3,}", result.stderr.replace(str(path), "")) is None
