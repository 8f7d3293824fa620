"""The undo log: every change to the collection, newest last, with what it takes to take it back.

Each change a person makes — a rating, a suspend, a bury, a forget, a tag added or removed — writes one row
here in the same transaction as the change itself: the operation, when it was made, how many cards it touched,
and what to write back (the schedule columns as they were, the tags as they were, or the review to remove).
``cvquiz undo`` takes back the newest row, whatever command made it, and a study session's own undo takes back
its change only while it is still the newest, so the two always agree on what "the last change" is.

Only the newest `DEPTH` changes are kept; older ones can no longer be undone (their reviews stay, of course).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvquiz.collection import store
from cvquiz.errors import NothingToUndoError, UndoError
from cvquiz.i18n import N_, _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "DEPTH",
    "OP_NAMES",
    "Change",
    "FileTags",
    "NothingToUndoError",
    "UndoError",
    "count",
    "forget_review",
    "is_logged",
    "last_change",
    "op_name",
    "record",
    "schedule_before",
    "undo_change",
]

DEPTH = 200
"""How many changes the log keeps (Anki keeps 30 undo steps in memory; cvquiz's outlive the process)."""


OP_NAMES = {
    "review": N_("rating"),
    "suspend": N_("suspend"),
    "unsuspend": N_("unsuspend"),
    "bury": N_("bury"),
    "forget": N_("forget"),
    "tag-add": N_("tag add"),
    "tag-remove": N_("tag remove"),
}
"""Each operation of the log and its name in messages (translated when used)."""


def op_name(op: str) -> str:
    """Return an operation's name in the user's language (``tag-add``: "tag add")."""
    return _(OP_NAMES[op]) if op in OP_NAMES else op


@dataclass(frozen=True)
class FileTags:
    """A card's tags as its deck file had them before a change (undo writes them back).

    Attributes:
        path: the deck file.
        card: the card id.
        tags: the card's own tags, as the file listed them.
    """

    path: str
    card: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One change in the undo log.

    Attributes:
        id: its place in the log (None for a change that changed nothing and so was not logged).
        op: what it was: ``review``, ``suspend``, ``unsuspend``, ``forget``, ``bury``, ``tag-add``,
            ``tag-remove``.
        made_at: when (ms since the epoch).
        cards: how many review cards it changed.
        label: what it was applied to, as the person wrote it (a query, card references, a tag).
        files: deck-file tags to write back when it is undone (tag changes of the user's own cards).
        rating: the rating given (a review), else None.
    """

    id: int | None
    op: str
    made_at: int
    cards: int
    label: str = ""
    files: tuple[FileTags, ...] = ()
    rating: int | None = None


def record(
    conn: sqlite3.Connection,
    op: str,
    made_at: int,
    cards: int,
    restore: Mapping[str, Any],
    label: str = "",
) -> int:
    """Log a change; call it inside the change's own transaction.

    Args:
        conn: the collection connection, in a write transaction.
        op: the operation (see `Change.op`).
        made_at: when, in ms since the epoch.
        cards: how many review cards it changed.
        restore: what undoing it writes back: ``{"review": id}``, ``{"schedule": {pk: {column: value}}}``,
            ``{"tags": {pk: tags}, "local_tags": [...], "entries": [...], "files": [...]}``.
        label: what it was applied to, for messages.

    Returns:
        The change's id.
    """
    cur = conn.execute(
        "INSERT INTO undo_log (op, made_at, cards, label, restore) VALUES (?, ?, ?, ?, ?)",
        (op, made_at, cards, label, json.dumps(restore, ensure_ascii=False)),
    )
    change_id = int(cur.lastrowid or 0)
    conn.execute("DELETE FROM undo_log WHERE id <= ?", (change_id - DEPTH,))
    return change_id


def schedule_before(
    conn: sqlite3.Connection,
    pks: Iterable[int],
    columns: Sequence[str],
    where: str = "1",
    params: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Read the schedule columns a change is about to write, for the cards it will change.

    Args:
        conn: the collection connection, in the change's transaction.
        pks: the cards.
        columns: the columns the change writes (from `cvquiz.collection.store.SCHEDULE_COLUMNS`).
        where: a condition on ``schedule`` the change applies to (the others are left out).
        params: the condition's named parameters.

    Returns:
        ``{str(pk): {column: value}}`` for each card the change will touch.
    """
    assert all(c in store.SCHEDULE_COLUMNS for c in columns)
    keys = json.dumps(sorted({int(pk) for pk in pks}))
    rows = conn.execute(
        f"""SELECT card_pk, {", ".join(columns)} FROM schedule
            WHERE card_pk IN (SELECT value FROM json_each(:keys)) AND ({where})""",
        {**(params or {}), "keys": keys},
    )
    return {str(r[0]): dict(zip(columns, r[1:], strict=True)) for r in rows}


def _change(row: tuple[Any, ...]) -> Change:
    change_id, op, made_at, cards, label, restore_json = row
    restore = json.loads(restore_json)
    files = tuple(
        FileTags(f["path"], f["card"], tuple(f["tags"])) for f in restore.get("files", ())
    )
    rating = restore.get("rating")
    return Change(
        int(change_id),
        str(op),
        int(made_at),
        int(cards),
        str(label),
        files,
        None if rating is None else int(rating),
    )


_SELECT = "SELECT id, op, made_at, cards, label, restore FROM undo_log"


def last_change(col: Collection) -> Change | None:
    """Return the newest change in the log, or None when there is none."""
    row = col.conn.execute(f"{_SELECT} ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else _change(row)


def is_logged(col: Collection, change_id: int) -> bool:
    """Return True when the change is still in the log (only the newest `DEPTH` are kept)."""
    row = col.conn.execute("SELECT 1 FROM undo_log WHERE id = ?", (change_id,)).fetchone()
    return row is not None


def count(col: Collection) -> int:
    """Return how many changes the log holds (how many times ``cvquiz undo`` can go back)."""
    return int(col.conn.execute("SELECT COUNT(*) FROM undo_log").fetchone()[0])


def undo_change(col: Collection, change_id: int | None = None) -> Change:
    """Take back the newest change, in one transaction, and drop it from the log.

    Args:
        col: the collection.
        change_id: the change the caller means to undo; refused unless it is still the newest (another
            command may have changed the collection since). None: whatever is newest.

    Returns:
        The change taken back (its ``files`` are what the caller writes back to deck files; do that first).

    Raises:
        NothingToUndoError: when the log is empty.
        UndoError: when ``change_id`` is not the newest change, or when a review to undo is no longer its
            card's latest state.
    """
    with col.transaction() as conn:
        row = conn.execute(f"{_SELECT} ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise NothingToUndoError(_("there is nothing to undo"))
        change = _change(row)
        if change_id is not None and change.id != change_id:
            raise UndoError(
                _("a later change ({op}) was made since; undo that first with cvquiz undo").format(
                    op=op_name(change.op)
                )
            )
        restore = json.loads(row[5])
        if "review" in restore:
            _restore_review(conn, int(restore["review"]))
        for pk, values in restore.get("schedule", {}).items():
            _write_schedule(conn, int(pk), values)
        _restore_tags(conn, restore)
        conn.execute("DELETE FROM undo_log WHERE id = ?", (change.id,))
    return change


def _write_schedule(conn: sqlite3.Connection, pk: int, values: Mapping[str, Any]) -> None:
    columns = [c for c in values if c in store.SCHEDULE_COLUMNS]
    if columns:
        conn.execute(
            f"UPDATE schedule SET {', '.join(f'{c} = ?' for c in columns)} WHERE card_pk = ?",
            (*(values[c] for c in columns), pk),
        )


def _restore_review(conn: sqlite3.Connection, review_id: int) -> None:
    """Undo one review: the card's schedule row exactly as before, its siblings unburied, the review gone."""
    row = conn.execute(
        "SELECT card_pk, before, after FROM reviews WHERE id = ?", (review_id,)
    ).fetchone()
    if row is None:
        raise UndoError(_("review #{id} is no longer in the review log").format(id=review_id))
    pk, before_json, after_json = row
    (latest,) = conn.execute(
        "SELECT id FROM reviews WHERE card_pk = ? ORDER BY reviewed_at DESC, id DESC LIMIT 1", (pk,)
    ).fetchone()
    if latest != review_id:
        raise UndoError(
            _("review #{id} is not the latest review of its card any more").format(id=review_id)
        )
    after = json.loads(after_json)
    current = conn.execute(
        f"SELECT {', '.join(store.SCHEDULE_COLUMNS)} FROM schedule WHERE card_pk = ?", (pk,)
    ).fetchone()
    now = dict(zip(store.SCHEDULE_COLUMNS, current or (), strict=False))
    memory = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
    if any(now.get(k) != after.get(k) for k in memory):
        raise UndoError(
            _("review #{id} can no longer be undone: its card was rescheduled since").format(
                id=review_id
            )
        )
    before = json.loads(before_json)
    siblings = before.pop("siblings", {})
    _write_schedule(conn, int(pk), {k: before[k] for k in store.SCHEDULE_COLUMNS if k in before})
    conn.executemany(
        "UPDATE schedule SET buried_until = ? WHERE card_pk = ?",
        [(was, int(sibling)) for sibling, was in siblings.items()],
    )
    conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))


def _restore_tags(conn: sqlite3.Connection, restore: Mapping[str, Any]) -> None:
    """Write back the tags a tag change replaced: the cards' tag strings and the collection-only tags."""
    conn.executemany(
        "UPDATE cards SET tags = ? WHERE pk = ?",
        [(tags, int(pk)) for pk, tags in restore.get("tags", {}).items()],
    )
    for deck, card in restore.get("entries", ()):
        conn.execute("DELETE FROM local_tags WHERE deck_id = ? AND card_id = ?", (deck, card))
    conn.executemany(
        "INSERT INTO local_tags (deck_id, card_id, tag, added) VALUES (?, ?, ?, ?)",
        [tuple(row) for row in restore.get("local_tags", ())],
    )


def forget_review(conn: sqlite3.Connection, review_id: int) -> None:
    """Drop the log entry of a review that is being undone some other way (`scheduling.undo_review`)."""
    conn.execute(
        "DELETE FROM undo_log WHERE op = 'review' AND json_extract(restore, '$.review') = ?",
        (review_id,),
    )
