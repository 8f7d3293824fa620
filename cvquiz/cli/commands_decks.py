"""``cvquiz check``, ``cvquiz decks`` and ``cvquiz paths``: deck files and the collection at a glance."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvquiz.cli import draw
from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.collection import DeckSummary


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("check")(check)
    app.command("decks")(decks)
    app.command("paths")(paths)


@handle_errors
def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Deck files or folders (default: the bundled decks and your decks folder)."
        ),
    ] = None,
) -> None:
    """Check deck files and print every problem found.

    Example: cvquiz check ~/cvquiz-decks/
    """
    from rich.markup import escape

    from cvquiz.deckfile.discovery import deck_files, expand_deck_paths
    from cvquiz.deckfile.loader import DeckSource, load_decks
    from cvquiz.errors import DeckProblems

    env = get_env(ctx)
    if paths:
        sources = [DeckSource(p) for p in expand_deck_paths(paths)]
    else:
        sources = [
            DeckSource(p, bundled=True) for p in deck_files(env.paths.bundled, recursive=False)
        ]
        sources += [DeckSource(p) for p in deck_files(env.paths.decks)]
    try:
        loaded = load_decks(sources)
        problems = _generator_problems(loaded)
    except DeckProblems as error:
        problems = error.problems
        loaded = []
    if problems:
        for line in problems:
            env.err.print(escape(line), highlight=False, soft_wrap=True)
        env.err.print(
            f"[red]{len(problems)} problem{'s' * (len(problems) != 1)}[/] in {len(sources)} file(s)"
        )
        raise typer.Exit(1)
    from cvquiz.model import deck_totals

    counts = deck_totals(loaded)
    summary = _(
        "{decks} deck(s), {cards} card(s) as written, {study_cards} study card(s), no problems"
    ).format(decks=counts.decks, cards=counts.cards, study_cards=counts.study_cards)
    ok = escape(_("ok"))
    env.err.print(f"[green]{ok}[/]: {escape(summary)}")


def _generator_problems(decks: list) -> list[str]:  # type: ignore[type-arg]
    """Check compute cards against their generators, and code cards against their judges (each imported only
    when there are such cards; code cards' model solutions run in a child process)."""
    from cvquiz.model import CardType

    problems: list[str] = []
    code = [(d, c) for d in decks for c in d.cards if c.type is CardType.CODE]
    if code:
        from cvquiz.codecards.spec import check_cards

        for (deck, card), messages in zip(code, check_cards([c for _, c in code]), strict=True):
            problems += [
                f"{deck.path}:{card.line}:{card.column}: card {card.id!r}: {m}" for m in messages
            ]
    compute = [(d, c) for d in decks for c in d.cards if c.type is CardType.COMPUTE]
    if not compute:
        return problems
    try:
        from cvquiz.generators import check_card
    except ImportError:  # pragma: no cover - the generators module is part of the package
        return problems
    for deck, card in compute:
        for message in check_card(card):
            problems.append(f"{deck.path}:{card.line}:{card.column}: card {card.id!r}: {message}")
    return problems


@handle_errors
def decks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List decks with their study cards, new, due today and suspended.

    Example: cvquiz decks --json
    """
    env = get_env(ctx)
    col = env.collection()
    summaries = col.deck_summaries(env.now, env.settings.rollover_hour)
    if as_json:
        env.out.print_json(json.dumps([asdict(s) for s in summaries], ensure_ascii=False))
        return
    render_decks(draw.Out.to(sys.stdout, env.environ), summaries)


def render_decks(out: draw.Out, summaries: list[DeckSummary]) -> None:
    """Print the decks table (drawn by `cvquiz.cli.draw`: rich's console is not loaded for it).

    Names and ids give way, with an ellipsis, before the counts do, so each deck stays on one line.
    """
    fields = ("study_cards", "new", "due", "suspended")
    headings = [_("Study"), _("New"), _("Due"), _("Suspended")]
    columns = [
        draw.Column(_("Deck"), shrinks=True),
        draw.Column(_("Id"), style="dim", max_width=16, shrinks=True),
        *(draw.Column(heading, justify="right") for heading in headings),
    ]
    yours = " " + _("(yours)")
    rows: list[list[draw.Cell]] = [
        [
            [(s.name, "")] if s.bundled else [(s.name, ""), (yours, "cyan")],
            s.id,
            *(str(getattr(s, f)) for f in fields),
        ]
        for s in summaries
    ]
    footer: list[list[draw.Cell]] = []
    if summaries:
        totals = [str(sum(getattr(s, f) for s in summaries)) for f in fields]
        footer.append([(_("Total"), "bold"), "", *totals])
    caption = _(
        "Counts are of study cards: the {cards} cards as written in the deck files expand to "
        "{study_cards} (a reversed card makes two, a cloze card one per deletion)."
    ).format(
        cards=sum(s.cards for s in summaries), study_cards=sum(s.study_cards for s in summaries)
    )
    out.lines(draw.table(out, columns, rows, title=_("Decks"), caption=caption, footer=footer))


@handle_errors
def paths(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show where cvquiz keeps the collection, your decks and your settings.

    Example: cvquiz paths
    """
    env = get_env(ctx)
    from cvquiz.paths import Paths

    data = {k: str(v) for k, v in asdict(env.paths).items()}
    data["schema"] = str(Path(__file__).resolve().parent.parent / "deckfile" / "deck.schema.json")
    if as_json:
        env.out.print_json(json.dumps(data))
        return
    del Paths
    from rich.markup import escape

    for key, value in data.items():
        env.out.print(f"[bold]{key:<11}[/] {escape(value)}", highlight=False, soft_wrap=True)
