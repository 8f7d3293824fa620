"""The ``cvquiz stats --html`` report: one self-contained HTML file with the figures drawn as inline SVG.

No script, no stylesheet or font from elsewhere: the file opens offline in any browser and can be mailed or
archived. It is built as plain strings; every piece of text that comes from cards, decks, tags or the user goes
through `html.escape` (quotes included, so it is also safe inside attributes). The markup is also well-formed
XML (void elements are self-closed), which lets the tests parse it strictly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from cvquiz.i18n import _, current_language, month_name, ngettext, weekday_name
from cvquiz.stats import (
    DayCount,
    GeneratorStats,
    GroupStats,
    Stats,
    heat_level,
    heatmap_cells,
)

__all__ = ["render_stats_html"]

_SHADES = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
_BAR = "#3b82f6"
_WARN = "#dc2626"


def _labels() -> dict[str, str]:
    """The report's words, in the current language."""
    return {
        "title": _("cvquiz statistics"),
        "all": _("all decks"),
        "reviews_year": _("Reviews in the last year"),
        "streak": _("Streak"),
        "longest": _("longest {n}"),
        "studied_days": _("study days {n}"),
        "retention": _("True retention"),
        "retention_note": _("share of review-state cards recalled (not rated Again)"),
        "target": _("desired {value}"),
        "predicted": _("FSRS-predicted retrievability now"),
        "today": _("today"),
        "decks": _("Decks"),
        "tags": _("Tags"),
        "name": _("Name"),
        "cards": _("Cards"),
        "new": _("New"),
        "learning": _("Learning"),
        "young": _("Young"),
        "mature": _("Mature"),
        "suspended": _("Suspended"),
        "leeches": _("Leeches"),
        "again_rate": _("Again rate"),
        "reviews": _("Reviews"),
        "generator": _("Generator"),
        "answered": _("Answered"),
        "accuracy": _("Accuracy"),
        "mistake": _("Most common mistake"),
        "none": _("none yet"),
    }


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       margin: 2rem auto; max-width: 60rem; color: #1f2937; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.3rem; }
.sub { color: #6b7280; margin-top: 0; }
.facts { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.fact { border: 1px solid #e5e7eb; border-radius: 6px; padding: 0.6rem 1rem; min-width: 10rem; }
.fact b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #f3f4f6; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.weak { color: #dc2626; font-weight: 600; }
svg text { font-family: inherit; font-size: 10px; fill: #4b5563; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def render_stats_html(stats: Stats) -> str:
    """Return the statistics as one self-contained HTML document, in the current language.

    Args:
        stats: the statistics (`cvquiz.stats.collection_stats`).
    """
    lang = current_language()
    t = _labels()
    scope = ", ".join(stats.decks) if stats.decks else t["all"]
    days = stats.days
    forecast = ngettext("Cards due, next {n} day", "Cards due, next {n} days", days).format(n=days)
    period = ngettext(
        "again rates over the last {n} day; weakest first",
        "again rates over the last {n} days; weakest first",
        days,
    ).format(n=days)
    compute = ngettext("Compute cards, last {n} day", "Compute cards, last {n} days", days).format(
        n=days
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1" />',
        f"<title>{_e(t['title'])} {_e(stats.study_day)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(t['title'])}</h1>",
        f'<p class="sub">{_e(scope)} · {_e(stats.study_day)}</p>',
        _facts(stats, t),
        f"<h2>{_e(t['reviews_year'])}</h2>",
        _heatmap_svg(stats.heatmap),
        f"<h2>{_e(t['retention'])}</h2>",
        f'<p class="sub">{_e(t["retention_note"])}</p>',
        _retention_svg(stats, t),
        f"<h2>{_e(forecast)}</h2>",
        _forecast_svg(stats.forecast),
        f"<h2>{_e(t['decks'])}</h2>",
        f'<p class="sub">{_e(period)}</p>',
        _group_table(stats.by_deck, stats, t),
        f"<h2>{_e(t['tags'])}</h2>",
        _group_table(stats.by_tag, stats, t),
        f"<h2>{_e(compute)}</h2>",
        _compute_table(stats.compute, lang, t),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _facts(stats: Stats, t: dict[str, str]) -> str:
    month = next((w for w in stats.retention if w.days == 30), None)
    streak = stats.streak
    items = [
        (
            t["streak"],
            ngettext("{n} day", "{n} days", streak.current).format(n=streak.current),
            t["longest"].format(n=streak.longest)
            + " · "
            + t["studied_days"].format(n=streak.study_days),
        ),
        (
            t["retention"] + " · " + ngettext("last {n} day", "last {n} days", 30).format(n=30),
            _pct(month.retention if month else None),
            t["target"].format(value=_pct(stats.desired_retention)),
        ),
        (
            t["predicted"],
            _pct(stats.estimated_retention),
            ngettext(
                "over {n} card in review", "over {n} cards in review", stats.review_cards
            ).format(n=stats.review_cards),
        ),
    ]
    cells = [
        f'<div class="fact">{_e(label)}<b>{_e(value)}</b><small>{_e(note)}</small></div>'
        for label, value, note in items
    ]
    return '<div class="facts">' + "".join(cells) + "</div>"


def _svg(width: int, height: int, body: Sequence[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _heatmap_svg(heatmap: Sequence[DayCount]) -> str:
    cell, gap, left, top = 11, 2, 28, 16
    cells = heatmap_cells(heatmap)
    weeks = (cells[-1][0] + 1) if cells else 0
    busiest = max((d.count for d in heatmap), default=0)
    body = []
    for row in (0, 2, 4):  # Monday, Wednesday, Friday (2024-01-01 was a Monday)
        y = top + row * (cell + gap) + cell - 1
        body.append(f'<text x="0" y="{y}">{_e(weekday_name(date(2024, 1, 1 + row)))}</text>')
    labelled = None
    for week, weekday, entry in cells:
        day = date.fromisoformat(entry.day)
        x = left + week * (cell + gap)
        y = top + weekday * (cell + gap)
        if (weekday == 0 or entry is heatmap[0]) and day.month != labelled:
            body.append(f'<text x="{x}" y="{top - 4}">{_e(month_name(day))}</text>')
            labelled = day.month
        shade = _SHADES[heat_level(entry.count, busiest)]
        body.append(
            f'<rect class="day" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" '
            f'fill="{shade}" data-day="{_e(entry.day)}" data-count="{entry.count}">'
            f"<title>{_e(entry.day)}: {entry.count}</title></rect>"
        )
    width = left + weeks * (cell + gap) + 24  # room for a month label over the last column
    height = top + 7 * (cell + gap) + 4
    return _svg(width, height, body, _("review heatmap"))


def _retention_svg(stats: Stats, t: dict[str, str]) -> str:
    left, width, bar, gap = 110, 360, 18, 8
    body = []
    for i, window in enumerate(stats.retention):
        y = 10 + i * (bar + gap)
        label = (
            t["today"]
            if window.days == 1
            else ngettext("last {n} day", "last {n} days", window.days).format(n=window.days)
        )
        body.append(f'<text x="0" y="{y + 13}">{_e(label)}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{width}" height="{bar}" fill="#f3f4f6" />')
        if window.retention is not None:
            w = round(width * window.retention, 1)
            colour = _BAR if window.retention >= stats.desired_retention - 0.05 else _WARN
            body.append(
                f'<rect class="retention" x="{left}" y="{y}" width="{w}" height="{bar}" '
                f'fill="{colour}"><title>{window.passed}/{window.reviews}</title></rect>'
            )
        body.append(
            f'<text x="{left + width + 8}" y="{y + 13}">{_pct(window.retention)} '
            f"({window.reviews})</text>"
        )
    height = 10 + len(stats.retention) * (bar + gap) + 20
    x = left + round(width * stats.desired_retention, 1)
    body.append(
        f'<line x1="{x}" y1="4" x2="{x}" y2="{height - 18}" stroke="#111827" '
        'stroke-dasharray="4 3" />'
    )
    body.append(
        f'<text x="{x - 20}" y="{height - 4}">'
        f"{_e(t['target'].format(value=_pct(stats.desired_retention)))}</text>"
    )
    return _svg(left + width + 120, height, body, t["retention"])


def _forecast_svg(forecast: Sequence[DayCount]) -> str:
    left, top, plot_h, width = 40, 10, 140, 640
    n = max(len(forecast), 1)
    step = width / n
    top_count = max((d.count for d in forecast), default=0)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + width}" y2="{top + plot_h}" '
        'stroke="#9ca3af" />',
        f'<text x="0" y="{top + 8}">{top_count}</text>',
        f'<text x="0" y="{top + plot_h}">0</text>',
    ]
    for i, entry in enumerate(forecast):
        h = 0.0 if top_count == 0 else plot_h * entry.count / top_count
        x = left + i * step
        body.append(
            f'<rect class="due" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="{_BAR}" '
            f'data-day="{_e(entry.day)}" data-count="{entry.count}">'
            f"<title>{_e(entry.day)}: {entry.count}</title></rect>"
        )
        if i % 7 == 0:
            body.append(f'<text x="{x + 1:.1f}" y="{top + plot_h + 14}">{_e(entry.day[5:])}</text>')
    return _svg(left + width + 10, top + plot_h + 24, body, _("forecast of cards due"))


def _group_table(groups: Sequence[GroupStats], stats: Stats, t: dict[str, str]) -> str:
    heads = ("name", "cards", "new", "learning", "young", "mature", "suspended", "leeches")
    rows = [
        "<table><thead><tr>"
        + "".join(f"<th>{_e(t[h])}</th>" for h in heads)
        + f"<th>{_e(t['reviews'])}</th><th>{_e(t['again_rate'])}</th></tr></thead><tbody>"
    ]
    weak = 1 - stats.desired_retention
    for g in groups:
        cls = ' class="weak"' if g.again_rate is not None and g.again_rate > 2 * weak else ""
        cells = [g.name, g.cards, g.new, g.learning, g.young, g.mature, g.suspended, g.leeches]
        rows.append(
            "<tr>"
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + f"<td>{g.reviews}</td><td{cls}>{_pct(g.again_rate)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _compute_table(compute: Sequence[GeneratorStats], lang: str, t: dict[str, str]) -> str:
    if not compute:
        return f'<p class="sub">{_e(t["none"])}</p>'
    rows = [
        "<table><thead><tr>"
        + "".join(f"<th>{_e(t[h])}</th>" for h in ("generator", "answered", "accuracy", "mistake"))
        + "</tr></thead><tbody>"
    ]
    for g in compute:
        top = g.top_mistake
        mistake = "–" if top is None else f"{top.label.get(lang)} ({top.count}/{g.classified})"
        rows.append(
            f"<tr><td>{_e(g.generator)}</td><td>{g.answered}</td>"
            f"<td>{_pct(g.accuracy)}</td><td>{_e(mistake)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)
