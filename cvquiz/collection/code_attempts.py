"""The SQL of code-card attempts: recording each judged submission, reading a card's attempts, counting them.

An attempt is written in its own transaction the moment it is judged (in the drill, before the card is rated;
with ``cvquiz try``, before the command prints), so no attempt is lost to a crash or Ctrl-C afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.collection.stats_queries import Scope

__all__ = [
    "Attempt",
    "AttemptCounts",
    "NewAttempt",
    "attempt_counts",
    "attempts_of",
    "card_content",
    "last_code",
    "record_attempt",
]


@dataclass(frozen=True)
class NewAttempt:
    """An attempt to record.

    Attributes:
        card_pk: the review card.
        attempted_at: when it was judged, in ms since the epoch.
        study_day: the study day (ISO date) it belongs to.
        source: ``"drill"`` or ``"try"``.
        code: the submission.
        passed: every case passed.
        cases: cases in the set.
        failed: cases that failed.
        kind: why it failed (a `cvquiz.codecards.compare.FailureKind` value), None when it passed.
        summary: the one-line verdict.
        seconds: how long judging took.
    """

    card_pk: int
    attempted_at: int
    study_day: str
    source: str
    code: str
    passed: bool
    cases: int
    failed: int
    kind: str | None
    summary: str
    seconds: float


@dataclass(frozen=True)
class Attempt:
    """A recorded attempt (the fields of `NewAttempt`, and its id)."""

    id: int
    card_pk: int
    attempted_at: int
    study_day: str
    source: str
    code: str
    passed: bool
    cases: int
    failed: int
    kind: str | None
    summary: str
    seconds: float


def record_attempt(col: Collection, attempt: NewAttempt) -> int:
    """Write one attempt (committed before this returns) and return its id."""
    with col.transaction() as conn:
        cursor = conn.execute(
            """INSERT INTO code_attempts (card_pk, attempted_at, study_day, source, code, passed, cases,
                                          failed, kind, summary, seconds)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                attempt.card_pk,
                attempt.attempted_at,
                attempt.study_day,
                attempt.source,
                attempt.code,
                int(attempt.passed),
                attempt.cases,
                attempt.failed,
                attempt.kind,
                attempt.summary,
                attempt.seconds,
            ),
        )
        return int(cursor.lastrowid or 0)


def attempts_of(col: Collection, card_pks: Sequence[int]) -> list[Attempt]:
    """Every attempt at these review cards, oldest first."""
    if not card_pks:
        return []
    marks = ",".join("?" * len(card_pks))
    rows = col.conn.execute(
        f"""SELECT id, card_pk, attempted_at, study_day, source, code, passed, cases, failed, kind, summary,
                   seconds
            FROM code_attempts WHERE card_pk IN ({marks}) ORDER BY attempted_at, id""",
        tuple(card_pks),
    ).fetchall()
    return [
        Attempt(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], r[10], r[11])
        for r in rows
    ]


def card_content(col: Collection, card_pk: int) -> dict[str, Any] | None:
    """The deck entry of a review card as stored at the last sync (the JSON of `Card.to_data`)."""
    row = col.conn.execute("SELECT content FROM cards WHERE pk = ?", (card_pk,)).fetchone()
    if row is None:
        return None
    content: dict[str, Any] = json.loads(row[0])
    return content


def last_code(col: Collection, card_pk: int) -> str | None:
    """The code of the latest attempt at a review card, or None when there is none."""
    row = col.conn.execute(
        "SELECT code FROM code_attempts WHERE card_pk = ? ORDER BY attempted_at DESC, id DESC LIMIT 1",
        (card_pk,),
    ).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class AttemptCounts:
    """Code-card attempts in a period.

    Attributes:
        attempts: attempts judged.
        passed: of those, passing every case.
        cards: distinct cards attempted.
        kinds: (failure kind, attempts) of the failed ones, most common first.
    """

    attempts: int
    passed: int
    cards: int
    kinds: tuple[tuple[str, int], ...]


def attempt_counts(col: Collection, first: date, last: date, scope: Scope) -> AttemptCounts:
    """Count the attempts of the study days ``first``..``last`` (both included) at cards in ``scope``."""
    params: dict[str, object] = {"first": first.isoformat(), "last": last.isoformat()}
    where = f"study_day BETWEEN :first AND :last AND {scope.cards(params, 'card_pk', col)}"
    attempts, passed, cards = col.conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(passed), 0), COUNT(DISTINCT card_pk) FROM code_attempts WHERE {where}",
        params,
    ).fetchone()
    kinds = col.conn.execute(
        f"""SELECT kind, COUNT(*) AS n FROM code_attempts WHERE {where} AND passed = 0
            GROUP BY kind ORDER BY n DESC, kind""",
        params,
    ).fetchall()
    return AttemptCounts(
        int(attempts), int(passed), int(cards), tuple((str(k), int(n)) for k, n in kinds)
    )
