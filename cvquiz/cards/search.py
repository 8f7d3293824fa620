"""``cvquiz search``: find cards by the words of their text, in any case and either language.

Candidates come from the collection (`cvquiz.collection.card_queries.first_review_cards`, one row per entry);
matching is done here, on the card's question, answer, explanation and generator name. A search grammar
(``deck:``, ``tag:``, ``is:due``...) builds on this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvquiz.collection.card_queries import CardText, first_review_cards

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["SearchHit", "search", "text_of"]

SEARCHED_FIELDS = ("question", "answer", "explanation")


@dataclass(frozen=True)
class SearchHit:
    """A card whose text matches a search.

    Attributes:
        ref: ``deck/id``.
        deck: the deck id.
        id: the card id.
        type: the card type.
        question: the question, as in the deck file (a string or ``{zh, en}``).
        line: the card's line in its deck file.
    """

    ref: str
    deck: str
    id: str
    type: str
    question: Any
    line: int


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)


def text_of(entry: CardText) -> str:
    """Return the searchable text of an entry, case-folded: its text fields and generator name."""
    content = entry.content
    parts = [s for key in SEARCHED_FIELDS for s in _strings(content.get(key))]
    if content.get("generator"):
        parts.append(str(content["generator"]))
    return "\n".join(parts).casefold()


def search(
    col: Collection, text: str, deck: str | None = None, tag: str | None = None
) -> tuple[SearchHit, ...]:
    """Find cards whose question, answer or explanation holds every word of ``text`` (any case, any language).

    Args:
        col: the collection.
        text: the words to find; Chinese is matched as written (no word splitting needed).
        deck: only this deck and the decks under it (``my`` covers ``my/interviews``).
        tag: only cards with this tag or a tag under it (``losses`` covers ``losses::focal``).

    Returns:
        The matching cards in deck and file order.
    """
    words = [w.casefold() for w in text.split()]
    hits: list[SearchHit] = []
    for entry in first_review_cards(col, deck=deck, tag=tag):
        haystack = text_of(entry)
        if all(w in haystack for w in words):
            hits.append(
                SearchHit(
                    ref=f"{entry.deck}/{entry.card}",
                    deck=entry.deck,
                    id=entry.card,
                    type=entry.type,
                    question=entry.content.get("question"),
                    line=entry.line,
                )
            )
    return tuple(hits)
