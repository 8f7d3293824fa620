"""Writing prompts and worked solutions in both languages: numbers, vectors, matrices, tables, steps.

Worked solutions are Markdown with LaTeX math. `Steps` collects them line by line in Chinese and English at
once, so the two languages never drift apart in their numbers.

The numbers a solution derives are not formatted on the spot. `Steps.value` and `Steps.calc` hand out
placeholders for them and record how each derived number follows from the numbers it is computed from;
`Steps.text` then picks every number's decimals so that redoing each step with the numbers *as printed* gives
the printed result (``−ln 0.03010 = 3.5032``, never ``−ln 0.0301 = 3.5032`` when ``−ln 0.0301`` is 3.5033),
and fills the placeholders in. `Steps.checks` lists those steps as printed, for the test that redoes them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞" if value < 0 else "NaN"
    if abs(value) >= 1e15:  # e^100: the digits of a float this large are not all meaningful
        mantissa, _, exponent = f"{value:.{max(places, 1)}e}".partition("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    if value == int(value):
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


def spaced(text: str) -> str:
    """Text to follow Chinese: a space before Latin letters or math (求 mIoU, 求 $x$), none before Chinese."""
    return f" {text}" if text[:1].isascii() else text


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


MAX_PLACES = 12
"""The most decimals a derived number is shown with; a step that needs more is left as it is (and the test of
displayed steps fails)."""

_TOKEN = re.compile("\ue000(\\d+)\ue001")
_SHOWN = re.compile("([\ue000\ue002])(\\d+)\ue001")


@dataclass(frozen=True)
class Check:
    """One step of a worked solution as printed: ``result = compute(*operands)``.

    Attributes:
        label: what the step computes, for messages (``"-ln p"``).
        compute: the computation, on floats.
        operands: the operands as printed (``"0.03010"``, ``"2/3"``), or exact constants.
        result: the result as printed.
        tolerance: how far the recomputed value may be from the printed result: half a unit in its last
            printed place (0 for an exact fraction), plus a hair for floating-point error.
    """

    label: str
    compute: Callable[..., float]
    operands: tuple[str, ...]
    result: str
    tolerance: float

    def holds(self) -> bool:
        """Whether redoing the step from the printed operands gives the printed result (a step that cannot be
        redone from them, such as ``-ln(1 - 1)`` from a rounded 1, does not)."""
        try:
            recomputed = self.compute(*(read_number(o) for o in self.operands))
            shown = read_number(self.result)
        except (ArithmeticError, ValueError):
            return False
        return math.isclose(recomputed, shown, rel_tol=0, abs_tol=self.tolerance)


def read_number(text: str) -> float:
    """A printed number as a float: ``-0.0301``, ``1.23e-05``, ``2/3``, ``−1`` (a Unicode minus)."""
    cleaned = text.replace("−", "-").replace(" ", "").replace("\\,", "")
    if "/" in cleaned:
        return float(Fraction(cleaned))
    return float(cleaned)


def _half_unit(text: str, places: int) -> float:
    """Half a unit in the last place a number was rounded to (at least ``places`` decimals)."""
    if "/" in text:
        return 0.0
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    if exponent:
        return 0.5 * 10.0 ** (int(exponent) - decimals)
    return 0.5 * 10.0 ** -max(decimals, places)


class _Quantity:
    """A number a solution prints: its exact value and the decimals it is printed with."""

    def __init__(
        self, value: float, places: int, fixed: str | None, tiny_as_zero: bool = False
    ) -> None:
        self.value = value
        self.places = places
        self.fixed = fixed
        self.tiny_as_zero = tiny_as_zero
        self._texts: dict[int, str] = {}  # by places: resolving asks for the same text many times

    def text(self) -> str:
        if self.fixed is not None:
            return self.fixed
        shown = self._texts.get(self.places)
        if shown is None:
            if self.tiny_as_zero and abs(self.value) < 0.5 * 10.0**-self.places:
                shown = "0"
            else:
                shown = num(self.value, self.places)
            self._texts[self.places] = shown
        return shown

    def can_grow(self) -> bool:
        return (
            self.fixed is None and self.places < MAX_PLACES and not _exact(self.text(), self.value)
        )


def _exact(text: str, value: float) -> bool:
    try:
        return read_number(text) == value
    except ValueError:
        return False


@dataclass(frozen=True)
class _Relation:
    label: str
    compute: Callable[..., float]
    operands: tuple[int | float, ...]  # quantity indices, or constants as floats
    result: int


class Steps:
    """A worked solution built in Chinese and English at once."""

    def __init__(self) -> None:
        self._zh: list[str] = []
        self._en: list[str] = []
        self._quantities: list[_Quantity] = []
        self._relations: list[_Relation] = []
        self._resolved = False

    # -- numbers whose printed digits are chosen at the end ---------------------------------------------------

    def _token(self, quantity: _Quantity) -> str:
        self._quantities.append(quantity)
        self._resolved = False
        return f"\ue000{len(self._quantities) - 1}\ue001"

    def value(self, x: Any, places: int = 4) -> str:
        """A number the solution prints (an input, or one computed off the page): a placeholder for its text.

        Its decimals may grow (from ``places``) when a step computed from it needs them.
        """
        return self._token(_Quantity(float(x), places, None))

    def exact(self, text: str, x: Any) -> str:
        """A number printed exactly as ``text`` (``2/3``) whatever steps use it."""
        return self._token(_Quantity(float(x), 0, text))

    def calc(
        self,
        compute: Callable[..., float],
        *operands: str | float,
        places: int = 4,
        label: str = "",
        expect: float | None = None,
        tiny_as_zero: bool = False,
    ) -> str:
        """A number derived from printed ones: ``compute(*operands)``, as a placeholder for its text.

        Args:
            compute: the computation, on floats.
            operands: placeholders from `value`, `exact` or `calc`, or exact constants.
            places: the decimals it is printed with at least.
            label: what it computes, for the test's messages.
            expect: the value the engine gives for it; a solution that computes something else is a bug.
            tiny_as_zero: print a value that rounds to 0 at ``places`` as 0, not in scientific notation
                (batch norm's ε turns an exact 0 into −8e−07).

        Returns:
            The placeholder, to put into the text.
        """
        args: list[int | float] = []
        values: list[float] = []
        for operand in operands:
            if isinstance(operand, str):
                match = _TOKEN.fullmatch(operand)
                if match is None:
                    raise ValueError(f"not a number placeholder: {operand!r}")
                index = int(match.group(1))
                args.append(index)
                values.append(self._quantities[index].value)
            else:
                args.append(float(operand))
                values.append(float(operand))
        result = float(compute(*values))
        # float32 engine values (quantization) differ from the float64 step by ~1e-8.
        if expect is not None and not math.isclose(result, expect, rel_tol=1e-6, abs_tol=1e-12):
            raise AssertionError(
                f"worked step {label or compute}: {result} but the engine gives {expect}"
            )
        token = self._token(_Quantity(result, places, None, tiny_as_zero))
        self._relations.append(_Relation(label, compute, tuple(args), len(self._quantities) - 1))
        return token

    def signed(self, token: str) -> str:
        """The same number, in parentheses when it prints negative (for use after ×, + or −)."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"not a number placeholder: {token!r}")
        return f"\ue002{match.group(1)}\ue001"

    def _operand_text(self, operand: int | float) -> str:
        if isinstance(operand, int):
            return self._quantities[operand].text()
        return repr(operand)

    def _check(self, relation: _Relation) -> Check:
        result = self._quantities[relation.result]
        text = result.text()
        return Check(
            relation.label,
            relation.compute,
            tuple(self._operand_text(o) for o in relation.operands),
            text,
            _half_unit(text, result.places) + 1e-9 * max(1.0, abs(result.value)),
        )

    def _resolve(self) -> None:
        """Give operands more decimals until every step redone from the printed numbers gives its result."""
        if self._resolved:
            return
        for _ in range(4 * MAX_PLACES):
            grew = False
            for relation in self._relations:
                if self._check(relation).holds():
                    continue
                for operand in relation.operands:
                    if isinstance(operand, int) and self._quantities[operand].can_grow():
                        self._quantities[operand].places += 1
                        grew = True
            if not grew:
                break
        self._resolved = True

    def checks(self) -> list[Check]:
        """Every recorded step as printed, and every number given with `value` (checked against its value)."""
        self._resolve()
        derived = {r.result for r in self._relations}
        given = [
            Check(
                "printed value",
                lambda v=q.value: v,
                (),
                q.text(),
                _half_unit(q.text(), q.places) + 1e-9 * max(1.0, abs(q.value)),
            )
            for i, q in enumerate(self._quantities)
            if i not in derived
        ]
        return [self._check(r) for r in self._relations] + given

    def render(self, text: str) -> str:
        """Text with its number placeholders filled in."""
        self._resolve()

        def fill(match: re.Match[str]) -> str:
            shown = self._quantities[int(match.group(2))].text()
            return f"({shown})" if match.group(1) == "\ue002" and shown.startswith("-") else shown

        return _SHOWN.sub(fill, text)

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
        """The solution as a bilingual text, every number placeholder filled in."""
        return Text(zh=self.render("\n\n".join(self._zh)), en=self.render("\n\n".join(self._en)))


def join(*parts: Text) -> Text:
    """Join texts paragraph by paragraph in each language."""
    return Text(
        zh="\n\n".join(p.get("zh") for p in parts if p.get("zh")),
        en="\n\n".join(p.get("en") for p in parts if p.get("en")),
    )
