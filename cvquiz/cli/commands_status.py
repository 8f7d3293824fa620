"""``cvquiz status``: today's counts, what was studied, retention and the week ahead, on one screen."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len

from cvquiz.cli import draw
from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.jsonout import print_json
from cvquiz.i18n import N_, _, ngettext

if TYPE_CHECKING:
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
        print_json(env, result)
        return
    render_status(draw.Out.to(sys.stdout, env.environ), result)


def _duration(ms: int) -> str:
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("{hours}h {minutes}m").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes}m {seconds}s").format(minutes=minutes, seconds=seconds)
    return _("{seconds}s").format(seconds=seconds)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def render_status(out: draw.Out, result: Status) -> None:
    """Print a status on one screen (drawn by hand: rich's console is not loaded for it)."""
    _wrapped(
        out,
        [
            (_("Today"), "bold"),
            (f" {result.study_day}   ", ""),
            (_("new") + " ", ""),
            (str(result.new), "bold blue"),
            ("   " + _("learning") + " ", ""),
            (str(result.learning), "bold red"),
            ("   " + _("review") + " ", ""),
            (str(result.review), "bold green"),
        ],
    )
    if result.studied_reviews:
        studied = _("Studied {cards} ({reviews}, {again} again) in {time}").format(
            cards=ngettext("{n} card", "{n} cards", result.studied_cards).format(
                n=result.studied_cards
            ),
            reviews=ngettext("{n} review", "{n} reviews", result.studied_reviews).format(
                n=result.studied_reviews
            ),
            again=result.again_today,
            time=_duration(result.time_today_ms),
        )
        if result.cram_today:
            studied += " · " + ngettext(
                "{n} cram review (stats leave it out)",
                "{n} cram reviews (stats leave them out)",
                result.cram_today,
            ).format(n=result.cram_today)
        _wrapped(out, studied)
    else:
        _wrapped(out, _("Nothing studied yet today."))
    _wrapped(
        out,
        [
            (_("Retention, last 30 days:") + " ", ""),
            (_percent(result.retention), "bold"),
            (
                " "
                + ngettext("of {n} review", "of {n} reviews", result.retention_reviews).format(
                    n=result.retention_reviews
                )
                + "   "
                + _("FSRS estimate now:")
                + " ",
                "",
            ),
            (_percent(result.estimated_retention), "bold"),
            (
                " "
                + ngettext("over {n} card", "over {n} cards", result.review_cards).format(
                    n=result.review_cards
                ),
                "",
            ),
        ],
    )
    _wrapped(out, _("Due in the next {days} days:").format(days=len(result.forecast)))
    for line in _forecast_lines(result, out.width):
        out.line(*line)


def _wrapped(out: draw.Out, text: draw.Cell) -> None:
    for line in draw.wrap_spans(text, out.width):
        out.line(*line)


def _forecast_lines(result: Status, width: int) -> list[list[draw.Span]]:
    """Return the forecast as aligned lines: day, count, and a bar cut to ``width`` with an ellipsis."""
    top = max((d.due for d in result.forecast), default=0)
    rows = []
    for i, entry in enumerate(result.forecast):
        day = date.fromisoformat(entry.day)
        label = _("today") if i == 0 else f"{_(_WEEKDAYS[day.weekday()])} {day:%m-%d}"
        bar = "█" * (round(BAR_WIDTH * entry.due / top) if top else 0)
        rows.append((label, str(entry.due), bar))
    label_width = max((cell_len(label) for label, _due, _bar in rows), default=0)
    due_width = max((len(due) for _label, due, _bar in rows), default=0)
    lines = []
    for label, due, bar in rows:
        head = f"  {label}{' ' * (label_width - cell_len(label))}   {due:>{due_width}}"
        line: list[draw.Span] = [(head, "")]
        room = width - cell_len(head) - 3
        if bar and room > 0:
            line += [("   ", ""), (bar if len(bar) <= room else bar[: room - 1] + "…", "cyan")]
        lines.append(line)
    return lines


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
