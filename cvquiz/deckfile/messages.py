"""How a problem of one card is written: ``card 'iou': message``, in the user's language, and read back.

The loader writes every problem of a card with `card_prefix`; the deck check (``cvquiz check --json``) and
``add``/``import`` take the card back out of the line with `split_card_prefix`, in the language it was
written in. This module does not import YAML, so the check can use it before any deck file is read.
"""

from __future__ import annotations

import re

from cvquiz.i18n import _


def card_prefix(card: str) -> str:
    """The start of a problem of one card: ``card 'iou': `` (in the current language)."""
    return _("card {card!r}: ").format(card=card)


def split_card_prefix(message: str) -> tuple[str | None, str]:
    """Split ``card 'iou': message`` (as `card_prefix` writes it) into the card and the message.

    Returns:
        The card id (None when the message is not about one card) and the message after the prefix.
    """
    before, _field, after = _("card {card!r}: ").partition("{card!r}")
    match = re.match(re.escape(before) + r"'([^']*)'" + re.escape(after), message)
    if match is None:
        return None, message
    return match.group(1), message[match.end() :]
