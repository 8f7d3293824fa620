"""Scheduling in the collection: today's queue, recording and undoing reviews, suspend/bury/forget.

Every function takes an open `Collection` and the current time; nothing reads the clock. The queue follows
Anki's order: (re)learning cards whose time has come, then review cards due today (most overdue first, or
lowest retrievability first), then new cards in deck order, then (re)learning cards due within the learn-ahead
window. Daily limits count what the review log says was studied today, so a second drill continues the day.
Each query walks an index (``schedule(state, due)``, ``schedule(state, due_day)``, ``cards(active, position)``,
``reviews(study_day)``); recording a review reads and writes a handful of rows by primary key.

The memory model itself is py-fsrs', through `cvquiz.scheduler`.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Collection as Sized
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cvquiz import clock
from cvquiz.cardstate import DAY_MS, ReviewPlan, SchedState
from cvquiz.collection import filters, undo
from cvquiz.errors import CardNotFoundError, CvquizError
from cvquiz.model import Rating

if TYPE_CHECKING:
    from cvquiz.collection import Collection


class Settings(Protocol):
    """The settings the queue reads (`cvquiz.config.Settings` has them; the collection does not import it)."""

    @property
    def rollover_hour(self) -> int: ...
    @property
    def new_per_day(self) -> int: ...
    @property
    def reviews_per_day(self) -> int: ...
    @property
    def review_order(self) -> str: ...
    @property
    def new_order(self) -> str: ...
    @property
    def deck_limits(self) -> Mapping[str, Any]: ...
    def limit_key(self, deck_id: str) -> str | None: ...


__all__ = [
    "LEARN_AHEAD",
    "QueueCard",
    "QueueCounts",
    "QueueFilter",
    "ReviewOutcome",
    "bury",
    "card_by_pk",
    "forget",
    "learning_later_today",
    "next_card",
    "next_due",
    "queue_counts",
    "schedule_row",
    "set_buried",
    "studied_today",
    "suspend",
    "undo_review",
    "unsuspend",
    "write_review",
]

LEARN_AHEAD = timedelta(minutes=20)
"""When nothing else is left, (re)learning cards due this soon are shown early (Anki's learn-ahead limit)."""

_ROW_KEYS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "suspended",
    "buried_until",
    "leech",
    "due_day",
)
"""The columns of a schedule row besides its key: what a review's ``before``/``after`` JSON records."""


@dataclass(frozen=True)
class QueueCard:
    """One review card with what the drill needs to show and schedule it.

    Attributes:
        pk: the card's primary key in the collection.
        deck_id: its deck.
        card_id: its id in the deck file.
        ord: which side or cloze deletion (0 front, 1 reverse, N for cloze cN).
        type: the card type (``basic``, ``reversed``, ``cloze``, ``compute``).
        content: the deck entry as plain data (`cvquiz.model.Card.from_data` reads it).
        line: its line in the deck file.
        deck_path: the deck file, or None.
        sched: its scheduling state.
        suspended: suspended by the user or as a leech.
        leech: flagged as a leech.
        tags: its tags (own and deck's).
        deck_name: the deck's display name.
        buried_until: the study day it comes back if buried, else None.
    """

    pk: int
    deck_id: str
    card_id: str
    ord: int
    type: str
    content: dict[str, Any]
    line: int
    deck_path: str | None
    sched: SchedState
    suspended: bool
    leech: bool
    tags: tuple[str, ...] = ()
    deck_name: str = ""
    buried_until: str | None = None


@dataclass(frozen=True)
class QueueCounts:
    """How many cards are left today.

    Attributes:
        new: new cards the new-card limit still allows.
        learning: (re)learning cards due now or within the learn-ahead window.
        review: review cards due today that the review limit still allows.
    """

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        """All cards left today."""
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class QueueFilter:
    """Which cards a queue draws from.

    Attributes:
        decks: deck ids; each also covers the decks nested under it (``cv`` or ``cv/`` covers ``cv/conv``,
            not ``cvx``). Empty means every deck.
        tags: tags; a card matches one when it has the tag or a child of it (``a::b`` is under ``a``); the tag
            ``leech`` also matches cards flagged as leeches. Empty means every tag.
        new_limit: replaces the ``new_per_day`` setting for this queue (today's studied cards still count).
        limit: replaces the ``reviews_per_day`` setting for this queue (today's studied cards still count).
        new_order: replaces the ``new_order`` setting: ``interleave`` (new cards alternate across decks),
            ``deck`` (deck by deck, in file order) or ``random`` (shuffled, the same all day).
        ahead_days: also serve review cards due in the next this many days (custom study "review ahead").
        forgotten_days: only cards rated Again in the last this many study days, due or not (custom study
            "review forgotten cards"); None: no such restriction.
        states: only cards in these states (`cvquiz.collection.filters.STATES`); empty: every state.
        cram: every card the filter selects, due or not and past any limit, in deck order (custom study
            "cram": the reviews are logged as cram and leave the schedule as it was).
    """

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    new_limit: int | None = None
    limit: int | None = None
    new_order: str | None = None
    ahead_days: int = 0
    forgotten_days: int | None = None
    states: tuple[str, ...] = ()
    cram: bool = False


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


# --- reading cards -------------------------------------------------------------------------------------

_CARD_SQL = """
    SELECT c.pk, c.deck_id, c.card_id, c.ord, c.type, c.content, c.line, c.tags,
           d.path, d.name,
           s.state, s.step, s.stability, s.difficulty, s.due, s.last_review, s.reps, s.lapses,
           s.suspended, s.leech, s.buried_until
    FROM cards c
    JOIN schedule s ON s.card_pk = c.pk
    LEFT JOIN decks d ON d.id = c.deck_id
    WHERE c.pk = ?
"""


def card_by_pk(col: Collection, pk: int) -> QueueCard:
    """Return one card with its scheduling state.

    Args:
        col: the collection.
        pk: the card's primary key.

    Raises:
        CardNotFoundError: when there is no such card.
    """
    row = col.conn.execute(_CARD_SQL, (pk,)).fetchone()
    if row is None:
        raise CardNotFoundError(f"no card with key {pk} in the collection")
    (pk_, deck_id, card_id, ord_, type_, content, line, tags, path, name, *sched) = row
    names = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
    return QueueCard(
        pk=pk_,
        deck_id=deck_id,
        card_id=card_id,
        ord=ord_,
        type=type_,
        content=json.loads(content),
        line=line,
        deck_path=path,
        sched=SchedState.from_row(dict(zip(names, sched[:8], strict=True))),
        suspended=bool(sched[8]),
        leech=bool(sched[9]),
        tags=tuple(tags.split()),
        deck_name=name or deck_id,
        buried_until=sched[10],
    )


def schedule_row(col: Collection, pk: int) -> dict[str, Any]:
    """Return a card's whole schedule row (every column but the key) as a dict.

    Raises:
        CardNotFoundError: when the card has no schedule row.
    """
    cur = col.conn.execute(f"SELECT {', '.join(_ROW_KEYS)} FROM schedule WHERE card_pk = ?", (pk,))
    row = cur.fetchone()
    if row is None:
        raise CardNotFoundError(f"no card with key {pk} in the collection")
    return dict(zip(_ROW_KEYS, row, strict=True))


# --- the queue -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """Decks that share one daily limit: an override key's decks, or every other deck (key None)."""

    key: str | None
    decks: tuple[str, ...]
    new_left: int
    review_left: int


@dataclass(frozen=True)
class _Day:
    """Everything a queue query needs about today: the time, the day, the filter and the limits left."""

    now_ms: int
    today: str
    where: str
    params: dict[str, Any]
    new_left: int
    review_left: int
    groups: tuple[_Group, ...]
    grouped: tuple[str, ...]  # every deck under an override
    studied: dict[str, tuple[int, int]]  # per deck, new and review cards studied today
    flt: QueueFilter


def check_deck_filter(
    col: Collection, decks: Iterable[str], tags: Iterable[str] = (), states: Iterable[str] = ()
) -> None:
    """Refuse deck or tag filters that match nothing (see `cvquiz.collection.filters.check`).

    Raises:
        UnknownFilterError: naming each filter that matches nothing, with the closest deck id or tag.
    """
    filters.check(
        col.conn, filters.CardFilter(decks=tuple(decks), tags=tuple(tags), states=tuple(states))
    )


def _filter_sql(col: Collection, flt: QueueFilter, params: dict[str, Any]) -> list[str]:
    if not (flt.decks or flt.tags or flt.states):
        return []
    return [filters.where(col.conn, filters.CardFilter(flt.decks, flt.tags, flt.states), params)]


def studied_today(col: Collection, now: datetime, rollover_hour: int) -> dict[str, tuple[int, int]]:
    """Return, per deck, how many new cards and review cards were studied today.

    A new card counts once, when it is first studied; a review card counts when a review of it in the
    review state is logged. (Re)learning reviews do not count toward either limit.

    Args:
        col: the collection.
        now: the current time.
        rollover_hour: the local hour study days start.

    Returns:
        ``{deck_id: (new, review)}`` for the decks studied today.
    """
    today = clock.study_day(now, rollover_hour).isoformat()
    rows = col.conn.execute(
        """SELECT c.deck_id, SUM(r.state_before = 0), SUM(r.state_before = 2)
           FROM reviews r JOIN cards c ON c.pk = r.card_pk
           WHERE r.study_day = ? AND r.cram = 0 GROUP BY c.deck_id""",
        (today,),
    ).fetchall()
    return {deck: (int(new or 0), int(rev or 0)) for deck, new, rev in rows}


def _day(
    col: Collection,
    now: datetime,
    settings: Settings,
    flt: QueueFilter,
    exclude: Sized[int] = (),
) -> _Day:
    today = clock.study_day(now, settings.rollover_hour).isoformat()
    params: dict[str, Any] = {"now": clock.to_ms(now), "today": today}
    clauses = [
        # Unary + keeps SQLite from walking cards(active, ...): every queue query starts from a schedule index.
        "+c.active = 1",
        "s.suspended = 0",
        "(s.buried_until IS NULL OR s.buried_until <= :today)",
        *_filter_sql(col, flt, params),
    ]
    params["review_until"] = (
        clock.study_day(now, settings.rollover_hour) + timedelta(days=flt.ahead_days)
    ).isoformat()
    if flt.forgotten_days is not None:
        first = clock.study_day(now, settings.rollover_hour) - timedelta(
            days=flt.forgotten_days - 1
        )
        params["forgot_from"] = first.isoformat()
        clauses.append(
            "s.state != 0 AND c.pk IN (SELECT card_pk FROM reviews"
            " WHERE study_day >= :forgot_from AND rating = 1)"
        )
    if exclude:
        params["exclude"] = json.dumps(sorted({int(pk) for pk in exclude}))
        clauses.append("c.pk NOT IN (SELECT value FROM json_each(:exclude))")
    studied = studied_today(col, now, settings.rollover_hour)
    new_cap = settings.new_per_day if flt.new_limit is None else flt.new_limit
    review_cap = settings.reviews_per_day if flt.limit is None else flt.limit
    new_left = max(new_cap - sum(n for n, _ in studied.values()), 0)
    review_left = max(review_cap - sum(r for _, r in studied.values()), 0)
    groups: list[_Group] = []
    grouped: list[str] = []
    if settings.deck_limits:
        members: dict[str, list[str]] = {}
        for (deck_id,) in col.conn.execute("SELECT id FROM decks"):
            key = settings.limit_key(deck_id)
            if key is not None:
                members.setdefault(key, []).append(deck_id)
        for key, decks in members.items():
            own = settings.deck_limits[key]
            new_done = sum(studied.get(d, (0, 0))[0] for d in decks)
            review_done = sum(studied.get(d, (0, 0))[1] for d in decks)
            groups.append(
                _Group(
                    key=key,
                    decks=tuple(decks),
                    new_left=new_left
                    if own.new_per_day is None
                    else min(new_left, max(own.new_per_day - new_done, 0)),
                    review_left=review_left
                    if own.reviews_per_day is None
                    else min(review_left, max(own.reviews_per_day - review_done, 0)),
                )
            )
            grouped.extend(decks)
    groups.append(_Group(None, (), new_left, review_left))
    return _Day(
        now_ms=params["now"],
        today=today,
        where=" AND ".join(clauses),
        params=params,
        new_left=new_left,
        review_left=review_left,
        groups=tuple(groups),
        grouped=tuple(grouped),
        studied=studied,
        flt=flt,
    )


def _blocked(day: _Day, kind: str) -> list[str]:
    """Return the decks whose group has used up today's ``kind`` ('new' or 'review') limit."""
    out: list[str] = []
    for group in day.groups:
        left = group.new_left if kind == "new" else group.review_left
        if left <= 0 and group.key is not None:
            out.extend(group.decks)
    return out


def _review_order(settings: Settings) -> str:
    if settings.review_order == "retrievability":
        # Lowest retrievability first: R falls as (whole days elapsed) / stability grows, the same whole
        # days py-fsrs counts; ties go to the most overdue.
        return "MAX((:now - s.last_review) / 86400000, 0) / s.stability DESC, s.due, c.pk"
    # by the study day a card fell due, then the instant: LIMIT 1 then sorts only the first day's cards
    return "s.due_day, s.due, c.pk"


def _first(col: Collection, where: str, params: dict[str, Any], order: str) -> int | None:
    row = col.conn.execute(
        f"""SELECT c.pk FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {where} ORDER BY {order} LIMIT 1""",
        params,
    ).fetchone()
    return None if row is None else int(row[0])


def _deck_clause(params: dict[str, Any], name: str, decks: Iterable[str], inside: bool) -> str:
    params[name] = json.dumps(list(decks))
    return f"c.deck_id {'IN' if inside else 'NOT IN'} (SELECT value FROM json_each(:{name}))"


def _next_limited(col: Collection, day: _Day, kind: str, settings: Settings) -> int | None:
    left = day.new_left if kind == "new" else day.review_left
    if left <= 0:
        return None
    params = dict(day.params)
    clauses = [day.where]
    blocked = _blocked(day, kind)
    if blocked:
        clauses.append(_deck_clause(params, "blocked", blocked, inside=False))
    if kind == "new":
        clauses.append("s.state = 0")
        new_order = day.flt.new_order or settings.new_order
        if new_order == "interleave":
            return _next_interleaved(col, day, " AND ".join(clauses), params)
        if new_order == "random":
            # a permutation of the keys that changes with the study day and holds all day
            seed = random.Random(f"new-order:{day.today}")
            params.update(mul=seed.randrange(1, _PRIME), add=seed.randrange(_PRIME))
            order = "(c.pk * :mul + :add) % 2147483647, c.pk"
        else:
            order = "c.position, c.ord, c.pk"
    else:
        clauses.append(_review_due(day))
        order = _review_order(settings)
    return _first(col, " AND ".join(clauses), params, order)


_PRIME = 2_147_483_647


def _review_due(day: _Day) -> str:
    if day.flt.forgotten_days is not None:
        return "s.state = 2"  # forgotten cards come back whether due or not
    return "s.state = 2 AND s.due_day <= :review_until"


def _next_interleaved(col: Collection, day: _Day, where: str, params: dict[str, Any]) -> int | None:
    """The first new card of the deck that introduced the fewest new cards today (then by deck order).

    New cards so alternate across decks, one from each in turn, as Anki's interleaved gathering does.
    """
    rows = col.conn.execute("SELECT id, position FROM decks WHERE active = 1").fetchall()
    decks = sorted(rows, key=lambda row: (day.studied.get(row[0], (0, 0))[0], row[1], row[0]))
    for deck_id, _position in decks:
        pk = _first(
            col,
            f"{where} AND c.deck_id = :one_deck",
            {**params, "one_deck": deck_id},
            "c.position, c.ord, c.pk",
        )
        if pk is not None:
            return pk
    return None


def next_card(
    col: Collection,
    now: datetime,
    settings: Settings,
    flt: QueueFilter = QueueFilter(),
    exclude: Sized[int] = (),
) -> QueueCard | None:
    """Return the card to study next, or None when nothing is left today.

    Order: (re)learning cards whose due time has come (earliest first); review cards due today within the
    review limit (most overdue first, or lowest retrievability first with ``review_order =
    "retrievability"``); new cards in deck order within the new-card limit; then (re)learning cards due
    within `LEARN_AHEAD`. Suspended cards, cards buried until a later day and ``exclude`` are skipped.

    Args:
        col: the collection.
        now: the current time.
        settings: limits, rollover hour and review order.
        flt: which decks/tags to draw from, and limit overrides.
        exclude: card keys to leave out (e.g. the card just shown).
    """
    day = _day(col, now, settings, flt, exclude)
    if flt.cram:
        pk = _first(col, day.where, day.params, "c.position, c.ord, c.pk")
        return None if pk is None else card_by_pk(col, pk)
    pk = _first_learning(col, day.where, day.params, day.now_ms)
    if pk is None:
        pk = _next_limited(col, day, "review", settings)
    if pk is None:
        pk = _next_limited(col, day, "new", settings)
    if pk is None:
        ahead = day.now_ms + int(LEARN_AHEAD.total_seconds() * 1000)
        pk = _first_learning(col, day.where, day.params, ahead)
    return None if pk is None else card_by_pk(col, pk)


def _first_learning(
    col: Collection, where: str, params: dict[str, Any], until_ms: int
) -> int | None:
    """The (re)learning card due first by ``until_ms``: one index seek per state, no sort of them all."""
    best: tuple[int, int] | None = None
    for state in (1, 3):
        row = col.conn.execute(
            f"""SELECT s.due, c.pk FROM schedule s JOIN cards c ON c.pk = s.card_pk
                WHERE {where} AND s.state = {state} AND s.due <= :until
                ORDER BY s.due, c.pk LIMIT 1""",
            {**params, "until": until_ms},
        ).fetchone()
        if row is not None and (best is None or (row[0], row[1]) < best):
            best = (int(row[0]), int(row[1]))
    return None if best is None else best[1]


def _count_limited(col: Collection, day: _Day, kind: str) -> int:
    total_left = day.new_left if kind == "new" else day.review_left
    if total_left <= 0:
        return 0
    state = "s.state = 0" if kind == "new" else _review_due(day)
    total = 0
    for group in day.groups:
        left = min(group.new_left if kind == "new" else group.review_left, total_left)
        if left <= 0:
            continue
        params = {**day.params, "cap": left}
        if group.key is None:
            scope = _deck_clause(params, "scope", day.grouped, inside=False) if day.grouped else "1"
        else:
            scope = _deck_clause(params, "scope", group.decks, inside=True)
        # LIMIT keeps the work proportional to the limit, not to the number of waiting cards.
        (count,) = col.conn.execute(
            f"""SELECT COUNT(*) FROM (SELECT 1 FROM schedule s JOIN cards c ON c.pk = s.card_pk
                WHERE {day.where} AND {state} AND {scope} LIMIT :cap)""",
            params,
        ).fetchone()
        total += count
    return min(total, total_left)


def queue_counts(
    col: Collection,
    now: datetime,
    settings: Settings,
    flt: QueueFilter = QueueFilter(),
    exclude: Sized[int] = (),
) -> QueueCounts:
    """Return how many new, (re)learning and review cards are left today, as `next_card` would serve them.

    Args:
        col: the collection.
        now: the current time.
        settings: limits and rollover hour.
        flt: which decks/tags to count, and limit overrides.
        exclude: card keys to leave out.
    """
    day = _day(col, now, settings, flt, exclude)
    if flt.cram:
        rows = col.conn.execute(
            f"""SELECT s.state IN (1, 3), s.state = 2, COUNT(*) FROM schedule s
                JOIN cards c ON c.pk = s.card_pk WHERE {day.where} GROUP BY 1, 2""",
            day.params,
        ).fetchall()
        by_kind = {(bool(learning), bool(review)): int(n) for learning, review, n in rows}
        return QueueCounts(
            new=by_kind.get((False, False), 0),
            learning=by_kind.get((True, False), 0),
            review=by_kind.get((False, True), 0),
        )
    params = {**day.params, "ahead": day.now_ms + int(LEARN_AHEAD.total_seconds() * 1000)}
    (learning,) = col.conn.execute(
        f"""SELECT COUNT(*) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {day.where} AND s.state IN (1, 3) AND s.due <= :ahead""",
        params,
    ).fetchone()
    return QueueCounts(
        new=_count_limited(col, day, "new"),
        learning=int(learning),
        review=_count_limited(col, day, "review"),
    )


def next_due(
    col: Collection,
    now: datetime,
    settings: Settings,
    flt: QueueFilter = QueueFilter(),
) -> tuple[datetime, int] | None:
    """Return when the next card becomes due after today's queue is done, and how many are due by then.

    The next moment is the earliest of: the next (re)learning card's due time; the start of the next study
    day on which review cards fall due; tomorrow's start when new cards wait behind today's limit.

    Args:
        col: the collection.
        now: the current time.
        settings: limits and rollover hour.
        flt: which decks/tags to look at.

    Returns:
        ``(when, count)``, or None when no card will ever be due (everything suspended, or no cards).
    """
    day = _day(col, now, settings, flt)
    rollover = settings.rollover_hour
    today = date.fromisoformat(day.today)
    tomorrow = clock.day_start(today + timedelta(days=1), rollover)
    candidates: list[datetime] = []
    (learn_due,) = col.conn.execute(
        f"""SELECT MIN(s.due) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {day.where} AND s.state IN (1, 3)""",
        day.params,
    ).fetchone()
    if learn_due is not None:
        candidates.append(max(clock.from_ms(learn_due), now))
    (review_day,) = col.conn.execute(
        f"""SELECT MIN(s.due_day) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {day.where} AND s.state = 2 AND s.due_day > :today""",
        day.params,
    ).fetchone()
    if review_day is not None:
        candidates.append(clock.day_start(date.fromisoformat(review_day), rollover))
    waiting_review = _first(
        col, f"{day.where} AND s.state = 2 AND s.due_day <= :today", day.params, "c.pk"
    )
    waiting_new = _first(col, f"{day.where} AND s.state = 0", day.params, "c.pk")
    if waiting_review is not None or waiting_new is not None:
        candidates.append(tomorrow)
    if not candidates:
        return None
    when = min(candidates)
    when_day = clock.study_day(when, rollover).isoformat()
    params = {**day.params, "when": clock.to_ms(when), "when_day": when_day}
    (count,) = col.conn.execute(
        f"""SELECT COUNT(*) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {day.where} AND ((s.state IN (1, 3) AND s.due <= :when)
                                   OR (s.state = 2 AND s.due_day <= :when_day))""",
        params,
    ).fetchone()
    if when >= tomorrow and waiting_new is not None:
        (new,) = col.conn.execute(
            f"""SELECT COUNT(*) FROM (SELECT 1 FROM schedule s JOIN cards c ON c.pk = s.card_pk
                WHERE {day.where} AND s.state = 0 LIMIT :cap)""",
            {**day.params, "cap": settings.new_per_day if flt.new_limit is None else flt.new_limit},
        ).fetchone()
        count += new
    return when, int(count)


def learning_later_today(
    col: Collection, now: datetime, settings: Settings, flt: QueueFilter = QueueFilter()
) -> tuple[int, datetime | None]:
    """Return how many (re)learning cards fall due later in today's study day, and when the first does.

    Args:
        col: the collection.
        now: the current time.
        settings: the rollover hour.
        flt: which decks/tags to look at.
    """
    day = _day(col, now, settings, flt)
    end = clock.day_start(date.fromisoformat(day.today) + timedelta(days=1), settings.rollover_hour)
    count, first = col.conn.execute(
        f"""SELECT COUNT(*), MIN(s.due) FROM schedule s JOIN cards c ON c.pk = s.card_pk
            WHERE {day.where} AND s.state IN (1, 3) AND s.due > :now AND s.due < :end""",
        {**day.params, "end": clock.to_ms(end)},
    ).fetchone()
    return int(count), None if first is None else clock.from_ms(int(first))


# --- recording and undoing reviews ---------------------------------------------------------------------


_UPDATE_SQL = (
    "UPDATE schedule SET "
    + ", ".join(f"{k} = :{k}" for k in _ROW_KEYS)
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
        new = {k: plan.row[k] for k in _ROW_KEYS}
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
        CvquizError: when there is no such review, when it is not the card's latest review, or when the
            card was reset since.
    """
    with col.transaction() as conn:
        row = conn.execute(
            "SELECT card_pk, before, after FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        if row is None:
            raise CvquizError(f"there is no review #{review_id} to undo")
        pk, before_json, after_json = row
        (latest,) = conn.execute(
            "SELECT id FROM reviews WHERE card_pk = ? ORDER BY reviewed_at DESC, id DESC LIMIT 1",
            (pk,),
        ).fetchone()
        if latest != review_id:
            raise CvquizError(
                f"review #{review_id} is not the latest review of its card (#{latest} is); "
                "undo the later one first"
            )
        current = SchedState.from_row(schedule_row(col, pk))
        if current != SchedState.from_json(after_json):
            raise CvquizError(
                f"review #{review_id} can no longer be undone: its card was rescheduled since"
            )
        before = json.loads(before_json)
        siblings = before.pop("siblings", {})
        conn.execute(_UPDATE_SQL, {**{k: before[k] for k in _ROW_KEYS}, "card_pk": pk})
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
            raise CardNotFoundError(f"no card with key {pk} in the collection")


def set_buried(col: Collection, pk: int, until: str | None) -> None:
    """Set a card's ``buried_until`` (a study day, or None: not buried); undoing a bury restores it this way.

    Raises:
        CardNotFoundError: when there is no such card.
    """
    with col.transaction() as conn:
        cur = conn.execute("UPDATE schedule SET buried_until = ? WHERE card_pk = ?", (until, pk))
        if cur.rowcount == 0:
            raise CardNotFoundError(f"no card with key {pk} in the collection")


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


# --- bulk reads for status, forecast and stats -----------------------------------------------------------

# Retired cards are few: leaving them out by key keeps the big reads inside schedule's covering index.
_LIVE = "s.suspended = 0 AND s.card_pk NOT IN (SELECT pk FROM cards WHERE active = 0)"


@dataclass(frozen=True)
class DayActivity:
    """What the review log says about one study day.

    Attributes:
        reviews: reviews logged.
        cards: distinct cards reviewed.
        again: reviews rated Again.
        time_ms: time spent, summed over the reviews that recorded it.
        cram: of the reviews, those of custom-study cramming (``drill --cram``), which left the schedule as it
            was (statistics and retention leave them out).
    """

    reviews: int
    cards: int
    again: int
    time_ms: int
    cram: int = 0


def day_activity(col: Collection, day: date) -> DayActivity:
    """Return the review log's totals for one study day (an index range on ``reviews(study_day)``)."""
    reviews, cards, again, time_ms, cram = col.conn.execute(
        """SELECT COUNT(*), COUNT(DISTINCT card_pk), SUM(rating = 1), SUM(duration_ms), SUM(cram)
           FROM reviews WHERE study_day = ?""",
        (day.isoformat(),),
    ).fetchone()
    return DayActivity(int(reviews), int(cards), int(again or 0), int(time_ms or 0), int(cram or 0))


def review_retention(col: Collection, first: date, last: date) -> tuple[int, int]:
    """Return (passed, total) reviews of cards in the review state over study days ``first..last``.

    This is Anki's "true retention": (re)learning steps are left out, anything but Again passes.
    """
    passed, total = col.conn.execute(
        """SELECT SUM(rating > 1), COUNT(*) FROM reviews
           WHERE study_day BETWEEN ? AND ? AND state_before = 2 AND cram = 0""",
        (first.isoformat(), last.isoformat()),
    ).fetchone()
    return int(passed or 0), int(total)


def review_memory(col: Collection) -> Iterator[tuple[float, int]]:
    """Yield (stability, last_review ms) of every active, unsuspended card in the review state (one query).

    The rows come from the covering index ``schedule(state, due_day, suspended, stability, last_review)``.
    """
    return col.conn.execute(
        f"SELECT s.stability, s.last_review FROM schedule s WHERE s.state = 2 AND {_LIVE}"
    )


def _ensure_math(conn: Any) -> None:
    """Give the connection ``pow`` and ``floor`` when SQLite was built without its math functions."""
    try:
        conn.execute("SELECT pow(2.0, 0.5), floor(0.5)").fetchone()
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)
        conn.create_function("floor", 1, math.floor, deterministic=True)


def review_memory_mean(
    col: Collection, now_ms: int, parameters: Sequence[float]
) -> tuple[int, float | None]:
    """Return how many cards are in review and their mean FSRS-6 probability of recall at ``now_ms``.

    The same forgetting curve as `cvquiz.scheduler.retrievability` (R = (1 + f·t/S)^-w20, t in whole days
    since the last review as py-fsrs counts them), summed inside SQLite so that ``cvquiz status`` needs
    neither NumPy nor a pass over the rows in Python.

    Returns:
        ``(count, mean)``; the mean is None when no card is in review.
    """
    decay = -float(parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    _ensure_math(col.conn)
    count, mean = col.conn.execute(
        "SELECT count(*), avg(pow(1.0 + :factor * max(0, floor((:now - s.last_review) / :day)) "
        f"/ s.stability, :decay)) FROM schedule s WHERE s.state = 2 AND {_LIVE}",
        {"factor": factor, "now": now_ms, "day": float(DAY_MS), "decay": decay},
    ).fetchone()
    return int(count), None if mean is None else float(mean)


def due_counts(col: Collection, first: date, last: date) -> dict[str, int]:
    """Return how many active, unsuspended studied cards fall due on each study day ``first..last``.

    Overdue cards count on ``first``; days without cards are left out. Counted inside SQLite over the
    covering index ``schedule(state, due_day, suspended, ...)``.
    """
    rows = col.conn.execute(
        f"""SELECT MAX(s.due_day, :first) AS day, COUNT(*) FROM schedule s
            WHERE s.state IN (1, 2, 3) AND s.due_day <= :last AND {_LIVE} GROUP BY day""",
        {"first": first.isoformat(), "last": last.isoformat()},
    ).fetchall()
    return {day: int(count) for day, count in rows}
