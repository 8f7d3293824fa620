"""Reading Anki packages: a deck package (``.apkg``) or a whole collection (``.colpkg``), old format or new.

A package is a zip file. Which collection file it holds, and how, is told by its ``meta`` member (a protobuf
``PackageMetadata``), as Anki's ``rslib/src/import_export/package/meta.rs`` reads it:

* no ``meta`` and ``collection.anki2``, or ``meta`` version 1: the legacy format, a plain SQLite file;
* ``collection.anki21`` (no ``meta``, or version 2): the same, from Anki 2.1 (a ``collection.anki2`` beside it
  only holds a note asking to upgrade);
* ``meta`` version 3: ``collection.anki21b``, zstd-compressed, with the media map and every media file
  zstd-compressed too.

The media map is JSON ``{"0": "cat.png"}`` in the legacy formats and a zstd-compressed protobuf
``MediaEntries`` (name, size, SHA-1, in zip-member order ``0``, ``1``...) in the new one.

The collection inside is read with plain SQL. Its schema is 11 in the legacy formats (note types and decks as
JSON in the ``col`` row) and 18 in the new one (``notetypes``, ``fields``, ``templates`` and ``decks`` tables,
their settings as protobuf blobs, deck names split by ``\\x1f``). Only what cvquiz uses is read: note types
(kind, stock kind, fields), decks, notes, cards and the review log. Nothing here writes anything.
"""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvquiz.errors import CvquizError
from cvquiz.fileio import describe_os_error
from cvquiz.i18n import _

__all__ = [
    "MEDIA_LIMIT",
    "Package",
    "PackageCard",
    "PackageDeck",
    "PackageError",
    "PackageNote",
    "PackageNotetype",
    "RevlogEntry",
    "StockKind",
    "read_package",
]

MEDIA_LIMIT = 512 * 1024 * 1024
"""The largest media file or collection cvquiz unpacks from a package (a zip bomb stops here)."""

_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}


class PackageError(CvquizError):
    """A file that is not an Anki package cvquiz can read."""


class StockKind:
    """Anki's ``OriginalStockKind`` of a note type (0 when unknown or not a stock type)."""

    UNKNOWN = 0
    BASIC = 1
    BASIC_AND_REVERSED = 2
    BASIC_OPTIONAL_REVERSED = 3
    BASIC_TYPING = 4
    CLOZE = 5
    IMAGE_OCCLUSION = 6


@dataclass(frozen=True)
class PackageNotetype:
    """A note type of the package.

    Attributes:
        id: its id in the package.
        name: its name.
        cloze: True for a cloze note type.
        stock_kind: the stock note type it was made from (`StockKind`), 0 when unknown.
        fields: its field names, in order.
        templates: its card template names, in order.
        original_id: the id it had in the collection it was imported from (Anki 23.10+), or None.
    """

    id: int
    name: str
    cloze: bool
    stock_kind: int
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    original_id: int | None = None


@dataclass(frozen=True)
class PackageDeck:
    """A deck of the package.

    Attributes:
        id: its id.
        name: its name, levels joined by ``::``.
        description: its description (HTML), or empty.
        filtered: True for a filtered deck.
    """

    id: int
    name: str
    description: str = ""
    filtered: bool = False


@dataclass(frozen=True)
class PackageNote:
    """A note of the package.

    Attributes:
        id: its id.
        guid: its GUID (what stays the same across exports).
        notetype_id: its note type.
        mod: when it was last modified, in seconds since the epoch.
        tags: its tags.
        fields: its fields' HTML, in note-type order.
    """

    id: int
    guid: str
    notetype_id: int
    mod: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class PackageCard:
    """A card of the package.

    Attributes:
        id: its id.
        note_id: its note.
        ord: its template ordinal (cloze cN is N - 1).
        deck_id: its deck (the original deck of a card in a filtered deck).
        type: 0 new, 1 learning, 2 review, 3 relearning.
        queue: -3/-2 buried, -1 suspended, 0 new, 1 learning, 2 review, 3 day learning, 4 preview.
        ivl: its interval in days.
        reps: its review count.
        lapses: its lapses.
        data: its ``data`` JSON (FSRS memory state ``s``/``d``, ``dr``, ``decay``, ``lrt``), parsed.
    """

    id: int
    note_id: int
    ord: int
    deck_id: int
    type: int
    queue: int
    ivl: int
    reps: int
    lapses: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RevlogEntry:
    """One entry of the review log, with Anki's columns.

    Attributes:
        id: when it happened, in ms since the epoch (unique in the log).
        card_id: the card.
        ease: the button: 1 again … 4 easy; 0 for a manual or automatic reschedule.
        ivl: the interval after (days, or negative seconds while learning).
        last_ivl: the interval before.
        factor: the ease factor (SM-2) or the difficulty (FSRS); 0 for cramming and resets.
        time: the time taken, in ms.
        type: 0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled.
    """

    id: int
    card_id: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    type: int


@dataclass
class Package:
    """An Anki package, read.

    Attributes:
        path: the file.
        version: 1 and 2 for the legacy formats, 3 for the current one.
        notetypes: its note types by id.
        decks: its decks by id.
        notes: its notes.
        cards: its cards.
        revlog: its review log, oldest first.
        media: its media files: name to zip member.
        collection_time: the collection's creation time (``crt``), in seconds.
    """

    path: Path
    version: int
    notetypes: dict[int, PackageNotetype]
    decks: dict[int, PackageDeck]
    notes: list[PackageNote]
    cards: list[PackageCard]
    revlog: list[RevlogEntry]
    media: dict[str, str]
    collection_time: int = 0

    def read_media(self, name: str) -> bytes:
        """Return the bytes of a media file of the package.

        Raises:
            PackageError: when the package has no such file or it cannot be unpacked.
        """
        member = self.media.get(name)
        if member is None:
            raise PackageError(
                _("{path}: no media file {name!r} in the package").format(path=self.path, name=name)
            )
        with _open_zip(self.path) as archive:
            return _member_bytes(archive, member, self.path, compressed=self.version == 3)


# --- protobuf, as far as cvquiz needs it -----------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _protobuf(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield (field number, value) of a protobuf message: ints for varints, bytes for the rest."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value = buf[pos : pos + size]
            if len(value) != size:
                raise ValueError("truncated field")
            pos += size
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def _proto_dict(buf: bytes) -> dict[int, list[int | bytes]]:
    out: dict[int, list[int | bytes]] = {}
    for number, value in _protobuf(buf):
        out.setdefault(number, []).append(value)
    return out


def _first_int(fields: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    values = fields.get(number)
    return values[-1] if values and isinstance(values[-1], int) else default


def _first_bytes(fields: dict[int, list[int | bytes]], number: int) -> bytes | None:
    values = fields.get(number)
    return values[-1] if values and isinstance(values[-1], bytes) else None


# --- the zip ---------------------------------------------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # ZipFile says why just below
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # A zip is read from its end and jumped about in: a pipe cannot be, and /dev/zero never ends.
        raise PackageError(
            _(
                "{path}: not a regular file; an Anki package is read from a file (save it to one first)"
            ).format(path=path)
        )
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackageError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise PackageError(
            _("{path}: is a folder, not an Anki package").format(path=path)
        ) from None
    except OSError as error:
        raise PackageError(
            _("{path}: cannot read: {reason}").format(path=path, reason=describe_os_error(error))
        ) from None
    except zipfile.BadZipFile:
        raise PackageError(
            _("{path}: not an Anki package (.apkg or .colpkg files are zip archives)").format(
                path=path
            )
        ) from None


def _zstd_decompress(data: bytes, path: Path) -> bytes:
    import zstandard

    out = io.BytesIO()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
        while chunk := reader.read(1 << 20):
            out.write(chunk)
            if out.tell() > MEDIA_LIMIT:
                raise PackageError(
                    _("{path}: a file in the package is larger than cvquiz unpacks").format(
                        path=path
                    )
                )
    except zstandard.ZstdError as error:
        raise PackageError(
            _("{path}: the package is damaged ({reason})").format(path=path, reason=error)
        ) from None
    return out.getvalue()


def _member_bytes(archive: zipfile.ZipFile, name: str, path: Path, *, compressed: bool) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise PackageError(
            _("{path}: the package has no {name!r}").format(path=path, name=name)
        ) from None
    if info.file_size > MEDIA_LIMIT:
        raise PackageError(
            _("{path}: {name!r} is larger than cvquiz unpacks").format(path=path, name=name)
        )
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise PackageError(
            _("{path}: the package is damaged ({reason})").format(path=path, reason=error)
        ) from None
    return _zstd_decompress(data, path) if compressed else data


def _version(archive: zipfile.ZipFile, path: Path) -> int:
    names = set(archive.namelist())
    if "meta" in names:
        try:
            meta = _proto_dict(archive.read("meta"))
        except ValueError:
            raise PackageError(
                _("{path}: the package's metadata is damaged").format(path=path)
            ) from None
        version = _first_int(meta, 1)
        if version not in _COLLECTIONS:
            raise PackageError(
                _(
                    "{path}: made by a newer Anki than cvquiz reads (package version {version})"
                ).format(path=path, version=version)
            )
        return version
    if "collection.anki21" in names:
        return 2
    if "collection.anki2" in names:
        return 1
    raise PackageError(_("{path}: not an Anki package (it holds no collection)").format(path=path))


def _media_map(archive: zipfile.ZipFile, version: int, path: Path) -> dict[str, str]:
    if "media" not in archive.namelist():
        return {}
    raw = _member_bytes(archive, "media", path, compressed=version == 3)
    try:
        if version < 3:
            try:
                mapping = json.loads(raw.decode("utf-8") or "{}")
            except UnicodeDecodeError:
                raise _Damaged(_("not UTF-8 text")) from None
            except ValueError:
                raise _Damaged(_("not valid JSON")) from None
            if not isinstance(mapping, dict):
                raise _Damaged(_("not a JSON object"))
            return {str(name): str(member) for member, name in mapping.items()}
        out: dict[str, str] = {}
        try:
            for index, entry in enumerate(
                e for n, e in _protobuf(raw) if n == 1 and isinstance(e, bytes)
            ):
                name = _first_bytes(_proto_dict(entry), 1)
                if name is not None:
                    out[name.decode("utf-8")] = str(index)
        except UnicodeDecodeError:
            raise _Damaged(_("a file name that is not UTF-8")) from None
        except ValueError:
            raise _Damaged(_("not what Anki writes")) from None
        return out
    except _Damaged as problem:
        raise PackageError(
            _("{path}: the package's media list is damaged ({reason})").format(
                path=path, reason=problem
            )
        ) from None


# --- the collection --------------------------------------------------------------------------------------


class _Damaged(Exception):
    """A part of a package that is not what Anki writes; its message, translated, says which and how."""


@contextmanager
def _part(where: str) -> Iterator[None]:
    """Report a malformed value met while reading ``where`` (``col.models``, ``notes``...) as damage there."""
    try:
        yield
    except UnicodeDecodeError:
        raise _Damaged(_("{where}: text that is not UTF-8").format(where=where)) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
        raise _Damaged(_("{where}: not what Anki writes").format(where=where)) from None


def _whole(value: Any, where: str) -> int:
    """A whole-number column's value (NULL as 0, a real number cut to its whole part, as before)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError, OverflowError):
        raise _Damaged(
            _("{where}: {value!r} is not a whole number").format(where=where, value=value)
        ) from None


def _ints(row: Sequence[Any], table: str, columns: Sequence[str]) -> list[int]:
    return [_whole(value, f"{table}.{name}") for value, name in zip(row, columns, strict=True)]


def _json_object(text: Any, where: str) -> dict[Any, Any]:
    """The JSON object a column holds (empty for NULL or ``""``)."""
    try:
        value = json.loads(text or "{}") or {}
    except ValueError:
        raise _Damaged(_("{where}: not valid JSON").format(where=where)) from None
    if not isinstance(value, dict):
        raise _Damaged(_("{where}: not a JSON object").format(where=where))
    return value


def _unicase(a: str, b: str) -> int:
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def _text(data: bytes) -> str:
    return data.decode(
        "utf-8"
    )  # strict: a text that is not UTF-8 is damage, reported where it is read


def _connect(blob: bytes) -> sqlite3.Connection:
    if blob[:16] == b"SQLite format 3\x00" and blob[18:20] == b"\x02\x02":
        # A collection left in WAL mode: mark it a rollback-journal file so an in-memory copy opens.
        blob = blob[:18] + b"\x01\x01" + blob[20:]
    conn = sqlite3.connect(":memory:")
    conn.create_collation("unicase", _unicase)
    conn.text_factory = _text
    conn.deserialize(blob)
    return conn


def _col_row(conn: sqlite3.Connection, columns: str) -> tuple[Any, ...]:
    row = conn.execute(f"SELECT {columns} FROM col").fetchone()
    if row is None:
        raise _Damaged(_("it has no col row"))
    return tuple(row)


def _notetypes_legacy(conn: sqlite3.Connection) -> dict[int, PackageNotetype]:
    (models,) = _col_row(conn, "models")
    out: dict[int, PackageNotetype] = {}
    for key, model in _json_object(models, "col.models").items():
        where = f"col.models[{key!r}]"
        if not isinstance(model, dict):
            raise _Damaged(_("{where}: not a JSON object").format(where=where))
        ntid = _whole(key, where)
        with _part(where):
            fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
            templates = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
            original = model.get("originalId")
            out[ntid] = PackageNotetype(
                id=ntid,
                name=str(model.get("name", "")),
                cloze=model.get("type") == 1,
                stock_kind=int(model.get("originalStockKind") or 0),
                fields=tuple(str(f.get("name", "")) for f in fields),
                templates=tuple(str(t.get("name", "")) for t in templates),
                original_id=int(original) if original else None,
            )
    return out


def _notetypes(conn: sqlite3.Connection) -> dict[int, PackageNotetype]:
    fields: dict[int, list[str]] = {}
    with _part("fields"):
        for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(_whole(ntid, "fields.ntid"), []).append(str(name))
    templates: dict[int, list[str]] = {}
    with _part("templates"):
        for ntid, name in conn.execute("SELECT ntid, name FROM templates ORDER BY ntid, ord"):
            templates.setdefault(_whole(ntid, "templates.ntid"), []).append(str(name))
    out: dict[int, PackageNotetype] = {}
    with _part("notetypes"):
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
            ntid = _whole(ntid, "notetypes.id")
            with _part(f"notetypes.config ({ntid})"):
                parsed = _proto_dict(bytes(config or b""))
            original = _first_int(parsed, 10)
            out[ntid] = PackageNotetype(
                id=ntid,
                name=str(name),
                cloze=_first_int(parsed, 1) == 1,
                stock_kind=_first_int(parsed, 9),
                fields=tuple(fields.get(ntid, ())),
                templates=tuple(templates.get(ntid, ())),
                original_id=original or None,
            )
    return out


def _decks_legacy(conn: sqlite3.Connection) -> dict[int, PackageDeck]:
    (decks,) = _col_row(conn, "decks")
    out: dict[int, PackageDeck] = {}
    for key, deck in _json_object(decks, "col.decks").items():
        where = f"col.decks[{key!r}]"
        if not isinstance(deck, dict):
            raise _Damaged(_("{where}: not a JSON object").format(where=where))
        did = _whole(key, where)
        out[did] = PackageDeck(
            id=did,
            name=str(deck.get("name", "")),
            description=str(deck.get("desc") or ""),
            filtered=bool(deck.get("dyn")),
        )
    return out


def _decks(conn: sqlite3.Connection) -> dict[int, PackageDeck]:
    out: dict[int, PackageDeck] = {}
    with _part("decks"):
        for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
            did = _whole(did, "decks.id")
            with _part(f"decks.kind ({did})"):
                container = _proto_dict(bytes(kind or b""))
                normal = _first_bytes(container, 1)
                description = ""
                if normal is not None:
                    text = _first_bytes(_proto_dict(normal), 4)
                    description = text.decode("utf-8", "replace") if text else ""
            out[did] = PackageDeck(
                id=did,
                name=str(name).replace("\x1f", "::"),
                description=description,
                filtered=2 in container,
            )
    return out


def _card_data(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_NOTE_INTS = ("id", "mid", "mod")
_CARD_INTS = ("id", "nid", "did", "odid", "ord", "type", "queue", "ivl", "reps", "lapses")
_REVLOG_INTS = ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type")


def _read_collection(conn: sqlite3.Connection) -> tuple[Any, ...]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted({"col", "notes", "cards", "revlog"} - tables)
    if missing:
        raise _Damaged(
            _("not an Anki collection: no {tables} table").format(tables=", ".join(missing))
        )
    if "notetypes" in tables:
        notetypes, decks = _notetypes(conn), _decks(conn)
    else:
        notetypes, decks = _notetypes_legacy(conn), _decks_legacy(conn)
    notes = []
    with _part("notes"):
        for row in conn.execute("SELECT id, mid, mod, guid, tags, flds FROM notes ORDER BY id"):
            nid, mid, mod = _ints(row[:3], "notes", _NOTE_INTS)
            guid, tags, flds = row[3:]
            notes.append(
                PackageNote(
                    id=nid,
                    guid=str(guid),
                    notetype_id=mid,
                    mod=mod,
                    tags=tuple(str(tags or "").split()),
                    fields=tuple(str(flds).split("\x1f")),
                )
            )
    cards = []
    with _part("cards"):
        for row in conn.execute(
            "SELECT id, nid, did, odid, ord, type, queue, ivl, reps, lapses, data FROM cards"
            " ORDER BY id"
        ):
            cid, nid, did, odid, ord_, type_, queue, ivl, reps, lapses = _ints(
                row[:10], "cards", _CARD_INTS
            )
            cards.append(
                PackageCard(
                    id=cid,
                    note_id=nid,
                    ord=ord_,
                    deck_id=odid or did,
                    type=type_,
                    queue=queue,
                    ivl=ivl,
                    reps=reps,
                    lapses=lapses,
                    data=_card_data(row[10]),
                )
            )
    with _part("revlog"):
        revlog = [
            RevlogEntry(*_ints(row, "revlog", _REVLOG_INTS))
            for row in conn.execute(
                "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"
            )
        ]
    (crt,) = _col_row(conn, "crt")
    return notetypes, decks, notes, cards, revlog, _whole(crt, "col.crt")


def read_package(path: Path) -> Package:
    """Read an Anki package (``.apkg`` or ``.colpkg``, any format Anki 2.1+ writes).

    Args:
        path: the file.

    Returns:
        Its note types, decks, notes, cards, review log and media list.

    Raises:
        PackageError: when the file cannot be read, is not an Anki package, is damaged, or was made by a
            newer Anki than cvquiz reads.
    """
    with _open_zip(path) as archive:
        version = _version(archive, path)
        blob = _member_bytes(archive, _COLLECTIONS[version], path, compressed=version == 3)
        media = _media_map(archive, version, path)
    conn: sqlite3.Connection | None = None
    try:
        conn = _connect(blob)
        notetypes, decks, notes, cards, revlog, crt = _read_collection(conn)
    except (sqlite3.DatabaseError, _Damaged) as error:
        if isinstance(error, _Damaged):
            reason = str(error)
        elif getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB:
            reason = _("not an SQLite database")
        else:  # SQLite's own words name the table or column (no such column: guid)
            reason = _("a damaged SQLite database: {detail}").format(detail=error)
        raise PackageError(
            _("{path}: the collection in the package cannot be read ({reason})").format(
                path=path, reason=reason
            )
        ) from None
    finally:
        if conn is not None:
            conn.close()
    return Package(path, version, notetypes, decks, notes, cards, revlog, media, crt)
