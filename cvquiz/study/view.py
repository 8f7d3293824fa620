"""What a card looks like in a session: its front and back in one language, and a compute card's fresh problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvquiz.collection import queue
from cvquiz.model import CLOZE_RE, Card, CardType

if TYPE_CHECKING:
    from cvquiz.generators import Instance

__all__ = ["CardView", "CodeTask", "cloze_text", "make_view"]


@dataclass(frozen=True)
class CodeTask:
    """What a code card asks for, in the user's language.

    Attributes:
        card: the card (its judge is built from it).
        starter: the starter code (signature and docstring).
        solution: the model solution.
        hints: the hints, in order.
    """

    card: Card
    starter: str
    solution: str
    hints: tuple[str, ...]


@dataclass(frozen=True)
class CardView:
    """One review card, ready to be shown.

    Attributes:
        pk: the review card's key in the collection.
        deck_id: its deck.
        card_id: its id in the deck.
        ord: which side (reversed) or deletion (cloze).
        type: the card type.
        front: Markdown (with LaTeX) shown first.
        back: Markdown shown on reveal (for compute: the expected answer).
        explanation: shown after the answer, or None.
        source: a URL to read more, or None.
        location: ``file:line`` where the card is defined.
        tags: the card's tags.
        instance: the compute instance (compute cards), else None.
        seed: the compute instance's seed, else None.
        state: the card's state before this review.
        deck_name: the deck's display name.
        code: what a code card asks for, else None.
    """

    pk: int
    deck_id: str
    card_id: str
    ord: int
    type: CardType
    front: str
    back: str
    explanation: str | None
    source: str | None
    location: str
    tags: tuple[str, ...]
    instance: Instance | None
    seed: int | None
    state: int
    deck_name: str = ""
    code: CodeTask | None = None

    @property
    def ref(self) -> str:
        """The card's reference as commands take it: ``deck/id``."""
        return f"{self.deck_id}/{self.card_id}"


def cloze_text(text: str, number: int, reveal: bool) -> str:
    """Render cloze text for deletion ``number``.

    The asked deletion shows ``[...]`` (or ``[hint]``) on the front and the bold answer on the back; the others
    show their text.
    """

    def sub(match: re.Match[str]) -> str:
        n, answer, hint = int(match.group(1)), match.group(2), match.group(3)
        if n != number:
            return answer
        if reveal:
            return f"**{answer}**"
        return f"[{hint}]" if hint else "[...]"

    return CLOZE_RE.sub(sub, text)


def make_view(qc: queue.QueueCard, lang: str, seed: int | None = None) -> CardView:
    """Build the view of a queued card in ``lang`` (drawing the compute instance for ``seed``)."""
    card = Card.from_data(qc.content, line=qc.line)
    question = card.question.get(lang)
    answer = card.answer.get(lang) if card.answer else ""
    instance = None
    code = None
    if card.type is CardType.CODE:
        code = _code_task(card, lang)
        front, back = question, f"```python\n{code.solution.rstrip()}\n```" if code.solution else ""
    elif card.type is CardType.COMPUTE:
        from cvquiz.generators import generate

        assert seed is not None
        instance = generate(card, seed)
        intro = question.strip()
        prompt = instance.prompt.get(lang)
        hint = instance.hint.get(lang) if instance.hint else ""
        front = "\n\n".join(p for p in (intro, prompt, f"*{hint}*" if hint else "") if p)
        back = instance.expected_text
    elif card.type is CardType.REVERSED and qc.ord == 1:
        front, back = answer, question
    elif card.type is CardType.CLOZE:
        front = cloze_text(question, qc.ord, reveal=False)
        back = cloze_text(question, qc.ord, reveal=True) + (f"\n\n{answer}" if answer else "")
    else:
        front, back = question, answer
    return CardView(
        pk=qc.pk,
        deck_id=qc.deck_id,
        card_id=qc.card_id,
        ord=qc.ord,
        type=card.type,
        front=front,
        back=back,
        explanation=card.explanation.get(lang) if card.explanation else None,
        source=card.source,
        location=f"{qc.deck_path or '?'}:{qc.line}",
        tags=card.tags,
        instance=instance,
        seed=seed if card.type is CardType.COMPUTE else None,
        state=int(qc.sched.state),
        deck_name=qc.deck_name or qc.deck_id,
        code=code,
    )


def _code_task(card: Card, lang: str) -> CodeTask:
    return CodeTask(
        card=card,
        starter=card.starter.get(lang) if card.starter else "",
        solution=card.solution.get(lang) if card.solution else "",
        hints=tuple(hint.get(lang) for hint in card.hints),
    )
