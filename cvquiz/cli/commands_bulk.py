"""``cvquiz suspend|unsuspend|bury|forget``, ``cvquiz tag add|remove`` and ``cvquiz undo``.

Each bulk command takes card references (``deck/id``, unique prefixes) or a search query, asks before it
changes more than one card (``--yes`` does not ask; without a terminal to ask on, ``--yes`` is required), and
makes one change that ``cvquiz undo`` takes back.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cvquiz.cli.context import QUERY_CONTEXT, Env, get_env, query_words
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import tag_app
from cvquiz.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from cvquiz.cards import Selection, UndoResult

SHOWN = 8
"""How many of the matched cards a confirmation lists."""

ASK = {
    # translated where they are asked: this module is imported before --lang is applied
    "suspend": N_("Suspend {count} cards?"),
    "unsuspend": N_("Unsuspend {count} cards?"),
    "bury": N_("Bury {count} cards until tomorrow?"),
    "forget": N_("Reset {count} cards to new?"),
    "add": N_("Add the tag to {count} cards?"),
    "remove": N_("Remove the tag from {count} cards?"),
}
"""The question asked before an action changes several cards."""

HELP = {
    "suspend": _(
        "Suspend cards: they leave every queue until unsuspended.\n\n"
        "Give card references or a search query (cvquiz search syntax). Example: cvquiz suspend deck:losses is:leech"
    ),
    "unsuspend": _(
        "Unsuspend cards.\n\nGive card references or a search query. Example: cvquiz unsuspend is:suspended tag:detection::nms"
    ),
    "bury": _(
        "Bury cards until the next study day.\n\nGive card references or a search query. Example: cvquiz bury deck:pose"
    ),
    "forget": _(
        "Reset cards to new; their review history is kept.\n\n"
        "Give card references or a search query. Example: cvquiz forget losses/ce-grad-softmax"
    ),
    "undo": _(
        "Undo the last change to the collection: a rating, suspend, bury, forget or tag change.\n\n"
        "Run it again to go further back. Example: cvquiz undo"
    ),
    "tag add": _(
        "Add a tag to cards (in your deck files; bundled cards keep it in the collection).\n\n"
        "Example: cvquiz tag add review-later deck:detection prop:lapses>2"
    ),
    "tag remove": _(
        "Remove a tag from cards.\n\nExample: cvquiz tag remove review-later is:review"
    ),
}


def register(app: typer.Typer) -> None:
    """Add the bulk commands and ``undo``."""
    app.command("suspend", help=HELP["suspend"], context_settings=QUERY_CONTEXT)(suspend)
    app.command("unsuspend", help=HELP["unsuspend"], context_settings=QUERY_CONTEXT)(unsuspend)
    app.command("bury", help=HELP["bury"], context_settings=QUERY_CONTEXT)(bury)
    app.command("forget", help=HELP["forget"], context_settings=QUERY_CONTEXT)(forget)
    app.command("undo", help=HELP["undo"])(undo)
    tag_app.command("add", help=HELP["tag add"], context_settings=QUERY_CONTEXT)(tag_add)
    tag_app.command("remove", help=HELP["tag remove"], context_settings=QUERY_CONTEXT)(tag_remove)


def _print_json(env: Env, data: Any) -> None:
    from cvquiz.cli.jsonout import print_json

    print_json(env, data)


def _select(env: Env, targets: list[str] | None) -> Selection:
    from cvquiz import cards
    from cvquiz.cli.commands_search import search_context

    return cards.select(env.collection(), query_words(targets), search_context(env))


def confirm(env: Env, selection: Selection, action: str, yes: bool) -> None:
    """Ask before changing more than one card; refuse without a terminal unless ``--yes`` was given.

    Raises:
        UsageError: without a terminal and without ``--yes``.
        typer.Exit: when the person says no (exit code 1, nothing changed).
    """
    from cvquiz.errors import UsageError

    n = len(selection.refs)
    if n <= 1 or yes:
        return
    if not env.stdin_is_tty:
        raise UsageError(
            ngettext(
                "{count} card matches {query!r}; add --yes to change it (there is no terminal to ask on)",
                "{count} cards match {query!r}; add --yes to change them all (there is no terminal to ask on)",
                n,
            ).format(count=n, query=selection.label)
        )
    more = n - SHOWN
    lines = [ngettext("{count} card matches:", "{count} cards match:", n).format(count=n)]
    lines += [f"  {ref}" for ref in selection.refs[:SHOWN]]
    if more > 0:
        lines.append("  " + ngettext("and {more} more", "and {more} more", more).format(more=more))
    env.err.print("\n".join(lines), markup=False, highlight=False)
    env.err.print(_(ASK[action]).format(count=n) + " [y/N] ", end="", markup=False, highlight=False)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes", _("y"), _("yes")):
        env.err.print(_("Cancelled; nothing was changed."))
        raise typer.Exit(1)


TargetsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help=_("Cards: deck/id references (or unique prefixes), or a search query."),
        show_default=False,
    ),
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help=_("Do not ask before changing several cards."))
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON."))]

DONE = {
    # translated where they are shown: this module is imported before --lang is applied
    "suspend": N_("Suspended {count} of {cards}."),
    "unsuspend": N_("Unsuspended {count} of {cards}."),
    "bury": N_("Buried {count} of {cards} until tomorrow."),
    "forget": N_("Reset {count} of {cards} to new."),
}


def _cards_phrase(refs: tuple[str, ...]) -> str:
    if len(refs) == 1:
        return refs[0]
    return ngettext("{count} card", "{count} cards", len(refs)).format(count=len(refs))


def _change(
    ctx: typer.Context, action: str, targets: list[str] | None, yes: bool, as_json: bool
) -> None:
    from cvquiz import cards

    env = get_env(ctx)
    selection = _select(env, targets)
    confirm(env, selection, action, yes)
    result = cards.change(env.collection(), action, selection, env.now, env.settings.rollover_hour)
    if as_json:
        _print_json(env, asdict(result))
        return
    counted = ngettext("{n} review card", "{n} review cards", result.review_cards).format(
        n=result.review_cards
    )
    env.out.print(
        escape(_(DONE[action]).format(count=counted, cards=_cards_phrase(result.cards))),
        highlight=False,
        soft_wrap=True,
    )
    if result.change_id is not None:
        env.err.print(_("cvquiz undo takes it back."), style="dim", highlight=False)


@handle_errors
def suspend(
    ctx: typer.Context, card: TargetsArg = None, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Suspend cards: they leave every queue until unsuspended."""
    _change(ctx, "suspend", card, yes, as_json)


@handle_errors
def unsuspend(
    ctx: typer.Context, card: TargetsArg = None, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Unsuspend cards."""
    _change(ctx, "unsuspend", card, yes, as_json)


@handle_errors
def bury(
    ctx: typer.Context, card: TargetsArg = None, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Bury cards until the next study day."""
    _change(ctx, "bury", card, yes, as_json)


@handle_errors
def forget(
    ctx: typer.Context, card: TargetsArg = None, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Reset cards to new; their review history is kept."""
    _change(ctx, "forget", card, yes, as_json)


def _tag(
    ctx: typer.Context, op: str, tag: str, targets: list[str] | None, yes: bool, as_json: bool
) -> None:
    from cvquiz import cards

    env = get_env(ctx)
    if op == "add":
        cards.check_new_tag(tag)  # before asking about the cards
    selection = _select(env, targets)
    confirm(env, selection, op, yes)
    result = cards.tag_cards(env.collection(), op, tag, selection, env.now, env.paths.decks)
    if as_json:
        _print_json(env, asdict(result))
        return
    n = len(result.changed)
    if op == "add":
        message = ngettext("Tagged {count} card with {tag}.", "Tagged {count} cards with {tag}.", n)
    else:
        message = ngettext(
            "Removed {tag} from {count} card.", "Removed {tag} from {count} cards.", n
        )
    env.out.print(escape(message.format(count=n, tag=result.tag)), highlight=False)
    if result.unchanged:
        already = (
            ngettext(
                "{count} card had it already.", "{count} cards had it already.", result.unchanged
            )
            if op == "add"
            else ngettext(
                "{count} card did not have it.", "{count} cards did not have it.", result.unchanged
            )
        )
        env.err.print(already.format(count=result.unchanged), style="dim", highlight=False)
    if result.from_deck:
        left = ngettext(
            "Left {tag} on {count} card: its deck gives it to every card (the tags: list of {files}): {cards}",
            "Left {tag} on {count} cards: their deck gives it to every card (the tags: list of {files}): {cards}",
            len(result.from_deck),
        )
        env.err.print(
            escape(
                left.format(
                    count=len(result.from_deck),
                    tag=result.tag,
                    files=", ".join(result.from_deck_files),
                    cards=", ".join(result.from_deck[:SHOWN]),
                )
            ),
            highlight=False,
            soft_wrap=True,
        )
    for path in result.files:
        env.err.print(escape(_("Wrote {path}").format(path=path)), style="dim", highlight=False)


TagArg = Annotated[
    str, typer.Argument(help=_("The tag (letters, digits, '_' and '-', joined by '::')."))
]


@handle_errors
def tag_add(
    ctx: typer.Context,
    tag: TagArg,
    card: TargetsArg = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a tag to cards."""
    _tag(ctx, "add", tag, card, yes, as_json)


@handle_errors
def tag_remove(
    ctx: typer.Context,
    tag: TagArg,
    card: TargetsArg = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a tag from cards."""
    _tag(ctx, "remove", tag, card, yes, as_json)


@handle_errors
def undo(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Undo the last change to the collection."""
    from cvquiz import cards

    env = get_env(ctx)
    # No deck sync: a broken deck file must not stand between the user and an undo.
    result = cards.undo_last(env.collection(sync=False), env.paths.decks)
    if as_json:
        _print_json(env, asdict(result))
        return
    env.out.print(escape(undo_message(result)), highlight=False, soft_wrap=True)
    for path in result.files:
        env.err.print(escape(_("Wrote {path}").format(path=path)), style="dim", highlight=False)


def _rating_name(rating: int | None) -> str:
    """A rating as the drill's buttons name it."""
    names = {1: _("Again"), 2: _("Hard"), 3: _("Good"), 4: _("Easy")}
    return names.get(rating or 0, "?")


def undo_message(result: UndoResult) -> str:
    """What ``cvquiz undo`` took back, in a sentence."""
    from datetime import datetime

    from cvquiz import clock

    when = (
        datetime.fromisoformat(result.made_at)
        .astimezone(clock.local_zone())
        .strftime("%Y-%m-%d %H:%M")
    )
    if result.op == "review":
        message = _("Undid your rating ({rating}) of {card}, given {when}.").format(
            rating=_rating_name(result.rating), card=result.label, when=when
        )
    else:
        from cvquiz.collection.undo import op_name

        what = op_name(result.op)
        message = ngettext(
            "Undid {what} {label} ({count} review card), made {when}.",
            "Undid {what} {label} ({count} review cards), made {when}.",
            result.cards,
        ).format(what=what, label=result.label, count=result.cards, when=when)
    return message
