"""``cvquiz --help``: the command list, drawn from the static table by hand.

typer draws help through its ``rich_utils`` module, which imports rich's console, Markdown, syntax and
traceback support (about as long to load as typer itself). The top-level help is what people open most, and
all it shows is the global options and the table of commands, so it is drawn here with `cvquiz.cli.draw`,
in typer's layout and colours (rounded panels, dim borders); every command's own ``--help`` is still typer's.
"""

from __future__ import annotations

import sys
from typing import Any

from cvquiz.cli import draw
from cvquiz.i18n import N_, _, after_label

TYPER_HELP = (
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Show this message and exit."),
)
"""The help of the options typer and click add, so that they are translated too."""


def render(group: Any, ctx: Any, commands: list[tuple[str, str, str]]) -> None:
    """Print the help of the root group.

    Args:
        group: the root click group (its usage, help and global options are read from it).
        ctx: its click context.
        commands: ``(name, one-line help, panel)`` of every command, in order.
    """
    out = draw.Out.to(sys.stdout)
    width = out.width
    label = _("Usage:")
    usage = " ".join([ctx.command_path, *group.collect_usage_pieces(ctx)])
    lines = ["", " " + out.render([(label + after_label(label), "yellow")])]
    lines[-1] += out.style(usage, "bold")
    lines.append("")
    if group.help:
        lines.extend(" " + line for line in draw.wrap(group.help, width - 2))
        lines.append("")
    options: list[list[draw.Cell]] = []
    for param in group.get_params(ctx):
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        shorts = [o for o in param.opts if not o.startswith("--")]
        options.append(
            [
                (",".join(longs), "bold cyan"),
                (",".join(shorts), "bold green"),
                (param.metavar or "", "bold yellow"),
                _(param.help) if param.help else "",
            ]
        )
    inner = width - 4
    lines.extend(draw.panel(out, _("Options"), draw.grid(out, options, inner), width))
    panels: dict[str, list[list[draw.Cell]]] = {}
    names = max(len(name) for name, _help, _title in commands)  # every panel's names line up
    for name, text, title in commands:
        panels.setdefault(title, []).append([(name.ljust(names), "bold cyan"), text])
    for title, rows in panels.items():
        lines.extend(draw.panel(out, title, draw.grid(out, rows, inner), width))
    out.lines(lines)
