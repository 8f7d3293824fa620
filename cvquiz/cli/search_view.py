"""How search results look: one line per card (``search``) or a table (``browse`` without a terminal).

Card text is data: it reaches rich only as `rich.text.Text`, never as markup. A question shows its first line,
formulas as Unicode (as the drill shows them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from cvquiz.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from cvquiz.cards import SearchHit

__all__ = ["first_line", "flags", "print_lines", "print_table", "state_label"]


def first_line(question: Any, lang: str, card_type: str) -> str:
    """The first line of a question in ``lang``, formulas as Unicode (``(compute)`` for a compute card).

    A cloze question shows its deletions' text without their markup (``{{c1::p − y}}`` reads ``p − y``): a row
    stands for all of the entry's deletions at once.
    """
    from cvquiz.model import CLOZE_RE
    from cvquiz.model import Text as CardText

    text = "" if question is None else CardText.from_data(question).get(lang)
    if "{{c" in text:
        text = CLOZE_RE.sub(lambda m: m.group(2), text)
    line = next((line for line in text.strip().splitlines() if line.strip()), None)
    if line is None:
        return f"({card_type})"
    if "$" not in line:  # no formula: the LaTeX renderer (and its parser) need not even be imported
        return line
    from cvquiz.cli.latex import render_math_in_text

    return render_math_in_text(line, escape_markdown=False)


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


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, with an ellipsis when it was cut (Chinese takes two cells)."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)).rstrip() + "…"


def print_lines(out: Console, hits: Sequence[SearchHit], lang: str) -> None:
    """Print one line per card: its whole reference (it is what ``show``, ``edit`` and ``suspend`` take, so it is
    never cut), then as much of its question as fits.

    Thousands of lines print quickly: each line is laid out here (cells counted, text cut) rather than by a
    rich table, and written as plain text when the output is not a terminal.
    """
    if not hits:
        return
    width = max(out.size.width, 40)
    ref_width = max(cell_len(h.ref) for h in hits)
    room = max(width - ref_width - 2, 12)
    if not out.is_terminal:
        out.file.write(
            "".join(
                f"{h.ref:<{ref_width}}  {_fit(first_line(h.question, lang, h.type), room)}".rstrip()
                + "\n"
                for h in hits
            )
        )
        out.file.flush()
        return
    lines = Text()
    for hit in hits:
        ref = hit.ref
        lines.append(ref, style="bold")
        lines.append(" " * (ref_width - cell_len(ref) + 2))
        lines.append(_fit(first_line(hit.question, lang, hit.type), room) + "\n")
    out.print(lines, end="", no_wrap=True, overflow="crop")


def due_text(hit: SearchHit) -> str:
    """When a card is due: its study day, or nothing while new."""
    return hit.due_day or ""


def print_table(out: Console, hits: Sequence[SearchHit], lang: str) -> None:
    """Print the cards as a table: reference, state, due, interval, question."""
    if not hits:
        return
    from rich.table import Table

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
