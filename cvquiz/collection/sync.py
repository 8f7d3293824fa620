"""Deck sync: bring the collection in line with the deck files, incrementally and without losing history.

A file whose size and modification time are unchanged costs one ``stat``; one whose bytes are unchanged costs
a hash; only a changed file is parsed, and a file cvquiz has just written (`WrittenDeck`) is not parsed at all:
the deck it was written from is taken as is. A card keeps its row (and so its history) as long as its id does;
a card gone from its file is retired, never deleted; a card that comes back is revived.

A file that does not load (syntax, structure, a deck id another file already uses) blocks nothing: it is
reported in `SyncReport.broken` with its first problem, its deck keeps the cards it had when it last loaded
(or stays out of the collection if it never did), and every other file is synced. Everything is written in
one transaction.

The files are compared with what the collection recorded of them without a write lock: when nothing changed
(the usual case), sync takes none, so the commands that only read go on while another cvquiz writes (an
``import`` holds the lock for as long as it takes). Only when there is something to write does it take the
lock, and it compares again under it when another cvquiz synced meanwhile.

A card the caller's ``vet`` finds unstudyable (a compute card whose generator is unknown or whose parameters
draw no problem) is left out, so no drill or export ever meets it: it is reported in `SyncReport.left_out`, a
card synced before is retired (its history kept) until it is fixed, and its file is read again on every sync,
so that it is reported each time and taken in as soon as it is fixed (or cvquiz learns its generator); while
its bytes stay the same, nothing is written for it (a read-only collection still opens for reading).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cvquiz.collection import overrides
from cvquiz.collection.store import count_entries, transaction
from cvquiz.deckfile.discovery import deck_files
from cvquiz.errors import DeckProblems
from cvquiz.i18n import _
from cvquiz.progress import REPORT_EVERY, Progress, no_progress

if TYPE_CHECKING:
    from cvquiz.deckfile.written import WrittenDeck
    from cvquiz.model import Card, Deck

_LEFT_OUT = "left-out:"
"""Marks the digest of a deck file synced with cards left out (see `_vetted`)."""

POSITION_STRIDE = 1_000_000
"""New cards are ordered by deck, then file order: position = deck position × stride + index."""


@dataclass(frozen=True)
class BrokenFile:
    """A deck file that did not load, and what became of its deck.

    Attributes:
        path: the file.
        problem: its first problem, ``file:line:column: message``.
        problems: how many problems were found in it.
        kept: the deck whose cards stay as they were last synced, or None when the file never loaded (its
            cards are left out until it does).
    """

    path: str
    problem: str
    problems: int
    kept: str | None


@dataclass(frozen=True)
class LeftOutCard:
    """A card of a deck file that loaded, left out of study because it cannot be studied as written.

    Attributes:
        path: its file.
        card: its id.
        problem: ``file:line:column: card 'id': message``.
    """

    path: str
    card: str
    problem: str


Vet = Callable[["Card"], "str | None"]
"""Tells why a compute card cannot be studied (None: it can), e.g. `cvquiz.generators.card_problem`."""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did.

    Attributes:
        parsed: deck files that were parsed (changed or new), or taken as just written.
        skipped: deck files found unchanged.
        added: review cards created.
        updated: review cards whose content changed.
        retired: review cards no longer in their file.
        revived: retired review cards back in their file.
        removed_decks: decks whose file disappeared.
        broken: deck files that did not load (left as they were).
        left_out: cards of files that loaded, left out of study (see ``vet``).
    """

    parsed: int = 0
    skipped: int = 0
    added: int = 0
    updated: int = 0
    retired: int = 0
    revived: int = 0
    removed_decks: tuple[str, ...] = field(default_factory=tuple)
    broken: tuple[BrokenFile, ...] = field(default_factory=tuple)
    left_out: tuple[LeftOutCard, ...] = field(default_factory=tuple)


class _Known(NamedTuple):
    mtime_ns: int
    size: int
    digest: str
    deck_id: str


class _Row(NamedTuple):
    pk: int
    digest: str
    active: int
    line: int
    position: int


class _Loaded(NamedTuple):
    path: Path
    bundled: bool
    deck: Deck
    mtime_ns: int
    size: int
    digest: str


class _Plan(NamedTuple):
    """What a sync found to write, and what it reports besides."""

    known: dict[str, _Known]
    touched: list[tuple[str, int, int]]  # stat changed, bytes did not
    gone: list[tuple[str, str]]  # path, deck id
    owner: dict[str, str]
    changed: list[_Loaded]
    mine: list[_Loaded]
    skipped: int
    broken: list[BrokenFile]
    left_out: list[LeftOutCard]


def _load(path: Path, blob: bytes, bundled: bool) -> Deck:
    """Parse a deck file's bytes (YAML is imported only here, when a file changed)."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as error:
        from cvquiz.fileio import describe_decode_error

        raise DeckProblems(
            [
                _("{path}:1:1: not UTF-8 text ({reason} at byte {byte})").format(
                    path=path, reason=describe_decode_error(error), byte=error.start
                )
            ]
        ) from None
    from cvquiz.deckfile.loader import load_deck_text

    return load_deck_text(text.removeprefix("\ufeff"), str(path), path=path, bundled=bundled)


def sync_decks(
    conn: sqlite3.Connection,
    bundled: Path,
    user: Path,
    now_ms: int,
    written: Sequence[WrittenDeck] = (),
    progress: Progress = no_progress,
    vet: Vet | None = None,
) -> SyncReport:
    """Sync the bundled decks and the user's decks folder into the collection.

    Args:
        conn: the collection connection.
        bundled: the folder of bundled decks (top-level ``*.yaml``).
        user: the user's decks folder (searched recursively); may not exist yet.
        now_ms: the current time in ms since the epoch (recorded as added/modified time).
        written: deck files cvquiz has just written, with the decks they hold: each is taken as is, without
            parsing, as long as the file's size and modification time are still the ones written.
        progress: told of the files read and the cards written.
        vet: asked of each compute card of a file read: a card it finds a problem with is left out of study.
            None: every card that loads is taken (only for tests of the storage alone).

    Returns:
        What changed, which files did not load, and which cards were left out.
    """
    plan = _plan(conn, bundled, user, written, progress, vet)  # reads only: no write lock
    counts = {"added": 0, "updated": 0, "retired": 0, "revived": 0}
    removed: list[str] = []
    if plan.touched or plan.gone or plan.changed or plan.mine:
        with transaction(conn):
            if _known(conn) != plan.known:
                # another cvquiz synced since the files were compared: compare them again, under the lock
                plan = _plan(conn, bundled, user, written, progress, vet)
            removed = _write(conn, plan, now_ms, counts, progress)
    return SyncReport(
        parsed=len(plan.changed),
        skipped=plan.skipped,
        removed_decks=tuple(removed),
        broken=tuple(plan.broken),
        left_out=tuple(plan.left_out),
        **counts,
    )


def _known(conn: sqlite3.Connection) -> dict[str, _Known]:
    """What the collection recorded of each deck file when it last synced it."""
    return {
        row[0]: _Known(*row[1:])
        for row in conn.execute("SELECT path, mtime_ns, size, digest, deck_id FROM deck_files")
    }


def _plan(
    conn: sqlite3.Connection,
    bundled: Path,
    user: Path,
    written: Sequence[WrittenDeck],
    progress: Progress,
    vet: Vet | None,
) -> _Plan:
    """Compare the deck files with what the collection recorded of them, reading only (see `sync_decks`)."""
    files = [(p, True) for p in deck_files(bundled, recursive=False)]
    files += [(p, False) for p in deck_files(user)]
    known = _known(conn)
    given = {str(w.path): w for w in written}
    broken: list[BrokenFile] = []
    loaded: list[_Loaded] = []
    touched: list[tuple[str, int, int]] = []  # stat changed, bytes did not
    owner: dict[str, str] = {}
    present: set[str] = set()
    left_out: list[LeftOutCard] = []
    skipped = 0
    for number, (path, bundled_flag) in enumerate(files, 1):
        key = str(path)
        old = known.get(key)
        try:
            stat = path.stat()
        except OSError:
            continue  # gone since the folder was listed: it is treated as removed
        present.add(key)
        if old is not None and old.mtime_ns == stat.st_mtime_ns and old.size == stat.st_size:
            owner.setdefault(old.deck_id, key)
            skipped += 1
            continue
        done = given.get(key)
        if done is not None and (done.mtime_ns, done.size) == (stat.st_mtime_ns, stat.st_size):
            loaded.append(_Loaded(path, bundled_flag, done.deck, *done.fingerprint))
            continue
        progress(_("Reading deck files"), number - 1, len(files))
        try:
            import hashlib  # only for a file whose size or time changed

            blob = path.read_bytes()
            digest = hashlib.sha256(blob).hexdigest()
            if old is not None and old.digest == digest:
                touched.append((key, stat.st_mtime_ns, stat.st_size))
                owner.setdefault(old.deck_id, key)
                skipped += 1
                continue
            deck = _load(path, blob, bundled_flag)
        except OSError as error:
            from cvquiz.fileio import describe_os_error

            problems = [
                _("{path}: cannot read: {reason}").format(
                    path=path, reason=describe_os_error(error)
                )
            ]
        except DeckProblems as error:
            problems = error.problems
        else:
            loaded.append(_Loaded(path, bundled_flag, deck, stat.st_mtime_ns, stat.st_size, digest))
            continue
        kept = old.deck_id if old is not None else None
        if kept is not None:
            owner.setdefault(kept, key)
        broken.append(BrokenFile(key, problems[0], len(problems), kept))
    mine = [item for item in loaded if item.deck.overrides]  # the user's versions of bundled cards
    changed: list[_Loaded] = []
    for item in loaded:
        if item.deck.overrides:
            continue
        first = owner.get(item.deck.id)
        if first is not None and first != str(item.path):
            from cvquiz.deckfile.loader import deck_id_taken  # YAML loads only when a file changed

            problem = deck_id_taken(item.path, item.deck.id, first)
            previous = known.get(str(item.path))
            broken.append(
                BrokenFile(str(item.path), problem, 1, previous.deck_id if previous else None)
            )
            continue
        owner[item.deck.id] = str(item.path)
        changed.append(item)
    changed, mine = _with_overrides(changed, mine, known, files, owner, broken)
    if vet is not None:
        changed, skipped = _vet_all(changed, vet, known, left_out, skipped)

    gone = [(path, row.deck_id) for path, row in known.items() if path not in present]
    return _Plan(known, touched, gone, owner, changed, mine, skipped, broken, left_out)


def _write(
    conn: sqlite3.Connection,
    plan: _Plan,
    now_ms: int,
    counts: dict[str, int],
    progress: Progress,
) -> list[str]:
    """Write what `_plan` found changed (inside the caller's transaction), counting into ``counts``.

    Returns:
        The decks removed because their file went.
    """
    removed: list[str] = []
    changed = plan.changed
    owner = plan.owner
    total_cards = sum(len(item.deck.cards) for item in changed)
    for key, mtime, size in plan.touched:
        conn.execute(
            "UPDATE deck_files SET mtime_ns = ?, size = ? WHERE path = ?", (mtime, size, key)
        )
    for path_text, deck_id in plan.gone:
        conn.execute("DELETE FROM deck_files WHERE path = ?", (path_text,))
        if deck_id not in owner and overrides.target_of(deck_id) is None:
            removed.append(deck_id)
            conn.execute("UPDATE decks SET active = 0 WHERE id = ?", (deck_id,))
            cur = conn.execute(
                "UPDATE cards SET active = 0 WHERE deck_id = ? AND active = 1", (deck_id,)
            )
            counts["retired"] += cur.rowcount
            count_entries(conn, deck_id)
    stage = _("Syncing cards")
    written_cards = 0
    for item in changed:

        def report(done: int, before: int = written_cards) -> None:
            progress(stage, before + done, total_cards)

        _write_deck(conn, item.deck, item.path, item.bundled, now_ms, counts, report)
        conn.execute(
            "INSERT OR REPLACE INTO deck_files (path, mtime_ns, size, digest, deck_id) VALUES (?, ?, ?, ?, ?)",
            (str(item.path), item.mtime_ns, item.size, item.digest, item.deck.id),
        )
        written_cards += len(item.deck.cards)
    for item in plan.mine:
        conn.execute(
            "INSERT OR REPLACE INTO deck_files (path, mtime_ns, size, digest, deck_id) VALUES (?, ?, ?, ?, ?)",
            (
                str(item.path),
                item.mtime_ns,
                item.size,
                item.digest,
                overrides.file_key(item.deck.id),
            ),
        )
    return removed


def _load_file(
    path: Path, bundled: bool, known: dict[str, _Known], broken: list[BrokenFile]
) -> _Loaded | None:
    """Read and parse one deck file sync did not need to read for itself; a failure is added to ``broken``."""
    from hashlib import sha256

    try:
        stat = path.stat()
        blob = path.read_bytes()
        deck = _load(path, blob, bundled)
    except OSError as error:
        from cvquiz.fileio import describe_os_error

        problems = [
            _("{path}: cannot read: {reason}").format(path=path, reason=describe_os_error(error))
        ]
    except DeckProblems as error:
        problems = error.problems
    else:
        return _Loaded(
            path, bundled, deck, stat.st_mtime_ns, stat.st_size, sha256(blob).hexdigest()
        )
    if all(b.path != str(path) for b in broken):
        previous = known.get(str(path))
        broken.append(
            BrokenFile(
                str(path), problems[0], len(problems), previous.deck_id if previous else None
            )
        )
    return None


def _with_overrides(
    changed: list[_Loaded],
    mine: list[_Loaded],
    known: dict[str, _Known],
    files: list[tuple[Path, bool]],
    owner: dict[str, str],
    broken: list[BrokenFile],
) -> tuple[list[_Loaded], list[_Loaded]]:
    """The decks to write, each bundled one with the user's versions of its cards (`overrides.merge`).

    A bundled deck is written again when its file changed, or when a file of overrides of it changed,
    appeared or went; every file of overrides of it is read then, changed or not. When one of those does not
    load, the bundled deck is not written this time (its cards stay as last synced, the user's versions
    included), and it is tried again on the next sync.

    Returns:
        The decks to write, and the files of overrides whose versions they hold (to record as synced).
    """
    present = {str(p) for p, _flag in files}
    bundled = {str(p) for p, flag in files if flag}
    files_of: dict[str, list[Path]] = {}
    stale: set[str] = set()
    for key, row in known.items():
        target = overrides.target_of(row.deck_id)
        if target is None:
            continue
        if key in present:
            files_of.setdefault(target, []).append(Path(key))
        else:
            stale.add(target)  # its file of overrides is gone: the bundled versions come back
    fresh: dict[str, dict[str, Deck]] = {}
    usable: list[_Loaded] = []
    for item in mine:
        if owner.get(item.deck.id) not in bundled:
            problem = _(
                "{path}:1:1: overrides {deck!r}, which is not a bundled deck (cvquiz decks lists them)"
            ).format(path=item.path, deck=item.deck.id)
            previous = known.get(str(item.path))
            broken.append(
                BrokenFile(str(item.path), problem, 1, previous.deck_id if previous else None)
            )
            continue
        fresh.setdefault(item.deck.id, {})[str(item.path)] = item.deck
        stale.add(item.deck.id)
        usable.append(item)
    out = list(changed)
    written = {item.deck.id for item in changed if item.bundled}
    for target in sorted(stale - written):
        home = owner.get(target)
        if home in bundled:
            loaded = _load_file(Path(home), True, known, broken)
            if loaded is not None:
                out.append(loaded)
    failed = {b.path for b in broken}
    result: list[_Loaded] = []
    for item in out:
        deck = item.deck
        if item.bundled and (deck.id in stale or deck.id in files_of):
            versions = list(fresh.get(deck.id, {}).values())
            complete = True
            for other in files_of.get(deck.id, []):
                if str(other) in failed:
                    complete = False
                elif str(other) not in fresh.get(deck.id, {}):
                    again = _load_file(other, False, known, broken)
                    if again is None:
                        complete = False
                    else:
                        versions.append(again.deck)
            if not complete:
                continue  # a file of the user's versions of it did not load: keep it as last synced
            deck = overrides.merge(deck, versions)
        result.append(item._replace(deck=deck))
    targets = {item.deck.id for item in result if item.bundled}
    return result, [item for item in usable if item.deck.id in targets]


def _vet_all(
    changed: list[_Loaded],
    vet: Vet,
    known: dict[str, _Known],
    left_out: list[LeftOutCard],
    skipped: int,
) -> tuple[list[_Loaded], int]:
    """Vet the decks as they will be written (the user's versions of bundled cards included).

    A user's deck file read again with the same bytes and the same cards left out is not written again: it was
    read only to report them (so a read-only collection still serves the reading commands).

    Returns:
        The decks to write, and the count of files skipped.
    """
    kept: list[_Loaded] = []
    for item in changed:
        item, unstudyable = _vetted(item, vet)
        left_out.extend(unstudyable)
        old = known.get(str(item.path))
        if unstudyable and not item.bundled and old is not None and old.digest == item.digest:
            skipped += 1
            continue
        kept.append(item)
    return kept, skipped


def _vetted(item: _Loaded, vet: Vet) -> tuple[_Loaded, list[LeftOutCard]]:
    """Leave out of a loaded deck the compute cards ``vet`` finds a problem with.

    A file with such a card is recorded with an impossible time and a marked digest, so the next sync reads
    it again (to report its cards, and to take them once cvquiz can study them) but writes nothing while its
    bytes are the same.
    """
    from cvquiz.deckfile.messages import card_prefix
    from cvquiz.model import CardType  # loaded with the deck already

    kept: list[Card] = []
    left_out: list[LeftOutCard] = []
    for card in item.deck.cards:
        problem = vet(card) if card.type is CardType.COMPUTE else None
        if problem is None:
            kept.append(card)
            continue
        where = f"{item.path}:{card.line}:{card.column}: " if card.line else f"{item.path}: "
        line = where + card_prefix(card.id) + problem
        left_out.append(LeftOutCard(str(item.path), card.id, line))
    if not left_out:
        return item, []
    deck = replace(item.deck, cards=tuple(kept))
    return item._replace(deck=deck, mtime_ns=-1, digest=_LEFT_OUT + item.digest), left_out


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
    report: Callable[[int], None],
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
        (card_id, ord_): _Row(pk, digest, active, line, pos)
        for pk, card_id, ord_, digest, active, line, pos in conn.execute(
            "SELECT pk, card_id, ord, content_hash, active, line, position FROM cards WHERE deck_id = ?",
            (deck.id,),
        )
    }
    seen: set[tuple[str, int]] = set()
    base = position * POSITION_STRIDE
    for chunk in range(0, len(deck.cards), REPORT_EVERY):
        inserts = []
        updates = []
        for index in range(chunk, min(chunk + REPORT_EVERY, len(deck.cards))):
            card = deck.cards[index]
            content = json.dumps(card.to_data(), ensure_ascii=False, sort_keys=True)
            digest = sha256(content.encode()).hexdigest()[:16]
            tags = " " + " ".join(card.tags) + " " if card.tags else ""
            row = (card.type.value, content, digest, tags, card.line, base + index)
            for ord_ in card.ords():
                key = (card.id, ord_)
                seen.add(key)
                old = existing.get(key)
                if old is None:
                    inserts.append((deck.id, card.id, ord_, *row, now_ms, now_ms))
                    continue
                if old.active and old.digest == digest and (old.line, old.position) == row[4:]:
                    continue  # nothing to write: most cards of a file that gained one card
                if not old.active:
                    counts["revived"] += 1
                elif old.digest != digest:
                    counts["updated"] += 1
                modified = now_ms if old.digest != digest else None
                updates.append((*row, modified, old.pk))
        conn.executemany(
            """INSERT INTO cards (deck_id, card_id, ord, type, content, content_hash, tags, line,
                                  position, active, added_at, modified_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
            inserts,
        )
        counts["added"] += len(inserts)
        conn.executemany(
            """UPDATE cards SET type = ?, content = ?, content_hash = ?, tags = ?, line = ?, position = ?,
                                active = 1, modified_at = COALESCE(?, modified_at) WHERE pk = ?""",
            updates,
        )
        report(min(chunk + REPORT_EVERY, len(deck.cards)))
    conn.execute(
        """INSERT INTO schedule (card_pk) SELECT pk FROM cards
           WHERE deck_id = ? AND pk NOT IN (SELECT card_pk FROM schedule)""",
        (deck.id,),
    )
    retire = [row.pk for key, row in existing.items() if key not in seen and row.active]
    conn.executemany("UPDATE cards SET active = 0 WHERE pk = ?", [(pk,) for pk in retire])
    counts["retired"] += len(retire)
    count_entries(conn, deck.id)
    if bundled:  # tags added or removed in the collection outlive a new version of the deck file
        from cvquiz.collection.changes import apply_local_tags

        apply_local_tags(conn, deck.id)
