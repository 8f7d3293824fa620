"""``cvquiz --help``: the command list, drawn from the static table with rich alone.

typer draws help through its ``rich_utils`` module, which imports rich's Markdown, syntax and traceback
support (about as long to load as typer itself). The top-level help is what people open most, and all it shows
is the global options and the table of commands, so it is drawn here, in typer's layout and colours; every
command's own ``--help`` is still typer's.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvquiz.cli import cjk
from cvquiz.i18n import N_, _

TYPER_HELP = (
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Show this message and exit."),
)
"""The help of the options typer and click add, so that they are translated too."""


def _panel(title: str, table: Table) -> Panel:
    return Panel(table, title=title, title_align="left", border_style="dim", box=_box())


def _box() -> Any:
    from rich import box

    return box.ROUNDED


def _grid(*ratios: int | None) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    for ratio in ratios:
        table.add_column(ratio=ratio, no_wrap=ratio is None)
    return table


def render(group: Any, ctx: Any, commands: list[tuple[str, str, str]]) -> None:
    """Print the help of the root group.

    Args:
        group: the root click group (its usage, help and global options are read from it).
        ctx: its click context.
        commands: ``(name, one-line help, panel)`` of every command, in order.
    """
    console = cjk.console(highlight=False)
    label = _("Usage:")
    usage = Text(label if label.endswith("：") else label + " ", style="yellow")
    usage.append(" ".join([ctx.command_path, *group.collect_usage_pieces(ctx)]), style="bold")
    parts: list[Any] = [Padding(usage, 1)]
    if group.help:
        parts.append(Padding(Text(group.help), (0, 1, 1, 1)))
    options = _grid(None, None, None, 1)
    for param in group.get_params(ctx):
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        shorts = [o for o in param.opts if not o.startswith("--")]
        options.add_row(
            Text(",".join(longs), style="bold cyan"),
            Text(",".join(shorts), style="bold green"),
            Text(param.metavar or "", style="bold yellow"),
            Text(_(param.help) if param.help else ""),
        )
    parts.append(_panel(_("Options"), options))
    panels: dict[str, Table] = {}
    width = max(len(name) for name, _help, _panel_name in commands)
    for name, text, panel in commands:
        table = panels.get(panel)
        if table is None:
            table = panels[panel] = _grid(None, 1)
        table.add_row(Text(name.ljust(width), style="bold cyan"), Text(text))
    parts.extend(_panel(title, table) for title, table in panels.items())
    console.print(Group(*parts))
