"""``cvquiz status``: today's counts, what was studied, retention and the week ahead, on one screen."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.status import Status

BAR_WIDTH = 30


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("status")(status)


@handle_errors
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show today's counts, what you studied today, your retention and the next 7 days.

    Example: cvquiz status --json
    """
    from cvquiz.status import today_status

    env = get_env(ctx)
    result = today_status(env.collection(), env.now, env.settings)
    if as_json:
        env.out.print_json(json.dumps(asdict(result), ensure_ascii=False))
        return
    render_status(env.out, result)


def _duration(ms: int) -> str:
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {seconds}s"
    return f"{seconds}s"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def render_status(out: Console, result: Status) -> None:
    """Print a status on one screen."""
    out.print(
        f"[bold]Today[/] {result.study_day}   "
        f"new [bold blue]{result.new}[/]   learning [bold red]{result.learning}[/]   "
        f"review [bold green]{result.review}[/]",
        highlight=False,
    )
    if result.studied_reviews:
        out.print(
            f"Studied {result.studied_cards} card{'s' * (result.studied_cards != 1)} "
            f"({result.studied_reviews} review{'s' * (result.studied_reviews != 1)}, "
            f"{result.again_today} again) in {_duration(result.time_today_ms)}",
            highlight=False,
        )
    else:
        out.print("Nothing studied yet today.")
    out.print(
        f"Retention, last 30 days: [bold]{_percent(result.retention)}[/] "
        f"of {result.retention_reviews} review{'s' * (result.retention_reviews != 1)}   "
        f"FSRS estimate now: [bold]{_percent(result.estimated_retention)}[/] "
        f"over {result.review_cards} card{'s' * (result.review_cards != 1)}",
        highlight=False,
    )
    out.print(f"Due in the next {len(result.forecast)} days:")
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 2))
    table.add_column("Day")
    table.add_column("Due", justify="right")
    table.add_column("")
    top = max((d.due for d in result.forecast), default=0)
    for i, entry in enumerate(result.forecast):
        day = date.fromisoformat(entry.day)
        label = "today" if i == 0 else day.strftime("%a %m-%d")
        bar = "█" * (round(BAR_WIDTH * entry.due / top) if top else 0)
        table.add_row(label, str(entry.due), f"[cyan]{bar}[/]")
    out.print(table)
