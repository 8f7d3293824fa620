"""``cvquiz stats``, ``cvquiz optimize`` and ``cvquiz simulate``: how the habit is going and where it leads.

Each command calls one service (`cvquiz.stats`, `cvquiz.optimizer`, `cvquiz.simulate`) and renders its result:
rich tables, a heatmap and a bar chart drawn with block characters (no plotting library to import for the
daily ``stats``), and plotext line charts for ``simulate``, printed without colour codes so they read the same
in any terminal or log. ``--json`` prints the same result object as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.jsonout import print_json
from cvquiz.cli.styled import styled
from cvquiz.i18n import N_, _, month_name, ngettext, weekday_name

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.optimizer import Fit, RetentionAdvice
    from cvquiz.simulate import Simulation
    from cvquiz.stats import GroupStats, Stats

DECK_ROWS = 20
"""The terminal shows this many decks (weakest first); ``--json`` and ``--html`` have them all."""

TAG_ROWS = 15
"""The terminal shows this many tags (weakest first); ``--json`` and ``--html`` have them all."""

CHART_WIDTH = 72
_SHADES = ("·", "░", "▒", "▓", "█")
_EIGHTHS = ("▁", "▂", "▃", "▄", "▅", "▆", "▇", "█")
_MARKERS = ("•", "+", "x", "o", "*", "#")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("stats")(stats)
    app.command("optimize")(optimize)
    app.command("simulate")(simulate)


def _dump(env: Env, result: Any) -> None:
    print_json(env, result)


@contextmanager
def _progress(env: Env) -> Iterator[Callable[[str], None]]:
    """Yield a callback that shows the current stage on stderr: a spinner on a terminal, else one line each
    (optimizing a big log takes a while, and a script's log should say what it was doing)."""
    if not env.err.is_terminal:
        yield lambda text: env.err.print(f"… {escape(text)}", highlight=False)
        return
    from cvquiz.cli.progress import progress_bar

    with progress_bar(lambda: env.err, show_after=0) as progress:
        yield lambda text: progress(text, 0, 0)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _cells(text: str) -> list[str]:
    """``text`` as terminal cells: a wide (CJK) character fills its cell and leaves the next one empty."""
    cells: list[str] = []
    for char in text:
        cells.append(char)
        cells.extend([""] * (cell_len(char) - 1))
    return cells


def _place(row: list[str], at: int, text: str) -> None:
    """Write ``text`` into ``row`` (a list of cells) at cell ``at`` if those cells and a gap before are blank,
    else one cell later (a month four weeks after the last, under a label four cells wide: "10月")."""
    cells = _cells(text)
    for start in (at, at + 1):
        if start + len(cells) <= len(row) and all(
            c == " " for c in row[max(start - 1, 0) : start + len(cells) + 1]
        ):
            row[start : start + len(cells)] = cells
            return


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal cells."""
    return text + " " * max(width - cell_len(text), 0)


# --- stats -----------------------------------------------------------------------------------------------


@handle_errors
def stats(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", "-d", help="Only this deck and those nested under it; repeatable."),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            max=3650,
            help="Period of the again-rates, compute accuracy and forecast.",
        ),
    ] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a self-contained HTML report with charts to FILE."),
    ] = None,
) -> None:
    """Show your review heatmap, streak, retention, forecast, weakest decks and tags, and compute-card mistakes.

    Example: cvquiz stats --deck convolution --days 90 --html report.html
    """
    from cvquiz.stats import collection_stats

    env = get_env(ctx)
    result = collection_stats(env.collection(), env.now, env.settings, tuple(deck or ()), days)
    if html is not None:
        from cvquiz.fileio import write_output
        from cvquiz.report_html import render_stats_html

        where = write_output(html, render_stats_html(result).encode("utf-8"))
        env.err.print(
            escape(_("Wrote the report to {path}").format(path=where)),
            highlight=False,
            soft_wrap=True,
        )
    if as_json:
        _dump(env, asdict(result))
        return
    render_stats(env.out, result, env.lang)


def render_heatmap(result: Stats) -> list[str]:
    """Return the heatmap as lines of text: a column per week, a row per weekday, shades by activity."""
    from cvquiz.stats import heat_level, heatmap_cells

    cells = heatmap_cells(result.heatmap)
    if not cells:
        return []
    weeks = cells[-1][0] + 1
    grid = [[" "] * weeks for _ in range(7)]
    months = [" "] * (weeks + 4)
    busiest = max(d.count for d in result.heatmap)
    labelled = None
    for week, weekday, entry in cells:
        grid[weekday][week] = _SHADES[heat_level(entry.count, busiest)]
        day = date.fromisoformat(entry.day)
        if (weekday == 0 or entry is result.heatmap[0]) and day.month != labelled:
            _place(months, week, month_name(day))
            labelled = day.month
    # Monday, Wednesday, Friday and Sunday name their rows (2024-01-01 was a Monday)
    names = [weekday_name(date(2024, 1, 1 + row)) if row % 2 == 0 else "" for row in range(7)]
    gutter = " " * (max(cell_len(name) for name in names) + 1)
    lines = [gutter + "".join(months).rstrip()]
    lines += [_pad(names[row], len(gutter)) + "".join(grid[row]).rstrip() for row in range(7)]
    legend = ngettext(
        "less {shades} more   (busiest day: {n} review)",
        "less {shades} more   (busiest day: {n} reviews)",
        busiest,
    )
    lines.append(gutter + legend.format(shades=" ".join(_SHADES), n=busiest))
    return lines


def bar_chart(values: Sequence[int], labels: Sequence[str], height: int = 8) -> list[str]:
    """Return a vertical bar chart as lines of text, drawn with eighth blocks.

    Args:
        values: the bar heights.
        labels: a label per bar; those of every 7th bar are written under the axis.
        height: rows of the plot.
    """
    top = max(values, default=0)
    gutter = len(str(top))
    step = 2 if len(values) <= 36 else 1  # a gap between bars when there is room
    columns = []
    for value in values:
        eighths = 0 if top == 0 else round(height * 8 * value / top)
        columns.append(max(eighths, 1) if value > 0 else 0)
    lines = []
    for row in range(height, 0, -1):
        label = str(top) if row == height else ("0" if row == 1 else "")
        cells = []
        for eighths in columns:
            filled = eighths - (row - 1) * 8
            cells.append((" " if filled <= 0 else _EIGHTHS[min(filled, 8) - 1]).ljust(step))
        lines.append(f"{label:>{gutter}}│" + "".join(cells).rstrip())
    width = len(values) * step
    lines.append(" " * gutter + "└" + "─" * width)
    axis = [" "] * (width + 12)
    for i in range(0, len(values), 7):
        _place(axis, i * step, labels[i])
    lines.append(" " * (gutter + 1) + "".join(axis).rstrip())
    return lines


def _buckets(result: Stats, size: int) -> tuple[list[int], list[str]]:
    """The forecast as bars of ``size`` days each."""
    values, labels = [], []
    for i in range(0, len(result.forecast), size):
        chunk = result.forecast[i : i + size]
        values.append(sum(d.count for d in chunk))
        labels.append(_("today") if i == 0 else chunk[0].day[5:])
    return values, labels


def line_chart(series: Sequence[Sequence[float]], title: str) -> str:
    """Return a plotext chart of one line per series (marked with `_MARKERS`, in order), days on x."""
    import plotext

    fig = plotext.figure
    fig.clear()
    days = max((len(values) for values in series), default=0)
    for i, values in enumerate(series):
        signal = fig.signal(
            list(range(1, len(values) + 1)), list(values), marker=_MARKERS[i % len(_MARKERS)]
        )
        signal.lines()
        fig.draw(signal)
    fig.plot_size(CHART_WIDTH, 16)
    fig.theme("colorless")
    fig.title(title)
    step = max(1, round(days / 6 / 5) * 5)
    ticks = [1, *range(step, days + 1, step)]
    fig.ruler("x").ticks(ticks, [str(t) for t in ticks])
    top = max((max(v) for v in series if len(v)), default=0.0)
    y_ticks = sorted({0, round(top / 2), round(top)})
    fig.ruler("y").ticks(y_ticks, [str(t) for t in y_ticks])
    text: str = fig.build().string(colorless=True)
    fig.clear()
    return text


_GROUP_COLUMNS = (
    # TRANSLATORS: stats table headings, kept short (they are columns of numbers)
    N_("cards"),
    N_("new"),
    N_("learn"),
    N_("young"),
    N_("mature"),
    N_("susp"),
    N_("leech"),
    N_("revs"),
    N_("again"),
)


def _group_table(groups: Sequence[GroupStats], desired: float, by_key: bool) -> Table:
    table = Table(box=None, pad_edge=False, padding=(0, 0, 0, 1))
    table.add_column("", no_wrap=True, overflow="ellipsis", max_width=22)
    for name in _GROUP_COLUMNS:
        table.add_column(_(name), justify="right")
    for g in groups:
        rate = _percent(g.again_rate)
        if g.again_rate is not None and g.again_rate > 2 * (1 - desired):
            rate = f"[bold red]{rate}[/]"
        table.add_row(
            escape(g.key if by_key else g.name),
            *(
                str(v)
                for v in (
                    g.cards,
                    g.new,
                    g.learning,
                    g.young,
                    g.mature,
                    g.suspended,
                    g.leeches,
                    g.reviews,
                )
            ),
            rate,
        )
    return table


_BOLD = "bold"


def render_stats(out: Console, result: Stats, lang: str = "en") -> None:
    """Print the statistics on one screen (plus the tables below it)."""
    scope = ", ".join(result.decks) if result.decks else _("all decks")
    out.print(
        styled(
            _("{statistics} for {scope} — study day {day}"),
            {"statistics": _BOLD},
            statistics=_("Statistics"),
            scope=scope,
            day=result.study_day,
        )
    )
    out.print()
    for line in render_heatmap(result):
        out.print(RichText(line, style="green"), highlight=False)
    s = result.streak
    message = (
        _("Streak: {days}   longest {longest}   study days {study_days}")
        if s.studied_today
        else _(
            "Streak: {days} (nothing studied yet today)   longest {longest}   "
            "study days {study_days}"
        )
    )
    out.print(
        styled(
            message,
            {"days": _BOLD},
            days=ngettext("{n} day", "{n} days", s.current).format(n=s.current),
            longest=s.longest,
            study_days=s.study_days,
        )
    )
    out.print()
    out.print(
        styled(
            _("{true_retention} (reviews of cards in review not rated Again)"),
            {"true_retention": _BOLD},
            true_retention=_("True retention"),
        )
    )
    table = Table(box=None)
    table.add_column("")
    table.add_column(_("retention"), justify="right")
    table.add_column(_("reviews"), justify="right")
    for w in result.retention:
        label = (
            _("today")
            if w.days == 1
            else ngettext("last {n} day", "last {n} days", w.days).format(n=w.days)
        )
        value = _percent(w.retention)
        if w.retention is not None and w.retention < result.desired_retention - 0.05:
            value = f"[bold red]{value}[/]"
        table.add_row(escape(label), value, str(w.reviews))
    out.print(table)
    out.print(
        styled(
            _(
                "Desired retention {desired}   FSRS-predicted retrievability now: {value} over {cards}"
            ),
            {"value": _BOLD},
            desired=_percent(result.desired_retention),
            value=_percent(result.estimated_retention),
            cards=ngettext("{n} card", "{n} cards", result.review_cards).format(
                n=result.review_cards
            ),
        )
    )
    out.print()
    size = -(-len(result.forecast) // 70)
    out.print(
        styled(
            _("{cards_due}, next {days} days ({today} today, overdue included)"),
            {"cards_due": _BOLD},
            cards_due=(
                _("Cards due per day") if size == 1 else _("Cards due per {n} days").format(n=size)
            ),
            days=result.days,
            today=result.forecast[0].count,
        )
    )
    values, labels = _buckets(result, size)
    if any(values):
        for line in bar_chart(values, labels):
            out.print(RichText(line, style="cyan"), highlight=False)
    else:
        out.print(RichText(_("Nothing is due.")))
    out.print()
    for title, groups, limit in (
        (_("Decks"), result.by_deck, DECK_ROWS),
        (_("Tags"), result.by_tag, TAG_ROWS),
    ):
        shown = groups[:limit]
        more = len(groups) - len(shown)
        heading = (
            ngettext(
                "{title} (again-rate over the last {days} days, weakest first; {n} more with "
                "--json or --html)",
                "{title} (again-rate over the last {days} days, weakest first; {n} more with "
                "--json or --html)",
                more,
            )
            if more > 0
            else _("{title} (again-rate over the last {days} days, weakest first)")
        )
        out.print(styled(heading, {"title": _BOLD}, title=title, days=result.days, n=more))
        # decks by id (what --deck takes), tags by name (the notes' tags by their topics)
        out.print(_group_table(shown, result.desired_retention, by_key=groups is result.by_deck))
        out.print()
    _render_code(out, result)
    if not result.compute:
        out.print(
            RichText(_("No compute-card answers in the last {days} days.").format(days=result.days))
        )
        return
    out.print(
        styled(
            _("{compute_cards}, last {days} days"),
            {"compute_cards": _BOLD},
            compute_cards=_("Compute cards"),
            days=result.days,
        )
    )
    table = Table(box=None)
    table.add_column(_("generator"))
    table.add_column(_("answered"), justify="right")
    table.add_column(_("accuracy"), justify="right")
    table.add_column(_("most common mistake"))
    for g in result.compute:
        top = g.top_mistake
        mistake = (
            ""
            if top is None
            else _("{mistake} ({count}/{of})").format(
                mistake=escape(top.label.get(lang)), count=top.count, of=g.classified
            )
        )
        table.add_row(escape(g.generator), str(g.answered), _percent(g.accuracy), mistake)
    out.print(table)


def _render_code(out: Console, result: Stats) -> None:
    """The code-card lines of the stats: attempts, pass rate, the most common failure kinds."""
    from cvquiz.codecards.compare import FAILURE_LABELS

    code = result.code
    if not code.attempts:
        out.print(_("No code-card attempts in the last {days} days.").format(days=result.days))
        out.print()
        return
    out.print(
        RichText(_("Code cards, last {days} days").format(days=result.days), style="bold"),
        RichText(
            ngettext(
                ": {attempts} attempt at {cards}, {passed} passed ({rate})",
                ": {attempts} attempts at {cards}, {passed} passed ({rate})",
                code.attempts,
            ).format(
                attempts=code.attempts,
                cards=ngettext("{count} card", "{count} cards", code.cards).format(
                    count=code.cards
                ),
                passed=code.passed,
                rate=_percent(code.pass_rate),
            )
        ),
        sep="",
        highlight=False,
    )
    if code.failures:
        shown = ", ".join(
            f"{_(FAILURE_LABELS.get(f.kind, f.kind))} {f.count}" for f in code.failures[:4]
        )
        out.print(
            RichText(_("Most common failures: {failures}").format(failures=shown)), highlight=False
        )
    out.print()


# --- optimize ----------------------------------------------------------------------------------------------


def _confirm(env: Env, prompt: str) -> bool:
    env.err.print(f"{escape(prompt)} [dim]\\[y/N][/] ", end="", highlight=False)
    line = sys.stdin.readline()
    return line.strip().lower() in ("y", "yes")


@handle_errors
def optimize(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fit and show the figures, but never save.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Save better parameters without asking.")
    ] = False,
    retention: Annotated[
        bool,
        typer.Option(
            "--retention", help="Suggest a desired retention instead, with the workload at a few."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Fit the FSRS parameters to your own review history, and save them if they predict it better.

    With --json nothing is asked: fitted parameters are saved only with --yes.

    Example: cvquiz optimize --dry-run
    """
    env = get_env(ctx)
    if retention:
        from cvquiz.optimizer import suggest_retention

        with _progress(env) as progress:
            advice = suggest_retention(env.collection(), env.now, env.settings, progress=progress)
        if as_json:
            _dump(env, asdict(advice))
        else:
            render_advice(env.out, advice)
        return
    from cvquiz.optimizer import optimize_collection

    with _progress(env) as progress:
        fit = optimize_collection(env.collection(), env.settings, progress=progress)
    savable = fit.enough and fit.better and fit.fitted is not None and not dry_run
    if as_json:
        # JSON is for scripts: nothing is asked, and only --yes saves
        saved = savable and yes and _save(env, fit)
        _dump(env, {**asdict(fit), "enough": fit.enough, "better": fit.better, "saved": saved})
        return
    render_fit(env.out, fit)
    if not fit.enough or not fit.better:
        return
    if dry_run:
        env.err.print(RichText(_("Dry run: nothing saved.")))
        return
    if not yes and not _confirm(env, _("Save the fitted parameters to your settings?")):
        env.err.print(RichText(_("Not saved; the current parameters stay in use.")))
        return
    _save(env, fit)


def _save(env: Env, fit: Fit) -> bool:
    from cvquiz.config import set_setting

    assert fit.fitted is not None
    set_setting(env.paths.config, "parameters", ", ".join(repr(w) for w in fit.fitted))
    env.err.print(RichText(_("Saved to {path}.").format(path=env.paths.config)), highlight=False)
    return True


def render_fit(out: Console, fit: Fit) -> None:
    """Print what fitting the parameters found."""
    out.print(
        RichText(
            ngettext(
                "Review log: {reviews} review, {items} usable "
                "(each a review at least a day after the card's previous one).",
                "Review log: {reviews} reviews, {items} usable "
                "(each a review at least a day after the card's previous one).",
                fit.reviews,
            ).format(reviews=f"{fit.reviews:,}", items=f"{fit.items:,}")
        ),
        highlight=False,
    )
    if not fit.enough:
        out.print(
            RichText(
                _(
                    "That is too few to fit 21 parameters (at least {n} usable reviews are needed); "
                    "keeping the current parameters. Keep studying and try again later."
                ).format(n=fit.min_items)
            ),
            highlight=False,
        )
        return
    assert fit.current_eval is not None and fit.fitted_eval is not None
    table = Table(box=None)
    table.add_column(_("parameters"))
    table.add_column(_("log loss"), justify="right")
    table.add_column(_("RMSE (bins)"), justify="right")
    table.add_row(
        _("current"), f"{fit.current_eval.log_loss:.4f}", f"{fit.current_eval.rmse_bins:.2%}"
    )
    table.add_row(
        _("fitted"), f"{fit.fitted_eval.log_loss:.4f}", f"{fit.fitted_eval.rmse_bins:.2%}"
    )
    out.print(table)
    out.print(RichText(_("Lower is better for both.")))
    assert fit.fitted is not None
    out.print(
        RichText(
            _("Fitted: {parameters}").format(parameters=", ".join(f"{w:.4f}" for w in fit.fitted))
        ),
        highlight=False,
    )
    if not fit.better:
        out.print(
            RichText(
                _(
                    "The fitted parameters do not predict your reviews better than the current ones; "
                    "keeping the current parameters."
                )
            )
        )


def render_advice(out: Console, advice: RetentionAdvice) -> None:
    """Print the suggested desired retention and the workload at a few."""
    sim = advice.simulation
    table = Table(
        title=escape(
            ngettext(
                "Simulated over {n} day from your collection",
                "Simulated over {n} days from your collection",
                advice.days,
            ).format(n=advice.days)
        ),
        title_justify="left",
        box=None,
    )
    table.add_column(_("desired retention"), justify="right")
    table.add_column(_("reviews/day"), justify="right")
    table.add_column(_("remembered at the end"), justify="right")
    table.add_column("")
    for result in sim.scenarios:
        notes = []
        if abs(result.retention - advice.optimal) < 1e-9:
            notes.append("[bold green]" + escape(_("suggested")) + "[/]")
        if abs(result.retention - advice.current) < 1e-9:
            notes.append(escape(_("current")))
        table.add_row(
            f"{result.retention:.2f}",
            f"{result.mean_reviews:.1f}",
            f"{result.memorized[-1]:,.0f}",
            # TRANSLATORS: what separates the notes "suggested" and "current" in a table cell
            _(", ").join(notes),
        )
    out.print(table)
    out.print(
        styled(
            _(
                "Suggested desired retention: {value} (fsrs-rs: the least study time per card "
                "remembered). Higher retention costs more reviews for each extra card kept."
            ),
            {"value": _BOLD},
            value=f"{advice.optimal:.2f}",
        )
    )
    if advice.searched_cards < advice.studied_cards:
        out.print(
            RichText(
                _("(searched on a random sample of {sample} of your {cards} studied cards)").format(
                    sample=f"{advice.searched_cards:,}", cards=f"{advice.studied_cards:,}"
                )
            ),
            highlight=False,
        )
    if abs(advice.optimal - advice.current) >= 0.005:
        out.print(
            RichText(
                _("To use it: {command}").format(
                    command=f"cvquiz config set desired_retention {advice.optimal:.2f}"
                )
            ),
            highlight=False,
        )


# --- simulate ----------------------------------------------------------------------------------------------


@handle_errors
def simulate(
    ctx: typer.Context,
    retention: Annotated[
        list[float] | None,
        typer.Option(
            "--retention", "-r", min=0.5, max=0.99, help="Desired retention; repeat to compare."
        ),
    ] = None,
    new: Annotated[
        list[int] | None,
        typer.Option(
            "--new",
            "-n",
            min=0,
            max=9999,
            help="New cards a day (as if you keep adding cards); repeat to compare.",
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Days to simulate.")] = 60,
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", "-d", help="Only this deck and those nested under it; repeatable."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Simulate your collection forward and chart the daily workload for each retention and pace.

    Example: cvquiz simulate --new 20 --retention 0.85 --retention 0.9 --days 60
    """
    from cvquiz.simulate import Scenario, simulate_collection

    env = get_env(ctx)
    retentions = retention or [env.settings.desired_retention]
    paces = new or [env.settings.new_per_day]
    scenarios = [Scenario(r, n) for n in paces for r in retentions]
    result = simulate_collection(
        env.collection(),
        env.now,
        env.settings,
        scenarios,
        days=days,
        unlimited_new=bool(new),
        decks=tuple(deck or ()),
        seed=seed,
    )
    if as_json:
        _dump(env, asdict(result))
        return
    render_simulation(env.out, result)


def render_simulation(out: Console, result: Simulation) -> None:
    """Print the simulated workload: a chart of reviews per day and a table per scenario."""
    pool = _("unlimited") if result.new_cards is None else f"{result.new_cards:,}"
    ratings = (
        _("your own frequencies.")
        if result.ratings_from_log
        else _("typical frequencies (too little history).")
    )
    out.print(
        RichText(
            _(
                "From {start}: {studied} studied cards, new cards available: {pool}, "
                "review limit {limit}/day. Ratings: {ratings}"
            ).format(
                start=result.start,
                studied=f"{result.studied_cards:,}",
                pool=pool,
                limit=result.review_limit,
                ratings=ratings,
            )
        ),
        highlight=False,
    )
    chart = line_chart(
        [[float(v) for v in s.reviews] for s in result.scenarios],
        ngettext(
            "Reviews per day over {n} day", "Reviews per day over {n} days", result.days
        ).format(n=result.days),
    )
    out.print(RichText(chart))
    table = Table(box=None)
    table.add_column(_("line"))
    for name in (
        _("retention"),
        _("new/day"),
        _("reviews/day"),
        _("busiest day"),
        _("last 7 days"),
        _("remembered"),
    ):
        table.add_column(escape(name), justify="right")
    for i, s in enumerate(result.scenarios):
        last = s.reviews[-7:]
        table.add_row(
            _MARKERS[i % len(_MARKERS)],
            f"{s.retention:.2f}",
            str(s.new_per_day),
            f"{s.mean_reviews:.1f}",
            str(max(s.reviews)),
            f"{sum(last) / len(last):.1f}",
            f"{s.memorized[-1]:,.0f}",
        )
    out.print(table)
    out.print(
        RichText(
            _(
                "reviews/day counts every review, (re)learning steps included; remembered is the "
                "expected number of cards you would recall at the end."
            )
        ),
        highlight=False,
    )
