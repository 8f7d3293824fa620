"""Code cards in a study session, in process: a scripted UI with a fake editor, a real collection and judge.

The judge runs each attempt in its child process exactly as in the drill; only the editor is a function that
writes the next scripted code into the scratch file (and notes what the file held when it was opened).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from study_fakes import NOW, Clock, ScriptedUI

from cvquiz.collection import Collection
from cvquiz.collection.queue import QueueFilter
from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.study import (
    Action,
    CardView,
    Screen,
    Session,
    Summary,
    run_session,
)
from cvquiz.study.code_front import CodeAttempt, CodeUI, proposed_rating

STARTER = '''import numpy as np


def reverse_rows(a):
    """The rows of a 2-D array in reverse order, as a new array."""
'''

DECK = f"""\
deck: mine
name: Mine
cards:
  - id: rev
    type: code
    question: {{zh: 写出 reverse_rows(a)。, en: Write reverse_rows(a).}}
    starter: |
{"".join("      " + line + chr(10) if line else chr(10) for line in STARTER.splitlines())}
    judge: {{reference: reverse_rows, inputs: matrix}}
    solution: |
      def reverse_rows(a):
          return a[::-1].copy()
    hints: [A slice is a view., Copy it.]
  - {{id: zz, question: A recall card after it, answer: Its answer}}
"""

RIGHT = "def reverse_rows(a):\n    return a[::-1].copy()\n"
VIEW = "def reverse_rows(a):\n    return a[::-1]\n"  # a view of the argument: fails the judge
ROWS_ONLY = (
    "def reverse_rows(a):\n    return a[:, ::-1].copy()\n"  # reverses the columns: wrong values
)


@dataclass
class FakeEditor:
    """Writes the next scripted text into the file it is given; an int in the script is an exit status."""

    texts: deque[str | int]
    opened_with: list[str] = field(default_factory=list)

    def __call__(self, path: Path) -> int:
        self.opened_with.append(path.read_text(encoding="utf-8"))
        step = self.texts.popleft()
        if isinstance(step, int):
            return step
        path.write_text(step, encoding="utf-8")
        return 0


@dataclass
class EditorUI(ScriptedUI):
    """The scripted UI with an editor (`CodeUI`), as the terminal has one."""

    editor: Callable[[Path], int] = field(default_factory=lambda: FakeEditor(deque()))

    def can_edit(self) -> bool:
        return True

    def edit_code(self, view: CardView, path: Path) -> int:
        self.shown.append(("edit", path.name))
        return self.editor(path)

    def judging(self, view: CardView, done: int, total: int) -> None:
        self.shown.append(("judging", (done, total)))


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(DECK, encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as opened:
        opened.sync_decks(tmp_path / "none", decks, NOW)
        yield opened


def session(col: Collection, clock: Clock | None = None) -> Session:
    return Session(
        col=col,
        settings=Settings(),
        now=clock or Clock(),
        flt=QueueFilter(decks=("mine",)),
        rng=random.Random(7),
    )


def play(s: Session, ui: ScriptedUI) -> Summary:
    ticks = iter(range(0, 10_000, 2))
    return run_session(s, ui, timer=lambda: float(next(ticks)))


def editing(*texts: str | int) -> tuple[FakeEditor, Callable[..., EditorUI]]:
    editor = FakeEditor(deque(texts))

    def ui(*script: Any) -> EditorUI:
        return EditorUI(deque(script), editor=editor)

    return editor, ui


def attempts(col: Collection) -> list[tuple[str, str, int, str | None]]:
    return col.conn.execute(
        "SELECT source, code, passed, kind FROM code_attempts ORDER BY id"
    ).fetchall()


def reviews(col: Collection) -> list[tuple[int, int | None]]:
    return col.conn.execute("SELECT rating, correct FROM reviews ORDER BY id").fetchall()


def test_the_terminal_ui_and_the_scripted_one_are_code_uis() -> None:
    assert isinstance(EditorUI(deque()), CodeUI)
    assert not isinstance(ScriptedUI(deque()), CodeUI)  # line mode: the answer is a file's path


def test_passing_at_the_first_attempt_proposes_good(col: Collection) -> None:
    editor, make = editing(RIGHT)
    ui = make(Action.EDIT, "enter", Action.QUIT)
    summary = play(session(col), ui)
    assert editor.opened_with == [STARTER]  # the scratch file held the starter code
    assert ui.of("edit") == ["reverse_rows.py"]  # named after the function, for the editor's syntax
    progress = ui.of("judging")
    total = progress[0][1]
    assert progress[0] == (0, total) and progress[-1] == (total, total) and total >= 10
    (reveal,) = ui.reveals()
    assert reveal.screen is Screen.RESULT and reveal.proposed is Rating.GOOD
    assert reveal.code.latest.verdict.passed and reveal.verdict.correct
    assert reveal.code.solution.startswith("def reverse_rows")  # the model solution is on the back
    assert attempts(col) == [("drill", RIGHT, 1, None)]
    assert reviews(col) == [(3, 1)]
    assert (summary.code_answered, summary.code_passed) == (1, 1)
    assert summary.compute_answered == 0  # a code card is not a compute answer


def test_passing_after_a_fix_in_the_same_review_proposes_hard(col: Collection) -> None:
    editor, make = editing(VIEW, RIGHT)
    ui = make(Action.EDIT, Action.EDIT, "enter", Action.QUIT)
    play(session(col), ui)
    first, second = ui.reveals()
    assert first.proposed is Rating.AGAIN and not first.verdict.correct
    failure = first.code.latest.verdict.first_failure
    assert failure is not None and failure.kind == "mutation"  # the judge names the difference
    assert second.proposed is Rating.HARD and second.verdict.correct
    assert [a.number for a in second.code.attempts] == [1, 2]
    assert editor.opened_with == [STARTER, VIEW]  # `e` reopens the code just judged
    assert attempts(col) == [("drill", VIEW, 0, "mutation"), ("drill", RIGHT, 1, None)]
    assert reviews(col) == [(2, 1)]  # one review, rated Hard, counted as passed


def test_failing_proposes_again_and_the_next_review_opens_the_last_attempt(
    col: Collection,
) -> None:
    editor, make = editing(ROWS_ONLY, RIGHT)
    clock = Clock()
    ui = make(Action.EDIT, "enter", Action.QUIT)
    summary = play(session(col, clock), ui)
    (reveal,) = ui.reveals()
    assert reveal.proposed is Rating.AGAIN
    assert reveal.code.latest.verdict.kind == "tolerance"
    assert reviews(col) == [(1, 0)]
    assert (summary.code_answered, summary.code_passed) == (1, 0)
    clock.now += timedelta(minutes=5)  # the relearning step is over
    ui = make(Action.EDIT, "enter", Action.QUIT)
    play(session(col, clock), ui)
    assert editor.opened_with == [STARTER, ROWS_ONLY]  # the scratch file holds the last attempt
    (reveal,) = ui.reveals()
    assert reveal.proposed is Rating.GOOD  # passed at this review's first attempt
    assert [row[2] for row in attempts(col)] == [0, 1]


def test_space_shows_the_model_solution_without_an_attempt(col: Collection) -> None:
    _editor, make = editing()
    ui = make(Action.REVEAL, "enter", Action.QUIT)
    play(session(col), ui)
    (reveal,) = ui.reveals()
    assert reveal.code.attempts == () and reveal.verdict.gave_up
    assert reveal.proposed is Rating.AGAIN
    assert attempts(col) == [] and reviews(col) == [(1, 0)]


def test_a_pass_after_seeing_the_solution_is_not_good(col: Collection) -> None:
    _editor, make = editing(RIGHT)
    ui = make(Action.REVEAL, Action.EDIT, "enter", Action.QUIT)  # the solution first, then `e`
    play(session(col), ui)
    shown, passed = ui.reveals()
    assert shown.proposed is Rating.AGAIN
    assert passed.code.latest.verdict.passed and passed.proposed is Rating.HARD
    assert reviews(col) == [(2, 1)]


def test_nothing_is_judged_when_the_file_is_unchanged_or_the_editor_fails(
    col: Collection,
) -> None:
    editor, make = editing(STARTER, 1, RIGHT, RIGHT)
    # the starter unchanged, then an editor exiting with 1: back on the task screen each time;
    # then a pass, and `e` saving the same code again: the back stays as it was
    ui = make(Action.EDIT, Action.EDIT, Action.EDIT, Action.EDIT, "enter", Action.QUIT)
    play(session(col), ui)
    messages = [s.message for s in ui.of("status")]
    assert messages == [
        "The file still holds the starter code: nothing to judge. (An editor that opens a window must "
        "wait until the file is closed: code --wait, subl -w, gvim -f.)",
        "The editor exited with status 1: nothing was judged.",
        "The code is unchanged since the last attempt.",
    ]
    assert len(ui.reveals()) == 2 and ui.reveals()[1].proposed is Rating.GOOD
    assert attempts(col) == [("drill", RIGHT, 1, None)]
    assert not editor.texts


def test_an_editor_that_removes_the_file_or_puts_a_folder_there_judges_nothing(
    col: Collection,
) -> None:
    def remove(path: Path) -> int:
        path.unlink()
        return 0

    def folder(path: Path) -> int:
        path.unlink()
        path.mkdir()
        return 0

    for editor, message in (
        (remove, "The editor removed the file: nothing was judged."),
        (folder, "The editor put a folder in the file's place: nothing was judged."),
    ):
        ui = EditorUI(deque([Action.EDIT, Action.QUIT]), editor=editor)
        play(session(col), ui)
        assert [(s.kind, s.message) for s in ui.of("status")] == [("unreadable", message)]
        assert ui.reveals() == [] and attempts(col) == [] and reviews(col) == []


def test_hints_one_at_a_time_and_where_is_w(col: Collection) -> None:
    _editor, make = editing()
    ui = make(Action.HINT, Action.HINT, Action.HINT, Action.WHERE, Action.HELP, Action.QUIT)
    play(session(col), ui)
    statuses = [s.message for s in ui.of("status")]
    assert statuses[:3] == [
        "Hint 1 of 2: A slice is a view.",
        "Hint 2 of 2: Copy it.",
        "No more hints: that was the last.",
    ]
    assert statuses[3].startswith("mine/rev is defined at ") and statuses[3].endswith("mine.yaml:4")
    ((screen, text),) = ui.of("help")
    assert screen is Screen.TASK and "write the function in your editor" in text
    assert "No editor was found" not in text  # the help of the screen as it is: an editor was found
    assert reviews(col) == [] and attempts(col) == []


def test_without_an_editor_the_help_says_how_to_answer_with_a_file(col: Collection) -> None:
    ui = ScriptedUI(deque(["?", None, Action.QUIT]))  # line mode: a word typed at the file prompt
    play(session(col), ui)
    ((screen, text),) = ui.of("help")
    assert screen is Screen.TASK and "type the path of a .py file" in text
    assert "write the function in your editor" not in text


def test_line_mode_answers_with_a_file_path(col: Collection, tmp_path: Path) -> None:
    view_file, right_file, other = tmp_path / "v.py", tmp_path / "r.py", tmp_path / "o.py"
    view_file.write_text(VIEW, encoding="utf-8")
    right_file.write_text(RIGHT, encoding="utf-8")
    other.write_text("def something_else(a):\n    return a\n", encoding="utf-8")
    ui = ScriptedUI(
        deque(
            [
                str(tmp_path / "missing.py"),  # no such file: asked again
                str(other),  # no function reverse_rows in it: asked again, not recorded
                str(view_file),
                Action.EDIT,  # `e` on the back: a fix, in another file
                str(right_file),
                "enter",
                Action.QUIT,
            ]
        )
    )
    play(session(col), ui)
    unreadable = [s for s in ui.of("status") if s.kind == "unreadable"]
    assert "cannot read: no such file" in unreadable[0].message
    assert "defines no function reverse_rows" in unreadable[1].message
    assert unreadable[0].data == {"answer": str(tmp_path / "missing.py")}
    first, second = ui.reveals()
    assert first.proposed is Rating.AGAIN and second.proposed is Rating.HARD
    assert second.code.latest.path == str(right_file)
    assert attempts(col) == [("drill", VIEW, 0, "mutation"), ("drill", RIGHT, 1, None)]
    assert reviews(col) == [(2, 1)]


def test_line_mode_empty_answers(col: Collection, tmp_path: Path) -> None:
    right_file = tmp_path / "r.py"
    right_file.write_text(RIGHT, encoding="utf-8")
    # a pass, then `e` and an empty line: the back as it was, and no new attempt
    ui = ScriptedUI(deque([str(right_file), Action.EDIT, "", Rating.EASY, Action.QUIT]))
    play(session(col), ui)
    first, again = ui.reveals()
    assert again.code == first.code and again.proposed is Rating.GOOD
    assert reviews(col) == [(4, 1)] and len(attempts(col)) == 1


def test_undo_brings_the_card_back_with_its_attempt(col: Collection) -> None:
    editor, make = editing(VIEW, RIGHT)
    # Again on the code card; on the next card's front, undo: the code card is back
    ui = make(Action.EDIT, "enter", Action.UNDO, Action.EDIT, "enter", Action.QUIT)
    play(session(col), ui)
    assert [v.card_id for v in ui.of("front")] == ["rev", "zz", "rev", "zz"]
    assert editor.opened_with == [STARTER, VIEW]
    assert reviews(col) == [(3, 1)]  # the Again was undone; the attempts stay, as they happened
    assert [row[2] for row in attempts(col)] == [0, 1]


def _attempt(passed: bool, number: int) -> CodeAttempt:
    from cvquiz.codecards.judge import Verdict

    verdict = Verdict("x", passed, 3, 0 if passed else 1, None, False, 0.1, None, "")
    return CodeAttempt(number, "", verdict, number)


@pytest.mark.parametrize(
    ("passes", "rating"),
    [
        ((), Rating.AGAIN),
        ((True,), Rating.GOOD),
        ((True, False), Rating.GOOD),
        ((False, True), Rating.HARD),
        ((False, True, False), Rating.HARD),
        ((False, False), Rating.AGAIN),
    ],
)
def test_proposed_rating(passes: tuple[bool, ...], rating: Rating) -> None:
    assert proposed_rating([_attempt(p, i + 1) for i, p in enumerate(passes)]) is rating


def test_a_first_pass_after_the_solution_was_shown_proposes_hard() -> None:
    assert proposed_rating([_attempt(True, 1)], solution_seen=True) is Rating.HARD
    assert proposed_rating([_attempt(False, 1)], solution_seen=True) is Rating.AGAIN


def test_a_card_that_cannot_be_judged_shows_its_solution(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    broken = DECK.replace("reference: reverse_rows", "reference: no_such_reference")
    (decks / "mine.yaml").write_text(broken, encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as col:
        col.sync_decks(tmp_path / "none", decks, NOW)
        editor, make = editing(RIGHT)
        ui = make(Rating.AGAIN, Action.QUIT)
        play(session(col), ui)
        (status,) = ui.of("status")
        assert (
            "mine/rev cannot be judged: unknown judge reference 'no_such_reference'"
            in status.message
        )
        (reveal,) = ui.reveals()
        assert reveal.code.solution.startswith("def reverse_rows") and reveal.resume is None
        assert editor.opened_with == [] and attempts(col) == [] and reviews(col) == [(1, 0)]
