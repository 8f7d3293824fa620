"""``cvquiz check``, ``cvquiz decks`` and ``cvquiz paths``: deck files and the collection at a glance."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvquiz.cli import draw
from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.jsonout import print_json
from cvquiz.i18n import N_, _, ngettext

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
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Check everything again, not trusting what earlier checks found sound."
        ),
    ] = False,
) -> None:
    """Check deck files and print every problem found, structure and generators alike.

    Example: cvquiz check ~/cvquiz-decks/
    """
    from cvquiz.checkcache import VerdictCache
    from cvquiz.cli.progress import progress_bar
    from cvquiz.deckcheck import check_decks

    env = get_env(ctx)
    cache = VerdictCache(env.paths.cache)
    if fresh:
        cache.clear()
    with progress_bar(lambda: env.err) as progress:
        report = check_decks(paths, env.paths.bundled, env.paths.decks, progress, cache)
    cache.save()
    if as_json:
        print_json(env, report)
        if not report.ok:
            raise typer.Exit(1)
        return
    out = draw.Out.to(sys.stderr, env.environ)  # drawn by hand: rich's console is not loaded for it
    for checked in report.files:
        out.lines([out.render(line) for line in checked.lines()])
    files = len(report.files)
    if not report.ok:
        summary = _("{problems} in {files}").format(
            problems=ngettext("{n} problem", "{n} problems", report.problems).format(
                n=report.problems
            ),
            files=ngettext("{n} file", "{n} files", files).format(n=files),
        )
        out.line((summary, "red"))
        raise typer.Exit(1)
    summary = _("{decks}, {cards} as written, {study_cards}, no problems").format(
        decks=ngettext("{n} deck", "{n} decks", report.decks).format(n=report.decks),
        cards=ngettext("{count} card", "{count} cards", report.cards).format(count=report.cards),
        study_cards=ngettext("{n} study card", "{n} study cards", report.study_cards).format(
            n=report.study_cards
        ),
    )
    out.line((_("ok"), "green"), _(": {summary}").format(summary=summary))


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
        print_json(env, summaries)
        return
    render_decks(draw.Out.to(sys.stdout, env.environ), summaries)


def _short_names(summaries: list[DeckSummary]) -> dict[str, str]:
    """Each deck's display name, less the first level when every bundled deck shares it ("CV Interview::")."""
    roots = {s.name.split("::", 1)[0] for s in summaries if s.bundled}
    shared = next(iter(roots)) + "::" if len(roots) == 1 else None
    return {
        s.id: s.name.removeprefix(shared)
        if shared and s.bundled and s.name.startswith(shared)
        else s.name
        for s in summaries
    }


def render_decks(out: draw.Out, summaries: list[DeckSummary]) -> None:
    """Print the decks table (drawn by `cvquiz.cli.draw`: rich's console is not loaded for it).

    Names give way, with an ellipsis, before the ids and counts do, so each deck stays on one line and every id
    can be copied into ``--deck``; the first level that every bundled deck shares ("CV Interview::") is left
    out of their names, and the title says it.
    """
    fields = ("study_cards", "new", "due", "suspended")
    headings = [_("Study"), _("New"), _("Due"), _("Suspended")]
    columns = [
        draw.Column(_("Deck"), shrinks=True),
        draw.Column(_("Id"), style="dim"),
        *(draw.Column(heading, justify="right") for heading in headings),
    ]
    yours = "✎ "  # a prefix: a long name is cut at its end
    names = _short_names(summaries)
    rows: list[list[draw.Cell]] = [
        [
            [(names[s.id], "")] if s.bundled else [(yours, "cyan"), (names[s.id], "")],
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
    if not all(s.bundled for s in summaries):
        caption = _("{sentence} {next}").format(sentence=caption, next=_("✎ marks your decks."))
    roots = {s.name.split("::", 1)[0] for s in summaries if s.bundled and "::" in s.name}
    title = _("Decks") if len(roots) != 1 else _("Decks (bundled: {root})").format(root=roots.pop())
    out.lines(draw.table(out, columns, rows, title=title, caption=caption, footer=footer))


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

    # the paths only (collection_given says how the collection was named, not where it is)
    data = {
        k: str(v) for k, v in asdict(env.paths).items() if k != "collection_given" and v is not None
    }
    data["schema"] = str(Path(__file__).resolve().parent.parent / "deckfile" / "deck.schema.json")
    if as_json:
        print_json(env, data)
        return
    del Paths
    from rich.cells import cell_len

    from cvquiz.cli.styled import styled

    labels = {key: _(_PATH_LABELS.get(key, key)) for key in data}
    width = max(cell_len(label) for label in labels.values())
    for key, value in data.items():
        label = labels[key] + " " * (width - cell_len(labels[key]))
        env.out.print(
            styled("{label} {path}", {"label": "bold"}, label=label, path=value),
            highlight=False,
            soft_wrap=True,
        )


_PATH_LABELS = {
    # TRANSLATORS: the rows of `cvquiz paths`
    "collection": N_("collection"),
    "decks": N_("your decks"),
    "config": N_("settings"),
    "bundled": N_("bundled decks"),
    "cache": N_("check cache"),
    "schema": N_("deck schema"),
}
