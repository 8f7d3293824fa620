"""Deck sync: bring the collection in line with the deck files, incrementally and without losing history.

A file whose size and modification time are unchanged costs one ``stat``; one whose bytes are unchanged costs
a hash; only a changed file is parsed. A card keeps its row (and so its history) as long as its id does; a card
gone from its file is retired, never deleted; a card that comes back is revived. Every file is parsed and
validated before anything is written, and everything is written in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.collection import overrides
from cvquiz.collection.store import transaction
from cvquiz.deckfile.discovery import deck_files
from cvquiz.errors import DeckProblems

if TYPE_CHECKING:
    from cvquiz.model import Deck

    _Changed = tuple[Path, bool, Deck, int, int, str]
    """A deck file read: its path, bundled or not, the deck, its mtime, size and digest."""

POSITION_STRIDE = 1_000_000
"""New cards are ordered by deck, then file order: position = deck position × stride + index."""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did.

    Attributes:
        parsed: deck files that were parsed (changed or new).
        skipped: deck files found unchanged.
        added: review cards created.
        updated: review cards whose content changed.
        retired: review cards no longer in their file.
        revived: retired review cards back in their file.
        removed_decks: decks whose file disappeared.
    """

    parsed: int = 0
    skipped: int = 0
    added: int = 0
    updated: int = 0
    retired: int = 0
    revived: int = 0
    removed_decks: tuple[str, ...] = field(default_factory=tuple)


def sync_decks(conn: sqlite3.Connection, bundled: Path, user: Path, now_ms: int) -> SyncReport:
    """Sync the bundled decks and the user's decks folder into the collection.

    Args:
        conn: the collection connection.
        bundled: the folder of bundled decks (top-level ``*.yaml``).
        user: the user's decks folder (searched recursively); may not exist yet.
        now_ms: the current time in ms since the epoch (recorded as added/modified time).

    Returns:
        What changed.

    Raises:
        DeckProblems: every problem of every changed file; nothing is written then.
    """
    files = [(p, True) for p in deck_files(bundled, recursive=False)]
    files += [(p, False) for p in deck_files(user)]
    known = {
        row[0]: row[1:]
        for row in conn.execute("SELECT path, mtime_ns, size, digest, deck_id FROM deck_files")
    }
    problems: list[str] = []
    changed: list[tuple[Path, bool, Deck, int, int, str]] = []
    touched: list[tuple[str, int, int]] = []  # stat changed, bytes did not
    owner: dict[str, str] = {}
    skipped = 0
    for path, bundled_flag in files:
        key = str(path)
        stat = path.stat()
        old = known.get(key)
        if old is not None and old[0] == stat.st_mtime_ns and old[1] == stat.st_size:
            owner.setdefault(old[3], key)
            skipped += 1
            continue
        import hashlib  # only for a file whose size or time changed

        blob = path.read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        if old is not None and old[2] == digest:
            touched.append((key, stat.st_mtime_ns, stat.st_size))
            owner.setdefault(old[3], key)
            skipped += 1
            continue
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{path}:1:1: not UTF-8 text ({error.reason} at byte {error.start})")
            continue
        from cvquiz.deckfile.loader import load_deck_text  # YAML is needed only when a file changed

        try:
            deck = load_deck_text(text, key, path=path, bundled=bundled_flag)
        except DeckProblems as error:
            problems.extend(error.problems)
            continue
        changed.append((path, bundled_flag, deck, stat.st_mtime_ns, stat.st_size, digest))
    mine = [item for item in changed if item[2].overrides]  # the user's versions of bundled cards
    changed = [item for item in changed if not item[2].overrides]
    for path, _, deck, *_ in changed:
        first = owner.get(deck.id)
        if first is not None and first != str(path):
            problems.append(f"{path}:1:1: deck id {deck.id!r} is already used by {first}")
        owner[deck.id] = str(path)
    changed = _with_overrides(changed, mine, known, files, owner, problems)
    if problems:
        raise DeckProblems(problems)

    present = {str(p) for p, _ in files}
    gone = [(path, row[3]) for path, row in known.items() if path not in present]
    counts = {"added": 0, "updated": 0, "retired": 0, "revived": 0}
    removed: list[str] = []
    with transaction(conn):
        for key, mtime, size in touched:
            conn.execute(
                "UPDATE deck_files SET mtime_ns = ?, size = ? WHERE path = ?", (mtime, size, key)
            )
        for path, deck_id in gone:
            conn.execute("DELETE FROM deck_files WHERE path = ?", (path,))
            if deck_id not in owner and overrides.target_of(deck_id) is None:
                removed.append(deck_id)
                conn.execute("UPDATE decks SET active = 0 WHERE id = ?", (deck_id,))
                cur = conn.execute(
                    "UPDATE cards SET active = 0 WHERE deck_id = ? AND active = 1", (deck_id,)
                )
                counts["retired"] += cur.rowcount
        for path, bundled_flag, deck, mtime, size, digest in changed:
            _write_deck(conn, deck, path, bundled_flag, now_ms, counts)
            conn.execute(
                "INSERT OR REPLACE INTO deck_files (path, mtime_ns, size, digest, deck_id) VALUES (?, ?, ?, ?, ?)",
                (str(path), mtime, size, digest, deck.id),
            )
        for path, _, deck, mtime, size, digest in mine:
            conn.execute(
                "INSERT OR REPLACE INTO deck_files (path, mtime_ns, size, digest, deck_id) VALUES (?, ?, ?, ?, ?)",
                (str(path), mtime, size, digest, overrides.file_key(deck.id)),
            )
    return SyncReport(parsed=len(changed), skipped=skipped, removed_decks=tuple(removed), **counts)


def _load_file(path: Path, bundled: bool, problems: list[str]) -> _Changed | None:
    from hashlib import sha256

    from cvquiz.deckfile.loader import load_deck_text

    stat = path.stat()
    blob = path.read_bytes()
    try:
        deck = load_deck_text(blob.decode("utf-8"), str(path), path=path, bundled=bundled)
    except UnicodeDecodeError as error:
        problems.append(f"{path}:1:1: not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    except DeckProblems as error:
        problems.extend(error.problems)
        return None
    digest = sha256(blob).hexdigest()
    return (path, bundled, deck, stat.st_mtime_ns, stat.st_size, digest)


def _with_overrides(
    changed: list[_Changed],
    mine: list[_Changed],
    known: dict[str, tuple[Any, ...]],
    files: list[tuple[Path, bool]],
    owner: dict[str, str],
    problems: list[str],
) -> list[_Changed]:
    """The decks to write, each bundled one with the user's versions of its cards (`overrides.merge`).

    A bundled deck is written again when its file changed, or when a file of overrides of it changed,
    appeared or went; every file of overrides of it is read then, changed or not.
    """
    present = {str(p) for p, _ in files}
    bundled = {str(p) for p, flag in files if flag}
    files_of: dict[str, list[Path]] = {}
    stale: set[str] = set()
    for key, row in known.items():
        target = overrides.target_of(row[3])
        if target is None:
            continue
        if key in present:
            files_of.setdefault(target, []).append(Path(key))
        else:
            stale.add(target)  # its file of overrides is gone: the bundled versions come back
    fresh: dict[str, dict[str, Deck]] = {}
    for path, _, deck, *_ in mine:
        if owner.get(deck.id) not in bundled:
            problems.append(
                f"{path}:1:1: overrides {deck.id!r}, which is not a bundled deck (cvquiz decks lists them)"
            )
        fresh.setdefault(deck.id, {})[str(path)] = deck
        stale.add(deck.id)
    out = list(changed)
    written = {deck.id for _, flag, deck, *_ in changed if flag}
    for target in sorted(stale - written):
        home = owner.get(target)
        if home in bundled:
            loaded = _load_file(Path(home), True, problems)
            if loaded is not None:
                out.append(loaded)
    result: list[_Changed] = []
    for path, flag, deck, mtime, size, digest in out:
        if flag and (deck.id in stale or deck.id in files_of):
            versions = list(fresh.get(deck.id, {}).values())
            for other in files_of.get(deck.id, []):
                if str(other) not in fresh.get(deck.id, {}):
                    loaded = _load_file(other, False, problems)
                    if loaded is not None:
                        versions.append(loaded[2])
            deck = overrides.merge(deck, versions)
        result.append((path, flag, deck, mtime, size, digest))
    return result


BUNDLED_DECK_POSITIONS = 1000
"""Bundled decks are numbered from here, the user's own decks below it: new cards a person wrote or imported
are introduced before the bundled ones, so a card just added is in the next drill."""


def _deck_position(conn: sqlite3.Connection, deck: Deck, bundled: bool) -> int:
    row = conn.execute("SELECT position FROM decks WHERE id = ?", (deck.id,)).fetchone()
    if row is not None:
        return int(row[0])
    base = BUNDLED_DECK_POSITIONS if bundled else 0
    top = conn.execute(
        "SELECT MAX(position) FROM decks WHERE bundled = ?", (int(bundled),)
    ).fetchone()[0]
    return base if top is None else int(top) + 1


def _write_deck(
    conn: sqlite3.Connection,
    deck: Deck,
    path: Path,
    bundled: bool,
    now_ms: int,
    counts: dict[str, int],
) -> None:
    from hashlib import sha256

    position = _deck_position(conn, deck, bundled)
    conn.execute(
        """INSERT INTO decks (id, name, description, tags, path, bundled, active, position)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
             tags = excluded.tags, path = excluded.path, bundled = excluded.bundled, active = 1""",
        (
            deck.id,
            deck.name,
            json.dumps(deck.description.to_data(), ensure_ascii=False)
            if deck.description
            else None,
            json.dumps(list(deck.tags), ensure_ascii=False),
            str(path),
            int(bundled),
            position,
        ),
    )
    existing = {
        (card_id, ord_): (pk, digest, active)
        for pk, card_id, ord_, digest, active in conn.execute(
            "SELECT pk, card_id, ord, content_hash, active FROM cards WHERE deck_id = ?", (deck.id,)
        )
    }
    seen: set[tuple[str, int]] = set()
    inserts = []
    updates = []
    base = position * POSITION_STRIDE
    for index, card in enumerate(deck.cards):
        data = card.to_data()
        content = json.dumps(data, ensure_ascii=False, sort_keys=True)
        digest = sha256(content.encode()).hexdigest()[:16]
        tags = " " + " ".join(card.tags) + " " if card.tags else ""
        for ord_ in card.ords():
            key = (card.id, ord_)
            seen.add(key)
            old = existing.get(key)
            row = (card.type.value, content, digest, tags, card.line, base + index)
            if old is None:
                inserts.append((deck.id, card.id, ord_, *row, now_ms, now_ms))
                continue
            pk, old_digest, active = old
            if not active:
                counts["revived"] += 1
            elif old_digest != digest:
                counts["updated"] += 1
            modified = now_ms if old_digest != digest else None
            updates.append((*row, modified, pk))
    conn.executemany(
        """INSERT INTO cards (deck_id, card_id, ord, type, content, content_hash, tags, line, position,
                              active, added_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
        inserts,
    )
    counts["added"] += len(inserts)
    conn.executemany(
        """UPDATE cards SET type = ?, content = ?, content_hash = ?, tags = ?, line = ?, position = ?,
                            active = 1, modified_at = COALESCE(?, modified_at) WHERE pk = ?""",
        updates,
    )
    conn.execute(
        """INSERT INTO schedule (card_pk) SELECT pk FROM cards
           WHERE deck_id = ? AND pk NOT IN (SELECT card_pk FROM schedule)""",
        (deck.id,),
    )
    retire = [existing[key][0] for key in existing if key not in seen and existing[key][2]]
    conn.executemany("UPDATE cards SET active = 0 WHERE pk = ?", [(pk,) for pk in retire])
    counts["retired"] += len(retire)
    if bundled:  # tags added or removed in the collection outlive a new version of the deck file
        from cvquiz.collection.changes import apply_local_tags

        apply_local_tags(conn, deck.id)
