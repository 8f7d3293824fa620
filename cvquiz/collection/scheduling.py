"""Recording and undoing reviews, and suspend/bury/forget: the writes of scheduling.

Every function takes an open `Collection` and the current time; nothing reads the clock. Recording a review
reads and writes a handful of rows by primary key, in one transaction. Today's queue is
`cvquiz.collection.queue`'s; the memory model itself is py-fsrs', through `cvquiz.scheduler`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cvquiz import clock
from cvquiz.cardstate import ReviewPlan, SchedState
from cvquiz.collection import undo
from cvquiz.collection.store import SCHEDULE_COLUMNS
from cvquiz.errors import N_, CardNotFoundError, UndoError
from cvquiz.i18n import _
from cvquiz.model import Rating

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.collection.queue import Settings

__all__ = [
    "ReviewOutcome",
    "bury",
    "forget",
    "schedule_row",
    "set_buried",
    "suspend",
    "undo_review",
    "unsuspend",
    "write_review",
]


@dataclass(frozen=True)
class ReviewOutcome:
    """What recording one review did.

    Attributes:
        review_id: the review's row id (pass it to `undo_review`).
        pk: the card.
        before: the card's scheduling state before.
        after: its scheduling state after.
        became_leech: True only on the review that made the card a leech (tell the user once).
        leech_action: the ``leech_action`` setting in force (``tag`` or ``suspend``).
        study_day: the study day the review counts for.
        buried_siblings: the sibling cards buried until tomorrow by this review.
        suspended: the card is suspended after the review (a leech with ``leech_action = suspend``).
        cram: a cram review: logged, the schedule unchanged.
        change_id: the review's entry in the undo log (`cvquiz.collection.undo.undo_change` takes it back).
    """

    review_id: int
    pk: int
    before: SchedState
    after: SchedState
    became_leech: bool
    leech_action: str
    study_day: date | None = None
    buried_siblings: tuple[int, ...] = ()
    suspended: bool = False
    cram: bool = False
    change_id: int | None = None


def schedule_row(col: Collection, pk: int) -> dict[str, Any]:
    """Return a card's whole schedule row (every column but the key) as a dict.

    Raises:
        CardNotFoundError: when the card has no schedule row.
    """
    cur = col.conn.execute(
        f"SELECT {', '.join(SCHEDULE_COLUMNS)} FROM schedule WHERE card_pk = ?", (pk,)
    )
    row = cur.fetchone()
    if row is None:
        raise CardNotFoundError(N_("no card with key {pk} in the collection"), pk=pk)
    return dict(zip(SCHEDULE_COLUMNS, row, strict=True))


# --- recording and undoing reviews ---------------------------------------------------------------------


_UPDATE_SQL = (
    "UPDATE schedule SET "
    + ", ".join(f"{k} = :{k}" for k in SCHEDULE_COLUMNS)
    + " WHERE card_pk = :card_pk"
)


def write_review(
    col: Collection,
    pk: int,
    rating: Rating,
    now: datetime,
    decide: Callable[[dict[str, Any]], ReviewPlan],
    duration_ms: int | None = None,
    answer: str | None = None,
    correct: bool | None = None,
    seed: int | None = None,
) -> ReviewOutcome:
    """Record one review in one transaction: the review row, the card's new schedule, buried siblings.

    What the review writes is decided by ``decide`` (the review policy, `cvquiz.review_policy.plan_review`),
    called inside the transaction with the card's schedule row as stored, so nothing can change it in between.

    Args:
        col: the collection.
        pk: the card.
        rating: the user's rating.
        now: the time of the review (kept to the millisecond).
        decide: returns the plan for the stored row.
        duration_ms: the time spent on the card.
        answer: what the user typed (compute cards).
        correct: the engine's verdict (compute cards).
        seed: the compute instance's seed.

    Returns:
        What changed; ``review_id`` undoes it.

    Raises:
        CardNotFoundError: when there is no such card.
    """
    now_ms = clock.to_ms(now)
    with col.transaction() as conn:
        old = schedule_row(col, pk)
        plan = decide(dict(old))
        siblings: list[tuple[int, str | None]] = []
        if plan.bury_siblings_until is not None:
            siblings = conn.execute(
                """SELECT s.card_pk, s.buried_until FROM cards c
                   JOIN cards o ON o.deck_id = c.deck_id AND o.card_id = c.card_id AND o.pk != c.pk
                   JOIN schedule s ON s.card_pk = o.pk
                   WHERE c.pk = ? AND o.active = 1 AND s.state IN (0, 2) AND s.suspended = 0
                     AND (s.buried_until IS NULL OR s.buried_until < ?)""",
                (pk, plan.bury_siblings_until),
            ).fetchall()
        new = {k: plan.row[k] for k in SCHEDULE_COLUMNS}
        conn.execute(_UPDATE_SQL, {**new, "card_pk": pk})
        conn.executemany(
            "UPDATE schedule SET buried_until = ? WHERE card_pk = ?",
            [(plan.bury_siblings_until, sibling) for sibling, _ in siblings],
        )
        before_doc: dict[str, Any] = dict(old)
        if siblings:
            before_doc["siblings"] = {str(sibling): was for sibling, was in siblings}
        cur = conn.execute(
            """INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, duration_ms, answer,
                                    correct, seed, state_before, state_after, before, after, cram)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                pk,
                now_ms,
                plan.study_day,
                int(rating),
                duration_ms,
                answer,
                None if correct is None else int(correct),
                seed,
                int(plan.before.state),
                int(plan.after.state),
                json.dumps(before_doc),
                json.dumps(new),
                int(plan.cram),
            ),
        )
        review_id = int(cur.lastrowid or 0)
        (ref,) = conn.execute(
            "SELECT deck_id || '/' || card_id FROM cards WHERE pk = ?", (pk,)
        ).fetchone()
        change_id = undo.record(
            conn, "review", clock.to_ms(now), 1, {"review": review_id, "rating": int(rating)}, ref
        )
    return ReviewOutcome(
        review_id=review_id,
        pk=pk,
        before=plan.before,
        after=plan.after,
        became_leech=plan.became_leech,
        leech_action=plan.leech_action,
        study_day=date.fromisoformat(plan.study_day),
        buried_siblings=tuple(sibling for sibling, _ in siblings),
        suspended=plan.suspended,
        cram=plan.cram,
        change_id=change_id,
    )


def undo_review(col: Collection, review_id: int) -> int:
    """Undo one review in one transaction: restore the card's schedule row exactly, unbury its siblings,
    and delete the review.

    Args:
        col: the collection.
        review_id: the review to undo (`ReviewOutcome.review_id`).

    Returns:
        The card's key.

    Raises:
        UndoError: when there is no such review (undone by ``cvquiz undo`` in another terminal, say), when
            it is not the card's latest review, or when the card was reset since.
    """
    with col.transaction() as conn:
        row = conn.execute(
            "SELECT card_pk, before, after FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        if row is None:
            raise UndoError(_("review #{id} is no longer in the review log").format(id=review_id))
        pk, before_json, after_json = row
        (latest,) = conn.execute(
            "SELECT id FROM reviews WHERE card_pk = ? ORDER BY reviewed_at DESC, id DESC LIMIT 1",
            (pk,),
        ).fetchone()
        if latest != review_id:
            raise UndoError(
                _("review #{id} is not the latest review of its card any more").format(id=review_id)
            )
        current = SchedState.from_row(schedule_row(col, pk))
        if current != SchedState.from_json(after_json):
            raise UndoError(
                _("review #{id} can no longer be undone: its card was rescheduled since").format(
                    id=review_id
                )
            )
        before = json.loads(before_json)
        siblings = before.pop("siblings", {})
        conn.execute(_UPDATE_SQL, {**{k: before[k] for k in SCHEDULE_COLUMNS}, "card_pk": pk})
        conn.executemany(
            "UPDATE schedule SET buried_until = ? WHERE card_pk = ?",
            [(was, int(sibling)) for sibling, was in siblings.items()],
        )
        conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        undo.forget_review(conn, review_id)
    return int(pk)


# --- suspend, bury, forget -----------------------------------------------------------------------------


def _update_many(col: Collection, sql: str, pks: Iterable[int]) -> int:
    keys = json.dumps(sorted({int(pk) for pk in pks}))
    with col.transaction() as conn:
        cur = conn.execute(
            sql + " AND card_pk IN (SELECT value FROM json_each(?))",
            (keys,),
        )
        return int(cur.rowcount)


def suspend(col: Collection, pks: Iterable[int]) -> int:
    """Suspend cards (they leave every queue until unsuspended).

    Returns:
        How many cards were not suspended before.
    """
    return _update_many(col, "UPDATE schedule SET suspended = 1 WHERE suspended = 0", pks)


def unsuspend(col: Collection, pks: Iterable[int]) -> int:
    """Unsuspend cards.

    Returns:
        How many cards were suspended before.
    """
    return _update_many(col, "UPDATE schedule SET suspended = 0 WHERE suspended = 1", pks)


def bury(col: Collection, pk: int, now: datetime, settings: Settings) -> None:
    """Bury a card until the next study day.

    Raises:
        CardNotFoundError: when there is no such card.
    """
    tomorrow = (clock.study_day(now, settings.rollover_hour) + timedelta(days=1)).isoformat()
    with col.transaction() as conn:
        cur = conn.execute("UPDATE schedule SET buried_until = ? WHERE card_pk = ?", (tomorrow, pk))
        if cur.rowcount == 0:
            raise CardNotFoundError(N_("no card with key {pk} in the collection"), pk=pk)


def set_buried(col: Collection, pk: int, until: str | None) -> None:
    """Set a card's ``buried_until`` (a study day, or None: not buried); undoing a bury restores it this way.

    Raises:
        CardNotFoundError: when there is no such card.
    """
    with col.transaction() as conn:
        cur = conn.execute("UPDATE schedule SET buried_until = ? WHERE card_pk = ?", (until, pk))
        if cur.rowcount == 0:
            raise CardNotFoundError(N_("no card with key {pk} in the collection"), pk=pk)


def forget(col: Collection, pks: Iterable[int], now: datetime) -> int:
    """Reset cards to new: their memory state, counters and leech flag go; their review history stays.

    Args:
        col: the collection.
        pks: the cards.
        now: the current time (the reset itself needs none; kept so every service takes the clock).

    Returns:
        How many cards were reset.
    """
    del now
    return _update_many(
        col,
        """UPDATE schedule SET state = 0, step = NULL, stability = NULL, difficulty = NULL, due = NULL,
                  last_review = NULL, due_day = NULL, reps = 0, lapses = 0, leech = 0,
                  buried_until = NULL
           WHERE 1""",
        pks,
    )
