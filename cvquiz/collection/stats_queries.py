"""The SQL behind ``cvquiz stats``, ``optimize`` and ``simulate``: aggregates over the review log and the schedule.

Every function runs one query and returns plain tuples (`cvquiz.stats` turns them into arrays); nothing here
loops over review rows in Python. The review log is read from the covering index
``reviews(study_day, state_before, rating, card_pk, correct)`` only, and grouped inside SQLite: per study day,
or per card and then per deck and tag string, so a query over a million reviews returns a few hundred rows.

A `Scope` limits a query to some decks (as ``--deck`` names them, nested decks included); the empty scope is the
whole collection, and then no query joins the review log or the schedule to the cards table row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cvquiz.collection import activity, filters

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "MATURE_DAYS",
    "CardCounts",
    "Scope",
    "answer_counts",
    "card_counts",
    "compute_accuracy",
    "day_summary",
    "deck_names",
    "due_counts",
    "memory_rows",
    "rating_counts",
    "studied_cards",
    "study_days",
    "training_reviews",
    "unmatched_decks",
    "wrong_compute_answers",
]

MATURE_DAYS = 21
"""A review card whose current interval is at least this many days is mature (Anki's threshold)."""

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class Scope:
    """Which decks a statistic covers.

    Attributes:
        decks: deck ids; each also covers the decks nested under it (``cv`` or ``cv/`` covers ``cv/conv``,
            not ``cvx``), as the study queue does. Empty means every deck.
    """

    decks: tuple[str, ...] = ()

    def cards(self, params: dict[str, Any], column: str, col: Collection | None = None) -> str:
        """Return a WHERE clause keeping rows whose ``column`` (a card key) is a card in scope (``1``: all)."""
        if not self.decks:
            return "1"
        return f"{column} IN (SELECT c.pk FROM cards c WHERE {self.sql(params, 'c', col)})"

    def sql(self, params: dict[str, Any], alias: str = "c", col: Collection | None = None) -> str:
        """Return a WHERE clause on ``{alias}.deck_id`` for this scope (``1`` for every deck).

        Decks are matched by `cvquiz.collection.filters` (ids and display names, nested decks, retired decks
        included: their history counts).

        Args:
            params: the query's named parameters; the clause's values are added to it.
            alias: the alias of the cards table in the query.
            col: the collection (needed to resolve the decks).
        """
        if not self.decks:
            return "1"
        assert col is not None, "a scope over some decks needs the collection to resolve them"
        return filters.where(
            col.conn, filters.CardFilter(decks=self.decks), params, alias, retired=True
        )


def day_summary(
    col: Collection, first: date, scope: Scope = Scope()
) -> list[tuple[str, int, int, int]]:
    """Return the review log from study day ``first`` on, counted by (study day, state before, rating).

    One pass over a range of the covering index; the heatmap and true retention are sums of these rows.

    Returns:
        (study day, state before, rating, reviews) rows, oldest day first.
    """
    params: dict[str, Any] = {"first": first.isoformat()}
    rows = col.conn.execute(
        f"""SELECT study_day, state_before, rating, COUNT(*) FROM reviews
            WHERE study_day >= :first AND cram = 0 AND {scope.cards(params, "card_pk", col)}
            GROUP BY study_day, state_before, rating ORDER BY study_day""",
        params,
    ).fetchall()
    return [(day, int(state), int(rating), int(n)) for day, state, rating, n in rows]


def study_days(col: Collection, scope: Scope = Scope()) -> list[str]:
    """Return every study day with a review, oldest first.

    For the whole collection see `cvquiz.collection.activity.study_days`; for some decks, one pass over their
    reviews.
    """
    if not scope.decks:
        return activity.study_days(col)
    params: dict[str, Any] = {}
    rows = col.conn.execute(
        f"""SELECT DISTINCT study_day FROM reviews WHERE {scope.cards(params, "card_pk", col)}
            ORDER BY study_day""",
        params,
    ).fetchall()
    return [day for (day,) in rows]


def memory_rows(col: Collection, scope: Scope = Scope()) -> list[tuple[float, int]]:
    """Return (stability, last review ms) of every active, unsuspended card in the review state."""
    params: dict[str, Any] = {}
    return col.conn.execute(
        f"""SELECT s.stability, s.last_review FROM schedule s
            WHERE s.state = 2 AND {activity.live(col)} AND {scope.cards(params, "s.card_pk", col)}""",
        params,
    ).fetchall()


def due_counts(
    col: Collection, first: date, last: date, scope: Scope = Scope()
) -> list[tuple[str, int]]:
    """Return how many active, unsuspended studied cards fall due on each study day ``first..last``.

    Overdue cards count on ``first``; days without cards are left out.
    """
    params: dict[str, Any] = {"first": first.isoformat(), "last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT MAX(s.due_day, :first) AS day, COUNT(*) FROM schedule s
            WHERE s.state IN (1, 2, 3) AND s.due_day <= :last AND {activity.live(col)}
              AND {scope.cards(params, "s.card_pk", col)}
            GROUP BY day ORDER BY day""",
        params,
    ).fetchall()
    return [(day, int(n)) for day, n in rows]


@dataclass(frozen=True)
class CardCounts:
    """How the active cards of one deck or one set of tags stand.

    The first five counts split the cards: a suspended card counts only as suspended. Leeches overlap them.

    Attributes:
        deck: the deck id of these cards.
        tags: the tag string (``" a b "``) they share.
        new: never studied.
        learning: in (re)learning steps.
        young: in review with an interval under `MATURE_DAYS` days.
        mature: in review with an interval of at least `MATURE_DAYS` days.
        suspended: suspended (by hand or as leeches).
        leeches: flagged as leeches.
    """

    deck: str
    tags: str
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


def card_counts(col: Collection, scope: Scope = Scope()) -> list[CardCounts]:
    """Return the card counts of every (deck, tag string) pair, in one pass over cards and schedule.

    The caller adds them up per deck and splits tag strings into tags (there are far fewer distinct tag
    strings than cards).
    """
    params: dict[str, Any] = {"mature": MATURE_DAYS * _DAY_MS}
    rows = col.conn.execute(
        f"""SELECT c.deck_id, c.tags,
                   SUM(s.suspended = 0 AND s.state = 0),
                   SUM(s.suspended = 0 AND s.state IN (1, 3)),
                   SUM(s.suspended = 0 AND s.state = 2 AND s.due - s.last_review < :mature),
                   SUM(s.suspended = 0 AND s.state = 2 AND s.due - s.last_review >= :mature),
                   SUM(s.suspended),
                   SUM(s.leech)
            FROM cards c JOIN schedule s ON s.card_pk = c.pk
            WHERE c.active = 1 AND {scope.sql(params, "c", col)}
            GROUP BY c.deck_id, c.tags""",
        params,
    ).fetchall()
    return [CardCounts(deck, tags, *(int(v or 0) for v in rest)) for deck, tags, *rest in rows]


def answer_counts(
    col: Collection, first: date, last: date, scope: Scope = Scope()
) -> list[tuple[str, str, int, int]]:
    """Return (deck id, tag string, Again, reviews) over study days ``first..last``.

    The reviews are counted per card from the index, then per (deck, tag string): one card row per card
    reviewed in the period, not one per review.
    """
    params: dict[str, Any] = {"first": first.isoformat(), "last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT c.deck_id, c.tags, SUM(x.again), SUM(x.n)
            FROM (SELECT card_pk, SUM(rating = 1) AS again, COUNT(*) AS n FROM reviews
                  WHERE study_day BETWEEN :first AND :last AND cram = 0 GROUP BY card_pk) x
            JOIN cards c ON c.pk = x.card_pk
            WHERE {scope.sql(params, "c", col)}
            GROUP BY c.deck_id, c.tags""",
        params,
    ).fetchall()
    return [(deck, tags, int(again or 0), int(n)) for deck, tags, again, n in rows]


def unmatched_decks(col: Collection, scope: Scope) -> list[str]:
    """Return the entries of ``scope`` that match no deck (by id or display name, nested decks included)."""
    return [want for want in scope.decks if not filters.deck_ids(col.conn, [want], retired=True)]


def deck_names(col: Collection) -> dict[str, str]:
    """Return every deck's display name by id."""
    return dict(col.conn.execute("SELECT id, name FROM decks").fetchall())


def compute_accuracy(
    col: Collection, first: date, last: date, scope: Scope = Scope()
) -> list[tuple[str, int, int]]:
    """Return (generator, correct, answered) for compute-card answers judged over study days ``first..last``."""
    params: dict[str, Any] = {"first": first.isoformat(), "last": last.isoformat()}
    rows = col.conn.execute(
        f"""SELECT json_extract(c.content, '$.generator') AS g, SUM(x.ok), SUM(x.n)
            FROM (SELECT card_pk, SUM(correct) AS ok, COUNT(*) AS n FROM reviews
                  WHERE study_day BETWEEN :first AND :last AND correct IS NOT NULL AND cram = 0
                  GROUP BY card_pk) x
            JOIN cards c ON c.pk = x.card_pk
            WHERE c.type = 'compute' AND {scope.sql(params, "c", col)}
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
                WHERE r.study_day BETWEEN :first AND :last AND r.correct = 0 AND r.cram = 0
                  AND c.type = 'compute' AND {scope.sql(params, "c", col)})
            WHERE n <= :cap AND g IS NOT NULL ORDER BY g, n""",
        params,
    ).fetchall()
    return [(str(g), content, seed, answer) for g, content, seed, answer in rows]


def training_reviews(col: Collection) -> list[tuple[int, str, int, int]]:
    """Return every review as (card key, study day, rating, state before), by card and then by time."""
    return col.conn.execute(
        """SELECT card_pk, study_day, rating, state_before FROM reviews WHERE cram = 0
           ORDER BY card_pk, reviewed_at, id"""
    ).fetchall()


def rating_counts(col: Collection) -> tuple[list[int], list[int]]:
    """Return how often each rating was given to new cards (Again..Easy) and to passed review cards (Hard..Easy).

    Returns:
        ([again, hard, good, easy] of first reviews, [hard, good, easy] of review-state passes).
    """
    rows = col.conn.execute(
        """SELECT state_before, rating, COUNT(*) FROM reviews
           WHERE state_before IN (0, 2) AND cram = 0 GROUP BY state_before, rating"""
    ).fetchall()
    first = [0, 0, 0, 0]
    passed = [0, 0, 0]
    for state, rating, n in rows:
        if state == 0 and 1 <= rating <= 4:
            first[rating - 1] += int(n)
        elif state == 2 and 2 <= rating <= 4:
            passed[rating - 2] += int(n)
    return first, passed


def studied_cards(
    col: Collection, scope: Scope = Scope()
) -> tuple[list[tuple[int, float, float, int, str, int]], int]:
    """Return what a simulation starts from: every active, unsuspended studied card, and the new-card count.

    Returns:
        ((state, stability, difficulty, last review ms, due study day, lapses) rows, new cards).
    """
    params: dict[str, Any] = {}
    where = f"{activity.live(col)} AND {scope.sql(params, 'c', col)}"
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
