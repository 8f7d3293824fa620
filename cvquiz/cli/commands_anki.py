"""``cvquiz export anki`` and ``cvquiz export text``: the collection for Anki and AnkiDroid."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvquiz.cli import draw
from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import export_app
from cvquiz.cli.jsonout import print_json
from cvquiz.i18n import _, ngettext

if TYPE_CHECKING:
    from cvquiz.anki.exporter import AnkiExportOptions


DeckOption = Annotated[
    list[str] | None,
    typer.Option(
        "--deck",
        "-d",
        help="A deck id, with the decks nested under it by '/' (repeat for more; default: every deck).",
    ),
]
TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag", "-t", help="Only cards with this tag or a child of it (repeat for more)."
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="zh, en or both (default: the language cvquiz shows cards in).",
        show_default=False,
    ),
]
InstancesOption = Annotated[
    int,
    typer.Option(
        "--instances", "-n", min=1, max=100, help="Notes per compute card, each a concrete problem."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app (under ``cvquiz export``)."""
    del app
    export_app.command("anki")(anki)
    export_app.command("text")(text)


def _options(
    env: Env,
    deck: list[str] | None,
    tag: list[str] | None,
    lang: str | None,
    instances: int,
    with_progress: bool,
) -> AnkiExportOptions:
    from cvquiz.anki.exporter import AnkiExportOptions

    return AnkiExportOptions(
        decks=tuple(deck or ()),
        tags=tuple(tag or ()),
        lang=lang or env.lang,
        instances=instances,
        with_progress=with_progress,
    )


def _print_result(env: Env, result: Any, as_json: bool, summary: str) -> None:
    if as_json:
        print_json(env, result)
        return
    draw.Out.to(sys.stderr, env.environ).line(summary)  # drawn by hand: no rich console to load


@handle_errors
def anki(
    ctx: typer.Context,
    deck: DeckOption = None,
    tag: TagOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The package to write.")] = Path(
        "cvquiz.apkg"
    ),
    lang: LangOption = None,
    instances: InstancesOption = 5,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Include scheduling, FSRS memory state and review history "
            '(import with Anki\'s "Import any learning progress").',
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Export decks as an Anki package; importing it again updates the notes you have.

    Example: cvquiz export anki --deck convolution --lang both -o conv.apkg
    """
    from cvquiz.anki.exporter import export_anki

    env = get_env(ctx)
    options = _options(env, deck, tag, lang, instances, with_progress)
    options.check()
    col = env.collection()
    with _progress_bar(env) as progress:
        result = export_anki(col, output, env.now, env.settings, options, progress=progress)
    counted = {
        "decks": ngettext("{n} deck", "{n} decks", result.decks).format(n=result.decks),
        "notes": ngettext("{n} note", "{n} notes", result.notes).format(n=result.notes),
        "cards": ngettext("{count} card", "{count} cards", result.cards).format(count=result.cards),
    }
    if with_progress:
        summary = _(
            "Wrote {path}: {decks}, {notes}, {cards}, {studied} with progress and {reviews}. In Anki, "
            'tick "Import any learning progress" when you import it.'
        ).format(
            path=_where(result.path),
            studied=result.studied,
            reviews=ngettext("{n} review", "{n} reviews", result.reviews).format(n=result.reviews),
            **counted,
        )
    else:
        summary = _("Wrote {path}: {decks}, {notes}, {cards}.").format(
            path=_where(result.path), **counted
        )
    _print_result(env, result, as_json, summary)


@handle_errors
def text(
    ctx: typer.Context,
    deck: DeckOption = None,
    tag: TagOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The text file to write.")] = Path(
        "cvquiz.txt"
    ),
    lang: LangOption = None,
    instances: InstancesOption = 5,
    as_json: JsonOption = False,
) -> None:
    """Export decks as Anki plain-text notes for Anki's Basic note type.

    Example: cvquiz export text --tag detection -o detection.txt
    """
    from cvquiz.anki.text_export import export_text

    env = get_env(ctx)
    options = _options(env, deck, tag, lang, instances, False)
    options.check()
    result = export_text(env.collection(), output, options)
    summary = _("Wrote {path}: {decks}, {notes}.").format(
        path=_where(result.path),
        decks=ngettext("{n} deck", "{n} decks", result.decks).format(n=result.decks),
        notes=ngettext("{n} note", "{n} notes", result.notes).format(n=result.notes),
    )
    _print_result(env, result, as_json, summary)


def _where(path: Path) -> str:
    """Name where an export went: its path, or standard output for ``-``."""
    from cvquiz.fileio import STDOUT

    return _("standard output") if str(path) == STDOUT else str(path)


@contextmanager
def _progress_bar(env: Env) -> Iterator[Callable[[int, int], None]]:
    """Yield the exporter's progress callback, drawn as a bar on stderr (only on a terminal)."""
    from cvquiz.cli.progress import progress_bar

    stage = _("Exporting")
    with progress_bar(lambda: env.err) as progress:
        yield lambda done, total: progress(stage, done, total)
