"""The drill session as a state machine, free of any terminal code.

A `Session` hands out the next card of today's queue as a `CardView` (front, back, and for a compute card a
fresh instance drawn from a seed), judges typed answers, records ratings (each committed before the next card
is handed out), undoes, suspends and buries, and sums the session up. The terminal UI and the line-by-line
mode in `cvquiz.cli.commands_drill` are two thin drivers over it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.collection import Collection
from cvquiz.collection import scheduling as sched
from cvquiz.config import Settings
from cvquiz.model import CLOZE_RE, Card, CardType, Rating

if TYPE_CHECKING:
    from cvquiz.answers import Judgement
    from cvquiz.generators import Instance


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

    @property
    def ref(self) -> str:
        """The card's reference as commands take it: ``deck/id``."""
        return f"{self.deck_id}/{self.card_id}"


@dataclass(frozen=True)
class Rated:
    """One rating given in the session (for undo and the summary)."""

    review_id: int
    view: CardView
    rating: Rating
    correct: bool | None
    duration_ms: int


@dataclass(frozen=True)
class Summary:
    """The end-of-session summary.

    Attributes:
        studied: ratings given (undone ones not counted).
        again: ratings of Again.
        compute_answered: compute cards answered.
        compute_correct: of which the engine judged correct.
        seconds: time spent on the cards.
        streak: consecutive study days with at least one review, ending today.
        due_tomorrow: cards due by the end of tomorrow's study day.
    """

    studied: int
    again: int
    compute_answered: int
    compute_correct: int
    seconds: float
    streak: int
    due_tomorrow: int

    @property
    def again_rate(self) -> float:
        """Share of Again ratings (0 when nothing was studied)."""
        return self.again / self.studied if self.studied else 0.0

    @property
    def accuracy(self) -> float | None:
        """Share of compute answers judged correct, or None when there were none."""
        return self.compute_correct / self.compute_answered if self.compute_answered else None


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


def make_view(qc: sched.QueueCard, lang: str, seed: int | None = None) -> CardView:
    """Build the view of a queued card in ``lang`` (drawing the compute instance for ``seed``)."""
    card = Card.from_data(qc.content, line=qc.line)
    question = card.question.get(lang)
    answer = card.answer.get(lang) if card.answer else ""
    instance = None
    if card.type is CardType.COMPUTE:
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
    )


@dataclass
class Session:
    """A drill session over today's queue.

    Attributes:
        col: the open collection.
        settings: the user's settings.
        now: a function returning the current time (fixed when ``CVQUIZ_NOW`` is set).
        lang: the language cards are shown in.
        flt: which decks and tags, and the new-card limit.
        rng: where compute seeds come from.
        limit: stop after this many ratings (None: when the queue is empty).
    """

    col: Collection
    settings: Settings
    now: Callable[[], datetime]
    lang: str = "en"
    flt: sched.QueueFilter = field(default_factory=sched.QueueFilter)
    rng: random.Random = field(default_factory=random.Random)
    limit: int | None = None
    rated: list[Rated] = field(default_factory=list)
    _again_next: list[CardView] = field(default_factory=list)

    def next(self) -> CardView | None:
        """Return the next card to show, or None when the session is done (limit reached or nothing due)."""
        if self._again_next:
            return self._again_next.pop()
        if self.limit is not None and len(self.rated) >= self.limit:
            return None
        qc = sched.next_card(self.col, self.now(), self.settings, self.flt)
        if qc is None:
            return None
        seed = self.rng.randrange(2**31) if qc.type == CardType.COMPUTE.value else None
        return make_view(qc, self.lang, seed)

    def push_back(self, view: CardView) -> None:
        """Put a card back so that `next` returns it first."""
        self._again_next.append(view)

    def counts(self) -> sched.QueueCounts:
        """Return the cards left today by kind (new, learning, review)."""
        return sched.queue_counts(self.col, self.now(), self.settings, self.flt)

    def previews(self, view: CardView) -> dict[Rating, str]:
        """Return the interval each rating would give, Anki style ("1m", "6m", "1d", "3d")."""
        from cvquiz.scheduler import format_interval, preview_intervals

        qc = sched.card_by_pk(self.col, view.pk)
        return {
            r: format_interval(d)
            for r, d in preview_intervals(qc.sched, self.now(), self.settings).items()
        }

    def judge(self, view: CardView, text: str) -> Judgement:
        """Judge a typed answer to a compute card.

        Raises:
            AnswerParseError: when the text cannot be read; the user should try again.
        """
        from cvquiz.generators import judge_instance

        assert view.instance is not None
        return judge_instance(view.instance, text)

    def rate(
        self,
        view: CardView,
        rating: Rating,
        duration_ms: int,
        answer: str | None = None,
        correct: bool | None = None,
    ) -> sched.ReviewOutcome:
        """Record a rating; it is committed before this returns."""
        outcome = sched.record_review(
            self.col,
            view.pk,
            rating,
            self.now(),
            self.settings,
            duration_ms=duration_ms,
            answer=answer,
            correct=correct,
            seed=view.seed,
            rng=self.rng,
        )
        self.rated.append(Rated(outcome.review_id, view, rating, correct, duration_ms))
        return outcome

    def undo(self) -> CardView | None:
        """Undo the last rating of this session; its card is shown again next. None when there is none."""
        if not self.rated:
            return None
        last = self.rated.pop()
        sched.undo_review(self.col, last.review_id)
        self._again_next.append(last.view)
        return last.view

    def suspend(self, view: CardView) -> None:
        """Suspend the card (it leaves every queue until unsuspended)."""
        sched.suspend(self.col, [view.pk])

    def bury(self, view: CardView) -> None:
        """Bury the card until the next study day."""
        sched.bury(self.col, view.pk, self.now(), self.settings)

    def summary(self) -> Summary:
        """Sum the session up."""
        now = self.now()
        compute = [r for r in self.rated if r.correct is not None]
        return Summary(
            studied=len(self.rated),
            again=sum(r.rating is Rating.AGAIN for r in self.rated),
            compute_answered=len(compute),
            compute_correct=sum(bool(r.correct) for r in compute),
            seconds=sum(r.duration_ms for r in self.rated) / 1000,
            streak=streak(self.col, clock.study_day(now, self.settings.rollover_hour)),
            due_tomorrow=due_by_end_of_tomorrow(self.col, now, self.settings),
        )


def streak(col: Collection, today: date) -> int:
    """Return the number of consecutive study days with reviews, ending today (or yesterday if none today).

    The same count as ``cvquiz stats`` shows: study days are read from the review log's day index.
    """
    from cvquiz.collection.stats_queries import study_days
    from cvquiz.stats import streaks

    return streaks(study_days(col), today).current


def due_by_end_of_tomorrow(col: Collection, now: datetime, settings: Settings) -> int:
    """Count the studied cards due by the end of tomorrow's study day (overdue ones included).

    Counted by study day, as the queue and `cvquiz status`'s forecast count them.
    """
    today = clock.study_day(now, settings.rollover_hour)
    return sum(sched.due_counts(col, today, today + timedelta(days=1)).values())
