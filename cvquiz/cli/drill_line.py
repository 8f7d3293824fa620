"""The line front end of ``cvquiz drill``: one line per step for scripts, ``--json`` for one JSON event per line.

docs/scripting.md describes the protocol and every event.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from cvquiz.cli import draw
from cvquiz.cli.drill_text import (
    RATING_WORDS,
    come_back_line,
    interval_label,
    rating_label,
    summary_rows,
)
from cvquiz.i18n import _
from cvquiz.model import Rating
from cvquiz.study.ui import (
    COMMAND_KEYS,
    Action,
    Button,
    Progress,
    Rated,
    Reveal,
    Screen,
    Status,
    command_keys,
)

if TYPE_CHECKING:
    from cvquiz.study.summary import Summary
    from cvquiz.study.view import CardView

__all__ = ["LineUI"]


class LineUI:
    """One line per step, for scripts (stdin not a terminal); ``--json`` prints each step as a JSON line.

    Recall card: an empty line reveals, the next line rates (1-4 or again/hard/good/easy; empty = good).
    Compute card: the first line is the answer (empty: give up), the next confirms the proposed rating (empty)
    or overrides it. Code card: the first line is the path of a file holding the function (empty: show the
    model solution), the next rates, or ``e`` and then another path judges a fix. ``u``, ``s``, ``b``, ``e``
    (``w`` on code cards), ``?`` and ``q`` work as the keys do; end of input ends the session like ``q``.
    docs/scripting.md is the reference.
    """

    def __init__(self, out: draw.Out, as_json: bool, lang: str) -> None:
        self.out = out
        self.err = draw.Out(sys.stderr, out.width, color=False)
        self.as_json = as_json
        self.lang = lang
        self._screen = Screen.BACK

    def _line(self) -> str | None:
        line = sys.stdin.readline()
        if line == "":
            return None
        return line.rstrip("\r\n")

    def _say(self, text: str) -> None:
        if not self.as_json:
            _write(self.out, text)

    def event(self, name: str, **data: Any) -> None:
        """Print one JSON event (``--json`` only)."""
        if self.as_json:
            print(json.dumps({"event": name, **data}, ensure_ascii=False, default=str), flush=True)

    def notice(self, message: str) -> None:
        """Report a line that could not be read (stderr; a ``notice`` event with ``--json``)."""
        self.event("notice", message=message)
        if not self.as_json:
            _write(self.err, message)

    def show_front(self, view: CardView, progress: Progress) -> None:
        from dataclasses import asdict

        from cvquiz.cli.render import plain

        self.event(
            "card",
            card=view.ref,
            ord=view.ord,
            type=view.type.value,
            deck=view.deck_id,
            front=view.front,
            seed=view.seed,
            counts=asdict(progress.counts),
            done=progress.done,
            **({} if view.code is None else {"starter": view.code.starter}),
        )
        counts = progress.counts
        self._say(
            "=== "
            + _("{card} [{type}] · new {new} · learning {learning} · review {review}").format(
                card=view.ref,
                type=view.type.value,
                new=counts.new,
                learning=counts.learning,
                review=counts.review,
            )
        )
        self._say(plain(view.front))
        if view.code is not None and view.code.starter:
            self._say(_("starter code:"))
            self._say(view.code.starter.rstrip("\n"))

    def read_action(self, view: CardView) -> Action:
        while True:
            line = self._line()
            if line is None:
                return Action.QUIT
            word = line.strip().lower()
            if word == "":
                return Action.REVEAL
            if word in COMMAND_KEYS:
                return COMMAND_KEYS[word]
            self.notice(
                _("press Enter (an empty line) to show the answer, or one of {keys}").format(
                    keys=", ".join(COMMAND_KEYS)
                )
            )

    def read_answer(self, view: CardView) -> str | None:
        if view.code is not None:
            self._say(
                _(
                    "file> the path of a .py file holding the function (an empty line: show the model "
                    "solution; outside the drill: cvquiz try {card} FILE.py)"
                ).format(card=view.ref)
            )
        else:
            self._say(_("answer> (an empty line: show the solution)"))
        return self._line()

    def show_back(self, view: CardView, reveal: Reveal, buttons: tuple[Button, ...]) -> None:
        from cvquiz.cli.render import plain

        data: dict[str, Any] = {
            "card": view.ref,
            "back": view.back,
            "previews": {b.rating.name.lower(): b.interval for b in buttons},
            "proposed": int(reveal.proposed) if reveal.proposed is not None else None,
        }
        self._say("--- " + _("answer") + " ---")
        self._screen = reveal.screen
        verdict = reveal.verdict
        if reveal.code is not None:
            from cvquiz.cli.code_view import result_text

            latest = reveal.code.latest
            assert verdict is not None
            data.update(
                correct=verdict.correct,
                message=verdict.message,
                gave_up=verdict.gave_up,
                attempts=len(reveal.code.attempts),
                attempt=None if latest is None else latest.verdict.to_json(),
                path=None if latest is None else latest.path,
                solution=reveal.code.solution,
            )
            if latest is None:
                self._say(_("no attempt: here is the model solution"))
            self._say(result_text(reveal.code, self.lang))
        elif verdict is not None:
            data.update(
                correct=verdict.correct,
                expected=verdict.expected,
                message=verdict.message,
                gave_up=verdict.gave_up,
                answer=reveal.answer,
            )
            if verdict.gave_up:  # its message says no more than the mark
                self._say(
                    _("{mark} — expected {expected}.").format(
                        mark=_("no answer"), expected=verdict.expected
                    )
                )
            else:
                mark = "✓ " + _("correct") if verdict.correct else "✗ " + _("wrong")
                self._say(
                    _("{mark} — expected {expected}. {message}").format(
                        mark=mark, expected=verdict.expected, message=verdict.message
                    )
                )
        else:
            self._say(plain(view.back))
        if reveal.solution and reveal.code is None:
            data["solution"] = reveal.solution
            self._say(plain(reveal.solution))
        if view.explanation:
            self._say(plain(view.explanation))
        self.event("answer", **data)
        self._say(
            "   ".join(
                f"{int(b.rating)} {rating_label(b.rating)} {interval_label(b.interval)}"
                for b in buttons
            )
        )

    def read_rating(self, proposed: Rating | None) -> Rating | Action:
        while True:
            line = self._line()
            if line is None:
                return Action.QUIT
            word = line.strip().lower()
            if word == "":
                return proposed or Rating.GOOD
            if word in ("1", "2", "3", "4"):
                return Rating(int(word))
            if word in RATING_WORDS:
                return RATING_WORDS[word]
            keys = command_keys(self._screen)
            if word in keys:
                return keys[word]
            self.notice(
                _("could not read {line!r} as a rating: 1-4 or again/hard/good/easy").format(
                    line=line
                )
            )

    def show_status(self, status: Status) -> None:
        self.event(status.kind, card=status.card, message=status.message, **status.data)
        if not self.as_json:
            _write(self.err, status.message)

    def show_help(self, screen: Screen, text: str) -> None:
        self.event("help", screen=str(screen), message=text)
        if not self.as_json:
            _write(self.err, text)

    def rated(self, rated: Rated) -> None:
        self.event(
            "rated",
            card=rated.card,
            rating=int(rated.rating),
            review_id=rated.review_id,
            due=rated.due,
            interval=rated.interval,
            cram=rated.cram,
        )
        if rated.cram:
            self._say(
                _("rated {rating}: {card} (cram: its schedule is unchanged)").format(
                    rating=rating_label(rated.rating), card=rated.card
                )
            )
            return
        self._say(
            _("rated {rating}: {card} is due again in {interval}").format(
                rating=rating_label(rated.rating),
                card=rated.card,
                interval=interval_label(rated.interval),
            )
        )

    def end_line(self) -> None:
        """Nothing to end: every line this front writes is whole (the terminal front's keys line is not)."""

    def show_summary(self, summary: Summary) -> None:
        from dataclasses import asdict

        if self.as_json:
            self.event(
                "summary",
                **asdict(summary),
                again_rate=summary.again_rate,
                accuracy=summary.accuracy,
            )
        else:
            columns = [draw.Column("", style="bold"), draw.Column("", justify="right")]
            lines = draw.table(
                self.out, columns, summary_rows(summary), title=_("Session summary"), header=False
            )
            come_back = come_back_line(summary)
            if come_back:
                lines.append(self.out.render((come_back, "bold")))
            self.out.lines(lines)
            self.out.file.flush()


def _write(out: draw.Out, text: str) -> None:
    """One message as it is (no wrapping: a script reads lines), flushed so that a script driving the drill
    sees it before it answers."""
    out.line(text)
    out.file.flush()
