"""Read what a person types as an answer and judge it against the expected value.

Answers are free text typed in a terminal, often with a Chinese input method switched on, so the reader
accepts what people actually type: ``112``, ``112x112``, ``112×112``, ``(1, 64, 112, 112)``, full-width
digits and punctuation (``１１２``, ``（1，64）``), ``0.693``, ``.693``, ``6.93e-1``, ``6.93×10^-1``, ``1/3``,
a Unicode minus, matrices as ``[[1, 2], [3, 4]]``, ``1 2; 3 4`` or one row per line (as NumPy prints them).

Nothing here evaluates user text: numbers are matched by regular expressions and converted with ``int``,
``float`` and ``Fraction``, lists by a small hand-written tokenizer and recursive-descent parser. Text that
cannot be read raises `AnswerParseError` (the drill shows the message and asks again); it is never marked
wrong and never crashes.

Judging rules:

* integers, shapes, booleans and text are compared exactly (text after case folding and whitespace
  normalisation); a non-whole number typed for an integer card is a wrong answer, not an unreadable one;
* numbers (and the float entries of vectors and matrices) are compared with a tolerance (see `judge`);
  entries whose expected value is an ``int`` are compared exactly.
"""

from __future__ import annotations

import math
import operator
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from cvquiz.errors import CvquizError
from cvquiz.i18n import N_, _, ngettext

Number: TypeAlias = int | float
"""A number inside an answer: ``int`` when typed without a decimal point, exponent or fraction bar."""

AnswerValue: TypeAlias = (
    int | float | bool | str | tuple[Number, ...] | tuple[tuple[Number, ...], ...]
)
"""The value of a parsed answer; which member depends on the `AnswerKind`."""

DEFAULT_REL_TOL = 1e-2
"""Relative tolerance for numbers when the card sets none: within 1 % of the expected value."""

ABS_TOL_FLOOR = 1e-9
"""Absolute tolerance always granted, so an expected value of (almost) zero can be matched."""

MAX_ANSWER_CHARS = 10_000
"""Longer answers are refused rather than parsed (nobody types that much; it keeps parsing cheap)."""

_MAX_DEPTH = 8
_MAX_SHOWN_CHARS = 40
_MAX_LISTED_MISMATCHES = 3


class AnswerKind(StrEnum):
    """What kind of value a card expects; decides how the typed text is read."""

    INTEGER = "integer"
    """A whole number: ``112``."""
    NUMBER = "number"
    """A real number, judged with a tolerance: ``0.693``, ``.693``, ``6.93e-1``, ``1/3``."""
    SHAPE = "shape"
    """A tensor shape, a tuple of non-negative ints: ``112x112``, ``(1, 64, 112, 112)``."""
    VECTOR = "vector"
    """A flat list of numbers: ``[1, 2, 3]``, ``1 2 3``, ``1, 2, 3``."""
    MATRIX = "matrix"
    """A list of equally long rows: ``[[1, 2], [3, 4]]``, ``1 2; 3 4``, one row per line."""
    BOOLEAN = "boolean"
    """Yes or no: ``yes``, ``no``, ``true``, ``false``, ``是``, ``否``, ``对``, ``错``."""
    TEXT = "text"
    """A word or short phrase compared after case folding, e.g. a choice such as ``same``."""


_WHAT = {
    AnswerKind.INTEGER: N_("a whole number"),
    AnswerKind.NUMBER: N_("a number"),
    AnswerKind.SHAPE: N_("a shape"),
    AnswerKind.VECTOR: N_("a list of numbers"),
    AnswerKind.MATRIX: N_("a matrix"),
    AnswerKind.BOOLEAN: N_("yes or no"),
    AnswerKind.TEXT: N_("an answer"),
}

_EXAMPLES = {
    AnswerKind.INTEGER: N_("try 112"),
    AnswerKind.NUMBER: N_("try 0.693, .693, 6.93e-1 or 1/3"),
    AnswerKind.SHAPE: N_("try 112x112 or (1, 64, 112, 112)"),
    AnswerKind.VECTOR: N_("try [1, 2, 3] or 1 2 3"),
    AnswerKind.MATRIX: N_("try [[1, 2], [3, 4]] or 1 2; 3 4"),
    AnswerKind.BOOLEAN: N_("try yes, no, 是 or 否"),
    AnswerKind.TEXT: N_("type a word or two"),
}
_SAMPLE_DIMS = (1, 64, 112, 112)


def _examples(kind: AnswerKind, arity: int | None) -> str:
    """How to type an answer of ``kind``; with ``arity``, only formats with that many values."""
    if arity is not None and kind is AnswerKind.SHAPE:
        dims = [str(d) for d in _SAMPLE_DIMS[-arity:]] if arity <= 4 else ["1"] * arity
        shape = f"({dims[0]},)" if arity == 1 else "(" + ", ".join(dims) + ")"
        first = dims[0] if arity == 1 else "x".join(dims)
        return _("try {example}").format(example=_("{a} or {b}").format(a=first, b=shape))
    if arity is not None and kind is AnswerKind.VECTOR:
        numbers = [str(n) for n in range(1, arity + 1)]
        either = _("{a} or {b}").format(a=f"[{', '.join(numbers)}]", b=" ".join(numbers))
        return _("try {example}").format(example=either)
    return _(_EXAMPLES[kind])


class AnswerParseError(CvquizError):
    """Typed text that cannot be read as the kind of answer the card expects.

    The drill shows the message and lets the person try again; this is not a wrong answer.

    Attributes:
        text: the text as typed.
        kind: the kind of answer that was expected.
        reason: what exactly could not be read, or ``None`` when nothing more specific is known.
    """

    def __init__(
        self, text: str, kind: AnswerKind, reason: str | None = None, arity: int | None = None
    ) -> None:
        self.text = text
        self.kind = kind
        self.reason = reason
        self.arity = arity
        shown = _shown(text)
        what = _(_WHAT[kind])
        if shown:
            message = _('could not read "{answer}" as {what}').format(answer=shown, what=what)
        else:
            message = _("could not read an empty answer as {what}").format(what=what)
        if reason:
            message = _("{message}: {reason}").format(message=message, reason=reason)
        message = _("{message} ({examples})").format(
            message=message, examples=_examples(kind, arity)
        )
        super().__init__(message)


@dataclass(frozen=True)
class ParsedAnswer:
    """An answer read from typed text.

    Attributes:
        kind: the kind it was read as.
        value: ``int`` (integer), ``float`` (number), ``tuple[int, ...]`` (shape), ``tuple[Number, ...]``
            (vector), ``tuple[tuple[Number, ...], ...]`` (matrix), ``bool`` (boolean) or the normalised
            ``str`` (text).
        text: the text as typed.
    """

    kind: AnswerKind
    value: AnswerValue
    text: str


@dataclass(frozen=True)
class Judgement:
    """The verdict on one typed answer.

    Attributes:
        correct: whether the answer counts as right.
        parsed: the answer as read.
        expected: the expected value, normalised to the same form as ``parsed.value``.
        message: one line for the person, e.g. ``"off by 1 in H (expected 112, got 111)"`` or
            ``"0.693 is within 1% of 0.6931"``.
    """

    correct: bool
    parsed: ParsedAnswer
    expected: AnswerValue
    message: str


@dataclass(frozen=True)
class _Tolerance:
    rel: float
    abs: float
    decimals: int | None

    def accepts(self, got: float, want: float) -> bool:
        diff = abs(got - want)
        if self.decimals is not None:
            half_unit = 0.5 * 10.0 ** (-self.decimals)
            # The slack absorbs binary representation error: 0.125 typed for 0.12 at 2 decimals.
            if diff <= half_unit * (1 + 1e-9) or round(got, self.decimals) == round(
                want, self.decimals
            ):
                return True
        return diff <= max(self.rel * abs(want), self.abs, ABS_TOL_FLOOR)

    def describe(self) -> str:
        parts = []
        if self.decimals is not None:
            parts.append(
                ngettext("to {n} decimal", "to {n} decimals", self.decimals).format(n=self.decimals)
            )
        if self.rel > 0:
            parts.append(_("within {value}").format(value=_fmt(self.rel * 100) + "%"))
        if self.abs > 0:
            parts.append(_("within {value}").format(value=_fmt(self.abs)))
        return _(" or ").join(parts) or _("within {value}").format(value=_fmt(ABS_TOL_FLOOR))


# ---------------------------------------------------------------------------------------------------
# Normalising what was typed

_TRANSLATION: dict[int, str] = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_TRANSLATION.update(
    {
        0x2212: "-",  # minus sign
        0x2012: "-",  # figure dash
        0x2013: "-",  # en dash
        0x2010: "-",  # hyphen
        0x2011: "-",  # non-breaking hyphen
        0xFE63: "-",  # small hyphen-minus
        0x3002: ".",  # ideographic full stop
        0x3001: ",",  # ideographic comma (Chinese IMEs type it for lists)
        0x3010: "[",  # lenticular brackets, what some IMEs give for [ and ]
        0x3011: "]",
        0x2715: "×",
        0x2716: "×",
        0x22C5: "*",  # dot operator, for 6.93⋅10^-1
        0x00B7: "*",  # middle dot
        0x2217: "*",
    }
)
_SPACES = re.compile(r"[^\S\n]+")


def _shown(text: str) -> str:
    if len(text) > 4 * _MAX_SHOWN_CHARS:
        text = text[: 4 * _MAX_SHOWN_CHARS]
    # control characters (an escape sequence pasted in) are shown, never sent to the terminal
    text = "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in text)
    shown = " ".join(text.strip().split("\n"))
    if len(shown) > _MAX_SHOWN_CHARS:
        shown = shown[: _MAX_SHOWN_CHARS - 1] + "…"
    return shown


def _clean(text: str, kind: AnswerKind) -> str:
    """Normalise typed text: full-width to ASCII, dashes to ``-``, spaces folded, trailing period dropped."""
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerParseError(
            text,
            kind,
            _("the answer is longer than {n} characters").format(n=MAX_ANSWER_CHARS),
        )
    s = text.replace("\r\n", "\n").replace("\r", "\n")
    # Format characters (zero-width space, BOM) arrive from copy and paste and are invisible.
    s = "".join(c for c in s if unicodedata.category(c) != "Cf")
    s = _SPACES.sub(" ", s.translate(_TRANSLATION))
    s = "\n".join(line.strip() for line in s.split("\n")).strip()
    if len(s) > 1 and s.endswith(".") and s[-2] not in ".":
        s = s[:-1].rstrip()
    if not s:
        raise AnswerParseError(text, kind)
    return s


# ---------------------------------------------------------------------------------------------------
# Numbers

_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DECIMAL_RE = re.compile(_DECIMAL)
_TIMES_TEN_RE = re.compile(
    r"(?P<mantissa>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*[x×*]\s*10\s*(?:\^|\*\*)\s*"
    r"(?:\((?P<exp1>[+-]?[0-9]+)\)|(?P<exp2>[+-]?[0-9]+))"
)
_NUMBER_RE = re.compile(rf"(?P<num>{_DECIMAL})(?:\s*/\s*(?P<den>{_DECIMAL}))?")
_THOUSANDS_RE = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+")
_DECIMAL_COMMA_RE = re.compile(r"[+-]?[0-9]+,[0-9]+")
_NON_FINITE = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "-∞"}
)
# Longer exponents would only build huge Fractions; no answer needs them.
_MAX_EXPONENT_DIGITS = 4
MAX_MAGNITUDE = Fraction(sys.float_info.max)
"""Numbers larger than the largest float (about 1.8e308) are refused as too large, whole numbers too: every
number the parser accepts can then be shown, compared with a float and judged (``1e9999`` typed for an integer
would otherwise be an int of 10,000 digits, more than Python prints)."""
_EXPONENT_RE = re.compile(r"[eE][+-]?([0-9]+)")


def _exact(token: str, text: str, kind: AnswerKind) -> Fraction:
    """The exact value of a validated decimal token."""
    exponent = _EXPONENT_RE.search(token)
    if exponent and len(exponent.group(1).lstrip("0")) > _MAX_EXPONENT_DIGITS:
        raise AnswerParseError(text, kind, _("the exponent is too large"))
    try:
        return Fraction(token)
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
        raise AnswerParseError(text, kind, _("too many digits")) from None


def _number_problem(s: str, kind: AnswerKind) -> str | None:
    """A hint for the usual ways a number is mistyped, or ``None``."""
    low = s.casefold()
    if low in _NON_FINITE:
        return _("nan and infinity are not accepted; type a finite number")
    if s.endswith("%"):
        return _('type it without "%" ({typed} is {number}/100)').format(
            typed=_shown(s), number=_shown(s[:-1].strip())
        )
    if kind is AnswerKind.INTEGER and _THOUSANDS_RE.fullmatch(s):
        return _("commas are not read as thousands separators; type {number}").format(
            number=s.replace(",", "")
        )
    if _DECIMAL_COMMA_RE.fullmatch(s):
        return _("use a decimal point ({number}), not a comma").format(number=s.replace(",", "."))
    if "," in s or " " in s:
        return _("type a single number")
    return None


def _read_exact(s: str, text: str, kind: AnswerKind) -> tuple[Fraction, bool] | None:
    """Read one number exactly; the flag says whether it was typed as an integer. ``None`` if no match."""
    times_ten = _TIMES_TEN_RE.fullmatch(s)
    if times_ten:
        exp = times_ten.group("exp1") or times_ten.group("exp2")
        s = f"{times_ten.group('mantissa')}e{exp}"
    match = _NUMBER_RE.fullmatch(s)
    if not match:
        return None
    num = match.group("num")
    den = match.group("den")
    value = _exact(num, text, kind)
    typed_as_int = den is None and _is_int_token(num) and not times_ten
    if den is not None:
        divisor = _exact(den, text, kind)
        if divisor == 0:
            raise AnswerParseError(text, kind, _("division by zero"))
        value /= divisor
    if abs(value) > MAX_MAGNITUDE:
        raise AnswerParseError(text, kind, _("the number is too large"))
    return value, typed_as_int


def _is_int_token(token: str) -> bool:
    return not any(c in token for c in ".eE/")


def _to_float(value: Fraction, text: str, kind: AnswerKind) -> float:
    try:
        result = float(value)
    except OverflowError:
        raise AnswerParseError(text, kind, _("the number is too large")) from None
    if not math.isfinite(result):  # pragma: no cover - float(Fraction) raises instead
        raise AnswerParseError(text, kind, _("the number is too large"))
    return result


def _parse_integer(text: str) -> int:
    kind = AnswerKind.INTEGER
    s = _clean(text, kind)
    read = _read_exact(s, text, kind)
    if read is None:
        raise AnswerParseError(text, kind, _number_problem(s, kind))
    value, _typed_as_int = read
    if value.denominator != 1:
        raise AnswerParseError(
            text, kind, _("{number} is not a whole number").format(number=_shown(s))
        )
    return value.numerator


def _parse_number(text: str) -> float:
    kind = AnswerKind.NUMBER
    s = _clean(text, kind)
    read = _read_exact(s, text, kind)
    if read is None:
        raise AnswerParseError(text, kind, _number_problem(s, kind))
    return _to_float(read[0], text, kind)


def _list_number(token: str, text: str, kind: AnswerKind) -> Number:
    read = _read_exact(token, text, kind)
    if read is None:  # pragma: no cover - the tokenizer only yields number tokens
        raise AnswerParseError(
            text, kind, _('"{token}" is not a number').format(token=_shown(token))
        )
    value, typed_as_int = read
    if typed_as_int:
        return value.numerator
    return _to_float(value, text, kind)


# ---------------------------------------------------------------------------------------------------
# Shapes

_SIZE_PREFIX_RE = re.compile(r"(?:torch\s*\.\s*)?size\s*(?=\()", re.IGNORECASE)
_SHAPE_SEPARATOR_RE = re.compile(r"[\s,×xX*]+")
_BRACKET_PAIRS = {"(": ")", "[": "]"}


def _parse_shape(text: str) -> tuple[int, ...]:
    kind = AnswerKind.SHAPE
    s = _clean(text, kind)
    s = _SIZE_PREFIX_RE.sub("", s, count=1).strip()
    # Peel matching outer brackets: (1, 64), [1, 64], torch.Size([1, 64]).
    while len(s) >= 2 and s[0] in _BRACKET_PAIRS and s[-1] == _BRACKET_PAIRS[s[0]]:
        s = s[1:-1].strip()
    if any(c in s for c in "()[]"):
        raise AnswerParseError(text, kind, _("brackets inside a shape"))
    pieces = [p for p in _SHAPE_SEPARATOR_RE.split(s) if p]
    dims = []
    for piece in pieces:
        if not piece.isascii() or not piece.isdigit():
            if _DECIMAL_RE.fullmatch(piece):
                if piece.startswith("-"):
                    reason = _("dimensions cannot be negative")
                else:
                    reason = _("dimensions are whole numbers, {piece} is not one").format(
                        piece=_shown(piece)
                    )
            else:
                reason = _('"{piece}" is not a dimension').format(piece=_shown(piece))
            raise AnswerParseError(text, kind, reason)
        try:
            dims.append(int(piece))
        except ValueError:  # more digits than int() converts
            raise AnswerParseError(text, kind, _("too many digits")) from None
    return tuple(dims)


# ---------------------------------------------------------------------------------------------------
# Vectors and matrices: a tiny tokenizer and recursive-descent parser (never eval or ast).

_TOKEN_RE = re.compile(
    rf"(?P<space> +)|(?P<newline>\n)|(?P<number>{_DECIMAL}(?:\s*/\s*{_DECIMAL})?)"
    r"|(?P<open>[\[(])|(?P<close>[\])])|(?P<comma>,)|(?P<semicolon>;)"
)

_Node: TypeAlias = "Number | list[_Node]"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokenize(s: str, text: str, kind: AnswerKind) -> list[_Token]:
    tokens = []
    pos = 0
    while pos < len(s):
        match = _TOKEN_RE.match(s, pos)
        if match is None or match.lastgroup is None:
            bad = s[pos]
            if s[pos:].casefold().startswith(("nan", "inf")) or bad == "∞":
                reason = _("nan and infinity are not accepted")
            else:
                reason = _('unexpected "{char}"').format(char=_shown(bad))
            raise AnswerParseError(text, kind, reason)
        tokens.append(_Token(match.lastgroup, match.group()))
        pos = match.end()
    return tokens


class _ListParser:
    """Reads nested lists of numbers; ``;`` (anywhere) and newlines (outside brackets) end a row."""

    def __init__(self, tokens: list[_Token], text: str, kind: AnswerKind) -> None:
        self.tokens = tokens
        self.pos = 0
        self.text = text
        self.kind = kind

    def fail(self, reason: str) -> AnswerParseError:
        return AnswerParseError(self.text, self.kind, reason)

    def parse(self) -> list[_Node]:
        items = self.level(closing=None, depth=0)
        if self.pos != len(
            self.tokens
        ):  # pragma: no cover - level() consumes everything at the top
            raise self.fail(_("unexpected text after the list"))
        return items

    def level(self, closing: str | None, depth: int) -> list[_Node]:
        if depth > _MAX_DEPTH:
            raise self.fail(_("too deeply nested"))
        rows: list[list[_Node]] = [[]]
        last_was_number = False
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.kind == "number":
                if last_was_number:
                    raise self.fail(_("put a space or a comma between two numbers"))
                rows[-1].append(_list_number(token.text, self.text, self.kind))
                last_was_number = True
                continue
            last_was_number = False
            if token.kind == "open":
                expected_close = _BRACKET_PAIRS[token.text]
                rows[-1].append(self.level(closing=expected_close, depth=depth + 1))
            elif token.kind == "close":
                if closing is None:
                    raise self.fail(
                        _('"{bracket}" closes a bracket that was never opened').format(
                            bracket=token.text
                        )
                    )
                if token.text != closing:
                    raise self.fail(
                        _('"{bracket}" where "{closing}" was expected').format(
                            bracket=token.text, closing=closing
                        )
                    )
                return _rows_to_node(rows)
            elif token.kind == "semicolon" or (token.kind == "newline" and closing is None):
                rows.append([])
        if closing is not None:
            raise self.fail(
                _('a bracket is not closed (missing "{closing}")').format(closing=closing)
            )
        return _rows_to_node(rows)


def _rows_to_node(rows: list[list[_Node]]) -> list[_Node]:
    rows = [row for row in rows if row]
    if len(rows) <= 1:
        return rows[0] if rows else []
    # "[1, 2]\n[3, 4]" gives rows that each hold one list: that list is the row.
    return [row[0] if len(row) == 1 and isinstance(row[0], list) else row for row in rows]


def _parse_tree(text: str, kind: AnswerKind) -> list[_Node]:
    s = _clean(text, kind)
    return _ListParser(_tokenize(s, text, kind), text, kind).parse()


def _is_flat(node: list[_Node]) -> bool:
    return all(not isinstance(item, list) for item in node)


def _numbers(node: list[_Node]) -> tuple[Number, ...]:
    return tuple(item for item in node if not isinstance(item, list))


def _parse_vector(text: str) -> tuple[Number, ...]:
    kind = AnswerKind.VECTOR
    tree = _parse_tree(text, kind)
    while len(tree) == 1 and isinstance(tree[0], list):
        tree = tree[0]  # [1, 2, 3] and [[1, 2, 3]] arrive wrapped
    if _is_flat(tree):
        return _numbers(tree)
    # A column typed as "1; 2; 3" or [[1], [2], [3]].
    if all(isinstance(item, list) and len(item) == 1 and _is_flat(item) for item in tree):
        return tuple(n for item in tree if isinstance(item, list) for n in _numbers(item))
    raise AnswerParseError(text, kind, _("expected one flat list, found nested lists"))


def _parse_matrix(text: str) -> tuple[tuple[Number, ...], ...]:
    kind = AnswerKind.MATRIX
    tree = _parse_tree(text, kind)
    # Peel the brackets around the whole matrix: [[1, 2], [3, 4]] and [1 2; 3 4] arrive wrapped once.
    while len(tree) == 1 and isinstance(tree[0], list) and not _is_flat(tree[0]):
        tree = tree[0]
    if len(tree) == 1 and tree[0] == []:
        return ()  # "[]": a matrix without rows
    if _is_flat(tree):
        return (_numbers(tree),) if tree else ()
    if not all(isinstance(item, list) for item in tree):
        raise AnswerParseError(text, kind, _("mixes numbers and rows"))
    rows = []
    for index, item in enumerate(tree, start=1):
        if not isinstance(item, list) or not _is_flat(item):
            raise AnswerParseError(
                text, kind, _("row {index} holds lists, not numbers").format(index=index)
            )
        rows.append(_numbers(item))
    width = len(rows[0])
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise AnswerParseError(
                text,
                kind,
                ngettext(
                    "row {index} has {n} entry but row 1 has {width}",
                    "row {index} has {n} entries but row 1 has {width}",
                    len(row),
                ).format(index=index, n=len(row), width=width),
            )
    return tuple(rows)


# ---------------------------------------------------------------------------------------------------
# Booleans and text

_TRUE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "是", "是的", "对", "對", "对的", "正确", "正確", "✓", "✔"}
)
_FALSE_WORDS = frozenset(
    {
        "no",
        "n",
        "false",
        "f",
        "0",
        "否",
        "不",
        "不是",
        "错",
        "錯",
        "不对",
        "不對",
        "错误",
        "錯誤",
        "✗",
        "✘",
    }
)


def _normalise_text(text: str, kind: AnswerKind) -> str:
    return " ".join(_clean(text, kind).casefold().split())


def _parse_boolean(text: str) -> bool:
    kind = AnswerKind.BOOLEAN
    word = _normalise_text(text, kind).rstrip("!")
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise AnswerParseError(text, kind)


# ---------------------------------------------------------------------------------------------------
# Public API


def parse_answer(text: str, kind: AnswerKind | str) -> ParsedAnswer:
    """Read typed text as an answer of the given kind.

    Args:
        text: what the person typed.
        kind: the kind of answer the card expects (an `AnswerKind` or its string value).

    Returns:
        The parsed answer.

    Raises:
        AnswerParseError: the text cannot be read as that kind; the message says why and gives examples.
        ValueError: ``kind`` is not an answer kind (a deck or programming error, not the person's).
    """
    kind = AnswerKind(kind)
    value: AnswerValue
    if kind is AnswerKind.INTEGER:
        value = _parse_integer(text)
    elif kind is AnswerKind.NUMBER:
        value = _parse_number(text)
    elif kind is AnswerKind.SHAPE:
        value = _parse_shape(text)
    elif kind is AnswerKind.VECTOR:
        value = _parse_vector(text)
    elif kind is AnswerKind.MATRIX:
        value = _parse_matrix(text)
    elif kind is AnswerKind.BOOLEAN:
        value = _parse_boolean(text)
    else:
        value = _normalise_text(text, kind)
    return ParsedAnswer(kind=kind, value=value, text=text)


def format_answer(value: AnswerValue, kind: AnswerKind | str) -> str:
    """Write a value the way a person would type it; `parse_answer` reads it back unchanged.

    Args:
        value: a value of the form `ParsedAnswer.value` has for ``kind``.
        kind: the answer kind.

    Returns:
        E.g. ``112``, ``0.6931471805599453``, ``(1, 64, 112, 112)``, ``[1, 2.5]``, ``[[1, 2], [3, 4]]``,
        ``yes``.
    """
    kind = AnswerKind(kind)
    if kind is AnswerKind.BOOLEAN:
        return "yes" if value else "no"
    if kind is AnswerKind.TEXT:
        return str(value)
    if kind is AnswerKind.SHAPE:
        dims = _as_shape(value)
        inner = ", ".join(str(d) for d in dims)
        return f"({inner},)" if len(dims) == 1 else f"({inner})"
    if kind is AnswerKind.VECTOR:
        return "[" + ", ".join(_format_number(x) for x in _as_vector(value)) + "]"
    if kind is AnswerKind.MATRIX:
        rows = _as_matrix(value)
        return (
            "["
            + ", ".join("[" + ", ".join(_format_number(x) for x in row) + "]" for row in rows)
            + "]"
        )
    if kind is AnswerKind.INTEGER:
        return str(_as_int(value))
    return _format_number(_as_float(value))


def judge(
    text: str,
    expected: object,
    kind: AnswerKind | str,
    rel_tol: float | None = None,
    abs_tol: float | None = None,
    decimals: int | None = None,
    *,
    dim_names: Sequence[str] | None = None,
) -> Judgement:
    """Read typed text and decide whether it matches the expected value.

    Numbers are compared with a tolerance:

    * with ``decimals``: right when the answer rounds to the expected value at that many decimals, or is
      within half a unit of the last decimal (``0.69`` and ``0.694`` both match 0.6931 at 2 decimals);
      an explicit ``rel_tol``/``abs_tol`` also counts;
    * otherwise right when ``|got - want| <= max(rel * |want|, abs, ABS_TOL_FLOOR)`` where ``rel`` is
      ``rel_tol``, or `DEFAULT_REL_TOL` (1 %) when the card gives neither tolerance, or 0 when it gives only
      ``abs_tol``; ``abs`` is ``abs_tol`` or 0. `ABS_TOL_FLOOR` (1e-9) lets an expected 0 be matched.

    Integers, shapes, booleans and text are compared exactly; in vectors and matrices, entries whose
    expected value is an ``int`` are exact and the others use the tolerance.

    Args:
        text: what the person typed.
        expected: the right answer: an int, a float (or anything with ``__float__``, such as a NumPy
            scalar), a sequence of ints for a shape, a sequence (or array) of numbers for a vector, a
            sequence of rows for a matrix, a bool, or for text a string or a sequence of accepted strings.
        kind: the kind of answer the card expects.
        rel_tol: relative tolerance for numbers, e.g. ``0.01``.
        abs_tol: absolute tolerance for numbers.
        decimals: the number of decimals the prompt asks for.
        dim_names: names of the shape dimensions for messages, e.g. ``("N", "C", "H", "W")``.

    Returns:
        The judgement, with a message that explains it.

    Raises:
        AnswerParseError: the text cannot be read as ``kind``; ask the person again.
        TypeError: ``expected`` does not fit ``kind`` (a card or programming error).
        ValueError: ``expected`` is not finite, or a tolerance is negative.
    """
    kind = AnswerKind(kind)
    tolerance = _tolerance(rel_tol, abs_tol, decimals)
    want = _expected_value(expected, kind)
    arity = _arity(want, kind, dim_names)
    try:
        parsed = parse_answer(text, kind)
    except AnswerParseError as error:
        if arity is not None:  # the hint shows only formats with the card's number of values
            raise AnswerParseError(text, kind, error.reason, arity) from None
        if kind is not AnswerKind.INTEGER:
            raise
        # 56.5 typed for a whole number is a wrong answer (often a missing floor), not unreadable.
        try:
            as_number = parse_answer(text, AnswerKind.NUMBER)
        except AnswerParseError:
            pass
        else:
            message = _("{number} is not a whole number; expected {expected}").format(
                number=_fmt(as_number.value), expected=want
            )
            return Judgement(False, as_number, want, message)
        raise
    if kind is AnswerKind.TEXT:
        accepted = _text_alternatives(expected)
        if parsed.value in accepted:
            return Judgement(True, parsed, want, f'"{parsed.value}"')
        message = _('expected "{expected}", got "{answer}"').format(
            expected=want, answer=parsed.value
        )
        return Judgement(False, parsed, want, message)
    if arity is not None and isinstance(parsed.value, tuple) and len(parsed.value) != arity:
        # A well-formed answer with the wrong number of values is a misreading, not a wrong answer.
        names = list(dim_names) if dim_names is not None and len(dim_names) == arity else None
        wants = ngettext("this card wants {n} number", "this card wants {n} numbers", arity).format(
            n=arity
        )
        if names:
            wants = _("{wants}: {names}").format(wants=wants, names="(" + ", ".join(names) + ")")
        raise AnswerParseError(text, kind, wants, arity)
    correct, message = _compare(parsed.value, want, kind, tolerance, dim_names)
    return Judgement(correct, parsed, want, message)


# ---------------------------------------------------------------------------------------------------
# Judging helpers


def _arity(want: AnswerValue, kind: AnswerKind, dim_names: Sequence[str] | None) -> int | None:
    """How many values the card wants, when a different count is a misreading rather than a wrong answer.

    A shape's rank is always stated by the card ("(N, C, H, W)"); a list's length only when its entries are
    named. A list whose length is part of the answer (the indices a slice keeps) has no arity.
    """
    if kind is AnswerKind.SHAPE and isinstance(want, tuple):
        return len(want)
    if kind is AnswerKind.VECTOR and isinstance(want, tuple) and dim_names is not None:
        return len(want) if len(dim_names) == len(want) else None
    return None


def _tolerance(rel_tol: float | None, abs_tol: float | None, decimals: int | None) -> _Tolerance:
    for name, tol in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if tol is not None and not (math.isfinite(tol) and tol >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, not {tol!r}")
    if decimals is not None and decimals < 0:
        raise ValueError(f"decimals must be >= 0, not {decimals!r}")
    if decimals is not None:
        return _Tolerance(rel=rel_tol or 0.0, abs=abs_tol or 0.0, decimals=decimals)
    if rel_tol is None:
        rel_tol = 0.0 if abs_tol is not None else DEFAULT_REL_TOL
    return _Tolerance(rel=rel_tol, abs=abs_tol or 0.0, decimals=None)


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"expected an integer, not the bool {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise TypeError(f"expected an integer, not {value!r}")
        return int(value)
    try:
        return operator.index(value)  # type: ignore[arg-type]  # ints and NumPy integers
    except TypeError:
        raise TypeError(f"expected an integer, not {value!r}") from None


def _as_float(value: object) -> float:
    if isinstance(value, bool | str | bytes):
        raise TypeError(f"expected a number, not {value!r}")
    try:
        result = float(value)  # type: ignore[arg-type]  # int, float, Fraction, NumPy scalars
    except (TypeError, ValueError):
        raise TypeError(f"expected a number, not {value!r}") from None
    if not math.isfinite(result):
        raise ValueError(f"expected values must be finite, not {result!r}")
    return result


def _as_number(value: object) -> Number:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if hasattr(value, "__index__") and not isinstance(value, bool):
        return _as_int(value)
    return _as_float(value)


def _items(value: object) -> list[object]:
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # NumPy arrays without importing NumPy here
        value = tolist()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"expected a sequence, not {value!r}")
    return list(value)


def _as_shape(value: object) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    dims = tuple(_as_int(d) for d in _items(value))
    if any(d < 0 for d in dims):
        raise ValueError(f"a shape has no negative dimensions: {dims!r}")
    return dims


def _as_vector(value: object) -> tuple[Number, ...]:
    return tuple(_as_number(x) for x in _items(value))


def _as_matrix(value: object) -> tuple[tuple[Number, ...], ...]:
    rows = tuple(_as_vector(row) for row in _items(value))
    if len({len(row) for row in rows}) > 1:
        raise ValueError("the rows of an expected matrix must have equal lengths")
    return rows


def _expected_value(expected: object, kind: AnswerKind) -> AnswerValue:
    if kind is AnswerKind.INTEGER:
        return _as_int(expected)
    if kind is AnswerKind.NUMBER:
        return _as_float(expected)
    if kind is AnswerKind.SHAPE:
        return _as_shape(expected)
    if kind is AnswerKind.VECTOR:
        return _as_vector(expected)
    if kind is AnswerKind.MATRIX:
        return _as_matrix(expected)
    if kind is AnswerKind.BOOLEAN:
        if isinstance(expected, str):
            return _parse_boolean(expected)
        if not isinstance(expected, bool) and type(expected).__name__ != "bool_":
            raise TypeError(f"expected a bool, not {expected!r}")
        return bool(expected)
    if isinstance(expected, str):
        return _normalise_text(expected, kind)
    alternatives = _items(expected)
    if not alternatives or not all(isinstance(a, str) for a in alternatives):
        raise TypeError(f"expected a string or a sequence of strings, not {expected!r}")
    return _normalise_text(str(alternatives[0]), kind)


def _text_alternatives(expected: object) -> set[str]:
    if isinstance(expected, str):
        return {_normalise_text(expected, AnswerKind.TEXT)}
    return {_normalise_text(str(a), AnswerKind.TEXT) for a in _items(expected)}


def _compare(
    got: AnswerValue,
    want: AnswerValue,
    kind: AnswerKind,
    tolerance: _Tolerance,
    dim_names: Sequence[str] | None,
) -> tuple[bool, str]:
    if kind is AnswerKind.INTEGER:
        assert isinstance(got, int) and isinstance(want, int)
        if got == want:
            return True, _("exactly {value}").format(value=want)
        return False, _("expected {expected}, got {answer} (off by {diff})").format(
            expected=want, answer=got, diff=abs(got - want)
        )
    if kind is AnswerKind.NUMBER:
        assert isinstance(got, float) and isinstance(want, float)
        rule = tolerance.describe()
        if tolerance.accepts(got, want):
            return True, _("{answer} matches {expected} ({rule})").format(
                answer=_fmt(got), expected=_fmt(want), rule=rule
            )
        return False, _("{answer} does not match {expected} ({rule}; {miss})").format(
            answer=_fmt(got), expected=_fmt(want), rule=rule, miss=_miss(got, want)
        )
    if kind is AnswerKind.SHAPE:
        return _compare_shape(_as_shape(got), _as_shape(want), dim_names)
    if kind is AnswerKind.VECTOR:
        return _compare_vector(_as_vector(got), _as_vector(want), tolerance)
    if kind is AnswerKind.MATRIX:
        return _compare_matrix(_as_matrix(got), _as_matrix(want), tolerance)
    if kind is AnswerKind.BOOLEAN:
        yes_no = format_answer(want, kind)
        if got == want:
            return True, yes_no
        return False, _("expected {expected}, got {answer}").format(
            expected=yes_no, answer=format_answer(got, kind)
        )
    raise AssertionError(
        f"unhandled answer kind {kind}"
    )  # pragma: no cover - text is judged in judge()


def _compare_shape(
    got: tuple[int, ...], want: tuple[int, ...], dim_names: Sequence[str] | None
) -> tuple[bool, str]:
    shown = format_answer(want, AnswerKind.SHAPE)
    if got == want:
        return True, _("exactly {value}").format(value=shown)
    if len(got) != len(want):
        return False, (
            ngettext(
                "expected {n} dimension, got {got} (expected {shape})",
                "expected {n} dimensions, got {got} (expected {shape})",
                len(want),
            ).format(n=len(want), got=len(got), shape=shown)
        )
    names = list(dim_names) if dim_names is not None and len(dim_names) == len(want) else None
    problems = []
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        if g != w:
            name = names[index] if names else _("dimension {n}").format(n=index + 1)
            problems.append(
                _("off by {diff} in {name} (expected {expected}, got {answer})").format(
                    diff=abs(g - w), name=name, expected=w, answer=g
                )
            )
    return False, _join_problems(problems)


def _entry_matches(got: Number, want: Number, tolerance: _Tolerance) -> bool:
    if isinstance(want, int):
        return got == want
    return tolerance.accepts(float(got), want)


def _compare_vector(
    got: tuple[Number, ...], want: tuple[Number, ...], tolerance: _Tolerance
) -> tuple[bool, str]:
    if len(got) != len(want):
        return False, ngettext(
            "expected {n} number, got {got}", "expected {n} numbers, got {got}", len(want)
        ).format(n=len(want), got=len(got))
    problems = [
        _("number {index} is {answer}, expected {expected}").format(
            index=i, answer=_fmt(g), expected=_fmt(w)
        )
        for i, (g, w) in enumerate(zip(got, want, strict=True), start=1)
        if not _entry_matches(g, w, tolerance)
    ]
    if problems:
        return False, _join_problems(problems)
    return True, ngettext("the {n} number matches", "all {n} numbers match", len(want)).format(
        n=len(want)
    )


def _compare_matrix(
    got: tuple[tuple[Number, ...], ...],
    want: tuple[tuple[Number, ...], ...],
    tolerance: _Tolerance,
) -> tuple[bool, str]:
    got_size = f"{len(got)}×{len(got[0]) if got else 0}"
    want_size = f"{len(want)}×{len(want[0]) if want else 0}"
    if got_size != want_size:
        return False, _("expected a {size} matrix, got {got}").format(size=want_size, got=got_size)
    problems = [
        _("entry ({row}, {column}) is {answer}, expected {expected}").format(
            row=r, column=c, answer=_fmt(g), expected=_fmt(w)
        )
        for r, (got_row, want_row) in enumerate(zip(got, want, strict=True), start=1)
        for c, (g, w) in enumerate(zip(got_row, want_row, strict=True), start=1)
        if not _entry_matches(g, w, tolerance)
    ]
    if problems:
        return False, _join_problems(problems)
    return True, _("all entries of the {size} matrix match").format(size=want_size)


def _join_problems(problems: list[str]) -> str:
    shown = problems[:_MAX_LISTED_MISMATCHES]
    more = len(problems) - len(shown)
    separator = _("; ")
    tail = separator + _("and {n} more").format(n=more) if more else ""
    return separator.join(shown) + tail


def _miss(got: float, want: float) -> str:
    diff = abs(got - want)
    percent = 100 * (diff / abs(want)) if want != 0 else math.inf
    if not math.isfinite(percent):  # no target to be a percentage of, or one too far off to say
        return _("off by {diff}").format(diff=_fmt(diff))
    return _("off by {diff}, {percent}").format(diff=_fmt(diff), percent=f"{percent:.3g}%")


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return format(x, ".6g")
    return str(x)


def _format_number(x: Number) -> str:
    return str(x) if isinstance(x, int) else repr(float(x))
