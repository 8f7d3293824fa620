"""The whole collection as JSON, and back: decks, cards with their scheduling state, the review log and the
code-card attempts.

`export_json` streams the export (a collection with a million reviews never sits in memory as one object);
times are ISO 8601 UTC with milliseconds, which is exactly the collection's resolution, so `restore_json`
rebuilds every table row for row. A restore only goes into an empty collection: one without reviews and
without studied or suspended cards (decks synced but never studied count as empty and are replaced).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from cvquiz import clock
from cvquiz.collection import store
from cvquiz.errors import CollectionError
from cvquiz.i18n import _, ngettext

if TYPE_CHECKING:
    from pathlib import Path

    from cvquiz.collection import Collection

__all__ = ["FORMAT", "VERSION", "BackupCounts", "export_json", "restore_json", "restore_json_file"]

FORMAT = "cvquiz-collection"
VERSION = 1

_DECK_COLS = ("id", "name", "description", "tags", "path", "bundled", "active", "position")
_FILE_COLS = ("path", "mtime_ns", "size", "digest", "deck_id")
_CARD_COLS = (
    "pk", "deck_id", "card_id", "ord", "type", "content", "content_hash", "tags", "line",
    "position", "active", "added_at", "modified_at",
)  # fmt: skip
_SCHED_COLS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses",
    "suspended", "buried_until", "leech", "due_day",
)  # fmt: skip
_REVIEW_COLS = (
    "id", "card_pk", "reviewed_at", "study_day", "rating", "duration_ms", "answer", "correct",
    "seed", "state_before", "state_after", "before", "after", "cram",
)  # fmt: skip
_ATTEMPT_COLS = (
    "id", "card_pk", "attempted_at", "study_day", "source", "code", "passed", "cases", "failed",
    "kind", "summary", "seconds",
)  # fmt: skip
_FLAGS = {"bundled", "active", "suspended", "leech", "correct", "passed", "cram"}
_TIMES = {"added_at", "modified_at", "due", "last_review", "reviewed_at", "attempted_at"}


@dataclass(frozen=True)
class BackupCounts:
    """How much an export wrote or a restore read.

    Attributes:
        decks: decks.
        cards: review cards.
        reviews: review-log entries.
    """

    decks: int
    cards: int
    reviews: int


def _out_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _FLAGS:
        return bool(value)
    if name in _TIMES:
        return clock.iso_utc(value)
    return value


def _in_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _FLAGS:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, not {value!r}")
        return int(value)
    if name in _TIMES:
        return clock.to_ms(datetime.fromisoformat(value))
    return value


def _times_out(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: _out_value(k, v) if k in _TIMES else v for k, v in doc.items()}


def _times_in(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: _in_value(k, v) if k in _TIMES else v for k, v in doc.items()}


def _tags_out(text: str) -> list[str]:
    return text.split()


def _tags_in(tags: list[str]) -> str:
    return " " + " ".join(tags) + " " if tags else ""


def _deck_doc(row: tuple[Any, ...]) -> dict[str, Any]:
    doc = {k: _out_value(k, v) for k, v in zip(_DECK_COLS, row, strict=True)}
    doc["description"] = None if row[2] is None else json.loads(row[2])
    doc["tags"] = json.loads(row[3])
    return doc


def _card_doc(row: tuple[Any, ...]) -> dict[str, Any]:
    card = row[: len(_CARD_COLS)]
    sched = row[len(_CARD_COLS) :]
    doc = {k: _out_value(k, v) for k, v in zip(_CARD_COLS, card, strict=True)}
    doc["content"] = json.loads(doc["content"])
    doc["tags"] = _tags_out(doc["tags"])
    doc["schedule"] = {k: _out_value(k, v) for k, v in zip(_SCHED_COLS, sched, strict=True)}
    return doc


def _review_doc(row: tuple[Any, ...]) -> dict[str, Any]:
    doc = {k: _out_value(k, v) for k, v in zip(_REVIEW_COLS, row, strict=True)}
    doc["before"] = _times_out(json.loads(doc["before"]))
    doc["after"] = _times_out(json.loads(doc["after"]))
    return doc


def _items(cursor: sqlite3.Cursor, convert: Any) -> Iterator[str]:
    for row in cursor:
        yield json.dumps(convert(row), ensure_ascii=False)


def export_json(col: Collection, out: TextIO, now: datetime) -> BackupCounts:
    """Write the whole collection to ``out`` as one JSON document.

    Args:
        col: the collection.
        out: a text stream.
        now: the export time (recorded in the document).

    Returns:
        How many decks, cards and reviews were written.
    """
    conn = col.conn
    counts = {"decks": 0, "cards": 0, "reviews": 0}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": clock.iso_utc(clock.to_ms(now)),
        "migrations": col.migrations(),
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
    # One read transaction, so a drill writing meanwhile cannot tear the export.
    conn.execute("BEGIN")
    try:
        sections: list[tuple[str, sqlite3.Cursor, Any]] = [
            (
                "decks",
                conn.execute(f"SELECT {', '.join(_DECK_COLS)} FROM decks ORDER BY position, id"),
                _deck_doc,
            ),
            (
                "deck_files",
                conn.execute(f"SELECT {', '.join(_FILE_COLS)} FROM deck_files ORDER BY path"),
                lambda row: dict(zip(_FILE_COLS, row, strict=True)),
            ),
            (
                "cards",
                conn.execute(
                    f"""SELECT {", ".join("c." + k for k in _CARD_COLS)},
                               {", ".join("s." + k for k in _SCHED_COLS)}
                        FROM cards c JOIN schedule s ON s.card_pk = c.pk ORDER BY c.pk"""
                ),
                _card_doc,
            ),
            (
                "reviews",
                conn.execute(f"SELECT {', '.join(_REVIEW_COLS)} FROM reviews ORDER BY id"),
                _review_doc,
            ),
            (
                "code_attempts",
                conn.execute(f"SELECT {', '.join(_ATTEMPT_COLS)} FROM code_attempts ORDER BY id"),
                lambda row: {k: _out_value(k, v) for k, v in zip(_ATTEMPT_COLS, row, strict=True)},
            ),
        ]
        for index, (name, cursor, convert) in enumerate(sections):
            out.write(f'"{name}": [')
            for n, item in enumerate(_items(cursor, convert)):
                out.write(("\n" if n == 0 else ",\n") + item)
                if name in counts:
                    counts[name] += 1
            out.write("\n]" + ("," if index < len(sections) - 1 else "") + "\n")
    finally:
        conn.execute("COMMIT")
    out.write("}\n")
    return BackupCounts(**counts)


def _check_empty(col: Collection) -> None:
    (reviews,) = col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
    (attempts,) = col.conn.execute("SELECT COUNT(*) FROM code_attempts").fetchone()
    (touched,) = col.conn.execute(
        """SELECT COUNT(*) FROM schedule WHERE state != 0 OR suspended != 0 OR leech != 0
           OR buried_until IS NOT NULL"""
    ).fetchone()
    if reviews or touched or attempts:
        counts = [ngettext("{n} review", "{n} reviews", reviews).format(n=reviews)]
        if attempts:
            counts.append(
                ngettext("{n} code attempt", "{n} code attempts", attempts).format(n=attempts)
            )
        counts.append(
            ngettext(
                "{n} studied or suspended card", "{n} studied or suspended cards", touched
            ).format(n=touched)
        )
        raise CollectionError(
            _(
                "{path} is not empty ({counts}); restore into a new collection, e.g. "
                "cvquiz --collection restored.sqlite import json FILE"
            ).format(path=col.path, counts=_(", ").join(counts))
        )


def restore_json_file(col: Collection, path: Path) -> BackupCounts:
    """Read a ``cvquiz export json`` file and restore it into an empty collection (see `restore_json`).

    Raises:
        CollectionError: when the file cannot be read or is not JSON (with its line and column), or as
            `restore_json` (a bad value named with the file and its JSON path).
    """
    from cvquiz.fileio import read_json_file

    return restore_json(col, read_json_file(path, error=CollectionError), source=str(path))


def restore_json(
    col: Collection, data: Mapping[str, Any], source: str | None = None
) -> BackupCounts:
    """Restore an export made by `export_json` into an empty collection, in one transaction.

    Every value is checked for its type and range first (`cvquiz.collection.export_format`); nothing is
    written unless all are right.

    Args:
        col: the collection to fill; deck and card rows it already has (synced, never studied) are replaced.
        data: the parsed export.
        source: the file it came from, to name in errors.

    Returns:
        How many decks, cards and reviews were restored.

    Raises:
        CollectionError: when the collection already has reviews or studied cards, when the data is not a
            cvquiz export, when it was made by a newer cvquiz, or at its first bad value
            (``FILE: cards[12].schedule.stability: must be > 0; nothing was imported``).
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise CollectionError(
            _('not a cvquiz collection export (expected "format": "cvquiz-collection")')
        )
    if data.get("version") != VERSION:
        raise CollectionError(
            _("this export has version {found!r}; this cvquiz reads version {version}").format(
                found=data.get("version"), version=VERSION
            )
        )
    unknown = [m for m in data.get("migrations", []) if m not in set(col.migrations())]
    if unknown:
        raise CollectionError(
            _(
                "this export was made by a newer cvquiz (schema {schema}); upgrade cvquiz first"
            ).format(schema=", ".join(unknown))
        )
    from cvquiz.collection.export_format import ExportFormatError, check_export

    try:
        check_export(data)
    except ExportFormatError as error:
        raise CollectionError(
            _("{source}: {where}: {problem}; nothing was imported").format(
                source=source or _("the export"), where=error.path, problem=error.problem
            )
        ) from None
    _check_empty(col)
    try:
        decks = [_deck_row(d) for d in data["decks"]]
        files = [tuple(f[k] for k in _FILE_COLS) for f in data["deck_files"]]
        cards, schedules = [], []
        for card in data["cards"]:
            cards.append(_card_row(card))
            sched = card["schedule"]
            schedules.append((card["pk"], *(_in_value(k, sched[k]) for k in _SCHED_COLS)))
        reviews = [_review_row(r) for r in data["reviews"]]
        attempts = [
            tuple(_in_value(k, a[k]) for k in _ATTEMPT_COLS) for a in data.get("code_attempts", ())
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CollectionError(
            _("not a valid cvquiz collection export: {error!r}").format(error=error)
        ) from None
    marks = ", ".join("?" * len(_SCHED_COLS))
    try:
        with col.transaction() as conn:
            conn.execute("DELETE FROM schedule")
            conn.execute("DELETE FROM cards")
            conn.execute("DELETE FROM deck_files")
            conn.execute("DELETE FROM decks")
            conn.executemany(_insert("decks", _DECK_COLS), decks)
            conn.executemany(_insert("deck_files", _FILE_COLS), files)
            conn.executemany(_insert("cards", _CARD_COLS), cards)
            conn.executemany(
                f"INSERT INTO schedule (card_pk, {', '.join(_SCHED_COLS)}) VALUES (?, {marks})",
                schedules,
            )
            conn.executemany(_insert("reviews", _REVIEW_COLS), reviews)
            conn.executemany(_insert("code_attempts", _ATTEMPT_COLS), attempts)
            store.count_entries(conn)
    except sqlite3.IntegrityError as error:
        raise CollectionError(
            _("the export does not hang together: {error}").format(error=error)
        ) from None
    return BackupCounts(decks=len(decks), cards=len(cards), reviews=len(reviews))


def _insert(table: str, cols: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def _deck_row(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    values = {k: _in_value(k, doc[k]) for k in _DECK_COLS}
    description = doc["description"]
    values["description"] = (
        None if description is None else json.dumps(description, ensure_ascii=False)
    )
    values["tags"] = json.dumps(list(doc["tags"]), ensure_ascii=False)
    return tuple(values[k] for k in _DECK_COLS)


def _card_row(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    values = {k: _in_value(k, doc[k]) for k in _CARD_COLS}
    # the same serialization deck sync writes, so the stored text is byte for byte what it was
    values["content"] = json.dumps(doc["content"], ensure_ascii=False, sort_keys=True)
    values["tags"] = _tags_in(list(doc["tags"]))
    return tuple(values[k] for k in _CARD_COLS)


def _review_row(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    # exports written before cram reviews existed have no "cram": those reviews were regular ones
    values = {k: _in_value(k, doc.get(k, False) if k == "cram" else doc[k]) for k in _REVIEW_COLS}
    values["before"] = json.dumps(_times_in(dict(doc["before"])))
    values["after"] = json.dumps(_times_in(dict(doc["after"])))
    return tuple(values[k] for k in _REVIEW_COLS)
