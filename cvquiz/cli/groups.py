"""The command groups shared by several command modules (``cvquiz export ...``, ``cvquiz config ...``)."""

from __future__ import annotations

import typer

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
