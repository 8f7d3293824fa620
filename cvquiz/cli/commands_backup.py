"""``cvquiz export json``: the whole collection as one JSON file (a backup that loses nothing).

The restoring side is `cvquiz.collection.backup.restore_json_file`, which ``cvquiz import`` calls for ``.json``
files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import export_app
from cvquiz.i18n import _, ngettext

if TYPE_CHECKING:
    from cvquiz.collection.backup import BackupCounts


def counted(counts: BackupCounts) -> dict[str, str]:
    """The decks, cards and reviews of a backup as words ("1 review", "34 个牌组"), to fill a sentence."""
    return {
        "decks": ngettext("{n} deck", "{n} decks", counts.decks).format(n=counts.decks),
        "cards": ngettext("{n} card", "{n} cards", counts.cards).format(n=counts.cards),
        "reviews": ngettext("{n} review", "{n} reviews", counts.reviews).format(n=counts.reviews),
    }


def register(app: typer.Typer) -> None:
    """Add ``export json`` to the ``export`` group."""
    del app
    export_app.command("json")(export_json)


@handle_errors
def export_json(
    ctx: typer.Context,
    output: Annotated[
        str, typer.Argument(help="The file to write, or - for standard output.", show_default=True)
    ] = "-",
    output_option: Annotated[
        str | None,
        typer.Option("--output", "-o", help="The file to write (as the other exports take it)."),
    ] = None,
) -> None:
    """Export decks, cards with their scheduling state and the whole review log as JSON.

    Example: cvquiz export json -o backup.json
    """
    from cvquiz.collection import backup
    from cvquiz.errors import UsageError
    from cvquiz.fileio import STDOUT, text_writer, write_output

    if output_option is not None:
        if output != "-":
            raise UsageError("give the file once: as an argument or with -o, not both")
        output = output_option
    env = get_env(ctx)
    # No deck sync: a broken deck file must not stand between the user and a backup.
    col = env.collection(sync=False)
    written: list[BackupCounts] = []

    def write(handle: TextIO) -> None:
        written.append(backup.export_json(col, handle, env.now))

    where = write_output(
        Path(output).expanduser() if output != STDOUT else STDOUT, text_writer(write)
    )
    counts = written[0]
    from rich.markup import escape  # the export group's other commands print without rich

    env.err.print(
        escape(
            _("Exported {decks}, {cards} and {reviews} to {where}").format(
                **counted(counts), where=where
            )
        ),
        highlight=False,
        soft_wrap=True,
    )
