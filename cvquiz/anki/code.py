"""Code cards in Anki: the task and the starter code on the front, the model solution on the back.

Anki cannot run the person's code, so an exported code card is a recall card: write the function on paper or in
your head, then compare with the model solution. Code is highlighted by Pygments with inline styles (so it needs
no stylesheet and survives Anki's own) and HTML-escaped by it: a ``<`` in code shows as ``<``.
"""

from __future__ import annotations

from cvquiz.anki.html import escape, render_text
from cvquiz.i18n import _
from cvquiz.model import Card, Text

__all__ = ["code_back", "code_front", "highlight"]


def highlight(code: str) -> str:
    """Python code as highlighted, escaped HTML (a ``<div>`` holding a ``<pre>``)."""
    from pygments import highlight as pygmentize
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    html: str = pygmentize(
        code.rstrip("\n") + "\n", PythonLexer(), HtmlFormatter(noclasses=True, style="default")
    )
    return html


def _code(text: Text | None, lang: str) -> str:
    if text is None:
        return ""
    if lang != "both":
        return highlight(text.get(lang))
    parts = [(code, value) for code, value in (("zh", text.zh), ("en", text.en)) if value]
    if len(parts) == 2 and parts[0][1] == parts[1][1]:
        parts = parts[:1]
    return "".join(f'<div lang="{code}">{highlight(value)}</div>' for code, value in parts)


def code_front(card: Card, lang: str) -> str:
    """The front of an exported code card: the task, then the starter code."""
    return render_text(card.question, lang) + _code(card.starter, lang)


def code_back(card: Card, lang: str) -> str:
    """The back: the model solution, then the hints, one per line."""
    html = _code(card.solution, lang)
    hints = [render_text(hint, lang) for hint in card.hints]
    if hints:
        html += f"<div class=meta>{escape(_('Hints'))}</div>" + "<br>\n".join(hints)
    return html
