"""The SQL behind ``cvquiz stats``, ``optimize`` and ``simulate``: aggregates over the review log and the schedule.

Every function runs one query that SQLite answers with an index range or a single scan, and returns plain
tuples or lists (`cvquiz.stats` turns them into arrays). Nothing here loops over review rows in Python.

A `Scope` limits a query to some decks (ids or id prefixes, as ``--deck`` takes them); the empty scope is the
whole collection, and then the review-log queries do not touch the cards table at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "MATURE_DAYS",
    "CardCounts",
    "Scope",
    "again_counts",
    "card_counts",
    "compute_accuracy",
    "day_counts",
    "deck_names",
    "due_days",
    "memory_rows",
    "rating_counts",
    "retention_counts",
    "review_durations",
    "studied_cards",
    "training_reviews",
    "wrong_compute_answers",
]

MATURE_DAYS = 21
"""A review card whose current interval is at least this many days is mature (Anki's threshold)."""

_DAY_MS = 86_400_000
_LIVE = "c.active = 1 AND s.suspended = 0"


@dataclass(frozen=True)
class Scope:
    """Which decks a statistic covers.

    Attributes:
        decks: deck ids or id prefixes (``cv/`` or ``act``); empty means every deck.
    """

    decks: tuple[str, ...] = ()

    def sql(self, params: dict[str, Any], alias: str = "c") -> str:
        """Return a WHERE clause on ``{alias}.deck_id`` for this scope (``1`` for every deck).

        Args:
            params: the query's named parameters; the clause's values are added to it.
            alias: the alias of the cards table in the query.
        """
        if not self.decks:
            return "1"
        parts = []
        for i, deck in enumerate(self.decks):
            params[f"scope{i}"] = deck
            params[f"scopep{i}"] = _escape_like(deck) + "%"
            parts.append(
                f"{alias}.deck_id = :scope{i} OR {alias}.deck_id LIKE :scopep{i} ESCAPE '\\'"
            )
        return "(" + " OR ".join(parts) + ")"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _reviews_from(scope: Scope, params: dict[str, Any]) -> tuple[str, str]:
    """Return the FROM and WHERE of a review-log query: the bare log for the whole collection."""
    if not scope.decks:
        return "reviews r", "1"
    return "reviews r JOIN cards c ON c.pk = r.card_pk", scope.sql(params)


def day_counts(col: Collection, scope: Scope = Scope()) -> list[tuple[str, int]]:
    """Return (study day, reviews) for every study day with at least one review, oldest first.

    For the whole collection SQLite answers from the ``reviews(study_day)`` index alone.
    """
    params: dict[str, Any] = {}
    source, where = _reviews_from(scope, params)
    rows = col.conn.execute(
        f"SELECT r.study_day, COUNT(*) FROM {source} WHERE {where} "
        "GROUP BY r.study_day ORDER BY r.study_day",
        params,
    ).fetchall()
    return [(day, int(n)) for day, n in rows]


def retention_counts(
    col: Collection, firsts: Sequence[date], last: date, scope: Scope = Scope()
) -> list[tuple[int, int]]:
    """Return (passed, total) reviews of cards in the review state for each window ``first..last``.

    A review passes unless it is rated Again (Anki's "true retention"); (re)learning steps are left out.

    Args:
        col: the collection.
        firsts: the first study day of each window.
        last: the last study day of every window (today).
        scope: the decks.
    """
    if not firsts:
        return []
    params: dict[str, Any] = {"first": min(firsts).isoformat(), "last": last.isoformat()}
    source, where = _reviews_from(scope, params)
    columns = []
    for i, first in enumerate(firsts):
        params[f"f{i}"] = first.isoformat()
        columns.append(f"SUM(r.study_day >= :f{i} AND r.rating > 1), SUM(r.study_day >= :f{i})")
    row = col.conn.execute(
        f"""SELECT {", ".join(columns)} FROM {source}
            WHERE r.study_day BETWEEN :first AND :last AND r.state_before = 2 AND {where}""",
        params,
    ).fetchone()
    return [(int(row[2 * i] or 0), int(row[2 * i + 1] or 0)) for i in range(len(firsts))]


def memory_rows(col: Collection, scope: Scope = Scope()) -> list[tuple[float, int]]:
    """Return (stability, last review ms) of every active, unsuspended card in the review state."""
    params: dict[str, Any] = {}
    return col.conn.execute(
        f"""SELECT s.stability, s.last_review FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE s.state = 2 AND {_LIVE} AND {scope.sql(params)}""",
        params,
    ).fetchall()


def due_days(col: Collection, last: date, scope: Scope = Scope()) -> list[str]:
    """Return the due study day of every active, unsuspended studied card due on or before ``last``."""
    params: dict[str, Any] = {"last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT s.due_day FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE s.state IN (1, 2, 3) AND s.due_day <= :last AND {_LIVE} AND {scope.sql(params)}""",
        params,
    ).fetchall()
    return [day for (day,) in rows]


@dataclass(frozen=True)
class CardCounts:
    """How the active cards of one deck or one set of tags stand.

    The first five counts split the cards: a suspended card counts only as suspended. Leeches overlap them.

    Attributes:
        key: the deck id, or the tag string (``" a b "``) shared by these cards.
        new: never studied.
        learning: in (re)learning steps.
        young: in review with an interval under `MATURE_DAYS` days.
        mature: in review with an interval of at least `MATURE_DAYS` days.
        suspended: suspended (by hand or as leeches).
        leeches: flagged as leeches.
    """

    key: str
    new: int
    learning: int
    young: int
    mature: int
    suspended: int
    leeches: int

    @property
    def cards(self) -> int:
        """Every active card."""
        return self.new + self.learning + self.young + self.mature + self.suspended


def card_counts(col: Collection, by: str, scope: Scope = Scope()) -> list[CardCounts]:
    """Return the card counts of every deck (``by="deck"``) or every distinct tag string (``by="tags"``).

    One pass over the schedule joined with the cards; the caller splits tag strings into tags (there are
    far fewer distinct tag strings than cards).

    Raises:
        ValueError: for another ``by``.
    """
    key = {"deck": "c.deck_id", "tags": "c.tags"}.get(by)
    if key is None:
        raise ValueError(f"by must be 'deck' or 'tags', not {by!r}")
    params: dict[str, Any] = {"mature": MATURE_DAYS * _DAY_MS}
    rows = col.conn.execute(
        f"""SELECT {key},
                   SUM(s.suspended = 0 AND s.state = 0),
                   SUM(s.suspended = 0 AND s.state IN (1, 3)),
                   SUM(s.suspended = 0 AND s.state = 2 AND s.due - s.last_review < :mature),
                   SUM(s.suspended = 0 AND s.state = 2 AND s.due - s.last_review >= :mature),
                   SUM(s.suspended),
                   SUM(s.leech)
            FROM cards c JOIN schedule s ON s.card_pk = c.pk
            WHERE c.active = 1 AND {scope.sql(params)}
            GROUP BY {key} ORDER BY {key}""",
        params,
    ).fetchall()
    return [CardCounts(k, *(int(v or 0) for v in rest)) for k, *rest in rows]


def again_counts(
    col: Collection, first: date, last: date, by: str, scope: Scope = Scope()
) -> list[tuple[str, int, int]]:
    """Return (deck id or tag string, Again, reviews) over study days ``first..last``.

    Raises:
        ValueError: for a ``by`` other than ``deck`` or ``tags``.
    """
    key = {"deck": "c.deck_id", "tags": "c.tags"}.get(by)
    if key is None:
        raise ValueError(f"by must be 'deck' or 'tags', not {by!r}")
    params: dict[str, Any] = {"first": first.isoformat(), "last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT {key}, SUM(r.rating = 1), COUNT(*)
            FROM reviews r JOIN cards c ON c.pk = r.card_pk
            WHERE r.study_day BETWEEN :first AND :last AND {scope.sql(params)}
            GROUP BY {key}""",
        params,
    ).fetchall()
    return [(k, int(again or 0), int(n)) for k, again, n in rows]


def deck_names(col: Collection) -> dict[str, str]:
    """Return every deck's display name by id."""
    return dict(col.conn.execute("SELECT id, name FROM decks").fetchall())


def compute_accuracy(
    col: Collection, first: date, last: date, scope: Scope = Scope()
) -> list[tuple[str, int, int]]:
    """Return (generator, correct, answered) for compute-card answers judged over study days ``first..last``."""
    params: dict[str, Any] = {"first": first.isoformat(), "last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT json_extract(c.content, '$.generator') AS g, SUM(r.correct), COUNT(*)
            FROM reviews r JOIN cards c ON c.pk = r.card_pk
            WHERE r.study_day BETWEEN :first AND :last AND r.correct IS NOT NULL
              AND c.type = 'compute' AND {scope.sql(params)}
            GROUP BY g ORDER BY g""",
        params,
    ).fetchall()
    return [(str(g), int(ok or 0), int(n)) for g, ok, n in rows if g is not None]


def wrong_compute_answers(
    col: Collection, first: date, last: date, per_generator: int, scope: Scope = Scope()
) -> list[tuple[str, str, int | None, str | None]]:
    """Return the latest wrong compute answers of each generator over study days ``first..last``.

    Args:
        col: the collection.
        first: the first study day.
        last: the last study day.
        per_generator: at most this many answers per generator, newest first.
        scope: the decks.

    Returns:
        (generator, card content JSON, seed, typed answer) rows.
    """
    params: dict[str, Any] = {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "cap": per_generator,
    }
    rows = col.conn.execute(
        f"""SELECT g, content, seed, answer FROM (
                SELECT json_extract(c.content, '$.generator') AS g, c.content, r.seed, r.answer,
                       ROW_NUMBER() OVER (PARTITION BY json_extract(c.content, '$.generator')
                                          ORDER BY r.reviewed_at DESC, r.id DESC) AS n
                FROM reviews r JOIN cards c ON c.pk = r.card_pk
                WHERE r.study_day BETWEEN :first AND :last AND r.correct = 0
                  AND c.type = 'compute' AND {scope.sql(params)})
            WHERE n <= :cap AND g IS NOT NULL ORDER BY g, n""",
        params,
    ).fetchall()
    return [(str(g), content, seed, answer) for g, content, seed, answer in rows]


def training_reviews(col: Collection) -> list[tuple[int, str, int, int]]:
    """Return every review as (card key, study day, rating, state before), by card and then by time."""
    return col.conn.execute(
        """SELECT card_pk, study_day, rating, state_before FROM reviews
           ORDER BY card_pk, reviewed_at, id"""
    ).fetchall()


def rating_counts(col: Collection) -> tuple[list[int], list[int]]:
    """Return how often each rating was given to new cards (Again..Easy) and to passed review cards (Hard..Easy).

    Returns:
        ([again, hard, good, easy] of first reviews, [hard, good, easy] of review-state passes).
    """
    rows = col.conn.execute(
        """SELECT state_before, rating, COUNT(*) FROM reviews
           WHERE state_before IN (0, 2) GROUP BY state_before, rating"""
    ).fetchall()
    first = [0, 0, 0, 0]
    passed = [0, 0, 0]
    for state, rating, n in rows:
        if state == 0 and 1 <= rating <= 4:
            first[rating - 1] += int(n)
        elif state == 2 and 2 <= rating <= 4:
            passed[rating - 2] += int(n)
    return first, passed


def review_durations(col: Collection, first: date, last: date) -> tuple[int, int]:
    """Return (reviews with a recorded duration, their total ms) over study days ``first..last``."""
    n, total = col.conn.execute(
        """SELECT COUNT(duration_ms), SUM(duration_ms) FROM reviews
           WHERE study_day BETWEEN ? AND ?""",
        (first.isoformat(), last.isoformat()),
    ).fetchone()
    return int(n or 0), int(total or 0)


def studied_cards(
    col: Collection, scope: Scope = Scope()
) -> tuple[list[tuple[int, float, float, int, str, int]], int]:
    """Return what a simulation starts from: every active, unsuspended studied card, and the new-card count.

    Returns:
        ((state, stability, difficulty, last review ms, due study day, lapses) rows, new cards).
    """
    params: dict[str, Any] = {}
    where = f"{_LIVE} AND {scope.sql(params)}"
    rows = col.conn.execute(
        f"""SELECT s.state, s.stability, s.difficulty, s.last_review, s.due_day, s.lapses
            FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE s.state IN (1, 2, 3) AND s.stability IS NOT NULL AND {where}""",
        params,
    ).fetchall()
    (new,) = col.conn.execute(
        f"""SELECT COUNT(*) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE s.state = 0 AND {where}""",
        params,
    ).fetchone()
    return rows, int(new)
