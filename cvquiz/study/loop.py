"""The session loop: next card, its front interaction, the back and a rating, or a command, until done.

`run_session` drives a `Session` through any `StudyUI`. Each step is committed before the next card shows;
suspend, bury, undo and leeches are reported on the status line, each undoable action with "u: undo". While
another cvquiz writes to the collection (an ``import``), a rating waits for it, saying so; if it waits longer
than the busy timeout, the session goes on and the card's back asks for the rating again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cvquiz.errors import CollectionBusyError, UndoError
from cvquiz.i18n import _
from cvquiz.model import Rating
from cvquiz.study.fronts import FrontContext, front_for
from cvquiz.study.session import Session
from cvquiz.study.summary import Summary
from cvquiz.study.ui import Action, Progress, Rated, Reveal, Status, StudyUI
from cvquiz.study.view import CardView

__all__ = ["rating_name", "run_session"]


def rating_name(rating: Rating) -> str:
    """Return a rating's button label in the user's language."""
    return {
        Rating.AGAIN: _("Again"),
        Rating.HARD: _("Hard"),
        Rating.GOOD: _("Good"),
        Rating.EASY: _("Easy"),
    }[rating]


def _with_undo(text: str) -> str:
    return text + " · " + _("u: undo")


def run_session(
    session: Session, ui: StudyUI, timer: Callable[[], float] = time.monotonic
) -> Summary:
    """Drive a session through a UI until the queue is empty or the user quits; return the summary.

    Args:
        session: the session.
        ui: the front end.
        timer: a monotonic clock in seconds (time spent per card and in all).

    Returns:
        The summary (also when the user pressed Ctrl-C: every rating so far is saved).
    """
    started = timer()
    try:
        view = session.next()
        while view is not None:
            ui.show_front(view, Progress(session.counts(), len(session.rated), timer() - started))
            shown = timer()
            outcome: Reveal | Rating | Action = front_for(view)(FrontContext(session, ui, view))
            reveal: Reveal | None = None
            note: Status | None = None
            while True:
                while isinstance(outcome, Reveal):
                    reveal = outcome
                    outcome = _back(session, ui, view, reveal, note)
                    note = None
                    if outcome is Action.EDIT and reveal.resume is not None:
                        outcome = reveal.resume()  # a code card: edit again, judge, and a new back
                if not isinstance(outcome, Rating):
                    break
                note = _rate(session, ui, view, outcome, reveal, int((timer() - shown) * 1000))
                if note is None:
                    break
                if reveal is None:  # rated on the front: the card comes again, to be rated again
                    session.push_back(view)
                    ui.show_status(note)
                    break
                outcome = reveal  # the back again, with why the rating was not saved: rate again
            action = outcome
            if isinstance(action, Rating):
                pass  # saved, or to be given again
            elif action is Action.QUIT:
                break
            else:
                _command(session, ui, view, action)
            view = session.next()
    except KeyboardInterrupt:
        pass
    return session.summary(timer() - started)


def _back(
    session: Session, ui: StudyUI, view: CardView, reveal: Reveal, note: Status | None = None
) -> Rating | Action:
    """Show the back (with ``note`` on it) and read a rating or a command (``e`` and ``?`` are answered here)."""
    ui.show_back(view, reveal, session.buttons(view))
    if note is not None:
        ui.show_status(note)
    while True:
        action = ui.read_rating(reveal.proposed)
        if action is Action.UNDO and not session.done:  # nothing to undo: the back stays as it is
            ui.show_status(Status("nothing-to-undo", _("Nothing to undo")))
        elif action in (Action.WHERE, Action.HELP):
            FrontContext(session, ui, view).inform(action, reveal.screen)
        elif action not in (Action.REVEAL, Action.EDIT, Action.HINT) or (
            action is Action.EDIT and reveal.resume is not None
        ):
            return action  # a rating or a command; EDIT only where the back can edit


def _rate(
    session: Session,
    ui: StudyUI,
    view: CardView,
    rating: Rating,
    reveal: Reveal | None,
    duration_ms: int,
) -> Status | None:
    """Record a rating and confirm it; while another cvquiz is writing, wait for it, saying so.

    Returns:
        None when the rating is saved, else the status saying it was not (the other cvquiz kept writing for
        longer than the busy timeout): the session goes on, and the card is to be rated again.
    """
    from cvquiz.scheduler import format_interval

    def waiting() -> None:
        ui.show_status(
            Status(
                "waiting",
                _("Waiting for another cvquiz to finish writing to the collection…"),
                view.ref,
            )
        )

    verdict = reveal.verdict if reveal is not None else None
    try:
        outcome = session.rate(
            view,
            rating,
            duration_ms=duration_ms,
            answer=reveal.answer if reveal is not None else None,
            correct=None if verdict is None else verdict.correct,
            waiting=waiting,
        )
    except CollectionBusyError:
        return Status(
            "not-saved",
            # short enough for the back's one status line at 80 columns (the event names the card)
            _("Not saved: another cvquiz is still writing to the collection; rate again"),
            view.ref,
        )
    after = outcome.after
    now = session.now()
    if outcome.cram or after.due is None:
        interval, due = "", None
    else:
        interval, due = format_interval(after.due - now), after.due.isoformat()
    ui.rated(
        Rated(
            card=view.ref,
            rating=rating,
            interval=interval,
            due=due,
            review_id=outcome.review_id,
            cram=outcome.cram,
        )
    )
    if outcome.became_leech:
        if outcome.suspended:
            text = _("{card} is a leech ({lapses} lapses): suspended")
        else:
            text = _("{card} is a leech ({lapses} lapses): tagged leech")
        ui.show_status(
            Status(
                "leech",
                _with_undo(text.format(card=view.ref, lapses=after.lapses)),
                view.ref,
                undoable=True,
                data={"lapses": after.lapses, "suspended": outcome.suspended},
            )
        )
    return None


def _command(session: Session, ui: StudyUI, view: CardView, action: Action) -> None:
    if action is Action.UNDO:
        try:
            undone = session.undo()
        except UndoError as error:  # a later change by another command stands: it goes first
            ui.show_status(Status("cannot-undo", str(error), view.ref))
            return
        if undone is None:
            ui.show_status(Status("nothing-to-undo", _("Nothing to undo")))
            return
        ref = undone.view.ref
        if undone.kind == "rate":
            assert undone.rating is not None
            text = _("Undid rating {rating} on {card}").format(
                rating=rating_name(undone.rating), card=ref
            )
        elif undone.kind == "suspend":
            text = _("Unsuspended {card}").format(card=ref)
        else:
            text = _("Unburied {card}").format(card=ref)
        data: dict[str, object] = {"undid": undone.kind}
        if undone.rating is not None:
            data["rating"] = int(undone.rating)
        ui.show_status(Status("undo", text, ref, data=data))
    elif action is Action.SUSPEND:
        session.suspend(view)
        text = _("Suspended {card}").format(card=view.ref)
        ui.show_status(Status("suspend", _with_undo(text), view.ref, undoable=True))
    elif action is Action.BURY:
        session.bury(view)
        text = _("Buried {card} until tomorrow").format(card=view.ref)
        ui.show_status(Status("bury", _with_undo(text), view.ref, undoable=True))
