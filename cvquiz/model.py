"""The domain vocabulary of cvquiz: decks, cards, bilingual text, ratings and states.

Plain frozen dataclasses and IntEnums with no I/O, so every other layer can share them. Persisted enums are
IntEnums whose values are exactly what the collection stores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from cvquiz.i18n import N_

LANGS = ("zh", "en")

FORMER_DECK_IDS: dict[str, str] = {
    "practice/conv": "practice-conv",
    "practice/detection": "practice-detection",
    "practice/losses": "practice-losses",
    "practice/misc": "practice-misc",
}
"""Bundled decks that were renamed, by new id: the id each had before.

The collection moves a renamed deck's cards and history on open (migration ``m007_practice_deck_ids``), and the
Anki export keeps deriving note GUIDs from the former id, so re-importing an export into Anki updates the notes
it made before instead of duplicating them.
"""
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


class CardType(StrEnum):
    """What kind of card a deck entry is; decides how many review cards it makes and how it is shown."""

    BASIC = "basic"
    REVERSED = "reversed"
    CLOZE = "cloze"
    COMPUTE = "compute"
    CODE = "code"

    @property
    def label(self) -> str:
        """The type in the person's language ("compute", 计算), where the value is the deck file's word."""
        from cvquiz.i18n import _

        return _(_TYPE_LABELS[self])


_TYPE_LABELS = {
    CardType.BASIC: N_("basic"),
    CardType.REVERSED: N_("reversed"),
    CardType.CLOZE: N_("cloze"),
    CardType.COMPUTE: N_("compute"),
    CardType.CODE: N_("code"),
}


class Rating(IntEnum):
    """How well the user recalled a card (the values py-fsrs and Anki store)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class State(IntEnum):
    """The learning state of a review card; 1-3 are py-fsrs' own values, 0 marks a card never studied."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Text:
    """Text in Chinese and/or English.

    Attributes:
        zh: the Chinese text, or None.
        en: the English text, or None.
    """

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str = "en") -> str:
        """Return the text in ``lang``, falling back to the other language.

        Args:
            lang: ``"zh"`` or ``"en"``.

        Returns:
            The text; empty when neither language is set.
        """
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first if first is not None else (second or "")

    def both(self) -> str:
        """Return both languages, Chinese first, one per paragraph (or the single one)."""
        parts = [t for t in (self.zh, self.en) if t]
        if len(parts) == 2 and parts[0] == parts[1]:
            return parts[0]
        return "\n\n".join(parts)

    def to_data(self) -> str | dict[str, str]:
        """Return the YAML/JSON form: a string when both languages agree, else a mapping."""
        if self.zh is not None and self.zh == self.en:
            return self.zh
        return {k: v for k, v in (("zh", self.zh), ("en", self.en)) if v is not None}

    @classmethod
    def from_data(cls, data: str | Mapping[str, str]) -> Text:
        """Build a Text from its YAML/JSON form (a string or a ``{zh, en}`` mapping)."""
        if isinstance(data, str):
            return cls(zh=data, en=data)
        return cls(zh=data.get("zh"), en=data.get("en"))

    def strings(self) -> tuple[str, ...]:
        """Return every distinct string of this text."""
        return tuple(dict.fromkeys(t for t in (self.zh, self.en) if t))


@dataclass(frozen=True)
class Card:
    """One entry of a deck file (Anki would call it a note); it makes one or more review cards.

    Attributes:
        id: the stable id, unique in its deck.
        type: the card type.
        question: the front (for cloze: the text with deletions; for compute: optional intro).
        answer: the back, or None.
        explanation: shown after the answer, or None.
        tags: the card's own tags followed by its deck's tags, without duplicates.
        source: a URL to read more, or None.
        generator: the compute generator's name (compute cards only).
        params: the narrowed parameter space of the generator (compute cards only).
        decimals: judge float answers at this many decimals (compute cards only).
        tolerance: ``{"rel": .., "abs": ..}`` for float answers (compute and code cards).
        line: the 1-based line of the card in its deck file (0 when not from a file).
        column: the 1-based column of the card in its deck file.
        starter: the function's signature and docstring the person starts from (code cards only).
        solution: the model solution, shown after an attempt (code cards only).
        hints: hints, shown one at a time on request (code cards only).
        judge: ``{"reference", "inputs", "params"}``: what the code is judged against (code cards only).
    """

    id: str
    type: CardType = CardType.BASIC
    question: Text = field(default_factory=Text)
    answer: Text | None = None
    explanation: Text | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    generator: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    decimals: int | None = None
    tolerance: Mapping[str, float] | None = None
    line: int = 0
    column: int = 0
    starter: Text | None = None
    solution: Text | None = None
    hints: tuple[Text, ...] = ()
    judge: Mapping[str, Any] | None = None

    def ords(self) -> tuple[int, ...]:
        """Return the ordinals of the review cards this entry makes.

        basic, compute and code make one (0), reversed two (0 forward, 1 backward), cloze one per deletion
        number.
        """
        if self.type is CardType.REVERSED:
            return (0, 1)
        if self.type is CardType.CLOZE:
            numbers = {
                int(m.group(1)) for s in self.question.strings() for m in CLOZE_RE.finditer(s)
            }
            return tuple(sorted(numbers)) or (1,)
        return (0,)

    def to_data(self) -> dict[str, Any]:
        """Return the card as plain data, in deck-file field order, without position."""
        data: dict[str, Any] = {"id": self.id, "type": self.type.value}
        data["question"] = self.question.to_data()
        for name in ("answer", "explanation"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.to_data()
        if self.tags:
            data["tags"] = list(self.tags)
        if self.source is not None:
            data["source"] = self.source
        if self.type is CardType.COMPUTE:
            data["generator"] = self.generator
            if self.params:
                data["params"] = dict(self.params)
            if self.decimals is not None:
                data["decimals"] = self.decimals
            if self.tolerance is not None:
                data["tolerance"] = dict(self.tolerance)
        if self.type is CardType.CODE:
            for name in ("starter", "solution"):
                value = getattr(self, name)
                if value is not None:
                    data[name] = value.to_data()
            if self.hints:
                data["hints"] = [hint.to_data() for hint in self.hints]
            if self.judge is not None:
                data["judge"] = dict(self.judge)
            if self.tolerance is not None:
                data["tolerance"] = dict(self.tolerance)
        return data

    def content_hash(self) -> str:
        """Return a hash of the card's content; it changes exactly when what the user sees changes."""
        import hashlib

        blob = json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], line: int = 0, column: int = 0) -> Card:
        """Build a card from already validated plain data (as :meth:`to_data` gives)."""

        def text(name: str) -> Text | None:
            value = data.get(name)
            return None if value is None else Text.from_data(value)

        return cls(
            id=data["id"],
            type=CardType(data.get("type", "basic")),
            question=text("question") or Text(),
            answer=text("answer"),
            explanation=text("explanation"),
            tags=tuple(data.get("tags", ())),
            source=data.get("source"),
            generator=data.get("generator"),
            params=dict(data.get("params") or {}),
            decimals=data.get("decimals"),
            tolerance=data.get("tolerance"),
            line=line,
            column=column,
            starter=text("starter"),
            solution=text("solution"),
            hints=tuple(Text.from_data(hint) for hint in data.get("hints") or ()),
            judge=data.get("judge"),
        )


@dataclass(frozen=True)
class Deck:
    """One deck file.

    Attributes:
        id: the stable deck id.
        name: the display name (``::`` nests).
        description: the deck's description, or None.
        tags: tags added to every card.
        cards: the cards in file order.
        path: the file it came from, or None.
        bundled: True for the decks shipped with cvquiz.
        overrides: True for a file of the user's own versions of bundled cards (``overrides: DECK`` in place
            of ``deck:`` and ``name:``); `id` is then the bundled deck's id and `name` too.
    """

    id: str
    name: str
    description: Text | None = None
    tags: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()
    path: Path | None = None
    bundled: bool = False
    overrides: bool = False

    def card(self, card_id: str) -> Card:
        """Return the card with ``card_id``.

        Raises:
            KeyError: when the deck has no such card.
        """
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

    def study_cards(self) -> int:
        """How many study cards the deck's cards expand to (see `Card.ords`)."""
        return sum(len(card.ords()) for card in self.cards)


@dataclass(frozen=True)
class DeckTotals:
    """How big a set of decks is, in the two counts cvquiz shows everywhere.

    Attributes:
        decks: the number of decks.
        cards: cards as written in the deck files (one per ``- id:`` entry).
        study_cards: the study cards they expand to, each scheduled on its own: a reversed card makes two, a
            cloze card one per deletion number, every other card one.
        compute: compute cards (a compute card is one card and one study card).
        by_type: cards as written per card type.
    """

    decks: int
    cards: int
    study_cards: int
    compute: int
    by_type: Mapping[str, int]


def deck_totals(decks: Sequence[Deck]) -> DeckTotals:
    """Count decks, cards as written and the study cards they expand to."""
    by_type = {t.value: 0 for t in CardType}
    for deck in decks:
        for card in deck.cards:
            by_type[card.type.value] += 1
    return DeckTotals(
        decks=len(decks),
        cards=sum(by_type.values()),
        study_cards=sum(deck.study_cards() for deck in decks),
        compute=by_type[CardType.COMPUTE.value],
        by_type=by_type,
    )
