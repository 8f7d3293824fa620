"""Checking a new card before it is written: the deck format's rules, and its generator for compute cards.

A card given as data is checked by the loader's own rules (`cvquiz.deckfile.loader.card_from_data`), so what
passes here reads back the same from the deck file it is written to; nothing is dumped and parsed to find out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cvquiz.deckfile.loader import card_from_data
from cvquiz.errors import DeckError
from cvquiz.i18n import _
from cvquiz.model import Card, CardType

__all__ = ["check_compute", "validate_card"]


def validate_card(data: Mapping[str, Any]) -> Card:
    """Check one card's fields against the deck format, exactly as a deck file would be checked.

    Args:
        data: the fields (with an id).

    Returns:
        The card.

    Raises:
        DeckError: with the first problem (``card 'id': message``) when the card is not valid.
    """
    card, problems = card_from_data(dict(data))
    if card is None:
        raise DeckError(problems[0] if problems else _("not a valid card"))
    return card


def check_compute(card: Card) -> None:
    """Check a compute card by drawing instances of its generator.

    Raises:
        DeckError: for an unknown generator, bad parameters, or a space that draws no problem.
    """
    if card.type is not CardType.COMPUTE:
        return
    from cvquiz import generators

    names = [str(getattr(g, "name", g)) for g in generators.list_generators()]
    if card.generator not in names:
        import difflib

        close = difflib.get_close_matches(card.generator or "", names, n=1)
        if close:
            message = _("unknown generator {name!r} (did you mean {close!r}?)")
        else:
            message = _("unknown generator {name!r} (see cvquiz calc --list-generators)")
        raise DeckError(message.format(name=card.generator, close=close[0] if close else ""))
    problems = generators.check_card(card)
    if problems:
        raise DeckError(_("card {id!r}: {problem}").format(id=card.id, problem=problems[0]))
