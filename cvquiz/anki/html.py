"""Card text (Markdown with LaTeX, Chinese and/or English) turned into the HTML of an Anki field.

Anki fields are HTML, so everything a card says as plain text is HTML-escaped: a card containing ``<script>``
shows those characters and runs nothing. Markdown is rendered with markdown-it-py (raw HTML off, single line
breaks kept as ``<br>``, tables and strikethrough on). Formulas are cut out *before* Markdown sees them, so
``_`` and ``*`` inside ``$a_i * b_i$`` never become emphasis, and come back as Anki's MathJax delimiters:
``$...$`` → ``\\(...\\)`` and ``$$...$$`` → ``\\[...\\]`` (their text HTML-escaped, which MathJax reads back).
Formulas are found with the rules cvquiz uses in the terminal (pandoc's): ``\\$`` is a dollar sign, code
spans and fenced code hold no formulas, and an inline formula neither starts after nor ends before a space.

A text of a single paragraph renders without the ``<p>`` around it, as Anki's own editor writes fields. Most
card text is plain prose with formulas; it takes a fast path that gives exactly what markdown-it would give
(a property test holds the two together), because markdown-it costs ~50 µs a string and an export renders
tens of thousands.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from cvquiz.mathtext import iter_math as math_segments
from cvquiz.model import Text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "escape",
    "hold",
    "math_segments",
    "protect",
    "render_markdown",
    "render_text",
    "restore",
]

_OPEN, _CLOSE, _ESC = "\ue000", "\ue001", "\ue002"
"""Private-use characters around a formula's index while Markdown renders the rest (no Markdown meaning).
Card text may hold them too: `protect` escapes them first (with ``_ESC``), so a placeholder is always one."""
_PROTECT = str.maketrans({_OPEN: _ESC + "o", _CLOSE: _ESC + "c", _ESC: _ESC + "e"})
_UNPROTECT = {"o": _OPEN, "c": _CLOSE, "e": _ESC}
_HELD_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}|{_ESC}([oce])")


def hold(index: int) -> str:
    """Return the placeholder of the ``index``-th held-out piece (a formula) in `protect`-ed text."""
    return f"{_OPEN}{index}{_CLOSE}"


def protect(text: str) -> str:
    """Escape the placeholder characters in text that is to hold placeholders (`hold`)."""
    if _OPEN in text or _CLOSE in text or _ESC in text:
        return text.translate(_PROTECT)
    return text


def restore(text: str, held: list[str]) -> str:
    """Put the held-out pieces back for their placeholders and undo `protect`, in one pass."""

    def back(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return held[int(match.group(1))]
        return _UNPROTECT[match.group(2)]

    return _HELD_RE.sub(back, text)


_TICKS_RE = re.compile(r"`+")
_PLAIN_LINE_RE = re.compile(r"(?![-+*>#=_]|\d{1,9}[.)])[^\\`*_\[\]<>&|~!$\n\r\x00]*")
"""A single line of prose that no Markdown rule touches: the HTML is the escaped text."""
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

# The fast path takes text whose every line is plain prose: none of the characters that start Markdown inline
# syntax or entities, and no line that could open a block (list, quote, heading, rule, setext underline, code).
_INLINE_SPECIAL_RE = re.compile(r"[\\`*_\[\]<>&|~!\r\x00]")
_BLOCK_START_RE = re.compile(r"[-+*>#=_]|\d{1,9}[.)]|```|~~~")


def escape(text: str) -> str:
    """Escape ``& < > "`` for HTML text and attribute values (as markdown-it does).

    Args:
        text: plain text.

    Returns:
        The text, safe to put into HTML.
    """
    return text.translate(_ESCAPES)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False}).enable(
        ["table", "strikethrough"]
    )


# --- rendering -------------------------------------------------------------------------------------------


_WHITESPACE = frozenset("\t\n\x0b\x0c\r \xa0\u1680\u202f\u205f\u3000") | frozenset(
    map(chr, range(0x2000, 0x200B))
)
"""What markdown-it counts as whitespace around emphasis markers (the start and end of a line count too)."""
_STARS_RE = re.compile(r"\*+")


def _kind(char: str) -> str:
    """``"space"``, ``"punct"`` (Unicode P* and S*, as markdown-it) or ``"word"``."""
    if char in _WHITESPACE:
        return "space"
    return "punct" if unicodedata.category(char)[0] in "PS" else "word"


def _stars(line: str, spans: list[tuple[int, int]]) -> dict[int, str] | None:
    """The HTML of each ``*``/``**`` run outside code spans, by position, when every run plainly opens or
    closes emphasis and they pair up in order; None when markdown-it's full delimiter rules are needed."""
    tags: dict[int, str] = {}
    opener: int | None = None
    for run in _STARS_RE.finditer(line):
        at, size = run.start(), len(run.group())
        if any(a <= at < b for a, b in spans):
            continue
        if size > 2:
            return None
        before = _kind(line[at - 1]) if at else "space"
        after = _kind(line[run.end()]) if run.end() < len(line) else "space"
        tag = "strong" if size == 2 else "em"
        if opener is None and after == "word" and before != "word":
            opener, tags[at] = size, f"<{tag}>"
        elif opener == size and before == "word" and after != "word":
            opener, tags[at] = None, f"</{tag}>"
        else:
            return None
    return None if opener is not None else tags


def _fast_line(line: str) -> str | None:
    """One line of plain prose, complete code spans and simple emphasis as HTML, or None when it needs
    markdown-it."""
    spans: list[tuple[int, int, str]] = []  # code spans: start, end, HTML
    i = 0
    while True:
        j = line.find("`", i)
        if j == -1:
            break
        run = _TICKS_RE.match(line, j).end() - j  # type: ignore[union-attr]
        close = line.find("`" * run, j + run)
        while close != -1 and line[close + run : close + run + 1] == "`":
            close = line.find("`" * run, _TICKS_RE.match(line, close).end())  # type: ignore[union-attr]
        if close == -1:
            return None  # an unclosed run may close on another line: leave it to markdown-it
        code = line[j + run : close]
        if code[:1] == " " and code[-1:] == " " and code.strip(" "):
            code = code[1:-1]
        spans.append((j, close + run, f"<code>{escape(code)}</code>"))
        i = close + run
    stars: dict[int, str] = {}
    if "*" in line:
        found = _stars(line, [(a, b) for a, b, _ in spans])
        if found is None:
            return None
        stars = found
    out: list[str] = []
    i = 0
    for a, b, html in [*spans, (len(line), len(line), "")]:
        plain = line[i:a]
        if _INLINE_SPECIAL_RE.search(plain.replace("*", "")):
            return None
        k = 0
        for m in _STARS_RE.finditer(plain):
            out.append(escape(plain[k : m.start()]))
            out.append(stars[i + m.start()])
            k = m.end()
        out.append(escape(plain[k:]))
        out.append(html)
        i = b
    return "".join(out)


def _fast_html(text: str) -> str | None:
    """The HTML markdown-it gives for plain prose with code spans, or None when ``text`` needs markdown-it."""
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = []
        for line in block.split("\n"):
            if not line or line != line.strip() or _BLOCK_START_RE.match(line):
                return None
            html = _fast_line(line)
            if html is None:
                return None
            lines.append(html)
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>\n")
    return "".join(paragraphs)


def _normalize(text: str) -> str:
    """Line breaks and NUL as markdown-it normalizes them before parsing."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def _one_paragraph(text: str) -> bool:
    """True when ``text`` is a single paragraph whose lines can start no block (tables and link
    reference definitions included), so markdown-it's inline renderer gives what its full renderer would."""
    if "|" in text:
        return False
    for line in text.split("\n"):
        if not line or line != line.strip() or _BLOCK_START_RE.match(line) or line[0] == "[":
            return False
    return True


def _html(text: str) -> str:
    """Render Markdown (formulas already taken out) exactly as markdown-it does, taking shortcuts where
    they give the same HTML: the fast path for prose, the inline renderer for one paragraph."""
    if "\r" in text or "\x00" in text:
        text = _normalize(text)
    html = _fast_html(text)
    if html is not None:
        return html
    if _one_paragraph(text):
        return "<p>" + str(_markdown().renderInline(text)) + "</p>\n"
    return str(_markdown().render(text))


def _unwrap(html: str) -> str:
    """Drop the ``<p>`` around a single paragraph; keep every other structure as it is."""
    if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
        return html[3:-5]
    return html.rstrip("\n")


def render_markdown(text: str, *, cloze: bool = False) -> str:
    """Render one Markdown string (with LaTeX) as the HTML of an Anki field.

    Args:
        text: Markdown text.
        cloze: the text is a cloze note's text: a ``}}`` inside a formula becomes ``} }``, so Anki's cloze
            parser does not read it as the end of a deletion (LaTeX ignores the space).

    Returns:
        The HTML; plain text is escaped, formulas become ``\\(...\\)`` / ``\\[...\\]``.
    """
    if not text:
        return ""
    if "\r" in text or "\x00" in text:
        text = _normalize(text)
    if text == text.strip() and _PLAIN_LINE_RE.fullmatch(text):
        return escape(text)
    formulas: list[str] = []
    pieces: list[str] = []
    for piece, is_math, display in math_segments(text):
        if not is_math:
            pieces.append(protect(piece))
            continue
        if cloze:
            while "}}" in piece:
                piece = piece.replace("}}", "} }")
        left, right = (r"\[", r"\]") if display else (r"\(", r"\)")
        pieces.append(hold(len(formulas)))
        formulas.append(left + escape(piece) + right)
    source = "".join(pieces)
    return restore(_unwrap(_html(source)), formulas)


def render_text(text: Text | None, lang: str, *, cloze: bool = False) -> str:
    """Render bilingual card text in one language or both.

    Args:
        text: the text, or None.
        lang: ``"zh"`` or ``"en"`` (falling back to the other language when the card lacks it), or
            ``"both"``: each language in its own ``<div lang=..>``, Chinese first (one block when the card
            has only one language or both say the same).
        cloze: see `render_markdown`.

    Returns:
        The field's HTML; empty for no text.
    """
    if text is None:
        return ""
    if lang != "both":
        return render_markdown(text.get(lang), cloze=cloze)
    parts = [(code, value) for code, value in (("zh", text.zh), ("en", text.en)) if value]
    if len(parts) == 2 and parts[0][1] == parts[1][1]:
        parts = parts[:1]
    if len(parts) == 1:
        return render_markdown(parts[0][1], cloze=cloze)
    return "".join(
        f'<div lang="{code}">{render_markdown(value, cloze=cloze)}</div>' for code, value in parts
    )
