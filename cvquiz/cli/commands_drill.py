"""``cvquiz drill``: the daily study session, in a terminal or line by line from a script.

The session and its loop live in `cvquiz.study`; this module parses the options and implements the two front
ends of `cvquiz.study.StudyUI`: `TerminalUI` (keys, a screen redrawn per card that fits the terminal, a status
line, a scrollable back) and `LineUI` (one line per step for scripts, ``--json`` for one JSON event per line;
docs/scripting.md describes both).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import select
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.errors import UsageError
from cvquiz.i18n import N_, _
from cvquiz.model import CardType, Rating
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

RATING_WORDS = {
    "again": Rating.AGAIN,
    "hard": Rating.HARD,
    "good": Rating.GOOD,
    "easy": Rating.EASY,
}
_STYLES = {Rating.AGAIN: "red", Rating.HARD: "yellow", Rating.GOOD: "green", Rating.EASY: "blue"}
_SCROLL_KEYS = {"j": 1, "down": 1, "k": -1, "up": -1, "pgdn": 10**6, "pgup": -(10**6)}


def register(app: typer.Typer) -> None:
    """Add ``drill`` to the app."""
    app.command("drill")(drill)


_INTERVAL = re.compile(r"^(\d+(?:\.\d+)?)(mo|s|m|h|d|y)$")
_UNITS = {
    "s": N_("{n}s"),
    "m": N_("{n}m"),
    "h": N_("{n}h"),
    "d": N_("{n}d"),
    "mo": N_("{n}mo"),
    "y": N_("{n}y"),
}


def _interval(label: str) -> str:
    """An interval label ("10m", "3.5mo") in the user's language (JSON keeps the label as it is)."""
    match = _INTERVAL.match(label)
    return _(_UNITS[match.group(2)]).format(n=match.group(1)) if match else label


def _rating_label(rating: Rating) -> str:
    from cvquiz.study import rating_name

    return rating_name(rating)


def _header(view: CardView, progress: Progress, cram: bool = False) -> Table:
    counts = progress.counts
    minutes, seconds = divmod(int(progress.elapsed), 60)
    header = Table.grid(expand=True, padding=(0, 0, 0, 2))
    header.add_column(no_wrap=True)  # the counts always show in full; a long deck name gives way
    header.add_column(justify="right", no_wrap=True, overflow="ellipsis", ratio=1)
    header.add_column(justify="right", no_wrap=True)
    header.add_row(
        Text.assemble(
            (_("New") + " ", "dim"),
            (f"{counts.new}", "blue bold"),
            (" · " + _("Learning") + " ", "dim"),
            (f"{counts.learning}", "red bold"),
            (" · " + _("Review") + " ", "dim"),
            (f"{counts.review}", "green bold"),
        ),
        Text.assemble(
            (_("cram: the schedule stays as it is") + " · ", "magenta") if cram else "",
            (view.deck_name or view.deck_id, "dim"),
            overflow="ellipsis",
            no_wrap=True,
        ),
        Text(f"{minutes:02d}:{seconds:02d}", style="dim"),
    )
    return header


def _progress_line(progress: Progress, width: int) -> Text:
    """The session's progress as ``━━━━────  3/20``: readable without colour, and never a border."""
    done = progress.done
    total = done + progress.counts.total
    label = f" {done}/{total}"
    bar = max(width - len(label), 1)
    filled = round(bar * done / total) if total else 0
    return Text.assemble(("━" * filled, "magenta"), ("─" * (bar - filled), "dim"), (label, "dim"))


def _front(view: CardView) -> RenderableType:
    from cvquiz.cli.render import card_markdown

    title = {
        CardType.COMPUTE: _("compute"),
        CardType.CLOZE: _("cloze"),
        CardType.CODE: _("code"),
    }.get(view.type, "")
    return Panel(
        card_markdown(view.front),
        title=Text(title, style="magenta"),
        title_align="left",
        padding=(0, 1),
    )


def _verdict_lines(reveal: Reveal) -> list[Text]:
    verdict = reveal.verdict
    if verdict is None:
        return []
    if reveal.code is not None:
        from cvquiz.cli.code_view import result_line

        return [result_line(reveal.code, verdict.message)]
    if verdict.gave_up:
        mark = Text("? " + _("no answer"), style="bold yellow")
    elif verdict.correct:
        mark = Text("✓ " + _("correct"), style="bold green")
    else:
        mark = Text("✗ " + _("wrong"), style="bold red")
    mark.append(" · " + _("expected") + " ", style="default")
    mark.append(verdict.expected, style="bold")
    lines = [mark]
    if verdict.message and not verdict.gave_up:
        lines.append(Text(verdict.message, style="dim"))
    return lines


def _back_body(view: CardView, reveal: Reveal, lang: str) -> RenderableType:
    """Everything of the back that may scroll: the question, the answer or worked solution, the explanation."""
    from cvquiz.cli.render import card_markdown

    parts: list[RenderableType] = [_front(view)]
    if reveal.code is not None:
        from cvquiz.cli.code_view import result_body

        parts.extend(result_body(reveal.code, lang))
    elif reveal.solution is not None:
        parts.append(
            Panel(
                card_markdown(reveal.solution),
                title=_("worked solution"),
                title_align="left",
            )
        )
    elif reveal.verdict is None:
        parts.append(Rule(style="dim"))
        parts.append(card_markdown(view.back))
    if view.explanation:
        parts.append(
            Panel(
                card_markdown(view.explanation),
                title=_("explanation"),
                title_align="left",
                border_style="dim",
            )
        )
    if view.source:
        parts.append(Text(_("source: {url}").format(url=view.source), style="dim"))
    return Group(*parts)


def _buttons(buttons: tuple[Button, ...], proposed: Rating | None) -> Text:
    line = Text()
    for button in buttons:
        style = _STYLES[button.rating]
        line.append(f" {int(button.rating)} ", style=f"reverse {style}")
        marker = "bold" if button.rating is proposed else ""
        line.append(f" {_rating_label(button.rating)} {_interval(button.interval)}  ", style=marker)
    return line


@contextlib.contextmanager
def _typed_ahead(text: str) -> Iterator[None]:
    """Start the next line read with ``text`` already typed (the key that ended paging through a question)."""
    if not text:
        yield
        return
    try:
        import readline
    except (
        ImportError
    ):  # pragma: no cover - no line editing: the key is lost, as a terminal would lose it
        yield
        return
    readline.set_startup_hook(lambda: readline.insert_text(text))
    try:
        yield
    finally:
        readline.set_startup_hook(None)


class TerminalUI:
    """Keys in a real terminal: single keypresses, a screen redrawn per card that fits the terminal.

    The back of a card is laid out to the terminal's height: the header, the question and the solution (scrolled
    with ↑/↓, j/k and space when taller than the room left), then the verdict and the rating buttons, which
    always stay on screen. A status line under the header reports the last action until the next key.
    """

    def __init__(
        self,
        console: Console,
        lang: str,
        editor: Callable[[Path], int] | None = None,
        editor_name: str = "",
    ) -> None:
        self.console = console
        self.lang = lang
        self.editor = editor
        self.editor_name = editor_name
        self._pending: Status | None = None
        self._between = True
        self._view: CardView | None = None
        self._progress: Progress | None = None
        self._back: tuple[Reveal, tuple[Button, ...]] | None = None
        self._offset = 0
        self._room = 0
        self._body: list[list[Segment]] = []
        self._saved_body: list[list[Segment]] | None = None  # the back's body while help covers it
        self._back_status: Text | None = None
        self.cram = False  # a cram session: the header says the schedule is not changed
        self._front_body: list[list[Segment]] = []
        self._front_offset = 0
        self._front_status: Text | None = None
        with contextlib.suppress(
            ImportError
        ):  # line editing (arrows, backspace, history) for answers
            import readline  # noqa: F401

    # --- keys ---

    def _key(self) -> str:
        import termios
        import tty

        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # TCSAFLUSH would drop keys typed ahead
            # One key at a time, so keys typed ahead are each read in turn; a UTF-8 character whole.
            raw = os.read(fd, 1)
            if raw and raw[0] >= 0xC0:
                raw += os.read(fd, 1 if raw[0] < 0xE0 else 2 if raw[0] < 0xF0 else 3)
            if raw.startswith(b"\x1b"):
                while select.select([fd], [], [], 0.02)[0]:
                    raw += os.read(fd, 16)
                return {
                    b"\x1b[A": "up",
                    b"\x1b[B": "down",
                    b"\x1b[5~": "pgup",
                    b"\x1b[6~": "pgdn",
                }.get(raw[:4], "")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
        if raw in (b"\x04", b""):
            return "quit"
        if raw == b"\x03":
            raise KeyboardInterrupt
        return raw.decode("utf-8", "replace")

    # --- screens ---

    def _status_line(self) -> Text | None:
        status, self._pending = self._pending, None
        if status is None:
            return None
        style = {
            "leech": "bold red",
            "unreadable": "yellow",
            "nothing-to-undo": "yellow",
            "cannot-undo": "yellow",
        }.get(status.kind, "cyan")
        return Text(status.message, style=style, overflow="ellipsis", no_wrap=True)

    def show_front(self, view: CardView, progress: Progress) -> None:
        self._view, self._progress, self._back = view, progress, None
        self._between = False
        options = self.console.options.update(width=self.console.size.width)
        self._front_body = self.console.render_lines(_front(view), options, pad=False)
        self._front_offset = 0
        self._front_status = self._status_line()
        self._draw_front()

    def _front_room(self) -> int:
        """The lines the question may take: the screen less the header, status, progress and prompt lines."""
        fixed = 2 + (self._front_status is not None) + 1 + 1  # one spare: the cursor's line
        return max(self.console.size.height - fixed, 3)

    def _front_scrolls(self) -> bool:
        return len(self._front_body) > self._front_room()

    def _draw_front(self, hint: str = "") -> None:
        """The front: header, status, progress and the question, scrolled when taller than the room left."""
        assert self._view is not None and self._progress is not None
        width = self.console.size.width
        room = self._front_room()
        body = self._front_body
        shown = room - 1 if self._front_scrolls() else room
        self._front_offset = max(0, min(self._front_offset, len(body) - shown))
        window = body[self._front_offset : self._front_offset + shown]
        self.console.clear()
        self.console.print(_header(self._view, self._progress, self.cram))
        if self._front_status is not None:
            self.console.print(self._front_status, no_wrap=True, overflow="ellipsis")
        self.console.print(_progress_line(self._progress, width))
        segments: list[Segment] = []
        for line in window:
            segments.extend(line)
            segments.append(Segment.line())
        self.console.print(Segments(segments), end="")
        if self._front_scrolls():
            first, last = self._front_offset + 1, self._front_offset + len(window)
            where = _("lines {first}–{last} of {total}").format(
                first=first, last=last, total=len(body)
            )
            self.console.print(
                Rule(Text(f"{hint} · {where}" if hint else where, style="dim"), style="dim"),
                no_wrap=True,
            )

    def _scroll_front(self, key: str) -> bool:
        """Move the question's window for ``key`` (↑/↓, j/k, page keys); False when the key is not one."""
        step = {"up": -1, "k": -1, "down": 1, "j": 1}.get(key)
        page = self._front_room() - 2
        if key in ("pgdn", " "):
            step = page
        elif key == "pgup":
            step = -page
        if step is None:
            return False
        self._front_offset += step
        return True

    def _page_through_front(self) -> str:
        """Let the question be scrolled before it is answered; return the key that starts the answer."""
        hint = _("↑↓ j/k space: scroll · type the answer")
        self._draw_front(hint)
        while True:
            key = self._key()
            if key == "quit":
                return ""
            if self._scroll_front(key):
                self._draw_front(hint)
                continue
            if key in ("\n", "\r", "") or not key.isprintable():
                return ""
            return key

    def read_action(self, view: CardView) -> Action:
        if view.code is not None:
            return self._read_task_action()
        self.console.print(
            Text(
                "   ".join(
                    (_("space: show answer"), _("?: help"), _("q: quit")),
                ),
                style="dim",
            )
        )
        while True:
            key = self._key()
            if key in (" ", "\n", "\r"):
                return Action.REVEAL
            if self._front_scrolls() and key in ("up", "down", "pgup", "pgdn"):
                self._scroll_front(key)
                self._draw_front(_("↑↓: scroll · space: show answer"))
                continue
            if key in COMMAND_KEYS:
                self._between = COMMAND_KEYS[key] not in (Action.WHERE, Action.HELP)
                return COMMAND_KEYS[key]
            if key == "quit":
                return Action.QUIT

    # --- code cards (cvquiz.study.code_front.CodeUI) ---

    def _read_task_action(self) -> Action:
        """A code card's task screen: Enter or e opens the editor, space shows the model solution."""
        keys = command_keys(Screen.TASK)
        parts = [
            _("Enter/e: edit in {editor}").format(editor=self.editor_name),
            _("space: solution"),
            _("h: hint"),
            _("?: help"),
            _("q: quit"),
        ]
        self.console.print(Text("   ".join(parts), style="dim"), overflow="ellipsis", no_wrap=True)
        while True:
            key = self._key()
            if key in ("\n", "\r"):
                key = "e"
            if key == " ":
                self._between = True
                return Action.REVEAL
            if key in keys:
                self._between = keys[key] not in (Action.WHERE, Action.HELP, Action.HINT)
                return keys[key]
            if key == "quit":
                return Action.QUIT

    def can_edit(self) -> bool:
        return self.editor is not None

    def edit_code(self, view: CardView, path: Path) -> int:
        assert self.editor is not None
        self.console.print(
            Text(
                _("Opening {file} in {editor}: save and quit it to have your code judged.").format(
                    file=path.name, editor=self.editor_name
                ),
                style="dim",
            )
        )
        status = self.editor(path)
        self._between = False  # what follows (a problem, the progress line) belongs to this card
        return status

    def judging(self, view: CardView, done: int, total: int) -> None:
        if done == 0:
            self.console.print()
        text = _("judging: case {done} of {total}").format(done=done, total=total)
        self.console.print(Text(text, style="dim"), end="\r", no_wrap=True, overflow="ellipsis")

    def read_answer(self, view: CardView) -> str | None:
        prompt = _("answer›")
        hint = _("Enter: show the solution")
        if view.code is not None:  # no editor: the path of a file holding the code
            self.console.print(
                Text(
                    _(
                        "No editor found (set $VISUAL or $EDITOR). Type the path of a .py file holding "
                        "the function, or judge a file with: cvquiz try {card} FILE.py"
                    ).format(card=view.ref),
                    style="dim",
                )
            )
            prompt = _("file›")
        typed = ""
        if view.code is None and self._front_scrolls():
            typed = self._page_through_front()  # the question is taller than the screen
            self._draw_front()
        try:
            with _typed_ahead(typed):
                text = self.console.input(f"[dim]({hint})[/] [bold]{prompt}[/] ")
        except EOFError:
            return None
        word = text.strip().lower()
        keys = command_keys(Screen.TASK) if view.code is not None else COMMAND_KEYS
        if word in keys:
            self._between = keys[word] not in (Action.WHERE, Action.HELP, Action.HINT)
        return text

    def show_back(self, view: CardView, reveal: Reveal, buttons: tuple[Button, ...]) -> None:
        self._back = (reveal, buttons)
        width = self.console.size.width
        options = self.console.options.update(width=width)
        self._body = self.console.render_lines(
            _back_body(view, reveal, self.lang), options, pad=False
        )
        self._offset = 0
        self._draw_back()

    def _draw_back(self) -> None:
        assert self._view is not None and self._progress is not None and self._back is not None
        reveal, buttons = self._back
        width, height = self.console.size.width, self.console.size.height
        verdict = _verdict_lines(reveal)
        fixed = 2 + len(verdict) + 2  # header, progress; verdict; buttons, keys
        room = max(height - fixed - 1, 3)  # one line spare: the cursor's line after the last print
        body = self._body
        scrolling = len(body) > room
        shown_room = room - 1 if scrolling else room
        self._room = shown_room
        self._offset = max(0, min(self._offset, len(body) - shown_room))
        window = body[self._offset : self._offset + shown_room]
        segments: list[Segment] = []
        for line in window:
            segments.extend(line)
            segments.append(Segment.line())
        self.console.clear()
        self.console.print(_header(self._view, self._progress, self.cram))
        if self._back_status is not None:
            self.console.print(self._back_status, no_wrap=True, overflow="ellipsis")
        else:
            self.console.print(_progress_line(self._progress, width))
        self.console.print(Segments(segments), end="")
        if scrolling:
            first, last = self._offset + 1, self._offset + len(window)
            more = _("↑↓ j/k space: scroll · lines {first}–{last} of {total}").format(
                first=first, last=last, total=len(body)
            )
            self.console.print(Rule(Text(more, style="dim"), style="dim", align="right"))
        for verdict_line in verdict:
            self.console.print(verdict_line, overflow="ellipsis", no_wrap=True)
        self.console.print(_buttons(buttons, reveal.proposed), overflow="ellipsis", no_wrap=True)
        self._keys_hint(reveal, scrolling)

    def _at_end(self) -> bool:
        return self._offset + self._room >= len(self._body)

    def _keys_hint(self, reveal: Reveal, scrolling: bool) -> None:
        enter = _("Enter: {rating}").format(rating=_rating_label(reveal.proposed or Rating.GOOD))
        parts = [enter, _("1-4: rate"), _("u: undo"), _("?: help"), _("q: quit")]
        if reveal.resume is not None:
            parts.insert(1, _("e: edit again"))
        if scrolling and not self._at_end():
            parts.insert(1, _("space: more"))
        self.console.print(
            Text("   ".join(parts), style="dim"), overflow="ellipsis", no_wrap=True, end=""
        )

    def _dismiss(self) -> None:
        """The key after help or a status line on the back puts the back as it was."""
        if self._saved_body is None and self._back_status is None:
            return
        if self._saved_body is not None:
            self._body, self._offset = self._saved_body, 0
            self._saved_body = None
        self._back_status = None
        self._draw_back()

    def read_rating(self, proposed: Rating | None) -> Rating | Action:
        while True:
            key = self._key()
            self._dismiss()
            if key in ("1", "2", "3", "4"):
                self._between = True
                return Rating(int(key))
            if key in _SCROLL_KEYS or (key == " " and not self._at_end()):
                step = _SCROLL_KEYS.get(key, max(self._room - 1, 1))
                self._offset += step
                self._draw_back()
                continue
            if key in ("\n", "\r", " "):
                self._between = True
                return proposed or Rating.GOOD
            keys = COMMAND_KEYS if self._back is None else command_keys(self._back[0].screen)
            if key in keys:
                action = keys[key]
                self._between = action not in (Action.WHERE, Action.HELP, Action.EDIT)
                return action
            if key == "quit":
                return Action.QUIT

    def show_status(self, status: Status) -> None:
        if self._between:
            self._pending = status  # under the header of the next screen
            return
        if self._back is not None:  # on the back: in place of the progress line, until the next key
            self._back_status = Text(
                status.message, style="cyan", overflow="ellipsis", no_wrap=True
            )
            self._draw_back()
            return
        style = "yellow" if status.kind == "unreadable" else "cyan"
        if (
            self._front_scrolls()
        ):  # a tall question: in the status line, so the screen keeps its layout
            self._front_status = Text(
                status.message, style=style, overflow="ellipsis", no_wrap=True
            )
            self._draw_front()
            return
        self.console.print()
        self.console.print(Text(status.message, style=style))

    def show_help(self, screen: Screen, text: str) -> None:
        panel = Panel(Text(text), title=_("keys"), title_align="left", border_style="cyan")
        if self._back is not None:  # on the back: over the scrolling part, so the buttons stay
            if self._saved_body is None:
                self._saved_body = self._body
            options = self.console.options.update(width=self.console.size.width)
            self._body = self.console.render_lines(panel, options, pad=False)
            self._offset = 0
            self._draw_back()
            return
        self.console.print()
        self.console.print(panel)

    def rated(self, rated: Rated) -> None:
        return None

    def show_summary(self, summary: Summary) -> None:
        self.console.print()
        if self._pending is not None:
            line = self._status_line()
            if line is not None:
                self.console.print(line)
        self.console.print(summary_table(summary))


def summary_table(summary: Summary) -> RenderableType:
    """The end-of-session summary as a table (the terminal and plain line mode print it)."""
    from cvquiz.i18n import ngettext

    table = Table(title=_("Session summary"), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    minutes, seconds = divmod(int(summary.seconds), 60)
    table.add_row(
        _("Reviews"),
        ngettext("{reviews} ({cards} card)", "{reviews} ({cards} cards)", summary.cards).format(
            reviews=summary.reviews, cards=summary.cards
        ),
    )
    table.add_row(_("Again rate"), f"{summary.again_rate:.0%}")
    if summary.accuracy is not None:
        table.add_row(
            _("Compute accuracy"),
            f"{summary.compute_correct}/{summary.compute_answered} ({summary.accuracy:.0%})",
        )
    if summary.code_answered:
        table.add_row(_("Code passed"), f"{summary.code_passed}/{summary.code_answered}")
    table.add_row(
        _("Time"), _("{minutes}m {seconds}s").format(minutes=minutes, seconds=f"{seconds:02d}")
    )
    table.add_row(_("Streak"), _("{days} d").format(days=summary.streak))
    if summary.left_today:
        table.add_row(_("Left for today"), str(summary.left_today))
    table.add_row(_("Due later today"), str(summary.due_later_today))
    table.add_row(_("Due tomorrow"), str(summary.due_tomorrow))
    come_back = come_back_line(summary)
    if come_back:
        return Group(table, Text(come_back, style="bold"))
    return table


def come_back_line(summary: Summary) -> str | None:
    """ "3 learning cards due in 10 min", or None when no learning card is due later today."""
    from cvquiz.i18n import ngettext

    if not summary.due_later_today or summary.next_learning_minutes is None:
        return None
    return ngettext(
        "{count} learning card due in {minutes} min: come back then",
        "{count} learning cards due in {minutes} min: come back then",
        summary.due_later_today,
    ).format(count=summary.due_later_today, minutes=summary.next_learning_minutes)


class LineUI:
    """One line per step, for scripts (stdin not a terminal); ``--json`` prints each step as a JSON line.

    Recall card: an empty line reveals, the next line rates (1-4 or again/hard/good/easy; empty = good).
    Compute card: the first line is the answer (empty: give up), the next confirms the proposed rating (empty)
    or overrides it. Code card: the first line is the path of a file holding the function (empty: show the
    model solution), the next rates, or ``e`` and then another path judges a fix. ``u``, ``s``, ``b``, ``e``
    (``w`` on code cards), ``?`` and ``q`` work as the keys do; end of input ends the session like ``q``.
    docs/scripting.md is the reference.
    """

    def __init__(self, console: Console, as_json: bool, lang: str) -> None:
        self.console = console
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
            self.console.print(Text(text), soft_wrap=True, highlight=False)

    def event(self, name: str, **data: Any) -> None:
        """Print one JSON event (``--json`` only)."""
        if self.as_json:
            print(json.dumps({"event": name, **data}, ensure_ascii=False, default=str), flush=True)

    def notice(self, message: str) -> None:
        """Report a line that could not be read (stderr; a ``notice`` event with ``--json``)."""
        self.event("notice", message=message)
        if not self.as_json:
            Console(stderr=True, highlight=False, emoji=False).print(Text(message), soft_wrap=True)

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
            if verdict.gave_up:
                mark = _("no answer")
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
                f"{int(b.rating)} {_rating_label(b.rating)} {_interval(b.interval)}"
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
            Console(stderr=True, highlight=False, emoji=False).print(
                Text(status.message), soft_wrap=True
            )

    def show_help(self, screen: Screen, text: str) -> None:
        self.event("help", screen=str(screen), message=text)
        if not self.as_json:
            Console(stderr=True, highlight=False, emoji=False).print(Text(text), soft_wrap=True)

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
                    rating=_rating_label(rated.rating), card=rated.card
                )
            )
            return
        self._say(
            _("rated {rating}: {card} is due again in {interval}").format(
                rating=_rating_label(rated.rating),
                card=rated.card,
                interval=_interval(rated.interval),
            )
        )

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
            self.console.print(summary_table(summary))


@handle_errors
def drill(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck",
            "-d",
            help="Only this deck (an id or display name), with the decks nested under it (repeatable).",
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Only cards with this tag or its children (repeatable)."),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, help="New cards to introduce today (overrides the setting)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after this many ratings.")
    ] = None,
    order: Annotated[
        str | None,
        typer.Option(
            "--order",
            help="New cards: interleave (alternate decks), deck (deck by deck) or random (per day).",
        ),
    ] = None,
    ahead: Annotated[
        int | None,
        typer.Option(
            "--ahead", min=1, help="Custom study: also review cards due in the next N days."
        ),
    ] = None,
    forgotten: Annotated[
        int | None,
        typer.Option(
            "--forgotten",
            min=1,
            help="Custom study: only cards you rated Again in the last N days.",
        ),
    ] = None,
    extra_new: Annotated[
        int | None,
        typer.Option(
            "--extra-new", min=1, help="Custom study: N more new cards than today's limit."
        ),
    ] = None,
    state: Annotated[
        list[str] | None,
        typer.Option(
            "--state", help="Only cards in this state: new, learning or review (repeatable)."
        ),
    ] = None,
    cram: Annotated[
        bool,
        typer.Option(
            "--cram",
            help="Custom study: every selected card, due or not, without changing its schedule.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Line mode: print each step as a JSON line.")
    ] = False,
) -> None:
    """Study today's cards: learning cards, due reviews, then new cards.

    Example: cvquiz drill --deck losses --new 10
    """
    from cvquiz import clock
    from cvquiz.collection.scheduling import QueueFilter, check_deck_filter, next_due
    from cvquiz.study import Session, run_session

    env = get_env(ctx)
    col = env.collection()
    if col.read_only:  # say so before the first card, not after the first answer
        from cvquiz.errors import CollectionReadOnlyError

        raise CollectionReadOnlyError(
            _(
                "{path}: the collection is read-only; a drill saves every rating, so it needs to write to it"
            ).format(path=col.path)
        )
    settings = env.settings
    fixed = env.environ.get("CVQUIZ_NOW")
    now_fn = (lambda: env.now) if fixed else (lambda: clock.now(env.environ))
    seed = env.environ.get("CVQUIZ_SEED")
    rng = random.Random(int(seed)) if seed and seed.isdigit() else random.Random()
    if order is not None and order not in ("interleave", "deck", "random"):
        raise UsageError(
            _("--order must be interleave, deck or random, not {value!r}").format(value=order)
        )
    new_limit = new
    if extra_new is not None:  # raise today's limit once: what was studied today still counts
        new_limit = (settings.new_per_day if new is None else new) + extra_new
    flt = QueueFilter(
        decks=tuple(deck or ()),
        tags=tuple(tag or ()),
        new_limit=0 if forgotten is not None else new_limit,
        new_order=order,
        ahead_days=ahead or 0,
        forgotten_days=forgotten,
        states=tuple(state or ()),
        cram=cram,
    )
    check_deck_filter(col, flt.decks, flt.tags, flt.states)
    session = Session(
        col=col, settings=settings, now=now_fn, lang=env.lang, flt=flt, rng=rng, limit=limit
    )
    interactive = env.stdin_is_tty and sys.stdout.isatty() and not as_json
    ui: TerminalUI | LineUI = (
        _terminal_ui(env) if interactive else LineUI(env.out, as_json, env.lang)
    )
    if isinstance(ui, TerminalUI):
        ui.cram = cram
    first = session.next()
    if first is None:
        # --new applies to this session only; tomorrow's new cards follow the setting.
        _nothing_due(
            env, ui, next_due(col, env.now, settings, QueueFilter(decks=flt.decks, tags=flt.tags))
        )
        return
    session.push_back(first)
    ui.show_summary(run_session(session, ui))


def _terminal_ui(env: Env) -> TerminalUI:
    """The terminal front end, with the user's editor for code cards when one can be found."""
    from cvquiz.cli.editor import find_editor, run_editor

    command = find_editor(env.environ)
    if command is None:
        return TerminalUI(env.out, env.lang)

    def editor(path: Path) -> int:
        return run_editor(env.environ, path)

    return TerminalUI(env.out, env.lang, editor, Path(command[0]).name)


def _nothing_due(env: Env, ui: TerminalUI | LineUI, upcoming: Any) -> None:
    from cvquiz.i18n import ngettext

    json_ui = ui if isinstance(ui, LineUI) and ui.as_json else None
    as_json = json_ui is not None
    if upcoming is None:
        message = _("Nothing to study: no cards are due and no new cards are left.")
        if json_ui is not None:
            json_ui.event("done", next_due=None, count=0)
    else:
        when, count = upcoming
        local = when.astimezone()
        message = ngettext(
            "Nothing due now. Next: {count} card at {when}.",
            "Nothing due now. Next: {count} cards at {when}.",
            count,
        ).format(count=count, when=f"{local:%Y-%m-%d %H:%M}")
        if json_ui is not None:
            json_ui.event("done", next_due=when.isoformat(), count=count)
    if not as_json:
        env.out.print(Text(message))
