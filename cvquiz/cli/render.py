"""Rendering card text for the terminal: Markdown through rich, LaTeX math as readable Unicode.

Card text is data: rich markup in it (``w[b]``) is never interpreted, because Markdown rendering treats it as
plain text and everything else goes through `rich.text.Text`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from rich.console import RenderableType

_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
"""A Markdown image, ``![alt](media/deck/cat.png)``: the terminal cannot show it."""


def images_as_text(text: str) -> str:
    """Return card text with each Markdown image shown as ``[image: cat.png]`` (its file name)."""
    if "![" not in text:
        return text
    return _IMAGE_RE.sub(lambda m: "[image: " + unquote(m.group(1).rsplit("/", 1)[-1]) + "]", text)


def _has_math(text: str) -> bool:
    from cvquiz.mathtext import split_math

    return any(segment.is_math for segment in split_math(text))


def math_text(text: str) -> str:
    """Return Markdown text with its ``$...$`` / ``$$...$$`` math turned into Unicode."""
    if not _has_math(text):
        return text  # the LaTeX renderer (pylatexenc) is loaded only for a formula
    from cvquiz.cli.latex import render_math_in_text

    return render_math_in_text(text)


def hard_breaks(text: str) -> str:
    """Keep the line breaks card authors type: each line outside code fences ends in a Markdown hard break.

    Card answers are short, line-oriented text (a formula per line); CommonMark would join the lines.
    """
    out = []
    fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
        elif fenced or not line.strip():
            out.append(line)
        else:
            out.append(line.rstrip() + "  ")
    return "\n".join(out)


def card_markdown(text: str) -> RenderableType:
    """Render card text (Markdown with LaTeX) for the terminal."""
    if not text.strip():
        from rich.text import Text

        return Text("")
    # markdown-it is 100 ms of start-up: loaded when a card is drawn, never in line mode
    from rich.markdown import Markdown

    return Markdown(
        hard_breaks(math_text(images_as_text(text))), code_theme="ansi_dark", hyperlinks=False
    )


def plain(text: str) -> str:
    """Return card text as plain text for the line-by-line mode: formulas as Unicode, no Markdown markup.

    Emphasis markers, code-span backticks, heading marks and code fences are dropped (code blocks are indented
    instead), links keep their text and address; formulas are not escaped for Markdown: ``f_c`` stays ``f_c``.
    """
    text = images_as_text(text)
    if not _has_math(text):
        return markdown_to_plain(text)
    from cvquiz.cli.latex import latex_to_unicode
    from cvquiz.mathtext import split_math

    # Formulas stand aside (as NUL-delimited numbers: a deck cannot hold control characters) while the
    # Markdown around them is undone, so that emphasis spanning a formula still pairs up.
    formulas: list[str] = []
    held = []
    for segment in split_math(text):
        if segment.is_math:
            held.append(f"\0{len(formulas)}\0")
            formulas.append(latex_to_unicode(segment.text))
        else:
            held.append(segment.text)
    text = _HELD.sub(lambda m: formulas[int(m.group(1))], _undo_markdown("".join(held)))
    return _align_tables(text)


_HELD = re.compile("\0(\\d+)\0")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_INLINE = (
    (re.compile(r"!?\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?\s*\)"), r"\1 (\2)"),  # [text](url)
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),  # **strong**
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"\1"),  # __strong__
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])"), r"\1"),  # backslash escapes
)


def markdown_to_plain(text: str) -> str:
    """Return Markdown text without its markup (see `plain`); ``_emphasis_`` is kept, as in ``f_c_x``.

    A table's rows become columns aligned by display width, a line of dashes under the header.
    """
    return _align_tables(_undo_markdown(text))


_ROW = "\x1e"  # starts a table row until its columns are aligned (a deck cannot hold control characters)
_CELL = "\x1f"  # between its cells
_TABLE_LINE = re.compile(r"^\s{0,3}\|.*\|\s*$")
_RULE_CELL = re.compile(r"^\s*:?-+:?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")


def _table_row(line: str) -> str | None:
    """A Markdown table line as a marked row of plain cells, "" for the rule under the header."""
    cells = _PIPE.split(line.strip()[1:-1])
    if all(_RULE_CELL.match(cell) for cell in cells):
        return ""
    return _ROW + _CELL.join(_inline_plain(cell.strip()) for cell in cells)


def _align_tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not lines[index].startswith(_ROW):
            out.append(lines[index])
            index += 1
            continue
        rows: list[list[str]] = []
        while index < len(lines) and lines[index].startswith(_ROW):
            rows.append(lines[index][1:].split(_CELL))
            index += 1
        count = max(len(row) for row in rows)
        widths = [max(_display_width(row[c]) for row in rows if c < len(row)) for c in range(count)]
        for number, row in enumerate(rows):
            cells = [cell + " " * (widths[c] - _display_width(cell)) for c, cell in enumerate(row)]
            out.append("  ".join(cells).rstrip())
            if number == 0 and len(rows) > 1:
                out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def _display_width(text: str) -> int:
    """Terminal columns of plain text: wide (CJK) characters take two, combining marks none."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def _undo_markdown(text: str) -> str:
    lines: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            else:
                lines.append("    " + line)
            continue
        if _TABLE_LINE.match(line):
            row = _table_row(line)
            if row:
                lines.append(row)
            continue
        lines.append(_inline_plain(_HEADING.sub("", line)))
    return "\n".join(lines)


def _inline_plain(line: str) -> str:
    out = []
    last = 0
    for span in _CODE_SPAN.finditer(line):
        out.append(_unmark(line[last : span.start()]))
        out.append(span.group(2))
        last = span.end()
    out.append(_unmark(line[last:]))
    return "".join(out)


def _unmark(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text
