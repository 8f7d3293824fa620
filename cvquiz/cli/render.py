"""Rendering card text for the terminal: Markdown through rich, LaTeX math as readable Unicode.

Card text is data: rich markup in it (``w[b]``) is never interpreted, because Markdown rendering treats it as
plain text and everything else goes through `rich.text.Text`.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.markdown import Markdown
from rich.text import Text


def math_text(text: str) -> str:
    """Return Markdown text with its ``$...$`` / ``$$...$$`` math turned into Unicode."""
    from cvquiz.cli.latex import render_math_in_text

    return render_math_in_text(text)


def card_markdown(text: str) -> RenderableType:
    """Render card text (Markdown with LaTeX) for the terminal."""
    if not text.strip():
        return Text("")
    return Markdown(math_text(text), code_theme="ansi_dark", hyperlinks=False)


def plain(text: str) -> str:
    """Return card text with math converted, for the line-by-line mode (no Markdown rendering)."""
    return math_text(text)
