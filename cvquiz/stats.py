"""The figures of ``cvquiz stats``: review heatmap and streaks, true retention, forecast, decks and tags, compute cards.

`collection_stats` gathers everything in a fixed number of aggregate queries (`cvquiz.collection.stats_queries`)
and finishes with NumPy: streaks from the array of study days, the forecast and the predicted retrievability
from arrays of per-card values. No step loops over review rows in Python; the only per-row Python work is
classifying a bounded sample of wrong compute answers (`cvquiz.mistakes`), which must redraw each problem.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.config import Settings
from cvquiz.i18n import N_, _
from cvquiz.model import Text
from cvquiz.streaks import Streak, streaks

if TYPE_CHECKING:
    import numpy as np

    from cvquiz.collection import Collection
    from cvquiz.collection.stats_queries import CardCounts, Scope

__all__ = [
    "HEATMAP_DAYS",
    "MISTAKE_SAMPLE",
    "RANK_MIN_REVIEWS",
    "RETENTION_WINDOWS",
    "DayCount",
    "GeneratorStats",
    "GroupStats",
    "MistakeCount",
    "RetentionWindow",
    "Stats",
    "Streak",
    "check_decks",
    "collection_stats",
    "due_per_day",
    "heat_level",
    "heatmap_cells",
    "streaks",
]

HEATMAP_DAYS = 365
"""The heatmap covers this many study days, today last."""

RETENTION_WINDOWS = (1, 7, 30, 365)
"""True retention is measured over these many study days, each ending today (1 is today alone)."""

RANK_MIN_REVIEWS = 10
"""Decks and tags with fewer reviews in the period are ranked after the others (a rate of 1 in 1 says little)."""

MISTAKE_SAMPLE = 50
"""Wrong compute answers classified per generator: the latest ones in the period (each redraws a problem)."""


@dataclass(frozen=True)
class DayCount:
    """A count for one study day.

    Attributes:
        day: the study day (ISO date).
        count: reviews done (heatmap) or cards due (forecast).
    """

    day: str
    count: int


@dataclass(frozen=True)
class RetentionWindow:
    """True retention over the last ``days`` study days.

    Attributes:
        days: the window (1 is today).
        passed: reviews of cards in the review state not rated Again.
        reviews: reviews of cards in the review state.
        retention: passed / reviews, or None without reviews.
    """

    days: int
    passed: int
    reviews: int
    retention: float | None


@dataclass(frozen=True)
class GroupStats:
    """Cards and recent answers of one deck or one tag.

    Attributes:
        key: the deck id or the tag.
        name: the deck's display name, or the tag.
        cards: active cards (new + learning + young + mature + suspended).
        new: never studied.
        learning: in (re)learning steps.
        young: in review with an interval under 21 days.
        mature: in review with an interval of 21 days or more.
        suspended: suspended.
        leeches: flagged as leeches (they may also be suspended).
        reviews: reviews in the period.
        again: of those, rated Again.
        again_rate: again / reviews, or None without reviews.
    """

    key: str
    name: str
    cards: int
    new: int
    learning: int
    young: int
    mature: int
    suspended: int
    leeches: int
    reviews: int
    again: int
    again_rate: float | None


@dataclass(frozen=True)
class MistakeCount:
    """How often one kind of wrong answer was made.

    Attributes:
        code: the `cvquiz.mistakes.Mistake` code.
        label: what it means.
        count: how many of the classified answers were of this kind.
    """

    code: str
    label: Text
    count: int


@dataclass(frozen=True)
class GeneratorStats:
    """Compute-card answers of one generator in the period.

    Attributes:
        generator: the generator's name.
        answered: answers judged by the engine.
        correct: of those, right.
        accuracy: correct / answered.
        classified: wrong answers classified (the latest, at most `MISTAKE_SAMPLE`).
        mistakes: the kinds of those wrong answers, most common first.
    """

    generator: str
    answered: int
    correct: int
    accuracy: float
    classified: int
    mistakes: tuple[MistakeCount, ...]

    @property
    def top_mistake(self) -> MistakeCount | None:
        """The most common kind of wrong answer the engine could name (``other`` only if nothing else)."""
        named = [m for m in self.mistakes if m.code != "other"]
        return named[0] if named else (self.mistakes[0] if self.mistakes else None)


@dataclass(frozen=True)
class FailureCount:
    """How many failed code-card attempts failed for one reason.

    Attributes:
        kind: the failure kind (`cvquiz.codecards.compare.FailureKind` values: shape, tolerance, timeout...).
        count: attempts that failed so.
    """

    kind: str
    count: int


@dataclass(frozen=True)
class CodeStats:
    """Code-card attempts in the period, in the drill and with ``cvquiz try``.

    Attributes:
        attempts: attempts judged.
        passed: attempts that passed every case.
        cards: distinct cards attempted.
        pass_rate: passed / attempts, or None without attempts.
        failures: the failed attempts by kind, most common first.
    """

    attempts: int = 0
    passed: int = 0
    cards: int = 0
    pass_rate: float | None = None
    failures: tuple[FailureCount, ...] = ()


@dataclass(frozen=True)
class Stats:
    """Everything ``cvquiz stats`` shows.

    Attributes:
        now: when the figures were taken (ISO 8601).
        study_day: today's study day.
        days: the period of the again-rates, compute accuracy and forecast, in study days.
        decks: the decks asked for (empty: all).
        desired_retention: the retention the scheduler aims at.
        heatmap: reviews per study day for the last `HEATMAP_DAYS` days, oldest first.
        streak: current and longest streak.
        retention: true retention over each of `RETENTION_WINDOWS`.
        estimated_retention: the mean FSRS retrievability of the cards in review now, or None.
        review_cards: how many cards that estimate is over.
        forecast: cards due on each of the next ``days`` study days (today includes overdue cards).
        by_deck: per deck, weakest first: the highest again-rate among decks with at least
            `RANK_MIN_REVIEWS` reviews in the period, then those with fewer, then those without.
        by_tag: per tag, in the same order, except that the notes' bookkeeping tags (``notes::19``) come
            after every other tag and are named by their topic ("notes 19: computing detection mAP").
        compute: per compute generator, least accurate first.
        code: code-card attempts in the period.
    """

    now: str
    study_day: str
    days: int
    decks: tuple[str, ...]
    desired_retention: float
    heatmap: tuple[DayCount, ...]
    streak: Streak
    retention: tuple[RetentionWindow, ...]
    estimated_retention: float | None
    review_cards: int
    forecast: tuple[DayCount, ...]
    by_deck: tuple[GroupStats, ...]
    by_tag: tuple[GroupStats, ...]
    compute: tuple[GeneratorStats, ...]
    code: CodeStats = CodeStats()


def heat_level(count: int, top: int, levels: int = 4) -> int:
    """Return the shade of a heatmap cell: 0 for no reviews, else 1..levels in proportion to the busiest day.

    Args:
        count: the day's reviews.
        top: the busiest day's reviews.
        levels: shades besides empty.
    """
    if count <= 0 or top <= 0:
        return 0
    return min(levels, max(1, -(-levels * count // top)))


def heatmap_cells(heatmap: Sequence[DayCount]) -> list[tuple[int, int, DayCount]]:
    """Lay heatmap days out GitHub-style: one column per week (Monday first), one row per weekday.

    Returns:
        (week column, weekday row 0=Monday..6=Sunday, day) for each day, oldest first.
    """
    if not heatmap:
        return []
    first = date.fromisoformat(heatmap[0].day)
    monday = first - timedelta(days=first.weekday())
    cells = []
    for entry in heatmap:
        day = date.fromisoformat(entry.day)
        cells.append(((day - monday).days // 7, day.weekday(), entry))
    return cells


def due_per_day(due: Sequence[tuple[str, int]], first: date, days: int) -> list[int]:
    """Lay out due counts per study day from ``first`` for ``days`` days; overdue cards count on the first.

    Args:
        due: (due study day, cards) pairs, as the schedule's due days are counted.
        first: the first day (today).
        days: how many days to lay out; later due days are ignored.
    """
    import numpy as np

    if days <= 0:
        return []
    grid = np.zeros(days, dtype=np.int64)
    if due:
        offsets = (
            np.asarray([d for d, _ in due], dtype="datetime64[D]")
            - np.datetime64(first.isoformat(), "D")
        ).astype(np.int64)
        offsets = np.maximum(offsets, 0)
        keep = offsets < days
        np.add.at(grid, offsets[keep], np.asarray([n for _, n in due], dtype=np.int64)[keep])
    return [int(n) for n in grid]


@dataclass(frozen=True)
class _Log:
    """The last year of the review log counted by (study day, state before, rating), as arrays."""

    day: np.ndarray  # days since the epoch
    state: np.ndarray
    rating: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[tuple[str, int, int, int]]) -> _Log:
        import numpy as np

        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty)
        days, states, ratings, counts = zip(*rows, strict=True)
        return cls(
            np.asarray(days, dtype="datetime64[D]").astype(np.int64),
            np.asarray(states, dtype=np.int64),
            np.asarray(ratings, dtype=np.int64),
            np.asarray(counts, dtype=np.int64),
        )

    def retention(self, first: date, last: date) -> tuple[int, int]:
        """(passed, total) reviews of review-state cards over study days first..last."""
        import numpy as np

        lo = np.datetime64(first.isoformat(), "D").astype(np.int64)
        hi = np.datetime64(last.isoformat(), "D").astype(np.int64)
        review = (self.state == 2) & (self.day >= lo) & (self.day <= hi)
        return int(self.count[review & (self.rating > 1)].sum()), int(self.count[review].sum())


def _heatmap(log: _Log, today: date) -> tuple[DayCount, ...]:
    import numpy as np

    first = np.datetime64((today - timedelta(days=HEATMAP_DAYS - 1)).isoformat(), "D").astype(
        np.int64
    )
    offsets = log.day - first
    keep = (offsets >= 0) & (offsets < HEATMAP_DAYS)
    grid = np.bincount(offsets[keep], weights=log.count[keep], minlength=HEATMAP_DAYS)
    return tuple(
        DayCount((today - timedelta(days=HEATMAP_DAYS - 1 - i)).isoformat(), int(n))
        for i, n in enumerate(grid)
    )


NOTES_TAG = "notes::"
"""Bundled cards are tagged ``notes::N`` with the item of the interview notes they cover: a bookkeeping tag."""

NOTES_TOPICS: dict[int, str] = {
    1: N_("deriving the cross-entropy loss"),
    2: N_("deriving the SVM loss"),
    3: N_("convolution in code: full, same and valid"),
    5: N_("Python slicing, [::-1]"),
    13: N_("max versus average pooling"),
    16: N_("convolution versus fully connected layers"),
    17: N_("common loss functions"),
    18: N_("debugging and tuning models"),
    19: N_("computing detection mAP"),
    20: N_("instance segmentation metrics"),
    21: N_("deriving backpropagation by hand"),
    22: N_("depthwise-separable convolution"),
    25: N_("batch size and learning rate"),
    26: N_("class imbalance"),
    28: N_("weight initialisation"),
}
"""The topics of the interview notes' items, by number (the headings of the notes the decks grew from)."""


def tag_name(tag: str) -> str:
    """A tag as stats show it: ``notes::19`` as "notes 19: computing detection mAP", any other tag as it is."""
    if not tag.startswith(NOTES_TAG):
        return tag
    number = tag.removeprefix(NOTES_TAG)
    topic = NOTES_TOPICS.get(int(number)) if number.isdigit() else None
    if topic is None:
        return tag
    return _("notes {item}: {topic}").format(item=number, topic=_(topic))


def _groups(
    counts: Iterable[CardCounts],
    again: Iterable[tuple[str, str, int, int]],
    names: dict[str, str],
    by_tag: bool,
) -> tuple[GroupStats, ...]:
    """Add card and answer counts up per deck, or per tag (each tag string split into its tags)."""
    cards: dict[str, list[int]] = {}
    answers: dict[str, list[int]] = {}

    def keys(deck: str, tags: str) -> list[str]:
        return tags.split() if by_tag else [deck]

    for row in counts:
        values = [row.new, row.learning, row.young, row.mature, row.suspended, row.leeches]
        for key in keys(row.deck, row.tags):
            total = cards.setdefault(key, [0] * 6)
            for i, v in enumerate(values):
                total[i] += v
    for deck, tags, n_again, n in again:
        for key in keys(deck, tags):
            total = answers.setdefault(key, [0, 0])
            total[0] += n_again
            total[1] += n
    out = []
    for key in sorted(cards.keys() | answers.keys()):
        new, learning, young, mature, suspended, leeches = cards.get(key, [0] * 6)
        n_again, n = answers.get(key, [0, 0])
        out.append(
            GroupStats(
                key=key,
                name=names.get(key, tag_name(key) if by_tag else key),
                cards=new + learning + young + mature + suspended,
                new=new,
                learning=learning,
                young=young,
                mature=mature,
                suspended=suspended,
                leeches=leeches,
                reviews=n,
                again=n_again,
                again_rate=n_again / n if n else None,
            )
        )
    # weakest first: highest again-rate among groups with enough reviews, then those with a few, then the
    # rest by name; the notes' bookkeeping tags come after every topic tag, whatever their rates
    out.sort(
        key=lambda g: (
            g.key.startswith(NOTES_TAG),
            g.again_rate is None,
            g.reviews < RANK_MIN_REVIEWS,
            -(g.again_rate or 0.0),
            -g.reviews,
            g.name,
        )
    )
    return tuple(out)


def _compute_stats(
    col: Collection, first: date, last: date, scope: Scope, sample: int
) -> tuple[GeneratorStats, ...]:
    from cvquiz.collection import stats_queries as q
    from cvquiz.mistakes import classify
    from cvquiz.model import Card

    accuracy = q.compute_accuracy(col, first, last, scope)
    if not accuracy:
        return ()
    kinds: dict[str, Counter[str]] = {}
    labels: dict[str, Text] = {}
    if sample > 0:
        cards: dict[str, Card] = {}
        for generator, content, seed, answer in q.wrong_compute_answers(
            col, first, last, sample, scope
        ):
            card = cards.get(content)
            if card is None:
                card = cards[content] = Card.from_data(json.loads(content))
            mistake = classify(card, seed, answer)
            kinds.setdefault(generator, Counter())[mistake.code] += 1
            labels[mistake.code] = mistake.label
    out = []
    for generator, correct, answered in accuracy:
        found = kinds.get(generator, Counter())
        out.append(
            GeneratorStats(
                generator=generator,
                answered=answered,
                correct=correct,
                accuracy=correct / answered,
                classified=sum(found.values()),
                mistakes=tuple(
                    MistakeCount(code, labels[code], n)
                    for code, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            )
        )
    out.sort(key=lambda g: (g.accuracy, -g.answered, g.generator))
    return tuple(out)


def _code_stats(col: Collection, first: date, last: date, scope: Scope) -> CodeStats:
    from cvquiz.collection.code_attempts import attempt_counts

    counts = attempt_counts(col, first, last, scope)
    return CodeStats(
        attempts=counts.attempts,
        passed=counts.passed,
        cards=counts.cards,
        pass_rate=counts.passed / counts.attempts if counts.attempts else None,
        failures=tuple(FailureCount(kind, n) for kind, n in counts.kinds),
    )


def check_decks(col: Collection, scope: Scope) -> None:
    """Refuse a deck filter that matches no deck, rather than show empty figures.

    Raises:
        UnknownFilterError: naming each deck asked for that matches nothing, with the closest id.
    """
    from cvquiz.collection.filters import CardFilter, check

    check(col.conn, CardFilter(decks=scope.decks), retired=True)


def _window(days: int, passed: int, total: int) -> RetentionWindow:
    return RetentionWindow(days, passed, total, passed / total if total else None)


def collection_stats(
    col: Collection,
    now: datetime,
    settings: Settings,
    decks: Sequence[str] = (),
    days: int = 30,
    mistake_sample: int = MISTAKE_SAMPLE,
) -> Stats:
    """Return the statistics of a collection, or of some of its decks.

    Args:
        col: the collection.
        now: the current time.
        settings: rollover hour, desired retention and FSRS parameters.
        decks: deck ids to cover, each with the decks nested under it (empty: the whole collection).
        days: the period of the again-rates and compute accuracy, and the forecast's length, in study days.
        mistake_sample: wrong compute answers to classify per generator (0 skips the classification).

    Returns:
        The statistics.

    Raises:
        ValueError: when ``days`` is not positive.
        CardNotFoundError: when a deck asked for matches no deck.
    """
    import numpy as np

    from cvquiz.collection import stats_queries as q
    from cvquiz.scheduler import retrievability_at

    if days < 1:
        raise ValueError("days must be at least 1")
    scope = q.Scope(tuple(decks))
    check_decks(col, scope)
    today = clock.study_day(now, settings.rollover_hour)
    period_start = today - timedelta(days=days - 1)

    year_start = today - timedelta(days=max(HEATMAP_DAYS, *RETENTION_WINDOWS) - 1)
    log = _Log.of(q.day_summary(col, year_start, scope))
    memory = q.memory_rows(col, scope)
    if memory:
        table = np.asarray(memory, dtype=np.float64)
        r = retrievability_at(
            table[:, 0], table[:, 1].astype(np.int64), clock.to_ms(now), settings.parameters
        )
        estimated: float | None = float(r.mean())
    else:
        estimated = None
    due = due_per_day(
        q.due_counts(col, today, today + timedelta(days=days - 1), scope), today, days
    )
    names = q.deck_names(col)
    counts = q.card_counts(col, scope)
    answers = q.answer_counts(col, period_start, today, scope)
    return Stats(
        now=clock.iso_utc(clock.to_ms(now)) or "",
        study_day=today.isoformat(),
        days=days,
        decks=tuple(decks),
        desired_retention=settings.desired_retention,
        heatmap=_heatmap(log, today),
        streak=streaks(q.study_days(col, scope), today),
        retention=tuple(
            _window(n, *log.retention(today - timedelta(days=n - 1), today))
            for n in RETENTION_WINDOWS
        ),
        estimated_retention=estimated,
        review_cards=len(memory),
        forecast=tuple(
            DayCount((today + timedelta(days=i)).isoformat(), n) for i, n in enumerate(due)
        ),
        by_deck=_groups(counts, answers, names, by_tag=False),
        by_tag=_groups(counts, answers, {}, by_tag=True),
        compute=_compute_stats(col, period_start, today, scope, mistake_sample),
        code=_code_stats(col, period_start, today, scope),
    )
