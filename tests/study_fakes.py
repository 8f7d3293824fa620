"""What the in-process session tests play a drill with: a clock that moves only when told, and a scripted UI.

Shared by ``test_study.py`` (recall and compute cards) and ``test_study_code.py`` (code cards, which add an
editor to the UI).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cvquiz.model import Rating
from cvquiz.study import Action, Button, CardView, Progress, Rated, Reveal, Screen, Status, Summary

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock that only moves when a test moves it."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ScriptedUI:
    """A `StudyUI` that plays a script of keys and answers and records everything it is shown.

    The script's items are what each read returns in turn: an `Action`, an answer's text (None: Enter on an
    empty answer), a `Rating`, or ``"enter"`` (the proposed rating). An empty script quits.
    """

    script: deque[Any]
    shown: list[tuple[str, Any]] = field(default_factory=list)

    def _take(self, default: Any) -> Any:
        return self.script.popleft() if self.script else default

    def show_front(self, view: CardView, progress: Progress) -> None:
        self.shown.append(("front", view))

    def read_action(self, view: CardView) -> Action:
        return self._take(Action.QUIT)  # type: ignore[no-any-return]

    def read_answer(self, view: CardView) -> str | None:
        return self._take(None)  # type: ignore[no-any-return]

    def show_back(self, view: CardView, reveal: Reveal, buttons: tuple[Button, ...]) -> None:
        self.shown.append(("back", (view, reveal, buttons)))

    def read_rating(self, proposed: Rating | None) -> Rating | Action:
        step = self._take(Action.QUIT)
        return (proposed or Rating.GOOD) if step == "enter" else step  # type: ignore[no-any-return]

    def show_status(self, status: Status) -> None:
        self.shown.append(("status", status))

    def show_help(self, screen: Screen, text: str) -> None:
        self.shown.append(("help", (screen, text)))

    def rated(self, rated: Rated) -> None:
        self.shown.append(("rated", rated))

    def show_summary(self, summary: Summary) -> None:
        self.shown.append(("summary", summary))

    def of(self, kind: str) -> list[Any]:
        """What was shown of one kind ("front", "back", "status", "help", "rated", "summary"), in order."""
        return [what for k, what in self.shown if k == kind]

    def reveals(self) -> list[Reveal]:
        """The `Reveal` of each back shown, in order."""
        return [reveal for _view, reveal, _buttons in self.of("back")]
