"""Line breaking for Chinese (and Japanese, Korean) text in rich: between characters, not only at spaces.

rich wraps text at spaces only, so a Chinese sentence (which has none) is one "word": in a narrow panel or table
cell it is cut with an ellipsis or folded at an arbitrary cell. `enable` teaches rich's word splitter the basic
rule of CJK typesetting: a line may break between any two characters when one of them is a CJK character,
except before closing punctuation (，。）…) and after opening punctuation (（「“…), which stay with their
neighbour. Latin words keep breaking at spaces only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_CJK = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3040, 0x30FF),
    (0x3100, 0x312F),
    (0x3130, 0x318F),
    (0x31A0, 0x31BF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF60),
    (0xFFE0, 0xFFE6),
)
"""The CJK blocks, as code point ranges (a regular expression of them takes ~10 ms to compile)."""
_CLOSING = "，。、；：？！）」』】》〉”’…—％·｝］〕〗〙〛ー～,.;:?!)]}%"
_OPENING = "（「『【《〈“‘｛［〔〖〘〚([{"
_WORD = re.compile(r"\s*\S+\s*")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return code >= 0x2E80 and any(low <= code <= high for low, high in _CJK)


def _has_cjk(text: str) -> bool:
    return not text.isascii() and any(_is_cjk(char) for char in text)


def _breakable(before: str, after: str) -> bool:
    if after in _CLOSING or before in _OPENING:
        return False
    return _is_cjk(before) or _is_cjk(after)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` like rich's splitter, with CJK runs split between characters."""
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group(0)
        if not _has_cjk(word):
            yield start, end, word
            continue
        core_start = start + (len(word) - len(word.lstrip()))
        core_end = start + len(word.rstrip())
        piece = start
        for i in range(core_start + 1, core_end):
            if _breakable(text[i - 1], text[i]):
                yield piece, i, text[piece:i]
                piece = i
        yield piece, end, text[piece:end]


_original: Callable[[str], Iterable[tuple[int, int, str]]] | None = None


def enable() -> None:
    """Make rich break CJK text between characters (idempotent).

    Called where cvquiz creates a rich console or lets typer draw help, not at start-up: the commands that
    print without rich never import it.
    """
    global _original
    import rich._wrap

    if _original is None:
        _original = rich._wrap.words
    rich._wrap.words = words


def disable() -> None:
    """Restore rich's own splitter."""
    import rich._wrap

    if _original is not None:
        rich._wrap.words = _original  # type: ignore[assignment]


def console(**options: Any) -> Any:
    """Return a rich ``Console(**options)`` with CJK line breaking enabled."""
    from rich.console import Console

    enable()
    return Console(**options)


def split(text: str) -> Iterable[str]:
    """The pieces `words` yields (for tests)."""
    return [word for _start, _end, word in words(text)]
