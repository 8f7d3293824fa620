"""Rendering card text for the terminal: Markdown through rich, LaTeX math as readable Unicode.

Card text is data: rich markup in it (``w[b]``) is never interpreted, because Markdown rendering treats it as
plain text and everything else goes through `rich.text.Text`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from rich.console import RenderableType
from rich.text import Text

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
        return Text("")
    # markdown-it is 100 ms of start-up: loaded when a card is drawn, never in line mode
    from rich.markdown import Markdown

    return Markdown(
        hard_breaks(math_text(images_as_text(text))), code_theme="ansi_dark", hyperlinks=False
    )


def plain(text: str) -> str:
    """Return card text with math converted, for the line-by-line mode (no Markdown rendering).

    Nothing renders Markdown here, so the formulas are not escaped for it: ``f_c`` stays ``f_c``.
    """
    text = images_as_text(text)
    if not _has_math(text):
        return text
    from cvquiz.cli.latex import render_math_in_text

    return render_math_in_text(text, escape_markdown=False)
