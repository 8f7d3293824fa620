"""The code-card services over the collection: judge a file against a card (``cvquiz try``), record and list
attempts.

`try_file` finds the card a person named, reads the file (at most `MAX_FILE_BYTES`, UTF-8), judges it, records
the attempt and returns the verdict; everything a person can get wrong before the code runs (an unknown card, a
card that is not a code card, an unreadable file, no function of the card's name in it) is a `UsageError`
(exit code 2), and nothing is recorded for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz import clock
from cvquiz.codecards.compare import FailureKind
from cvquiz.codecards.judge import Verdict
from cvquiz.errors import CardNotFoundError, UsageError
from cvquiz.fileio import read_text_file
from cvquiz.i18n import _
from cvquiz.model import Card, CardType

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.collection.code_attempts import Attempt

__all__ = [
    "MAX_FILE_BYTES",
    "AttemptView",
    "CodeCard",
    "card_attempts",
    "find_code_card",
    "read_submission",
    "record",
    "try_file",
]

MAX_FILE_BYTES = 1024 * 1024
"""A larger file is refused: no function an interview asks for is that long."""


@dataclass(frozen=True)
class CodeCard:
    """A code card found in the collection.

    Attributes:
        ref: ``deck/id``.
        pk: its review card's key.
        card: the card.
    """

    ref: str
    pk: int
    card: Card


def find_code_card(col: Collection, reference: str) -> CodeCard:
    """Find the code card a person named (``deck/id`` or an unambiguous prefix).

    Raises:
        UsageError: no such card, several, or a card that is not a code card.
    """
    from cvquiz.cards import resolve
    from cvquiz.collection.code_attempts import card_content

    try:
        found = resolve(col, reference)
    except CardNotFoundError as error:
        raise UsageError(str(error)) from None
    content = card_content(col, found.pks[0])
    card = Card.from_data(content or {"id": found.id}, line=found.line)
    if card.type is not CardType.CODE:
        raise UsageError(
            _("{card} is a {type} card, not a code card").format(
                card=found.ref, type=card.type.label
            )
        )
    return CodeCard(found.ref, found.pks[0], card)


def read_submission(path: Path) -> str:
    """Read a submission file.

    Raises:
        UsageError: the file cannot be read, is too large, or is not UTF-8 text.
    """
    # Read, never sized first: a device or a FIFO has no size, and /dev/zero has no end.
    text = read_text_file(path, MAX_FILE_BYTES, error=UsageError)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def record(
    col: Collection,
    code_card: CodeCard,
    code: str,
    verdict: Verdict,
    now: datetime,
    rollover_hour: int,
    source: str,
) -> int:
    """Record an attempt (committed at once) and return its id."""
    from cvquiz.collection.code_attempts import NewAttempt, record_attempt

    return record_attempt(
        col,
        NewAttempt(
            card_pk=code_card.pk,
            attempted_at=clock.to_ms(now),
            study_day=clock.study_day(now, rollover_hour).isoformat(),
            source=source,
            code=code,
            passed=verdict.passed,
            cases=verdict.cases,
            failed=verdict.failed,
            kind=None if verdict.kind is None else verdict.kind.value,
            summary=verdict.summary,
            seconds=verdict.seconds,
        ),
    )


def try_file(
    col: Collection,
    reference: str,
    path: Path,
    now: datetime,
    rollover_hour: int = 4,
    lang: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> Verdict:
    """Judge a file against a code card and record the attempt (``cvquiz try``).

    Args:
        col: the collection (synced).
        reference: the card, ``deck/id`` or a prefix.
        path: the Python file.
        now: the current time (the attempt's time).
        rollover_hour: when the study day starts.
        lang: the language of edge-case labels.
        progress: called as ``progress(done, total)`` while judging.

    Returns:
        The verdict, ``card`` being the full ``deck/id``.

    Raises:
        UsageError: an unknown card or not a code card, an unreadable file, or no function of the card's name
            in it.
        CodeCardError: a card that cannot be judged (an unknown judge in a user's deck).
    """
    from cvquiz.codecards.judge import judge_code
    from cvquiz.codecards.spec import code_spec

    code_card = find_code_card(col, reference)
    code = read_submission(path)
    spec = code_spec(code_card.card)
    verdict = judge_code(spec, code, filename=str(path), progress=progress, lang=lang)
    if verdict.kind is FailureKind.MISSING:
        raise UsageError(f"{path}: {verdict.summary}")
    verdict = dataclasses.replace(verdict, card=code_card.ref)
    record(col, code_card, code, verdict, now, rollover_hour, "try")
    return verdict


@dataclass(frozen=True)
class AttemptView:
    """One attempt, as ``cvquiz show`` lists it.

    Attributes:
        attempted_at: when (ISO 8601 UTC).
        source: ``"drill"`` or ``"try"``.
        passed: every case passed.
        cases: cases in the set.
        failed: cases that failed.
        kind: why it failed, or None.
        summary: the one-line verdict.
        seconds: how long judging took.
        code: the submission.
    """

    attempted_at: str | None
    source: str
    passed: bool
    cases: int
    failed: int
    kind: str | None
    summary: str
    seconds: float
    code: str


def _view(attempt: Attempt) -> AttemptView:
    return AttemptView(
        attempted_at=clock.iso_utc(attempt.attempted_at),
        source=attempt.source,
        passed=attempt.passed,
        cases=attempt.cases,
        failed=attempt.failed,
        kind=attempt.kind,
        summary=attempt.summary,
        seconds=attempt.seconds,
        code=attempt.code,
    )


def card_attempts(col: Collection, card_pks: tuple[int, ...]) -> list[AttemptView]:
    """Every attempt at a card's review cards, oldest first."""
    from cvquiz.collection.code_attempts import attempts_of

    return [_view(a) for a in attempts_of(col, card_pks)]
