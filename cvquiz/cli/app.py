"""The ``cvquiz`` command: global options, and the registry of command modules.

Commands live one module each under `cvquiz.cli`; this module only wires them. Nothing heavy is imported here,
so ``cvquiz --help`` and ``cvquiz --version`` start fast.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Annotated

import typer

from cvquiz import __version__
from cvquiz.cli.context import Env, collection_override
from cvquiz.cli.groups import calc_app, config_app, export_app
from cvquiz.i18n import set_language
from cvquiz.paths import Paths

app = typer.Typer(
    name="cvquiz",
    help="Flashcards, compute drills and FSRS spaced repetition for computer-vision interviews.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"cvquiz {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    collection: Annotated[
        Path | None,
        typer.Option(
            "--collection",
            help="The collection file (default: in your user data dir; env CVQUIZ_COLLECTION).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Show cards in zh or en (default: setting, then locale)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Flashcards, compute drills and FSRS spaced repetition for computer-vision interviews."""
    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    environ = collection_override(collection, dict(os.environ))
    ctx.obj = Env(paths=Paths.from_env(environ), lang_option=lang, environ=environ)
    set_language(ctx.obj.lang)
    ctx.call_on_close(ctx.obj.close)


COMMAND_MODULES = (
    "commands_drill",
    "commands_status",
    "commands_stats",
    "commands_decks",
    "commands_cards",
    "commands_config",
    "commands_backup",
    "commands_calc",
    "commands_anki",
)
"""The modules under cvquiz.cli whose ``register(app)`` adds their commands, in the order ``--help``
lists them: the daily drill first. One line per module."""

for _name in COMMAND_MODULES:
    importlib.import_module(f"cvquiz.cli.{_name}").register(app)
app.add_typer(config_app)
app.add_typer(export_app)
app.add_typer(calc_app)


def main() -> None:
    """Run the command line (the console script is `cvquiz.cli.entry.main`, which answers --version first)."""
    app()
