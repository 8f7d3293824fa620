"""Find English that leaked into a screen meant to be Chinese.

`english_words` returns the words of a text that read as English prose: ASCII words left once what may stay
English is set aside — options (``--json``), ids, paths and formats (``practice/conv``, ``a::b``, ``x_1``, ``k,s``), numbers and
anything with a digit, acronyms and names of tools (``FSRS``, ``RMSE``, ``Anki``), single letters (variables,
units), ``cvquiz`` command lines, and the data words a test names (deck ids, tag names, card text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAMES = frozenset(
    {
        "cvquiz",
        "fsrs-rs",
        "Anki",
        "NumPy",
        "PyTorch",
        "Python",
        "SQLite",
        "Ctrl",
        "Ctrl-C",
        "Ctrl-D",
        "Markdown",
        "LaTeX",
        "ms",
    }
)
"""Names and units kept as they are in either language."""

_COMMAND = re.compile(r"\bcvquiz(?: [-\w./=,:@~]+)*")
_TOKEN = re.compile(r"[!-~]+")
_EDGES = "()[]{}<>,.;:!?\"'`|*"


def english_words(text: str, allow: Iterable[str] = ()) -> list[str]:
    """Return the English words in ``text`` (in order, repeats kept) that are not allowed to be there."""
    allowed = NAMES | set(allow)
    found = []
    for token in _TOKEN.findall(_COMMAND.sub(" ", text)):
        if token in allowed:
            continue
        word = token.strip(_EDGES)
        if (
            len(word) < 2
            or word in allowed
            or word.startswith("-")
            or any(c.isdigit() or c in "/_:=.,@\\<>{}[]#~$%+*&^" for c in word)
            or not any(c.isalpha() for c in word)
            or word.isupper()
        ):
            continue
        found.append(word)
    return found
