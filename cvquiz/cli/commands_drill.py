"""``cvquiz drill``: the daily study session, in a terminal or line by line from a script.

The session and its loop live in `cvquiz.study`; this module parses the options and picks one of the two front
ends of `cvquiz.study.StudyUI`: `cvquiz.cli.drill_terminal.TerminalUI` (keys, a screen redrawn per card) or
`cvquiz.cli.drill_line.LineUI` (one line per step for scripts, ``--json`` for one JSON event per line;
docs/scripting.md describes both). Only the one in use is imported.

The annotations here are evaluated when the module loads (no ``from __future__ import annotations``): typer
reads the options from them, and evaluating thirteen of them from strings at every start-up costs more than
building them once.
"""

import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvquiz.cli import draw
from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.errors import UsageError
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.cli.drill_line import LineUI
    from cvquiz.cli.drill_terminal import TerminalUI


def register(app: typer.Typer) -> None:
    """Add ``drill`` to the app."""
    app.command("drill")(drill)


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
        typer.Option(
            "--new", min=0, max=9999, help="New cards to introduce today (overrides the setting)."
        ),
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
            "--ahead",
            min=1,
            max=3650,
            help="Custom study: also review cards due in the next N days.",
        ),
    ] = None,
    forgotten: Annotated[
        int | None,
        typer.Option(
            "--forgotten",
            min=1,
            max=3650,
            help="Custom study: only cards you rated Again in the last N days.",
        ),
    ] = None,
    extra_new: Annotated[
        int | None,
        typer.Option(
            "--extra-new",
            min=1,
            max=9999,
            help="Custom study: N more new cards than today's limit.",
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
    from cvquiz.collection.queue import QueueFilter, check_deck_filter, next_due
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
    if seed and not (seed.isascii() and seed.isdigit()):
        raise UsageError(
            _("CVQUIZ_SEED: expected a whole number, not {value!r}").format(value=seed)
        )
    rng = random.Random(int(seed)) if seed else random.Random()
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
    ui: TerminalUI | LineUI = _terminal_ui(env, cram) if interactive else _line_ui(env, as_json)
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
    except BaseException:
        ui.end_line()  # an error line must not run on from the keys line the terminal shows last
        raise
    ui.show_summary(summary)


def _terminal_ui(env: Env, cram: bool) -> "TerminalUI":
    """The terminal front end, with the user's editor for code cards when one can be found."""
    from cvquiz.cli.drill_terminal import TerminalUI
    from cvquiz.cli.editor import find_editor, run_editor

    command = find_editor(env.environ)
    if command is None:
        ui = TerminalUI(env.out, env.lang)
    else:

        def editor(path: Path) -> int:
            return run_editor(env.environ, path)

        ui = TerminalUI(env.out, env.lang, editor, Path(command[0]).name)
    ui.cram = cram
    return ui


def _line_ui(env: Env, as_json: bool) -> "LineUI":
    """The line front end (stdin is not a terminal, or ``--json``)."""
    from cvquiz.cli.drill_line import LineUI

    return LineUI(draw.Out.to(sys.stdout, env.environ), as_json, env.lang)


def _nothing_due(env: Env, ui: "TerminalUI | LineUI", upcoming: Any) -> None:
    from cvquiz.cli.drill_line import LineUI
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
        draw.Out.to(sys.stdout, env.environ).line(message)
