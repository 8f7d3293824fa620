"""Names for shell completion: deck ids, tags and card references, read without syncing or writing.

Completion runs on every <Tab>, so it opens the collection read-only, never syncs the decks and never creates
the file: a collection that does not exist yet, or that cannot be read, simply offers nothing.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

__all__ = ["card_refs", "deck_ids", "tag_names"]

LIMIT = 200


def _read(path: Path, sql: str, params: tuple[object, ...]) -> list[str]:
    if not path.is_file():
        return []
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as conn:
            return [str(row[0]) for row in conn.execute(sql, params)]
    except sqlite3.Error:
        return []


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def deck_ids(path: Path, prefix: str) -> list[str]:
    """Return the ids of the active decks starting with ``prefix``."""
    return _read(
        path,
        "SELECT id FROM decks WHERE active = 1 AND id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
        (_like_prefix(prefix), LIMIT),
    )


def tag_names(path: Path, prefix: str) -> list[str]:
    """Return the tags of active cards starting with ``prefix`` (each once, sorted)."""
    found: set[str] = set()
    for tags in _read(path, "SELECT DISTINCT tags FROM cards WHERE active = 1", ()):
        found.update(t for t in tags.split() if t.startswith(prefix))
    return sorted(found)[:LIMIT]


def card_refs(path: Path, prefix: str) -> list[str]:
    """Return ``deck/id`` references of active cards starting with ``prefix``."""
    return _read(
        path,
        "SELECT DISTINCT deck_id || '/' || card_id AS ref FROM cards WHERE active = 1 "
        "AND ref LIKE ? ESCAPE '\\' ORDER BY ref LIMIT ?",
        (_like_prefix(prefix), LIMIT),
    )
