"""How search results look: one line per card (``search``) or a table (``browse`` without a terminal).

Card text is data: it reaches rich only as `rich.text.Text`, never as markup. A question shows its first line,
formulas as Unicode (as the drill shows them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from cvquiz.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.cards import SearchHit

__all__ = ["first_line", "flags", "print_lines", "print_table", "state_label"]


def first_line(question: Any, lang: str, card_type: str) -> str:
    """The first line of a question in ``lang``, formulas as Unicode (``(compute)`` for a compute card)."""
    from cvquiz.cli.render import plain
    from cvquiz.model import Text as CardText

    text = "" if question is None else CardText.from_data(question).get(lang)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return plain(lines[0]) if lines else f"({card_type})"


def state_label(state: str) -> str:
    """A card state's name in the current language."""
    names = {
        "new": _("new"),
        "learning": _("learning"),
        "review": _("review"),
        "relearning": _("relearning"),
    }
    return names.get(state, state)


def flags(hit: SearchHit) -> str:
    """Suspended, buried and leech, as short words."""
    out = []
    if hit.suspended:
        out.append(_("suspended"))
    if hit.buried:
        out.append(_("buried"))
    if hit.leech:
        out.append(_("leech"))
    return ", ".join(out)


def print_lines(out: Console, hits: Sequence[SearchHit], lang: str) -> None:
    """Print one line per card: its reference and its question."""
    if not hits:
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("card", style="bold", no_wrap=True)
    table.add_column("question", no_wrap=True, overflow="ellipsis")
    for hit in hits:
        table.add_row(Text(hit.ref), Text(first_line(hit.question, lang, hit.type)))
    out.print(table)


def due_text(hit: SearchHit) -> str:
    """When a card is due: its study day, or nothing while new."""
    return hit.due_day or ""


def print_table(out: Console, hits: Sequence[SearchHit], lang: str) -> None:
    """Print the cards as a table: reference, state, due, interval, question."""
    if not hits:
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(_("card"), no_wrap=True)
    table.add_column(_("state"), no_wrap=True)
    table.add_column(_("due"), no_wrap=True)
    table.add_column(_("ivl"), justify="right", no_wrap=True)
    table.add_column(_("question"), no_wrap=True, overflow="ellipsis", ratio=1)
    for hit in hits:
        state = state_label(hit.state)
        extra = flags(hit)
        table.add_row(
            Text(hit.ref, style="bold"),
            Text(state + (f" ({extra})" if extra else "")),
            Text(due_text(hit)),
            Text("" if hit.interval is None else f"{hit.interval}d"),
            Text(first_line(hit.question, lang, hit.type)),
        )
    out.print(table)
