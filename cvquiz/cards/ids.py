"""Card ids for new cards, and what makes two cards of a deck the same question.

An id is a readable slug of the question and a short hash (``gradient-softmax-cross-entropy-3f2a``); an
imported note's id ends in the hash of its stable key (Anki's GUID), so importing the file again finds it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable

from cvquiz.errors import DeckError
from cvquiz.model import Card, CardType

__all__ = ["KEY_TAG_SIZE", "card_keys", "key_tag", "make_card_id", "slugify"]

KEY_TAG_SIZE = 8
"""Hex digits of a key's hash at the end of a keyed id."""

_STOPWORD_TEXT = (
    "a an the of is are was what which why how does do did in on to for and or with by from at as be its it "
    "this that these those can you your"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_MATH_RE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
_CLOZE_RE = re.compile(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}", re.S)
_WORD_RE = re.compile(r"[a-z0-9]+")


def slugify(text: str, max_words: int = 5, max_len: int = 40) -> str:
    """Return a short ASCII slug of a question (math and Chinese left out; may be empty).

    Examples: ``What is the gradient of softmax cross-entropy?`` gives ``gradient-softmax-cross-entropy``.
    """
    text = _CLOZE_RE.sub(r"\1", _MATH_RE.sub(" ", text))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [w for w in _WORD_RE.findall(ascii_text) if w not in _STOPWORDS]
    slug = ""
    for word in words[:max_words]:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (words[0][:max_len] if words else "")


def _question_key(text: str) -> str:
    return " ".join(text.casefold().split())


def card_keys(card: Card) -> set[str]:
    """Return what makes two cards of a deck the same question (case and spacing ignored)."""
    if card.type is CardType.COMPUTE:
        blob = json.dumps(
            [
                card.generator,
                dict(card.params),
                card.question.to_data() if card.question.strings() else None,
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return {"compute:" + blob}
    return {_question_key(s) for s in card.question.strings()}


def key_tag(key: str) -> str:
    """Return the hash an id made from ``key`` ends with (see `make_card_id`)."""
    return hashlib.sha256(key.encode()).hexdigest()[:KEY_TAG_SIZE]


def make_card_id(card: Card, taken: Iterable[str], key: str | None = None) -> str:
    """Return a readable id for a new card, unique among ``taken``: a slug of its question and a short hash.

    Args:
        card: the card (its id is ignored).
        taken: ids already used in the deck.
        key: what to hash instead of the question (an imported note's GUID keeps its id stable).
    """
    if card.type is CardType.COMPUTE:
        slug = (card.generator or "compute").replace("_", "-")
        blob = json.dumps(sorted(card_keys(card)), ensure_ascii=False)
    else:
        slug = slugify(card.question.en or card.question.zh or "")
        blob = json.dumps([card.type.value, *sorted(card.question.strings())], ensure_ascii=False)
    digest = hashlib.sha256((key if key is not None else blob).encode()).hexdigest()
    used = taken if isinstance(taken, (set, frozenset)) else set(taken)
    # A keyed id ends in the key's own 8-digit hash, so a later import finds the note by it (`key_tag`).
    for size in range(KEY_TAG_SIZE if key is not None else 4, len(digest) + 1, 2):
        candidate = f"{slug}-{digest[:size]}" if slug else f"q-{digest[:size]}"
        if candidate not in used:
            return candidate
    raise DeckError("cannot find a free card id")  # pragma: no cover - 2**256 ids taken
