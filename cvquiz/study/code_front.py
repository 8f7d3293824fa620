"""A code card's front: the task, the user's editor on a scratch file, the judge, the result and a proposed rating.

The front end shows the task. With an editor (a front end implementing `CodeUI` that `can_edit`), the user opens
it on a scratch file named after the function, holding the starter code or the user's last attempt at the card;
on save and exit the code is judged in a child process (`cvquiz.codecards.judge`, as ``cvquiz try`` does) with a
progress line, the attempt (code, verdict, time) is recorded in the collection, and the back shows the result,
the first failure and the model solution. ``e`` on the back edits again and judges the new code: the rating
proposed is Good when the first attempt passed, Hard when a later attempt of the same review passed, and Again
otherwise. Without an editor (line mode, or a terminal where none can run) the answer is the path of a file
holding the code. An empty answer (``space`` in the terminal) shows the model solution without an attempt.

Nothing here is terminal code: the scratch file, the judge and the attempts are driven through `CodeUI`'s three
methods, which a test implements with a fake editor.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cvquiz.errors import CvquizError
from cvquiz.i18n import _
from cvquiz.model import CardType, Rating
from cvquiz.study.fronts import FrontContext, FrontOutcome, register_front
from cvquiz.study.ui import Action, Reveal, Screen, Status, Verdict, command_keys

if TYPE_CHECKING:
    from cvquiz.codecards.judge import CodeJudge
    from cvquiz.codecards.judge import Verdict as JudgeVerdict
    from cvquiz.codecards.spec import CodeSpec
    from cvquiz.study.view import CardView, CodeTask

__all__ = ["CodeAttempt", "CodeResult", "CodeUI", "code_front", "proposed_rating"]


@runtime_checkable
class CodeUI(Protocol):
    """What a front end offers code cards beyond `StudyUI`: an editor and a progress line."""

    def can_edit(self) -> bool:
        """True when an editor can be opened (else the user answers with a file's path)."""

    def edit_code(self, view: CardView, path: Path) -> int:
        """Open the user's editor on ``path`` and wait until it exits; return its exit status.

        Raises:
            CvquizError: the editor cannot be started.
        """

    def judging(self, view: CardView, done: int, total: int) -> None:
        """Show the judge's progress: ``done`` of ``total`` cases (0 when judging starts)."""


@dataclass(frozen=True)
class CodeAttempt:
    """One judged attempt of this review.

    Attributes:
        number: its position in the review (1 for the first).
        code: the code judged.
        verdict: the judge's verdict.
        attempt_id: its row in the collection's attempts.
        path: the file it was read from (line mode), or None (the scratch file).
    """

    number: int
    code: str
    verdict: JudgeVerdict
    attempt_id: int
    path: str | None = None


@dataclass(frozen=True)
class CodeResult:
    """What a code card's back shows.

    Attributes:
        attempts: the attempts of this review, oldest first (none when the user asked for the solution at once).
        solution: the model solution's code.
        function: the function's name.
    """

    attempts: tuple[CodeAttempt, ...]
    solution: str
    function: str

    @property
    def latest(self) -> CodeAttempt | None:
        """The latest attempt, or None."""
        return self.attempts[-1] if self.attempts else None


def proposed_rating(
    attempts: tuple[CodeAttempt, ...] | list[CodeAttempt], solution_seen: bool = False
) -> Rating:
    """Good when the first attempt passed, Hard when a later one (a fix) passed, Again otherwise.

    Args:
        attempts: the attempts of the review, oldest first.
        solution_seen: the model solution was shown before the first attempt (``space``, then ``e``): a pass
            then counts as a fix, never as Good.
    """
    if attempts and attempts[0].verdict.passed and not solution_seen:
        return Rating.GOOD
    if any(attempt.verdict.passed for attempt in attempts):
        return Rating.HARD
    return Rating.AGAIN


@dataclass
class _CodeReview:
    """The state of one code card's review: its attempts, the code to edit next, the hints shown."""

    ctx: FrontContext
    task: CodeTask
    spec: CodeSpec
    code: str
    attempts: list[CodeAttempt] = field(default_factory=list)
    hints_shown: int = 0
    solution_seen: bool = False

    @property
    def view(self) -> CardView:
        return self.ctx.view

    def editor(self) -> CodeUI | None:
        ui = self.ctx.ui
        return ui if isinstance(ui, CodeUI) and ui.can_edit() else None

    def status(self, kind: str, message: str, answer: str = "") -> None:
        data: dict[str, object] = {"answer": answer[:200]} if kind == "unreadable" else {}
        self.ctx.ui.show_status(Status(kind, message, self.view.ref, data=data))

    # --- the task screen and `e` on the back ----------------------------------------------------------------

    def front(self) -> FrontOutcome:
        """The task screen: edit (or give a file), ask for a hint, give up, or a command."""
        while True:
            if self.editor() is not None:
                action = self.ctx.ui.read_action(self.view)
                if action is Action.EDIT:
                    reveal = self.edit()
                    if reveal is not None:
                        return reveal
                    continue
                if action is Action.REVEAL:
                    return self.reveal()
            else:
                answer = self.read_path()
                if isinstance(answer, Reveal):
                    return answer
                if answer is None:
                    continue
                action = answer
            if action is Action.HINT:
                self.hint()
            elif action in (Action.WHERE, Action.HELP):
                self.ctx.inform(action, Screen.TASK, editor=self.editor() is not None)
            elif action is not Action.EDIT:
                return action

    def resume(self) -> Reveal | Action:
        """``e`` on the back: edit the code again (or give another file) and judge it; the back as it was if not."""
        if self.editor() is not None:
            return self.edit() or self.reveal()
        while True:
            answer = self.read_path(empty_gives_up=False)
            if isinstance(answer, Reveal):
                return answer
            if answer is None:
                continue
            if answer in (Action.WHERE, Action.HELP):
                self.ctx.inform(answer, Screen.RESULT)
                continue
            if answer in (Action.EDIT, Action.HINT):
                continue
            return answer

    def hint(self) -> None:
        hints = self.task.hints
        if not hints:
            self.status("hint", _("This card has no hints."))
            return
        if self.hints_shown >= len(hints):
            self.status("hint", _("No more hints: that was the last."))
            return
        number = self.hints_shown
        self.hints_shown = number + 1
        self.status(
            "hint",
            _("Hint {number} of {count}: {hint}").format(
                number=number + 1, count=len(hints), hint=hints[number]
            ),
        )

    # --- getting the code -----------------------------------------------------------------------------------

    def edit(self) -> Reveal | None:
        """Open the editor on a scratch file holding the code; judge what is saved (None: nothing to judge)."""
        from cvquiz.codecards.attempts import read_submission
        from cvquiz.codecards.judge import CodeJudge

        editor = self.editor()
        assert editor is not None
        judge = CodeJudge(self.spec, lang=self.ctx.session.lang)
        judge.warm()  # the child starts (Python and NumPy) while the user writes
        try:
            with tempfile.TemporaryDirectory(prefix="cvquiz-code-") as folder:
                path = Path(folder) / f"{self.spec.function.name}.py"
                path.write_text(self.code, encoding="utf-8")
                try:
                    exit_status = editor.edit_code(self.view, path)
                except CvquizError as error:
                    self.status("unreadable", str(error))
                    return None
                if exit_status != 0:
                    self.status(
                        "unreadable",
                        _("The editor exited with status {status}: nothing was judged.").format(
                            status=exit_status
                        ),
                    )
                    return None
                if not path.exists() or path.is_dir():  # not the scratch file's path, said plainly
                    self.status(
                        "unreadable",
                        _("The editor removed the file: nothing was judged.")
                        if not path.exists()
                        else _("The editor put a folder in the file's place: nothing was judged."),
                    )
                    return None
                try:
                    code = read_submission(path)
                except CvquizError as error:
                    self.status("unreadable", str(error))
                    return None
            if not self.changed(code):
                return None
            return self.judge(code, judge, filename=path.name)
        finally:
            judge.close()

    def read_path(self, empty_gives_up: bool = True) -> Reveal | Action | None:
        """Read a file's path (line mode, or no editor) and judge the file; None: ask again."""
        from cvquiz.codecards.attempts import read_submission
        from cvquiz.codecards.judge import CodeJudge

        text = self.ctx.ui.read_answer(self.view)
        if text is None:
            return Action.QUIT
        word = text.strip()
        keys = command_keys(Screen.TASK if empty_gives_up else Screen.RESULT)
        if word.lower() in keys:
            return keys[word.lower()]
        if not word:
            return self.reveal()
        path = Path(word).expanduser()
        try:
            code = read_submission(path)
        except CvquizError as error:
            self.status("unreadable", _("{problem} — try again").format(problem=error), word)
            return None
        with CodeJudge(self.spec, lang=self.ctx.session.lang) as judge:
            return self.judge(code, judge, filename=str(path), path=str(path))

    def changed(self, code: str) -> bool:
        """False (and says why) when the saved code is the starter or this review's last attempt unchanged."""
        if self.attempts and code == self.attempts[-1].code:
            self.status("info", _("The code is unchanged since the last attempt."))
            return False
        if code.strip() == self.task.starter.strip():
            self.status(
                "info",
                _(
                    "The file still holds the starter code: nothing to judge. (An editor that opens a "
                    "window must wait until the file is closed: code --wait, subl -w, gvim -f.)"
                ),
            )
            return False
        return True

    # --- judging --------------------------------------------------------------------------------------------

    def judge(
        self, code: str, judge: CodeJudge, filename: str, path: str | None = None
    ) -> Reveal | None:
        """Judge the code, record the attempt and return the back (None: the code defines no such function)."""
        from cvquiz.codecards.attempts import CodeCard, record
        from cvquiz.codecards.compare import FailureKind

        session, ui, view = self.ctx.session, self.ctx.ui, self.view
        progress_ui = ui if isinstance(ui, CodeUI) else None
        if progress_ui is not None:
            progress_ui.judging(view, 0, len(judge.cases()))

        def progress(done: int, total: int) -> None:
            if progress_ui is not None:
                progress_ui.judging(view, done, total)

        verdict = judge.judge(code, filename=filename, progress=progress)
        if (
            verdict.kind is FailureKind.MISSING
        ):  # not an attempt at the card: as `cvquiz try` refuses it
            self.status(
                "unreadable",
                _("{problem} — try again").format(problem=verdict.summary),
                path or filename,
            )
            self.code = code
            return None
        attempt_id = record(
            session.col,
            CodeCard(view.ref, view.pk, self.task.card),
            code,
            verdict,
            session.now(),
            session.settings.rollover_hour,
            "drill",
        )
        self.attempts.append(CodeAttempt(len(self.attempts) + 1, code, verdict, attempt_id, path))
        self.code = code
        return self.reveal()

    def reveal(self) -> Reveal:
        """The back: the latest attempt's verdict, the model solution, the proposed rating, and ``e``."""
        attempts = tuple(self.attempts)
        latest = attempts[-1] if attempts else None
        if latest is None:
            self.solution_seen = True
            verdict = Verdict(
                correct=False,
                expected="",
                message=_("no attempt: here is the model solution"),
                gave_up=True,
            )
        else:
            verdict = Verdict(
                correct=any(a.verdict.passed for a in attempts),
                expected="",
                message=latest.verdict.summary,
            )
        return Reveal(
            verdict=verdict,
            answer=None,
            proposed=proposed_rating(attempts, self.solution_seen),
            solution=None,
            screen=Screen.RESULT,
            code=CodeResult(attempts, self.task.solution, self.spec.function.name),
            resume=self.resume,
        )


def code_front(ctx: FrontContext) -> FrontOutcome:
    """The front of a code card (see the module's docstring).

    A card that cannot be judged (a user's deck naming an unknown judge) shows its model solution at once, with
    the problem on the status line.
    """
    from cvquiz.codecards.spec import CodeCardError, code_spec
    from cvquiz.collection.code_attempts import last_code

    task = ctx.view.code
    assert task is not None
    try:
        spec = code_spec(task.card)
    except CodeCardError as error:
        ctx.ui.show_status(
            Status(
                "info",
                _("{card} cannot be judged: {problem}").format(card=ctx.view.ref, problem=error),
                ctx.view.ref,
            )
        )
        return Reveal(
            verdict=Verdict(False, "", str(error), gave_up=True),
            proposed=Rating.AGAIN,
            screen=Screen.RESULT,
            code=CodeResult((), task.solution, ""),
        )
    code = last_code(ctx.session.col, ctx.view.pk) or task.starter
    return _CodeReview(ctx, task, spec, code).front()


register_front(CardType.CODE, code_front)
