"""Finding LaTeX formulas in card text: ``$...$`` and ``$$...$$`` in Markdown.

One splitter for every output: the terminal turns the formulas into Unicode, the Anki export into MathJax.
An escaped ``\\$`` is not a delimiter, and nothing inside code spans or fenced code blocks is. As in pandoc, an
inline formula must not start after or end before a space, and its closing ``$`` must not be followed by a
digit, so prices such as ``$5 and $10`` stay text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["MathSegment", "extract_math", "iter_math", "split_math"]

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SCAN_RE = re.compile(r"[\\`$\n]")
_TICKS_RE = re.compile(r"`+")


@dataclass(frozen=True)
class MathSegment:
    """A piece of Markdown text: either plain text or one formula.

    Attributes:
        text: the plain text as written, or the formula's LaTeX without its dollar signs.
        is_math: whether this piece is a formula.
        display: whether the formula was written as ``$$...$$``.
    """

    text: str
    is_math: bool
    display: bool = False


def _closing_dollar(text: str, start: int) -> int:
    """Index of the ``$`` closing an inline formula opened just before ``start``, or -1."""
    i = start
    while True:
        found = _SCAN_RE.search(text, i)
        if found is None:
            return -1
        i = found.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`" or (c == "\n" and text[i + 1 : i + 2] == "\n"):
            return -1  # formulas cross neither code spans nor paragraphs
        if c == "$":
            # This $ closes the formula, or, when it cannot ("$5 and $x$"), the opening $ was text.
            if text[i - 1].isspace() or text[i + 1 : i + 2].isdigit():
                return -1
            return i
        i += 1


def _closing_double_dollar(text: str, start: int) -> int:
    i = start
    while i < len(text) - 1:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("$$", i):
            return i
        i += 1
    return -1


def _fence_end(text: str, i: int, marker: str) -> int:
    """Index just past a fenced code block opened at ``i`` (the end of the text when it is never closed)."""
    end = text.find("\n", i)
    while end != -1:
        line_end = text.find("\n", end + 1)
        line = text[end + 1 : line_end if line_end != -1 else len(text)].strip()
        if line.startswith(marker[0] * len(marker)) and not line.strip(marker[0]):
            return len(text) if line_end == -1 else line_end
        end = line_end
    return len(text)


def iter_math(text: str) -> Iterator[tuple[str, bool, bool]]:
    """Yield ``(text, is_math, display)`` for each piece of Markdown text, the fast form of `split_math`."""
    if "$" not in text:
        if text:
            yield text, False, False
        return
    plain: list[str] = []
    i, end = 0, len(text)
    at_line_start = True
    while i < end:
        if at_line_start:
            fence = _FENCE_RE.match(text, i)
            if fence:
                stop = _fence_end(text, i, fence.group(1))
                plain.append(text[i:stop])
                i = stop
                at_line_start = False
                continue
        found = _SCAN_RE.search(text, i)
        stop = end if found is None else found.start()
        if stop > i:  # jump over text that cannot start anything
            plain.append(text[i:stop])
            i = stop
            at_line_start = False
            continue
        c = text[i]
        at_line_start = c == "\n"
        if c == "\\":
            plain.append(text[i : i + 2])
            i += 2
            continue
        if c == "`":
            run = _TICKS_RE.match(text, i).end() - i  # type: ignore[union-attr]
            ticks = "`" * run
            close = text.find(ticks, i + run)
            while close != -1 and text[close + run : close + run + 1] == "`":
                close = text.find(ticks, close + run + 1)
            stop = i + run if close == -1 else close + run
            plain.append(text[i:stop])
            i = stop
            continue
        if text.startswith("$$", i):
            close = _closing_double_dollar(text, i + 2)
            if close != -1:
                if plain:
                    yield "".join(plain), False, False
                    plain = []
                yield text[i + 2 : close], True, True
                i = close + 2
                continue
        elif c == "$" and i + 1 < len(text) and not text[i + 1].isspace():
            close = _closing_dollar(text, i + 1)
            if close != -1:
                if plain:
                    yield "".join(plain), False, False
                    plain = []
                yield text[i + 1 : close], True, False
                i = close + 1
                continue
        plain.append(c)
        i += 1
    if plain:
        yield "".join(plain), False, False


def split_math(text: str) -> list[MathSegment]:
    """Split Markdown text into plain pieces and ``$...$`` / ``$$...$$`` formulas.

    Args:
        text: Markdown text.

    Returns:
        The pieces in order; joining plain texts and re-delimited formulas gives back ``text``.
    """
    return [MathSegment(piece, is_math, display) for piece, is_math, display in iter_math(text)]


def extract_math(text: str) -> list[str]:
    """Return the LaTeX of every formula in Markdown text, in order (see `split_math`)."""
    return [piece for piece, is_math, _ in iter_math(text) if is_math]
