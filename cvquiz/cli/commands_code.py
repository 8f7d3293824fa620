"""``cvquiz try``: judge a Python file against a code card, as the drill would, without a review.

Exit codes: 0 when every case passes, 1 when one fails, 2 for usage errors (an unknown card, an unreadable
file, no function of the card's name in it). ``--json`` prints the verdict as one JSON object on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import ExitCode, handle_errors
from cvquiz.i18n import _


def register(app: typer.Typer) -> None:
    """Add ``try`` to the app."""
    app.command(
        "try",
        help=_(
            "Judge a Python file against a code card (exit 0: passed, 1: failed, 2: usage error).\n\n"
            "Example: cvquiz try code/conv2d my_conv2d.py"
        ),
    )(try_command)


@handle_errors
def try_command(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help=_("The code card, deck/id (or a unique prefix)."))],
    file: Annotated[Path, typer.Argument(help=_("The Python file with your function."))],
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the verdict as JSON."))] = False,
) -> None:
    """Judge a Python file against a code card (exit 0: passed, 1: failed, 2: usage error).

    Example: cvquiz try code/conv2d my_conv2d.py
    """
    from cvquiz.cli.code_view import verdict_details
    from cvquiz.codecards.attempts import try_file

    env = get_env(ctx)
    live = env.err.is_terminal and not as_json

    def progress(done: int, total: int) -> None:
        if live:
            env.err.print(
                _("judging: case {done} of {total}").format(done=done, total=total),
                end="\r",
                highlight=False,
            )

    verdict = try_file(
        env.collection(), card, file, env.now, env.settings.rollover_hour, env.lang, progress
    )
    if live:
        env.err.print(" " * 40, end="\r")
    if as_json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        env.out.print(verdict_details(verdict, env.lang), highlight=False)
    raise typer.Exit(ExitCode.OK if verdict.passed else ExitCode.ERROR)
