"""Today's queue: which card comes next and how many are left, as Anki orders and limits them.

Every function takes an open `Collection` and the current time; nothing reads the clock. The queue follows
Anki's order: (re)learning cards whose time has come, then review cards due today (most overdue first, or
lowest retrievability first), then new cards in deck order, then (re)learning cards due within the learn-ahead
window. Daily limits count what the review log says was studied today, so a second drill continues the day.
Each query walks an index (``schedule(state, due)``, ``schedule(state, due_day)``, ``cards(active, position)``,
``reviews(study_day)``). Recording reviews is `cvquiz.collection.scheduling`'s.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection as Sized
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from cvquiz import clock
from cvquiz.errors import N_, CardNotFoundError

if TYPE_CHECKING:
    from cvquiz.cardstate import SchedState
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
    "Settings",
    "card_by_pk",
    "check_deck_filter",
    "learning_later_today",
    "next_card",
    "next_due",
    "queue_counts",
    "studied_today",
]

LEARN_AHEAD = timedelta(minutes=20)
"""When nothing else is left, (re)learning cards due this soon are shown early (Anki's learn-ahead limit)."""


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
        deck_ids: the exact ids ``decks`` came to when resolved (`resolve_decks`), or None to resolve
            ``decks`` (ids, display names, nesting) at each query.
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
    deck_ids: tuple[str, ...] | None = None


def resolve_decks(col: Collection, flt: QueueFilter) -> QueueFilter:
    """``flt`` with its decks resolved to their exact ids once, for the many queries of a study session (each
    query would otherwise match every deck's id and name again: a tenth of a review's time on 100 decks)."""
    if not flt.decks or flt.deck_ids is not None:
        return flt
    from cvquiz.collection import filters

    return replace(flt, deck_ids=tuple(filters.deck_ids(col.conn, flt.decks)))


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
    from cvquiz.cardstate import SchedState  # only when a card is shown: counting needs none

    row = col.conn.execute(_CARD_SQL, (pk,)).fetchone()
    if row is None:
        raise CardNotFoundError(N_("no card with key {pk} in the collection"), pk=pk)
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


# --- the queue -----------------------------------------------------------------------------------------


class _Group(NamedTuple):
    """Decks that share one daily limit: an override key's decks, or every other deck (key None)."""

    key: str | None
    decks: tuple[str, ...]
    new_left: int
    review_left: int


class _Day(NamedTuple):
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
    from cvquiz.collection import filters

    filters.check(
        col.conn, filters.CardFilter(decks=tuple(decks), tags=tuple(tags), states=tuple(states))
    )


def _filter_sql(col: Collection, flt: QueueFilter, params: dict[str, Any]) -> list[str]:
    if not (flt.decks or flt.tags or flt.states):
        return []
    from cvquiz.collection import filters  # loaded only for a filtered queue

    card_filter = filters.CardFilter(flt.decks, flt.tags, flt.states, flt.deck_ids)
    return [filters.where(col.conn, card_filter, params)]


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
