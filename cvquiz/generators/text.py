"""Writing prompts and worked solutions in both languages: numbers, vectors, matrices, tables, steps.

Worked solutions are Markdown with LaTeX math. `Steps` collects them line by line in Chinese and English at
once, so the two languages never drift apart in their numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from cvquiz.model import Text


def bi(zh: str, en: str | None = None) -> Text:
    """A bilingual text; with one argument, the same text in both languages."""
    return Text(zh=zh, en=zh if en is None else en)


def num(x: Any, places: int = 4) -> str:
    """A number as a person writes it: ``2``, ``0.5``, ``-1.25``, ``0.0589`` (at most ``places`` decimals).

    Rounding is half up. With four or more places, two things keep a worked solution from misleading someone
    who rounds it again to the 3 decimals answers are usually judged at: a value with at most two more exact
    decimals is shown exactly (``0.03125``, not ``0.0312``), and a rounded value that ends in 5 at its last
    place gets more decimals (``0.26747``, not ``0.2675``, which would round up to a wrong
    ``0.268``).
    """
    if isinstance(x, bool):
        return str(x)
    value = float(x)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = _fixed(value, places)
    if places >= 4 and round(value, places) != value:
        exact = next((p for p in (places + 1, places + 2) if round(value, p) == value), None)
        if exact is not None:
            text = _fixed(value, exact)
        else:
            shown = places
            while _looks_like_a_tie(text, places) and shown < places + 3:
                shown += 1
                text = _fixed(value, shown)
    if text in ("-0", "0", ""):
        # A tiny non-zero value would read as 0: show it in scientific notation instead.
        return f"{value:.2e}"
    return text


def _looks_like_a_tie(text: str, places: int) -> bool:
    """Whether a rounded number ends in 5 at its ``places``-th decimal (0.2675 for 0.26747...)."""
    decimals = text.partition(".")[2]
    return len(decimals) == places and decimals.endswith("5")


def _fixed(value: float, places: int) -> str:
    """``value`` rounded half up (on its exact binary value) to ``places`` decimals, trailing zeros dropped."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ratio(numerator: int, denominator: int) -> str:
    """An exact ratio of counts: a short decimal when there is one (``0.5``, ``0.375``), else ``2/3``."""
    fraction = Fraction(numerator, denominator)
    if fraction.denominator == 1:
        return str(fraction.numerator)
    if round(float(fraction), 3) == float(fraction):
        return num(float(fraction), 3)
    return f"{fraction.numerator}/{fraction.denominator}"


def signed(x: Any, places: int = 4) -> str:
    """A number for use after a plus or minus: negative numbers in parentheses."""
    text = num(x, places)
    return f"({text})" if text.startswith("-") else text


def vec(values: Iterable[Any], places: int = 4) -> str:
    """A list of numbers: ``[2, 1, 0.5]``."""
    return "[" + ", ".join(num(v, places) for v in values) + "]"


def grid(rows: Any, places: int = 4) -> str:
    """A matrix (nested lists or a 2-D array) as aligned plain-text rows, for a Markdown code block."""
    cells = [[num(v, places) for v in row] for row in rows]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join(" ".join(c.rjust(width) for c in row) for row in cells)


def code(text: str) -> str:
    """A fenced Markdown code block."""
    return f"```\n{text}\n```"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


class Steps:
    """A worked solution built in Chinese and English at once."""

    def __init__(self) -> None:
        self._zh: list[str] = []
        self._en: list[str] = []

    def add(self, zh: str, en: str | None = None) -> Steps:
        """Add a paragraph; with one argument (math, numbers) it is the same in both languages."""
        self._zh.append(zh)
        self._en.append(zh if en is None else en)
        return self

    def math(self, latex: str, en: str | None = None) -> Steps:
        """Add a display formula; give ``en`` when the formula holds words (``\\text{...}``) to translate."""
        return self.add(f"$$\n{latex}\n$$", None if en is None else f"$$\n{en}\n$$")

    def block(self, text: str) -> Steps:
        """Add a plain-text block (matrices, lists)."""
        return self.add(code(text))

    def table(
        self, zh_headers: Sequence[str], en_headers: Sequence[str], rows: list[list[Any]]
    ) -> Steps:
        """Add a table whose headers differ by language."""
        return self.add(table(zh_headers, rows), table(en_headers, rows))

    def answer(self, shown: str) -> Steps:
        """Add the closing line with the answer."""
        return self.add(f"**答案：** {shown}", f"**Answer:** {shown}")

    def text(self) -> Text:
        """The solution as a bilingual text."""
        return Text(zh="\n\n".join(self._zh), en="\n\n".join(self._en))


def join(*parts: Text) -> Text:
    """Join texts paragraph by paragraph in each language."""
    return Text(
        zh="\n\n".join(p.get("zh") for p in parts if p.get("zh")),
        en="\n\n".join(p.get("en") for p in parts if p.get("en")),
    )
