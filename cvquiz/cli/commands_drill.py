"""``cvquiz drill``: the daily study session, in a terminal or line by line from a script.

Both modes drive the same `cvquiz.study.Session`; this module only reads keys or lines and draws. In a terminal
the screen is redrawn for each card (nothing scrolls away), keys act at once, and a compute answer is typed
with line editing. When standard input is not a terminal, one line is read per step (see `LineUI`).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import sys
import time
from dataclasses import asdict
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.i18n import _
from cvquiz.model import CardType, Rating

RATING_NAMES = {
    "again": Rating.AGAIN,
    "hard": Rating.HARD,
    "good": Rating.GOOD,
    "easy": Rating.EASY,
}
COMMAND_KEYS = {"u": "undo", "s": "suspend", "b": "bury", "e": "where", "?": "help", "q": "quit"}
HELP = (
    "space/enter  show the answer (then: good)\n"
    "1 2 3 4      rate again / hard / good / easy\n"
    "u            undo the last rating (the card comes back)\n"
    "s            suspend this card        b  bury it until tomorrow\n"
    "e            where this card is defined (file:line)\n"
    "q, Ctrl-C, Ctrl-D   quit (every rating so far is saved)"
)


def register(app: typer.Typer) -> None:
    """Add ``drill`` to the app."""
    app.command("drill")(drill)


class UI(Protocol):
    """What the session loop needs from a front end."""

    def show_front(self, view: Any, counts: Any, done: int, elapsed: float) -> None: ...
    def read_reveal(self) -> str: ...
    def read_answer(self) -> str | None: ...
    def show_back(self, view: Any, previews: dict[Rating, str], judgement: Any = None) -> None: ...
    def read_rating(self, proposed: Rating | None) -> Rating | str: ...
    def notice(self, message: str, style: str = "yellow") -> None: ...
    def event(self, name: str, **data: Any) -> None: ...
    def show_summary(self, summary: Any) -> None: ...


class TerminalUI:
    """Keys in a real terminal: single keypresses, a redrawn screen per card."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console = console
        self.lang = lang
        with contextlib.suppress(
            ImportError
        ):  # line editing (arrows, backspace, history) for answers
            import readline  # noqa: F401

    def _key(self) -> str:
        import termios
        import tty

        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # TCSAFLUSH would drop keys typed ahead
            raw = os.read(fd, 4)
            if raw.startswith(b"\x1b"):  # an arrow or other escape sequence: drain and ignore
                while select.select([fd], [], [], 0.02)[0]:
                    os.read(fd, 16)
                return ""
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
        if raw in (b"\x04", b""):
            return "quit"
        if raw == b"\x03":
            raise KeyboardInterrupt
        return raw.decode("utf-8", "replace")

    def show_front(self, view: Any, counts: Any, done: int, elapsed: float) -> None:
        self.console.clear()
        total = done + counts.new + counts.learning + counts.review
        minutes, seconds = divmod(int(elapsed), 60)
        header = Table.grid(expand=True, padding=(0, 0, 0, 2))
        header.add_column(
            no_wrap=True
        )  # the counts always show in full; a long deck name gives way
        header.add_column(justify="right", no_wrap=True, overflow="ellipsis", ratio=1)
        header.add_column(justify="right", no_wrap=True)
        header.add_row(
            Text.assemble(
                ("New ", "dim"),
                (f"{counts.new}", "blue bold"),
                (" · Learning ", "dim"),
                (f"{counts.learning}", "red bold"),
                (" · Review ", "dim"),
                (f"{counts.review}", "green bold"),
            ),
            Text(view.deck_name or view.deck_id, style="dim", overflow="ellipsis", no_wrap=True),
            Text(f"{minutes:02d}:{seconds:02d}", style="dim"),
        )
        self.console.print(header)
        self.console.print(ProgressBar(total=max(total, 1), completed=done))
        title = {CardType.COMPUTE: "compute", CardType.CLOZE: "cloze"}.get(view.type, "")
        self.console.print(
            Panel(
                _front(view), title=Text(title, style="magenta"), title_align="left", padding=(0, 1)
            )
        )

    def read_reveal(self) -> str:
        self.console.print(Text("space: show answer   ?: help   q: quit", style="dim"))
        while True:
            key = self._key()
            if key in (" ", "\n", "\r"):
                return "reveal"
            if key in COMMAND_KEYS:
                return COMMAND_KEYS[key]
            if key == "quit":
                return "quit"

    def read_answer(self) -> str | None:
        try:
            return self.console.input("[bold]answer›[/] ")
        except EOFError:
            return None

    def show_back(self, view: Any, previews: dict[Rating, str], judgement: Any = None) -> None:
        self.console.print(_back(view, judgement, self.lang))
        buttons = Text()
        for rating, style in zip(Rating, ("red", "yellow", "green", "blue"), strict=True):
            buttons.append(f" {int(rating)} ", style=f"reverse {style}")
            buttons.append(f" {rating.name.capitalize()} {previews.get(rating, '')}   ")
        self.console.print(buttons)

    def read_rating(self, proposed: Rating | None) -> Rating | str:
        hint = f"enter: {proposed.name.capitalize()}   " if proposed else "space: Good   "
        self.console.print(Text(f"{hint}1-4: rate   u: undo   ?: help   q: quit", style="dim"))
        while True:
            key = self._key()
            if key in ("1", "2", "3", "4"):
                return Rating(int(key))
            if key in ("\n", "\r", " "):
                return proposed or Rating.GOOD
            if key in COMMAND_KEYS:
                return COMMAND_KEYS[key]
            if key == "quit":
                return "quit"

    def notice(self, message: str, style: str = "yellow") -> None:
        self.console.print(Text(message, style=style))

    def event(self, name: str, **data: Any) -> None:
        return None

    def show_summary(self, summary: Any) -> None:
        self.console.print(_summary_table(summary))


class LineUI:
    """One line per step, for scripts (stdin not a terminal); ``--json`` prints each step as a JSON line.

    Recall card: an empty line reveals, the next line rates (1-4 or again/hard/good/easy; empty = good).
    Compute card: the first line is the answer, the next confirms the proposed rating (empty) or overrides it.
    ``u``, ``s``, ``b``, ``e``, ``?`` and ``q`` work as the keys do; end of input ends the session like ``q``.
    """

    def __init__(self, console: Console, as_json: bool, lang: str) -> None:
        self.console = console
        self.as_json = as_json
        self.lang = lang

    def _line(self) -> str | None:
        line = sys.stdin.readline()
        if line == "":
            return None
        return line.rstrip("\r\n")

    def _say(self, text: str) -> None:
        if not self.as_json:
            self.console.print(Text(text), soft_wrap=True)

    def event(self, name: str, **data: Any) -> None:
        if self.as_json:
            print(json.dumps({"event": name, **data}, ensure_ascii=False, default=str), flush=True)

    def show_front(self, view: Any, counts: Any, done: int, elapsed: float) -> None:
        from cvquiz.cli.render import plain

        self.event(
            "card",
            card=view.ref,
            ord=view.ord,
            type=view.type.value,
            front=view.front,
            seed=view.seed,
            counts=asdict(counts),
        )
        self._say(
            f"--- {view.ref} [{view.type.value}]  new {counts.new} · learning {counts.learning} · review {counts.review}"
        )
        self._say(plain(view.front))

    def read_reveal(self) -> str:
        while True:
            line = self._line()
            if line is None:
                return "quit"
            word = line.strip().lower()
            if word == "":
                return "reveal"
            if word in COMMAND_KEYS:
                return COMMAND_KEYS[word]
            self.notice(
                f"press enter (an empty line) to show the answer, or one of {', '.join(COMMAND_KEYS)}"
            )

    def read_answer(self) -> str | None:
        self._say("answer> ")
        return self._line()

    def show_back(self, view: Any, previews: dict[Rating, str], judgement: Any = None) -> None:
        from cvquiz.cli.render import plain

        data: dict[str, Any] = {
            "card": view.ref,
            "back": view.back,
            "previews": {r.name.lower(): v for r, v in previews.items()},
        }
        if judgement is not None:
            data.update(correct=judgement.correct, expected=view.back, message=judgement.message)
            self._say(
                ("✓ correct" if judgement.correct else "✗ wrong")
                + f" — expected {view.back}. {judgement.message}"
            )
            if view.instance is not None:
                self._say(plain(view.instance.solution.get(self.lang)))
        else:
            self._say(plain(view.back))
        if view.explanation:
            self._say(plain(view.explanation))
        self.event("answer", **data)
        self._say("  ".join(f"{int(r)} {r.name.lower()} {v}" for r, v in previews.items()))

    def read_rating(self, proposed: Rating | None) -> Rating | str:
        while True:
            line = self._line()
            if line is None:
                return "quit"
            word = line.strip().lower()
            if word == "":
                return proposed or Rating.GOOD
            if word in ("1", "2", "3", "4"):
                return Rating(int(word))
            if word in RATING_NAMES:
                return RATING_NAMES[word]
            if word in COMMAND_KEYS:
                return COMMAND_KEYS[word]
            self.notice(f"could not read {line!r} as a rating: 1-4 or again/hard/good/easy")

    def notice(self, message: str, style: str = "yellow") -> None:
        self.event("notice", message=message)
        if not self.as_json:
            Console(stderr=True, highlight=False, emoji=False).print(Text(message), soft_wrap=True)

    def show_summary(self, summary: Any) -> None:
        if self.as_json:
            self.event(
                "summary",
                **asdict(summary),
                again_rate=summary.again_rate,
                accuracy=summary.accuracy,
            )
        else:
            self.console.print(_summary_table(summary))


def _front(view: Any) -> Any:
    from cvquiz.cli.render import card_markdown

    return card_markdown(view.front)


def _back(view: Any, judgement: Any, lang: str) -> Any:
    from cvquiz.cli.render import card_markdown

    parts: list[Any] = [Rule(style="dim")]
    if judgement is not None:
        mark = (
            Text("✓ correct", style="bold green")
            if judgement.correct
            else Text("✗ wrong", style="bold red")
        )
        mark.append(" · expected ", style="default")
        parts.append(Text.assemble(mark, (view.back, "bold")))
        if judgement.message:
            parts.append(Text(judgement.message, style="dim"))
        if view.instance is not None:
            parts.append(
                Panel(
                    card_markdown(view.instance.solution.get(lang)),
                    title="worked solution",
                    title_align="left",
                )
            )
    else:
        parts.append(card_markdown(view.back))
    if view.explanation:
        parts.append(
            Panel(
                card_markdown(view.explanation),
                title="explanation",
                title_align="left",
                border_style="dim",
            )
        )
    if view.source:
        parts.append(Text(f"source: {view.source}", style="dim"))
    return Group(*parts)


def _summary_table(summary: Any) -> Table:
    table = Table(title="Session summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    minutes, seconds = divmod(int(summary.seconds), 60)
    table.add_row("Cards studied", str(summary.studied))
    table.add_row("Again rate", f"{summary.again_rate:.0%}")
    if summary.accuracy is not None:
        table.add_row(
            "Compute accuracy",
            f"{summary.compute_correct}/{summary.compute_answered} ({summary.accuracy:.0%})",
        )
    table.add_row("Time", f"{minutes}m {seconds:02d}s")
    table.add_row("Streak", f"{summary.streak} day{'s' * (summary.streak != 1)}")
    table.add_row("Due tomorrow", str(summary.due_tomorrow))
    return table


def _inform(ui: UI, view: Any, action: str) -> None:
    """Answer ``e`` (where is this card defined) and ``?`` (help) without leaving the card."""
    ui.notice(
        f"{view.ref} is defined at {view.location}" if action == "where" else HELP, style="cyan"
    )


def _front_action(session: Any, ui: UI, view: Any) -> tuple[str, Any, str | None]:
    """Read what the user does on the front of a card.

    A recall card waits for reveal or a command key; a compute card reads answers until one can be read (an
    unreadable answer is explained and asked again, never marked wrong) or a command is typed.

    Returns:
        (action, judgement or None, the answer typed or None); action is "reveal" or a command name.
    """
    from cvquiz.answers import AnswerParseError

    while True:
        if view.type is not CardType.COMPUTE:
            action = ui.read_reveal()
            if action in ("where", "help"):
                _inform(ui, view, action)
                continue
            return action, None, None
        text = ui.read_answer()
        if text is None:
            return "quit", None, None
        word = text.strip().lower()
        if word in COMMAND_KEYS:
            if COMMAND_KEYS[word] in ("where", "help"):
                _inform(ui, view, COMMAND_KEYS[word])
                continue
            return COMMAND_KEYS[word], None, None
        try:
            return "reveal", session.judge(view, text), text
        except AnswerParseError as error:
            ui.notice(f"{error} — try again")


def run_session(session: Any, ui: UI) -> Any:
    """Drive a session through a UI until the queue is empty or the user quits; return the summary."""
    started = time.monotonic()
    view = session.next()
    while view is not None:
        ui.show_front(view, session.counts(), len(session.rated), time.monotonic() - started)
        shown = time.monotonic()
        action: str | Rating
        action, judgement, answer_text = _front_action(session, ui, view)
        if action == "reveal":
            proposed = (
                None if judgement is None else (Rating.GOOD if judgement.correct else Rating.AGAIN)
            )
            ui.show_back(view, session.previews(view), judgement)
            action = ui.read_rating(proposed)
            while action in ("where", "help"):
                _inform(ui, view, str(action))
                action = ui.read_rating(proposed)
        if isinstance(action, Rating):
            outcome = session.rate(
                view,
                action,
                duration_ms=int((time.monotonic() - shown) * 1000),
                answer=answer_text,
                correct=None if judgement is None else bool(judgement.correct),
            )
            ui.event(
                "rated",
                card=view.ref,
                rating=int(action),
                review_id=outcome.review_id,
                due=outcome.after.due.isoformat() if outcome.after.due else None,
            )
            if outcome.became_leech:
                verb = "suspended" if outcome.leech_action == "suspend" else "tagged leech"
                ui.notice(
                    f"{view.ref} is a leech ({outcome.after.lapses} lapses): {verb}", style="red"
                )
        elif action == "undo":
            undone = session.undo()
            ui.notice("undone: " + undone.ref if undone else "nothing to undo")
            ui.event("undo", card=undone.ref if undone else None)
        elif action == "suspend":
            session.suspend(view)
            ui.notice(f"suspended {view.ref}")
            ui.event("suspend", card=view.ref)
        elif action == "bury":
            session.bury(view)
            ui.notice(f"buried {view.ref} until tomorrow")
            ui.event("bury", card=view.ref)
        elif action == "quit":
            break
        view = session.next()
    return session.summary()


@handle_errors
def drill(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck",
            "-d",
            help="Only this deck, with the decks nested under it by '/' (repeatable).",
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Line mode: print each step as a JSON line.")
    ] = False,
) -> None:
    """Study today's cards: learning cards, due reviews, then new cards.

    Example: cvquiz drill --deck losses --new 10
    """
    from cvquiz import clock
    from cvquiz.collection.scheduling import QueueFilter, check_deck_filter, next_due
    from cvquiz.study import Session

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
    flt = QueueFilter(decks=tuple(deck or ()), tags=tuple(tag or ()), new_limit=new)
    check_deck_filter(col, flt.decks, flt.tags)
    session = Session(
        col=col, settings=settings, now=now_fn, lang=env.lang, flt=flt, rng=rng, limit=limit
    )
    interactive = env.stdin_is_tty and sys.stdout.isatty() and not as_json
    ui: UI = TerminalUI(env.out, env.lang) if interactive else LineUI(env.out, as_json, env.lang)
    first = session.next()
    if first is None:
        # --new applies to this session only; tomorrow's new cards follow the setting.
        _nothing_due(
            env, ui, next_due(col, env.now, settings, QueueFilter(decks=flt.decks, tags=flt.tags))
        )
        return
    session.push_back(first)
    try:
        summary = run_session(session, ui)
    except KeyboardInterrupt:
        summary = session.summary()
    ui.show_summary(summary)


def _nothing_due(env: Env, ui: UI, upcoming: Any) -> None:
    if upcoming is None:
        message = "Nothing to study: no cards are due and no new cards are left."
        ui.event("done", next_due=None, count=0)
    else:
        when, count = upcoming
        local = when.astimezone()
        message = (
            f"Nothing due now. Next: {count} card{'s' * (count != 1)} at {local:%Y-%m-%d %H:%M}."
        )
        ui.event("done", next_due=when.isoformat(), count=count)
    if not isinstance(ui, LineUI) or not ui.as_json:
        env.out.print(escape(message))
