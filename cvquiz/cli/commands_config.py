"""``cvquiz config show`` and ``cvquiz config set KEY VALUE``: the settings file, read and changed safely."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import config_app

if TYPE_CHECKING:
    from cvquiz.config import Settings


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``config`` group."""
    del app
    config_app.command("show")(show)
    # a value like -1 is a value to reject with its range, not an unknown option
    config_app.command("set", context_settings={"ignore_unknown_options": True})(set_)


def setting_rows(settings: Settings) -> list[dict[str, Any]]:
    """Return one row per setting: key, value as ``config set`` reads it, default, allowed values."""
    from cvquiz.config import ALLOWED, Settings, settings_to_data

    values = settings_to_data(settings, only_changed=False)
    defaults = settings_to_data(Settings(), only_changed=False)
    rows = []
    for key, allowed in ALLOWED.items():
        rows.append(
            {
                "key": key,
                "value": _text(values[key]),
                "default": _text(defaults[key]),
                "changed": values[key] != defaults[key],
                "allowed": allowed,
            }
        )
    for deck, limits in values.get("decks", {}).items():
        for name, value in limits.items():
            rows.append(
                {
                    "key": f"decks.{deck}.{name}",
                    "value": _text(value),
                    "default": _text(values[name]),
                    "changed": True,
                    "allowed": ALLOWED[name] + " (this deck)",
                }
            )
    return rows


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


@handle_errors
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show every setting, its allowed values, and where the settings file is.

    Example: cvquiz config show
    """
    env = get_env(ctx)
    rows = setting_rows(env.settings)
    if as_json:
        env.out.print_json(
            json.dumps({"path": str(env.paths.config), "settings": rows}, ensure_ascii=False)
        )
        return
    table = Table(title=escape(str(env.paths.config)), title_justify="left")
    table.add_column("Key")
    table.add_column("Value")
    table.add_column("Allowed", style="dim")
    for row in rows:
        value = escape(row["value"]) or "''"
        table.add_row(row["key"], f"[bold]{value}[/]" if row["changed"] else value, row["allowed"])
    env.out.print(table)


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
    from cvquiz.config import set_setting

    env = get_env(ctx)
    new = set_setting(env.paths.config, key, value)
    shown = {row["key"]: row["value"] for row in setting_rows(new)}.get(key, value) or "''"
    env.err.print(f"[green]set[/] {escape(key)} = {escape(shown)}", highlight=False)
