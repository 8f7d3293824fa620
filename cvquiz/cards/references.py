"""Card references: what a person types to name a card (``deck/id``, a unique prefix, a bare card id).

Every command that acts on cards resolves its arguments here, so ``show``, ``edit``, ``suspend`` and the
others accept the same forms and fail with the same messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvquiz.collection.card_queries import CardEntry, entries_matching
from cvquiz.errors import CardNotFoundError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["CardRef", "resolve", "resolve_many"]

SHOWN_MATCHES = 10
"""An ambiguous reference lists this many of the cards it matches."""


@dataclass(frozen=True)
class CardRef:
    """A deck entry in the collection, with the review cards it makes.

    Attributes:
        deck: the deck id.
        id: the card id.
        pks: the collection keys of its review cards, by ord.
        ords: the ords of those review cards.
        path: the deck file.
        line: the card's line in it.
        bundled: True for a bundled deck.
    """

    deck: str
    id: str
    pks: tuple[int, ...]
    ords: tuple[int, ...]
    path: str | None
    line: int
    bundled: bool

    @property
    def ref(self) -> str:
        """The full reference, ``deck/id``."""
        return f"{self.deck}/{self.id}"


def resolve(col: Collection, reference: str) -> CardRef:
    """Find the card a person named: ``deck/id``, a unique prefix of it, or a unique card id (or prefix).

    Raises:
        CardNotFoundError: when nothing matches, or several cards do (the message lists them).
    """
    ref = reference.strip()
    if not ref:
        raise CardNotFoundError(_("name a card: deck/id, or a prefix of it"))
    entries: dict[tuple[str, str], list[CardEntry]] = {}
    for row in entries_matching(col, ref):
        entries.setdefault((row.deck, row.card), []).append(row)
    if not entries:
        raise CardNotFoundError(
            _("no card matches {ref!r} (try cvquiz search TEXT)").format(ref=ref)
        )
    exact = [k for k in entries if f"{k[0]}/{k[1]}" == ref] or [k for k in entries if k[1] == ref]
    keys = exact if len(exact) == 1 else list(entries)
    if len(keys) > 1:
        shown = ", ".join(f"{d}/{c}" for d, c in keys[:SHOWN_MATCHES])
        if len(keys) > SHOWN_MATCHES:
            message = _("{ref!r} matches {count} cards: {shown} and {more} more")
        else:
            message = _("{ref!r} matches {count} cards: {shown}")
        raise CardNotFoundError(
            message.format(ref=ref, count=len(keys), shown=shown, more=len(keys) - SHOWN_MATCHES)
        )
    picked = entries[keys[0]]
    first = picked[0]
    return CardRef(
        deck=first.deck,
        id=first.card,
        pks=tuple(r.pk for r in picked),
        ords=tuple(r.ord for r in picked),
        path=first.path,
        line=first.line,
        bundled=first.bundled,
    )


def resolve_many(col: Collection, references: Sequence[str]) -> list[CardRef]:
    """Resolve several references, reporting every one that fails at once.

    Raises:
        CardNotFoundError: one line per reference that matches no card or several.
    """
    found: list[CardRef] = []
    problems: list[str] = []
    for reference in references:
        try:
            found.append(resolve(col, reference))
        except CardNotFoundError as error:
            problems.append(str(error))
    if problems:
        raise CardNotFoundError("\n".join(problems))
    return list({c.ref: c for c in found}.values())
