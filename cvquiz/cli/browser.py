"""The interactive card browser of ``cvquiz browse``: a full-screen table driven by single keys.

The state (query, rows, cursor, marks) and every action live in `cvquiz.cards.browsing.Browser`; this module
reads keys (`keys` turns the bytes a terminal sends into key names), draws frames (`frame`) and asks the
questions a bulk action needs. Card text is data: it only reaches rich as `rich.text.Text`.
"""

from __future__ import annotations

import codecs
import functools
import os
import select
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cvquiz.cli.search_view import first_line, flags, state_label
from cvquiz.errors import CvquizError
from cvquiz.i18n import _, ngettext

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.cards.browsing import Browser
    from cvquiz.cli.context import Env
    from cvquiz.collection import Collection

__all__ = ["Screen", "frame", "keys", "run_browser"]

_SEQUENCES = {
    "\x1b[A": "up",
    "\x1bOA": "up",
    "\x1b[B": "down",
    "\x1bOB": "down",
    "\x1b[5~": "pageup",
    "\x1b[6~": "pagedown",
    "\x1b[H": "home",
    "\x1bOH": "home",
    "\x1b[1~": "home",
    "\x1b[F": "end",
    "\x1bOF": "end",
    "\x1b[4~": "end",
    "\x1b[C": "right",
    "\x1b[D": "left",
}
_SINGLE = {"\r": "enter", "\n": "enter", "\x7f": "backspace", "\x08": "backspace", "\x1b": "esc"}
_SINGLE |= {"\x03": "ctrl-c", "\x04": "ctrl-d", "\x15": "ctrl-u", "\t": "tab", " ": "space"}


def keys(data: str) -> list[str]:
    """Split what a terminal sent into keys: names for special keys (``up``, ``enter``...), else the character."""
    out: list[str] = []
    i = 0
    while i < len(data):
        if data[i] == "\x1b" and i + 1 < len(data) and data[i + 1] in "[O":
            j = i + 2
            while j < len(data) and not (data[j].isalpha() or data[j] == "~"):
                j += 1
            sequence = data[i : j + 1]
            out.append(_SEQUENCES.get(sequence, "unknown"))
            i = j + 1
            continue
        out.append(_SINGLE.get(data[i], data[i]))
        i += 1
    return out


@dataclass
class Screen:
    """What is on screen besides the rows.

    Attributes:
        message: the last action's outcome, or an error.
        error: True when the message is an error.
        prompt: the label of the line being typed (``/`` search, tag), or None.
        typed: the text typed so far.
        view: ``list``, ``card`` or ``help``.
    """

    message: str = ""
    error: bool = False
    prompt: str | None = None
    typed: str = ""
    view: str = "list"


def _help_line() -> Text:
    return Text(
        _("↑↓ move  / search  ⏎ open  space mark  s u b f  t T  z undo  ? help  q quit"),
        style="dim",
        no_wrap=True,
        overflow="ellipsis",
    )


def _header(browser: Browser) -> Table:
    grid = Table.grid(expand=True, padding=(0, 0, 0, 1))
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    grid.add_column(justify="right", no_wrap=True)
    count = ngettext("{count} card", "{count} cards", len(browser.hits)).format(
        count=len(browser.hits)
    )
    if browser.marked:
        count += ", " + _("{count} marked").format(count=len(browser.marked))
    query = browser.query or _("(every card)")
    grid.add_row(Text.assemble((_("browse") + " ", "bold"), (query, "cyan")), Text(count))
    return grid


def _rows(browser: Browser, width: int, height: int, lang: str) -> Table:
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), expand=True, header_style="bold")
    table.add_column("", width=1, no_wrap=True)
    table.add_column(
        _("card"), no_wrap=True, overflow="ellipsis", max_width=max(width * 2 // 5, 12)
    )
    table.add_column(_("state"), no_wrap=True, overflow="ellipsis", max_width=14)
    table.add_column(_("due"), no_wrap=True, max_width=10)
    table.add_column(_("question"), no_wrap=True, overflow="ellipsis", ratio=1)
    for index in browser.window(height):
        hit = browser.hits[index]
        extra = flags(hit)  # suspended, buried, leech say more than the state
        style = "reverse" if index == browser.cursor else ("yellow" if extra else "")
        table.add_row(
            Text("●" if hit.ref in browser.marked else " ", style="bold yellow"),
            Text(hit.ref, style="bold"),
            Text(extra or state_label(hit.state)),
            Text(hit.due_day or ""),
            Text(first_line(hit.question, lang, hit.type)),
            style=style,
        )
    return table


def _footer(screen: Screen) -> Text:
    if screen.prompt is not None:
        return Text.assemble((screen.prompt, "bold"), " ", screen.typed, ("▏", "blink"))
    style = "red" if screen.error else "green"
    return Text(screen.message, style=style, no_wrap=True, overflow="ellipsis")


def _help() -> RenderableType:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, meaning in (
        ("↑ ↓  k j", _("move")),
        ("PgUp PgDn  Home End", _("move a page, to the top, to the end")),
        ("/", _("refine the search (cvquiz search syntax)")),
        ("⏎", _("show the card")),
        (
            _("space"),
            _("mark or unmark the card (actions apply to marked cards, else to this one)"),
        ),
        ("a", _("mark every card, or none")),
        ("s  u", _("suspend, unsuspend")),
        ("b  f", _("bury until tomorrow, forget (back to new)")),
        ("t  T", _("add a tag, remove a tag")),
        ("z", _("undo the last change")),
        ("q  Esc", _("quit")),
    ):
        table.add_row(Text(key), Text(meaning))
    return Group(
        Text(_("Keys"), style="bold"),
        Text(""),
        table,
        Text(""),
        Text(_("Any key: back"), style="dim"),
    )


def _card(env_lang: str, browser: Browser) -> RenderableType:
    from cvquiz.cli.commands_cards import card_panel

    details = browser.details()
    if details is None:
        return Text(_("No cards match."))
    schedule = details.schedule[0]
    facts = Text.assemble(
        (
            state_label(
                {0: "new", 1: "learning", 2: "review", 3: "relearning"}.get(schedule.state, "")
            ),
            "bold",
        ),
        "  ",
        _("due {due}").format(due=(schedule.due or "-").replace("T", " ")[:16]),
        "  ",
        _("reviews {reps}, lapses {lapses}").format(reps=schedule.reps, lapses=schedule.lapses),
    )
    panel = card_panel({**details.content, "tags": list(details.tags)}, env_lang, details.ref)
    return Group(
        panel, facts, Text(_("↑↓ previous or next card · any other key: back"), style="dim")
    )


def frame(browser: Browser, screen: Screen, width: int, height: int, lang: str) -> RenderableType:
    """Draw the browser: header, rows, the message or prompt line, the keys (``height`` lines in all)."""
    if screen.view == "help":
        return _help()
    if screen.view == "card":
        return _card(lang, browser)
    parts: list[RenderableType] = [_header(browser)]
    if browser.hits:
        parts.append(_rows(browser, width, height - 4, lang))
    else:
        parts.append(Text(_("No cards match."), style="dim"))
    used = 2 + (min(len(browser.hits), max(height - 4, 1)) if browser.hits else 0)
    parts.extend(Text("") for _ in range(max(height - 2 - used, 0)))
    parts += [_footer(screen), _help_line()]
    return Group(*parts)


# --- the terminal ------------------------------------------------------------------------------------------


@contextmanager
def _cbreak() -> Iterator[int]:
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # TCSAFLUSH would drop keys typed ahead
        yield fd
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


class _Keyboard:
    """Keys from the terminal, several at a time when they were typed ahead."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending: list[str] = []

    def next(self) -> str:
        while not self.pending:
            data = os.read(self.fd, 64)
            if not data:
                return "ctrl-d"
            text = self.decoder.decode(data)
            # an escape sequence can arrive in pieces: wait a moment for the rest
            while text.endswith("\x1b") and select.select([self.fd], [], [], 0.05)[0]:
                text += self.decoder.decode(os.read(self.fd, 64))
            self.pending = keys(text)
        return self.pending.pop(0)


VERB = {"suspend": "s", "unsuspend": "u", "bury": "b", "forget": "f"}
ACTIONS = {v: k for k, v in VERB.items()}


class _Session:
    def __init__(
        self, env: Env, browser: Browser, draw: Callable[[], None], key: Callable[[], str]
    ) -> None:
        self.env = env
        self.browser = browser
        self.screen = Screen()
        self.draw = draw
        self.key = key

    def say(self, message: str, error: bool = False) -> None:
        self.screen.message, self.screen.error = message, error

    def ask(self, prompt: str, initial: str = "") -> str | None:
        """Read a line in the footer: enter gives it, Esc gives None."""
        self.screen.prompt, self.screen.typed = prompt, initial
        try:
            while True:
                self.draw()
                key = self.key()
                if key == "enter":
                    return self.screen.typed
                if key in ("esc", "ctrl-c", "ctrl-d"):
                    return None
                if key == "backspace":
                    self.screen.typed = self.screen.typed[:-1]
                elif key == "ctrl-u":
                    self.screen.typed = ""
                elif key == "space":
                    self.screen.typed += " "
                elif len(key) == 1 and key.isprintable():
                    self.screen.typed += key
        finally:
            self.screen.prompt = None

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question in the footer: one key answers it (y yes; anything else no)."""
        self.screen.prompt, self.screen.typed = question + " " + _("(y/n)"), ""
        try:
            self.draw()
            return self.key().lower() in ("y", _("y"))
        finally:
            self.screen.prompt = None

    def guarded(self, work: Callable[[], str | None]) -> None:
        try:
            message = work()
        except CvquizError as error:
            self.say(str(error).splitlines()[0], error=True)
            return
        if message is not None:
            self.say(message)

    def act(self, action: str) -> str | None:
        from cvquiz.cli.commands_bulk import ASK, DONE

        chosen = self.browser.targets()
        if chosen is None:
            return None
        n = len(chosen.refs)
        if n > 1 and not self.confirm(ASK[action].format(count=n)):
            return _("Cancelled; nothing was changed.")
        result = self.browser.act(action)
        if result is None:
            return None
        counted = ngettext("{n} review card", "{n} review cards", result.review_cards).format(
            n=result.review_cards
        )
        cards = (
            result.cards[0]
            if len(result.cards) == 1
            else ngettext("{count} card", "{count} cards", len(result.cards)).format(
                count=len(result.cards)
            )
        )
        return DONE[action].format(count=counted, cards=cards)

    def tag(self, op: str) -> str | None:
        from cvquiz.cli.commands_bulk import ASK

        chosen = self.browser.targets()
        if chosen is None:
            return None
        tag = self.ask(_("Tag to add:") if op == "add" else _("Tag to remove:"))
        if not tag or not tag.strip():
            return _("Cancelled; nothing was changed.")
        if len(chosen.refs) > 1 and not self.confirm(ASK[op].format(count=len(chosen.refs))):
            return _("Cancelled; nothing was changed.")
        result = self.browser.tag(op, tag.strip())
        if result is None:
            return None
        n = len(result.changed)
        if op == "add":
            return ngettext(
                "Tagged {count} card with {tag}.", "Tagged {count} cards with {tag}.", n
            ).format(count=n, tag=result.tag)
        return ngettext(
            "Removed {tag} from {count} card.", "Removed {tag} from {count} cards.", n
        ).format(count=n, tag=result.tag)

    def undo(self) -> str:
        from cvquiz.cli.commands_bulk import undo_message

        return undo_message(self.browser.undo())

    def search(self) -> str | None:
        typed = self.ask(_("Search:"), self.browser.query)
        if typed is None:
            return None
        self.browser.run(typed)
        return ngettext("{count} card", "{count} cards", len(self.browser.hits)).format(
            count=len(self.browser.hits)
        )

    def page(self) -> int:
        return max(self.env.out.size.height - 5, 1)

    def loop(self) -> None:
        while True:
            self.draw()
            key = self.key()
            if self.screen.view == "card" and key in ("up", "down", "k", "j"):
                self.browser.move(-1 if key in ("up", "k") else 1)  # the previous or next card
                continue
            if self.screen.view != "list":
                self.screen.view = "list"
                continue
            self.say("")
            if key in ("q", "esc", "ctrl-d"):
                return
            if key == "ctrl-c":
                raise KeyboardInterrupt
            if key in ("up", "k"):
                self.browser.move(-1)
            elif key in ("down", "j"):
                self.browser.move(1)
            elif key == "pageup":
                self.browser.move(-self.page())
            elif key == "pagedown":
                self.browser.move(self.page())
            elif key == "home":
                self.browser.home()
            elif key == "end":
                self.browser.end()
            elif key == "space":
                self.browser.toggle_mark()
            elif key == "a":
                self.browser.mark_all()
            elif key == "enter" and self.browser.current is not None:
                self.screen.view = "card"
            elif key == "?":
                self.screen.view = "help"
            elif key == "/":
                self.guarded(self.search)
            elif key in ACTIONS:
                self.guarded(functools.partial(self.act, ACTIONS[key]))
            elif key in ("t", "T"):
                self.guarded(functools.partial(self.tag, "add" if key == "t" else "remove"))
            elif key == "z":
                self.guarded(self.undo)


def run_browser(env: Env, col: Collection, query: str) -> None:
    """Browse the cards ``query`` matches in the terminal until the person quits.

    Raises:
        QuerySyntaxError, UnknownFilterError: for a first query that cannot be run (before anything is drawn).
    """
    from rich.live import Live

    from cvquiz.cards.browsing import Browser
    from cvquiz.cli.commands_search import search_context

    browser = Browser(col, search_context(env), decks_dir=env.paths.decks)
    browser.run(query)
    console: Console = env.out
    with _cbreak() as fd, Live(console=console, screen=True, auto_refresh=False) as live:
        keyboard = _Keyboard(fd)

        def draw() -> None:
            size = console.size
            live.update(
                frame(browser, session.screen, size.width, size.height, env.lang), refresh=True
            )

        session = _Session(env, browser, draw, keyboard.next)
        session.loop()
