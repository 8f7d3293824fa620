"""``cvquiz config show``, ``config get KEY`` and ``config set KEY VALUE``: the settings, read and changed safely."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import config_app
from cvquiz.cli.jsonout import print_json
from cvquiz.i18n import _, after_label


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``config`` group."""
    del app
    config_app.command("show")(show)
    config_app.command("get")(get)
    # a value like -1 is a value to reject with its range, not an unknown option
    config_app.command("set", context_settings={"ignore_unknown_options": True})(set_)


@handle_errors
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show every setting, its allowed values, and where the settings file is.

    Example: cvquiz config show
    """
    from cvquiz.config import setting_rows

    env = get_env(ctx)
    rows = setting_rows(env.settings)
    if as_json:
        data = {"path": str(env.paths.config), "settings": [asdict(row) for row in rows]}
        print_json(env, data)
        return
    table = Table(title=escape(str(env.paths.config)), title_justify="left")
    table.add_column(_("Key"))
    table.add_column(_("Value"))
    table.add_column(_("Allowed"), style="dim")
    for row in rows:
        value = escape(row.value) or "''"
        table.add_row(
            escape(row.key), f"[bold]{value}[/]" if row.changed else value, escape(row.allowed)
        )
    env.out.print(table)


@handle_errors
def get(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help="A setting (see `cvquiz config show`) or decks.DECK.new_per_day.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Print the value of one setting.

    Example: cvquiz config get desired_retention
    """
    from cvquiz.config import get_setting

    row = get_setting(get_env(ctx).settings, key)
    if as_json:
        print_json(get_env(ctx), row)
    else:
        print(row.value)


@handle_errors
def set_(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help="A setting (see `cvquiz config show`) or decks.DECK.new_per_day.")
    ],
    value: Annotated[str, typer.Argument(help="The new value, as `config show` prints it.")],
) -> None:
    """Change one setting; a bad value is rejected with the allowed range and nothing is written.

    Example: cvquiz config set desired_retention 0.85
    """
    from cvquiz.config import get_setting, set_setting

    env = get_env(ctx)
    new = set_setting(env.paths.config, key, value)
    shown = get_setting(new, key).value or "''"
    label = escape(_("set"))
    env.err.print(f"[green]{label}[/] {escape(key)} = {escape(shown)}", highlight=False)
    if key.startswith("decks."):
        from cvquiz.collection.filters import unknown_deck

        problem = unknown_deck(env.collection().conn, key[len("decks.") :].rpartition(".")[0])
        if problem is not None:
            warning = escape(_("Warning:"))
            line = _("{problem}; the limit is kept for when a deck has this id").format(
                problem=problem
            )
            text = f"[yellow]{warning}[/]{after_label(warning)}{escape(line)}"
            env.err.print(text, highlight=False, soft_wrap=True)
