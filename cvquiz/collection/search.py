"""The search query (`cvquiz.query`) as SQL: which review cards match, read in one query.

Each node of the tree becomes one condition on ``cards c`` and ``schedule s``: decks and tags through the one
filter module (`cvquiz.collection.filters`), text through the ``card_text`` index (migration m009_card_text_index), states,
properties and the review log through their indexes. Text of three characters or more is looked up in the
FTS5 trigram index; shorter text (one or two Chinese characters, ``L1``) and text with a ``*`` scan the index's
text, which is still one pass over a narrow table.

Retrievability (``prop:r``) is computed by a function registered on the connection for the query, with the
FSRS-6 forgetting curve py-fsrs uses and the user's decay parameter.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from cvquiz import clock
from cvquiz.collection import filters
from cvquiz.query import (
    All,
    And,
    CardTerm,
    DeckTerm,
    IntroducedTerm,
    Node,
    Not,
    Or,
    Pattern,
    PropTerm,
    RatedTerm,
    StateTerm,
    TagTerm,
    TextTerm,
)

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["SearchContext", "SearchRow", "check_names", "matching_cards", "search_rows"]

DAY_MS = 86_400_000
TRIGRAM = 3
"""The shortest text the trigram index can look up; shorter text is found by scanning."""


@dataclass(frozen=True)
class SearchContext:
    """What a query needs to know about now.

    Attributes:
        now: the current time: retrievability is evaluated then, ``is:due`` and ``rated:`` count from its
            study day.
        rollover_hour: the hour a study day starts.
        decay: the FSRS-6 decay (``w[20]``), for retrievability.
    """

    now: datetime
    rollover_hour: int
    decay: float

    @property
    def now_ms(self) -> int:
        """Now, in ms since the epoch."""
        return clock.to_ms(self.now)

    @property
    def today(self) -> date:
        """The current study day."""
        return clock.study_day(self.now, self.rollover_hour)

    def day_start_ms(self, day: date) -> int:
        """When a study day starts, in ms since the epoch."""
        return clock.to_ms(clock.day_start(day, self.rollover_hour))

    def since(self, days: int) -> date:
        """The first study day of the last ``days`` study days (today is the last)."""
        return self.today - timedelta(days=days - 1)


class SearchRow(NamedTuple):
    """One review card a search matched, with what a result list shows of it (a tuple: searches return many).

    Attributes:
        pk: the review card's key.
        deck: the deck id.
        card: the card id.
        ord: which review card of the entry.
        type: the card type.
        question: the question as in the deck file (a string or ``{zh, en}``), or None.
        line: the entry's line in its deck file.
        state: 0 new, 1 learning, 2 review, 3 relearning.
        due: when it is due (ms since the epoch), None while new.
        due_day: the study day it is due (ISO date), None while new.
        stability: FSRS stability in days, or None.
        last_review: the last review (ms), or None.
        reps: reviews so far.
        lapses: times forgotten.
        suspended: True when suspended.
        buried_until: the study day it comes back, or None.
        leech: True when flagged as a leech.
        tags: its tags.
        bundled: True for a card of a bundled deck.
        path: its deck file.
    """

    pk: int
    deck: str
    card: str
    ord: int
    type: str
    question: Any
    line: int
    state: int
    due: int | None
    due_day: str | None
    stability: float | None
    last_review: int | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    leech: bool
    tags: tuple[str, ...]
    bundled: bool
    path: str | None


def _fts(conn: sqlite3.Connection) -> bool:
    """True when ``card_text`` is an FTS5 table (False: the plain-table fallback of m009_card_text_index)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'card_text'").fetchone()
    return row is not None and "fts5" in str(row[0]).lower()


def _ascii_lower(text: str) -> str:
    # SQLite's lower() folds ASCII only; fold the query the same way so both sides agree
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


class _Compiler:
    def __init__(self, conn: sqlite3.Connection, ctx: SearchContext) -> None:
        self.conn = conn
        self.ctx = ctx
        self.params: dict[str, Any] = {}
        self.fts = _fts(conn)
        self.uses_r = False
        self.filters = 0

    def _param(self, value: Any) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def sql(self, node: Node) -> str:
        if isinstance(node, All):
            return "1"
        # parentheses only where precedence needs them (OR < AND < NOT < the rest): each pair nests SQLite's
        # parser a level deeper, and its stack is small (query.MAX_DEPTH)
        if isinstance(node, And):
            return " AND ".join(
                f"({self.sql(n)})" if isinstance(n, Or) else self.sql(n) for n in node.nodes
            )
        if isinstance(node, Or):
            return " OR ".join(self.sql(n) for n in node.nodes)
        if isinstance(node, Not):
            inner = self.sql(node.node)
            return f"NOT ({inner})" if isinstance(node.node, And | Or) else f"NOT {inner}"
        if isinstance(node, TextTerm):
            return self._text(node.pattern)
        if isinstance(node, DeckTerm):
            return self._filter(filters.CardFilter(decks=(node.pattern.text,)))
        if isinstance(node, TagTerm):
            if node.pattern is None:
                return "(c.tags = '' AND s.leech = 0)"
            return self._filter(filters.CardFilter(tags=(node.pattern.text,)))
        if isinstance(node, CardTerm):
            return self._card(node.pattern)
        if isinstance(node, StateTerm):
            return self._state(node.state)
        if isinstance(node, PropTerm):
            return self._prop(node)
        if isinstance(node, RatedTerm):
            since = self._param(self.ctx.since(node.days).isoformat())
            ease = f" AND rating = {node.ease:d}" if node.ease is not None else ""
            return f"c.pk IN (SELECT card_pk FROM reviews WHERE study_day >= {since}{ease})"
        if isinstance(node, IntroducedTerm):
            first = self.ctx.since(node.days)
            since = self._param(first.isoformat())
            since_ms = self._param(self.ctx.day_start_ms(first))
            # reviews of the period by the day index, then each card's first review by the card index
            return (
                f"(c.pk IN (SELECT card_pk FROM reviews WHERE study_day >= {since})"
                f" AND (SELECT MIN(reviewed_at) FROM reviews r WHERE r.card_pk = c.pk) >= {since_ms})"
            )
        raise AssertionError(f"unknown search node {node!r}")  # pragma: no cover

    def _filter(self, flt: filters.CardFilter) -> str:
        prefix = f"f{self.filters}_"  # each filter its own parameter names
        self.filters += 1
        return "(" + filters.where(self.conn, flt, self.params, prefix=prefix) + ")"

    def _text(self, pattern: Pattern) -> str:
        parts = [p for p in pattern.parts if p]
        if not parts:  # "*": any text
            return "1"
        longest = max(parts, key=len)
        conditions = []
        if self.fts and len(longest) >= TRIGRAM:
            phrase = '"' + longest.replace('"', '""') + '"'
            conditions.append(f"card_text MATCH {self._param(phrase)}")
        if pattern.has_wildcard:
            like = "%" + "%".join(filters.escape_like(p) for p in pattern.parts) + "%"
            conditions.append(f"lower(text) LIKE {self._param(_ascii_lower(like))} ESCAPE '\\'")
        elif not conditions:
            conditions.append(f"instr(lower(text), {self._param(_ascii_lower(longest))}) > 0")
        return f"c.pk IN (SELECT rowid FROM card_text WHERE {' AND '.join(conditions)})"

    def _card(self, pattern: Pattern) -> str:
        ref = "c.deck_id || '/' || c.card_id"
        if not pattern.has_wildcard:
            value = self._param(pattern.text.lower())
            return f"({ref} = {value} OR c.card_id = {value})"
        like = self._param("".join(filters.escape_like(p) + "%" for p in pattern.parts)[:-1])
        return f"({ref} LIKE {like} ESCAPE '\\' OR c.card_id LIKE {like} ESCAPE '\\')"

    def _state(self, state: str) -> str:
        if state == "new":
            return "s.state = 0"
        if state == "learn":
            return "s.state IN (1, 3)"
        if state == "review":
            return "s.state IN (2, 3)"
        if state == "suspended":
            return "s.suspended = 1"
        if state == "leech":
            return "s.leech = 1"
        today = self._param(self.ctx.today.isoformat())
        if state == "buried":
            return f"(s.buried_until IS NOT NULL AND s.buried_until > {today})"
        end = self._param(self.ctx.day_start_ms(self.ctx.today + timedelta(days=1)))
        return (
            f"(s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= {today})"
            f" AND ((s.state IN (1, 3) AND s.due < {end}) OR (s.state = 2 AND s.due_day <= {today})))"
        )

    def _prop(self, node: PropTerm) -> str:
        op = node.op
        value = self._param(int(node.value) if node.value.is_integer() else node.value)
        if node.name == "ivl":
            return f"(s.state = 2 AND round((s.due - s.last_review) / {DAY_MS}.0) {op} {value})"
        if node.name == "due":
            today = self._param(self.ctx.today.isoformat())
            return (
                f"(s.state != 0 AND s.due_day IS NOT NULL"
                f" AND julianday(s.due_day) - julianday({today}) {op} {value})"
            )
        if node.name in ("lapses", "reps"):
            return f"s.{node.name} {op} {value}"
        if node.name == "s":
            return f"(s.stability IS NOT NULL AND s.stability {op} {value})"
        if node.name == "d":
            return f"(s.difficulty IS NOT NULL AND s.difficulty {op} {value})"
        self.uses_r = True
        return (
            "(s.stability IS NOT NULL AND s.last_review IS NOT NULL"
            f" AND cvquiz_retrievability(s.stability, s.last_review) {op} {value})"
        )


def retrievability(stability: float, last_review_ms: int, now_ms: int, decay: float) -> float:
    """The FSRS-6 probability of recall now: ``(1 + factor * t / S) ** -decay``, t in whole days (py-fsrs').

    Args:
        stability: the card's stability in days.
        last_review_ms: its last review.
        now_ms: now.
        decay: ``w[20]`` (the curve's decay, positive).
    """
    factor = 0.9 ** (1 / -decay) - 1
    days = max((now_ms - last_review_ms) // DAY_MS, 0)
    return float((1 + factor * days / stability) ** -decay)


def _compile(col: Collection, node: Node, ctx: SearchContext) -> tuple[str, dict[str, Any]]:
    compiler = _Compiler(col.conn, ctx)
    where = f"({compiler.sql(node)})"
    if compiler.uses_r:
        now_ms = ctx.now_ms
        col.conn.create_function(
            "cvquiz_retrievability",
            2,
            lambda s, last: retrievability(s, last, now_ms, ctx.decay),
            deterministic=True,
        )
    return where, compiler.params


def check_names(col: Collection, node: Node) -> None:
    """Refuse a ``deck:`` or ``tag:`` that names nothing, with the closest one (the filters' one message).

    Raises:
        UnknownFilterError: one line per deck or tag that matches nothing.
    """
    decks: list[str] = []
    tags: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, DeckTerm):
            decks.append(n.pattern.text)
        elif isinstance(n, TagTerm) and n.pattern is not None:
            tags.append(n.pattern.text)
        elif isinstance(n, Not):
            walk(n.node)
        elif isinstance(n, And | Or):
            for inner in n.nodes:
                walk(inner)

    walk(node)
    if decks or tags:
        filters.check(col.conn, filters.CardFilter(decks=tuple(decks), tags=tuple(tags)))


_ROWS = """
    SELECT c.pk, c.deck_id, c.card_id, c.ord, c.type, json_extract(c.content, '$.question'),
           json_type(c.content, '$.question'), c.line, s.state, s.due, s.due_day, s.stability,
           s.last_review, s.reps, s.lapses, s.suspended, s.buried_until, s.leech, c.tags, d.bundled, d.path
    FROM cards c JOIN schedule s ON s.card_pk = c.pk JOIN decks d ON d.id = c.deck_id
    WHERE c.active = 1 AND d.active = 1 AND {where}
    ORDER BY d.position, c.position, c.ord
"""


def search_rows(col: Collection, node: Node, ctx: SearchContext) -> list[SearchRow]:
    """Return the active review cards a query matches, in deck and file order.

    Args:
        col: the collection.
        node: the parsed query.
        ctx: now, today and the decay.
    """
    where, params = _compile(col, node, ctx)
    rows = col.conn.execute(_ROWS.format(where=where), params)
    loads = json.loads
    found = []
    for r in rows:
        question = loads(r[5]) if r[6] == "object" else r[5]
        found.append(
            SearchRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                question,
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                r[13],
                r[14],
                bool(r[15]),
                r[16],
                bool(r[17]),
                tuple(r[18].split()),
                bool(r[19]),
                r[20],
            )
        )
    return found


def matching_cards(col: Collection, node: Node, ctx: SearchContext) -> list[tuple[str, str, int]]:
    """Return ``(deck, card id, key)`` of each active review card a query matches, in deck and file order.

    What a bulk action needs, and nothing more: a query over the whole collection stays quick.
    """
    where, params = _compile(col, node, ctx)
    sql = f"""SELECT c.deck_id, c.card_id, c.pk FROM cards c JOIN schedule s ON s.card_pk = c.pk
              JOIN decks d ON d.id = c.deck_id
              WHERE c.active = 1 AND d.active = 1 AND {where} ORDER BY d.position, c.position, c.ord"""
    return [(str(r[0]), str(r[1]), int(r[2])) for r in col.conn.execute(sql, params)]
