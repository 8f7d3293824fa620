"""The terminal front end of ``cvquiz drill``: single keypresses and a screen redrawn per card.

`TerminalUI` implements `cvquiz.study.StudyUI` for a real terminal: the screen fits the terminal (a header, a
progress line, the card, a status line), a question or a back taller than the screen scrolls in place, and
code cards open the user's editor.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from cvquiz.cli.drill_text import come_back_line, interval_label, rating_label, summary_rows
from cvquiz.i18n import _
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

__all__ = ["TerminalUI"]

_STYLES = {Rating.AGAIN: "red", Rating.HARD: "yellow", Rating.GOOD: "green", Rating.EASY: "blue"}
_SCROLL_KEYS = {"j": 1, "down": 1, "k": -1, "up": -1, "pgdn": 10**6, "pgup": -(10**6)}


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

    title = (
        view.type.label if view.type in (CardType.COMPUTE, CardType.CLOZE, CardType.CODE) else ""
    )
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
        line.append(
            f" {rating_label(button.rating)} {interval_label(button.interval)}  ", style=marker
        )
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


def summary_table(summary: Summary) -> RenderableType:
    """The end-of-session summary as a table, and when to come back."""
    table = Table(title=_("Session summary"), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in summary_rows(summary):
        table.add_row(label, value)
    come_back = come_back_line(summary)
    if come_back:
        return Group(table, Text(come_back, style="bold"))
    return table


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
        # the front's question alone; what is shown below it ("help", "hint" or "status"); the hints asked for
        self._question: list[list[Segment]] = []
        self._front_note: str | None = None
        self._hints: list[str] = []
        self._front_offset = 0
        self._front_status: Text | None = None
        # when the session started, by the monotonic clock: the header's clock ticks while a key is awaited
        self._started: float | None = None
        # the terminal's size when the screen was last drawn, and how the front's last lines were drawn:
        # a resized terminal gets the screen again, drawn to fit
        self._drawn: tuple[int, int] | None = None
        self._front_hint = ""
        self._front_keys_drawn: bool | None = None  # None: no keys line; else whether a code card's
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
            while not select.select([fd], [], [], 1.0)[0]:
                if self._drawn is not None and self._drawn != self._size():
                    self._redraw()  # the terminal was resized: the screen is drawn again to fit
                else:
                    self._tick()
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

    def _lines(self, renderable: RenderableType) -> list[list[Segment]]:
        """``renderable`` as lines of the terminal's width now (drawn in slices as the screen scrolls)."""
        options = self.console.options.update(width=self.console.size.width)
        return self.console.render_lines(renderable, options, pad=False)

    def _size(self) -> tuple[int, int]:
        return self.console.size.width, self.console.size.height

    def _redraw(self) -> None:
        """Draw the screen on show again for the terminal's new size (what was below the question goes)."""
        if self._view is None:
            return
        if self._back is not None:
            self.show_back(self._view, *self._back)
            return
        self._question = self._lines(_front(self._view))
        self._front_body, self._front_note, self._front_offset = self._question, None, 0
        code = self._front_keys_drawn
        self._draw_front(self._front_hint)
        if code is not None:
            self._front_keys(code)

    def _tick(self) -> None:
        """Rewrite the header's clock (the top line's last five cells) in place, the cursor left where it was."""
        if self._started is None or self._view is None or not self.console.is_terminal:
            return
        if self.console.is_dumb_terminal:
            return
        minutes, seconds = divmod(int(time.monotonic() - self._started), 60)
        clock = f"{minutes:02d}:{seconds:02d}"
        if self.console.color_system is not None:
            clock = f"\x1b[2m{clock}\x1b[0m"  # dim, as the header draws it
        column = max(self.console.size.width - 4, 1)
        self.console.file.write(f"\x1b7\x1b[1;{column}H{clock}\x1b8")
        self.console.file.flush()

    # --- screens ---

    def _header_now(self) -> Table:
        """The header with the clock as it reads now (a redraw showed the time the card was first drawn)."""
        assert self._view is not None and self._progress is not None
        progress = self._progress
        if self._started is not None:
            progress = replace(progress, elapsed=time.monotonic() - self._started)
        return _header(self._view, progress, self.cram)

    def _status_line(self) -> Text | None:
        status, self._pending = self._pending, None
        if status is None:
            return None
        style = {
            "leech": "bold red",
            "unreadable": "yellow",
            "nothing-to-undo": "yellow",
            "cannot-undo": "yellow",
            "not-saved": "yellow",
        }.get(status.kind, "cyan")
        return Text(status.message, style=style, overflow="ellipsis", no_wrap=True)

    def show_front(self, view: CardView, progress: Progress) -> None:
        self._started = time.monotonic() - progress.elapsed
        self._view, self._progress, self._back = view, progress, None
        self._between = False
        self._question = self._lines(_front(view))
        self._front_body, self._front_note, self._hints = self._question, None, []
        self._front_offset = 0
        self._front_status = self._status_line()
        self._draw_front()

    def _note_front(self, kind: str | None, note: RenderableType | None = None) -> None:
        """Show ``note`` below the question (help, hints, an unreadable answer), in place of the last one, and
        redraw the front: nothing piles up under the screen, and the header stays (the front scrolls when the
        two are taller than the room). ``kind`` None takes the note away."""
        lines = [] if note is None else self._lines(note)
        self._front_body = [*self._question, [], *lines] if lines else self._question
        self._front_note = kind if lines else None
        self._front_offset = len(self._question) + 1 if lines and self._front_scrolls() else 0
        self._draw_front()

    def _front_keys(self, code: bool = False) -> None:
        """The keys line under a recall card's question or a code card's task."""
        if code:
            parts = [
                _("Enter/e: edit in {editor}").format(editor=self.editor_name),
                _("space: solution"),
                _("h: hint"),
                _("?: help"),
                _("q: quit"),
            ]
        else:
            parts = [_("space: show answer"), _("?: help"), _("q: quit")]
        self.console.print(Text("   ".join(parts), style="dim"), overflow="ellipsis", no_wrap=True)
        self._front_keys_drawn = code

    def _take_note_away(self, key: str, code: bool = False) -> bool:
        """Take what is shown below the question away at the key after it (scrolling keeps it, and so does ``h``
        while a code card's hints add up); True when the key did only that (``?`` again closes the help)."""
        keeps = ("up", "down", "pgup", "pgdn", "h") if code else ("up", "down", "pgup", "pgdn")
        if self._front_note is None or key in keeps:
            return False
        noted = self._front_note
        self._note_front(None)
        self._front_keys(code)
        return key == "?" and noted == "help"

    def _front_room(self) -> int:
        """The lines the question may take: the screen less the header, status, progress and prompt lines."""
        fixed = 2 + (self._front_status is not None) + 1 + 1  # one spare: the cursor's line
        return max(self.console.size.height - fixed, 3)

    def _front_scrolls(self) -> bool:
        return len(self._front_body) > self._front_room()

    def _draw_front(self, hint: str = "") -> None:
        self._drawn, self._front_hint, self._front_keys_drawn = self._size(), hint, None
        """The front: header, status, progress and the question, scrolled when taller than the room left."""
        assert self._view is not None and self._progress is not None
        width = self.console.size.width
        room = self._front_room()
        body = self._front_body
        shown = room - 1 if self._front_scrolls() else room
        self._front_offset = max(0, min(self._front_offset, len(body) - shown))
        window = body[self._front_offset : self._front_offset + shown]
        self.console.clear()
        self.console.print(self._header_now())
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
        self._front_keys()
        while True:
            key = self._key()
            if self._take_note_away(key):
                continue
            if key in (" ", "\n", "\r"):
                return Action.REVEAL
            if self._front_scrolls() and key in ("up", "down", "pgup", "pgdn"):
                self._scroll_front(key)
                self._draw_front(_("↑↓: scroll · space: show answer"))
                self._front_keys()
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
        self._front_keys(code=True)
        while True:
            key = self._key()
            if self._take_note_away(key, code=True):
                continue
            if self._front_scrolls() and key in ("up", "down", "pgup", "pgdn"):
                self._scroll_front(key)
                self._draw_front()
                self._front_keys(code=True)
                continue
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

    def end_line(self) -> None:
        """End the back's keys line (it has no line end while a key is awaited) before other text follows."""
        if self._back is not None:
            self.console.print()

    def edit_code(self, view: CardView, path: Path) -> int:
        assert self.editor is not None
        self.end_line()  # `e` on the back: the note goes under the keys line, not onto it
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
        # help or the last unreadable answer goes with this answer
        if self._front_note is not None:
            self._front_body, self._front_note, self._front_offset = self._question, None, 0
        word = text.strip().lower()
        keys = command_keys(Screen.TASK) if view.code is not None else COMMAND_KEYS
        if word in keys:
            self._between = keys[word] not in (Action.WHERE, Action.HELP, Action.HINT)
        return text

    def show_back(self, view: CardView, reveal: Reveal, buttons: tuple[Button, ...]) -> None:
        self._back = (reveal, buttons)
        self._body = self._lines(_back_body(view, reveal, self.lang))
        self._offset = 0
        self._draw_back()

    def _draw_back(self) -> None:
        assert self._view is not None and self._progress is not None and self._back is not None
        self._drawn = self._size()
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
        self.console.print(self._header_now())
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
        enter = _("Enter: {rating}").format(rating=rating_label(reveal.proposed or Rating.GOOD))
        parts = [enter, _("1-4: rate"), _("u: undo"), _("?: help"), _("q: quit")]
        if reveal.resume is not None:
            parts.insert(1, _("e: edit again"))
        if scrolling and not self._at_end():
            parts.insert(1, _("space: more"))
        # too wide for the terminal: leave out first what the buttons above already say, then undo
        for spare in (_("1-4: rate"), _("u: undo")):
            if cell_len("   ".join(parts)) > self.console.size.width:
                parts.remove(spare)
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
            covered = self._saved_body is not None  # help (or a long note) over the back
            self._dismiss()
            if covered and key in ("?", ""):  # ? again (or Esc) only takes it away
                continue
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
        if self._between and status.kind not in ("waiting", "not-saved"):
            self._pending = status  # under the header of the next screen
            return
        if self._back is not None:  # on the back: in place of the progress line, until the next key
            if cell_len(status.message) > self.console.size.width:  # too long: over the solution
                self._cover_back(Text(status.message, style="cyan"))
                return
            self._back_status = Text(
                status.message, style="cyan", overflow="ellipsis", no_wrap=True
            )
            self._draw_back()
            return
        style = "yellow" if status.kind == "unreadable" else "cyan"
        if status.kind == "hint":  # the hints asked for so far, each once, the newest last
            if status.message not in self._hints:
                self._hints.append(status.message)
            self._note_front("hint", Text("\n".join(self._hints), style=style))
            return
        self._note_front("status", Text(status.message, style=style))

    def show_help(self, screen: Screen, text: str) -> None:
        panel = Panel(Text(text), title=_("keys"), title_align="left", border_style="cyan")
        if self._back is not None:  # on the back: over the scrolling part, so the buttons stay
            self._cover_back(panel)
            return
        self._note_front("help", panel)

    def _cover_back(self, cover: RenderableType) -> None:
        """Show ``cover`` (help, a long note) over the back's scrolling part until the next key."""
        if self._saved_body is None:
            self._saved_body = self._body
        self._body = self._lines(cover)
        self._offset = 0
        self._draw_back()

    def rated(self, rated: Rated) -> None:
        return None

    def show_summary(self, summary: Summary) -> None:
        self.end_line()
        self.console.print()
        if self._pending is not None:
            line = self._status_line()
            if line is not None:
                self.console.print(line)
        self.console.print(summary_table(summary))
