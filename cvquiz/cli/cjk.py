"""Line breaking for Chinese (and Japanese, Korean) text in rich: between characters, not only at spaces.

rich wraps text at spaces only, so a Chinese sentence (which has none) is one "word": in a narrow panel or table
cell it is cut with an ellipsis or folded at an arbitrary cell. `enable` teaches rich's word splitter the basic
rule of CJK typesetting: a line may break between any two characters when one of them is a CJK character,
except before closing punctuation (，。）…) and after opening punctuation (（「“…), which stay with their
neighbour. Latin words keep breaking at spaces only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import rich._wrap

_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff"
    "\uff01-\uff60\uffe0-\uffe6"
)
_CLOSING = "，。、；：？！）」』】》〉”’…—％·｝］〕〗〙〛ー～,.;:?!)]}%"
_OPENING = "（「『【《〈“‘｛［〔〖〘〚([{"
_IS_CJK = re.compile(f"[{_CJK}]")
_WORD = re.compile(r"\s*\S+\s*")


def _breakable(before: str, after: str) -> bool:
    if after in _CLOSING or before in _OPENING:
        return False
    return bool(_IS_CJK.match(before) or _IS_CJK.match(after))


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` like rich's splitter, with CJK runs split between characters."""
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group(0)
        if not _IS_CJK.search(word):
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


_original = rich._wrap.words


def enable() -> None:
    """Make rich break CJK text between characters (idempotent)."""
    rich._wrap.words = words


def disable() -> None:
    """Restore rich's own splitter."""
    rich._wrap.words = _original


def split(text: str) -> Iterable[str]:
    """The pieces `words` yields (for tests)."""
    return [word for _start, _end, word in words(text)]
