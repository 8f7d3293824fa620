"""``cvquiz search`` and ``browse``: the cards a query in Anki's search syntax matches, one hit per card.

The query is parsed by `cvquiz.query` and run by `cvquiz.collection.search`; this module groups the matched
review cards by deck entry (a reversed card's two sides, a cloze card's deletions are one hit) and says what a
result list shows of each. `select` is what the bulk actions (suspend, forget, tag...) act on: card
references, as every command takes them, or else a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from cvquiz import clock, query
from cvquiz.collection.search import (
    SearchContext,
    SearchRow,
    check_names,
    matching_cards,
    search_rows,
)
from cvquiz.errors import CardNotFoundError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "STATE_NAMES",
    "SearchContext",
    "SearchHit",
    "SearchResult",
    "Selection",
    "search",
    "select",
]

STATE_NAMES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
DAY_MS = 86_400_000


class SearchHit(NamedTuple):
    """A card a search matched (its first matched review card stands for the schedule columns).

    A named tuple rather than a dataclass: a search over a big collection makes tens of thousands (``_asdict()``
    gives its JSON form).

    Attributes:
        ref: ``deck/id``.
        deck: the deck id.
        id: the card id.
        type: the card type.
        question: the question, as in the deck file (a string or ``{zh, en}``; None for a compute card
            without one).
        line: the card's line in its deck file.
        ords: the review cards of the entry the query matched.
        state: ``new``, ``learning``, ``review`` or ``relearning``.
        due: when it is due (ISO 8601 UTC), or None while new.
        due_day: the study day it is due (ISO date), or None while new.
        interval: the current interval in days (review cards), or None.
        reps: reviews so far.
        lapses: times forgotten.
        suspended: True when suspended.
        buried: True when buried until a later study day.
        leech: True when flagged as a leech.
        tags: its tags.
        bundled: True for a card of a bundled deck.
        pks: the collection keys of the matched review cards (what bulk actions change).
    """

    ref: str
    deck: str
    id: str
    type: str
    question: Any
    line: int
    ords: tuple[int, ...]
    state: str
    due: str | None
    due_day: str | None
    interval: int | None
    reps: int
    lapses: int
    suspended: bool
    buried: bool
    leech: bool
    tags: tuple[str, ...]
    bundled: bool
    pks: tuple[int, ...]


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Attributes:
        query: the query as run.
        hits: the matched cards, in deck and file order.
        review_cards: how many review cards matched (a reversed card counts twice).
    """

    query: str
    hits: tuple[SearchHit, ...]
    review_cards: int


def _hit(rows: Sequence[SearchRow], today: str) -> SearchHit:
    first = rows[0]
    interval = None
    if first.state == 2 and first.due is not None and first.last_review is not None:
        interval = round((first.due - first.last_review) / DAY_MS)
    return SearchHit(
        ref=f"{first.deck}/{first.card}",
        deck=first.deck,
        id=first.card,
        type=first.type,
        question=first.question,
        line=first.line,
        ords=tuple(r.ord for r in rows),
        state=STATE_NAMES.get(first.state, str(first.state)),
        due=clock.iso_utc(first.due),
        due_day=first.due_day,
        interval=interval,
        reps=first.reps,
        lapses=first.lapses,
        suspended=first.suspended,
        buried=first.buried_until is not None and first.buried_until > today,
        leech=first.leech,
        tags=first.tags,
        bundled=first.bundled,
        pks=tuple(r.pk for r in rows),
    )


def _grouped(rows: Sequence[SearchRow], today: str) -> tuple[SearchHit, ...]:
    groups: dict[tuple[str, str], list[SearchRow]] = {}
    for row in rows:
        groups.setdefault((row.deck, row.card), []).append(row)
    return tuple(_hit(group, today) for group in groups.values())


def _with_options(node: query.Node, deck: str | None, tag: str | None) -> query.Node:
    """The query with ``--deck`` and ``--tag`` added, as ``deck:`` and ``tag:`` terms would be."""
    extra: list[query.Node] = []
    if deck:
        extra.append(query.DeckTerm(query.Pattern(tuple(deck.split("*")))))
    if tag:
        extra.append(query.TagTerm(query.Pattern(tuple(tag.split("*")))))
    if not extra:
        return node
    return query.And((node, *extra)) if not isinstance(node, query.All) else query.And(tuple(extra))


def search(
    col: Collection,
    text: str,
    ctx: SearchContext,
    deck: str | None = None,
    tag: str | None = None,
) -> SearchResult:
    """Find the cards a query matches.

    Args:
        col: the collection.
        text: the query (`cvquiz.query`); empty matches every card.
        ctx: now, the rollover hour and the FSRS decay.
        deck: also only this deck and the decks under it (``deck:`` added to the query).
        tag: also only cards with this tag or one under it.

    Returns:
        The matched cards in deck and file order.

    Raises:
        QuerySyntaxError: for a query that cannot be read (the message names the column).
        UnknownFilterError: for a ``deck:`` or ``tag:`` that names nothing (with the closest one).
    """
    node = _with_options(query.parse(text), deck, tag)
    check_names(col, node)
    rows = search_rows(col, node, ctx)
    return SearchResult(text, _grouped(rows, ctx.today.isoformat()), len(rows))


@dataclass(frozen=True)
class Selection:
    """The cards a bulk action applies to.

    Attributes:
        label: what the person wrote (the references, or the query).
        by_query: True when it was a query, False for card references.
        refs: the cards (``deck/id``), in deck and file order.
        pks: their review cards' keys (for a query, only the review cards it matched).
        hits: the cards as search hits, when the caller had them (the browser), else empty.
    """

    label: str
    by_query: bool
    refs: tuple[str, ...]
    pks: tuple[int, ...]
    hits: tuple[SearchHit, ...] = ()


def _as_references(col: Collection, targets: Sequence[str]) -> Selection | None:
    from cvquiz.cards.references import resolve

    found = []
    for target in targets:
        try:
            found.append(resolve(col, target))
        except CardNotFoundError:
            return None
    unique = list({c.ref: c for c in found}.values())
    return Selection(
        label=" ".join(targets),
        by_query=False,
        refs=tuple(c.ref for c in unique),
        pks=tuple(pk for c in unique for pk in c.pks),
    )


def select(col: Collection, targets: Sequence[str], ctx: SearchContext) -> Selection:
    """Read what a bulk action was given: card references (each naming exactly one card), or else a query.

    ``cvquiz suspend losses/ce-grad-softmax my/x`` names two cards, as it always did; ``cvquiz suspend deck:losses
    is:due`` is a query (its words are joined with spaces).

    Raises:
        CardNotFoundError: when nothing matches.
        QuerySyntaxError: for a query that cannot be read.
        UnknownFilterError: for a ``deck:`` or ``tag:`` that names nothing.
    """
    targets = [t for t in targets if t.strip()]
    if not targets:
        raise CardNotFoundError(_("name the cards: deck/id references or a search query"))
    picked = _as_references(col, targets) if not any(":" in t for t in targets) else None
    if picked is not None:
        return picked
    text = " ".join(targets)
    node = query.parse(text)
    check_names(col, node)
    found = matching_cards(col, node, ctx)
    if not found:
        raise CardNotFoundError(
            _("no card matches {query!r} (cvquiz search shows what a query finds)").format(
                query=text
            )
        )
    return Selection(
        label=text,
        by_query=True,
        refs=tuple(dict.fromkeys(f"{deck}/{card}" for deck, card, _pk in found)),
        pks=tuple(pk for _deck, _card, pk in found),
    )
