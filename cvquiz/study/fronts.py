"""What the user does on a card's front, one interaction per kind of card.

A front interaction takes a `FrontContext` (the session, the UI, the card) and returns either a `Reveal` (show
the back, with a verdict for a judged answer) or an `Action` (undo, suspend, bury, quit). Recall cards wait for
reveal; compute cards read answers until one can be read, treating an empty answer as "I don't know".

A new kind of card plugs in with `register_front(CardType.X, interaction)`: the session loop does not change.
An interaction that needs more from the front end than `StudyUI` offers (an editor, say) declares a Protocol
for it and checks ``isinstance(ctx.ui, ThatProtocol)``, falling back to `StudyUI.read_answer` otherwise.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from cvquiz.i18n import _
from cvquiz.model import CardType, Rating
from cvquiz.study.ui import COMMAND_KEYS, Action, Reveal, Screen, Status, StudyUI, Verdict

if TYPE_CHECKING:
    from cvquiz.study.session import Session
    from cvquiz.study.view import CardView

__all__ = [
    "FrontContext",
    "FrontInteraction",
    "FrontOutcome",
    "compute_front",
    "front_for",
    "help_text",
    "recall_front",
    "register_front",
]

FrontOutcome: TypeAlias = Reveal | Action


@dataclass(frozen=True)
class FrontContext:
    """What a front interaction works with.

    Attributes:
        session: the session (judging answers goes through it).
        ui: the front end.
        view: the card on screen.
    """

    session: Session
    ui: StudyUI
    view: CardView

    def inform(self, action: Action, screen: Screen, editor: bool = True) -> None:
        """Answer ``e`` (where the card is defined) and ``?`` (this screen's help) without leaving the card;
        ``editor``: a code card is answered in an editor (else with a file's path)."""
        if action is Action.WHERE:
            self.ui.show_status(
                Status(
                    "info",
                    _("{card} is defined at {location}").format(
                        card=self.view.ref, location=self.view.location
                    ),
                    self.view.ref,
                )
            )
        else:
            self.ui.show_help(screen, help_text(screen, editor))


FrontInteraction: TypeAlias = Callable[[FrontContext], FrontOutcome]

_FRONTS: dict[CardType, FrontInteraction] = {}


def register_front(card_type: CardType, interaction: FrontInteraction) -> None:
    """Make ``interaction`` the front of every card of ``card_type`` (a later registration replaces it)."""
    _FRONTS[card_type] = interaction


_PLUGINS = {CardType.CODE: "cvquiz.study.code_front"}
"""Fronts in a module of their own, which registers them when imported: loaded when such a card first shows."""


def front_for(view: CardView) -> FrontInteraction:
    """Return the front interaction of a card (recall for any kind without one of its own)."""
    module = _PLUGINS.get(view.type)
    if module is not None and view.type not in _FRONTS:
        importlib.import_module(module)
    return _FRONTS.get(view.type, recall_front)


def help_text(screen: Screen, editor: bool = True) -> str:
    """Return the help of one screen, in the user's language (``editor``: a code card is answered in an
    editor, else by typing a file's path)."""
    if screen in (Screen.TASK, Screen.RESULT):
        return _code_help(screen, editor)
    common = _(
        "u            undo the last action (rating, suspend or bury)\n"
        "s            suspend this card        b  bury it until tomorrow\n"
        "e            where this card is defined (file:line)\n"
        "q, Ctrl-C, Ctrl-D   quit (every rating so far is saved)"
    )
    if screen is Screen.ANSWER:
        head = _(
            "Type the answer and press Enter. Formats: 112, 0.693, 1/3, 6.93e-1,\n"
            "shapes as 1x64x112x112 or (1, 64, 112, 112), lists as [1, 2, 3],\n"
            "matrices as [[1, 2], [3, 4]] or 1 2; 3 4. The hint under the question\n"
            "says what this card wants.\n"
            "Enter on an empty line: I don't know (show the solution, propose Again)\n"
            "An answer that cannot be read is explained and asked again: it costs no rating.\n"
            "A one-letter line is a command:"
        )
    elif screen is Screen.BACK:
        head = _(
            "1 2 3 4      rate Again / Hard / Good / Easy (each button shows the interval\n"
            "             it gives)\n"
            "Enter        the proposed rating (Good, or Again after a wrong answer)\n"
            "space        Good; in a long solution, the next page first\n"
            "↑ ↓  j k     scroll a long solution"
        )
    else:
        head = _("space/Enter  show the answer")
    return head + "\n" + common


def _code_help(screen: Screen, editor: bool) -> str:
    common = _(
        "u            undo the last action (rating, suspend or bury)\n"
        "s            suspend this card        b  bury it until tomorrow\n"
        "w            where this card is defined (file:line)\n"
        "q, Ctrl-C, Ctrl-D   quit (every rating and attempt so far is saved)"
    )
    if screen is Screen.TASK and editor:
        head = _(
            "Enter, e     write the function in your editor ($VISUAL, $EDITOR); it opens\n"
            "             on the starter or your last attempt; save and quit to judge\n"
            "space        no attempt: show the model solution (proposes Again)\n"
            "h            the next hint"
        )
    elif screen is Screen.TASK:
        head = _(
            "No editor was found ($VISUAL, $EDITOR): type the path of a .py file holding\n"
            "the function to have it judged; an empty line shows the model solution\n"
            "(proposes Again).\n"
            "h            the next hint"
        )
    else:
        head = _(
            "e            edit the code again and have it judged, before rating\n"
            "1 2 3 4      rate Again / Hard / Good / Easy (each button shows the interval\n"
            "             it gives)\n"
            "Enter        the proposed rating: Good when the first attempt passed,\n"
            "             Hard when a fix passed, Again otherwise\n"
            "space        the proposed rating; in a long result, the next page first\n"
            "↑ ↓  j k     scroll a long result"
        )
    return head + "\n" + common


def recall_front(ctx: FrontContext) -> FrontOutcome:
    """Wait for reveal or a command on a recall card's front."""
    while True:
        action = ctx.ui.read_action(ctx.view)
        if action in (Action.WHERE, Action.HELP):
            ctx.inform(action, Screen.FRONT)
            continue
        if action is Action.REVEAL:
            return Reveal()
        return action


def _instance_solution(ctx: FrontContext) -> str | None:
    instance = ctx.view.instance
    return None if instance is None else instance.solution.get(ctx.session.lang)


def compute_front(ctx: FrontContext) -> FrontOutcome:
    """Read answers on a compute card until one can be judged, the user gives up, or a command is typed.

    An empty answer is "I don't know": the worked solution is shown and Again proposed. An answer that cannot be
    read (a typo, the wrong number of values, a number too large) is explained on the status line and asked
    again; it never costs a rating.
    """
    from cvquiz.answers import AnswerParseError

    view = ctx.view
    assert view.instance is not None
    while True:
        text = ctx.ui.read_answer(view)
        if text is None:
            return Action.QUIT
        word = text.strip().lower()
        if word in COMMAND_KEYS:
            action = COMMAND_KEYS[word]
            if action in (Action.WHERE, Action.HELP):
                ctx.inform(action, Screen.ANSWER)
                continue
            return action
        if not text.strip():
            return Reveal(
                verdict=Verdict(
                    correct=False,
                    expected=view.back,
                    message=_("no answer: here is the solution"),
                    gave_up=True,
                ),
                answer=None,
                proposed=Rating.AGAIN,
                solution=_instance_solution(ctx),
            )
        try:
            judgement = ctx.session.judge(view, text)
        except AnswerParseError as error:
            ctx.ui.show_status(
                Status(
                    "unreadable",
                    _("{problem} — try again").format(problem=error),
                    view.ref,
                    data={"answer": text[:200]},
                )
            )
            continue
        return Reveal(
            verdict=Verdict(
                correct=bool(judgement.correct), expected=view.back, message=judgement.message
            ),
            answer=text,
            proposed=Rating.GOOD if judgement.correct else Rating.AGAIN,
            solution=_instance_solution(ctx),
        )


register_front(CardType.COMPUTE, compute_front)
