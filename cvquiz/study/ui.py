"""The small typed interface between a study session and a front end, and the values that cross it.

`run_session` (in `cvquiz.study.loop`) drives a `StudyUI`: it shows a card's front, lets the card's kind read
what the user does on it (`cvquiz.study.fronts`), shows the back with the rating buttons, reads a rating or a
command, and reports what happened on a status line. A front end (the terminal, the line/JSON mode, a test's
scripted UI) implements these few methods and nothing else; every message it shows arrives already worded in
the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from cvquiz.model import Rating

if TYPE_CHECKING:
    from cvquiz.collection.queue import QueueCounts
    from cvquiz.study.code_front import CodeResult
    from cvquiz.study.summary import Summary
    from cvquiz.study.view import CardView

__all__ = [
    "Action",
    "Button",
    "Progress",
    "Rated",
    "Reveal",
    "Screen",
    "Status",
    "StudyUI",
    "Verdict",
    "command_keys",
]


class Screen(StrEnum):
    """Where the user is: the front of a recall card, a compute card's answer prompt, or the back; a code card's
    task (before the editor opens) and its result (the back of a code card)."""

    FRONT = "front"
    ANSWER = "answer"
    BACK = "back"
    TASK = "task"
    RESULT = "result"


class Action(StrEnum):
    """What a user can do besides rating (the keys and words ``space u s b e ? q``)."""

    REVEAL = "reveal"
    UNDO = "undo"
    SUSPEND = "suspend"
    BURY = "bury"
    WHERE = "where"
    HELP = "help"
    QUIT = "quit"
    EDIT = "edit"
    HINT = "hint"


COMMAND_KEYS: dict[str, Action] = {
    "u": Action.UNDO,
    "s": Action.SUSPEND,
    "b": Action.BURY,
    "e": Action.WHERE,
    "?": Action.HELP,
    "q": Action.QUIT,
}
"""The one-letter commands every screen takes (the terminal as keys, line mode as words)."""

CODE_KEYS: dict[str, Action] = {
    **{key: action for key, action in COMMAND_KEYS.items() if action is not Action.WHERE},
    "e": Action.EDIT,
    "w": Action.WHERE,
    "h": Action.HINT,
}
"""A code card's commands: ``e`` edits the code, so "where is it defined" moves to ``w``; ``h`` shows a hint."""


def command_keys(screen: Screen) -> dict[str, Action]:
    """The one-letter commands of a screen (a code card's task and result screens have their own)."""
    return CODE_KEYS if screen in (Screen.TASK, Screen.RESULT) else COMMAND_KEYS


@dataclass(frozen=True)
class Progress:
    """The header of a card: what is left today, what was done, and the time spent.

    Attributes:
        counts: cards left today by kind.
        done: ratings given this session.
        elapsed: seconds since the session started.
    """

    counts: QueueCounts
    done: int
    elapsed: float


@dataclass(frozen=True)
class Verdict:
    """How an answer typed on the front was judged.

    Attributes:
        correct: whether it counts as right (False when the user gave up).
        expected: the expected answer as displayed.
        message: one line explaining the verdict ("off by 2 in H (expected 56, got 54)"), in the user's language.
        gave_up: True when the user asked for the solution without answering.
    """

    correct: bool
    expected: str
    message: str
    gave_up: bool = False


@dataclass(frozen=True)
class Reveal:
    """What a card's front interaction ends with when the back is to be shown.

    Attributes:
        verdict: the judged answer (compute cards), or None (recall cards).
        answer: the text the user typed, or None.
        proposed: the rating Enter gives (Good for right, Again for wrong or given up), or None (recall).
        solution: a worked solution (Markdown) to show on the back, or None.
        screen: the back's screen (`Screen.RESULT` for a code card: its keys and help differ).
        code: a code card's attempts in this review and the model solution, or None.
        resume: what ``e`` on the back does (a code card: edit the code again and judge it), or None; it returns
            the new back, or the action that ends the card (quit, suspend...).
    """

    verdict: Verdict | None = None
    answer: str | None = None
    proposed: Rating | None = None
    solution: str | None = None
    screen: Screen = Screen.BACK
    code: CodeResult | None = None
    resume: Callable[[], Reveal | Action] | None = None


@dataclass(frozen=True)
class Button:
    """One rating button: its rating and the interval it gives, exactly as the card will get it.

    Attributes:
        rating: the rating.
        interval: the label ("10m", "3d", "1.2mo").
        days: the interval in days (fractional for minutes).
    """

    rating: Rating
    interval: str
    days: float


@dataclass(frozen=True)
class Status:
    """A one-line report of what just happened (suspend, bury, undo, leech, an unreadable answer...).

    Attributes:
        kind: ``suspend``, ``bury``, ``undo``, ``nothing-to-undo``, ``cannot-undo``, ``leech``, ``unreadable``,
            ``info``, ``waiting`` (a rating waits for another cvquiz writing) or ``not-saved`` (it waited too
            long: rate again).
        message: the line, in the user's language.
        card: the card it is about (``deck/id``), or None.
        undoable: the line ends in "u: undo".
        data: more fields for the JSON events (e.g. what an undo undid).
    """

    kind: str
    message: str
    card: str | None = None
    undoable: bool = False
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rated:
    """One rating, as confirmed to the user.

    Attributes:
        card: the card (``deck/id``).
        rating: the rating given.
        interval: the interval it got ("10m", "3d").
        due: when the card is due again (ISO 8601), or None.
        review_id: the review's row id.
        cram: a cram review: logged, the schedule unchanged (no interval, no due).
    """

    card: str
    rating: Rating
    interval: str
    due: str | None
    review_id: int
    cram: bool = False


class StudyUI(Protocol):
    """What a study session needs from a front end.

    A new kind of card does not change this interface: its front interaction (`cvquiz.study.fronts`) calls
    `read_answer` or, for a richer interaction, a Protocol of its own that front ends may also implement.
    """

    def show_front(self, view: CardView, progress: Progress) -> None:
        """Show a card's front under the header (and the status line, if one is pending)."""

    def read_action(self, view: CardView) -> Action:
        """Wait on a recall card's front for reveal or a command."""

    def read_answer(self, view: CardView) -> str | None:
        """Read one typed answer (or a command word) on a compute card; None at the end of input."""

    def show_back(self, view: CardView, reveal: Reveal, buttons: tuple[Button, ...]) -> None:
        """Show the back: the verdict, the answer and solution, and the rating buttons."""

    def read_rating(self, proposed: Rating | None) -> Rating | Action:
        """Wait for a rating (Enter gives ``proposed``, or Good) or a command."""

    def show_status(self, status: Status) -> None:
        """Show a status line: it stays until the next key."""

    def show_help(self, screen: Screen, text: str) -> None:
        """Show the help of one screen."""

    def rated(self, rated: Rated) -> None:
        """Confirm a rating (the line mode prints it; the terminal moves on)."""

    def show_summary(self, summary: Summary) -> None:
        """Show the end-of-session summary."""
