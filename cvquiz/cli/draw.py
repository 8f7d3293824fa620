"""Output drawn by hand for the everyday commands: styled lines, box tables and panels, without rich's console.

``cvquiz --help``, ``cvquiz decks`` and ``cvquiz status`` print a few panels, a table and a few lines. Importing rich's console and laying a
table out with it take longer than the rest of either command, so they write here instead: the box table
rich draws by default (a heavy head), the same styles (bold headings, an italic title, a dim caption), text
measured with `rich.cells` (a Chinese character is two columns wide; its import is small). Colour follows
rich's rules: only on a terminal, never with ``NO_COLOR`` or ``TERM=dumb``, always with ``FORCE_COLOR``; the
width is ``COLUMNS``, else the terminal's, else 80. Control characters in text are dropped (a deck name
cannot move the cursor), and nothing is markup: ``[b]`` prints as written.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from rich.cells import cell_len, set_cell_size

__all__ = ["Cell", "Column", "Out", "Span", "table", "wrap", "wrap_spans"]

Span = tuple[str, str]
"""Text and its style: space-separated names among ``bold dim italic`` and the eight basic colours."""

Cell = str | Span | Sequence[Span]
"""What a table cell or a line holds: plain text, one styled span, or several."""

_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "black": "30",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "white": "37",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\t", "    "))


def _spans(cell: Cell) -> list[Span]:
    if isinstance(cell, str):
        return [(cell, "")]
    if isinstance(cell, tuple) and len(cell) == 2 and isinstance(cell[0], str):
        return [(cell[0], str(cell[1]))]
    return [(str(span[0]), str(span[1])) for span in cell]


@dataclass(frozen=True)
class Out:
    """Where output goes, how wide it may be and whether it is coloured.

    Attributes:
        file: the stream.
        width: the columns available.
        color: write ANSI styles.
    """

    file: TextIO
    width: int
    color: bool

    @classmethod
    def to(cls, file: TextIO, environ: Mapping[str, str] | None = None) -> Out:
        """Output to ``file``, as wide and as coloured as rich would make it."""
        env = os.environ if environ is None else environ
        try:
            tty = file.isatty()
        except (AttributeError, ValueError):
            tty = False
        if env.get("FORCE_COLOR"):
            color = True
        else:
            color = tty and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"
        columns = env.get("COLUMNS", "").strip()
        if columns.isdigit() and int(columns) > 0:
            width = int(columns)
        elif tty:
            width = shutil.get_terminal_size((80, 25)).columns
        else:
            width = 80
        return cls(file, width, color)

    def style(self, text: str, style: str) -> str:
        """``text`` in ``style`` (as it is without colour)."""
        if not self.color or not style or not text:
            return text
        codes = ";".join(_SGR[name] for name in style.split() if name in _SGR)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text

    def render(self, cell: Cell) -> str:
        """A cell or line as text, styled."""
        return "".join(self.style(_clean(text), style) for text, style in _spans(cell))

    def line(self, *cells: Cell) -> None:
        """Write one line made of cells."""
        self.file.write("".join(self.render(c) for c in cells) + "\n")

    def lines(self, lines: Sequence[str]) -> None:
        """Write lines already rendered."""
        self.file.write("".join(f"{line}\n" for line in lines))


def width_of(cell: Cell) -> int:
    """The columns a cell takes."""
    return sum(cell_len(_clean(text)) for text, _ in _spans(cell))


def _fit(out: Out, cell: Cell, width: int, style: str) -> tuple[str, int]:
    """The cell rendered, cut to ``width`` columns with an ellipsis when longer; and the columns it takes."""
    spans = [(_clean(text), " ".join(s for s in (style, own) if s)) for text, own in _spans(cell)]
    total = sum(cell_len(text) for text, _ in spans)
    if total <= width:
        return "".join(out.style(text, s) for text, s in spans), total
    if width <= 0:
        return "", 0
    room = width - 1
    parts: list[str] = []
    last = style
    for text, s in spans:
        if room <= 0:
            break
        if cell_len(text) > room:
            text = set_cell_size(text, room).rstrip(" ")
        parts.append(out.style(text, s))
        room -= cell_len(text)
        last = s
    parts.append(out.style("…", last))
    return "".join(parts), width - room


@dataclass(frozen=True)
class Column:
    """One column of a `table`.

    Attributes:
        header: its heading.
        justify: ``left`` or ``right``.
        style: the style of its cells.
        max_width: the widest it gets (longer cells end in an ellipsis).
        shrinks: when the table is wider than the output, this column gives way (down to its heading).
    """

    header: str
    justify: str = "left"
    style: str = ""
    max_width: int | None = None
    shrinks: bool = False


def table(
    out: Out,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
    caption: str | None = None,
    footer: Sequence[Sequence[Cell]] = (),
    box: bool = True,
    header: bool = True,
    padding: tuple[int, int] = (1, 1),
) -> list[str]:
    """Lay a table out as rich's default box draws it, and return its lines (styled).

    Args:
        out: where it will be written (its width and colour).
        columns: the columns.
        rows: the body rows, one cell per column.
        title: a line above it, in italics.
        caption: a note below it, dim and italic, wrapped to the table's width.
        footer: rows below a rule (totals).
        box: draw the borders and the heading row; without, the rows alone.
        header: draw the heading row (without, a box of light lines, as rich's ``show_header=False``).
        padding: the spaces left and right of each cell.
    """
    left, right = padding
    every = [*rows, *footer]
    widths = []
    for i, column in enumerate(columns):
        floor = cell_len(column.header) if box and header else 0
        natural = max([floor, *(width_of(row[i]) for row in every)])
        if column.max_width is not None:
            natural = min(natural, max(column.max_width, floor))
        widths.append(natural)
    borders = len(columns) + 1 if box else 0
    total = sum(widths) + (left + right) * len(columns) + borders
    for i, column in enumerate(columns):
        if total > out.width and column.shrinks:
            floor = max(cell_len(column.header) if box and header else 0, 4)
            cut = min(total - out.width, widths[i] - floor)
            if cut > 0:
                widths[i] -= cut
                total -= cut

    def cells(row: Sequence[Cell], heading: bool = False) -> list[str]:
        parts = []
        for cell, width, column in zip(row, widths, columns, strict=True):
            text, used = _fit(out, cell, width, "bold" if heading else column.style)
            pad = " " * (width - used)
            text = pad + text if column.justify == "right" else text + pad
            parts.append(" " * left + text + " " * right)
        return parts

    def rule(first: str, middle: str, last: str, fill: str) -> str:
        return first + middle.join(fill * (w + left + right) for w in widths) + last

    lines: list[str] = []
    if title:
        lines.append(out.style(_clean(title), "italic"))
    if box and header:
        lines.append(rule("┏", "┳", "┓", "━"))
        lines.append("┃" + "┃".join(cells([c.header for c in columns], heading=True)) + "┃")
        lines.append(rule("┡", "╇", "┩", "━"))
    elif box:
        lines.append(rule("┌", "┬", "┐", "─"))
    if box:
        lines.extend("│" + "│".join(cells(row)) + "│" for row in rows)
        if footer:
            lines.append(rule("├", "┼", "┤", "─"))
            lines.extend("│" + "│".join(cells(row)) + "│" for row in footer)
        lines.append(rule("└", "┴", "┘", "─"))
    else:
        lines.extend("".join(cells(row)).rstrip() for row in every)
    if caption:
        lines.extend(out.style(line, "italic dim") for line in wrap(caption, min(total, out.width)))
    return lines


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns, where rich with `cvquiz.cli.cjk` would: at
    spaces, and between Chinese characters except before closing and after opening punctuation; a word longer
    than a line is cut."""
    from cvquiz.cli.cjk import words

    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        line = ""
        for _start, _end, word in words(paragraph):
            if cell_len((line + word).rstrip()) <= width:
                line += word
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = word.lstrip()
            while cell_len(line.rstrip()) > width:
                head = set_cell_size(line, width)
                lines.append(head)
                line = line[len(head) :]
        lines.append(line.rstrip())
    return lines


def wrap_spans(cell: Cell, width: int) -> list[list[Span]]:
    """Break styled text into lines of at most ``width`` columns where `wrap` breaks its plain text, each
    character keeping its span's style."""
    spans = [(_clean(text), style) for text, style in _spans(cell)]
    paragraph = "".join(text for text, _ in spans)
    styles = [style for text, style in spans for _char in text]
    lines: list[list[Span]] = []
    cursor = 0
    for plain in wrap(paragraph, width):
        start = paragraph.find(plain, cursor) if plain else cursor
        cursor = start + len(plain)
        line: list[Span] = []
        for offset, char in enumerate(plain):
            style = styles[start + offset]
            if line and line[-1][1] == style:
                line[-1] = (line[-1][0] + char, style)
            else:
                line.append((char, style))
        lines.append(line)
    return lines


def grid(out: Out, rows: Sequence[Sequence[Cell]], width: int) -> list[str]:
    """Lay rows out in columns a space apart, every column as wide as its widest cell but the last, which
    takes the rest of ``width`` and wraps (as rich's ``Table.grid`` with a ratio on the last column).

    The last cell of a row is plain text or one styled span; the lines are returned styled, unpadded.
    """
    if not rows:
        return []
    count = len(rows[0])
    widths = [max(width_of(row[i]) for row in rows) for i in range(count - 1)]
    used = [i for i, w in enumerate(widths) if w]  # empty columns take no room
    lead = sum(widths[i] + 1 for i in used)
    room = max(width - lead, 10)
    lines: list[str] = []
    for row in rows:
        prefix = [(out.render(row[i]), widths[i] - width_of(row[i])) for i in used]
        head = "".join(text + " " * (pad + 1) for text, pad in prefix)
        last = _spans(row[-1])
        text = "".join(t for t, _ in last)
        style = last[0][1] if len(last) == 1 else ""
        wrapped = wrap(text, room) or [""]
        lines.append((head + out.style(wrapped[0], style)).rstrip())
        lines.extend((" " * lead + out.style(more, style)).rstrip() for more in wrapped[1:])
    return lines


def panel(out: Out, title: str, body: Sequence[str], width: int) -> list[str]:
    """Draw ``body`` (styled lines) in a rounded box ``width`` columns wide, its title in the top border."""
    inner = width - 4
    head = f" {_clean(title)} "
    top = (
        out.style("╭─", "dim")
        + head
        + out.style("─" * max(inner + 1 - cell_len(head), 0) + "╮", "dim")
    )
    bar = out.style("│", "dim")
    lines = [top]
    for line in body:
        pad = inner - _visible_width(line)
        lines.append(f"{bar} {line}{' ' * max(pad, 0)} {bar}")
    lines.append(out.style("╰" + "─" * (width - 2) + "╯", "dim"))
    return lines


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _visible_width(line: str) -> int:
    return cell_len(_ANSI.sub("", line))
