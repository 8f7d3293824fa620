"""Reviews done in Anki, merged into the collection: the review log gains them, the cards' states are replayed.

`merge_package` takes a package read by `cvquiz.anki.package_reader` and the cards its notes stand for:

* the notes cvquiz exported, recognised by their GUID (`cvquiz.anki.exporter.note_guid`) and a cvquiz note
  type (`match_exported`); a cloze card ``cN`` is Anki's template N - 1, a compute card's progress lives on
  its first problem;
* or the notes of a shared deck cvquiz converted (`cvquiz.anki.shared_deck`), whose targets it builds.

For each card, Anki's review-log entries are sorted out by type, as Anki itself tells them apart
(``rslib/src/revlog/mod.rs``): learning, review and relearning answers, and answers in a filtered deck that
reschedules, are reviews; answers in a filtered deck that does not reschedule (cramming: type 3, factor 0)
are not; manual and automatic reschedules (types 4 and 5, no rating) are not; a reset ("Forget", type 4,
factor 0) makes the card new for the reviews after it. A review already in the log (the same card and rating
within a second: cvquiz's own reviews come back from an export) is not added twice, so importing a file
again changes nothing. An entry no Anki writes (a time before 1970 or past 9899, a negative time taken, a
type or button Anki does not define) is left out and counted, so the log only holds what a JSON backup
restores.

A card that gains reviews has its whole history replayed through the scheduler (`cvquiz.replay`), in time
order: the new reviews are logged with the states they lead to, older reviews whose states change are
corrected, and the card gets the final state. Everything is written in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cvquiz import clock
from cvquiz.anki import notetypes
from cvquiz.anki.package_reader import Package, PackageNote, RevlogEntry
from cvquiz.collection.anki_merge import (
    CardRow,
    NewReview,
    ReviewUpdate,
    StoredReview,
    card_rows,
    history,
    schedule_rows,
    write_merge,
)
from cvquiz.model import CardType, Rating, State
from cvquiz.replay import Event, replay
from cvquiz.scheduler import SchedState, due_day

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.config import Settings

__all__ = [
    "DeckMerge",
    "ExportedNotes",
    "MergeResult",
    "SkippedReviews",
    "Targets",
    "match_exported",
    "merge_package",
    "readable",
]

SAME_REVIEW_MS = 1000
"""An Anki entry with the same rating as a logged review of the card less than this apart is that review
(an export moves reviews logged in the same millisecond apart by 1 ms, as Anki's log ids must be unique)."""

FILTERED, MANUAL, RESCHEDULED = 3, 4, 5
"""Anki's revlog types for answers in a filtered deck, manual reschedules and automatic ones."""
REVLOG_TYPES = range(0, RESCHEDULED + 1)
"""The revlog types Anki writes: learn, review, relearn, filtered, manual, rescheduled (rslib/src/revlog)."""
EASES = range(0, 5)
"""The buttons Anki logs: 0 for a reschedule, 1 again … 4 easy."""
EARLIEST_MS = int(clock.EARLIEST.timestamp() * 1000)
LATEST_MS = int(clock.LATEST.timestamp() * 1000)
"""The review times cvquiz takes from Anki: those its own clock accepts (`cvquiz.clock.EARLIEST`/`LATEST`), so
the states they lead to, due up to 100 years later, are times a JSON backup can hold and restore."""
MAX_TIME_MS = 2**31 - 1
"""The longest time taken Anki keeps (its Check Database clamps ``time`` to 0 … i32::MAX ms,
rslib/src/storage/revlog/fix_props.sql)."""


@dataclass
class Targets:
    """Which cvquiz card each Anki card of a package stands for.

    Attributes:
        cards: Anki card id to the cvquiz card.
        notes: why notes were left out, with how many (``unknown``, ``note type changed``...).
        edited: the cvquiz cards (``deck/id``) whose Anki note was edited in Anki.
        unknown: the notes cvquiz did not export (their ids).
        entries: Anki card id to a reason its reviews are not merged (compute problems beyond the first,
            cards no longer in the deck).
    """

    cards: dict[int, CardRow] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)
    edited: list[str] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    entries: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeckMerge:
    """What a merge adds to one deck.

    Attributes:
        deck: the deck id.
        reviews: reviews added.
        cards: cards whose state was recomputed.
    """

    deck: str
    reviews: int
    cards: int


@dataclass(frozen=True)
class SkippedReviews:
    """Anki review-log entries of known cards that were not added, by reason.

    Attributes:
        already_logged: already in cvquiz's log (from cvquiz, or from an earlier import).
        cram: answers in a filtered deck that does not reschedule.
        rescheduled: manual and automatic reschedules (set due date, FSRS rescheduling): no rating.
        resets: resets ("Forget"): not reviews, but the reviews after one start from a new card.
        other_problems: answers to a compute card's problems beyond the first (only the first carries its
            progress).
        retired: entries of cards no longer in their cvquiz deck.
        unreadable: entries no Anki writes: a time before 1970 or past 9899, a negative or overlong time
            taken, an unknown type or button.
    """

    already_logged: int = 0
    cram: int = 0
    rescheduled: int = 0
    resets: int = 0
    other_problems: int = 0
    retired: int = 0
    unreadable: int = 0


@dataclass(frozen=True)
class MergeResult:
    """What merging a package's reviews did (or, with ``dry_run``, would do).

    Attributes:
        path: the package.
        dry_run: True when nothing was written.
        decks: per deck, the reviews added and cards recomputed.
        reviews: reviews added in all.
        cards: cards whose state was recomputed.
        skipped: the entries not added, by reason.
        notes: notes left out, by reason (``unknown``: not made by cvquiz; ``note type changed``).
        edited: cards whose note was edited in Anki (their text stays cvquiz's; their progress merges).
    """

    path: str
    dry_run: bool
    decks: tuple[DeckMerge, ...]
    reviews: int
    cards: int
    skipped: SkippedReviews
    notes: dict[str, int]
    edited: tuple[str, ...]


# --- which cvquiz card each Anki card is ----------------------------------------------------------------

_CVQUIZ_TYPES = {nt.id: nt for nt in notetypes.NOTE_TYPES}
_CVQUIZ_NAMES = {nt.name: nt for nt in notetypes.NOTE_TYPES}


@dataclass(frozen=True)
class ExportedNotes:
    """The GUIDs the collection's deck entries are exported under.

    Attributes:
        entries: GUID to the entry's review cards (all ords).
    """

    entries: dict[str, list[CardRow]]


def _exported(rows: Sequence[CardRow]) -> ExportedNotes:
    from cvquiz.anki.exporter import note_guid

    groups: dict[tuple[str, str], list[CardRow]] = {}
    for row in rows:
        groups.setdefault((row.deck_id, row.card_id), []).append(row)
    entries: dict[str, list[CardRow]] = {}
    for (deck, card), cards in groups.items():
        compute = cards[0].type == CardType.COMPUTE.value
        entries[note_guid(deck, card, 0 if compute else None)] = cards
    return ExportedNotes(entries)


def _edited(note: PackageNote, row: CardRow) -> bool:
    """True when no export language gives the note's fields (tags and Anki's own changes aside)."""
    from cvquiz.anki.exporter import note_fields

    for lang in ("both", "en", "zh"):
        expected = note_fields(row.deck_id, row.card_id, row.content, lang).get(note.guid)
        if expected is not None and tuple(expected) == note.fields[: len(expected)]:
            return False
    return True


def match_exported(col: Collection, package: Package) -> Targets:
    """Match a package's notes to the cards cvquiz exported them from.

    Args:
        col: the collection.
        package: the package.

    Returns:
        The Anki cards that are cvquiz cards, and the notes left out.
    """
    exported = _exported(card_rows(col))
    targets = Targets()
    cards_by_note: dict[int, list[Any]] = {}
    for card in package.cards:
        cards_by_note.setdefault(card.note_id, []).append(card)
    for note in package.notes:
        notetype = package.notetypes.get(note.notetype_id)
        ours = None
        if notetype is not None:
            ours = (
                _CVQUIZ_TYPES.get(notetype.id)
                or _CVQUIZ_TYPES.get(notetype.original_id or 0)
                or _CVQUIZ_NAMES.get(notetype.name)
            )
        rows = exported.entries.get(note.guid)
        if rows is None:
            if ours is notetypes.COMPUTE:
                for card in cards_by_note.get(note.id, ()):
                    targets.entries[card.id] = "other_problems"
            else:
                targets.notes["unknown"] += 1
                targets.unknown.append(note.id)
            continue
        if ours is None:
            targets.notes["note type changed"] += 1
            continue
        if _edited(note, rows[0]):
            targets.edited.append(f"{rows[0].deck_id}/{rows[0].card_id}")
        by_ord = {row.ord: row for row in rows}
        for card in cards_by_note.get(note.id, ()):
            row = by_ord.get(card.ord + 1 if ours.cloze else card.ord)
            if row is None or not row.active:
                targets.entries[card.id] = "retired"
            else:
                targets.cards[card.id] = row
    return targets


# --- the merge -------------------------------------------------------------------------------------------


def readable(entry: RevlogEntry) -> bool:
    """True when a review-log entry is one Anki writes and cvquiz can keep: a time from 1970 to 9899, a time
    taken of 0 to Anki's cap, a known type and button (anything else is left out, never guessed at)."""
    return (
        EARLIEST_MS <= entry.id <= LATEST_MS
        and 0 <= entry.time <= MAX_TIME_MS
        and entry.type in REVLOG_TYPES
        and entry.ease in EASES
    )


def _kind(entry: RevlogEntry) -> str:
    """``review``, ``cram``, ``reset`` or ``rescheduled`` (Anki's own tests, rslib/src/revlog/mod.rs) of a
    `readable` entry."""
    if entry.ease == 0 or entry.type in (MANUAL, RESCHEDULED):
        if entry.type == MANUAL and entry.factor == 0:
            return "reset"
        return "rescheduled"
    if entry.type == FILTERED and entry.factor == 0:
        return "cram"
    return "review"


def _full_row(state: SchedState, current: Mapping[str, Any], rollover: int) -> dict[str, Any]:
    day = due_day(state, rollover)
    return {
        **state.to_row(),
        "suspended": current["suspended"],
        "buried_until": current["buried_until"],
        "leech": current["leech"],
        "due_day": None if day is None else day.isoformat(),
    }


def _logged(stored: Sequence[StoredReview], entry: RevlogEntry) -> bool:
    return any(
        r.rating == entry.ease and abs(r.reviewed_at - entry.id) < SAME_REVIEW_MS for r in stored
    )


@dataclass
class _Plan:
    added: list[NewReview] = field(default_factory=list)
    updated: list[ReviewUpdate] = field(default_factory=list)
    schedules: dict[int, dict[str, Any]] = field(default_factory=dict)
    per_deck: dict[str, list[int]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


def _events(
    stored: Sequence[StoredReview], current: Mapping[str, Any], new: Sequence[RevlogEntry]
) -> list[Event]:
    events: list[Event] = []
    for index, review in enumerate(stored):
        if index and review.state_before == State.NEW:
            # reset here (cvquiz forget): the card was new again before this review
            events.append(Event(clock.from_ms(review.reviewed_at), None))
        events.append(Event(clock.from_ms(review.reviewed_at), Rating(review.rating), review))
    if stored and current["state"] == State.NEW:
        events.append(Event(clock.from_ms(stored[-1].reviewed_at), None))  # forgotten since
    for entry in new:
        rating = None if _kind(entry) == "reset" else Rating(entry.ease)
        events.append(Event(clock.from_ms(entry.id), rating, entry))
    return events


def _same(recorded: Mapping[str, Any], state: SchedState) -> bool:
    return SchedState.from_row(recorded) == state


def _plan_card(
    plan: _Plan,
    row: CardRow,
    stored: list[StoredReview],
    current: dict[str, Any],
    entries: Sequence[RevlogEntry],
    settings: Settings,
) -> None:
    fresh: list[RevlogEntry] = []
    for entry in entries:
        kind = _kind(entry)
        if kind == "review" and _logged(stored, entry):
            plan.skipped["already_logged"] += 1
        elif kind in ("review", "reset"):
            fresh.append(entry)
            if kind == "reset":
                plan.skipped["resets"] += 1
        else:
            plan.skipped[kind] += 1
    if not any(_kind(e) == "review" for e in fresh):
        return
    rollover = settings.rollover_hour
    steps, final = replay(_events(stored, current, fresh), settings, row.pk)
    added = 0
    for step in steps:
        before = _full_row(step.before, current, rollover)
        after = _full_row(step.after, current, rollover)
        key = step.event.key
        if isinstance(key, StoredReview):
            if not (_same(key.before, step.before) and _same(key.after, step.after)):
                if "siblings" in key.before:
                    before["siblings"] = key.before["siblings"]
                plan.updated.append(ReviewUpdate(key.id, before, after))
        elif isinstance(key, RevlogEntry):
            at = clock.from_ms(key.id)
            plan.added.append(
                NewReview(
                    row.pk,
                    key.id,
                    clock.study_day(at, rollover).isoformat(),
                    key.ease,
                    key.time or None,
                    before,
                    after,
                )
            )
            added += 1
    leech = bool(current["leech"]) or final.lapses >= settings.leech_threshold
    became_leech = leech and not current["leech"]
    schedule = _full_row(final, current, rollover)
    schedule["leech"] = int(leech)
    if became_leech and settings.leech_action == "suspend":
        schedule["suspended"] = 1
    plan.schedules[row.pk] = schedule
    counts = plan.per_deck.setdefault(row.deck_id, [0, 0])
    counts[0] += added
    counts[1] += 1


def merge_package(
    col: Collection,
    package: Package,
    targets: Targets,
    settings: Settings,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeResult:
    """Add the Anki reviews of the matched cards to the log and recompute those cards' states.

    Args:
        col: the collection.
        package: the package read.
        targets: which cvquiz card each Anki card is (`match_exported`, or a shared deck's).
        settings: the scheduler settings, rollover hour and leech rules.
        dry_run: work everything out, write nothing.
        progress: called with (done, total) cards.

    Returns:
        What was (or would be) merged and what was left out, and why.

    Raises:
        ConfigError: when py-fsrs rejects the parameters.
    """
    by_card: dict[int, list[RevlogEntry]] = {}
    skipped: Counter[str] = Counter()
    for entry in package.revlog:
        reason = targets.entries.get(entry.card_id)
        if reason is not None:
            skipped[reason] += 1
        elif entry.card_id in targets.cards:
            if not readable(entry):
                skipped["unreadable"] += 1
                continue
            by_card.setdefault(targets.cards[entry.card_id].pk, []).append(entry)
    rows = {row.pk: row for row in targets.cards.values()}
    plan = _Plan()
    with col.transaction() as conn:
        stored = history(conn, sorted(by_card))
        current = schedule_rows(conn, sorted(by_card))
        for done, (pk, entries) in enumerate(sorted(by_card.items()), 1):
            _plan_card(plan, rows[pk], stored[pk], current[pk], entries, settings)
            if progress is not None:
                progress(done, len(by_card))
        if not dry_run:
            write_merge(conn, plan.added, plan.updated, plan.schedules)
    skipped.update(plan.skipped)
    return MergeResult(
        path=str(package.path),
        dry_run=dry_run,
        decks=tuple(
            DeckMerge(deck, reviews, cards)
            for deck, (reviews, cards) in sorted(plan.per_deck.items())
        ),
        reviews=len(plan.added),
        cards=len(plan.schedules),
        skipped=SkippedReviews(**{k: int(v) for k, v in skipped.items()}),
        notes=dict(targets.notes),
        edited=tuple(sorted(targets.edited)),
    )
