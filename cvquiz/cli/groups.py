"""The command groups shared by several command modules (``cvquiz export ...``, ``cvquiz config ...``)."""

from __future__ import annotations

import typer

from cvquiz.i18n import _

export_app = typer.Typer(
    name="export",
    help="Export the collection (JSON backup, Anki package, Anki text).",
    no_args_is_help=True,
)
config_app = typer.Typer(name="config", help="Show and change settings.", no_args_is_help=True)
calc_app = typer.Typer(
    name="calc",
    help="The reference engine on the command line, with worked solutions.",
    no_args_is_help=True,
)
tag_app = typer.Typer(
    name="tag",
    help=_("Add a tag to cards, or remove one (card references or a search query)."),
    no_args_is_help=True,
)
