"""The ``cvquiz`` command: global options, and the registry of command modules.

Commands live one module each under `cvquiz.cli`, listed in `cvquiz.cli.lazy.COMMANDS` and imported only when
they run; nothing heavy is imported here, so ``cvquiz --help`` and ``cvquiz --version`` start fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cvquiz import __version__
from cvquiz.cli.context import Env, collection_override
from cvquiz.cli.lazy import LazyGroup
from cvquiz.i18n import _, set_language
from cvquiz.paths import Paths

app = typer.Typer(
    name="cvquiz",
    help=_("Flashcards, compute drills and FSRS spaced repetition for computer-vision interviews."),
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    cls=LazyGroup,
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
            help=_("The collection file (default: in your user data dir; env CVQUIZ_COLLECTION)."),
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_("Show cards and messages in zh or en (default: CVQUIZ_LANG, setting, locale)."),
            metavar="zh|en",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
) -> None:
    """Flashcards, compute drills and FSRS spaced repetition for computer-vision interviews."""
    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter(_("use zh or en"), param_hint="--lang")
    environ = collection_override(collection, dict(os.environ))
    named = environ.get("CVQUIZ_LANG")
    if lang is None and named and named not in ("zh", "en"):
        message = _("use zh or en, not {value!r}").format(value=named)
        raise typer.BadParameter(message, param_hint="CVQUIZ_LANG")
    ctx.obj = Env(paths=Paths.from_env(environ), lang_option=lang, environ=environ)
    set_language(ctx.obj.lang)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Run the command line (the console script is `cvquiz.cli.entry.main`, which answers --version first)."""
    app()
